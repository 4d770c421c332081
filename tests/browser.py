"""A headless Chromium for tests, driven by the system chromedriver (Debian: chromium, chromium-driver).

Shared by browser tests: nothing is downloaded (selenium is pointed at /usr/bin binaries, so
Selenium Manager never runs), every profile is fresh, and the DevTools network log is on, so
that a test can list every request a page made — including ones a CSP blocked.

    if not have_browser(): pytest.skip(...)
    driver = start_chrome(tmp_path / "profile")
    urls = load_and_list_requests(driver, "file:///…/report.html")
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver") or ("/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists()
                                                 else None)
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900")


def have_browser() -> bool:
    """True when selenium, chromium and chromedriver are all installed."""
    try:
        import selenium.webdriver  # noqa: F401
    except ImportError:
        return False
    return bool(CHROMIUM and CHROMEDRIVER)


def start_chrome(profile: Path) -> Any:
    """A headless Chromium with a fresh profile and the performance (network) log enabled."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(20)
    return driver


def network_requests(driver: Any) -> list[str]:
    """URLs of every request sent since the last call (this drains the log)."""
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def load_and_list_requests(driver: Any, url: str) -> list[str]:
    """Open ``url`` and return every other URL the page asked for (the document itself left out).

    The log is drained on about:blank first, so that the browser's own start-up pages
    (its new-tab page loads chrome:// resources) are not counted.
    """
    driver.get("about:blank")
    network_requests(driver)
    driver.get(url)
    driver.execute_script("return document.readyState")
    return [u for u in network_requests(driver) if u != url and u != "about:blank"]
