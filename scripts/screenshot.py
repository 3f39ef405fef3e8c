"""Screenshots of a running Odoo (scripts/run) in headless Chromium.

Logs in through Odoo's JSON-RPC, hands the session cookie to Chromium over
the DevTools protocol and saves one PNG per page.
Usage: python scripts/screenshot.py OUT_DIR NAME=/odoo/path[|css selector to click] ...
Environment: SFF_URL (default http://localhost:8069), SFF_DB, SFF_LOGIN,
SFF_PASSWORD, SFF_WIDTH and SFF_HEIGHT (window size, default 1440 x 900).
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket

URL = os.environ.get("SFF_URL", "http://localhost:8069")
DB = os.environ.get("SFF_DB", "sales_funnel_demo")
LOGIN = os.environ.get("SFF_LOGIN", "admin")
PASSWORD = os.environ.get("SFF_PASSWORD", "admin")
WIDTH = int(os.environ.get("SFF_WIDTH", "1440"))
HEIGHT = int(os.environ.get("SFF_HEIGHT", "900"))


def login():
    body = json.dumps(
        {"jsonrpc": "2.0", "params": {"db": DB, "login": LOGIN, "password": PASSWORD}}
    )
    request = urllib.request.Request(
        f"{URL}/web/session/authenticate", body.encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        cookie = response.headers["Set-Cookie"]
    return cookie.split("session_id=")[1].split(";")[0]


class Chromium:
    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="sff-chromium-")
        self.process = subprocess.Popen(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=9333",
                f"--window-size={WIDTH},{HEIGHT}",
                f"--user-data-dir={self.profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _attempt in range(50):
            try:
                with urllib.request.urlopen("http://127.0.0.1:9333/json", timeout=5) as response:
                    pages = [t for t in json.load(response) if t["type"] == "page"]
                if pages:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60)
        self.counter = 0

    def call(self, method, **params):
        self.counter += 1
        self.socket.send(json.dumps({"id": self.counter, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.counter:
                return message.get("result", {})

    def wait_for(self, selector, seconds):
        """Wait until the page shows an element matching ``selector``."""
        deadline = time.time() + seconds
        while time.time() < deadline:
            found = self.call(
                "Runtime.evaluate",
                expression=f"!!document.querySelector({json.dumps(selector)})",
                returnByValue=True,
            )
            if found.get("result", {}).get("value"):
                return True
            time.sleep(0.5)
        return False

    def close(self):
        self.process.terminate()


def main():
    out_dir, pages = sys.argv[1], sys.argv[2:]
    os.makedirs(out_dir, exist_ok=True)
    session = login()
    browser = Chromium()
    try:
        browser.call("Network.enable")
        browser.call("Network.setCookie", name="session_id", value=session, url=URL)
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )
        for page in pages:
            name, path = page.split("=", 1)
            path, _sep, click = path.partition("|")
            browser.call("Page.navigate", url=f"{URL}{path}")
            browser.wait_for(".o_view_controller, .o_form_view", seconds=90)
            time.sleep(3)
            if click:
                browser.call(
                    "Runtime.evaluate",
                    expression=f"document.querySelector({json.dumps(click)}).click()",
                )
                time.sleep(3)
            shot = browser.call("Page.captureScreenshot", format="png")
            target = os.path.join(out_dir, f"{name}.png")
            with open(target, "wb") as handle:
                handle.write(base64.b64decode(shot["data"]))
            print(target)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
