"""Paper from a network scanner to a chart in the real window: the scanner's address checked and
saved in Settings, a stack scanned from the sandbox's stand-in eSCL scanner, the pages checked
(one removed, the last put first and turned), the kept pages added to the list as one scan, and
that scan given its own patient in the scan sorter; stacks split at cover sheets, and letters whose
patient is suggested from the page's text."""

import os
import re
import shutil
import subprocess
import urllib.request

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import Sandbox
from test_accessibility import assert_accessible
from test_app import KEY, choose_patient, save_settings, sort_scan, text_of, wait


@pytest.fixture
def scanner_sandbox():
    s = Sandbox(scanner_pages=3)
    yield s
    s.stop()


@pytest.fixture
def two_patient_stack():
    s = Sandbox(feeder_stack="cover:pat_1001,page,cover:pat_1002,page,page")
    yield s
    s.stop()


def set_up_scanner(driver, sandbox):
    save_settings(driver, sandbox.url, KEY)
    driver.find_element(By.ID, "scanner-address").send_keys(sandbox.scanner_url)
    driver.find_element(By.ID, "save-scanner").click()
    wait(driver).until(lambda d: text_of(d, "scanner-status").startswith("Saved: Decoda Sandbox Scanner answered"))
    driver.find_element(By.ID, "close-settings").click()


def scan_stack(driver, pages):
    wait(driver).until(EC.element_to_be_clickable((By.ID, "scan-open"))).click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "scan-dialog")))
    driver.find_element(By.ID, "scan-resolution").send_keys("200")
    driver.find_element(By.ID, "scan-start").click()
    wait(driver, 60).until(lambda d: text_of(d, "scan-status").startswith(f"{pages} pages scanned"))
    wait(driver).until(lambda d: len(tiles(d)) == pages)


def tiles(driver):
    return driver.find_elements(By.CSS_SELECTOR, "#scan-pages li")


def test_a_scanned_stack_is_checked_page_by_page_and_sorted_to_its_patient(app, scanner_sandbox):
    driver, shot, _ = app
    sandbox = scanner_sandbox
    set_up_scanner(driver, sandbox)
    scan_stack(driver, 3)
    wait(driver).until(lambda d: all(
        d.execute_script("return arguments[0].naturalWidth", img) > 0
        for img in d.find_elements(By.CSS_SELECTOR, "#scan-pages img")))
    shot("scan-pages")
    assert_accessible(driver, "scan dialog with its pages")
    assert driver.find_element(By.ID, "scan-keep").is_enabled()

    driver.find_element(By.CSS_SELECTOR, "[aria-label='Remove page 2']").click()
    driver.find_element(By.CSS_SELECTOR, "[aria-label='Move page 2 earlier']").click()
    driver.find_element(By.CSS_SELECTOR, "[aria-label='Turn page 1 a quarter clockwise']").click()
    labels = [t.find_element(By.TAG_NAME, "p").text for t in tiles(driver)]
    assert labels == ["Page 1, turned 90°", "Page 2"], labels
    shot("scan-pages-checked")
    driver.find_element(By.ID, "scan-keep").click()
    wait(driver).until(EC.invisibility_of_element_located((By.ID, "scan-dialog")))
    wait(driver).until(lambda d: "waiting for its patient" in text_of(d, "sort-text"))
    assert sandbox.attachments() == [], "a scan is never sent without its own patient"

    driver.find_element(By.ID, "sort-open").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "sort-dialog")))
    wait(driver).until(lambda d: "2 pages" in text_of(d, "sort-position"))
    sort_scan(driver, "garcia", "12-Mar-1984")
    stored = sandbox.attachments()
    assert [a["patientId"] for a in stored] == ["pat_1001"]
    with urllib.request.urlopen(stored[0]["signedUrl"], timeout=10) as resp:
        pdf = resp.read()
    assert pdf.startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 2, "the removed page is not in the document"
    assert b"/Rotate 90" in pdf, "the turned page is turned"


def sort_stack_in_two(driver, sandbox, pages):
    """Scans a stack of `pages` that splits into two documents, and opens the scan sorter."""
    set_up_scanner(driver, sandbox)
    scan_stack(driver, pages)
    driver.find_element(By.ID, "scan-keep").click()
    wait(driver).until(lambda d: "split at its cover sheets into 2 documents" in text_of(d, "upload-status"))
    wait(driver).until(lambda d: "2 scans" in text_of(d, "sort-text"))
    driver.find_element(By.ID, "sort-open").click()


def pages_of(attachment):
    with urllib.request.urlopen(attachment["signedUrl"], timeout=10) as resp:
        return len(re.findall(rb"/Type\s*/Page\b", resp.read()))


def test_a_stack_with_cover_sheets_splits_and_each_part_is_proposed_never_chosen(app, two_patient_stack):
    driver, shot, _ = app
    sandbox = two_patient_stack
    sort_stack_in_two(driver, sandbox, 5)
    for patient_id, born, pages in (("pat_1001", "12-Mar-1984", 1), ("pat_1002", "30-Jul-1991", 2)):
        wait(driver).until(lambda d: f"names patient {patient_id}" in text_of(d, "sort-cover"))
        assert not driver.find_element(By.ID, "sort-chosen").is_displayed(), "the sheet proposes; it does not choose"
        assert driver.find_element(By.ID, "sort-send").get_attribute("disabled") is not None
        wait(driver).until(lambda d: f"{pages} page" in text_of(d, "sort-position"))
        if patient_id == "pat_1001":
            shot("cover-sheet-proposal")
        hit = wait(driver).until(EC.element_to_be_clickable(
            (By.XPATH, f"//button[contains(@class,'sort-hit')][contains(., '{born}')]")))
        hit.click()
        send = wait(driver).until(EC.element_to_be_clickable((By.ID, "sort-send")))
        assert text_of(driver, "sort-id") == patient_id
        name = text_of(driver, "sort-name")
        send.click()
        wait(driver, 30).until(lambda d, n=name, b=born: text_of(d, "sort-status").startswith(f"Sent to {n}, born {b}"))
    stored = sorted(sandbox.attachments(), key=lambda a: a["patientId"])
    assert [(a["patientId"], pages_of(a)) for a in stored] == [("pat_1001", 1), ("pat_1002", 2)], \
        "each part in its own chart, the cover sheets in none"


def test_the_banner_prints_a_cover_sheet_naming_the_chosen_patient(app, sandbox):
    driver, shot, files = app
    save_settings(driver, sandbox.url, KEY)
    choose_patient(driver, "garcia", "12-Mar-1984")
    driver.find_element(By.ID, "print-cover-sheet").click()
    wait(driver).until(lambda d: text_of(d, "patient-status").startswith("The cover sheet for GARCIA, Maria"))
    sheet = files.parent / "data" / "Cover sheet.pdf"
    assert sheet.name in text_of(driver, "patient-status"), "the window says where it is"
    pdf = sheet.read_bytes()
    assert pdf.startswith(b"%PDF-") and b"GARCIA, Maria" in pdf
    assert b"DECODA-COVER" not in pdf, "the code is drawn, not written out"
    shot("cover-sheet-printed")


def letter_page(folder, name, lines):
    """A letter as a scanner would see it: a PDF with `lines`, rendered at 300 dpi by pdftoppm."""
    if not shutil.which("pdftoppm") or not shutil.which("tesseract"):
        if os.environ.get("DECODA_REQUIRE_SYSTEM_TOOLS") == "1":
            pytest.fail("pdftoppm and tesseract are needed (DECODA_REQUIRE_SYSTEM_TOOLS=1)")
        pytest.skip("pdftoppm or tesseract is not installed")
    text = "".join(f"BT /F1 12 Tf 72 {700 - 24 * n} Td ({line}) Tj ET\n" for n, line in enumerate(lines))
    pdf = folder / f"{name}.pdf"
    pdf.write_bytes((
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        "2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        "3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >> endobj\n"
        f"4 0 obj << /Length {len(text)} >> stream\n{text}endstream endobj\n"
        "5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
        "trailer << /Root 1 0 R >>\n%%EOF\n").encode("latin-1"))
    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-singlefile", str(pdf), str(folder / name)],
                   check=True, stderr=subprocess.DEVNULL)
    return folder / f"{name}.png"


@pytest.fixture
def letters_stack(tmp_path):
    garcia = letter_page(tmp_path, "garcia", ["Lakeside Family Medicine", "Re: GARCIA, Maria    DOB: 07/30/1991",
                                              "Thank you for seeing Maria Garcia about her knee."])
    chen = letter_page(tmp_path, "chen", ["Springfield Cardiology", "Re: CHEN, James    DOB: 11/02/1975",
                                          "Thank you for seeing James Chen about his chest pain."])
    s = Sandbox(feeder_stack=f"file:{garcia},cover:pat_1003,file:{chen}")
    yield s
    s.stop()


def test_a_scanned_stack_splits_and_each_letter_suggests_its_patient_for_a_person_to_choose(app, letters_stack):
    """Scans, splits and assigns in the real window: a letter for GARCIA on top of the stack, then
    a cover sheet for CHEN and his letter. Each part's page is read and its patient suggested,
    with the matched words marked on the page; the person chooses the suggestion, checks the card
    and sends. Nothing is chosen for them, and each letter lands in its own chart."""
    driver, shot, _ = app
    sandbox = letters_stack
    sort_stack_in_two(driver, sandbox, 3)
    for patient_id, banner, born in (("pat_1002", "GARCIA, Maria", "30-Jul-1991"),
                                     ("pat_1003", "CHEN, James", "02-Nov-1975")):
        wait(driver).until(lambda d: "1 page" in text_of(d, "sort-position"))
        if patient_id == "pat_1003":
            wait(driver).until(lambda d: "names patient pat_1003" in text_of(d, "sort-cover"))
        first = (By.CSS_SELECTOR, "#sort-suggestions button")
        wait(driver, 60).until(lambda d, b=banner: d.find_elements(*first) and d.find_element(*first).text.startswith(b))
        suggestion = driver.find_element(*first)
        assert suggestion.text.startswith(f"{banner} — Born {born}"), suggestion.text
        assert "Strong match: name and birth date on the page" in suggestion.text
        assert text_of(driver, "sort-suggest-text").startswith("Suggested from the page")
        marks = driver.find_elements(By.CSS_SELECTOR, "#sort-marks rect")
        assert {m.get_attribute("class") for m in marks} == {"mark-name", "mark-birth"}, "the matched words are marked"
        assert not driver.find_element(By.ID, "sort-chosen").is_displayed(), "a suggestion is not a choice"
        if patient_id == "pat_1002":
            others = [b.text for b in driver.find_elements(*first)[1:]]
            assert others and all("Weak match" in o for o in others), others
            shot("suggested-from-the-page")
            assert_accessible(driver, "scan sorter with suggestions")
        suggestion.click()
        send = wait(driver).until(EC.element_to_be_clickable((By.ID, "sort-send")))
        assert text_of(driver, "sort-id") == patient_id
        send.click()
        wait(driver, 30).until(lambda d, b=banner: text_of(d, "sort-status").startswith(f"Sent to {b}"))
    stored = sorted(sandbox.attachments(), key=lambda a: a["patientId"])
    assert [(a["patientId"], pages_of(a)) for a in stored] == [("pat_1002", 1), ("pat_1003", 1)], \
        "each letter in its own chart, the cover sheet in none"
