"""The release build's start, measured from outside: see scripts/bench-launch.sh.

Each run starts the program as a user would (a fresh process, a first run with no settings) and
measures, from the moment it was started:
- the window mapped on the display (both programs; polled with xwininfo),
- the first paint (both programs, on the computer's clock: the app logs it with the moment its
  window is ready for input, `window ready: first paint at …, interactive at …`; the hello-world
  window prints `first paint at …`),
- idle memory once the window has settled: PSS of the program and the WebKit processes it started.
The app and the hello-world window alternate, so both see the same machine load."""

import os
import pathlib
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "e2e"))
from bench_app import tree_pss_kib  # noqa: E402 - the e2e helpers, found through the path above
from test_app import descendants  # noqa: E402
APP = ROOT / "target" / "release" / "decoda-uploader"
HELLO = ROOT / "target" / "release" / "hello-tauri"
SETTLE = 5.0  # idle memory is measured after the window has settled: by definition a wait
READY = re.compile(r"window ready: first paint at (\d+), interactive at (\d+)")
HELLO_PAINT = re.compile(r"first paint at (\d+)")


def mapped(title):
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True).stdout
    return any(f'"{title}"' in line and "+" in line for line in tree.splitlines()
               if re.search(r"\d+x\d+\+", line) and "1x1+" not in line)


def until(what, check, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.005)


def ready_line(log_dir):
    for f in log_dir.glob("*"):
        match = READY.search(f.read_text(errors="replace"))
        if match:
            return int(match.group(1)), int(match.group(2))
    return None


def hello_paint(out):
    match = HELLO_PAINT.search(out.read_text(errors="replace")) if out.exists() else None
    return int(match.group(1)) if match else None


def run(binary, title, work, is_app):
    env = dict(os.environ)
    for var in ("DECODA_API_URL", "DECODA_TENANT", "DECODA_API_KEY"):
        env.pop(var, None)
    logs = work / "logs"
    env.update(DECODA_CONFIG=str(work / "settings.toml"), DECODA_DATA_DIR=str(work / "data"),
               DECODA_SYSTEM_CONFIG=str(work / "none.toml"), DECODA_LOG_DIR=str(logs))
    out = work / "stdout"
    started = time.time()
    with out.open("w") as stdout:
        proc = subprocess.Popen([str(binary)], env=env, stdout=stdout, stderr=subprocess.DEVNULL,
                                start_new_session=True)
    try:
        until(f"{title} mapped", lambda: mapped(title))
        shown = time.time() - started
        ready = None
        if is_app:
            painted_ms, ready_ms = until("the app's ready line", lambda: logs.exists() and ready_line(logs))
            ready = ready_ms / 1000 - started
        else:
            painted_ms = until("the hello-world window's paint line", lambda: hello_paint(out))
        paint = painted_ms / 1000 - started
        until("the web view's process", lambda: any(name.startswith("WebKit") for _, name in descendants(proc.pid)))
        time.sleep(SETTLE)
        memory = tree_pss_kib(proc.pid)
        return {"shown": shown, "paint": paint, "ready": ready, "memory": memory}
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)


def describe(values, unit, scale=1.0, digits=2):
    values = [v * scale for v in values]
    return f"{statistics.median(values):.{digits}f} {unit} | {min(values):.{digits}f}–{max(values):.{digits}f} {unit}"


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    app, hello = [], []
    for _ in range(runs):
        for results, binary, title, is_app in ((app, APP, "Decoda Uploader", True), (hello, HELLO, "Hello Tauri", False)):
            work = pathlib.Path(tempfile.mkdtemp(prefix="decoda-bench-launch-"))
            try:
                results.append(run(binary, title, work, is_app))
            finally:
                shutil.rmtree(work, ignore_errors=True)
    mem_ratio = statistics.median(r["memory"] for r in app) / statistics.median(r["memory"] for r in hello)
    paint_ratio = statistics.median(r["paint"] for r in app) / statistics.median(r["paint"] for r in hello)
    print()
    print(f"| what (release build, median of {runs}) | median | range |")
    print("|---|---|---|")
    print(f"| app: launch to first paint | {describe([r['paint'] for r in app], 's')} |")
    print(f"| app: launch to interactive (settings read, handlers in place) | {describe([r['ready'] for r in app], 's')} |")
    print(f"| app: launch to window shown | {describe([r['shown'] for r in app], 's')} |")
    print(f"| hello-world Tauri: launch to first paint | {describe([r['paint'] for r in hello], 's')} |")
    print(f"| hello-world Tauri: launch to window shown | {describe([r['shown'] for r in hello], 's')} |")
    print(f"| first paint, app / hello world (medians) | {paint_ratio:.2f}× | |")
    print(f"| app: idle memory, with its WebKit processes (PSS) | {describe([r['memory'] for r in app], 'MiB', 1 / 1024, 0)} |")
    print(f"| hello-world Tauri: idle memory, likewise | {describe([r['memory'] for r in hello], 'MiB', 1 / 1024, 0)} |")
    print(f"| memory ratio, app / hello world (medians) | {mem_ratio:.2f}× | target ≤ 1.20× |")


if __name__ == "__main__":
    main()
