// The jobclass page: send the ad to POST /classify (the same API as every client) and show the answer.
// User text only ever enters the page as text nodes or attribute values, never as HTML.
"use strict";

(function () {
  const KEY_STORAGE = "jobclass.apiKey";
  const LANG_STORAGE = "jobclass.lang";

  const STRINGS = {
    en: {
      pageTitle: "jobclass: classify a job ad",
      skip: "Skip to the form",
      tagline: "Paste a job ad: see its role, seniority and skills, and the sentences that show them.",
      inputHeading: "Job ad",
      titleLabel: "Job title (optional)",
      titlePlaceholder: "e.g. Social Media Manager (m/f/d)",
      textLabel: "Ad text",
      textPlaceholder: "Paste the whole ad here: tasks, profile, offer.",
      textHint: "Plain text works best; pasted HTML is accepted too.",
      classify: "Classify",
      example: "Try an example",
      clear: "Clear",
      busy: "Classifying …",
      errorTitle: "The ad could not be classified",
      errorCode: (status, code) => `HTTP ${status}${code ? ` · ${code}` : ""}`,
      networkError: "The service could not be reached. Is it running?",
      resultsHeading: "Result",
      placeholder: "The result appears here after you classify an ad.",
      roleHeading: "Role",
      candidatesHeading: "Alternatives",
      digitalYes: "Digital-communication job",
      digitalNo: "Not a digital-communication job",
      levelHeading: "Seniority and experience",
      seniority: "Seniority",
      experience: "Experience",
      noExperience: "no years of experience stated",
      years: (min, max) => (max == null ? `${min}+ years` : min === max ? `${min} years` : `${min}–${max} years`),
      cue: "cue",
      cueKinds: { title: "title", text: "ad text", "title word": "word in the title", experience: "experience" },
      codesHeading: "Standard codes",
      noCodes: "No standard codes: the ad fits none of the known roles.",
      escoLink: "ESCO occupation",
      skillsHeading: "Skills",
      chipHint: "Hover over or focus a skill to highlight its evidence in the ad.",
      noSkills: "No skills found.",
      spans: (n) => (n === 1 ? "1 evidence passage" : `${n} evidence passages`),
      warningsHeading: "Warnings",
      adViewHeading: "The ad with its evidence",
      offsetsMismatch: "The evidence positions refer to the plain text the service derived (for example from pasted HTML), not to the text as typed. The evidence is listed per skill instead.",
      announce: (role, pct, n) => `Result: ${role} (${pct}), ${n} skill${n === 1 ? "" : "s"}.`,
      model: (v, tv) => `Model ${v} · taxonomy ${tv}`,
      keyHeading: "API key required",
      keyNeeded: "This service needs an API key. It is kept only in this browser tab.",
      keyInvalid: "The key was not accepted. Please check it and try again.",
      keyLabel: "API key",
      keyOk: "Use this key",
      keyCancel: "Cancel",
      seniorityLevels: { student: "Student / intern", entry: "Entry level", professional: "Professional",
        senior: "Senior", lead: "Lead / head of" },
    },
    de: {
      pageTitle: "jobclass: Stellenanzeigen einordnen",
      skip: "Zum Formular springen",
      tagline: "Stellenanzeige einfügen: Rolle, Karrierestufe und Skills sehen – mit den Sätzen, die sie belegen.",
      inputHeading: "Stellenanzeige",
      titleLabel: "Stellentitel (optional)",
      titlePlaceholder: "z. B. Social-Media-Manager:in (m/w/d)",
      textLabel: "Anzeigentext",
      textPlaceholder: "Die ganze Anzeige hier einfügen: Aufgaben, Profil, Angebot.",
      textHint: "Am besten als reiner Text; eingefügtes HTML geht auch.",
      classify: "Klassifizieren",
      example: "Beispiel ausprobieren",
      clear: "Leeren",
      busy: "Wird klassifiziert …",
      errorTitle: "Die Anzeige konnte nicht klassifiziert werden",
      errorCode: (status, code) => `HTTP ${status}${code ? ` · ${code}` : ""}`,
      networkError: "Der Dienst ist nicht erreichbar. Läuft er?",
      resultsHeading: "Ergebnis",
      placeholder: "Hier erscheint das Ergebnis, sobald Sie eine Anzeige klassifizieren.",
      roleHeading: "Rolle",
      candidatesHeading: "Alternativen",
      digitalYes: "Stelle in der digitalen Kommunikation",
      digitalNo: "Keine Stelle in der digitalen Kommunikation",
      levelHeading: "Karrierestufe und Erfahrung",
      seniority: "Karrierestufe",
      experience: "Berufserfahrung",
      noExperience: "keine Jahre Berufserfahrung genannt",
      years: (min, max) => (max == null ? `ab ${min} Jahren` : min === max ? `${min} Jahre` : `${min}–${max} Jahre`),
      cue: "Hinweis",
      cueKinds: { title: "Titel", text: "Anzeigentext", "title word": "Wort im Titel", experience: "Erfahrung" },
      codesHeading: "Standardcodes",
      noCodes: "Keine Standardcodes: Die Anzeige passt zu keiner der bekannten Rollen.",
      escoLink: "ESCO-Beruf",
      skillsHeading: "Skills",
      chipHint: "Zeigen Sie auf einen Skill oder fokussieren Sie ihn, um seine Belege in der Anzeige hervorzuheben.",
      noSkills: "Keine Skills gefunden.",
      spans: (n) => (n === 1 ? "1 Beleg" : `${n} Belege`),
      warningsHeading: "Hinweise",
      adViewHeading: "Die Anzeige mit ihren Belegen",
      offsetsMismatch: "Die Belegstellen beziehen sich auf den Klartext, den der Dienst abgeleitet hat (z. B. aus eingefügtem HTML), nicht auf den eingegebenen Text. Die Belege stehen deshalb hier je Skill als Liste.",
      announce: (role, pct, n) => `Ergebnis: ${role} (${pct}), ${n} Skill${n === 1 ? "" : "s"}.`,
      model: (v, tv) => `Modell ${v} · Taxonomie ${tv}`,
      keyHeading: "API-Schlüssel erforderlich",
      keyNeeded: "Dieser Dienst braucht einen API-Schlüssel. Er wird nur in diesem Browser-Tab gespeichert.",
      keyInvalid: "Der Schlüssel wurde nicht akzeptiert. Bitte prüfen und erneut versuchen.",
      keyLabel: "API-Schlüssel",
      keyOk: "Schlüssel verwenden",
      keyCancel: "Abbrechen",
      seniorityLevels: { student: "Studium / Praktikum", entry: "Berufseinstieg", professional: "Mit Berufserfahrung",
        senior: "Senior", lead: "Leitung" },
    },
  };

  // Written for this page; not taken from any real ad.
  const EXAMPLE = {
    title: "Social Media Manager:in (m/w/d)",
    text: [
      "Social Media Manager:in (m/w/d) – Voll- oder Teilzeit, Leipzig oder remote",
      "",
      "Die Grünwerk Energiegenossenschaft versorgt rund 40.000 Haushalte in Sachsen mit Ökostrom. " +
        "Wir wollen mehr Menschen für die Energiewende gewinnen – dort, wo sie sich informieren: " +
        "auf Instagram, LinkedIn und YouTube.",
      "",
      "Deine Aufgaben",
      "- Du planst unsere Kanäle mit einem Redaktionsplan und stimmst Themen mit Fachbereichen und Vorstand ab.",
      "- Du schreibst Posts, schneidest kurze Videos und gestaltest Grafiken mit Canva.",
      "- Du beantwortest Kommentare und Nachrichten und moderierst unsere Community freundlich und klar.",
      "- Du wertest Reichweite und Interaktionen jeden Monat aus und leitest Verbesserungen daraus ab.",
      "- Du steuerst kleine Werbebudgets für Kampagnen auf Meta und LinkedIn.",
      "",
      "Dein Profil",
      "- Abgeschlossenes Studium in Kommunikation, Medien oder einem ähnlichen Fach",
      "- Du bringst mindestens 2 Jahre Berufserfahrung aus dem Social-Media-Management mit",
      "- Stilsicheres Deutsch und gutes Englisch",
      "- Freude an Zahlen und ein Auge für starke Bilder",
      "",
      "Wir bieten",
      "30 Urlaubstage, flexible Arbeitszeiten, ein Dienstrad und ein Team, das Klimaschutz ernst nimmt.",
      "",
      "Klingt gut? Dann schick uns deine Unterlagen bis zum 31. März.",
    ].join("\n"),
  };

  const $ = (id) => document.getElementById(id);
  let lang = initialLanguage();
  let languageChosen = readStorage(LANG_STORAGE) !== null;
  let last = null; // {result, text}: kept to re-render when the language changes
  let skillNames = null; // {skill id: {de, en}}

  function readStorage(key) {
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function writeStorage(key, value) {
    try {
      if (value === null) window.sessionStorage.removeItem(key);
      else window.sessionStorage.setItem(key, value);
    } catch (e) {
      // Storage disabled: the page still works, it just asks again.
    }
  }

  function initialLanguage() {
    const stored = readStorage(LANG_STORAGE);
    if (stored === "de" || stored === "en") return stored;
    return (navigator.language || "en").toLowerCase().startsWith("de") ? "de" : "en";
  }

  function t(key, ...args) {
    const value = STRINGS[lang][key];
    return typeof value === "function" ? value(...args) : value;
  }

  // A DOM element with attributes and children; strings become text nodes (never parsed as HTML).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function percent(x) {
    return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 0 }).format(x);
  }

  function bar(confidence) {
    const fill = el("span", { class: "fill" });
    fill.style.width = `${Math.max(0, Math.min(1, confidence)) * 100}%`;
    return el("span", { class: "bar", "aria-hidden": "true" }, fill);
  }

  function roleName(role) {
    return lang === "de" && role.name_de ? role.name_de : role.name;
  }

  // ---------------------------------------------------------------------------------------------
  // Language

  function setLanguage(next, chosen) {
    lang = next;
    if (chosen) {
      languageChosen = true;
      writeStorage(LANG_STORAGE, next);
    }
    applyLanguage();
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t("pageTitle");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
      node.placeholder = t(node.dataset.i18nPlaceholder);
    }
    for (const button of document.querySelectorAll(".lang-toggle button")) {
      button.setAttribute("aria-pressed", String(button.dataset.lang === lang));
    }
    if (last) renderResult();
  }

  // ---------------------------------------------------------------------------------------------
  // Talking to the API

  function authHeaders(headers) {
    const key = readStorage(KEY_STORAGE);
    return key ? { ...headers, Authorization: `Bearer ${key}` } : headers;
  }

  function send(body) {
    const headers = authHeaders({ "Content-Type": "application/json", Accept: "application/json" });
    return fetch("classify", { method: "POST", headers, body: JSON.stringify(body) });
  }

  // German and English skill names from GET /taxonomy, once; without them the English names of /classify stay.
  async function loadSkillNames() {
    if (skillNames) return;
    try {
      const response = await fetch("taxonomy", { headers: authHeaders({ Accept: "application/json" }) });
      if (!response.ok) return;
      const data = await response.json();
      skillNames = Object.fromEntries(data.skills.map((s) => [s.id, s.name || {}]));
    } catch (e) {
      // Names are a nicety: the result is shown either way.
    }
  }

  function skillName(skill) {
    const names = skillNames && skillNames[skill.id];
    return (names && names[lang]) || skill.name;
  }

  // POST /classify; on 401 ask for a key (kept in sessionStorage) and retry until it works or the user cancels.
  async function classifyRequest(body) {
    let response = await send(body);
    while (response.status === 401) {
      const rejected = readStorage(KEY_STORAGE) !== null;
      writeStorage(KEY_STORAGE, null);
      const key = await askForKey(rejected);
      if (key === null) break;
      writeStorage(KEY_STORAGE, key);
      response = await send(body);
    }
    return response;
  }

  function askForKey(rejected) {
    const dialog = $("key-dialog");
    const input = $("api-key");
    $("key-hint").textContent = t(rejected ? "keyInvalid" : "keyNeeded");
    input.value = "";
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => {
        const key = input.value.trim();
        input.value = "";
        resolve(dialog.returnValue === "ok" && key ? key : null);
      }, { once: true });
      dialog.showModal();
      input.focus();
    });
  }

  async function readJson(response) {
    try {
      return await response.json();
    } catch (e) {
      return null;
    }
  }

  async function onSubmit(event) {
    event.preventDefault();
    const text = $("ad-text").value;
    const title = $("ad-title").value.trim();
    const button = $("classify");
    hideError();
    button.disabled = true;
    $("results-heading").parentElement.setAttribute("aria-busy", "true");
    $("status").textContent = t("busy");
    try {
      const response = await classifyRequest({ text, title: title || null, top_k: 5 });
      const data = await readJson(response);
      if (response.ok && data && data.role) {
        await loadSkillNames();
        showResult(data, text);
      } else {
        const error = (data && data.error) || {};
        showError(error.message || response.statusText || `HTTP ${response.status}`, response.status, error.code);
      }
    } catch (e) {
      showError(t("networkError"), null, null);
    } finally {
      button.disabled = false;
      $("results-heading").parentElement.removeAttribute("aria-busy");
    }
  }

  function showError(message, status, code) {
    $("status").textContent = "";
    $("error-message").textContent = message;
    $("error-code").textContent = status ? t("errorCode", status, code) : "";
    $("error").hidden = false;
    $("error").scrollIntoView({ block: "nearest" });
  }

  function hideError() {
    $("error").hidden = true;
    $("error-message").textContent = "";
  }

  // ---------------------------------------------------------------------------------------------
  // Rendering a result

  function showResult(result, text) {
    last = { result, text };
    if (!languageChosen && (result.language === "de" || result.language === "en") && result.language !== lang) {
      lang = result.language;
      applyLanguage(); // renders the result too
    } else {
      renderResult();
    }
    $("status").textContent = t("announce", roleName(result.role), percent(result.role.confidence), result.skills.length);
    const heading = $("results-heading").getBoundingClientRect();
    if (heading.top < 0 || heading.bottom > window.innerHeight) $("results-heading").scrollIntoView(); // narrow screens
  }

  function renderResult() {
    const { result, text } = last;
    $("placeholder").hidden = true;
    $("results").hidden = false;
    renderRole(result);
    renderLevel(result);
    renderCodes(result.role.codes);
    renderSkills(result.skills);
    renderWarnings(result.warnings || []);
    renderAd(result.skills, text);
    const model = result.model || {};
    $("model-info").textContent = model.version ? t("model", model.version, model.taxonomy_version || "?") : "";
  }

  function renderRole(result) {
    const role = result.role;
    $("role-name").textContent = roleName(role);
    $("role-id").textContent = role.id;
    $("role-bar").style.width = `${role.confidence * 100}%`;
    $("role-confidence").textContent = percent(role.confidence);
    const badge = $("digital-badge");
    const digital = result.is_digital_communication;
    badge.className = `badge ${digital ? "badge-yes" : "badge-no"}`;
    badge.textContent = `${digital ? "✓" : "✗"} ${t(digital ? "digitalYes" : "digitalNo")}`;
    if (typeof result.communication_confidence === "number") {
      badge.append(el("span", { class: "badge-pct" }, ` (${percent(result.communication_confidence)})`));
    }
    const list = $("candidates");
    list.replaceChildren(...result.role_candidates.map((c) => el("li", { class: c.id === role.id ? "chosen" : null },
      el("span", { class: "candidate-name" }, roleName(c)), bar(c.confidence),
      el("span", { class: "pct" }, percent(c.confidence)))));
  }

  function describeCue(cue) {
    const match = /^(title word|title|text|experience): (.+)$/.exec(cue);
    if (!match) return cue;
    const kind = t("cueKinds")[match[1]] || match[1];
    const [open, close] = lang === "de" ? ["„", "“"] : ["“", "”"];
    return `${kind}: ${open}${match[2]}${close}`;
  }

  function renderLevel(result) {
    const seniority = result.seniority;
    $("seniority").textContent = t("seniorityLevels")[seniority.id] || seniority.id;
    $("seniority-confidence").textContent = `(${percent(seniority.confidence)})`;
    $("seniority-cue").textContent = seniority.cue ? `${t("cue")}: ${describeCue(seniority.cue)}` : "";
    const exp = result.experience_years;
    $("experience").textContent = exp ? t("years", exp.min, exp.max) : t("noExperience");
    const evidence = $("experience-evidence");
    evidence.textContent = exp && exp.evidence ? exp.evidence.text : "";
    evidence.hidden = !(exp && exp.evidence);
  }

  function renderCodes(codes) {
    const list = $("codes");
    list.hidden = !codes;
    $("no-codes").hidden = Boolean(codes);
    if (!codes) {
      list.replaceChildren();
      return;
    }
    const esco = /^https?:\/\//.test(codes.esco || "")
      ? el("a", { href: codes.esco, rel: "noopener noreferrer" }, t("escoLink"))
      : el("span", {}, codes.esco || "–");
    list.replaceChildren(
      el("dt", {}, "ISCO-08"), el("dd", {}, el("code", {}, codes.isco08 || "–")),
      el("dt", {}, "KldB 2010"), el("dd", {}, el("code", {}, codes.kldb2010 || "–")),
      el("dt", {}, "ESCO"), el("dd", {}, esco));
  }

  function renderSkills(skills) {
    const list = $("skills");
    if (!skills.length) {
      list.replaceChildren(el("li", { class: "muted" }, t("noSkills")));
      return;
    }
    list.replaceChildren(...skills.map((skill) => {
      const chip = el("button", {
        type: "button", class: "chip", "data-skill": skill.id, "aria-describedby": "chip-hint",
        "aria-label": `${skillName(skill)}, ${percent(skill.confidence)}, ${t("spans", skill.evidence.length)}`,
      }, el("span", { class: "chip-name" }, skillName(skill)), bar(skill.confidence),
      el("span", { class: "chip-pct" }, percent(skill.confidence)));
      chip.addEventListener("mouseenter", () => highlight(skill.id, true));
      chip.addEventListener("mouseleave", () => highlight(skill.id, document.activeElement === chip));
      chip.addEventListener("focus", () => highlight(skill.id, true));
      chip.addEventListener("blur", () => highlight(skill.id, false));
      chip.addEventListener("click", () => {
        const first = document.querySelector(`.evidence mark[data-skills~="${CSS.escape(skill.id)}"]`);
        if (first) first.scrollIntoView({ block: "nearest" });
      });
      return el("li", {}, chip);
    }));
  }

  function highlight(skillId, on) {
    for (const view of document.querySelectorAll(".evidence")) view.classList.toggle("focusing", on);
    for (const mark of document.querySelectorAll(`.evidence mark[data-skills~="${CSS.escape(skillId)}"]`)) {
      mark.classList.toggle("active", on);
    }
  }

  function renderWarnings(warnings) {
    $("warnings-card").hidden = warnings.length === 0;
    $("warnings").replaceChildren(...warnings.map((w) => el("li", {}, w)));
  }

  // The API counts offsets in code points; JavaScript strings index UTF-16 units.
  function codePointIndex(text) {
    const units = [];
    let unit = 0;
    for (const ch of text) {
      units.push(unit);
      unit += ch.length;
    }
    units.push(unit);
    return (i) => units[i];
  }

  // The evidence spans as UTF-16 ranges into `text`, or null when the offsets do not fit it (HTML input).
  function evidenceSpans(skills, text) {
    const at = codePointIndex(text);
    const spans = [];
    for (const skill of skills) {
      for (const ev of skill.evidence) {
        const start = at(ev.start);
        const end = at(ev.end);
        if (start === undefined || end === undefined || text.slice(start, end) !== ev.text) return null;
        spans.push({ start, end, skill: skill.id });
      }
    }
    return spans;
  }

  function renderAd(skills, text) {
    const view = $("ad-view");
    const list = $("evidence-list");
    const note = $("adview-note");
    const spans = evidenceSpans(skills, text);
    const names = Object.fromEntries(skills.map((s) => [s.id, skillName(s)]));
    view.className = "ad-view evidence";
    list.className = "evidence-list evidence";
    if (spans) {
      view.replaceChildren(...markedText(text, spans, names));
      view.hidden = false;
      list.hidden = true;
      note.hidden = true;
      list.replaceChildren();
      return;
    }
    view.hidden = true;
    view.replaceChildren();
    note.textContent = t("offsetsMismatch");
    note.hidden = false;
    list.hidden = false;
    list.replaceChildren(...skills.filter((s) => s.evidence.length).map((skill) => el("li", {},
      el("strong", {}, skillName(skill)),
      el("ul", {}, ...[...new Set(skill.evidence.map((ev) => ev.text))].map((sentence) =>
        el("li", {}, el("mark", { class: "ev", "data-skills": skill.id }, sentence)))))));
  }

  // Text nodes and <mark> elements for `text`, cut at every span boundary (spans may overlap).
  function markedText(text, spans, names) {
    const cuts = [...new Set([0, text.length, ...spans.flatMap((s) => [s.start, s.end])])].sort((a, b) => a - b);
    const nodes = [];
    for (let i = 0; i < cuts.length - 1; i++) {
      const [a, b] = [cuts[i], cuts[i + 1]];
      const ids = [...new Set(spans.filter((s) => s.start <= a && s.end >= b).map((s) => s.skill))];
      const piece = text.slice(a, b);
      if (!ids.length) nodes.push(document.createTextNode(piece));
      else nodes.push(el("mark", { class: "ev", "data-skills": ids.join(" "), title: ids.map((id) => names[id]).join(", ") }, piece));
    }
    return nodes;
  }

  // ---------------------------------------------------------------------------------------------

  function init() {
    $("ad-form").addEventListener("submit", onSubmit);
    $("example").addEventListener("click", () => {
      $("ad-title").value = EXAMPLE.title;
      const area = $("ad-text");
      area.value = EXAMPLE.text;
      area.focus();
      area.setSelectionRange(0, 0);
      area.scrollTop = 0;
    });
    $("clear").addEventListener("click", () => {
      $("ad-title").value = "";
      $("ad-text").value = "";
      hideError();
      $("ad-text").focus();
    });
    for (const button of document.querySelectorAll(".lang-toggle button")) {
      button.addEventListener("click", () => setLanguage(button.dataset.lang, true));
    }
    applyLanguage();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
