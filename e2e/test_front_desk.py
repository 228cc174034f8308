"""The window at the front desk: the patient unmistakable, nothing sent by accident, nothing left on
an unattended screen (CLINICAL_UI.md)."""

import os
import time

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import Sandbox, app_pid, ask_window_to_close
from test_app import KEY, choose_patient, drop, press_upload, save_settings, text_of, wait


def banner_in_view(driver):
    """Whether the banner is shown and its top is on screen."""
    return driver.execute_script(
        "const b = document.getElementById('patient-banner');"
        "if (b.hidden) return false;"
        "const r = b.getBoundingClientRect(); return r.top >= 0 && r.top < 5 && r.height > 0;")


def test_the_banner_names_the_patient_found_by_id_and_keeps_the_look_alike_warning(app, sandbox):
    driver, shot, files = app
    save_settings(driver, sandbox.url, KEY)
    # Found by id: only one result, yet another Maria Garcia exists; the banner must say so.
    choose_patient(driver, "pat_1001", "12-Mar-1984")
    assert text_of(driver, "patient-name") == "GARCIA, Maria"
    assert text_of(driver, "patient-born").startswith("12-Mar-1984 (") and text_of(driver, "patient-born").endswith("y)")
    assert text_of(driver, "patient-gender") == "Female"
    assert text_of(driver, "patient-id") == "pat_1001"
    assert driver.find_element(By.ID, "patient-look-alike").is_displayed()
    warnings = text_of(driver, "patient-look-alikes")
    assert "Another patient has the same name: GARCIA, Maria, born 30-Jul-1991" in warnings, warnings
    assert "pat_1002" in warnings
    # Many files push the list far below: the banner stays at the top of the window.
    docs = []
    for i in range(40):
        doc = files / f"page {i:02}.txt"
        doc.write_text(f"page {i}\n")
        docs.append(doc)
    drop(driver, docs)
    driver.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    wait(driver).until(lambda d: d.execute_script("return window.scrollY") > 200)
    assert banner_in_view(driver), "the banner scrolled out of view"
    shot("banner-after-scrolling")


def test_upload_asks_first_naming_the_patient_and_cancel_sends_nothing(app, sandbox):
    driver, shot, files = app
    save_settings(driver, sandbox.url, KEY)
    choose_patient(driver, "garcia", "12-Mar-1984")
    for name in ("referral.txt", "consent.txt"):
        (files / name).write_text(f"{name}\n")
    drop(driver, [files / "referral.txt", files / "consent.txt"])
    driver.find_element(By.ID, "upload").click()
    send = wait(driver).until(EC.element_to_be_clickable((By.ID, "confirm-send")))
    assert send.text == "Send 2 files to GARCIA, Maria"
    assert text_of(driver, "confirm-name") == "GARCIA, Maria"
    assert text_of(driver, "confirm-born").startswith("12-Mar-1984 (")
    assert text_of(driver, "confirm-what") == "2 files, not attached to a note."
    assert "30-Jul-1991" in text_of(driver, "confirm-warnings"), "the look-alike warning is repeated"
    assert driver.switch_to.active_element.get_attribute("id") == "confirm-cancel", "Enter alone never sends"
    shot("confirmation")
    driver.find_element(By.ID, "confirm-cancel").click()
    wait(driver).until(lambda d: not d.find_element(By.ID, "confirm-upload").is_displayed())
    assert sandbox.attachments() == [], "cancelled: nothing sent"

    said = press_upload(driver)
    assert said["send"] == "Send 2 files to GARCIA, Maria"
    wait(driver, 60).until(lambda d: " uploaded, " in text_of(d, "upload-status"))
    assert sorted(a["originalFilename"] for a in sandbox.attachments()) == ["consent.txt", "referral.txt"]
    assert all(a["patientId"] == "pat_1001" for a in sandbox.attachments())

    # More files for the same patient: asked again.
    (files / "lab.txt").write_text("lab\n")
    drop(driver, [files / "lab.txt"])
    wait(driver).until(lambda d: d.find_element(By.ID, "upload").is_enabled())
    driver.find_element(By.ID, "upload").click()
    wait(driver).until(EC.element_to_be_clickable((By.ID, "confirm-send")))
    assert text_of(driver, "confirm-send") == "Send 1 file to GARCIA, Maria"
    driver.find_element(By.ID, "confirm-cancel").click()
    assert len(sandbox.attachments()) == 2

    # Another patient: what was sent to the first leaves the window with her.
    assert driver.find_element(By.ID, "results").is_displayed()
    driver.find_element(By.ID, "patient-term").clear()
    driver.find_element(By.ID, "patient-term").send_keys("chen")
    driver.find_element(By.CSS_SELECTOR, "#patient-search button[type=submit]").click()
    wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, ".patient-hit"))).click()
    wait(driver).until(lambda d: text_of(d, "patient-name") == "CHEN, James")
    assert not driver.find_element(By.ID, "results").is_displayed(), "the first patient's results are gone"
    rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr")]
    assert len(rows) == 1 and "Uploaded" not in rows[0], f"only the file not sent yet stays: {rows}"
    shot("another-patient-chosen")


def send_one_file_the_server_holds(driver, sandbox, files):
    """Sends one file to GARCIA, Maria while the sandbox holds the answer: the upload stays running."""
    save_settings(driver, sandbox.url, KEY)
    choose_patient(driver, "garcia", "12-Mar-1984")
    (files / "scan.txt").write_text("scan\n")
    drop(driver, [files / "scan.txt"])
    sandbox.fault("hang")
    press_upload(driver)
    wait(driver, 30).until(lambda d: "storing" in text_of(d, "upload-status"))


def test_the_patient_cannot_be_changed_while_files_are_sent(app, sandbox):
    driver, shot, files = app
    send_one_file_the_server_holds(driver, sandbox, files)
    assert not driver.find_element(By.ID, "patient-term").is_enabled(), "the search is off while sending"
    assert text_of(driver, "patient-name") == "GARCIA, Maria"
    chosen = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "import('./patient.js').then(async (m) => { await m.choosePatient('pat_1003'); done(m.chosenPatient().id); });")
    assert chosen == "pat_1001", "choosing another patient while sending is refused"
    assert "cannot be changed while files are being sent" in text_of(driver, "patient-status")
    shot("locked-while-sending")
    driver.find_element(By.ID, "cancel").click()
    wait(driver, 30).until(lambda d: d.find_element(By.ID, "patient-term").is_enabled())


@pytest.mark.app_env(DECODA_E2E_CLEAR_PATIENT_MS="5000")
def test_an_unattended_window_clears_the_patient_and_keeps_the_files(app, sandbox):
    driver, shot, files = app
    save_settings(driver, sandbox.url, KEY)
    choose_patient(driver, "garcia", "12-Mar-1984")
    (files / "letter.txt").write_text("letter\n")
    drop(driver, [files / "letter.txt"])
    assert driver.find_element(By.ID, "patient-banner").is_displayed()
    # Upload, and walk away from the question: the patient and the question leave the window.
    driver.find_element(By.ID, "upload").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "confirm-upload").is_displayed())
    wait(driver, 30).until(lambda d: not d.find_element(By.ID, "patient-banner").is_displayed())
    assert not driver.find_element(By.ID, "confirm-upload").is_displayed(), "the unanswered question is gone"
    assert sandbox.attachments() == [], "and nothing was sent"
    assert "cleared after" in text_of(driver, "patient-status")
    assert "GARCIA" not in driver.find_element(By.ID, "main").text, "no patient named anywhere"
    assert len(driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr")) == 1, "the file stays listed"
    assert not driver.find_element(By.ID, "upload").is_enabled(), "nothing goes without a patient"
    shot("cleared-when-unattended")


def test_closing_the_window_while_files_are_sent_asks_first(app, sandbox):
    """The close button during an upload asks, opened on "Keep sending"; keeping it changes
    nothing, and "Stop and close" ends the app."""
    driver, shot, files = app
    send_one_file_the_server_holds(driver, sandbox, files)
    pid = app_pid()

    ask_window_to_close()
    wait(driver).until(lambda d: d.find_element(By.ID, "close-dialog").is_displayed())
    assert text_of(driver, "close-what").startswith("Files are still being sent to GARCIA, Maria.")
    assert driver.switch_to.active_element.get_attribute("id") == "close-keep", "a reflex Enter keeps sending"
    shot("close-while-sending")
    driver.find_element(By.ID, "close-keep").click()
    wait(driver).until(lambda d: not d.find_element(By.ID, "close-dialog").is_displayed())
    assert "storing" in text_of(driver, "upload-status"), "the upload goes on"
    assert os.path.exists(f"/proc/{pid}")

    ask_window_to_close()
    wait(driver).until(lambda d: d.find_element(By.ID, "close-dialog").is_displayed())
    try:
        driver.find_element(By.ID, "close-anyway").click()
    except WebDriverException:
        pass  # the app ended while the click was being answered: what the click asked for
    deadline = time.monotonic() + 30
    while os.path.exists(f"/proc/{pid}") and not ended(pid):
        assert time.monotonic() < deadline, "the app did not end"
        time.sleep(0.1)


def ended(pid):
    """Whether the process has exited (a zombie not yet reaped counts)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1].startswith("Z")
    except OSError:
        return True


def row_status(driver):
    return driver.execute_script("return document.querySelector('#queue tbody tr td.status')?.textContent ?? '';")


@pytest.mark.app_env(DECODA_NETWORK_RETRY_MS="1500")
def test_files_wait_for_the_network_and_go_by_themselves_when_it_answers(app, sandbox):
    """Decoda cannot be reached when Send is pressed: the file waits for its patient with a
    countdown that moves, and goes by itself once the server answers again, at the same address."""
    driver, shot, files = app
    save_settings(driver, sandbox.url, KEY)
    choose_patient(driver, "garcia", "12-Mar-1984")
    (files / "consent.txt").write_text("consent\n")
    drop(driver, [files / "consent.txt"])
    sandbox.stop()  # the network goes
    press_upload(driver)
    wait(driver, 60).until(lambda d: "Waiting for the network, sends by itself" in row_status(d))
    assert text_of(driver, "upload-status").startswith("Decoda cannot be reached just now. Nothing is lost")
    before = row_status(driver)
    wait(driver, 30).until(lambda d: row_status(d) != before and "Waiting for the network" in row_status(d))
    assert "to GARCIA, Maria, born 12-Mar-1984" in row_status(driver), row_status(driver)
    shot("waiting-for-the-network")

    back = Sandbox(port=sandbox.port)  # the network comes back
    try:
        wait(driver, 90).until(lambda d: row_status(d).startswith("Uploaded"))
        stored = back.attachments()
        assert [(a["originalFilename"], a["patientId"]) for a in stored] == [("consent.txt", "pat_1001")]
        assert text_of(driver, "upload-status").startswith("Decoda answered again, and the app sent 1 file to GARCIA, Maria")
        shot("sent-once-the-network-came-back")
    finally:
        back.stop()
