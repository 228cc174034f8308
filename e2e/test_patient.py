"""Choosing a patient end to end: what the window shows always belongs to the patient chosen last."""

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from test_app import KEY, save_settings, text_of, wait


def note_titles(driver):
    return driver.execute_script("return [...document.querySelectorAll('#note option')].map(o => o.text);")


def test_a_late_answer_for_the_first_patient_clicked_never_shows_under_the_second(app, sandbox):
    driver, shots, _ = app
    save_settings(driver, sandbox.url, KEY)
    if driver.find_element(By.ID, "settings").is_displayed():
        driver.find_element(By.ID, "close-settings").click()
    driver.find_element(By.ID, "patient-term").send_keys("garcia")
    driver.find_element(By.CSS_SELECTOR, "#patient-search button[type=submit]").click()
    first = wait(driver).until(EC.element_to_be_clickable(
        (By.XPATH, "//button[contains(@class,'patient-hit')][contains(., '12-Mar-1984')]")))
    second = driver.find_element(By.XPATH, "//button[contains(@class,'patient-hit')][contains(., '30-Jul-1991')]")
    # The first patient's notes (Annual physical, Lab review) come back late.
    sandbox.admin("POST", "/__sandbox/faults",
                  {"fault": {"kind": "delay", "ms": 2000}, "path": "/notes/list", "times": 1})
    first.click()
    second.click()
    wait(driver).until(lambda d: text_of(d, "patient-born").startswith("30-Jul-1991")
                       and "New patient intake" in " ".join(note_titles(d)))
    shots("second-patient-chosen")
    try:
        # The late answer would land within the delay; give it twice that to show up.
        wait(driver, 4).until(lambda d: "Annual physical" in " ".join(note_titles(d))
                              or not text_of(d, "patient-born").startswith("30-Jul-1991"))
        raise AssertionError(f"the first patient's answer reached the window: {note_titles(driver)}, "
                             f"born {text_of(driver, 'patient-born')}")
    except TimeoutException:
        pass
    assert sandbox.admin("GET", "/__sandbox/faults") == [], "the delayed answer was asked for"
    titles = note_titles(driver)
    assert len(titles) == 2 and titles[0] == "No note" and titles[1].startswith("New patient intake"), titles
