"""End to end: `run --refresh` against the lab in test mode (`--session-lifetime`: every session it
issues expires after a few seconds), with a child that outlives several spoke sessions: a
long-lived boto3 client and the AWS CLI keep getting valid credentials from our credentials
endpoint; the endpoint refuses requests without its token and is gone when the child exits."""

from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import unittest
import urllib.error
import urllib.parse
import urllib.request

import e2e_support as es
from test_lab_clients import EXTERNAL_ID, HUB, SPOKE, USER_KEY, USER_SECRET, Lab

LIFETIME = 4  # seconds: the lab's --session-lifetime
CHILD_SECONDS = 14  # more than three spoke sessions

# The child. Writes what it saw to the JSON file named by argv[1]; never prints a secret.
CHILD = r'''
import json, os, subprocess, sys, time, urllib.error, urllib.request
import boto3

out = {"env_has_static_keys": any(k in os.environ for k in
                                  ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                   "AWS_SESSION_TOKEN")),
       "url": os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI", ""),
       "token": os.environ.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")}

def status(headers):
    req = urllib.request.Request(out["url"], headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code

out["no_token_status"] = status({})
out["wrong_token_status"] = status({"Authorization": "0" * len(out["token"])})

sts = boto3.session.Session().client("sts")
arns, keys, errors = [], set(), []
deadline = time.monotonic() + float(sys.argv[2])
while time.monotonic() < deadline:
    try:
        arns.append(sts.get_caller_identity()["Arn"])
        keys.add(sts._request_signer._credentials.get_frozen_credentials().access_key)
    except Exception as e:
        errors.append(f"{type(e).__name__}: {e}")
    time.sleep(0.5)
out.update(arns=sorted(set(arns)), calls=len(arns), distinct_keys=len(keys), errors=errors[:5])

cli = subprocess.run(["aws", "sts", "get-caller-identity", "--output", "json"],
                     capture_output=True, text=True, timeout=60)
out["cli_status"] = cli.returncode
out["cli_arn"] = json.loads(cli.stdout)["Arn"] if cli.returncode == 0 else cli.stderr[-500:]
with open(sys.argv[1], "w") as f:
    json.dump(out, f)
'''


class RunRefreshTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        es.aws_cli()
        cls.tmp = tempfile.mkdtemp(prefix="e2e-refresh.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        cls.lab = Lab(cls.bin, cls.tmp, "--session-lifetime", str(LIFETIME))
        cls.child = os.path.join(cls.tmp, "child.py")
        with open(cls.child, "w") as f:
            f.write(CHILD)

    @classmethod
    def tearDownClass(cls) -> None:
        rc = cls.lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert rc == 0, f"the lab did not stop cleanly: {rc}"

    def env(self) -> dict[str, str]:
        return es.base_env(self.home, self.lab.url, USER_KEY, USER_SECRET,
                           ASSUME_ROLE_HUB_ACCOUNT=HUB, ASSUME_ROLE_HUB_ROLE="automation-hub-role",
                           ASSUME_ROLE_SPOKE_ROLE="automation-spoke-role",
                           ASSUME_ROLE_EXTERNAL_ID=EXTERNAL_ID,
                           ASSUME_ROLE_SESSION_STRING=es.SESSION_STRING)

    def test_child_outlives_several_spoke_sessions(self) -> None:
        report = os.path.join(self.tmp, "report.json")
        ran = es.run([self.bin, "run", "--refresh", "-v", "--spoke-account", SPOKE, "--",
                      es.sys_python(), self.child, report, str(CHILD_SECONDS)],
                     self.env(), timeout=CHILD_SECONDS + 90)
        self.assertEqual(ran.returncode, 0, ran.describe())
        with open(report) as f:
            seen = json.load(f)
        spoke = es.spoke_arn(SPOKE)
        self.assertFalse(seen["env_has_static_keys"], "the child gets an endpoint, not keys")
        self.assertEqual(seen["errors"], [], "every call of the long-lived client succeeded")
        self.assertEqual(seen["arns"], [spoke])
        self.assertGreaterEqual(seen["calls"], 10)
        # Sessions live LIFETIME seconds: the client must have moved through several.
        self.assertGreaterEqual(seen["distinct_keys"], CHILD_SECONDS // LIFETIME - 1, seen)
        self.assertEqual(seen["cli_status"], 0, seen["cli_arn"])
        self.assertEqual(seen["cli_arn"], spoke, "the AWS CLI, after the first sessions expired")
        self.assertEqual(seen["no_token_status"], 401)
        self.assertEqual(seen["wrong_token_status"], 401)

        # The endpoint was on loopback and is closed now.
        url = urllib.parse.urlsplit(seen["url"])
        self.assertEqual((url.scheme, url.hostname, url.path), ("http", "127.0.0.1", "/credentials"))
        with self.assertRaises(OSError):
            socket.create_connection(("127.0.0.1", url.port), timeout=2).close()

        # Nothing secret in our log, not even the endpoint's token.
        self.assertEqual(len(seen["token"]), 64)
        self.assertEqual(es.leaks(ran.stderr + ran.stdout, [seen["token"], USER_SECRET]), [])
        self.assertIn("credentials endpoint served", ran.stderr)

    def test_broken_chain_fails_before_the_child_starts(self) -> None:
        marker = os.path.join(self.tmp, "started")
        env = self.env()
        env["ASSUME_ROLE_EXTERNAL_ID"] = "not-the-external-id"
        ran = es.run([self.bin, "run", "--refresh", "--spoke-account", SPOKE, "--",
                      "touch", marker], env, timeout=60)
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("AccessDenied", ran.stderr)
        self.assertIn(" hop arn:aws:iam::", ran.stderr)
        self.assertFalse(os.path.exists(marker), "the child never ran")

    def test_exit_status_of_the_child_is_ours(self) -> None:
        ran = es.run([self.bin, "run", "--refresh", "--spoke-account", SPOKE, "--",
                      "sh", "-c", "exit 7"], self.env(), timeout=60)
        self.assertEqual(ran.returncode, 7, ran.describe())


if __name__ == "__main__":
    unittest.main()
