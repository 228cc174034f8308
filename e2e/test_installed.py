"""The installed package, started as the desktop does it. Run by scripts/install-test.sh after
`apt-get install ./…deb` (CI, as root on a throw-away machine); skipped anywhere else.

The app is the installed release binary, started with the command line its desktop entry names
(`Exec=… %F`) for one file, as "Open with" does; settings, queue and history go to their default
places under the (private) HOME, so the script can check they survive removing the package.
"""

import os
import shlex
import shutil

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from conftest import open_session, stop_group
from test_app import KEY, choose_patient, png, press_upload, save_settings, text_of, wait

DESKTOP = os.environ.get("DECODA_INSTALLED_DESKTOP")
pytestmark = pytest.mark.skipif(not DESKTOP, reason="needs the installed package (scripts/install-test.sh)")


def desktop_command(files):
    """The desktop entry's Exec line with %F expanded to `files`, as a launcher does."""
    with open(DESKTOP, encoding="utf-8") as f:
        exec_line = next(line.split("=", 1)[1].strip() for line in f if line.startswith("Exec="))
    words = []
    for word in shlex.split(exec_line):
        if word == "%F":
            words.extend(str(p) for p in files)
        else:
            words.append(word)
    return words


def test_the_installed_app_opens_a_file_from_its_desktop_entry_and_uploads_it(sandbox, tmp_path):
    scan = tmp_path / "referral scan.png"
    scan.write_bytes(png(120, 80, (20, 120, 60)))
    command = desktop_command([scan])
    binary = shutil.which(command[0])
    assert binary == "/usr/bin/decoda-uploader", command
    env = dict(os.environ)
    for var in ("DECODA_API_URL", "DECODA_TENANT", "DECODA_API_KEY", "DECODA_CONFIG", "DECODA_DATA_DIR"):
        env.pop(var, None)
    driver, proc = open_session(env, application=binary, args=command[1:])
    try:
        assert driver.title == "Decoda Uploader"
        wait(driver).until(EC.visibility_of_element_located((By.ID, "settings-form")))
        save_settings(driver, sandbox.url, KEY)
        choose_patient(driver, "garcia", "12-Mar-1984")
        names = driver.execute_script(
            "return [...document.querySelectorAll('#queue tbody tr td:nth-child(2) input')].map((i) => i.value);")
        assert names == ["referral scan.png"], "the file the desktop entry passed is listed"
        press_upload(driver)
        wait(driver, 60).until(lambda d: " uploaded, " in text_of(d, "upload-status"))
        assert [a["originalFilename"] for a in sandbox.attachments()] == ["referral scan.png"]
    finally:
        driver.quit()
        stop_group(proc)
