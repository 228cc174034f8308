"""Fixtures for the end-to-end tests: the real sandbox, the real app under WebDriver.

The app is the debug build with the `e2e` feature (which adds the command that feeds paths to the
same code a window drop uses). `tauri-driver` starts it through WebKitWebDriver; each test gets a
fresh settings file, so every run starts as a first run, and the real keychain of the private
D-Bus session that scripts/test.sh starts.
"""

import ctypes
import json
import os
import pathlib
import re
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.request
import zlib

import pytest
from selenium import webdriver
from selenium.webdriver.common.options import ArgOptions

ROOT = pathlib.Path(__file__).resolve().parent.parent
APP = ROOT / "target" / "debug" / "decoda-uploader"
SANDBOX = ROOT / "target" / "debug" / "decoda-sandbox"
OUT = ROOT / "target" / "e2e-out"


class Sandbox:
    """A running decoda-sandbox and its admin routes."""

    def __init__(self, port=0, scanner_pages=None, feeder_stack=None):
        """Starts a sandbox on `port` (0: any free one; a stopped sandbox's port brings "the
        server" back at the same address), with a stand-in network scanner when `scanner_pages`
        (that many generated pages) or `feeder_stack` (`cover:pat_1001,page,…`) is given; its
        address is then in `scanner_url`."""
        args = [str(SANDBOX), "--port", str(port)]
        with_scanner = scanner_pages is not None or feeder_stack is not None
        if scanner_pages is not None:
            args += ["--scanner", "--scanner-port", "0", "--feeder-pages", str(scanner_pages)]
        if feeder_stack is not None:
            args += ["--scanner", "--scanner-port", "0", "--feeder-stack", feeder_stack]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        first = self.proc.stdout.readline()
        match = re.match(r"decoda-sandbox listening on (http://\S+)", first)
        assert match, f"unexpected sandbox banner: {first!r}"
        self.url = match.group(1)
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])
        self.scanner_url = None
        while with_scanner and self.scanner_url is None:
            line = self.proc.stdout.readline()
            assert line, "the sandbox's banner named no scanner"
            found = re.match(r"\s*scanner:\s+(http://\S+)", line)
            self.scanner_url = found.group(1) if found else None

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method, headers={"content-type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
            return json.loads(text) if text else None

    def attachments(self):
        return self.admin("GET", "/__sandbox/attachments")

    def fault(self, kind, times=1, **fields):
        self.admin("POST", "/__sandbox/faults", {"fault": {"kind": kind, **fields}, "path": "/attachments/bulk", "times": times})

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


@pytest.fixture
def sandbox():
    s = Sandbox()
    yield s
    s.stop()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def xwd_to_png(data, max_width, max_height):
    """Converts a 24/32-bit TrueColor XWD screen dump to PNG, cropped to the window's area."""
    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    byte_order, bpp, stride = fields[7], fields[11], fields[12]
    masks = fields[14:17]
    ncolors = fields[19]
    assert bpp in (24, 32), f"unsupported screen depth {bpp}"
    pixels = data[header_size + 12 * ncolors:]
    order = "<" if byte_order == 0 else ">"
    shifts = [(m & -m).bit_length() - 1 for m in masks]
    w, h = min(width, max_width), min(height, max_height)
    step = bpp // 8
    rows = []
    for y in range(h):
        row = bytearray(b"\x00")
        line = pixels[y * stride:y * stride + w * step]
        for x in range(0, w * step, step):
            v = int.from_bytes(line[x:x + step], "little" if order == "<" else "big")
            row += bytes((v & m) >> s for m, s in zip(masks, shifts))
        rows.append(bytes(row))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b""))


class Shots:
    """Screenshots of each step, under target/e2e-out/<test>/."""

    def __init__(self, driver, name):
        self.driver = driver
        self.dir = OUT / name
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir.mkdir(parents=True)
        self.n = 0

    def __call__(self, step):
        # WebDriver's own screenshot (a WebKitGTK snapshot) can wait forever under Xvfb for a
        # frame nothing schedules, so the screen is read from the X server instead.
        self.n += 1
        xwd = subprocess.run(["xwd", "-root", "-silent"], check=True, capture_output=True, timeout=30).stdout
        (self.dir / f"{self.n:02d}-{step}.png").write_bytes(xwd_to_png(xwd, 1100, 900))


def stop_group(proc):
    """Stops tauri-driver and the WebKitWebDriver it started (same process group)."""
    try:
        os.killpg(proc.pid, 15)
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def wait_for_port(port, seconds=20):
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert time.monotonic() < deadline, f"nothing listens on port {port}"
            time.sleep(0.05)  # polling a port: there is no event to wait on


def open_session(env, attempts=3, application=APP, args=(), size=(1100, 900)):
    """Starts tauri-driver and opens a WebDriver session on the app (by default the e2e build),
    started with `args`, and sizes its window (`size=None` keeps the size the app chose).
    tauri-driver sometimes drops the first request while WebKitWebDriver is still starting; that
    case is tried again."""
    options = ArgOptions()
    options.set_capability("browserName", "wry")
    options.set_capability("tauri:options", {"application": str(application), "args": list(args)})
    for attempt in range(attempts):
        port, native = free_port(), free_port()
        proc = subprocess.Popen(
            ["tauri-driver", "--port", str(port), "--native-port", str(native)],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        try:
            wait_for_port(port)
            wait_for_port(native)
            driver = webdriver.Remote(command_executor=f"http://127.0.0.1:{port}", options=options)
            if size:
                driver.set_window_size(*size)
            return driver, proc
        except Exception:
            stop_group(proc)
            if attempt == attempts - 1:
                raise


def app_pid():
    """The newest running app process."""
    out = subprocess.run(["pgrep", "-f", "-n", str(APP)], capture_output=True, text=True).stdout.split()
    return int(out[0])


class _ClientMessage(ctypes.Structure):
    _fields_ = [("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
                ("display", ctypes.c_void_p), ("window", ctypes.c_ulong), ("message_type", ctypes.c_ulong),
                ("format", ctypes.c_int), ("data", ctypes.c_long * 5)]


class _Event(ctypes.Union):
    _fields_ = [("client", _ClientMessage), ("pad", ctypes.c_long * 24)]


def ask_window_to_close(title="Decoda Uploader"):
    """What a window manager's close button does: a WM_DELETE_WINDOW message to each top-level
    window with `title` (the virtual display has no window manager to click)."""
    tree = subprocess.run(["xwininfo", "-root", "-tree"], capture_output=True, text=True, check=True).stdout
    windows = [int(m.group(1), 16) for m in re.finditer(r"^\s*(0x[0-9a-f]+) \"([^\"]*)\"", tree, re.M)
               if m.group(2) == title]
    assert windows, f"no window named {title!r}"
    x11 = ctypes.cdll.LoadLibrary("libX11.so.6")
    x11.XOpenDisplay.restype = ctypes.c_void_p
    x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x11.XInternAtom.restype = ctypes.c_ulong
    x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x11.XSendEvent.argtypes = [ctypes.c_void_p, ctypes.c_ulong, ctypes.c_int, ctypes.c_long, ctypes.POINTER(_Event)]
    x11.XFlush.argtypes = [ctypes.c_void_p]
    x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
    display = x11.XOpenDisplay(None)
    assert display, "no X display"
    try:
        for window in windows:
            event = _Event()
            event.client.type = 33  # ClientMessage
            event.client.window = window
            event.client.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
            event.client.format = 32
            event.client.data[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
            x11.XSendEvent(display, window, 0, 0, ctypes.byref(event))
        x11.XFlush(display)
    finally:
        x11.XCloseDisplay(display)


def pytest_configure(config):
    config.addinivalue_line("markers", "app_env(**variables): extra environment for the app under test")


@pytest.fixture
def app(request):
    """The app under WebDriver, with a fresh settings file; yields (driver, shots, files_dir)."""
    work = pathlib.Path(tempfile.mkdtemp(prefix="decoda-e2e-"))
    env = dict(os.environ)
    for var in ("DECODA_API_URL", "DECODA_TENANT", "DECODA_API_KEY"):
        env.pop(var, None)
    env["DECODA_CONFIG"] = str(work / "settings.toml")
    env["DECODA_DATA_DIR"] = str(work / "data")
    env["DECODA_SYSTEM_CONFIG"] = str(work / "system.toml")
    marker = request.node.get_closest_marker("app_env")
    if marker:
        env.update(marker.kwargs)
    driver, driver_proc = open_session(env)
    files = work / "files"
    files.mkdir()
    try:
        yield driver, Shots(driver, request.node.name), files
    finally:
        try:
            driver.quit()
        except Exception:  # noqa: BLE001 - the app may have ended itself (a test closed it)
            pass
        stop_group(driver_proc)
        shutil.rmtree(work, ignore_errors=True)
