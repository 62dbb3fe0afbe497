"""End to end: failures name the hop, and no secret ever reaches our stdout/stderr.

Against the seeded moto (authentication and identity policies enforced): a wrong base secret,
a base user that may not assume the hub, a hub role whose policy does not allow the spoke, no
base credentials, and an endpoint with nothing listening.  Then the same runs (and a successful
one) with --verbose, checked for secrets.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import string
import unittest

import e2e_support as es

REQUEST_ID_RE = re.compile(r"request id [A-Za-z0-9-]{8,}")


def _fake_secret() -> str:
    alphabet = string.ascii_letters + string.digits + "+/"
    while True:
        s = "".join(secrets.choice(alphabet) for _ in range(40))
        if es.SECRET_KEY_RE.fullmatch(s):
            return s


class FailureTest(es.MotoTestCase):

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.wrong_secret = _fake_secret()

    # The failure scenarios: name -> (extra args, env overrides).
    def scenario(self, name: str) -> tuple[list[str], dict]:
        s = self.seed
        spoke = s["spoke_accounts"][0]
        if name == "wrong_secret":
            return [], self.env(spoke, AWS_SECRET_ACCESS_KEY=self.wrong_secret)
        if name == "nobody":
            return [], self.env(spoke, AWS_ACCESS_KEY_ID=s["nobody_access_key_id"],
                                AWS_SECRET_ACCESS_KEY=s["nobody_secret_access_key"])
        if name == "narrow_hub":
            return [], self.env(spoke, ASSUME_ROLE_HUB_ROLE=s["hub_narrow_role"])
        if name == "no_base_credentials":
            return [], self.env(spoke, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None)
        if name == "nothing_listening":
            self.closed_port = es.free_closed_port()
            return ["--retries", "1"], self.env(
                spoke, AWS_ENDPOINT_URL=f"http://127.0.0.1:{self.closed_port}")
        raise KeyError(name)

    def fail_run(self, name: str, *more: str) -> es.Ran:
        args, env = self.scenario(name)
        ran = self.tool("run", *args, *more, "--", "true", env=env)
        self.assertExit(ran, 1)
        self.assertEqual(ran.stdout, "", ran.describe())
        return ran

    # -- each failure names its hop --------------------------------------------------------
    def test_wrong_base_secret_names_hub_hop(self) -> None:
        ran = self.fail_run("wrong_secret")
        line = self.assertOneErrorLine(ran)
        self.assertIn("hub hop", line)
        self.assertIn(es.role_arn(self.seed["hub_account"], self.seed["hub_role"]), line)
        self.assertIn("SignatureDoesNotMatch", line)  # what moto returns for a wrong secret
        self.assertRegex(line, REQUEST_ID_RE)
        self.assertNotIn(self.wrong_secret, ran.stderr)

    def test_base_user_not_allowed_to_assume_hub(self) -> None:
        line = self.assertOneErrorLine(self.fail_run("nobody"))
        self.assertIn("hub hop", line)
        self.assertIn(es.role_arn(self.seed["hub_account"], self.seed["hub_role"]), line)
        self.assertIn("AccessDenied", line)
        self.assertRegex(line, REQUEST_ID_RE)

    def test_hub_not_allowed_to_assume_spoke_names_spoke_hop(self) -> None:
        line = self.assertOneErrorLine(self.fail_run("narrow_hub"))
        self.assertIn("spoke hop", line)
        self.assertIn(es.role_arn(self.seed["spoke_accounts"][0], self.seed["spoke_role"]), line)
        self.assertIn("AccessDenied", line)
        self.assertIn("trust policy", line)
        self.assertRegex(line, REQUEST_ID_RE)

    def test_no_base_credentials(self) -> None:
        line = self.assertOneErrorLine(self.fail_run("no_base_credentials"))
        self.assertIn("AWS_ACCESS_KEY_ID", line)
        self.assertIn("select a profile", line)
        self.assertIn("(--profile)", line)

    def test_endpoint_with_nothing_listening(self) -> None:
        ran = self.fail_run("nothing_listening")
        line = self.assertOneErrorLine(ran)
        self.assertIn(f"127.0.0.1:{self.closed_port}", line)
        self.assertLess(ran.seconds, 10.0, f"took {ran.seconds:.1f} s with --retries 1")
        # The library's hint speaks of the endpoint; the CLI adds the flags that set it.
        self.assertIn("check the STS endpoint", line)
        self.assertIn("(--endpoint-url, --region)", line)

    def test_a_silent_endpoint_is_bounded_by_the_chain_timeout(self) -> None:
        # A listener that never answers (the kernel completes the handshake; nobody reads):
        # without --timeout each hop would cost 4 attempts of 10 s.
        import socket
        silent = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        self.addCleanup(silent.close)
        port = silent.getsockname()[1]
        env = self.env(self.seed["spoke_accounts"][0], AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}")
        ran = self.tool("credentials", "--timeout", "3s", env=env)
        self.assertExit(ran, 1)
        line = self.assertOneErrorLine(ran)
        self.assertLess(ran.seconds, 8.0, f"took {ran.seconds:.1f} s with --timeout 3s")
        self.assertGreater(ran.seconds, 2.5)
        self.assertIn("hub hop", line)
        self.assertIn("the chain's timeout of 3 s", line)
        self.assertIn("(--timeout, --endpoint-url, --region)", line)
        self.assertIn("--timeout", self.tool("run", "--help", env=env).stdout)

    # -- secrets never leak ----------------------------------------------------------------
    def known_secrets(self) -> list[str]:
        s = self.seed
        return [s["secret_access_key"], s["nobody_secret_access_key"], self.wrong_secret,
                s["external_id"]]

    def assertNoLeak(self, text: str, extra: list[str], where: str) -> None:
        found = es.leaks(text, self.known_secrets() + extra)
        self.assertEqual(found, [], f"secret material in {where}")

    def test_verbose_failures_leak_no_secret(self) -> None:
        for name in ("wrong_secret", "nobody", "narrow_hub", "no_base_credentials",
                     "nothing_listening"):
            with self.subTest(scenario=name):
                ran = self.fail_run(name, "--verbose")
                self.assertTrue(ran.stderr.splitlines()[-1].startswith(es.ERROR_PREFIX),
                                ran.describe())
                self.assertNoLeak(ran.stdout + ran.stderr, [], f"{name} output")

    def test_verbose_success_leaks_no_secret(self) -> None:
        spoke = self.seed["spoke_accounts"][0]
        out = os.path.join(self.tmp, "child-env.json")
        env = self.env(spoke, CHILD_ENV_OUT=out)
        # The child saves the spoke credentials it was given (to a file, not to our output).
        ran = self.tool("run", "--verbose", "--", es.sys_python(), "-c",
                        "import json, os; json.dump(dict(os.environ), "
                        "open(os.environ['CHILD_ENV_OUT'], 'w'))", env=env)
        self.assertExit(ran, 0)
        with open(out) as f:
            child = json.load(f)
        os.unlink(out)
        spoke_secret = child.get("AWS_SECRET_ACCESS_KEY", "")
        spoke_token = child.get("AWS_SESSION_TOKEN", "")
        self.assertTrue(spoke_secret and spoke_token, "the child got no spoke credentials")
        self.assertIn("spoke", ran.stderr)  # --verbose did log
        self.assertNoLeak(ran.stdout + ran.stderr, [spoke_secret, spoke_token],
                          "a verbose successful run")
        # And the base secret did not reach the child either.
        self.assertNotIn(self.seed["secret_access_key"], json.dumps(child),
                         "the base secret key reached the child's environment")

    def test_verbose_credentials_json_leaks_nothing_to_stderr(self) -> None:
        spoke = self.seed["spoke_accounts"][1]
        ran = self.tool("credentials", "--verbose", "--format", "json", env=self.env(spoke))
        self.assertExit(ran, 0)
        doc = json.loads(ran.stdout)
        self.assertNoLeak(ran.stderr, [doc["SecretAccessKey"], doc["SessionToken"]],
                          "stderr of a verbose `credentials --format json`")
        # The same spoke credentials, from a `run -- true`, are not in its output.
        ran2 = self.tool("run", "--verbose", "--", "true", env=self.env(spoke))
        self.assertExit(ran2, 0)
        self.assertNoLeak(ran2.stdout + ran2.stderr, [doc["SecretAccessKey"],
                                                      doc["SessionToken"]],
                          "a verbose `run -- true`")


if __name__ == "__main__":
    unittest.main()
