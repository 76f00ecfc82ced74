# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Headless Chromium for the real-browser tests: Debian's chromium and chromedriver, driven by Selenium.

`make browser-deps` installs both from apt (never a browser download). Selenium is given
/usr/bin/chromedriver explicitly, so Selenium Manager is never run and downloads nothing.

Chromium resolves `localhost` and every `*.localhost` name (`http://dev.d123.localhost:4566/`) to loopback
by itself, without the system resolver and without --host-resolver-rules, and sends the name in the Host
header: that is how a branch of the local Amplify Hosting compute is reached.

    with chromium() as driver:
        result = reveal_image(driver, "http://dev.d123.localhost:4566/", "tests/output/browser/dev.png")
    # {"natural_width": 32, "natural_height": 32, "alert_text": None, "title": "..."}
"""

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# What works here as root, in a container without a GPU, a session bus or /dev/shm of any size, and offline.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
BUTTON_TEXT = "Reveal the private image"
TIMEOUT = 30.0  # seconds for each wait of reveal_image (and for a page load)
POLL = 0.1  # seconds between two looks at the DOM

# The example's button, by its whole text (it reads "Reading the private object…" while the request runs).
BUTTON = (By.XPATH, "//button[normalize-space()='%s']" % BUTTON_TEXT)

# True once React has hydrated the element: before that, the server-rendered button has no click handler and
# a click is lost. React sets a __reactProps$<random> property on each DOM node it hydrates.
HYDRATED_JS = "return Object.keys(arguments[0]).some(function (k) { return k.indexOf('__reactProps$') === 0; });"

# The outcome of the click, or null while there is none: the first <img> that has loaded (naturalWidth > 0),
# else the first element role=alert with text (Next.js's own route announcer lives in a shadow root, and is
# skipped by id should it ever be in the document).
OUTCOME_JS = """
var images = Array.prototype.filter.call(document.images, function (i) { return i.complete && i.naturalWidth > 0; });
if (images.length) {
  return {element: images[0], natural_width: images[0].naturalWidth, natural_height: images[0].naturalHeight,
          alert_text: null};
}
var alerts = Array.prototype.filter.call(document.querySelectorAll('[role="alert"]'), function (a) {
  return a.id !== '__next-route-announcer__' && a.textContent.trim() !== '';
});
if (alerts.length) {
  return {element: alerts[0], natural_width: 0, natural_height: 0, alert_text: alerts[0].textContent.trim()};
}
return null;
"""

# What the page shows, for the message of a wait that timed out.
STATE_JS = """
return {
  url: location.href,
  ready: document.readyState,
  buttons: Array.prototype.map.call(document.querySelectorAll('button'), function (b) {
    return b.textContent.trim() + (b.disabled ? ' (disabled)' : '');
  }),
  images: Array.prototype.map.call(document.images, function (i) {
    return {src: i.src.slice(0, 80), complete: i.complete, naturalWidth: i.naturalWidth};
  }),
  text: document.body ? document.body.innerText.slice(0, 500) : ''
};
"""


@contextmanager
def chromium(extra_args=(), window_size=(1280, 900), page_load_timeout=TIMEOUT):
    """A headless Chromium WebDriver with a fresh, temporary profile; quits and removes the profile on exit.

    extra_args: more Chromium flags, after CHROMIUM_FLAGS. Raises FileNotFoundError, naming
    `make browser-deps`, when Debian's chromium or chromedriver is not installed.
    """
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            raise FileNotFoundError("%s is not installed: run `make browser-deps` (apt-get install chromium "
                                    "chromium-driver)" % path)
    with tempfile.TemporaryDirectory(prefix="chromium-profile-", ignore_cleanup_errors=True) as profile:
        options = Options()
        options.binary_location = CHROMIUM
        for flag in CHROMIUM_FLAGS + ("--user-data-dir=%s" % profile,
                                      "--window-size=%d,%d" % tuple(window_size)) + tuple(extra_args):
            options.add_argument(flag)
        # An explicit driver path: Selenium Manager is not run (it would look for, and download, a driver).
        service = Service(executable_path=CHROMEDRIVER)
        driver = webdriver.Chrome(service=service, options=options)
        try:
            driver.set_page_load_timeout(page_load_timeout)
            yield driver
        finally:
            driver.quit()


def _wait(driver, timeout, condition, what):
    """condition's first truthy value, polled every POLL seconds; TimeoutException naming what and the page."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=POLL).until(condition)
    except TimeoutException as error:
        state = driver.execute_script(STATE_JS)
        raise TimeoutException("no %s within %.0fs; the page: %r" % (what, timeout, state)) from error


def _button(driver):
    buttons = [b for b in driver.find_elements(*BUTTON) if b.is_displayed() and b.is_enabled()]
    return buttons[0] if buttons and driver.execute_script(HYDRATED_JS, buttons[0]) else False


def reveal_image(driver, url, screenshot_path, timeout=TIMEOUT):
    """Open url, click "Reveal the private image", wait for the image or the alert, save a PNG screenshot.

    Waits (each bounded by timeout, polling the DOM) for the button to be shown and hydrated, then after the
    click for an <img> with naturalWidth > 0 or an element role=alert. The screenshot (parent directories
    created) shows the outcome scrolled into view; it is saved on a timeout too, before TimeoutException.

    Returns {"natural_width", "natural_height", "alert_text", "title"}: the image's natural size (0 and 0
    with an alert), the alert's text (None with an image) and the document's title.
    """
    screenshot = Path(screenshot_path)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    driver.get(url)
    try:
        _wait(driver, timeout, _button, "hydrated %r button" % BUTTON_TEXT).click()
        outcome = _wait(driver, timeout, lambda d: d.execute_script(OUTCOME_JS), "image or role=alert")
    except TimeoutException:
        driver.save_screenshot(str(screenshot))
        raise
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", outcome["element"])
    if not driver.save_screenshot(str(screenshot)):
        raise OSError("could not save the screenshot %s" % screenshot)
    return {
        "natural_width": outcome["natural_width"],
        "natural_height": outcome["natural_height"],
        "alert_text": outcome["alert_text"],
        "title": driver.title,
    }
