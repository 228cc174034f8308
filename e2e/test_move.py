"""Moving a misfiled upload end to end: from the results to the right patient, confirmed with both
patients named as the banner names them, and recorded in the history (CLINICAL_UI.md)."""

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as EC

from test_app import KEY, choose_patient, drop, press_upload, save_settings, text_of, wait


def test_a_file_sent_to_the_wrong_patient_is_moved_from_the_results_and_the_history_shows_it(app, sandbox):
    driver, shot, files = app
    save_settings(driver, sandbox.url, KEY)
    choose_patient(driver, "garcia", "12-Mar-1984")
    doc = files / "knee x-ray report.txt"
    doc.write_text("right knee, no fracture\n")
    drop(driver, [doc])
    press_upload(driver)
    wait(driver, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#results-grid li")) == 1)
    [stored] = sandbox.attachments()
    assert stored["patientId"] == "pat_1001"

    # It belonged to James Chen: move it from its result card.
    driver.find_element(By.CSS_SELECTOR, "#results-grid li button.move").click()
    wait(driver).until(EC.visibility_of_element_located((By.ID, "move-dialog")))
    assert driver.switch_to.active_element.get_attribute("id") == "move-term"
    driver.find_element(By.ID, "move-term").send_keys("chen", Keys.ENTER)
    hit = wait(driver).until(EC.element_to_be_clickable(
        (By.XPATH, "//button[contains(@class,'move-hit')][contains(., '02-Nov-1975')]")))
    assert "CHEN, James — Born 02-Nov-1975" in hit.text, hit.text
    shot("move-search")
    hit.click()

    send = wait(driver).until(EC.element_to_be_clickable((By.ID, "move-send")))
    assert send.text == "Move to CHEN, James"
    assert text_of(driver, "move-from-name") == "GARCIA, Maria"
    assert text_of(driver, "move-from-born").startswith("12-Mar-1984 (")
    assert text_of(driver, "move-from-id") == "pat_1001"
    assert text_of(driver, "move-to-name") == "CHEN, James"
    assert text_of(driver, "move-to-born").startswith("02-Nov-1975 (")
    assert text_of(driver, "move-to-gender") == "Male"
    assert text_of(driver, "move-to-id") == "pat_1003"
    active = driver.switch_to.active_element
    assert active.get_attribute("id") == "move-cancel", "Enter alone never moves"
    shot("move-confirmation")
    # Enter on the focused button cancels; nothing moved. Then again, and Move.
    active.send_keys(Keys.ENTER)
    wait(driver).until(lambda d: not d.find_element(By.ID, "move-dialog").is_displayed())
    assert sandbox.attachments()[0]["patientId"] == "pat_1001"

    driver.find_element(By.CSS_SELECTOR, "#results-grid li button.move").click()
    driver.find_element(By.ID, "move-term").send_keys("chen", Keys.ENTER)
    wait(driver).until(EC.element_to_be_clickable(
        (By.XPATH, "//button[contains(@class,'move-hit')][contains(., '02-Nov-1975')]"))).click()
    wait(driver).until(EC.element_to_be_clickable((By.ID, "move-send"))).click()
    wait(driver, 30).until(lambda d: not d.find_element(By.ID, "move-dialog").is_displayed())

    card = text_of(driver, "results-grid")
    assert "Moved to CHEN, James, born 02-Nov-1975" in card, card
    assert "Moved to CHEN, James" in text_of(driver, "upload-status")
    [stored] = sandbox.attachments()
    assert stored["patientId"] == "pat_1003", "the sandbox has it in James Chen's chart"

    # The history, its own view, lists the file on CHEN, James, moved from GARCIA, Maria, each
    # named as the banner names them, not by an id alone.
    driver.find_element(By.ID, "view-history").click()
    wait(driver).until(lambda d: d.find_element(By.ID, "history").is_displayed())
    row = driver.find_element(By.CSS_SELECTOR, "#history tbody tr").text
    assert "CHEN, James, born 02-Nov-1975" in row and "ID pat_1003" in row, row
    assert "Moved from GARCIA, Maria, born 12-Mar-1984" in row and "to CHEN, James, born 02-Nov-1975" in row, row
    assert driver.find_element(By.ID, "main").get_attribute("hidden") is not None, "one view at a time"
    shot("moved-and-in-the-history")
