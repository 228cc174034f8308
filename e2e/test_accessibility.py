"""Every view of the window checked with axe-core (the accessibility engine browsers' audit tools
use), with the rules for WCAG 2.1 A and AA: zero violations. Focus stays in the window."""

import json
import pathlib
import tempfile

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import ROOT
from test_app import KEY, choose_patient, drop, png, press_upload, save_settings, text_of, wait

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"

# A scanner inbox for the scan sorter's view, set by a system file the app reads at start.
INBOX_DIR = pathlib.Path(tempfile.mkdtemp(prefix="decoda-e2e-a11y-"))
(INBOX_DIR / "inbox").mkdir()
(INBOX_DIR / "system.toml").write_text(f'[inbox]\nfolder = "{INBOX_DIR / "inbox"}"\nsettle_seconds = 1\n')


def violations(driver):
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, as short readable lines."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(AXE.read_text())
    found = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},"
        " resultTypes: ['violations']})"
        ".then((r) => done(JSON.stringify(r.violations.map((v) => ({id: v.id, help: v.help,"
        " nodes: v.nodes.map((n) => n.target.join(' '))})))))"
        ".catch((e) => done(JSON.stringify([{id: 'axe-error', help: String(e), nodes: []}])));")
    return [f"{v['id']}: {v['help']} ({', '.join(v['nodes'][:4])})" for v in json.loads(found)]


def assert_accessible(driver, view):
    found = violations(driver)
    assert found == [], f"{view}:\n" + "\n".join(found)
    focused = driver.execute_script("return document.hasFocus() && document.activeElement !== null")
    assert focused, f"{view}: the focus left the window"


@pytest.mark.app_env(DECODA_SYSTEM_CONFIG=str(INBOX_DIR / "system.toml"))
def test_every_view_passes_the_accessibility_checks(app, sandbox):
    driver, shot, files = app
    wait(driver).until(EC.visibility_of_element_located((By.ID, "settings-form")))
    assert_accessible(driver, "first-run settings")
    save_settings(driver, sandbox.url, KEY)
    assert_accessible(driver, "settings saved")

    choose_patient(driver, "garcia", "12-Mar-1984")
    (files / "referral.txt").write_text("referral\n")
    (files / "photo.png").write_bytes(png(320, 200, (200, 120, 40)))
    drop(driver, [files / "referral.txt", files / "photo.png"])
    wait(driver).until(lambda d: d.find_element(By.ID, "upload").is_enabled())
    assert_accessible(driver, "patient chosen, files listed")

    driver.find_element(By.ID, "upload").click()
    wait(driver).until(EC.element_to_be_clickable((By.ID, "confirm-send")))
    assert_accessible(driver, "upload confirmation")
    driver.find_element(By.ID, "confirm-send").click()
    wait(driver, 60).until(lambda d: "2 uploaded" in text_of(d, "upload-status"))
    assert_accessible(driver, "results")

    driver.find_element(By.CSS_SELECTOR, "#results-grid button.move").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "move-dialog").is_displayed())
    assert_accessible(driver, "move dialog")
    driver.find_element(By.ID, "move-close").click()

    driver.find_element(By.ID, "view-history").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "history").is_displayed())
    assert_accessible(driver, "history")
    driver.find_element(By.ID, "view-send").click()

    (INBOX_DIR / "inbox" / "card.png").write_bytes(png(400, 250, (30, 60, 120)))
    wait(driver, 30).until(lambda d: d.find_element(By.ID, "sort-open").is_displayed())
    driver.find_element(By.ID, "sort-open").click()
    wait(driver).until(lambda d: d.execute_script("return !document.getElementById('sort-image').hidden"))
    assert_accessible(driver, "scan sorter")
