"""Benchmarks of the desktop app (not run by the test suite): launch to an interactive window,
idle memory, and how long 2,000 dropped files take to be listed. Run with
`dbus-run-session -- bash scripts/bench-app.sh`; results are printed as a Markdown table."""

import os
import pathlib
import statistics
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import APP, open_session, stop_group

RUNS = 5


def tree_pss_kib(root_pid):
    """Proportional memory (PSS: shared pages split between their users, so shared libraries are
    not counted once per process) of a process and its descendants (the WebKit helpers)."""
    children = {}
    for status in pathlib.Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        children.setdefault(int(fields["PPid"]), []).append(int(fields["Pid"]))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += pss_kib(pid)
        todo.extend(children.get(pid, []))
    return total


def pss_kib(pid):
    try:
        for line in pathlib.Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def app_pid():
    out = subprocess.run(["pgrep", "-f", "-n", str(APP)], capture_output=True, text=True).stdout.split()
    return int(out[0])


def test_bench_app(tmp_path, capsys):
    env = dict(os.environ, DECODA_CONFIG=str(tmp_path / "settings.toml"))
    launches, idle = [], []
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(2000):
        (folder / f"scan {i:04}.txt").write_text(f"page {i}\n")
    list_times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        driver, proc = open_session(env)
        WebDriverWait(driver, 30).until(EC.visibility_of_element_located((By.ID, "settings-form")))
        launches.append(time.perf_counter() - t0)
        time.sleep(3)  # idle memory is measured after the window has settled, by definition a wait
        idle.append(tree_pss_kib(app_pid()))
        elapsed_ms = driver.execute_async_script(
            """
            const done = arguments[arguments.length - 1];
            const body = document.querySelector('#queue tbody');
            const t0 = performance.now();
            const check = () => { if (body.children.length >= 2000) { obs.disconnect(); done(performance.now() - t0); } };
            const obs = new MutationObserver(check);
            obs.observe(body, { childList: true });
            window.__TAURI__.core.invoke('e2e_drop_paths', { paths: [arguments[0]] }).catch((e) => done(-1));
            """,
            str(folder),
        )
        assert elapsed_ms > 0
        list_times.append(elapsed_ms / 1000)
        driver.quit()
        stop_group(proc)
    with capsys.disabled():
        print()
        print(f"| what | median of {RUNS} | range |")
        print("|---|---|---|")
        print(f"| launch to interactive window (WebDriver session start to the first screen shown) | {statistics.median(launches):.2f} s | {min(launches):.2f}–{max(launches):.2f} s |")
        print(f"| idle memory, app and its WebKit processes (PSS) | {statistics.median(idle) / 1024:.0f} MiB | {min(idle) / 1024:.0f}–{max(idle) / 1024:.0f} MiB |")
        print(f"| 2,000 files dropped as one folder: drop to all rows listed (checks, sniffing, rendering) | {statistics.median(list_times):.2f} s | {min(list_times):.2f}–{max(list_times):.2f} s |")
