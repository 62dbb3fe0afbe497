"""End to end: an STS that answers 200 with hostile credentials. `credentials --format env` must
refuse them (exit 1, one error line naming the hop, the role and the field, no secret, nothing on
stdout) instead of printing shell syntax, expired credentials or another account's session.

The STS here is a few lines of stdlib http.server in this file: the hub hop gets a well-formed
answer, the spoke hop the hostile one."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import tempfile
import threading
import unittest
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

import e2e_support as es

HUB, SPOKE = "999999999999", "888888888888"
BASE_KEY, BASE_SECRET = "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY"
GOOD_KEY = "ASIAQ3EGRBZKXN7YW2LT"
GOOD_SECRET = "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"
GOOD_TOKEN = "IQoJb3JpZ2luX2VjE" + "Q" * 150 + "+/Zw=="
SPOKE_ROLE_ARN = f"arn:aws:iam::{SPOKE}:role/automation-spoke-role"


def in_an_hour() -> str:
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


class HostileSts:
    """AssumeRole answered from the request (RoleArn, RoleSessionName); `tamper(fields)` edits
    the spoke's answer."""

    def __init__(self) -> None:
        self.tamper = lambda fields: None
        sts = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", "0"))
                params = urllib.parse.parse_qs(self.rfile.read(length).decode())
                body = sts.answer(params["RoleArn"][0], params["RoleSessionName"][0]).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def answer(self, role_arn: str, session: str) -> str:
        account = role_arn.split(":")[4]
        name = role_arn.rsplit("/", 1)[1]
        f = {"key": GOOD_KEY, "secret": GOOD_SECRET, "token": GOOD_TOKEN,
             "expiration": in_an_hour(),
             "arn": f"arn:aws:sts::{account}:assumed-role/{name}/{session}",
             "id": f"AROAQ3EGRBZKROLE00001:{session}"}
        if account == SPOKE:
            self.tamper(f)
        return ("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                "<AssumeRoleResult><AssumedRoleUser>"
                f"<Arn>{escape(f['arn'])}</Arn><AssumedRoleId>{escape(f['id'])}</AssumedRoleId>"
                "</AssumedRoleUser><Credentials>"
                f"<AccessKeyId>{escape(f['key'])}</AccessKeyId>"
                f"<SecretAccessKey>{escape(f['secret'])}</SecretAccessKey>"
                f"<SessionToken>{escape(f['token'])}</SessionToken>"
                f"<Expiration>{escape(f['expiration'])}</Expiration>"
                "</Credentials></AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId>"
                "</ResponseMetadata></AssumeRoleResponse>")

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class HostileStsTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "assume-spoke-role",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.sts = HostileSts()
        cls.tmp = tempfile.mkdtemp(prefix="e2e-hostile-sts.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.sts.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def credentials_env(self, tamper) -> es.Ran:
        self.sts.tamper = tamper
        env = es.base_env(self.home, self.sts.url, BASE_KEY, BASE_SECRET,
                          ASSUME_ROLE_HUB_ACCOUNT=HUB,
                          ASSUME_ROLE_HUB_ROLE="automation-hub-role",
                          ASSUME_ROLE_SPOKE_ROLE="automation-spoke-role",
                          ASSUME_ROLE_EXTERNAL_ID="this-is-my-automation",
                          ASSUME_ROLE_SESSION_STRING=es.SESSION_STRING)
        return es.run([self.bin, "credentials", "--spoke-account", SPOKE, "--format", "env",
                       "--retries", "0"], env)

    def assertRefused(self, ran: es.Ran, *words: str, secrets: tuple[str, ...] = ()) -> str:
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertEqual(ran.stdout, "", ran.describe())
        lines = ran.stderr.splitlines()
        self.assertEqual(len(lines), 1, f"expected exactly one stderr line{ran.describe()}")
        line = lines[0]
        self.assertTrue(line.startswith(
            f"{es.ERROR_PREFIX} spoke hop {SPOKE_ROLE_ARN}: STS AssumeRole response refused: "),
            ran.describe())
        for w in words:
            self.assertIn(w, line)
        self.assertEqual(es.leaks(ran.stderr, (GOOD_SECRET, GOOD_TOKEN, BASE_SECRET) + secrets),
                         [], ran.describe())
        return line

    def test_control_a_good_answer_is_printed_and_sources_exactly(self) -> None:
        ran = self.credentials_env(lambda f: None)
        self.assertEqual(ran.returncode, 0, ran.describe())
        path = os.path.join(self.tmp, "good.env")
        with open(path, "w") as out:
            out.write(ran.stdout)
        got = subprocess.run(["/bin/sh", "-c", 'set -a; . "$1"; printf "%s|%s|%s" '
                              '"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"',
                              "sh", path], capture_output=True, text=True, timeout=10)
        self.assertEqual(got.stdout, f"{GOOD_KEY}|{GOOD_SECRET}|{GOOD_TOKEN}")

    def test_command_substitution_in_the_secret_is_refused(self) -> None:
        pwned = os.path.join(self.tmp, "pwned")
        secret = f"x$(touch {pwned})"

        def tamper(f: dict) -> None:
            f["secret"] = secret
        ran = self.credentials_env(tamper)
        self.assertRefused(ran, "SecretAccessKey", "the value is not shown", secrets=(secret,))
        self.assertFalse(os.path.exists(pwned))

    def test_newline_and_quote_in_the_key_id_are_refused(self) -> None:
        for key in (GOOD_KEY[:10] + "\nAWS_X=1", GOOD_KEY[:10] + "'\"`"):
            with self.subTest(key=key):
                def tamper(f: dict, key: str = key) -> None:
                    f["key"] = key
                self.assertRefused(self.credentials_env(tamper), "AccessKeyId",
                                   "16–128 characters of A-Z 0-9")

    def test_expired_credentials_are_refused_with_a_clock_hint(self) -> None:
        def tamper(f: dict) -> None:
            f["expiration"] = "2020-01-01T00:00:00Z"
        self.assertRefused(self.credentials_env(tamper),
                           "Expiration 2020-01-01T00:00:00Z is not in the future",
                           "clock skew")

    def test_a_session_of_another_account_is_refused(self) -> None:
        def tamper(f: dict) -> None:
            f["arn"] = f["arn"].replace(f":{SPOKE}:", ":777777777777:")
        self.assertRefused(self.credentials_env(tamper), "AssumedRoleUser Arn",
                           "names account 777777777777, not the requested 888888888888")


if __name__ == "__main__":
    unittest.main()
