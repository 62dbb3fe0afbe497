"""End to end: base identities from the shared config files, against moto.

`run --profile P` where P is a role_arn + source_profile chain (static keys → the base account's
automation-base-role) or a credential_process, reaching the spoke with the AWS CLI as the child;
`whoami` naming the source; `profiles --json`; and bad configuration (malformed file, loops,
missing profiles, failing credential_process) as one clear line.
"""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import textwrap

import e2e_support as es


class ProfilesTest(es.MotoTestCase):

    def setUp(self) -> None:
        super().setUp()
        s = self.seed
        self.aws_dir = os.path.join(self.home, ".aws")
        os.makedirs(self.aws_dir, mode=0o700, exist_ok=True)
        self.base_role_arn = es.role_arn(s["base_account"], s["base_role"])
        self.write("credentials", f"""
            [keys]
            aws_access_key_id = {s["access_key_id"]}
            aws_secret_access_key = {s["secret_access_key"]}
            """)
        # A helper that prints the keys as credential_process JSON (mode 0700: it holds them).
        self.process = os.path.join(self.aws_dir, "keys-process")
        with open(self.process, "w") as f:
            f.write("#!/bin/sh\n"
                    f"printf '%s' {shlex.quote(json.dumps({'Version': 1, 'AccessKeyId': s['access_key_id'], 'SecretAccessKey': s['secret_access_key']}))}\n")
        os.chmod(self.process, stat.S_IRWXU)
        self.write("config", f"""
            [profile base]
            role_arn = {self.base_role_arn}
            source_profile = keys
            role_session_name = via-profile

            [profile process]
            credential_process = {self.process}

            [profile failing-process]
            credential_process = /bin/sh -c 'echo boom >&2; exit 4'

            [profile loop-a]
            role_arn = {self.base_role_arn}
            source_profile = loop-b

            [profile loop-b]
            role_arn = {self.base_role_arn}
            source_profile = loop-a

            [profile dangling]
            role_arn = {self.base_role_arn}
            source_profile = no-such-profile

            [profile regional]
            region = eu-west-1
            credential_process = {self.process}

            [profile partner]
            role_arn = {self.base_role_arn}
            source_profile = keys
            external_id = partner-external-id-e2e
            my_api_token = api-token-value-e2e
            Client_Secret = client-secret-value-e2e
            tool =
              password = tool-password-e2e
              endpoint = https://tool.example.com
            """)

    def write(self, name: str, text: str) -> None:
        path = os.path.join(self.aws_dir, name)
        with open(path, "w") as f:
            f.write(textwrap.dedent(text))
        os.chmod(path, 0o600)

    def profile_env(self, spoke: str, **extra: str | None) -> dict[str, str]:
        # No keys in the environment: the profile is the only base identity.
        return self.env(spoke, AWS_ACCESS_KEY_ID=None, AWS_SECRET_ACCESS_KEY=None, **extra)

    def spoke_identity(self, ran: es.Ran) -> str:
        self.assertExit(ran, 0)
        return json.loads(ran.stdout)["Arn"]

    def run_aws(self, *args: str, env: dict[str, str]) -> es.Ran:
        return self.tool("run", *args, "--", "aws", "sts", "get-caller-identity", "--output",
                         "json", env=env, timeout=es.AWS_CLI_TIMEOUT)

    # -- reaching the spoke ---------------------------------------------------------------
    def test_run_with_a_source_profile_chain_as_base(self) -> None:
        spoke = self.seed["spoke_accounts"][0]
        ran = self.run_aws("--profile", "base", "--verbose", env=self.profile_env(spoke))
        self.assertEqual(self.spoke_identity(ran), es.spoke_arn(spoke))
        # The verbose log names the source; no secret anywhere.
        self.assertIn("profile base", ran.stderr)
        self.assertEqual(es.leaks(ran.stdout + ran.stderr, [self.seed["secret_access_key"]]), [])

    def test_run_with_the_profile_chain_from_aws_profile(self) -> None:
        # (Deeper chains run against the lab in src/creds/profile_provider_test.cc: moto refuses
        # a role session assuming a second role of its own account.)
        spoke = self.seed["spoke_accounts"][1]
        ran = self.run_aws(env=self.profile_env(spoke, AWS_PROFILE="base"))
        self.assertEqual(self.spoke_identity(ran), es.spoke_arn(spoke))

    def test_run_with_a_credential_process_base(self) -> None:
        spoke = self.seed["spoke_accounts"][2]
        ran = self.run_aws("--profile", "process", env=self.profile_env(spoke))
        self.assertEqual(self.spoke_identity(ran), es.spoke_arn(spoke))

    def test_the_profile_region_reaches_the_child(self) -> None:
        spoke = self.seed["spoke_accounts"][0]
        env = self.profile_env(spoke, AWS_REGION=None)
        ran = self.tool("run", "--profile", "regional", "--", sys.executable, "-c",
                        "import os; print(os.environ['AWS_REGION'])", env=env)
        self.assertExit(ran, 0)
        self.assertEqual(ran.stdout.strip(), "eu-west-1")

    # -- whoami and profiles --------------------------------------------------------------
    def test_whoami_names_the_source(self) -> None:
        env = self.profile_env(None)
        ran = self.tool("whoami", "--profile", "base", "--json", env=env)
        self.assertExit(ran, 0)
        me = json.loads(ran.stdout)
        self.assertEqual(me["Account"], self.seed["base_account"])
        self.assertIn(self.seed["base_role"], me["Arn"])
        self.assertIn("profile base", me["Source"])
        self.assertIn("profile keys: static keys", me["Source"])
        self.assertNotIn(self.seed["access_key_id"], ran.stdout, "the key id is masked")
        text = self.tool("whoami", env=self.env(None))
        self.assertExit(text, 0)
        self.assertIn("environment (AWS_ACCESS_KEY_ID)", text.stdout)
        self.assertIn(f"user/{self.seed['user_name']}", text.stdout)

    def test_profiles_json_merges_both_files_and_masks_secrets(self) -> None:
        ran = self.tool("profiles", "--json", env=self.profile_env(None))
        self.assertExit(ran, 0)
        data = json.loads(ran.stdout)
        self.assertEqual(set(data), {"profiles", "ssoSessions"})
        self.assertEqual(data["profiles"]["keys"]["aws_access_key_id"], self.seed["access_key_id"])
        self.assertEqual(data["profiles"]["keys"]["aws_secret_access_key"], "****")
        self.assertEqual(data["profiles"]["base"]["source_profile"], "keys")
        self.assertEqual(es.leaks(ran.stdout + ran.stderr, [self.seed["secret_access_key"]]), [])
        # external_id and every *token* / *secret* / *password* key, sub-properties included.
        partner = data["profiles"]["partner"]
        for key in ("external_id", "my_api_token", "client_secret"):
            self.assertEqual(partner[key], "****", key)
        self.assertEqual(partner["tool"], {"password": "****",
                                           "endpoint": "https://tool.example.com"})
        self.assertEqual(partner["source_profile"], "keys")
        for secret in ("partner-external-id-e2e", "api-token-value-e2e", "client-secret-value-e2e",
                       "tool-password-e2e"):
            self.assertNotIn(secret, ran.stdout + ran.stderr)

    # -- bad configuration ------------------------------------------------------------------
    def assertFailsWith(self, ran: es.Ran, status: int, *parts: str) -> None:
        self.assertExit(ran, status)
        line = self.assertOneErrorLine(ran)
        for part in parts:
            self.assertIn(part, line)
        self.assertEqual(es.leaks(ran.stdout + ran.stderr, [self.seed["secret_access_key"]]), [])

    def test_a_source_profile_loop(self) -> None:
        ran = self.tool("run", "--profile", "loop-a", "--", "true", env=self.profile_env("888888888888"))
        self.assertFailsWith(ran, 1, "source_profile loop: loop-a → loop-b → loop-a")

    def test_a_profile_naming_a_missing_profile(self) -> None:
        ran = self.tool("run", "--profile", "dangling", "--", "true",
                        env=self.profile_env("888888888888"))
        self.assertFailsWith(ran, 1, "profile dangling: source_profile no-such-profile",
                             "does not exist")

    def test_an_unknown_profile_flag_is_bad_input(self) -> None:
        ran = self.tool("run", "--profile", "typo", "--", "true", env=self.profile_env("888888888888"))
        self.assertFailsWith(ran, 2, "--profile", "typo")

    def test_a_failing_credential_process(self) -> None:
        ran = self.tool("run", "--profile", "failing-process", "--", "true",
                        env=self.profile_env("888888888888"))
        self.assertExit(ran, 1)
        self.assertIn("boom", ran.stderr, "the process's stderr is passed through")
        last = ran.stderr.splitlines()[-1]
        self.assertIn("failing-process", last)
        self.assertIn("credential_process", last)

    def test_a_malformed_config_file_names_file_and_line(self) -> None:
        bad_home = os.path.join(self.tmp, "bad-home")
        os.makedirs(os.path.join(bad_home, ".aws"), exist_ok=True)
        config = os.path.join(bad_home, ".aws", "config")
        with open(config, "w") as f:
            f.write("[profile ok]\nregion = us-east-1\nthis line is not a property\n")
        env = self.profile_env("888888888888", HOME=bad_home, AWS_CONFIG_FILE=config)
        for args in (["run", "--", "true"], ["whoami"], ["profiles"]):
            with self.subTest(args=args):
                ran = self.tool(*args, env=env)
                self.assertFailsWith(ran, 2, config + ":3")


if __name__ == "__main__":
    import unittest
    unittest.main()
