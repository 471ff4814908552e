"""The web page: served offline by the app itself, then driven in headless Debian Chromium."""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from service.app import create_app
from training.config import REPO_ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
SCREENSHOT = REPO_ROOT / "docs" / "screenshot.png"
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--no-first-run", "--lang=en-US")
# A src/href/action that leaves the service: absolute or protocol-relative URLs.
EXTERNAL_REF = re.compile(r"""\b(?:src|href|action)\s*=\s*["']?\s*(?:[a-z][a-z0-9+.-]*:)?//""", re.IGNORECASE)
ASSET_REF = re.compile(r"""\b(?:src|href)="(/static/[^"]+)\"""")
# Ads written for these tests. HTML_AD is HTML, so the offsets refer to the plain text the service derived;
# its <img> must stay inert.
HTML_AD = ("<h2>Referent:in Digitale Kommunikation</h2><p>Du betreust unsere Kanäle auf <b>Instagram</b> und "
           "LinkedIn, schreibst Beiträge und pflegst den Redaktionsplan.</p><ul><li>Du wertest Kennzahlen aus "
           "und berichtest monatlich.</li><li>Sehr gute Deutschkenntnisse</li></ul>"
           "<p><img src=x onerror=\"window.__injected = 1\">Bewirb dich jetzt!</p>")
OTHER_AD = ("Wir suchen eine Pflegefachkraft für unsere Station. Du versorgst Patientinnen und Patienten, "
            "dokumentierst die Pflege und arbeitest im Schichtdienst.")


# --------------------------------------------------------------------------------------------
# The page as the Flask test client sees it


def test_page_has_the_form_with_labelled_fields(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<form id="ad-form"' in html
    for field in ("ad-title", "ad-text", "api-key"):
        assert f'<label for="{field}"' in html
        assert f'id="{field}"' in html
    assert 'id="classify" type="submit"' in html
    assert 'id="example" type="button"' in html
    assert 'role="status" aria-live="polite"' in html
    assert 'role="alert"' in html


def test_page_loads_nothing_from_elsewhere(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert EXTERNAL_REF.findall(html) == []
    assert "cdn" not in html.lower()
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp
    assert "script-src 'self'" in csp
    assert "connect-src 'self'" in csp
    refs = ASSET_REF.findall(html)
    assert sorted(refs) == ["/static/app.css", "/static/app.js", "/static/favicon.svg"]
    for ref in refs:
        with client.get(ref) as asset:  # static files are streamed: close them (ResourceWarning)
            body = asset.get_data(as_text=True)
        assert "https://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "")
        assert "@import" not in body
        assert "url(" not in body


@pytest.mark.parametrize(("path", "mimetype"), [
    ("/static/app.js", "text/javascript"),
    ("/static/app.css", "text/css"),
    ("/static/favicon.svg", "image/svg+xml"),
])
def test_static_assets_are_served(client, path, mimetype):
    with client.get(path) as response:
        assert response.status_code == 200
        assert response.mimetype == mimetype
        assert len(response.get_data()) > 100


def test_page_shell_needs_no_key_but_classify_does(make_app):
    client = make_app(API_KEYS="k").test_client()
    assert client.get("/").status_code == 200
    with client.get("/static/app.js") as asset:
        assert asset.status_code == 200
    response = client.post("/classify", json={"text": "Social Media Manager:in gesucht"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "missing_api_key"


# --------------------------------------------------------------------------------------------
# The page in a real browser


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args) -> None:  # noqa: A002 - werkzeug's signature
        pass


@contextmanager
def _serve(app) -> Iterator[str]:
    """The app on a free loopback port, served by werkzeug in a background thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="test-web-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _served_app(predictor, **config):
    # The session's loaded model (tests/conftest.py), as create_app would load it from models/current.
    app = create_app({"TESTING": True, "LOAD_MODEL": False, "LOG_LEVEL": "WARNING", **config})
    app.extensions["jobclass_model"].predictor = predictor
    return app


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    if missing:
        pytest.skip(f"browser tests need Debian's chromium and chromium-driver packages "
                    f"(apt-get install -y chromium chromium-driver); missing: {', '.join(missing)}")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[dev]')")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.add_argument("--window-size=1280,900")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture(scope="module")
def site(browser, predictor) -> Iterator[str]:
    with _serve(_served_app(predictor)) as url:
        yield url


@pytest.fixture(scope="module")
def keyed_site(browser, predictor) -> Iterator[str]:
    with _serve(_served_app(predictor, API_KEYS="k")) as url:
        yield url


@pytest.fixture(scope="module")
def real_ad():
    """The first real labelled Social Media Manager ad, read from the data directory at test time."""
    from training.data import DataDirError, load_dataset

    try:
        df = load_dataset()
    except DataDirError as exc:
        pytest.skip(f"real ads not available: {exc}")
    rows = df[(df["source"] == "real_labelled") & (df["role"] == "social_media_manager")]
    if rows.empty:
        pytest.skip("no real labelled social_media_manager ad in the data")
    return rows.iloc[0]


def _by(css: str):
    from selenium.webdriver.common.by import By

    return By.CSS_SELECTOR, css


def _open(driver, url: str) -> None:
    """A fresh page: no stored API key or language choice from an earlier test."""
    driver.get(url)
    driver.execute_script("window.sessionStorage.clear()")
    driver.get(url)


def _wait(driver, condition, seconds: float = 15):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds).until(condition)


def _paste(driver, title: str, text: str) -> None:
    # Set the value as a paste would (send_keys cannot type every character, e.g. emoji).
    driver.execute_script("arguments[0].value = arguments[1]; arguments[2].value = arguments[3];",
                          driver.find_element(*_by("#ad-title")), title,
                          driver.find_element(*_by("#ad-text")), text)


def _classify_and_wait(driver) -> None:
    driver.find_element(*_by("#classify")).click()
    _wait(driver, lambda d: d.find_element(*_by("#results")).is_displayed()
          and d.find_element(*_by("#classify")).is_enabled())


def test_real_ad_shows_role_and_highlighted_evidence(browser, site, real_ad, predictor):
    expected = predictor.classify(real_ad["text"], real_ad["title"], top_k=5)
    _open(browser, site)
    _paste(browser, real_ad["title"], real_ad["text"])
    _classify_and_wait(browser)

    # The ad is German, so the page switches to German and shows the German role name.
    assert browser.execute_script("return document.documentElement.lang") == expected["language"] == "de"
    assert browser.find_element(*_by("#role-id")).text == expected["role"]["id"]
    assert browser.find_element(*_by("#role-name")).text == expected["role"]["name_de"]
    assert browser.find_element(*_by("#classify")).text == "Klassifizieren"
    assert len(browser.find_elements(*_by("#candidates li"))) == len(expected["role_candidates"])
    assert browser.find_element(*_by("#codes")).text.count(expected["role"]["codes"]["isco08"]) == 1

    # The ad is rendered as text, character for character, with every evidence span marked.
    view = browser.find_element(*_by("#ad-view"))
    assert browser.execute_script("return arguments[0].textContent", view) == real_ad["text"]
    marks = browser.find_elements(*_by("#ad-view mark.ev"))
    assert marks
    evidence = {ev["text"] for skill in expected["skills"] for ev in skill["evidence"]}
    assert all(any(mark.text.strip() in sentence for sentence in evidence) for mark in marks)

    # Focusing a chip (keyboard) highlights exactly that skill's spans more strongly.
    chips = browser.find_elements(*_by("#skills .chip"))
    assert [c.get_attribute("data-skill") for c in chips] == [s["id"] for s in expected["skills"]]
    skill = expected["skills"][0]["id"]
    browser.execute_script("arguments[0].focus()", chips[0])
    active = browser.find_elements(*_by("#ad-view mark.ev.active"))
    assert active
    assert all(skill in m.get_attribute("data-skills").split() for m in active)
    browser.execute_script("arguments[0].blur()", chips[0])
    assert browser.find_elements(*_by("#ad-view mark.ev.active")) == []

    # The language toggle re-renders the result in English and sticks.
    browser.find_element(*_by('.lang-toggle [data-lang="en"]')).click()
    assert browser.find_element(*_by("#role-name")).text == expected["role"]["name"]
    assert browser.find_element(*_by("#classify")).text == "Classify"


def test_empty_submit_shows_the_api_message(browser, site):
    _open(browser, site)
    browser.find_element(*_by("#classify")).click()
    error = _wait(browser, lambda d: d.find_element(*_by("#error")) if d.find_element(*_by("#error")).is_displayed()
                  else False)
    message = browser.find_element(*_by("#error-message")).text
    assert message == "'text' is empty: send the ad's text"
    assert "{" not in error.text
    assert "422" in browser.find_element(*_by("#error-code")).text
    assert not browser.find_element(*_by("#results")).is_displayed()


def test_ad_outside_digital_communication_shows_warnings_and_no_codes(browser, site, predictor):
    title, text = "Pflegefachkraft (m/w/d)", OTHER_AD
    expected = predictor.classify(text, title)
    assert expected["role"]["codes"] is None
    _open(browser, site)
    _paste(browser, title, text)
    _classify_and_wait(browser)
    assert browser.find_element(*_by("#role-id")).text == expected["role"]["id"]
    assert "badge-no" in browser.find_element(*_by("#digital-badge")).get_attribute("class")
    assert browser.find_element(*_by("#no-codes")).is_displayed()
    assert not browser.find_element(*_by("#codes")).is_displayed()
    warnings = [w.text for w in browser.find_elements(*_by("#warnings li"))]
    assert warnings == expected["warnings"]
    assert warnings


def test_html_ad_lists_evidence_and_runs_none_of_its_markup(browser, site):
    _open(browser, site)
    _paste(browser, "", HTML_AD)
    _classify_and_wait(browser)
    assert not browser.find_element(*_by("#ad-view")).is_displayed()
    assert browser.find_element(*_by("#adview-note")).is_displayed()
    listed = browser.find_elements(*_by("#evidence-list mark.ev"))
    assert listed
    assert "Du wertest Kennzahlen aus und berichtest monatlich." in [m.text for m in listed]
    assert browser.execute_script("return window.__injected") is None
    assert browser.find_elements(*_by("#results img")) == []


def test_api_key_is_asked_for_once_and_kept_for_the_tab(browser, keyed_site):
    from selenium.webdriver.common.keys import Keys

    _open(browser, keyed_site)
    browser.find_element(*_by("#example")).click()
    dialog_open = _by("#key-dialog[open]")

    # Cancelling shows the service's own message.
    browser.find_element(*_by("#classify")).click()
    _wait(browser, lambda d: d.find_elements(*dialog_open))
    assert browser.switch_to.active_element.get_attribute("id") == "api-key"
    browser.find_element(*_by("#key-cancel")).click()
    _wait(browser, lambda d: d.find_element(*_by("#error")).is_displayed())
    assert "API key" in browser.find_element(*_by("#error-message")).text

    # A wrong key is refused and asked for again; the right one classifies.
    browser.find_element(*_by("#classify")).click()
    _wait(browser, lambda d: d.find_elements(*dialog_open))
    browser.find_element(*_by("#api-key")).send_keys("wrong", Keys.ENTER)
    _wait(browser, lambda d: d.find_elements(*dialog_open) and "not accepted" in d.find_element(*_by("#key-hint")).text)
    browser.find_element(*_by("#api-key")).send_keys("k", Keys.ENTER)
    _wait(browser, lambda d: d.find_element(*_by("#results")).is_displayed())
    assert browser.find_element(*_by("#role-id")).text == "social_media_manager"
    assert not browser.find_element(*_by("#error")).is_displayed()
    assert browser.execute_script("return sessionStorage.getItem('jobclass.apiKey')") == "k"

    # The next request uses the stored key without asking.
    browser.execute_script("document.getElementById('role-id').textContent = ''")
    _classify_and_wait(browser)
    assert browser.find_elements(*dialog_open) == []
    assert browser.find_element(*_by("#role-id")).text == "social_media_manager"


def test_example_ad_screenshot_and_narrow_screen(browser, site, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains

    _open(browser, site)
    browser.set_window_size(1280, 900)
    browser.find_element(*_by("#example")).click()
    _classify_and_wait(browser)
    assert browser.find_element(*_by("#role-id")).text == "social_media_manager"
    assert "2" in browser.find_element(*_by("#experience")).text

    chip = browser.find_element(*_by("#skills .chip"))
    ActionChains(browser).move_to_element(chip).perform()
    assert browser.find_elements(*_by("#ad-view mark.ev.active"))

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(height + 140, 2600))
    ActionChains(browser).move_to_element(chip).perform()
    # The README's picture is refreshed only on request (JOBCLASS_SCREENSHOT=1), so a test run
    # leaves the checkout clean.
    shot = SCREENSHOT if os.environ.get("JOBCLASS_SCREENSHOT") else tmp_path / "screenshot.png"
    shot.parent.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # A phone-sized window: one column and nothing wider than the screen.
    browser.set_window_size(390, 844)
    overflow = browser.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    browser.set_window_size(1280, 900)
