"""End to end: `run --refresh` keeps serving its child while another local user tries to starve
the credentials endpoint by holding 200 idle connections without the token (issue 11).

The endpoint admits 64 connections. Before the fix a local user holding them (each for the whole
5 s header timeout, re-opened at once when closed) made nearly every fetch of the child get a 503.
Now a connection that has not presented the token is cut after ~2 s and is the first to be evicted
when a new connection arrives at the limit, and the endpoint accepts a connection only once its
request has arrived (idle ones after 3 s), so the child's fetches all succeed, even the ones that
wait 300 ms between connecting and sending, as on a loaded machine (an ASan CI run once lost one
that way: the attacker's re-opened connections evicted it before it had sent)."""

from __future__ import annotations

import json
import os
import selectors
import socket
import threading
import time
import unittest
import urllib.parse

import e2e_support as es

ATTACKERS = 200     # idle connections held open without the token
FETCH_SECONDS = 8   # the child fetches once a second for this long

# The child. Publishes the endpoint's URL (never the token) in argv[2], waits for the go file
# argv[3] (the attack is on), then fetches credentials once a second and writes what happened to
# the JSON file argv[1]. Prints only the tally.
CHILD = r'''
import http.client, json, os, sys, time, urllib.parse

report, url_file, go_file, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
url = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
token = os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
with open(url_file + ".tmp", "w") as f:
    f.write(url)
os.rename(url_file + ".tmp", url_file)

deadline = time.monotonic() + 60
while not os.path.exists(go_file) and time.monotonic() < deadline:
    time.sleep(0.05)

parts = urllib.parse.urlsplit(url)
results = []
end = time.monotonic() + seconds
while time.monotonic() < end:
    started = time.monotonic()
    try:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        conn.connect()
        if len(results) % 2:
            time.sleep(0.3)  # every other fetch is slow to send after connecting
        conn.request("GET", parts.path, headers={"Authorization": token})
        r = conn.getresponse()
        body = json.loads(r.read() or b"{}")
        conn.close()
        results.append("ok" if r.status == 200 and body.get("AccessKeyId") else
                       f"status {r.status}")
    except Exception as e:
        results.append(f"{type(e).__name__}: {str(e)[:100]}")
    time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))

ok = results.count("ok")
print(f"fetched {ok}/{len(results)}")
with open(report, "w") as f:
    json.dump({"went": os.path.exists(go_file), "ok": ok, "tries": len(results),
               "errors": [r for r in results if r != "ok"][:5], "token": token}, f)
'''


class Attacker:
    """Holds `count` connections to 127.0.0.1:port that never send a byte; each one the server
    closes (or refuses with a 503) is re-opened at once, until stop()."""

    def __init__(self, port: int, count: int) -> None:
        self.port = port
        self.count = count
        self.sel = selectors.DefaultSelector()
        self.opened = 0          # connections established, in all
        self.cut = 0             # closed by the server (timeout, eviction or 503)
        self.refused_503 = 0     # of those, the ones answered with a 503
        self.connect_errors = 0
        self._stop = threading.Event()

    def _open_one(self) -> bool:
        try:
            s = socket.create_connection(("127.0.0.1", self.port), timeout=2)
        except OSError:
            self.connect_errors += 1
            return False
        s.setblocking(False)
        self.sel.register(s, selectors.EVENT_READ)
        self.opened += 1
        return True

    def open_all(self) -> int:
        for _ in range(self.count):
            self._open_one()
        return len(self.sel.get_map())

    def run(self) -> None:
        while not self._stop.is_set():
            for key, _ in self.sel.select(0.05):
                s = key.fileobj
                try:
                    data = s.recv(4096)
                except BlockingIOError:
                    continue
                except OSError:
                    data = b""
                if data.startswith(b"HTTP/1.1 503"):
                    self.refused_503 += 1
                self.cut += 1
                self.sel.unregister(s)
                s.close()
                if not self._stop.is_set() and not self._open_one():
                    time.sleep(0.01)  # the endpoint is gone (the child ended): do not spin

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        for key in list(self.sel.get_map().values()):
            key.fileobj.close()
        self.sel.close()


class RefreshStarvationTest(es.MotoTestCase):

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.child = os.path.join(cls.tmp, "starved_child.py")
        with open(cls.child, "w") as f:
            f.write(CHILD)

    def test_child_fetches_while_200_connections_without_the_token_are_held(self) -> None:
        report = os.path.join(self.tmp, "starvation-report.json")
        url_file = os.path.join(self.tmp, "starvation-url")
        go_file = os.path.join(self.tmp, "starvation-go")
        attack: dict = {}
        done = threading.Event()

        def attack_when_ready() -> None:
            deadline = time.monotonic() + 60
            while not os.path.exists(url_file) and not done.is_set():
                if time.monotonic() > deadline:
                    return
                time.sleep(0.05)
            if done.is_set():
                return
            with open(url_file) as f:
                url = urllib.parse.urlsplit(f.read())
            attacker = Attacker(url.port, ATTACKERS)
            attack.update(url=url, attacker=attacker, held=attacker.open_all())
            open(go_file, "w").close()
            attacker.run()

        thread = threading.Thread(target=attack_when_ready, name="attacker", daemon=True)
        thread.start()
        try:
            ran = self.tool("run", "--refresh", "-v", "--",
                            es.sys_python(), self.child, report, url_file, go_file,
                            str(FETCH_SECONDS),
                            env=self.env(self.seed["spoke_accounts"][0]),
                            timeout=FETCH_SECONDS + 90)
        finally:
            done.set()
            if "attacker" in attack:
                attack["attacker"].stop()
            thread.join(timeout=10)
            if "attacker" in attack:
                attack["attacker"].close()
        self.assertExit(ran, 0)
        self.assertIn("attacker", attack, "the child never published its endpoint")
        with open(report) as f:
            seen = json.load(f)
        attacker: Attacker = attack["attacker"]
        figures = (f"{seen['ok']}/{seen['tries']} fetches succeeded; attacker held "
                   f"{attack['held']} connections, opened {attacker.opened} in all, "
                   f"{attacker.cut} cut by the server ({attacker.refused_503} with a 503)")
        print(f"\n  {figures}")

        url = attack["url"]
        self.assertEqual((url.scheme, url.hostname, url.path), ("http", "127.0.0.1", "/credentials"))
        self.assertTrue(seen["went"], "the child saw the attack start")
        self.assertEqual(attack["held"], ATTACKERS, figures)
        self.assertGreaterEqual(attacker.opened, ATTACKERS, figures)
        self.assertGreaterEqual(seen["tries"], FETCH_SECONDS - 1, figures)
        self.assertEqual(seen["errors"], [], figures)
        self.assertEqual(seen["ok"], seen["tries"], figures)
        self.assertIn(f"fetched {seen['ok']}/{seen['tries']}", ran.stdout)

        # Nothing secret in our log, not even the endpoint's token.
        self.assertEqual(len(seen["token"]), 64)
        self.assertEqual(es.leaks(ran.stderr, [seen["token"], self.seed["secret_access_key"]]), [])
        self.assertIn("credentials endpoint served", ran.stderr)


if __name__ == "__main__":
    unittest.main()
