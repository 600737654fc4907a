"""Headless Chromium driven by selenium, shared by the back-office browser tests (Debian's chromium and
chromium-driver). A fresh profile per browser; no network beyond what the page asks for."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


@contextmanager
def chromium(
    width: int = 1400,
    height: int = 1000,
    download_dir: Path | None = None,
    *,
    lang: str | None = None,
    extra_flags: tuple[str, ...] = (),
) -> Iterator[object]:
    """A started headless Chromium (selenium WebDriver); skips the test when Chromium is not installed.
    ``lang``: the browser's Accept-Language (``--lang``). The only Chromium launcher of tests/backoffice."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium and chromium-driver are not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = Path(tempfile.mkdtemp(prefix="kiosk-chromium-"))
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    if lang:
        options.add_argument(f"--lang={lang}")
    for flag in extra_flags:  # e.g. a fake camera (tests/backoffice/test_check_page.py)
        options.add_argument(flag)
    if download_dir is not None:
        options.add_experimental_option(
            "prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False}
        )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
