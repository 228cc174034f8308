"""The desktop app end to end: settings, patient, files, upload, thumbnails; and the bad paths."""

import base64
import os
import struct
import subprocess
import time
import zlib

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

import signal

from conftest import APP, OUT, Shots, app_pid, open_session, stop_group

KEY = "sandbox-demo-key"


def png(width, height, rgb):
    """A real PNG of one colour, so the sandbox makes a real thumbnail of it."""
    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def wait(driver, seconds=20):
    return WebDriverWait(driver, seconds)


def text_of(driver, element_id):
    return driver.find_element(By.ID, element_id).text


def first_row(driver):
    """The first queue row's text, read in one step (the table re-renders as the queue changes)."""
    return driver.execute_script("const r = document.querySelector('#queue tbody tr'); return r ? r.innerText : '';")


def queue_rows(driver):
    """How many rows the queue shows, counted in one step: the table is redrawn as the queue
    changes, and an element found before a redraw is stale after it."""
    return driver.execute_script("return document.querySelectorAll('#queue tbody tr').length;")


def invoke(driver, command, args):
    """Calls an app command from the page, as the UI does, and returns its result (or error)."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "window.__TAURI__.core.invoke(arguments[0], arguments[1]).then(done, (e) => done({error: e}));",
        command, args,
    )


def page_and_typed_text(driver):
    """The page's source and what every input and text area holds: typed text lives in `.value`,
    which the source does not show."""
    values = driver.execute_script(
        "return [...document.querySelectorAll('input, textarea')].map((e) => e.value);")
    return driver.page_source + "\n" + "\n".join(values)


def save_settings(driver, url, key):
    wait(driver).until(EC.visibility_of_element_located((By.ID, "settings-form")))
    driver.find_element(By.ID, "api-url").clear()
    driver.find_element(By.ID, "api-url").send_keys(url)
    driver.find_element(By.ID, "tenant").clear()
    driver.find_element(By.ID, "tenant").send_keys("demo-clinic")
    driver.find_element(By.ID, "api-key").send_keys(key)
    driver.find_element(By.ID, "save-settings").click()
    wait(driver).until(lambda d: text_of(d, "settings-status") not in ("", "Checking the key with the server…")
                       and "Enter your" not in text_of(d, "settings-status"))


def choose_patient(driver, term, dob):
    if driver.find_element(By.ID, "settings").is_displayed():
        driver.find_element(By.ID, "close-settings").click()
    driver.find_element(By.ID, "patient-term").send_keys(term)
    driver.find_element(By.CSS_SELECTOR, "#patient-search button[type=submit]").click()
    hit = wait(driver).until(EC.element_to_be_clickable((By.XPATH, f"//button[contains(@class,'patient-hit')][contains(., '{dob}')]")))
    hit.click()
    wait(driver).until(lambda d: text_of(d, "patient-born").startswith(dob))


def sort_scan(driver, term, born, before_send=None):
    """In the scan sorter, finds the scan's patient, checks the card, and sends the scan
    (`before_send()` runs just before Send is pressed)."""
    driver.find_element(By.ID, "sort-term").send_keys(term)
    driver.find_element(By.CSS_SELECTOR, "#sort-search button[type=submit]").click()
    hit = wait(driver).until(EC.element_to_be_clickable(
        (By.XPATH, f"//button[contains(@class,'sort-hit')][contains(., '{born}')]")))
    hit.click()
    send = wait(driver).until(EC.element_to_be_clickable((By.ID, "sort-send")))
    name = text_of(driver, "sort-name")
    assert text_of(driver, "sort-born").startswith(born)
    assert send.text == f"Send this scan to {name}"
    assert driver.switch_to.active_element.get_attribute("id") == "sort-chosen", "Enter alone never sends"
    if before_send:
        before_send()
    send.click()
    wait(driver, 30).until(lambda d: text_of(d, "sort-status").startswith(f"Sent to {name}, born {born}"))


def press_upload(driver):
    """Upload, then Send in the confirmation, which names the patient; returns what it said."""
    driver.find_element(By.ID, "upload").click()
    send = wait(driver).until(EC.element_to_be_clickable((By.ID, "confirm-send")))
    said = {"send": send.text, "patient": text_of(driver, "confirm-name"), "what": text_of(driver, "confirm-what"),
            "warnings": text_of(driver, "confirm-warnings")}
    send.click()
    wait(driver).until(lambda d: not d.find_element(By.ID, "confirm-upload").is_displayed())
    return said


def drop(driver, paths):
    """Adds files through the same Rust function a window drop calls."""
    added = invoke(driver, "e2e_drop_paths", {"paths": [str(p) for p in paths]})
    assert not isinstance(added, dict), added
    wait(driver).until(lambda d: queue_rows(d) >= added)


def test_first_run_settings_patient_files_upload_and_thumbnails(app, sandbox):
    driver, shot, files = app
    # A first run (no settings file, no key) opens Settings by itself.
    wait(driver).until(EC.visibility_of_element_located((By.ID, "settings-form")))
    shot("first-run-settings")
    save_settings(driver, sandbox.url, KEY)
    assert text_of(driver, "settings-status") == "Saved."
    assert "a key is saved" in text_of(driver, "key-state")
    assert KEY not in page_and_typed_text(driver), "the key never stays in the page, nor in a field"
    view = invoke(driver, "get_settings", {})
    assert KEY not in str(view) and view["keySaved"] is True
    shot("settings-saved")

    choose_patient(driver, "garcia", "12-Mar-1984")
    assert text_of(driver, "patient-name") == "GARCIA, Maria"
    shot("patient-chosen")

    image = files / "wound photo.png"
    image.write_bytes(png(300, 200, (200, 30, 30)))
    pdf = files / "referral, signed.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
    empty = files / "empty scan.pdf"
    empty.write_bytes(b"")
    drop(driver, [image, pdf, empty, image])
    rows = driver.find_elements(By.CSS_SELECTOR, "#queue tbody tr")
    assert len(rows) == 3, "the same file dropped twice is listed once"
    # (PDFs are listed once they are known not to be stacks with cover sheets: after the others.)
    assert [r.text for r in rows if "Cannot send: the file is empty" in r.text], [r.text for r in rows]
    wait(driver).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#queue td.preview img"))
    shot("files-queued")

    press_upload(driver)
    wait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results-grid li")) == 2)
    wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results-grid img")) == 2)
    for img in driver.find_elements(By.CSS_SELECTOR, "#results-grid img"):
        src = img.get_attribute("src")
        assert src.startswith("data:image/png;base64,"), src[:40]
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n", "a real thumbnail from the sandbox"
        assert driver.execute_script("return arguments[0].naturalWidth", img) > 0
    assert "GARCIA, Maria" in text_of(driver, "results-patient")
    assert driver.find_elements(By.CSS_SELECTOR, "#queue td.preview img"), "previews survive the re-render"
    refused = invoke(driver, "thumbnail", {"url": sandbox.url + "/__sandbox/attachments"})
    assert refused["error"]["kind"] == "invalid", "Rust fetches only thumbnails the server returned"
    stored = sandbox.attachments()
    assert sorted(a["originalFilename"] for a in stored) == ["referral, signed.pdf", "wound photo.png"]
    assert all(a["patientId"] == "pat_1001" for a in stored)
    assert KEY not in page_and_typed_text(driver)
    shot("uploaded-with-thumbnails")


def test_a_rejected_key_is_not_saved_and_says_why(app, sandbox):
    driver, shot, _ = app
    save_settings(driver, sandbox.url, "not-the-right-key")
    assert "rejected" in text_of(driver, "settings-status")
    assert "no key saved" in text_of(driver, "key-state")
    assert "not-the-right-key" not in page_and_typed_text(driver)
    shot("rejected-key")


def signed_in_with_one_file(app, sandbox, name, text):
    """Settings saved, GARCIA, Maria (born 12-Mar-1984) chosen, one file queued."""
    driver, _, files = app
    save_settings(driver, sandbox.url, KEY)
    choose_patient(driver, "garcia", "12-Mar-1984")
    doc = files / name
    doc.write_text(text)
    drop(driver, [doc])


def test_a_failed_upload_stays_queued_with_the_reason_and_retry_sends_it(app, sandbox):
    driver, shot, _ = app
    signed_in_with_one_file(app, sandbox, "lab results.txt", "potassium 4.1\n")
    sandbox.fault("status500", times=20)
    press_upload(driver)
    wait(driver, 60).until(lambda d: "Not sent" in first_row(d))
    assert "1 not uploaded" in text_of(driver, "upload-status")
    assert sandbox.attachments() == []
    shot("failed-and-queued")
    sandbox.admin("DELETE", "/__sandbox/faults")
    assert "retry" in driver.find_element(By.ID, "upload").text.lower()
    press_upload(driver)
    wait(driver, 60).until(lambda d: "Uploaded" in first_row(d))
    assert len(sandbox.attachments()) == 1
    shot("retried-and-uploaded")


def test_cancel_while_the_server_holds_the_answer(app, sandbox):
    driver, shot, _ = app
    signed_in_with_one_file(app, sandbox, "consent.txt", "I consent.\n")
    sandbox.fault("hang")
    press_upload(driver)
    wait(driver, 30).until(lambda d: "storing" in text_of(d, "upload-status"))
    shot("waiting-for-server")
    driver.find_element(By.ID, "cancel").click()
    wait(driver, 30).until(lambda d: "Not sent" in first_row(d))
    row = first_row(driver)
    assert "cancelled" in row and "the next try looks in the chart" in row, row
    shot("cancelled")
    # The retry, for the same patient, looks in the chart first and sends the file only once.
    sandbox.admin("DELETE", "/__sandbox/faults")
    wait(driver).until(lambda d: d.find_element(By.ID, "upload").is_enabled())
    press_upload(driver)
    wait(driver, 60).until(lambda d: " uploaded, " in text_of(d, "upload-status"))
    assert [a["originalFilename"] for a in sandbox.attachments()] == ["consent.txt"]


def test_a_second_launch_hands_its_file_to_the_running_window(app, sandbox):
    driver, shot, files = app
    save_settings(driver, sandbox.url, KEY)
    doc = files / "opened with.pdf"
    doc.write_bytes(b"%PDF-1.4\n%%EOF\n")
    second = subprocess.run([str(APP), str(doc)], env=os.environ, timeout=60, capture_output=True)
    assert second.returncode == 0, second.stderr[-500:]
    wait(driver).until(lambda d: "opened with.pdf" in d.execute_script(
        "return [...document.querySelectorAll('#queue tbody tr td:nth-child(2) input')].map((i) => i.value);"))
    shot("opened-with")


def test_test_connection_then_sign_out_removes_the_key(app, sandbox):
    driver, shot, _ = app
    save_settings(driver, sandbox.url, KEY)
    driver.find_element(By.ID, "test-connection").click()
    wait(driver).until(lambda d: text_of(d, "settings-status").startswith("Connected to"))
    assert "demo-clinic" in text_of(driver, "settings-status")
    driver.find_element(By.ID, "sign-out").click()
    wait(driver).until(lambda d: text_of(d, "settings-status").startswith("Signed out"))
    assert "no key saved" in text_of(driver, "key-state")
    assert invoke(driver, "get_settings", {})["keySaved"] is False
    after = invoke(driver, "search_patients", {"term": "garcia"})
    assert after["error"]["kind"] == "notSignedIn", after
    shot("signed-out")


# Every control a user can reach, with the name a screen reader announces for it (computed as the
# accessible-name rules do for these elements: aria-labelledby, aria-label, <label>, own text).
UNNAMED_CONTROLS = """
const visible = (el) => el.offsetParent !== null || el === document.activeElement;
const nameOf = (el) => {
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
  if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
  if (el.labels && el.labels.length) return [...el.labels].map((l) => l.textContent).join(' ');
  return el.textContent;
};
return [...document.querySelectorAll('button, input, select, textarea, progress, a[href], [tabindex]')]
  .filter(visible)
  .filter((el) => !nameOf(el).trim())
  .map((el) => el.outerHTML.slice(0, 120));
"""


def press(driver, *keys):
    ActionChains(driver).send_keys(*keys).perform()


def active(driver):
    return driver.execute_script(
        "const a = document.activeElement; return {id: a.id, text: a.textContent, tag: a.tagName};")


def tab_until(driver, matches, limit=60):
    """Presses Tab until the focused element matches, as a keyboard user moves through the window."""
    for _ in range(limit):
        press(driver, Keys.TAB)
        if matches(active(driver)):
            return
    raise AssertionError(f"Tab never reached the control; focus ended on {active(driver)}")


def test_the_keyboard_alone_reaches_every_step_and_every_control_is_named(app, sandbox):
    driver, shot, files = app
    wait(driver).until(EC.visibility_of_element_located((By.ID, "settings-form")))
    assert driver.execute_script(UNNAMED_CONTROLS) == []
    save_settings(driver, sandbox.url, KEY)
    press(driver, Keys.ESCAPE)
    wait(driver).until(lambda d: d.find_element(By.ID, "settings").get_attribute("hidden") is not None)
    assert "Choose the patient first" in text_of(driver, "upload-hint")

    tab_until(driver, lambda a: a["id"] == "patient-term")
    press(driver, "garcia", Keys.ENTER)
    wait(driver).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".patient-hit")) >= 2)
    assert "could be confused" in text_of(driver, "patient-status"), "look-alikes are announced"
    tab_until(driver, lambda a: "12-Mar-1984" in a["text"])
    press(driver, Keys.ENTER)
    wait(driver).until(lambda d: text_of(d, "patient-born").startswith("12-Mar-1984"))
    wait(driver).until(lambda d: active(d)["id"] == "note")

    first, second = files / "first.txt", files / "second.txt"
    first.write_text("first\n")
    second.write_text("second\n")
    drop(driver, [first, second])
    tab_until(driver, lambda a: a["tag"] == "BUTTON" and a["text"] == "Remove")
    press(driver, Keys.ENTER)
    wait(driver).until(lambda d: queue_rows(d) == 1)
    assert active(driver)["text"] == "Remove", "focus stays in the queue after a removal"
    assert "Ready to send 1 file to GARCIA, Maria" in text_of(driver, "upload-hint")
    assert driver.execute_script(UNNAMED_CONTROLS) == []
    shot("keyboard-queue")

    tab_until(driver, lambda a: a["id"] == "upload")
    press(driver, Keys.ENTER)
    # The confirmation opens on Cancel: Enter alone never sends. Send is one Tab away.
    wait(driver).until(lambda d: active(d)["id"] == "confirm-cancel")
    assert text_of(driver, "confirm-send") == "Send 1 file to GARCIA, Maria"
    tab_until(driver, lambda a: a["id"] == "confirm-send")
    press(driver, Keys.ENTER)
    wait(driver, 60).until(lambda d: active(d)["id"] == "results-title")
    assert "GARCIA, Maria" in active(driver)["text"]
    assert driver.execute_script(UNNAMED_CONTROLS) == []
    stored = sandbox.attachments()
    assert [a["originalFilename"] for a in stored] == ["second.txt"], "the first was removed"
    shot("keyboard-uploaded")


def test_the_app_killed_mid_upload_comes_back_and_sends_each_file_once(sandbox, tmp_path):
    env = dict(os.environ, DECODA_CONFIG=str(tmp_path / "settings.toml"), DECODA_DATA_DIR=str(tmp_path / "data"),
               DECODA_SYSTEM_CONFIG=str(tmp_path / "system.toml"))
    for var in ("DECODA_API_URL", "DECODA_TENANT", "DECODA_API_KEY"):
        env.pop(var, None)
    (tmp_path / "settings.toml").write_text(
        f'api_url = "{sandbox.url}"\ntenant = "demo-clinic"\n\n[limits]\nmax_files_per_request = 2\nparallel_requests = 1\n')
    files = []
    for i in range(6):
        f = tmp_path / f"page {i}.txt"
        f.write_text(f"scanned page {i}\n")
        files.append(f)

    driver, proc = open_session(env)
    shot = Shots(driver, "test_the_app_killed_mid_upload_comes_back_and_sends_each_file_once")
    try:
        save_settings(driver, sandbox.url, KEY)
        choose_patient(driver, "garcia", "12-Mar-1984")
        drop(driver, files)
        # Each request is stored at once and answered 2 s later: the kill lands while the server
        # holds the second batch and the app does not know it landed.
        sandbox.fault("delay", times=100, ms=2000)
        press_upload(driver)
        wait(driver, 60).until(lambda d: len(sandbox.attachments()) >= 4)
        os.kill(app_pid(), signal.SIGKILL)
    finally:
        stop_group(proc)
    assert len(sandbox.attachments()) < 6, "killed part-way"
    sandbox.admin("DELETE", "/__sandbox/faults")

    driver, proc = open_session(env)
    try:
        wait(driver).until(lambda d: d.find_element(By.ID, "resumed").is_displayed())
        assert "interrupted" in text_of(driver, "resumed-text")
        shot.driver = driver
        shot("resumed-after-kill")
        # The files are held for their patient, named as the banner names them, not by an id alone.
        choice = wait(driver).until(EC.element_to_be_clickable(
            (By.XPATH, "//div[@id='resumed']//button[contains(., 'GARCIA, Maria, born 12-Mar-1984')]")))
        assert "ID pat_1001" in choice.text, choice.text
        waiting = first_row(driver)
        assert "Waiting for GARCIA, Maria, born 12-Mar-1984" in waiting, waiting
        choice.click()
        wait(driver).until(lambda d: text_of(d, "patient-born").startswith("12-Mar-1984"))
        wait(driver).until(lambda d: d.find_element(By.ID, "upload").is_enabled())
        press_upload(driver)
        wait(driver, 60).until(lambda d: " uploaded, " in text_of(d, "upload-status"))
        shot("resumed-and-sent")
        stored = sandbox.attachments()
        names = sorted(a["originalFilename"] for a in stored)
        assert names == sorted(f.name for f in files), f"each file exactly once: {names}"
        assert all(a["patientId"] == "pat_1001" for a in stored)
        rows = driver.execute_script("return [...document.querySelectorAll('#queue tbody tr')].map((r) => r.innerText);")
        assert any("interrupted upload had sent it" in r for r in rows), rows
    finally:
        driver.quit()
        stop_group(proc)


def test_a_managed_workstation_picks_up_scans_and_files_them_only_once_confirmed(sandbox, tmp_path):
    """IT's system file sets and locks the server, tenant and scanner inbox; the user enters only
    the key. Scans written slowly, renamed into place or dropped together join the list, wait for
    its own patient (given one at a time in the scan sorter, never the one chosen in the window),
    and move to the sent folder once in the chart. Diagnostics and the window's size
    and position survive too."""
    inbox, sent = tmp_path / "inbox", tmp_path / "sent"
    inbox.mkdir()
    (tmp_path / "system.toml").write_text(
        f'api_url = "{sandbox.url}"\ntenant = "demo-clinic"\nlocked = ["api_url", "tenant", "inbox"]\n\n'
        f'[inbox]\nfolder = "{inbox}"\nsent_folder = "{sent}"\nsettle_seconds = 1\n')
    env = dict(os.environ, DECODA_CONFIG=str(tmp_path / "settings.toml"), DECODA_DATA_DIR=str(tmp_path / "data"),
               DECODA_SYSTEM_CONFIG=str(tmp_path / "system.toml"), DECODA_LOG_DIR=str(tmp_path / "logs"))
    for var in ("DECODA_API_URL", "DECODA_TENANT", "DECODA_API_KEY"):
        env.pop(var, None)

    driver, proc = open_session(env)
    shot = Shots(driver, "test_a_managed_workstation_picks_up_scans_and_files_them_only_once_confirmed")
    try:
        wait(driver).until(EC.visibility_of_element_located((By.ID, "settings-form")))
        wait(driver).until(lambda d: d.find_element(By.ID, "managed-note").is_displayed())
        assert "server address, tenant, scanner inbox" in text_of(driver, "managed-note")
        for locked in ("api-url", "tenant", "inbox-folder", "sent-folder"):
            assert not driver.find_element(By.ID, locked).is_enabled(), locked
        assert driver.find_element(By.ID, "tenant").get_attribute("value") == "demo-clinic"
        driver.find_element(By.ID, "api-key").send_keys(KEY)
        driver.find_element(By.ID, "save-settings").click()
        wait(driver).until(lambda d: text_of(d, "settings-status") == "Saved.")
        shot("managed-settings")
        user_path = tmp_path / "settings.toml"
        user_file = user_path.read_text() if user_path.exists() else ""
        assert "demo-clinic" not in user_file and KEY not in user_file, "IT's values stay in IT's file"

        driver.find_element(By.ID, "close-settings").click()
        assert str(inbox) in text_of(driver, "inbox-state")
        # A scanner writing one page at a time (the pauses pace the writer: they are the scenario).
        with open(inbox / "intake form.pdf", "wb") as f:
            for part in range(6):
                f.write(b"%PDF-1.4 " if part == 0 else b"page %d " % part)
                f.flush()
                time.sleep(0.15)
        # Software that writes under a temporary name, then renames; and a batch dropped at once.
        (inbox / "referral.pdf.tmp").write_bytes(b"%PDF-1.4 referral")
        (inbox / "referral.pdf.tmp").rename(inbox / "referral.pdf")
        for n in range(3):
            (inbox / f"batch {n}.txt").write_text(f"page {n}\n")
        (inbox / "insurance card.png").write_bytes(png(640, 400, (40, 90, 160)))
        wait(driver, 30).until(lambda d: queue_rows(d) == 6)
        rows = driver.execute_script("return [...document.querySelectorAll('#queue tbody tr')].map((r) => r.innerText);")
        assert all("from the scanner inbox" in r for r in rows), rows
        assert sandbox.attachments() == []

        # A patient chosen in the window does not make a scan ready for them: each scan waits for
        # its own patient.
        choose_patient(driver, "garcia", "12-Mar-1984")
        assert not driver.find_element(By.ID, "upload").is_enabled(), "no scan goes to the patient chosen"
        rows = driver.execute_script("return [...document.querySelectorAll('#queue tbody tr')].map((r) => r.innerText);")
        assert all("Waiting for its own patient: press Sort scans" in r for r in rows), rows
        assert text_of(driver, "sort-text") == "6 scans from the scanner are waiting for their patient."
        shot("scans-waiting-for-a-patient")

        # One sitting: each scan shown large, given its own patient, and sent; three charts.
        owners = {"intake form.pdf": ("chen", "02-Nov-1975", "pat_1003"),
                  "referral.pdf": ("garcia", "30-Jul-1991", "pat_1002"),
                  "insurance card.png": ("pat_1001", "12-Mar-1984", "pat_1001")}
        driver.find_element(By.ID, "sort-open").click()
        for n in range(6):
            wait(driver).until(lambda d: text_of(d, "sort-position").startswith(f"Scan {n + 1} of 6: "))
            file_name = text_of(driver, "sort-position").split(": ", 1)[1].split(",")[0]
            term, born, _ = owners.get(file_name, ("garcia", "12-Mar-1984", "pat_1001"))
            if file_name == "insurance card.png":
                wait(driver).until(lambda d: d.execute_script(
                    "const i = document.getElementById('sort-image'); return !i.hidden && i.naturalWidth === 640;"))
            before_send = (lambda: shot("sorting-a-scan")) if file_name == "insurance card.png" else None
            sort_scan(driver, term, born, before_send)
        wait(driver).until(lambda d: text_of(d, "sort-position").startswith("Every scan listed now has its patient"))
        driver.find_element(By.ID, "sort-close").click()
        wait(driver).until(lambda d: d.find_element(By.ID, "sort").get_attribute("hidden") is not None)
        stored = sandbox.attachments()
        assert sorted(a["originalFilename"] for a in stored) == sorted(
            ["intake form.pdf", "referral.pdf", "batch 0.txt", "batch 1.txt", "batch 2.txt", "insurance card.png"])
        for a in stored:
            owner = owners.get(a["originalFilename"], ("", "", "pat_1001"))[2]
            assert a["patientId"] == owner, a
        intake = [a for a in stored if a["originalFilename"] == "intake form.pdf"][0]
        assert intake["size"] == len(b"%PDF-1.4 page 1 page 2 page 3 page 4 page 5 "), "the whole scan, not a part"
        assert sorted(p.name for p in sent.iterdir()) == sorted(a["originalFilename"] for a in stored)
        assert list(inbox.iterdir()) == [], "each confirmed scan left the inbox"
        shot("scans-uploaded-and-moved")

        driver.find_element(By.ID, "open-settings").click()
        driver.find_element(By.ID, "copy-diagnostics").click()
        wait(driver).until(lambda d: d.find_element(By.ID, "diagnostics").is_displayed())
        report = driver.find_element(By.ID, "diagnostics").get_attribute("value")
        assert "Diagnostics copied" in text_of(driver, "settings-status")
        clipboard = subprocess.run(["xclip", "-o", "-selection", "clipboard"], capture_output=True, text=True,
                                   timeout=10, check=True).stdout
        assert clipboard.strip() == report.strip(), "the report is on the clipboard, as shown"
        assert "Tenant: demo-clinic (locked by the system configuration)" in report, report
        assert "6 uploaded" in report and "(applied)" in report, report
        for private in (KEY, "Garcia", "intake", "pat_1001"):
            assert private not in report, private
        logs = list((tmp_path / "logs").iterdir())
        assert logs, "a log file is written"
        log_text = "".join(p.read_text() for p in logs)
        assert log_text.count("upload finished: 1 uploaded") == 6, log_text
        for private in (KEY, "Garcia", "intake", "referral"):
            assert private not in log_text, private
        shot("diagnostics")

        driver.set_window_rect(x=40, y=30, width=900, height=700)
        state_file = tmp_path / "window-state.json"
        wait(driver).until(lambda d: state_file.exists() and '"width":900' in state_file.read_text().replace(" ", ""))
    finally:
        driver.quit()
        stop_group(proc)

    driver, proc = open_session(env, size=None)
    try:
        wait(driver).until(lambda d: d.find_element(By.ID, "upload"))
        rect = driver.get_window_rect()
        assert (rect["width"], rect["height"]) == (900, 700), rect
    finally:
        driver.quit()
        stop_group(proc)


def descendants(pid):
    """The processes `pid` started, and theirs, as (pid, name) pairs, read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # it ended meanwhile
        # The name is in parentheses and may hold spaces; the state and the parent follow it.
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        parent = int(stat[stat.rindex(")") + 2:].split()[1])
        children.setdefault(parent, []).append((int(entry), name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child[0])
    return found


def test_no_process_the_app_starts_inherits_the_key_from_its_environment(sandbox, tmp_path):
    """DECODA_API_KEY is taken out of the app's environment before any thread starts, so the web
    view's processes (and the browser that Open starts) never inherit it, while the app still
    uses the key. The app's own /proc/PID/environ shows the environment it started with, even
    after the variable is removed, so what is checked is its descendants'."""
    env = dict(os.environ, DECODA_CONFIG=str(tmp_path / "settings.toml"), DECODA_DATA_DIR=str(tmp_path / "data"),
               DECODA_SYSTEM_CONFIG=str(tmp_path / "system.toml"), DECODA_API_URL=sandbox.url,
               DECODA_TENANT="demo-clinic", DECODA_API_KEY=KEY)
    driver, proc = open_session(env)
    try:
        choose_patient(driver, "garcia", "12-Mar-1984")  # the key, passed down, still works
        pid = app_pid()
        wait(driver).until(lambda d: any(name.startswith("WebKit") for _, name in descendants(pid)))
        started = descendants(pid)
        leaked = []
        for child, name in started:
            try:
                with open(f"/proc/{child}/environ", "rb") as f:
                    variables = f.read().split(b"\0")
            except OSError:
                continue  # it ended meanwhile
            if any(v.startswith(b"DECODA_API_KEY=") for v in variables):
                leaked.append(name)
        assert not leaked, f"these processes inherited DECODA_API_KEY: {leaked} (of {started})"
    finally:
        driver.quit()
        stop_group(proc)
