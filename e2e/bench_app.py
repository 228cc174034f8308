"""Benchmarks of the desktop app (not run by the test suite): launch to an interactive window,
idle memory, how long 2,000 dropped files take to be listed, and how smoothly that list scrolls. Run with
`dbus-run-session -- bash scripts/bench-app.sh`; results are printed as a Markdown table."""

import os
import pathlib
import statistics
import subprocess
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from conftest import app_pid, open_session, stop_group
from test_app import png

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


SCROLL = """
const done = arguments[arguments.length - 1];
// Scrolls the whole list top to bottom, 120 px a frame (a brisk mouse wheel), and records the
// time between frames: a frame that takes longer than 33 ms is a visible stutter.
window.scrollTo(0, 0);
const gaps = [];
let last = null;
const step = (now) => {
  if (last !== null) gaps.push(now - last);
  last = now;
  const bottom = document.documentElement.scrollHeight - window.innerHeight;
  if (window.scrollY >= bottom) { done(gaps); return; }
  window.scrollBy(0, 120);
  requestAnimationFrame(step);
};
requestAnimationFrame(step);
"""


PREVIEWS_AFTER_SCROLL = """
const done = arguments[arguments.length - 1];
// Scrolls to the middle of the list, then times how long until every photo row on screen shows
// its preview.
window.scrollTo(0, document.documentElement.scrollHeight / 2);
const t0 = performance.now();
const visible = () => [...document.querySelectorAll('#queue td.preview[data-preview-id]')].filter((td) => {
  const r = td.getBoundingClientRect();
  return r.bottom > 0 && r.top < window.innerHeight;
});
const check = () => {
  const tds = visible();
  if (!tds.length) done(-1);
  else if (tds.every((td) => td.querySelector('img'))) done(performance.now() - t0);
  else requestAnimationFrame(check);
};
requestAnimationFrame(check);
"""


def scroll_frame_times(driver):
    driver.find_element(By.ID, "close-settings").click()  # a first run opens Settings over the list
    driver.set_script_timeout(120)
    gaps = driver.execute_async_script(SCROLL)
    assert len(gaps) > 100, "the list is long enough to scroll for many frames"
    return gaps


def test_bench_app(tmp_path, capsys):
    env = dict(os.environ, DECODA_CONFIG=str(tmp_path / "settings.toml"), DECODA_SYSTEM_CONFIG=str(tmp_path / "system.toml"))
    launches, idle = [], []
    folder = tmp_path / "many"
    folder.mkdir()
    photo = png(640, 480, (90, 140, 200))
    for i in range(2000):
        # One in five is a photo, so previews are made (lazily, as rows come into view) while scrolling.
        if i % 5 == 0:
            (folder / f"page {i:04}.png").write_bytes(photo)
        else:
            (folder / f"page {i:04}.txt").write_text(f"page {i}\n")
    list_times, frames, shown = [], [], []
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
        frames.extend(scroll_frame_times(driver))
        shown_ms = driver.execute_async_script(PREVIEWS_AFTER_SCROLL)
        assert shown_ms >= 0, "photos are on screen mid-list"
        shown.append(shown_ms / 1000)
        driver.quit()
        stop_group(proc)
    with capsys.disabled():
        print()
        print(f"| what | median of {RUNS} | range |")
        print("|---|---|---|")
        print(f"| launch to interactive window (WebDriver session start to the first screen shown) | {statistics.median(launches):.2f} s | {min(launches):.2f}–{max(launches):.2f} s |")
        print(f"| idle memory, app and its WebKit processes (PSS) | {statistics.median(idle) / 1024:.0f} MiB | {min(idle) / 1024:.0f}–{max(idle) / 1024:.0f} MiB |")
        print(f"| 2,000 files (400 of them photos) dropped as one folder: drop to all rows listed (checks, sniffing, rendering) | {statistics.median(list_times):.2f} s | {min(list_times):.2f}–{max(list_times):.2f} s |")
        frames.sort()
        p95 = frames[int(len(frames) * 0.95)]
        slow = sum(1 for f in frames if f > 33.4) / len(frames)
        print(f"| scrolling those 2,000 rows, 120 px a frame: time between frames ({len(frames)} frames) | median {statistics.median(frames):.1f} ms, 95th percentile {p95:.1f} ms | {slow:.1%} of frames over 33 ms |")
        print(f"| scrolling stops mid-list: until every photo on screen shows its preview | {statistics.median(shown):.2f} s | {min(shown):.2f}–{max(shown):.2f} s |")
