"""End to end: the documents `policy all` generates for the seed's example, loaded into a lab
model, let the chain succeed; each single mutation (wrong hub ARN in the spoke trust, missing org
id, wrong external id, an SCP denying sts:AssumeRole, a permissions boundary that removes it,
the base policy naming another hub) makes `explain` report that hop and that statement and the
lab refuse the same request at the same hop: the two always agree."""

from __future__ import annotations

import copy
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
HUB_ROLE_ARN = f"arn:aws:iam::{HUB}:role/automation-hub-role"
EXTERNAL_ID = "this-is-my-automation"
ORG = "o-a1b2c3d4e5"
CHAIN = {"ASSUME_ROLE_HUB_ACCOUNT": HUB, "ASSUME_ROLE_HUB_ROLE": "automation-hub-role",
         "ASSUME_ROLE_SPOKE_ROLE": "automation-spoke-role",
         "ASSUME_ROLE_EXTERNAL_ID": EXTERNAL_ID,
         "ASSUME_ROLE_SESSION_STRING": es.SESSION_STRING}


class PolicyChainTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-policy-chain.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        out = os.path.join(cls.tmp, "policies")
        env = es.base_env(cls.home, "http://127.0.0.1:9", None, None, **CHAIN)
        made = es.run([cls.bin, "policy", "all", "--principal", USER_ARN, "--org-id", ORG,
                       "--output-dir", out], env)
        assert made.returncode == 0, made.describe()
        cls.documents = {}
        for name in ("base", "hub-trust", "hub", "spoke-trust"):
            one = es.run([cls.bin, "policy", name, "--principal", USER_ARN, "--org-id", ORG], env)
            assert one.returncode == 0, one.describe()
            cls.documents[name] = json.loads(one.stdout)
            # `policy all` wrote the same document into the directory.
            written = [json.load(open(os.path.join(out, f))) for f in os.listdir(out)
                       if f.endswith(".json")]
            assert cls.documents[name] in written, (name, os.listdir(out))
        printed = es.run([cls.bin, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"})
        assert printed.returncode == 0, printed.describe()
        cls.seed_model = json.loads(printed.stdout)

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- the world -------------------------------------------------------------------------
    def generated_model(self) -> dict:
        """The seed's organization with the generated documents in place of its own."""
        m = copy.deepcopy(self.seed_model)
        (user,) = [u for u in m["users"] if u["name"] == "sys-automation"]
        user["policies"] = [{"name": "assume-the-hub", "document": self.documents["base"]}]
        for role in m["roles"]:
            if role["name"] == "automation-hub-role":
                role["trust_policy"] = self.documents["hub-trust"]
                role["policies"] = [{"name": "assume-spoke-roles",
                                     "document": self.documents["hub"]}]
            if role["name"] == "automation-spoke-role":
                role["trust_policy"] = self.documents["spoke-trust"]
        return m

    def write(self, model: dict) -> str:
        path = os.path.join(self.tmp, f"model-{time.monotonic_ns()}.json")
        with open(path, "w") as f:
            json.dump(model, f)
        return path

    def both(self, model: dict, **env: str):
        """(run through the lab, explain --json) for one world and one request."""
        path = self.write(model)
        lab = Lab(self.bin, self.tmp, "--model", path)
        self.addCleanup(lab.stop)
        values = dict(CHAIN)
        values.update(env)
        run_env = es.base_env(self.home, lab.url, USER_KEY, USER_SECRET, **values)
        ran = es.run([self.bin, "run", "--spoke-account", SPOKE, "--", "aws", "sts",
                      "get-caller-identity", "--output", "json"], run_env,
                     timeout=es.AWS_CLI_TIMEOUT)
        # explain never needs the lab: a closed port proves it.
        offline = es.base_env(self.home, f"http://127.0.0.1:{es.free_closed_port()}", USER_KEY,
                              USER_SECRET, **values)
        explained = es.run([self.bin, "explain", "--model", path, "--spoke-account", SPOKE,
                            "--json"], offline)
        self.assertIn(explained.returncode, (0, 1), explained.describe())
        return ran, json.loads(explained.stdout), lab

    def assert_refused(self, model: dict, hop: str, side: str, policy_part: str,
                       statement: int | None, code: str | None = None, **env: str) -> dict:
        ran, verdict, lab = self.both(model, **env)
        # The lab refuses at that hop...
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn(f"{hop} hop", ran.stderr)
        self.assertIn("AccessDenied", ran.stderr)
        # ...and explain says the same hop (the first it denies is where the lab stopped; a
        # single mutation denies only that one), side and statement.
        self.assertFalse(verdict["allowed"])
        denied = [h for h in verdict["hops"] if not h["allowed"]]
        self.assertEqual([h["hop"] for h in denied], [hop], json.dumps(verdict, indent=1))
        (h,) = denied
        self.assertEqual(h["side"], side, json.dumps(h, indent=1))
        self.assertEqual(h["sts_error"], "AccessDenied")
        named = [r for r in h["reasons"] if policy_part in r["policy"]
                 and (statement is None or r["statement_index"] == statement)
                 and (code is None or r["code"] == code)]
        self.assertTrue(named, json.dumps(h, indent=1))
        self.assertTrue(h["fix"], h)
        # The lab's own log names the same hop's role and refusal.
        self.assertIn(h["role_arn"], lab.log_with(h["role_arn"]))
        return h

    # -- tests -----------------------------------------------------------------------------
    def test_the_generated_documents_let_the_chain_succeed(self) -> None:
        ran, verdict, _ = self.both(self.generated_model())
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["Arn"], es.spoke_arn(SPOKE))
        self.assertTrue(verdict["allowed"], json.dumps(verdict, indent=1))
        # The statements that allow: the base policy, the hub trust, the hub policy, the spoke
        # trust.
        hub, spoke = verdict["hops"]
        for h, kinds in ((hub, ("identity policy", "trust policy")),
                         (spoke, ("identity policy", "trust policy"))):
            allows = {r["side"] for r in h["reasons"] if r["code"] == "StatementAllows"}
            for kind in kinds:
                self.assertIn(kind, allows, json.dumps(h, indent=1))

    def test_the_spoke_trust_naming_another_hub_role(self) -> None:
        m = self.generated_model()
        for role in m["roles"]:
            if role["name"] == "automation-spoke-role":
                text = json.dumps(role["trust_policy"]).replace(
                    HUB_ROLE_ARN, f"arn:aws:iam::{HUB}:role/another-hub-role")
                role["trust_policy"] = json.loads(text)
        self.assert_refused(m, "spoke", "trust policy", "trust policy of arn:aws:iam::888888888888",
                            0, "PrincipalNotMatched")

    def test_the_identity_account_outside_the_organization(self) -> None:
        m = self.generated_model()
        for account in m["accounts"]:
            if account["id"] == "111111111111":
                account["organization"] = False
        h = self.assert_refused(m, "hub", "trust policy", f"trust policy of {HUB_ROLE_ARN}", 0,
                                "ConditionNotMet")
        failed = [c for r in h["reasons"] for c in r["conditions"]]
        self.assertEqual(failed[0]["key"], "aws:PrincipalOrgID")
        self.assertIsNone(failed[0]["actual"])

    def test_a_wrong_external_id_for_both_hops_stops_at_the_hub(self) -> None:
        # ASSUME_ROLE_EXTERNAL_ID is both hops' external id, and the generated hub trust
        # requires it too: the lab stops at the hub hop, and explain denies both.
        ran, verdict, _ = self.both(self.generated_model(),
                                    ASSUME_ROLE_EXTERNAL_ID="not-my-automation-8")
        self.assertIn("hub hop", ran.stderr)
        self.assertEqual([h["hop"] for h in verdict["hops"] if not h["allowed"]],
                         ["hub", "spoke"])
        for h in verdict["hops"]:
            self.assertEqual(h["side"], "trust policy")

    def test_a_wrong_external_id(self) -> None:
        wrong = "not-my-automation-7"
        h = self.assert_refused(self.generated_model(), "spoke", "trust policy",
                                "trust policy of arn:aws:iam::888888888888", 0, "ConditionNotMet",
                                ASSUME_ROLE_SPOKE_EXTERNAL_ID=wrong)
        self.assertNotIn(wrong, json.dumps(h))
        self.assertNotIn(EXTERNAL_ID, json.dumps(h))

    def test_an_scp_denying_assume_role_in_the_hub_account(self) -> None:
        m = self.generated_model()
        for account in m["accounts"]:
            if account["id"] == HUB:
                account["scps"] = [
                    {"name": "FullAWSAccess", "document": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}},
                    {"name": "NoRoleChaining", "document": {"Version": "2012-10-17", "Statement": [
                        {"Sid": "Allowed", "Effect": "Deny", "Action": "iam:CreateUser",
                         "Resource": "*"},
                        {"Sid": "NoAssumeRole", "Effect": "Deny", "Action": "sts:AssumeRole",
                         "Resource": "*"}]}}]
        h = self.assert_refused(m, "spoke", "SCP", "NoRoleChaining", 1, "ExplicitDeny")
        self.assertIn("account", [r for r in h["reasons"] if r["code"] == "ExplicitDeny"][0]
                      ["scp_target"])

    def test_a_permissions_boundary_of_the_hub_role_without_assume_role(self) -> None:
        m = self.generated_model()
        for role in m["roles"]:
            if role["name"] == "automation-hub-role":
                role["permissions_boundary"] = {"Version": "2012-10-17", "Statement": [
                    {"Sid": "ReadOnly", "Effect": "Allow", "Action": ["s3:Get*", "ec2:Describe*"],
                     "Resource": "*"}]}
        h = self.assert_refused(m, "spoke", "permissions boundary",
                                "permissions boundary of role automation-hub-role", 0,
                                "ActionNotMatched")
        self.assertEqual(h["reasons"][0]["code"], "NoBoundaryAllow")
        self.assertIn("permissions boundary of role automation-hub-role", h["fix"])

    def test_the_base_policy_naming_another_hub(self) -> None:
        m = self.generated_model()
        (user,) = [u for u in m["users"] if u["name"] == "sys-automation"]
        text = json.dumps(user["policies"]).replace(HUB_ROLE_ARN,
                                                    f"arn:aws:iam::{HUB}:role/other-hub-role")
        user["policies"] = json.loads(text)
        self.assert_refused(m, "hub", "identity policy", "", None, "NoIdentityAllow")


if __name__ == "__main__":
    unittest.main()
