"""Paper from a network scanner to a chart in the real window: the scanner's address checked and
saved in Settings, a stack scanned from the sandbox's stand-in eSCL scanner, the pages checked
(one removed, the last put first and turned), the kept pages added to the list as one scan, and
that scan given its own patient in the scan sorter."""

import re
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


def pages_of(attachment):
    with urllib.request.urlopen(attachment["signedUrl"], timeout=10) as resp:
        return len(re.findall(rb"/Type\s*/Page\b", resp.read()))


def test_a_stack_with_cover_sheets_splits_and_each_part_is_proposed_never_chosen(app, two_patient_stack):
    driver, shot, _ = app
    sandbox = two_patient_stack
    set_up_scanner(driver, sandbox)
    scan_stack(driver, 5)
    driver.find_element(By.ID, "scan-keep").click()
    wait(driver).until(lambda d: "split at its cover sheets into 2 documents" in text_of(d, "upload-status"))
    wait(driver).until(lambda d: "2 scans" in text_of(d, "sort-text"))

    driver.find_element(By.ID, "sort-open").click()
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
