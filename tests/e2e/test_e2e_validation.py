"""End to end: bad input is refused before anything is sent.

One table row per mistake: the arguments and/or environment, the flag or environment variable
the message must name, and a fragment of the rule it must state.  For every row: exit status 2,
stderr is exactly one line starting with "assume-spoke-role: error:" that names the flag/variable
and states the rule, an external id is never echoed, and no connection reached the endpoint
(AWS_ENDPOINT_URL points at a listener that counts connections).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest
from dataclasses import dataclass, field

import e2e_support as es

HUB = "999999999999"
SPOKE = "888888888888"
FAKE_KEY_ID = "AKIAE2EVALIDATION000"
FAKE_SECRET = "e2eValidationFakeSecretKey0000000000000+"
EXT_SPACE = "my external id"  # a value with spaces
EXT_LONG = "L" * 1225


@dataclass
class Row:
    id: str
    args: list[str]                       # after the binary
    names: str | tuple[str, ...]          # the flag(s) / env var(s) the message must name
    rule: str                             # a fragment of the rule the message must state
    env: dict = field(default_factory=dict)  # overrides of the valid default env (None: unset)
    secret: str | None = None             # must never be echoed (external ids)


def run_args(*flags: str) -> list[str]:
    return ["run", *flags, "--", "true"]


def _tags(n: int) -> list[str]:
    return [a for i in range(n) for a in ("--tag", f"k{i}=v")]


def _policy_arns(n: int) -> list[str]:
    return [a for i in range(n)
            for a in ("--policy-arn", f"arn:aws:iam::123456789012:policy/p{i}")]


# "{tmp}" in an argument is replaced by the test's temporary directory.
ROWS: list[Row] = [
    # -- account ids ---------------------------------------------------------------
    Row("hub-account-short", run_args("--hub-account", "12345"),
        "--hub-account", "12 digits"),
    Row("spoke-account-letters", run_args("--spoke-account", "88888888888a"),
        "--spoke-account", "12 digits"),
    Row("spoke-account-13-digits", run_args("--spoke-account", "8888888888888"),
        "--spoke-account", "12 digits"),
    Row("hub-account-env", run_args(), "ASSUME_ROLE_HUB_ACCOUNT", "12 digits",
        env={"ASSUME_ROLE_HUB_ACCOUNT": "99999"}),
    Row("spoke-account-env", run_args(), "ASSUME_ROLE_SPOKE_ACCOUNT", "12 digits",
        env={"ASSUME_ROLE_SPOKE_ACCOUNT": "abcdefghijkl"}),
    Row("hub-account-empty-flag", run_args("--hub-account", ""),
        "--hub-account", "empty"),
    Row("spoke-account-missing", run_args(), "--spoke-account", "required",
        env={"ASSUME_ROLE_SPOKE_ACCOUNT": None}),
    Row("hub-role-missing", run_args(), "--hub-role", "required",
        env={"ASSUME_ROLE_HUB_ROLE": None}),
    # -- roles -----------------------------------------------------------------
    Row("hub-role-space", run_args("--hub-role", "automation hub"),
        "--hub-role", "role name"),
    Row("spoke-role-65-chars", run_args("--spoke-role", "r" * 65),
        "--spoke-role", "1–64"),
    Row("spoke-role-env-bad", run_args(), "ASSUME_ROLE_SPOKE_ROLE", "role name",
        env={"ASSUME_ROLE_SPOKE_ROLE": "bad/role name"}),
    Row("hub-role-bad-arn", run_args("--hub-role", "arn:aws:iam::999999999999"),
        "--hub-role", "role ARN"),
    Row("spoke-role-user-arn",
        run_args("--spoke-role", "arn:aws:iam::888888888888:user/sys-automation"),
        "--spoke-role", "role"),
    Row("spoke-role-arn-other-account",
        run_args("--spoke-account", SPOKE,
                 "--spoke-role", "arn:aws:iam::777777777777:role/automation-spoke-role"),
        ("--spoke-role", "--spoke-account", "777777777777"), "agree"),
    Row("hub-role-arn-aws-cn-in-us-east-1",
        run_args("--region", "us-east-1",
                 "--hub-role", "arn:aws-cn:iam::999999999999:role/automation-hub-role"),
        "--hub-role", "aws-cn"),
    # -- session string ----------------------------------------------------------
    Row("session-string-control-char", run_args("--session-string", "me\x07you"),
        "--session-string", "control character"),
    Row("session-string-65-chars", run_args("--session-string", "s" * 65),
        "--session-string", "at most 64"),
    Row("session-string-env-control-char", run_args(), "ASSUME_ROLE_SESSION_STRING",
        "control character", env={"ASSUME_ROLE_SESSION_STRING": "tab\there"}),
    # -- external ids (never echoed) ----------------------------------------------
    Row("external-id-1-char", run_args("--external-id", "Q"),
        "--external-id", "2–1224", secret="Q"),
    Row("external-id-1225-chars", run_args("--external-id", EXT_LONG),
        "--external-id", "2–1224", secret=EXT_LONG),
    Row("external-id-space", run_args("--external-id", EXT_SPACE),
        "--external-id", "external id", secret=EXT_SPACE),
    Row("external-id-env-space", run_args(), "ASSUME_ROLE_EXTERNAL_ID", "external id",
        env={"ASSUME_ROLE_EXTERNAL_ID": EXT_SPACE}, secret=EXT_SPACE),
    Row("hub-external-id-1-char", run_args("--hub-external-id", "Q"),
        "--hub-external-id", "2–1224", secret="Q"),
    Row("spoke-external-id-space", run_args("--spoke-external-id", EXT_SPACE),
        "--spoke-external-id", "external id", secret=EXT_SPACE),
    Row("hub-external-id-env", run_args(), "ASSUME_ROLE_HUB_EXTERNAL_ID",
        "external id", env={"ASSUME_ROLE_HUB_EXTERNAL_ID": EXT_SPACE},
        secret=EXT_SPACE),
    Row("spoke-external-id-env", run_args(), "ASSUME_ROLE_SPOKE_EXTERNAL_ID",
        "2–1224", env={"ASSUME_ROLE_SPOKE_EXTERNAL_ID": EXT_LONG}, secret=EXT_LONG),
    # -- duration ------------------------------------------------------------------
    Row("duration-2h", run_args("--duration", "2h"), "--duration", "1 hour"),
    Row("duration-10m", run_args("--duration", "10m"), "--duration", "900–3600"),
    Row("duration-abc", run_args("--duration", "abc"), "--duration", "a duration is"),
    Row("duration-0", run_args("--duration", "0"), "--duration", "900–3600"),
    Row("duration-env", run_args(), "ASSUME_ROLE_DURATION", "1 hour",
        env={"ASSUME_ROLE_DURATION": "3h"}),
    # -- tags ----------------------------------------------------------------------
    Row("tag-without-equals", run_args("--tag", "ticket"), "--tag", "KEY=VALUE"),
    Row("tag-key-aws-prefix", run_args("--tag", "aws:team=ops"), "--tag", "'aws:'"),
    Row("tag-key-129-chars", run_args("--tag", "k" * 129 + "=v"), "--tag", "1–128"),
    Row("tag-value-bad-char", run_args("--tag", "team=ops<script>"), "--tag",
        "tag value"),
    Row("tag-duplicate-keys", run_args("--tag", "Team=a", "--tag", "team=b"), "--tag",
        "twice"),
    Row("tag-51", run_args(*_tags(51)), "--tag", "at most 50"),
    Row("source-identity-aws-prefix", run_args("--source-identity", "aws:me"),
        "--source-identity", "source identity is"),
    # -- session policies ---------------------------------------------------------
    Row("policy-missing-file", run_args("--policy", "{tmp}/no-such-policy.json"),
        "--policy", "cannot read"),
    Row("policy-invalid-json", run_args("--policy", "{tmp}/bad.json"), "--policy",
        "JSON"),
    Row("policy-empty-file", run_args("--policy", "{tmp}/empty.json"), "--policy",
        "empty"),
    Row("policy-too-large", run_args("--policy", "{tmp}/big.json"), "--policy", "2048"),
    Row("policy-arn-malformed", run_args("--policy-arn", "arn:aws:iam::123:policy"),
        "--policy-arn", "managed policy ARN"),
    Row("policy-arn-11", run_args(*_policy_arns(11)), "--policy-arn", "at most 10"),
    # -- region and endpoint -------------------------------------------------------
    Row("region-upper-case", run_args("--region", "US-EAST-1"), "--region",
        "lower-case"),
    Row("region-env-bad", run_args(), "AWS_REGION", "lower-case",
        env={"AWS_REGION": "Not_A_Region"}),
    Row("endpoint-ftp", run_args("--endpoint-url", "ftp://127.0.0.1/"),
        "--endpoint-url", "http:// or https://"),
    Row("endpoint-not-a-url", run_args("--endpoint-url", "not a url"),
        "--endpoint-url", "http:// or https://"),
    Row("endpoint-env-bad", run_args(), "AWS_ENDPOINT_URL", "http:// or https://",
        env={"AWS_ENDPOINT_URL": "ftp://127.0.0.1/"}),
    Row("endpoint-sts-env-bad", run_args(), "AWS_ENDPOINT_URL_STS",
        "http:// or https://", env={"AWS_ENDPOINT_URL_STS": "not a url"}),
    Row("default-region-env-bad", run_args(), "AWS_DEFAULT_REGION", "lower-case",
        env={"AWS_REGION": None, "AWS_DEFAULT_REGION": "EU_WEST_2"}),
    # -- retries -------------------------------------------------------------------
    Row("retries-negative", run_args("--retries", "-1"), "--retries", "0–20"),
    Row("retries-abc", run_args("--retries", "abc"), "--retries", "0–20"),
    Row("retries-21", run_args("--retries", "21"), "--retries", "0–20"),
    # -- the command line itself ----------------------------------------------------
    Row("unknown-flag", run_args("--no-such-flag"), "--no-such-flag", "not expected"),
    Row("credentials-format-yaml", ["credentials", "--format", "yaml"], "--format",
        "json"),
    Row("run-without-command", ["run"], "--", "no command given"),
    Row("run-with-empty-command", ["run", "--"], "--", "no command given"),
    Row("credentials-with-command", ["credentials", "--", "true"], "--", "run"),
    Row("lab-threads-too-many", ["lab", "--threads", "100000"], "--threads", "0..64"),
    Row("lab-threads-negative", ["lab", "--threads=-1"], "--threads", "0..64"),
    Row("run-empty-string-command", ["run", "--", ""], "--", "empty string"),
    Row("fanout-empty-string-command", ["fanout", "--spoke-accounts", SPOKE, "--", ""], "--",
        "empty string"),
]


class ValidationTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-validation.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        cls.listener = es.ConnectionCounter()
        cls.bad_json = os.path.join(cls.tmp, "bad.json")
        with open(cls.bad_json, "w") as f:
            f.write('{"Version": "2012-10-17", "Statement": [')
        cls.big_json = os.path.join(cls.tmp, "big.json")
        with open(cls.big_json, "w") as f:
            json.dump({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": f"arn:aws:s3:::bucket-{i:04d}-with-a-rather-long-name/*"}
                for i in range(40)]}, f, indent=2)
        cls.empty_json = os.path.join(cls.tmp, "empty.json")
        open(cls.empty_json, "w").close()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.listener.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def default_env(self) -> dict:
        return es.base_env(self.home, self.listener.url, FAKE_KEY_ID, FAKE_SECRET,
                           ASSUME_ROLE_HUB_ACCOUNT=HUB,
                           ASSUME_ROLE_SPOKE_ACCOUNT=SPOKE,
                           ASSUME_ROLE_HUB_ROLE="automation-hub-role",
                           ASSUME_ROLE_SPOKE_ROLE="automation-spoke-role")

    def test_table_has_enough_rows(self) -> None:
        self.assertGreaterEqual(len(ROWS), 30)
        self.assertEqual(len({r.id for r in ROWS}), len(ROWS), "duplicate row ids")

    def test_zz_no_connection_after_the_whole_table(self) -> None:
        # Sorted last: the whole table sent nothing (each row also checks its own run).
        self.assertEqual(self.listener.connections(), 0)

    def test_a_command_that_cannot_run_sends_nothing(self) -> None:
        # As shells say: 127 for a command not found, 126 for one that cannot be run; checked
        # before any STS call (and once, not per account, for fanout).
        not_exec = os.path.join(self.tmp, "not-executable")
        with open(not_exec, "w") as f:
            f.write("#!/bin/sh\n")
        os.chmod(not_exec, 0o600)
        cases = [(["run", "--", "/nonexistent"], 127, "command not found: /nonexistent"),
                 (["run", "--", "no-such-command-e2e", "arg"], 127,
                  "command not found: no-such-command-e2e"),
                 (["run", "--", self.tmp], 126, "cannot run command"),
                 (["run", "--", not_exec], 126, "cannot run command"),
                 (["fanout", "--spoke-accounts", f"{SPOKE},777777777777", "--",
                   "no-such-command-e2e"], 127, "command not found")]
        for args, status, text in cases:
            with self.subTest(args=args):
                before = self.listener.connections()
                ran = es.run([self.bin, *args], self.default_env(), timeout=es.DEFAULT_TIMEOUT)
                self.assertEqual(self.listener.connections() - before, 0, ran.describe())
                self.assertEqual(ran.returncode, status, ran.describe())
                lines = ran.stderr.splitlines()
                self.assertEqual(len(lines), 1, ran.describe())
                self.assertTrue(lines[0].startswith(es.ERROR_PREFIX), ran.describe())
                self.assertIn(text, lines[0])
                self.assertIn("nothing was sent", lines[0])

    def check_row(self, row: Row) -> None:
        env = self.default_env()
        for k, v in row.env.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        args = [a.replace("{tmp}", self.tmp) for a in row.args]
        before = self.listener.connections()
        ran = es.run([self.bin, *args], env, timeout=es.DEFAULT_TIMEOUT)
        sent = self.listener.connections() - before
        self.assertEqual(sent, 0, f"{sent} connection(s) reached the endpoint{ran.describe()}")
        self.assertEqual(ran.returncode, 2, ran.describe())
        self.assertEqual(ran.stdout, "", ran.describe())
        lines = ran.stderr.splitlines()
        self.assertEqual(len(lines), 1, f"expected one stderr line{ran.describe()}")
        line = lines[0]
        self.assertTrue(line.startswith(es.ERROR_PREFIX), ran.describe())
        self.assertTrue(ran.stderr.endswith("\n"), ran.describe())
        for name in (row.names,) if isinstance(row.names, str) else row.names:
            self.assertIn(name, line, f"the message must name {name}")
        self.assertIn(row.rule, line, "the message must state the rule")
        if row.secret is not None:
            self.assertNotIn(f"'{row.secret}'", line, "the external id was echoed")
            if len(row.secret) > 1:
                self.assertNotIn(row.secret, line, "the external id was echoed")
            else:
                self.assertNotIn(f"value '{row.secret}", line, "the external id was echoed")


def _make_test(row: Row):
    def test(self: ValidationTest) -> None:
        self.check_row(row)
    test.__doc__ = None
    return test


for _row in ROWS:
    setattr(ValidationTest, "test_row_" + _row.id.replace("-", "_"), _make_test(_row))
del _row


if __name__ == "__main__":
    unittest.main()
