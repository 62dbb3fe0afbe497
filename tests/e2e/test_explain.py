"""End to end: `assume-spoke-role explain` against the lab's model, and the AccessDenied hint of
`run` that names it. explain and the lab share one decision: what explain denies, the lab
refuses, hop for hop."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import unittest

import e2e_support as es
from test_lab_clients import Lab

USER_ARN = "arn:aws:iam::111111111111:user/sys-automation"
USER_KEY = "AKIALABEXAMPLE000001"
USER_SECRET = "labSecretKey/sysAutomation/EXAMPLEKEY001"
HUB = "999999999999"
SPOKE = "888888888888"
EXTERNAL_ID = "this-is-my-automation"


class ExplainTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-explain.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        printed = es.run([cls.bin, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"})
        assert printed.returncode == 0, printed.describe()
        cls.model_text = printed.stdout
        cls.model = os.path.join(cls.tmp, "model.json")
        with open(cls.model, "w") as f:
            f.write(cls.model_text)
        cls.lab = Lab(cls.bin, cls.tmp)

    @classmethod
    def tearDownClass(cls) -> None:
        rc = cls.lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert rc == 0, f"the lab did not stop cleanly: {rc}"

    # -- helpers ---------------------------------------------------------------------------
    def env(self, endpoint: str | None = None, key: str | None = USER_KEY,
            secret: str | None = USER_SECRET, **extra: str | None) -> dict[str, str]:
        values = {"ASSUME_ROLE_HUB_ACCOUNT": HUB, "ASSUME_ROLE_HUB_ROLE": "automation-hub-role",
                  "ASSUME_ROLE_SPOKE_ROLE": "automation-spoke-role",
                  "ASSUME_ROLE_EXTERNAL_ID": EXTERNAL_ID,
                  "ASSUME_ROLE_SESSION_STRING": es.SESSION_STRING}
        values.update(extra)
        # A closed port by default: explain must not need the network unless it asks who the
        # base credentials are.
        url = endpoint or f"http://127.0.0.1:{es.free_closed_port()}"
        return es.base_env(self.home, url, key, secret, **values)

    def explain(self, *args: str, env: dict | None = None) -> es.Ran:
        return es.run([self.bin, "explain", "--spoke-account", SPOKE, *args],
                      env if env is not None else self.env())

    def model_with(self, old: str, new: str) -> str:
        self.assertIn(old, self.model_text)
        path = os.path.join(self.tmp, f"model-{time.monotonic_ns()}.json")
        with open(path, "w") as f:
            f.write(self.model_text.replace(old, new))
        return path

    # -- tests -----------------------------------------------------------------------------
    def test_the_seed_chain_is_explained_as_allowed(self) -> None:
        ran = self.explain("--model", self.model)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertIn(f"hop 1 (hub): {USER_ARN} → sts:AssumeRole on "
                      f"arn:aws:iam::{HUB}:role/automation-hub-role: allowed", ran.stdout)
        self.assertIn("hop 2 (spoke): ", ran.stdout)
        self.assertIn("[identity policy] StatementAllows: identity policy 'assume-hub-role'",
                      ran.stdout)
        self.assertIn("result: the chain would succeed", ran.stdout)
        self.assertEqual(ran.stderr, "")

    def test_a_wrong_external_id_is_denied_by_both_and_the_hint_names_explain(self) -> None:
        wrong = "not-my-automation-0042"
        ran = es.run([self.bin, "run", "--spoke-account", SPOKE, "--", "true"],
                     self.env(self.lab.url, ASSUME_ROLE_EXTERNAL_ID=wrong))
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("spoke hop", ran.stderr)
        self.assertIn("AccessDenied", ran.stderr)
        self.assertIn("run `assume-spoke-role explain` with the same chain flags", ran.stderr)
        self.assertEqual(len(ran.stderr.strip().splitlines()), 1, ran.stderr)

        explained = self.explain("--model", self.model, "--json",
                                 env=self.env(ASSUME_ROLE_EXTERNAL_ID=wrong))
        self.assertEqual(explained.returncode, 1, explained.describe())
        doc = json.loads(explained.stdout)
        self.assertFalse(doc["allowed"])
        hub, spoke = doc["hops"]
        self.assertTrue(hub["allowed"])
        self.assertFalse(spoke["allowed"])
        self.assertEqual(spoke["side"], "trust policy")
        self.assertEqual(spoke["sts_error"], "AccessDenied")
        failed = [r for r in spoke["reasons"] if r["code"] == "ConditionNotMet"]
        self.assertEqual(failed[0]["statement_index"], 0)
        self.assertEqual(failed[0]["sid"], "TrustTheHubRole")
        self.assertEqual(failed[0]["conditions"][0]["key"], "sts:ExternalId")
        self.assertTrue(failed[0]["conditions"][0]["redacted"])
        text = self.explain("--model", self.model, env=self.env(ASSUME_ROLE_EXTERNAL_ID=wrong))
        for out in (explained.stdout, text.stdout, text.stderr):
            self.assertNotIn(wrong, out)
            self.assertNotIn(EXTERNAL_ID, out)
        self.assertIn("fix: the external id passed does not match", text.stdout)

    def test_the_base_principal_comes_from_the_base_credentials(self) -> None:
        # The key is in the model: found offline (the endpoint is a closed port).
        ran = self.explain("--model", self.model, "--json")
        self.assertEqual(json.loads(ran.stdout)["base_principal"], USER_ARN, ran.describe())
        # A world without the key: GetCallerIdentity through the chain's endpoint says who.
        keyless = self.model_with(f'"id": "{USER_KEY}"', '"id": "AKIAOTHERKEY00000001"')
        ran = self.explain("--model", keyless, "--json", env=self.env(self.lab.url))
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["base_principal"], USER_ARN)
        # No base credentials at all: the world's only user.
        ran = self.explain("--model", keyless, "--json", env=self.env(key=None, secret=None))
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["base_principal"], USER_ARN)
        # An unreachable STS for unknown credentials: one line, exit 1, naming the way out.
        ran = self.explain("--model", keyless)
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("--base-principal", ran.stderr)
        self.assertEqual(len(ran.stderr.strip().splitlines()), 1, ran.stderr)

    def test_a_base_role_session_with_a_session_policy_is_refused_by_both(self) -> None:
        # The lab issues a session of org-reader-role (which sys-automation may assume) with a
        # session policy that allows only S3; from that session the hub hop is refused by the
        # session policy, and explain says so for the same principal and policy.
        policy = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Sid": "S3Only", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
        doc = json.loads(self.model_text)
        for role in doc["roles"]:
            if role["name"] == "automation-hub-role":
                role["trust_policy"]["Statement"][0]["Principal"]["AWS"] = [
                    USER_ARN, f"arn:aws:iam::{HUB}:role/org-reader-role"]
            if role["name"] == "org-reader-role":
                role.setdefault("policies", []).append({"name": "assume-hub", "document": {
                    "Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                    "Action": "sts:AssumeRole", "Resource": f"arn:aws:iam::{HUB}:role/*"}]}})
        model = os.path.join(self.tmp, "model-session.json")
        with open(model, "w") as f:
            json.dump(doc, f)
        lab = Lab(self.bin, self.tmp, "--model", model)
        self.addCleanup(lab.stop)
        aws = [es.aws_cli(), "sts", "assume-role", "--output", "json", "--role-arn",
               f"arn:aws:iam::{HUB}:role/org-reader-role", "--role-session-name", "ci-build"]
        base_env = self.env(lab.url, AWS_DEFAULT_REGION="us-east-1")
        for extra in ([], ["--policy", policy]):
            made = es.run(aws + extra, base_env, timeout=es.AWS_CLI_TIMEOUT)
            self.assertEqual(made.returncode, 0, made.describe())
            c = json.loads(made.stdout)["Credentials"]
            ran = es.run([self.bin, "run", "--spoke-account", SPOKE, "--", "true"],
                         self.env(lab.url, c["AccessKeyId"], c["SecretAccessKey"],
                                  AWS_SESSION_TOKEN=c["SessionToken"]))
            policy_file = os.path.join(self.tmp, "session-policy.json")
            with open(policy_file, "w") as f:
                f.write(policy)
            explained = self.explain(
                "--model", model, "--json", "--base-principal",
                f"arn:aws:sts::{HUB}:assumed-role/org-reader-role/ci-build",
                *(["--base-session-policy", policy_file] if extra else []))
            verdict = json.loads(explained.stdout)
            if not extra:
                self.assertEqual(ran.returncode, 0, ran.describe())
                self.assertTrue(verdict["allowed"], explained.stdout)
                continue
            self.assertEqual(ran.returncode, 1, ran.describe())
            self.assertIn("hub hop", ran.stderr)
            self.assertEqual(explained.returncode, 1, explained.describe())
            self.assertFalse(verdict["hops"][0]["allowed"])
            self.assertEqual(verdict["hops"][0]["side"], "session policy")
            self.assertIn("session policy", lab.log_with("session"))

    def test_bad_input_is_one_line_and_exit_2(self) -> None:
        fifo = os.path.join(self.tmp, "fifo")
        os.mkfifo(fifo)
        cases = [
            ([], "--model or --iam-export"),
            (["--model", self.model, "--iam-export", self.tmp], "not both"),
            (["--scp-export", self.tmp, "--model", self.model], "--scp-export"),
            (["--model", "/dev/zero"], "--model"),
            (["--model", fifo], "--model"),
            (["--model", os.path.join(self.tmp, "missing.json")], "--model"),
            (["--model", self.model, "--base-principal", "arn:aws:iam::111111111111:user/nobody"],
             "--base-principal"),
            (["--model", self.model, "--base-principal", "not-an-arn"], "--base-principal"),
            (["--model", self.model, "--hub-account", "12"], "--hub-account"),
            (["--model", self.model, "--base-principal", USER_ARN, "--base-session-policy",
              fifo], "--base-session-policy"),
        ]
        for args, needle in cases:
            with self.subTest(args=args):
                started = time.monotonic()
                ran = self.explain(*args)
                self.assertEqual(ran.returncode, 2, ran.describe())
                self.assertIn(needle, ran.stderr)
                self.assertEqual(len(ran.stderr.strip().splitlines()), 1, ran.stderr)
                self.assertLess(time.monotonic() - started, 10)
        bad_model = os.path.join(self.tmp, "bad-model.json")
        with open(bad_model, "w") as f:
            f.write('{"accounts": [{"id": "12"}]}')
        ran = self.explain("--model", bad_model)
        self.assertEqual(ran.returncode, 2, ran.describe())
        self.assertIn("$.accounts[0]", ran.stderr)


if __name__ == "__main__":
    unittest.main()
