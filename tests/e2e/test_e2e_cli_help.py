"""End to end: `version`, `--version` and `--help` of the commands (no server needed)."""

from __future__ import annotations

import re
import shutil
import tempfile
import unittest

import e2e_support as es

ENV_VARS = ("ASSUME_ROLE_HUB_ACCOUNT", "ASSUME_ROLE_SPOKE_ACCOUNT", "ASSUME_ROLE_HUB_ROLE",
            "ASSUME_ROLE_SPOKE_ROLE", "ASSUME_ROLE_EXTERNAL_ID", "ASSUME_ROLE_SESSION_STRING",
            "AWS_ACCESS_KEY_ID", "AWS_REGION", "AWS_ENDPOINT_URL")


class CliHelpTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-help.")
        # Nothing listens here: help and version must not need the network at all.
        cls.env = es.base_env(cls.tmp, f"http://127.0.0.1:{es.free_closed_port()}", None, None)

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tool(self, *args: str) -> es.Ran:
        return es.run([self.bin, *args], self.env)

    def test_version_command(self) -> None:
        ran = self.tool("version")
        self.assertEqual(ran.returncode, 0, ran.describe())
        # Version, commit, build date and the OpenSSL running (issue 16).
        self.assertRegex(ran.stdout, r"^assume-spoke-role \d+\.\d+\.\d+\S*\n"
                                     r"commit: +[0-9a-z.-]+\n"
                                     r"built: +\d{4}-\d\d-\d\d\n"
                                     r"OpenSSL: OpenSSL 3\.\S+ .*\((shared, /\S+libcrypto\.so\S*|"
                                     r"linked into the binary)\)(; built against .*)?\n$")
        self.assertEqual(ran.stderr, "")

    def test_version_flag_matches_command(self) -> None:
        a, b = self.tool("version"), self.tool("--version")
        self.assertEqual(b.returncode, 0, b.describe())
        self.assertEqual(a.stdout.strip(), b.stdout.strip())

    def check_help(self, command: str) -> str:
        ran = self.tool(command, "--help")
        self.assertEqual(ran.returncode, 0, ran.describe())
        text = ran.stdout
        self.assertIn(command, text)
        for var in ENV_VARS:
            self.assertIn(var, text, f"`{command} --help` does not mention {var}")
        self.assertRegex(text, re.compile(r"^\s*Examples?:", re.M),
                         f"`{command} --help` has no example section")
        self.assertIn(f"assume-spoke-role {command} ", text,
                      f"`{command} --help` shows no example invocation")
        for flag in ("--hub-account", "--spoke-account", "--hub-role", "--spoke-role",
                     "--external-id", "--session-string", "--duration", "--region",
                     "--endpoint-url"):
            self.assertIn(flag, text)
        return text

    def test_run_help(self) -> None:
        text = self.check_help("run")
        self.assertIn(" -- ", text)
        self.assertIn("aws sts get-caller-identity", text)
        self.assertIn("128+N", text)
        for word in ("--refresh", "AWS_CONTAINER_CREDENTIALS_FULL_URI", "--cache", "--no-cache",
                     "ASSUME_ROLE_CACHE", "cache clear"):
            self.assertIn(word, text)

    def test_cache_help(self) -> None:
        ran = self.tool("cache", "--help")
        self.assertEqual(ran.returncode, 0, ran.describe())
        for word in ("clear", "path", "0600", "XDG_RUNTIME_DIR", "assume-spoke-role cache clear"):
            self.assertIn(word, ran.stdout)
        bare = self.tool("cache")
        self.assertEqual(bare.returncode, 2, bare.describe())

    def test_credentials_help(self) -> None:
        text = self.check_help("credentials")
        for fmt in ("env", "export", "json", "credential-process"):
            self.assertIn(fmt, text)
        self.assertIn("credential_process", text)

    def test_explain_help(self) -> None:
        text = self.check_help("explain")
        for word in ("--base-principal", "--model", "--iam-export", "--scp-export", "--json",
                     "--base-session-policy", "Exit status", "smallest change",
                     "does not match"):
            self.assertIn(word, text)

    def test_root_help(self) -> None:
        ran = self.tool("--help")
        self.assertEqual(ran.returncode, 0, ran.describe())
        for word in ("run", "credentials", "whoami", "profiles", "cache", "lab", "demo", "version",
                     "explain", "Examples"):
            self.assertIn(word, ran.stdout)

    def test_no_subcommand_is_a_usage_error(self) -> None:
        ran = self.tool()
        self.assertEqual(ran.returncode, 2, ran.describe())
        self.assertTrue(ran.stderr.startswith(es.ERROR_PREFIX), ran.describe())


if __name__ == "__main__":
    unittest.main()
