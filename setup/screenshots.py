#!/usr/bin/env python3
# Copyright 2026 The Logistics Suite Authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Screenshots of the demo's real screens for the README (headless Chromium).

    python setup/screenshots.py [--url http://localhost:8069] [--out docs/images]
        NAME=PATH ...

Logs in as admin/admin, opens each PATH (e.g.
"/web#action=stock.action_picking_tree_all") and saves NAME.png. Needs
Chromium and the websocket-client package (both installed by
./setup/test.sh); talks to Chromium over the DevTools protocol.
"""

import argparse
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_chromium():
    for name in ("chromium", "google-chrome", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("Chromium not found (apt-get install chromium)")


class Browser:
    def __init__(self, width, height):
        self.port = free_port()
        self.profile = tempfile.mkdtemp(prefix="logistics-shots-")
        self.proc = subprocess.Popen(
            [
                find_chromium(),
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                f"--user-data-dir={self.profile}",
                f"--remote-debugging-port={self.port}",
                "--remote-allow-origins=*",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ws = websocket.create_connection(self._page_ws(), timeout=30)
        self.seq = 0
        self.call("Page.enable")
        self.call("Runtime.enable")

    def _page_ws(self):
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.port}/json", timeout=2
                ) as answer:
                    for target in json.load(answer):
                        if target.get("type") == "page":
                            return target["webSocketDebuggerUrl"]
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("Chromium did not start")

    def call(self, method, **params):
        self.seq += 1
        self.ws.send(json.dumps({"id": self.seq, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.seq:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True
        )
        return result.get("result", {}).get("value")

    def wait_for(self, expression, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.evaluate(expression):
                return True
            time.sleep(0.25)
        return False

    def goto(self, url):
        self.call("Page.navigate", url=url)
        time.sleep(0.5)
        self.wait_for("document.readyState === 'complete'")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            self.proc.wait(10)
            shutil.rmtree(self.profile, ignore_errors=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:8069")
    parser.add_argument("--login", default="admin")
    parser.add_argument("--password", default="admin")
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--width", type=int, default=1400)
    parser.add_argument("--height", type=int, default=820)
    parser.add_argument("--settle", type=float, default=2.0)
    parser.add_argument("shots", nargs="+", metavar="NAME=PATH")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    browser = Browser(args.width, args.height)
    try:
        browser.goto(args.url + "/web/login")
        login, password = json.dumps(args.login), json.dumps(args.password)
        browser.evaluate(
            f"document.querySelector('input[name=login]').value = {login};"
            f"document.querySelector('input[name=password]').value = {password};"
            "document.querySelector('form.oe_login_form').submit();"
        )
        if not browser.wait_for("!!document.querySelector('.o_main_navbar')", 60):
            sys.exit("login failed")
        for shot in args.shots:
            name, path = shot.split("=", 1)
            browser.goto(args.url + path)
            browser.wait_for(
                "!!document.querySelector('.o_action_manager .o_view_controller')"
                " && !document.querySelector('.o_loading_indicator')",
                60,
            )
            time.sleep(args.settle)
            data = browser.call("Page.captureScreenshot", format="png")["data"]
            target = os.path.join(args.out, f"{name}.png")
            with open(target, "wb") as handle:
                handle.write(base64.b64decode(data))
            print(target)
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
