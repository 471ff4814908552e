"""The taxonomy: role types, seniority levels and skill tags, with aliases, codes and seed evidence.

The data lives in ``taxonomy.json`` beside this module; :func:`load_taxonomy` reads and validates
it. A broken file is refused with a :class:`TaxonomyError` that names the entry at fault, so a
typo in an alias or a quote that drifted from its seed cannot reach a trained model.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.config import SEEDS_DIR, TAXONOMY_FILE
from training.text import match_key

__all__ = [
    "TaxonomyError",
    "Taxonomy",
    "load_taxonomy",
    "SPEC_ROLE_IDS",
    "SPEC_SENIORITY_IDS",
    "SPEC_SKILL_IDS",
    "OTHER",
]

OTHER = "other"

#: The ids of ../shared/spec/taxonomy.md (v1): the contract with the labelled data and the API.
SPEC_ROLE_IDS = (
    "social_media_manager", "community_manager", "content_manager", "video_content_creator",
    "digital_communication_manager", "head_of_digital_communications", "corporate_influencer_manager",
    "digital_public_affairs_manager", "social_media_consultant", "corporate_communications_manager",
    "online_marketing_manager", "influencer_marketing_manager", OTHER,
)
SPEC_SENIORITY_IDS = ("student", "entry", "professional", "senior", "lead")
SPEC_SKILL_IDS = (
    "social_media_platforms", "social_media_strategy", "content_creation", "video_production",
    "visual_design", "editorial_planning", "community_management", "crisis_communication",
    "analytics_reporting", "seo_sea", "paid_social_ads", "blogging", "pr_media_relations",
    "internal_communication", "employee_advocacy", "training_coaching", "change_management",
    "stakeholder_management", "public_affairs", "ai_tools", "web_content_management",
    "project_management", "marketing_knowledge", "communication_skills", "german_language",
    "english_language",
)

_TOP_KEYS = {"taxonomy_version", "seeds", "roles", "seniority", "skills"}
_ROLE_KEYS = {"id", "name", "description", "aliases", "keywords", "seed_evidence", "codes"}
_SENIORITY_KEYS = {"id", "name", "description", "cues"}
_SKILL_KEYS = {"id", "name", "description", "phrases", "seed_evidence"}
_CODE_KEYS = {"isco08", "kldb2010", "esco"}
_LANGS = {"de", "en"}


class TaxonomyError(ValueError):
    """The taxonomy file is malformed; the message names the entry and what is wrong."""


@dataclass(frozen=True)
class Taxonomy:
    """A validated taxonomy. ``raw`` is the JSON document as loaded (plain data, safe to serialise)."""

    version: str
    raw: dict[str, Any] = field(repr=False)

    @property
    def role_ids(self) -> list[str]:
        return [r["id"] for r in self.raw["roles"]]

    @property
    def seniority_ids(self) -> list[str]:
        return [s["id"] for s in self.raw["seniority"]]

    @property
    def skill_ids(self) -> list[str]:
        return [s["id"] for s in self.raw["skills"]]

    @property
    def communication_role_ids(self) -> list[str]:
        return [r for r in self.role_ids if r != OTHER]

    def role(self, role_id: str) -> dict[str, Any]:
        return _by_id(self.raw["roles"])[role_id]

    def skill(self, skill_id: str) -> dict[str, Any]:
        return _by_id(self.raw["skills"])[skill_id]

    def seniority(self, seniority_id: str) -> dict[str, Any]:
        return _by_id(self.raw["seniority"])[seniority_id]


def _by_id(entries: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in entries}


def load_taxonomy(
    path: str | Path = TAXONOMY_FILE, *, seeds_dir: str | Path | None = SEEDS_DIR, check_seeds: bool = True
) -> Taxonomy:
    """Load and validate the taxonomy file.

    Checks: only known keys; every spec id present exactly once and no unknown ids; names in German
    and English; no alias used twice (after normalisation, across roles); no phrase twice within a
    skill; every seed quote found verbatim in its seed file (when ``check_seeds``).

    Raises:
        TaxonomyError: naming the entry and the problem.
    """
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"taxonomy file not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise TaxonomyError(f"{path}: not valid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{path}: expected a JSON object at the top, got {type(raw).__name__}")
    _check_keys(raw, _TOP_KEYS, "taxonomy", required=_TOP_KEYS)
    version = raw["taxonomy_version"]
    if not isinstance(version, str) or not version:
        raise TaxonomyError("taxonomy_version must be a non-empty string")

    _check_section(raw, "roles", SPEC_ROLE_IDS, _ROLE_KEYS)
    _check_section(raw, "seniority", SPEC_SENIORITY_IDS, _SENIORITY_KEYS)
    _check_section(raw, "skills", SPEC_SKILL_IDS, _SKILL_KEYS)
    _check_aliases(raw["roles"])
    for skill in raw["skills"]:
        _check_unique_phrases(f"skill '{skill['id']}'", skill.get("phrases", {}))
    for role in raw["roles"]:
        _check_codes(role)
    if check_seeds:
        _check_seed_quotes(raw, Path(seeds_dir) if seeds_dir is not None else SEEDS_DIR)
    return Taxonomy(version=version, raw=raw)


def _check_keys(entry: dict[str, Any], allowed: set[str], where: str, required: set[str] | None = None) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise TaxonomyError(f"{where}: unknown key(s) {unknown}; allowed are {sorted(allowed)}")
    missing = sorted((required if required is not None else {"id", "name"}) - set(entry))
    if missing:
        raise TaxonomyError(f"{where}: missing key(s) {missing}")


def _check_section(raw: dict[str, Any], section: str, spec_ids: tuple[str, ...], keys: set[str]) -> None:
    entries = raw[section]
    if not isinstance(entries, list):
        raise TaxonomyError(f"'{section}' must be a list of entries")
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = f"{section}[{i}]"
        if not isinstance(entry, dict):
            raise TaxonomyError(f"{where}: expected an object")
        _check_keys(entry, keys, f"{where} ('{entry.get('id', '?')}')")
        entry_id = entry["id"]
        where = f"{section} entry '{entry_id}'"
        if entry_id in seen:
            raise TaxonomyError(f"{where}: duplicate id")
        if entry_id not in spec_ids:
            raise TaxonomyError(f"{where}: id not in the spec ({', '.join(spec_ids)})")
        seen.add(entry_id)
        name = entry["name"]
        if not isinstance(name, dict) or set(name) != _LANGS or not all(isinstance(v, str) and v for v in name.values()):
            raise TaxonomyError(f"{where}: 'name' needs non-empty 'de' and 'en' strings")
        for key in ("aliases", "keywords", "phrases", "cues"):
            if key in entry:
                _check_lang_lists(entry[key], f"{where}: '{key}'")
    missing = [i for i in spec_ids if i not in seen]
    if missing:
        raise TaxonomyError(f"'{section}' lacks spec id(s): {', '.join(missing)}")


def _check_lang_lists(value: Any, where: str) -> None:
    if not isinstance(value, dict) or not set(value) <= _LANGS:
        raise TaxonomyError(f"{where} must map 'de'/'en' to lists of strings")
    for lang, items in value.items():
        if not isinstance(items, list) or not all(isinstance(s, str) and s.strip() for s in items):
            raise TaxonomyError(f"{where}['{lang}'] must be a list of non-empty strings")


def _check_aliases(roles: list[dict[str, Any]]) -> None:
    owner: dict[str, str] = {}
    for role in roles:
        for alias in (a for lang in role.get("aliases", {}).values() for a in lang):
            key = match_key(alias)
            if not key:
                raise TaxonomyError(f"roles entry '{role['id']}': alias {alias!r} is empty after normalisation")
            if key in owner:
                raise TaxonomyError(
                    f"roles entry '{role['id']}': duplicate alias {alias!r} (normalised {key!r}), "
                    f"already an alias of '{owner[key]}'"
                )
            owner[key] = role["id"]


def _check_unique_phrases(where: str, phrases: dict[str, list[str]]) -> None:
    # The same brand name may stand in both languages' lists; within one list it is a slip.
    for lang, items in phrases.items():
        seen: set[str] = set()
        for phrase in items:
            key = match_key(phrase)
            if key in seen:
                raise TaxonomyError(f"{where}: duplicate phrase {phrase!r} in '{lang}'")
            seen.add(key)


def _check_codes(role: dict[str, Any]) -> None:
    where = f"roles entry '{role['id']}'"
    codes = role.get("codes")
    if role["id"] == OTHER:
        if codes:
            raise TaxonomyError(f"{where}: 'other' has no standard codes")
        return
    if not isinstance(codes, dict) or set(codes) != _CODE_KEYS:
        raise TaxonomyError(f"{where}: 'codes' needs exactly {sorted(_CODE_KEYS)}")
    for system, code in codes.items():
        if not isinstance(code, dict) or not code.get("source") or not (code.get("code") or code.get("uri")):
            raise TaxonomyError(f"{where}: code '{system}' needs a code (or uri) and its source")
    if not (str(codes["isco08"]["code"]).isdigit() and len(str(codes["isco08"]["code"])) == 4):
        raise TaxonomyError(f"{where}: isco08 code must be a 4-digit unit group")
    if not (str(codes["kldb2010"]["code"]).isdigit() and len(str(codes["kldb2010"]["code"])) == 5):
        raise TaxonomyError(f"{where}: kldb2010 code must have 5 digits")
    if not str(codes["esco"].get("uri", "")).startswith("http://data.europa.eu/esco/occupation/"):
        raise TaxonomyError(f"{where}: esco needs an ESCO occupation uri")


def _check_seed_quotes(raw: dict[str, Any], seeds_dir: Path) -> None:
    seeds = raw["seeds"]
    texts: dict[str, str] = {}
    for prefix, filename in seeds.items():
        try:
            texts[prefix] = (seeds_dir / filename).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise TaxonomyError(f"seed {prefix}: file {seeds_dir / filename} not found") from None
    for section in ("roles", "skills"):
        for entry in raw[section]:
            for i, ev in enumerate(entry.get("seed_evidence", [])):
                where = f"{section} entry '{entry['id']}' seed_evidence[{i}]"
                if not isinstance(ev, dict) or set(ev) != {"seed", "quote"}:
                    raise TaxonomyError(f"{where}: expected {{'seed', 'quote'}}")
                if ev["seed"] not in texts:
                    raise TaxonomyError(f"{where}: unknown seed {ev['seed']!r}")
                if not ev["quote"] or ev["quote"] not in texts[ev["seed"]]:
                    raise TaxonomyError(
                        f"{where}: quote not found verbatim in seed {ev['seed']} "
                        f"({seeds[ev['seed']]}): {ev['quote'][:80]!r}"
                    )
