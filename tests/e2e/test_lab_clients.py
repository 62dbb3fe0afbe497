"""End to end: `assume-spoke-role lab` as a subprocess, driven by the AWS CLI and by our own
binary (`run -- aws sts get-caller-identity`), with the built-in model and with model files
written by the tests.  The lab is always stopped (SIGTERM, then SIGKILL, bounded)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import e2e_support as es

USER_KEY = "AKIALABEXAMPLE000001"
USER_SECRET = "labSecretKey/sysAutomation/EXAMPLEKEY001"
HUB = "999999999999"
SPOKE = "888888888888"
HUB_ROLE_ARN = f"arn:aws:iam::{HUB}:role/automation-hub-role"
SPOKE_ROLE_ARN = f"arn:aws:iam::{SPOKE}:role/automation-spoke-role"
EXTERNAL_ID = "this-is-my-automation"
# The chain variables for the lab's built-in organization (the hub, its roles, the external id).
LAB_CHAIN_ENV = {"ASSUME_ROLE_HUB_ACCOUNT": HUB, "ASSUME_ROLE_HUB_ROLE": "automation-hub-role",
                 "ASSUME_ROLE_SPOKE_ROLE": "automation-spoke-role",
                 "ASSUME_ROLE_EXTERNAL_ID": EXTERNAL_ID,
                 "ASSUME_ROLE_SESSION_STRING": es.SESSION_STRING}
CHAIN_LIMIT = ("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed "
               "by role chaining.")


class Lab:
    """One `assume-spoke-role lab` subprocess."""

    def __init__(self, binary: str, tmp: str, *args: str) -> None:
        self.port_file = os.path.join(tmp, f"lab-{time.monotonic_ns()}.port")
        self.err_path = self.port_file + ".stderr"
        self._err = open(self.err_path, "wb")
        self.proc = subprocess.Popen(
            [binary, "lab", "--port-file", self.port_file, "--seed", "1", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=self._err,
            env={"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"})
        deadline = time.monotonic() + 10
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"the lab did not start: {self.log()!r}")
            time.sleep(0.02)
        with open(self.port_file) as f:
            self.url = f"http://127.0.0.1:{int(f.read().strip())}"

    def log(self) -> str:
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def log_once(self, predicate, timeout: float = 10.0) -> str:
        """The log as soon as `predicate(log)` holds (or the last read after `timeout` s). The
        lab writes its log from a background thread, so a line logged before a response was
        sent may reach the file a moment after the client has read that response."""
        deadline = time.monotonic() + timeout
        while True:
            text = self.log()
            if predicate(text) or time.monotonic() > deadline:
                return text
            time.sleep(0.02)

    def log_with(self, needle: str) -> str:
        return self.log_once(lambda text: needle in text)

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                es.kill_quietly(self.proc)
        self._err.close()
        return self.proc.returncode


class LabTestCase(unittest.TestCase):
    """One lab (the built-in model) for the whole class: cls.bin, cls.lab, and cls.tmp with an
    empty cls.home in it. The lab must stop cleanly at the end."""

    tmp_prefix = "e2e-lab."

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix=cls.tmp_prefix)
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        cls.lab = Lab(cls.bin, cls.tmp)

    @classmethod
    def tearDownClass(cls) -> None:
        rc = cls.lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert rc == 0, f"the lab did not stop cleanly: {rc}"


class LabClientsTest(LabTestCase):

    @classmethod
    def setUpClass(cls) -> None:
        es.aws_cli()
        super().setUpClass()

    # -- helpers ---------------------------------------------------------------------------
    def env(self, url: str, key: str = USER_KEY, secret: str = USER_SECRET,
            token: str | None = None, **extra: str | None) -> dict[str, str]:
        return es.base_env(self.home, url, key, secret, AWS_DEFAULT_REGION="us-east-1",
                           AWS_SESSION_TOKEN=token, **extra)

    def aws(self, env: dict, *args: str) -> es.Ran:
        return es.run([es.aws_cli(), "sts", *args, "--output", "json"], env,
                      timeout=es.AWS_CLI_TIMEOUT)

    def ok_json(self, ran: es.Ran) -> dict:
        self.assertEqual(ran.returncode, 0, ran.describe())
        return json.loads(ran.stdout)

    def chain_env(self, url: str, **extra: str | None) -> dict[str, str]:
        values: dict[str, str | None] = dict(LAB_CHAIN_ENV)
        values.update(extra)
        return self.env(url, **values)

    def run_chain(self, url: str, **extra: str | None) -> es.Ran:
        return es.run([self.bin, "run", "--spoke-account", SPOKE, "--", "aws", "sts",
                       "get-caller-identity", "--output", "json"],
                      self.chain_env(url, **extra), timeout=es.AWS_CLI_TIMEOUT)

    def model_file(self, old: str, new: str) -> str:
        printed = es.run([self.bin, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"})
        self.assertEqual(printed.returncode, 0, printed.describe())
        self.assertIn(old, printed.stdout)
        path = os.path.join(self.tmp, f"model-{time.monotonic_ns()}.json")
        with open(path, "w") as f:
            f.write(printed.stdout.replace(old, new))
        return path

    def with_lab(self, *args: str) -> Lab:
        lab = Lab(self.bin, self.tmp, *args)
        self.addCleanup(lab.stop)
        return lab

    # -- the seed chain --------------------------------------------------------------------
    def test_aws_cli_runs_the_seed_chain(self) -> None:
        url = self.lab.url
        me = self.ok_json(self.aws(self.env(url), "get-caller-identity"))
        self.assertEqual(me["Arn"], "arn:aws:iam::111111111111:user/sys-automation")
        hub = self.ok_json(self.aws(self.env(url), "assume-role", "--role-arn", HUB_ROLE_ARN,
                                    "--role-session-name", "cli-hub"))["Credentials"]
        self.assertTrue(hub["AccessKeyId"].startswith("ASIA"))
        self.assertEqual(len(hub["AccessKeyId"]), 20)
        hub_env = self.env(url, hub["AccessKeyId"], hub["SecretAccessKey"], hub["SessionToken"])
        spoke = self.ok_json(self.aws(hub_env, "assume-role", "--role-arn", SPOKE_ROLE_ARN,
                                      "--role-session-name", "cli-spoke",
                                      "--external-id", EXTERNAL_ID))
        self.assertEqual(spoke["AssumedRoleUser"]["Arn"],
                         f"arn:aws:sts::{SPOKE}:assumed-role/automation-spoke-role/cli-spoke")
        self.assertTrue(spoke["AssumedRoleUser"]["AssumedRoleId"].startswith("AROA"))
        c = spoke["Credentials"]
        who = self.ok_json(self.aws(self.env(url, c["AccessKeyId"], c["SecretAccessKey"],
                                             c["SessionToken"]), "get-caller-identity"))
        self.assertEqual(who["Arn"], spoke["AssumedRoleUser"]["Arn"])
        self.assertEqual(who["Account"], SPOKE)

    def test_our_run_with_the_aws_cli_as_child(self) -> None:
        ran = self.run_chain(self.lab.url)
        self.assertEqual(json.loads(ran.stdout or "{}").get("Arn"), es.spoke_arn(SPOKE),
                         ran.describe())

    # -- failures with AWS's codes ---------------------------------------------------------
    def test_wrong_external_id_is_access_denied(self) -> None:
        ran = self.run_chain(self.lab.url, ASSUME_ROLE_EXTERNAL_ID="not-my-automation")
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("AccessDenied", ran.stderr)
        self.assertIn("spoke hop", ran.stderr)
        self.assertIn("sts:ExternalId", self.lab.log_with("sts:ExternalId"))

    def test_trust_policy_naming_another_role_is_access_denied(self) -> None:
        model = self.model_file(f'"Principal": {{"AWS": "{HUB_ROLE_ARN}"}}',
                                f'"Principal": {{"AWS": "arn:aws:iam::{HUB}:role/another-role"}}')
        lab = self.with_lab("--model", model)
        ran = self.run_chain(lab.url)
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("AccessDenied", ran.stderr)
        self.assertIn("does not name", lab.log_with("does not name"))

    def test_missing_organization_id_is_access_denied(self) -> None:
        model = self.model_file('{"id": "111111111111", "name": "identity"}',
                                '{"id": "111111111111", "name": "identity", '
                                '"organization": false}')
        lab = self.with_lab("--model", model)
        ran = self.aws(self.env(lab.url), "assume-role", "--role-arn", HUB_ROLE_ARN,
                       "--role-session-name", "no-org")
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("(AccessDenied)", ran.stderr)
        self.assertIn("aws:PrincipalOrgID", lab.log_with("aws:PrincipalOrgID"))

    def test_chained_duration_over_one_hour_is_a_validation_error(self) -> None:
        url = self.lab.url
        hub = self.ok_json(self.aws(self.env(url), "assume-role", "--role-arn", HUB_ROLE_ARN,
                                    "--role-session-name", "cli-hub"))["Credentials"]
        ran = self.aws(self.env(url, hub["AccessKeyId"], hub["SecretAccessKey"],
                                hub["SessionToken"]),
                       "assume-role", "--role-arn", SPOKE_ROLE_ARN, "--role-session-name", "x2",
                       "--external-id", EXTERNAL_ID, "--duration-seconds", "7200")
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("(ValidationError)", ran.stderr)
        self.assertIn(CHAIN_LIMIT, ran.stderr)

    def test_wrong_secret_is_signature_does_not_match(self) -> None:
        ran = self.aws(self.env(self.lab.url, secret="x" * 40), "get-caller-identity")
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("(SignatureDoesNotMatch)", ran.stderr)

    # -- faults ----------------------------------------------------------------------------
    def test_run_retries_through_injected_throttling_and_503(self) -> None:
        lab = self.with_lab("--faults", "seed=7,first=2:throttle,every=4:503")
        ran = self.run_chain(lab.url)
        self.assertEqual(json.loads(ran.stdout or "{}").get("Arn"), es.spoke_arn(SPOKE),
                         ran.describe() + lab.log())
        self.assertIn("fault #1", lab.log_with("fault #1"))

    def test_run_fails_clearly_when_faults_exceed_the_retry_budget(self) -> None:
        lab = self.with_lab("--faults", "every=1:throttle")
        started = time.monotonic()
        ran = self.run_chain(lab.url)
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertLess(time.monotonic() - started, 30)
        self.assertIn("Throttling", ran.stderr)
        self.assertIn("gave up after", ran.stderr)

    def test_builtin_model_matches_the_documented_schema(self) -> None:
        try:
            import jsonschema
        except ImportError:
            self.skipTest("jsonschema is not installed")
        printed = es.run([self.bin, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"})
        self.assertEqual(printed.returncode, 0, printed.describe())
        with open(os.path.join(es.REPO, "docs", "lab-model.schema.json")) as f:
            jsonschema.validate(json.loads(printed.stdout), json.load(f))

    # -- the CLI's own errors ----------------------------------------------------------------
    def test_bad_model_listen_and_faults_exit_2_with_one_line(self) -> None:
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            f.write('{"accounts": [{"id": "12"}]}')
        for args, needle in ((["--model", bad], "$.accounts[0].id"),
                             (["--listen", "localhost:http"], "--listen"),
                             (["--faults", "throttle=7"], "--faults")):
            ran = es.run([self.bin, "lab", *args], {"PATH": "/usr/bin:/bin"})
            self.assertEqual(ran.returncode, 2, ran.describe())
            lines = ran.stderr.splitlines()
            self.assertEqual(len(lines), 1, ran.describe())
            self.assertTrue(lines[0].startswith(es.ERROR_PREFIX), ran.describe())
            self.assertIn(needle, lines[0])


if __name__ == "__main__":
    unittest.main()
