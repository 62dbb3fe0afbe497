"""End to end: the base -> hub -> spoke chain through the real binary, moto and the AWS CLI.

Covers: `run -- aws sts get-caller-identity` for every seeded spoke, configuration by
environment, by flags and flag-beats-environment, roles as names and as ARNs, the region handed
to the child, the child's environment (stale identity variables removed, session variables
added), `credentials --format env|export|json|credential-process` (also as a real
credential_process of the AWS CLI), and the library example.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shlex
import stat
import unittest

import e2e_support as es


def _parse_rfc3339(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


class ChainTest(es.MotoTestCase):

    def caller_arn(self, ran: es.Ran) -> str:
        self.assertExit(ran, 0)
        try:
            return json.loads(ran.stdout)["Arn"]
        except (ValueError, KeyError) as e:
            self.fail(f"aws sts get-caller-identity printed no identity ({e}){ran.describe()}")

    def aws_identity(self, *args: str, env: dict) -> str:
        return self.caller_arn(self.tool(*args, "--", "aws", "sts", "get-caller-identity",
                                         "--output", "json", env=env,
                                         timeout=es.AWS_CLI_TIMEOUT))

    # -- the chain -------------------------------------------------------------------------
    def test_each_spoke_configured_by_environment_only(self) -> None:
        for spoke in self.seed["spoke_accounts"]:
            with self.subTest(spoke=spoke):
                arn = self.aws_identity("run", env=self.env(spoke_account=spoke))
                self.assertEqual(arn, es.spoke_arn(spoke))

    def test_configured_by_flags_only(self) -> None:
        s = self.seed
        spoke = s["spoke_accounts"][1]
        env = es.base_env(self.home, s["url"], s["access_key_id"], s["secret_access_key"])
        arn = self.aws_identity(
            "run", "--hub-account", s["hub_account"], "--spoke-account", spoke,
            "--hub-role", s["hub_role"], "--spoke-role", s["spoke_role"],
            "--external-id", s["external_id"], "--session-string", "flags-only",
            env=env)
        self.assertEqual(arn, es.spoke_arn(spoke, "flags-only"))

    def test_flag_beats_environment(self) -> None:
        s = self.seed
        spoke = s["spoke_accounts"][2]
        # Every variable points somewhere wrong; every flag to the right place.
        env = self.env(spoke_account="123456789012",
                       ASSUME_ROLE_HUB_ROLE="automation-hub-narrow",
                       ASSUME_ROLE_SPOKE_ROLE="no-such-role",
                       ASSUME_ROLE_SESSION_STRING="from-env")
        arn = self.aws_identity(
            "run", "--spoke-account", spoke, "--hub-role", s["hub_role"],
            "--spoke-role", s["spoke_role"], "--session-string", "from-flag", env=env)
        self.assertEqual(arn, es.spoke_arn(spoke, "from-flag"))

    def test_roles_as_full_arns_without_account_ids(self) -> None:
        s = self.seed
        spoke = s["spoke_accounts"][0]
        env = self.env(ASSUME_ROLE_HUB_ACCOUNT=None)
        arn = self.aws_identity(
            "run", "--hub-role", es.role_arn(s["hub_account"], s["hub_role"]),
            "--spoke-role", es.role_arn(spoke, s["spoke_role"]), env=env)
        self.assertEqual(arn, es.spoke_arn(spoke))

    def test_roles_as_full_arns_with_matching_account_ids(self) -> None:
        s = self.seed
        spoke = s["spoke_accounts"][1]
        ran = self.tool("credentials", "--format", "json", "--spoke-account", spoke,
                        "--hub-role", es.role_arn(s["hub_account"], s["hub_role"]),
                        "--spoke-role", es.role_arn(spoke, s["spoke_role"]),
                        env=self.env())
        self.assertExit(ran, 0)
        creds = json.loads(ran.stdout)
        self.assertEqual(self.identity_of(creds["AccessKeyId"], creds["SecretAccessKey"],
                                          creds["SessionToken"]), es.spoke_arn(spoke))

    # -- the child's environment -----------------------------------------------------------
    def child_env(self, *args: str, env: dict) -> dict[str, str]:
        ran = self.tool("run", *args, "--", "env", env=env)
        self.assertExit(ran, 0)
        return es.parse_env_lines(ran.stdout)

    def test_region_flag_reaches_child(self) -> None:
        child = self.child_env("--region", "eu-west-2",
                               env=self.env(spoke_account=self.seed["spoke_accounts"][0]))
        self.assertEqual(child.get("AWS_REGION"), "eu-west-2")
        self.assertEqual(child.get("AWS_DEFAULT_REGION"), "eu-west-2")

    def test_child_environment(self) -> None:
        spoke = self.seed["spoke_accounts"][0]
        stale = {
            "AWS_PROFILE": "stale-profile",
            "AWS_DEFAULT_PROFILE": "stale-default-profile",
            "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/stale",
            "AWS_WEB_IDENTITY_TOKEN_FILE": os.path.join(self.tmp, "stale-token"),
        }
        before = dt.datetime.now(dt.timezone.utc)
        child = self.child_env(env=self.env(spoke_account=spoke, **stale))
        for name in stale:
            self.assertNotIn(name, child, f"the child still sees {name}")
        self.assertTrue(child.get("AWS_ACCESS_KEY_ID", "").startswith("ASIA"), child.keys())
        self.assertNotEqual(child.get("AWS_ACCESS_KEY_ID"), self.seed["access_key_id"])
        self.assertNotEqual(child.get("AWS_SECRET_ACCESS_KEY"), self.seed["secret_access_key"])
        self.assertTrue(child.get("AWS_SESSION_TOKEN"), "AWS_SESSION_TOKEN missing or empty")
        self.assertEqual(child.get("AWS_SECURITY_TOKEN"), child.get("AWS_SESSION_TOKEN"))
        # The spoke credentials the child got are really the spoke's.
        self.assertEqual(self.identity_of(child["AWS_ACCESS_KEY_ID"],
                                          child["AWS_SECRET_ACCESS_KEY"],
                                          child["AWS_SESSION_TOKEN"]), es.spoke_arn(spoke))
        for name in ("AWS_SESSION_EXPIRATION", "AWS_CREDENTIAL_EXPIRATION"):
            with self.subTest(var=name):
                value = child.get(name)
                self.assertIsNotNone(value, f"{name} missing")
                self.assertRegex(value, es.RFC3339_RE)
                when = _parse_rfc3339(value)
                self.assertGreater(when, before, f"{name}={value} is not in the future")
                self.assertLessEqual(when, before + dt.timedelta(hours=1, seconds=5),
                                     f"{name}={value} is more than 1 h away")
        # Kept: where, not who.
        self.assertEqual(child.get("AWS_ENDPOINT_URL"), self.seed["url"])

    # -- credentials -----------------------------------------------------------------------
    def identity_of(self, key_id: str, secret: str, token: str) -> str:
        return es.sts_identity(self.seed["url"], key_id, secret, token)

    def credentials(self, fmt: str, spoke: str) -> es.Ran:
        ran = self.tool("credentials", "--format", fmt, "--spoke-account", spoke,
                        env=self.env())
        self.assertExit(ran, 0)
        self.assertEqual(ran.stderr, "", "credentials wrote to stderr without --verbose")
        return ran

    def test_credentials_env(self) -> None:
        spoke = self.seed["spoke_accounts"][0]
        ran = self.credentials("env", spoke)
        lines = [ln for ln in ran.stdout.splitlines() if ln]
        for line in lines:
            self.assertRegex(line, r"^[A-Z_]+=\S*$", "not a KEY=VALUE line")
        v = es.parse_env_lines(ran.stdout)
        for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            self.assertIn(k, v)
        self.assertEqual(self.identity_of(v["AWS_ACCESS_KEY_ID"], v["AWS_SECRET_ACCESS_KEY"],
                                          v["AWS_SESSION_TOKEN"]), es.spoke_arn(spoke))

    def test_credentials_export_evaluated_by_sh(self) -> None:
        spoke = self.seed["spoke_accounts"][1]
        ran = self.credentials("export", spoke)
        for line in ran.stdout.splitlines():
            if line:
                self.assertTrue(line.startswith("export "), f"not an export line: {line[:30]!r}")
        # eval it in sh (which starts with the BASE keys: if the export failed, the identity
        # would be the base user's) and call the AWS CLI.
        env = self.env()
        env["CREDS"] = ran.stdout
        out = es.run(["sh", "-c", 'eval "$CREDS" && unset CREDS && '
                      'exec aws sts get-caller-identity --output json'], env,
                     timeout=es.AWS_CLI_TIMEOUT)
        self.assertEqual(self.caller_arn(out), es.spoke_arn(spoke))

    def test_credentials_json(self) -> None:
        spoke = self.seed["spoke_accounts"][2]
        before = dt.datetime.now(dt.timezone.utc)
        doc = json.loads(self.credentials("json", spoke).stdout)
        for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
            self.assertIn(k, doc)
        self.assertRegex(doc["Expiration"], es.RFC3339_RE)
        self.assertGreater(_parse_rfc3339(doc["Expiration"]), before)
        self.assertEqual(self.identity_of(doc["AccessKeyId"], doc["SecretAccessKey"],
                                          doc["SessionToken"]), es.spoke_arn(spoke))

    def test_credentials_credential_process_format(self) -> None:
        spoke = self.seed["spoke_accounts"][0]
        doc = json.loads(self.credentials("credential-process", spoke).stdout)
        self.assertEqual(doc.get("Version"), 1)
        for k in ("AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"):
            self.assertIn(k, doc)
        self.assertEqual(self.identity_of(doc["AccessKeyId"], doc["SecretAccessKey"],
                                          doc["SessionToken"]), es.spoke_arn(spoke))

    def test_credential_process_profile_for_the_aws_cli(self) -> None:
        s = self.seed
        spoke = s["spoke_accounts"][0]
        d = os.path.join(self.tmp, "credproc")
        os.makedirs(d, mode=0o700, exist_ok=True)
        # The wrapper holds the base keys (not argv, not the CLI's environment).
        wrapper = os.path.join(d, "base-creds-wrapper.sh")
        fd = os.open(wrapper, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o700)
        with os.fdopen(fd, "w") as f:
            f.write("#!/bin/sh\n"
                    f"export AWS_ACCESS_KEY_ID={shlex.quote(s['access_key_id'])}\n"
                    f"export AWS_SECRET_ACCESS_KEY={shlex.quote(s['secret_access_key'])}\n"
                    f'exec {shlex.quote(self.bin)} "$@"\n')
        os.chmod(wrapper, 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(wrapper).st_mode), 0o700)
        config = os.path.join(d, "config")
        with open(config, "w") as f:
            f.write("[profile spoke]\n"
                    f"credential_process = {wrapper} credentials --format credential-process"
                    f" --spoke-account {spoke} --hub-account {s['hub_account']}"
                    f" --hub-role {s['hub_role']} --spoke-role {s['spoke_role']}"
                    f" --external-id {s['external_id']} --session-string credproc\n"
                    "region = us-east-1\n")
        env = es.base_env(self.home, s["url"], None, None,
                          AWS_CONFIG_FILE=config,
                          AWS_SHARED_CREDENTIALS_FILE=os.path.join(d, "no-credentials"))
        ran = es.run(["aws", "sts", "get-caller-identity", "--profile", "spoke",
                      "--output", "json"], env, timeout=es.AWS_CLI_TIMEOUT)
        self.assertEqual(self.caller_arn(ran), es.spoke_arn(spoke, "credproc"))

    # -- the library example ---------------------------------------------------------------
    def test_library_example(self) -> None:
        example = es.require_executable(es.example_path(), "the library example",
                                        "HUBSPOKE_EXAMPLE_BIN")
        s = self.seed
        env = es.base_env(self.home, s["url"], s["access_key_id"], s["secret_access_key"])
        for spoke, extra in ((s["spoke_accounts"][0], [s["external_id"]]),
                             (s["spoke_accounts"][1], [])):
            with self.subTest(spoke=spoke, external_id=bool(extra)):
                ran = es.run([example, s["hub_account"], spoke, s["hub_role"], s["spoke_role"],
                              *extra], env)
                self.assertEqual(ran.returncode, 0, ran.describe())
                v = es.parse_env_lines(ran.stdout)
                self.assertRegex(v.get("AWS_ACCESS_KEY_ID", ""), r"^ASIA[A-Z0-9]{12,}$")
                self.assertEqual(v.get("ASSUMED_ROLE_ARN"), es.spoke_arn(spoke, "me@example.com"))
                self.assertEqual(self.identity_of(v["AWS_ACCESS_KEY_ID"],
                                                  v["AWS_SECRET_ACCESS_KEY"],
                                                  v["AWS_SESSION_TOKEN"]),
                                 es.spoke_arn(spoke, "me@example.com"))


if __name__ == "__main__":
    unittest.main()
