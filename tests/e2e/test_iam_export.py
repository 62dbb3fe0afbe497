"""End to end: `assume-spoke-role lab --iam-export DIR --scp-export DIR --credentials-file F`
serving a realistic export built from the built-in model (iam_export_fixture.py): the seed
chain runs with the generated keys, an SCP in the export takes effect, the export decides like
the model it came from, and bad exports are refused with one line naming file and path."""

from __future__ import annotations

import configparser
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
import unittest

import e2e_support as es
import iam_export_fixture as fixture
import moto_fixture as mf
from test_lab_clients import Lab

USER_KEY = "AKIALABEXAMPLE000001"
USER_SECRET = "labSecretKey/sysAutomation/EXAMPLEKEY001"
HUB = "999999999999"
SPOKE = "888888888888"
SPOKE_B = "777777777777"
EXTERNAL_ID = "this-is-my-automation"
PROFILE = "111111111111-sys-automation"


def role(account: str, name: str) -> str:
    return f"arn:aws:iam::{account}:role/{name}"


def assume(url: str, creds: tuple, role_arn: str, external_id: str | None = None):
    """AssumeRole with boto3: (error code or "", credentials tuple or None). The test process's
    own AWS_* variables are hidden meanwhile, as in e2e_support.sts_identity."""
    from botocore.exceptions import ClientError
    saved = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    try:
        for k in saved:
            del os.environ[k]
        os.environ.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
                          AWS_EC2_METADATA_DISABLED="true")
        sts = mf.client("sts", url, *creds)
        args = {"RoleArn": role_arn, "RoleSessionName": "export-e2e"}
        if external_id is not None:
            args["ExternalId"] = external_id
        try:
            c = sts.assume_role(**args)["Credentials"]
        except ClientError as e:
            return e.response["Error"]["Code"], None
        return "", (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    finally:
        for k in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[k]
        os.environ.update(saved)


class IamExportLabTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-export.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        printed = es.run([cls.bin, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"})
        assert printed.returncode == 0, printed.describe()
        cls.model = json.loads(printed.stdout)
        cls.export = fixture.write_export(cls.model, os.path.join(cls.tmp, "export"))
        cls.credentials = os.path.join(cls.tmp, "credentials")
        cls.lab = Lab(cls.bin, cls.tmp, "--iam-export", cls.export["iam"], "--scp-export",
                      cls.export["scp"], "--credentials-file", cls.credentials)

    @classmethod
    def tearDownClass(cls) -> None:
        rc = cls.lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert rc == 0, f"the lab did not stop cleanly: {rc}"

    # -- helpers ---------------------------------------------------------------------------
    def user_keys(self, path: str | None = None) -> tuple[str, str]:
        parser = configparser.ConfigParser()
        parser.read(path or self.credentials)
        section = parser[PROFILE]
        return section["aws_access_key_id"], section["aws_secret_access_key"]

    def lab_with(self, *args: str) -> Lab:
        lab = Lab(self.bin, self.tmp, *args)
        self.addCleanup(lab.stop)
        return lab

    def copy_export(self) -> dict:
        out = os.path.join(self.tmp, f"export-{time.monotonic_ns()}")
        return fixture.write_export(self.model, out)

    def run_chain(self, url: str, spoke: str, credentials: str) -> es.Ran:
        env = es.base_env(self.home, url, None, None, AWS_DEFAULT_REGION="us-east-1",
                          AWS_SHARED_CREDENTIALS_FILE=credentials, AWS_PROFILE=PROFILE,
                          ASSUME_ROLE_HUB_ACCOUNT=HUB, ASSUME_ROLE_HUB_ROLE="automation-hub-role",
                          ASSUME_ROLE_SPOKE_ROLE="automation-spoke-role",
                          ASSUME_ROLE_EXTERNAL_ID=EXTERNAL_ID,
                          ASSUME_ROLE_SESSION_STRING=es.SESSION_STRING)
        return es.run([self.bin, "run", "--spoke-account", spoke, "--", "aws", "sts",
                       "get-caller-identity", "--output", "json"], env,
                      timeout=es.AWS_CLI_TIMEOUT)

    def refused(self, *args: str) -> str:
        ran = es.run([self.bin, "lab", "--port-file", os.path.join(self.tmp, "never.port"),
                      *args], {"PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"}, timeout=20)
        self.assertEqual(ran.returncode, 2, ran.describe())
        lines = ran.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, ran.describe())
        self.assertTrue(lines[0].startswith(es.ERROR_PREFIX), ran.describe())
        return lines[0]

    # -- the chain -------------------------------------------------------------------------
    def test_the_credentials_file_holds_one_private_profile_per_user(self) -> None:
        mode = stat.S_IMODE(os.lstat(self.credentials).st_mode)
        self.assertEqual(mode, 0o600)
        key, secret = self.user_keys()
        self.assertTrue(key.startswith("AKIA") and len(key) == 20, key)
        self.assertEqual(len(secret), 40)
        self.assertNotEqual(key, USER_KEY)  # exports carry no keys: these are new
        log = self.lab.log_with("exported users")
        self.assertIn(f"keys of 1 exported users in {self.credentials}", log)
        self.assertEqual(es.leaks(log, [secret]), [])

    def test_seed_chain_runs_with_the_generated_keys(self) -> None:
        ran = self.run_chain(self.lab.url, SPOKE, self.credentials)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["Arn"], es.spoke_arn(SPOKE), ran.describe())

    def test_an_scp_on_the_hubs_ou_denies_the_spoke_hop(self) -> None:
        # SCPs limit the principals of the accounts below them (the role's account's SCPs do
        # not apply to a caller from another account): the spoke hop's caller is the hub role,
        # so the OU that matters is the hub account's. The fixture leaves the hub (the
        # management account) under the root; this export moves it into an OU "Hub", as
        # `list-accounts-for-parent` would then print it.
        export = self.copy_export()
        scp = export["scp"]
        root = export["root"]
        hub_ou = f"ou-{root[2:6]}-hubhub01"
        with open(os.path.join(scp, "accounts", f"{root}.json")) as f:
            at_root = json.load(f)
        hub = [a for a in at_root["Accounts"] if a["Id"] == HUB]
        self.assertEqual(len(hub), 1, at_root)
        at_root["Accounts"] = [a for a in at_root["Accounts"] if a["Id"] != HUB]
        with open(os.path.join(scp, "ous", f"{root}.json")) as f:
            ous = json.load(f)
        ous["OrganizationalUnits"].append({"Id": hub_ou, "Name": "Hub", "Arn": "arn:x"})
        for name, doc in ((f"accounts/{root}.json", at_root), (f"ous/{root}.json", ous),
                          (f"accounts/{hub_ou}.json", {"Accounts": hub}),
                          (f"ous/{hub_ou}.json", {"OrganizationalUnits": []})):
            with open(os.path.join(scp, name), "w") as f:
                json.dump(doc, f)
        # Every node with SCPs needs an Allow: the new OU gets FullAWSAccess beside the deny.
        with open(os.path.join(scp, "targets", "p-FullAWSAccess.json")) as f:
            targets = json.load(f)
        targets["Targets"].append({"TargetId": hub_ou, "Type": "ORGANIZATIONAL_UNIT"})
        with open(os.path.join(scp, "targets", "p-FullAWSAccess.json"), "w") as f:
            json.dump(targets, f)
        deny = {"Version": "2012-10-17",
                "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole", "Resource": "*"}]}

        # Without the deny the moved hub still runs the chain; with it, the spoke hop fails.
        credentials = os.path.join(self.tmp, f"credentials-{time.monotonic_ns()}")
        lab = self.lab_with("--iam-export", export["iam"], "--scp-export", scp,
                            "--credentials-file", credentials)
        allowed = self.run_chain(lab.url, SPOKE, credentials)
        self.assertEqual(allowed.returncode, 0, allowed.describe())
        lab.stop()
        fixture.add_scp(scp, "p-denyassume", "DenyAssumeRole", deny, hub_ou,
                        "ORGANIZATIONAL_UNIT")
        credentials = os.path.join(self.tmp, f"credentials-{time.monotonic_ns()}")
        lab = self.lab_with("--iam-export", export["iam"], "--scp-export", scp,
                            "--credentials-file", credentials)
        denied = self.run_chain(lab.url, SPOKE, credentials)
        self.assertEqual(denied.returncode, 1, denied.describe())
        self.assertIn("AccessDenied", denied.stderr)
        self.assertIn("spoke hop", denied.stderr)
        self.assertIn("DenyAssumeRole", lab.log_with("DenyAssumeRole"))
        # The hub hop (the caller is in the identity account, in another OU) still works.
        user = self.user_keys(credentials)
        self.assertEqual(assume(lab.url, user, role(HUB, "automation-hub-role"))[0], "")

    def test_an_scp_on_a_spokes_ou_limits_the_principals_in_it(self) -> None:
        # The spoke's own OU: its principals (the spoke role's sessions) may not assume roles,
        # while the hub may still assume the spoke role (cross-account: not the caller's SCPs).
        export = self.copy_export()
        ou = export["ou_of"][SPOKE]
        self.assertTrue(ou.startswith("ou-"), export["ou_of"])
        fixture.add_scp(export["scp"], "p-denyassume", "DenyAssumeRole",
                        {"Version": "2012-10-17",
                         "Statement": [{"Effect": "Deny", "Action": "sts:AssumeRole",
                                        "Resource": "*"}]}, ou, "ORGANIZATIONAL_UNIT")
        credentials = os.path.join(self.tmp, f"credentials-{time.monotonic_ns()}")
        lab = self.lab_with("--iam-export", export["iam"], "--scp-export", export["scp"],
                            "--credentials-file", credentials)
        code, hub = assume(lab.url, self.user_keys(credentials), role(HUB, "automation-hub-role"))
        self.assertEqual(code, "")
        code, spoke = assume(lab.url, hub, role(SPOKE, "automation-spoke-role"), EXTERNAL_ID)
        self.assertEqual(code, "")
        # A spoke session assuming a role of its own account: its OU's SCP denies it.
        self.assertEqual(assume(lab.url, spoke, role(SPOKE, "automation-spoke-role"))[0],
                         "AccessDenied")
        self.assertIn("DenyAssumeRole", lab.log_with("DenyAssumeRole"))

    def test_the_export_decides_like_the_model_it_came_from(self) -> None:
        original = self.lab_with()  # the built-in model the export was made from
        export_user = self.user_keys()

        def decisions(url: str, user: tuple) -> list[str]:
            out = []
            code, hub = assume(url, user, role(HUB, "automation-hub-role"))
            out.append(code)
            self.assertEqual(code, "", f"the hub hop at {url}")
            for who, target, external in (
                    (user, role(HUB, "org-reader-role"), None),
                    (user, role(SPOKE, "automation-spoke-role"), EXTERNAL_ID),
                    (user, role(HUB, "github-deploy-role"), None),
                    (hub, role(SPOKE, "automation-spoke-role"), EXTERNAL_ID),
                    (hub, role(SPOKE_B, "automation-spoke-role"), EXTERNAL_ID),
                    (hub, role(SPOKE, "automation-spoke-role"), "not-my-automation"),
                    (hub, role(SPOKE, "automation-spoke-role"), None),
                    (hub, role(HUB, "org-reader-role"), None),
                    (hub, role(SPOKE, "no-such-role"), EXTERNAL_ID)):
                out.append(assume(url, who, target, external)[0])
            return out

        expected = decisions(original.url, (USER_KEY, USER_SECRET))
        self.assertIn("", expected[1:])
        self.assertIn("AccessDenied", expected)
        self.assertEqual(decisions(self.lab.url, export_user), expected)

    def test_without_a_credentials_file_the_lab_says_users_cannot_sign_in(self) -> None:
        lab = self.lab_with("--iam-export", self.export["iam"])
        self.assertIn("the 1 exported users cannot sign in until --credentials-file",
                      lab.log_with("cannot sign in"))
        # organization.json in the IAM export: members, so aws:PrincipalOrgID holds; no SCPs.
        self.assertEqual(assume(lab.url, (USER_KEY, USER_SECRET),
                                role(HUB, "automation-hub-role"))[0],
                         "InvalidClientTokenId")

    # -- bad input ---------------------------------------------------------------------------
    def test_bad_exports_exit_2_with_one_line_naming_file_and_path(self) -> None:
        export = self.copy_export()
        path = os.path.join(export["iam"], "999999999999.json")
        with open(path) as f:
            doc = json.load(f)
        doc["RoleDetailList"][0]["AssumeRolePolicyDocument"] = 7
        with open(path, "w") as f:
            json.dump(doc, f)
        line = self.refused("--iam-export", export["iam"])
        self.assertEqual(line, f"{es.ERROR_PREFIX} --iam-export {export['iam']}: "
                               "999999999999.json: $.RoleDetailList[0].AssumeRolePolicyDocument: "
                               "expected a policy document (object or string), got number")
        with open(path, "w") as f:
            f.write("{\"UserDetailList\": [")
        self.assertIn("999999999999.json: not valid JSON", self.refused("--iam-export",
                                                                         export["iam"]))

        export = self.copy_export()
        target = os.path.join(export["scp"], "targets", "p-FullAWSAccess.json")
        with open(target) as f:
            doc = json.load(f)
        doc["Targets"].append({"TargetId": "ou-a1b2-notthere", "Type": "ORGANIZATIONAL_UNIT"})
        with open(target, "w") as f:
            json.dump(doc, f)
        line = self.refused("--iam-export", export["iam"], "--scp-export", export["scp"])
        self.assertIn(f"--scp-export {export['scp']}: targets/p-FullAWSAccess.json: "
                      f"$.Targets[{len(doc['Targets']) - 1}].TargetId: unknown target", line)

        # An AWS managed policy missing (exported with --filter): named, with the fix.
        export = self.copy_export()
        for name in os.listdir(export["iam"]):
            if not name[0].isdigit():
                continue
            p = os.path.join(export["iam"], name)
            with open(p) as f:
                doc = json.load(f)
            doc["Policies"] = [x for x in doc["Policies"] if ":aws:policy/" not in x["Arn"]]
            with open(p, "w") as f:
                json.dump(doc, f)
        line = self.refused("--iam-export", export["iam"])
        self.assertIn("managed policy arn:aws:iam::aws:policy/", line)
        self.assertIn("without --filter", line)

        self.assertIn("--iam-export /nonexistent: No such file or directory",
                      self.refused("--iam-export", "/nonexistent"))
        self.assertIn("excludes", self.refused("--iam-export", export["iam"], "--model",
                                               os.devnull))

    def test_an_existing_credentials_file_or_symlink_is_refused(self) -> None:
        existing = os.path.join(self.tmp, "existing-credentials")
        with open(existing, "w") as f:
            f.write("[default]\n")
        line = self.refused("--iam-export", self.export["iam"], "--credentials-file", existing)
        self.assertIn(f"--credentials-file: {existing}: already exists", line)
        with open(existing) as f:
            self.assertEqual(f.read(), "[default]\n")
        link = os.path.join(self.tmp, "link-credentials")
        os.symlink(os.path.join(self.tmp, "nowhere"), link)
        self.assertIn("already exists",
                      self.refused("--iam-export", self.export["iam"], "--credentials-file", link))
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "nowhere")))

    def test_a_fifo_in_the_export_does_not_hang(self) -> None:
        export = self.copy_export()
        os.mkfifo(os.path.join(export["iam"], "pipe.json"))
        started = time.monotonic()
        line = self.refused("--iam-export", export["iam"])
        self.assertLess(time.monotonic() - started, 10)
        self.assertIn("pipe.json': is a FIFO", line)


if __name__ == "__main__":
    unittest.main()
