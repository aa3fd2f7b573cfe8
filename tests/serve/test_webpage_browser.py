"""The web page in a real headless browser (Selenium + Debian's chromium and chromium-driver): route a
request with the keyboard and read the decision from the DOM, see an API error on the page, open a report,
filter its predictions, read the sweep logbook, at laptop and phone widths, saving screenshots.

Screenshots go to pytest's tmp directory and, when $ROUTERFORGE_ARTIFACTS is set, also to
$ROUTERFORGE_ARTIFACTS/webpage/ (CI keeps that folder). Skipped, with the reason, only where no chromium
or chromedriver is installed (`make test` installs them where it can: apt-get, as root).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from routerforge.routers.rules import RulesRouter
from routerforge.serve.server_cli import ServerThread
from webpage_data import make_run

CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None)
CHROMIUM = next((shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome") if shutil.which(b)), None)
LAPTOP, PHONE = (1280, 900), (390, 844)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(CHROMEDRIVER is None or CHROMIUM is None,
                       reason="no chromium/chromedriver installed (apt-get install chromium chromium-driver)"),
]


@pytest.fixture()
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-extensions", f"--window-size={LAPTOP[0]},{LAPTOP[1]}", "--lang=en-US"):
        options.add_argument(arg)
    # the driver by path: Selenium Manager would try to download one, and the machine may be offline
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(*LAPTOP)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture()
def shots(tmp_path):
    """Save a screenshot under tmp_path/screenshots and, if set, $ROUTERFORGE_ARTIFACTS/webpage."""
    dirs = [tmp_path / "screenshots"]
    if os.environ.get("ROUTERFORGE_ARTIFACTS"):
        dirs.append(Path(os.environ["ROUTERFORGE_ARTIFACTS"]) / "webpage")
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)

    def save(driver, name: str) -> None:
        # the whole page, not just the window: make the window as tall as the document for the shot
        width, height = driver.get_window_size()["width"], driver.get_window_size()["height"]
        chrome = driver.execute_script("return window.outerHeight - window.innerHeight")
        page = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(width, min(max(page + chrome, height), 4000))
        for d in dirs:
            assert driver.save_screenshot(str(d / f"{name}.png"))
        driver.set_window_size(width, height)

    yield save
    print(f"screenshots: {', '.join(str(d) for d in dirs)}")


def wait_for(driver, condition, timeout: float = 10):
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    # the page re-renders whole blocks: an element found a moment ago may be gone, so look again
    return WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(condition)


def text(driver, css: str) -> str:
    """The rendered text of the first match ("" if none yet), read in one step: no handle to go stale."""
    found = driver.execute_script("const e = document.querySelector(arguments[0]); return e ? e.innerText : '';", css)
    return found.strip()


def no_sideways_scroll(driver) -> bool:
    return driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth + 1")


def route_with_keyboard(driver, query: str) -> None:
    from selenium.webdriver.common.keys import Keys

    box = driver.switch_to.active_element  # the page focuses the request box
    assert box.get_attribute("id") == "query"
    box.clear()
    box.send_keys(query, Keys.ENTER)


def test_playground_reports_and_sweeps(browser, shots, tmp_path):
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    run = make_run(tmp_path / "data")
    with ServerThread(RulesRouter(), run_dir=run) as srv:
        browser.get(srv.url + "/")
        wait_for(browser, lambda d: "router rules" in text(d, "#router-name"))

        # playground: type, Enter, read the decision from the DOM
        route_with_keyboard(browser, "What is 256 * 4?")
        wait_for(browser, lambda d: d.find_elements("css selector", "#d-expert"))
        assert text(browser, "#d-expert").startswith("multiply")
        assert text(browser, "#d-spec") == "256 * 4"
        assert text(browser, "#d-result") == "1024"
        assert text(browser, "#d-status") == "ok"
        assert text(browser, "#d-confidence") == "not reported by this router"
        assert text(browser, "#d-abstention").startswith("Unknown — the rules router")
        assert text(browser, "#d-alternatives").startswith("None shown: this router reports no probabilities")
        assert "ms in the router" in text(browser, "#d-latency")
        assert browser.switch_to.active_element.get_attribute("id") == "query"  # ready for the next one
        route_with_keyboard(browser, "What time is it in Tokyo?")
        wait_for(browser, lambda d: text(d, "#d-expert").startswith("time"))
        history = [e.text for e in browser.find_elements("css selector", "#history .history-query")]
        assert history == ["What time is it in Tokyo?", "What is 256 * 4?"]
        # keyboard order: the request box, then its button
        browser.switch_to.active_element.send_keys(Keys.TAB)
        assert browser.switch_to.active_element.get_attribute("id") == "route-button"
        browser.find_elements("css selector", "#history .history-item")[1].send_keys(Keys.ENTER)  # replay
        wait_for(browser, lambda d: text(d, "#d-result") == "1024")
        assert no_sideways_scroll(browser)
        shots(browser, "laptop-playground")

        # an API error shows on the page: the server's 422 for an empty request
        browser.find_element("id", "query").click()
        route_with_keyboard(browser, "   ")
        wait_for(browser, lambda d: d.find_element("id", "route-error").is_displayed())
        assert text(browser, "#route-error") == "Error 422 (invalid_request: query is empty)"
        assert not browser.find_elements("css selector", "#d-expert")
        shots(browser, "laptop-error")

        # reports, reached with the keyboard
        browser.find_element("css selector", "nav a[data-section=reports]").send_keys(Keys.ENTER)
        wait_for(browser, lambda d: d.find_elements("css selector", "#report-heading"))
        assert text(browser, "#report-heading") == "tiny: held-out evaluation"
        summary = text(browser, "#report table")
        assert "rules" in summary and "75.0%" in summary  # expert accuracy: 9 of 12
        wait_for(browser, lambda d: d.execute_script(
            "return Array.from(document.querySelectorAll('.gallery img')).every(i => i.complete && i.naturalWidth > 0)"))
        assert len(browser.find_elements("css selector", ".gallery img")) == 2
        wait_for(browser, lambda d: "12 of 12 matching rows" in text(d, "#pred-status"))
        Select(browser.find_element("id", "pred-outcome")).select_by_value("wrong")
        wait_for(browser, lambda d: "3 of 3 matching rows shown (0 right, 3 wrong)" in text(d, "#pred-status"))
        Select(browser.find_element("id", "pred-class")).select_by_value("math")
        wait_for(browser, lambda d: "2 of 2 matching rows" in text(d, "#pred-status"))
        rows = browser.find_elements("css selector", "#pred-rows tr")
        assert len(rows) == 2
        assert all(r.find_elements("css selector", "td")[2].text == "math" for r in rows)
        assert all(r.find_element("css selector", "td.verdict strong").text == "wrong" for r in rows)
        assert no_sideways_scroll(browser)
        shots(browser, "laptop-reports")

        # the sweep logbook beside the run
        browser.find_element("css selector", "nav a[data-section=sweeps]").send_keys(Keys.ENTER)
        wait_for(browser, lambda d: d.find_elements("css selector", "#sweeps-body table"))
        headers = [th.text for th in browser.find_elements("css selector", "#sweeps-body thead th")]
        assert headers[:3] == ["trial", "status", "params.lr"]
        assert "1 line of logbook.jsonl could not be read." in text(browser, "#sweeps-body")
        shots(browser, "laptop-sweeps")

        # phone width: one column, nothing wider than the screen (tables scroll in their own box)
        browser.set_window_size(*PHONE)
        browser.get(srv.url + "/#playground")
        route_with_keyboard(browser, "What is 256 * 4?")
        wait_for(browser, lambda d: d.find_elements("css selector", "#d-result") and text(d, "#d-result") == "1024")
        assert no_sideways_scroll(browser)
        shots(browser, "phone-playground")
        browser.get(srv.url + "/#reports/run/eval")
        wait_for(browser, lambda d: "12 of 12 matching rows" in text(d, "#pred-status"))
        assert no_sideways_scroll(browser)
        shots(browser, "phone-reports")
