"""End to end, security: the child of `run` is always the spoke, whatever ~/.aws holds.

Every AWS SDK and the AWS CLI read the shared config files before the container credentials
endpoint (`run --refresh`), and a `[default]` profile with keys, SSO, credential_process or
role_arn used to make the child run as the base identity (or fail). Each kind of `[default]`
profile is tried with the AWS CLI and boto3 in the child, with and without --refresh, against a
real moto STS; the child must also keep the profile's other settings (here `output`)."""

from __future__ import annotations

import json
import os
import tempfile
import unittest

import e2e_support as es

# Runs the AWS CLI and boto3 and prints what each saw, as JSON; never prints a secret.
CHILD = r'''
import json, os, subprocess, sys
out = {}
cli = subprocess.run(["aws", "sts", "get-caller-identity", "--output", "json"],
                     capture_output=True, text=True, timeout=60)
out["cli"] = json.loads(cli.stdout)["Arn"] if cli.returncode == 0 else "ERROR " + cli.stderr[-300:]
try:
    import boto3
    out["boto3"] = boto3.session.Session().client("sts").get_caller_identity()["Arn"]
except Exception as e:
    out["boto3"] = f"ERROR {type(e).__name__}: {e}"[:300]
got = subprocess.run(["aws", "configure", "get", "output"], capture_output=True, text=True,
                     timeout=60)
out["output_setting"] = got.stdout.strip()
out["config_file"] = os.environ.get("AWS_CONFIG_FILE", "")
with open(out["config_file"]) as f:
    out["config_text"] = f.read()
print(json.dumps(out))
'''


class ChildIdentityTest(es.MotoTestCase):

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.child = os.path.join(cls.tmp, "child.py")
        with open(cls.child, "w") as f:
            f.write(CHILD)
        key, secret = cls.seed["access_key_id"], cls.seed["secret_access_key"]
        helper = os.path.join(cls.tmp, "base_creds.py")
        with open(helper, "w") as f:
            f.write("import json\nprint(json.dumps({'Version': 1, 'AccessKeyId': %r, "
                    "'SecretAccessKey': %r}))\n" % (key, secret))
        hub_role_arn = es.role_arn(cls.seed["hub_account"], cls.seed["hub_role"])
        # The [default] profiles that used to win over the spoke in the child. `output = text`
        # is a setting the child must keep.
        cls.profiles = {
            "keys in credentials": ("[default]\noutput = text\n",
                                    f"[default]\naws_access_key_id = {key}\n"
                                    f"aws_secret_access_key = {secret}\n"),
            "keys in config": (f"[default]\noutput = text\naws_access_key_id = {key}\n"
                               f"aws_secret_access_key = {secret}\n", ""),
            "sso": ("[default]\noutput = text\nsso_start_url = https://example.awsapps.com/start\n"
                    "sso_region = us-east-1\nsso_account_id = 111111111111\n"
                    "sso_role_name = Admin\n", ""),
            "credential_process": (f"[default]\noutput = text\ncredential_process = "
                                   f"{es.sys_python()} {helper}\n", ""),
            "role_arn": (f"[default]\noutput = text\nrole_arn = {hub_role_arn}\n"
                         f"source_profile = base\n"
                         f"[profile base]\naws_access_key_id = {key}\n"
                         f"aws_secret_access_key = {secret}\n", ""),
        }

    def home_with(self, config: str, credentials: str) -> str:
        home = tempfile.mkdtemp(prefix="home.", dir=self.tmp)
        os.mkdir(os.path.join(home, ".aws"), 0o700)
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(config)
        with open(os.path.join(home, ".aws", "credentials"), "w") as f:
            f.write(credentials)
        return home

    def check(self, kind: str, refresh: bool) -> None:
        config, credentials = self.profiles[kind]
        home = self.home_with(config, credentials)
        env = es.chain_env(self.seed, home, "888888888888")
        args = ["run", *(["--refresh"] if refresh else []), "--",
                es.sys_python(), self.child]
        ran = self.tool(*args, env=env, timeout=es.AWS_CLI_TIMEOUT * 3)
        self.assertEqual(ran.returncode, 0, ran.describe())
        seen = json.loads(ran.stdout)
        want = es.spoke_arn("888888888888")
        self.assertEqual(seen["cli"], want, f"{kind}, refresh={refresh}: the AWS CLI")
        self.assertEqual(seen["boto3"], want, f"{kind}, refresh={refresh}: boto3")
        self.assertEqual(seen["output_setting"], "text", "the profile's other settings are kept")
        for word in ("aws_access_key_id", "aws_secret_access_key", "sso_", "credential_process",
                     "role_arn", "source_profile", self.seed["secret_access_key"]):
            self.assertNotIn(word, seen["config_text"])
        # The private copy is gone once the child has exited.
        self.assertFalse(os.path.exists(seen["config_file"]))
        self.assertEqual(es.leaks(ran.stderr, [self.seed["secret_access_key"]]), [])

    def test_every_kind_of_default_profile_with_refresh(self) -> None:
        for kind in self.profiles:
            with self.subTest(kind=kind):
                self.check(kind, refresh=True)

    def test_every_kind_of_default_profile_without_refresh(self) -> None:
        for kind in self.profiles:
            with self.subTest(kind=kind):
                self.check(kind, refresh=False)

    def test_the_child_cannot_select_another_profile(self) -> None:
        config, credentials = self.profiles["role_arn"]
        env = es.chain_env(self.seed, self.home_with(config, credentials), "888888888888")
        ran = self.tool("run", "--", es.aws_cli(), "sts", "get-caller-identity",
                        "--profile", "base", env=env, timeout=es.AWS_CLI_TIMEOUT)
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("base", ran.stderr)  # the AWS CLI: "The config profile (base) could not be found"


if __name__ == "__main__":
    unittest.main()
