"""End to end: the lab as a large organization (`lab --spokes 50`) serving the AWS
Organizations API to the real AWS CLI (which signs for service "organizations" and paginates
itself), and STS rate limits (`lab --sts-rate 5`) as a boto3 client sees them."""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import unittest

import botocore.exceptions

import e2e_support as es
import moto_fixture as mf
from test_lab_clients import HUB_ROLE_ARN, USER_KEY, USER_SECRET, Lab

ORG_READER_ARN = "arn:aws:iam::999999999999:role/org-reader-role"


class LabOrganizationTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        es.aws_cli()
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-lab-org.")
        cls.home = cls.tmp + "/home"
        os.mkdir(cls.home, 0o700)
        cls.lab = Lab(cls.bin, cls.tmp, "--spokes", "50", "--log-requests")

    @classmethod
    def tearDownClass(cls) -> None:
        rc = cls.lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)
        assert rc == 0, f"the lab did not stop cleanly: {rc}"

    def env(self, key: str = USER_KEY, secret: str = USER_SECRET,
            token: str | None = None) -> dict[str, str]:
        return es.base_env(self.home, self.lab.url, key, secret, AWS_DEFAULT_REGION="us-east-1",
                           AWS_SESSION_TOKEN=token)

    def aws(self, env: dict, *args: str) -> es.Ran:
        return es.run([es.aws_cli(), *args, "--output", "json"], env, timeout=es.AWS_CLI_TIMEOUT)

    def ok_json(self, ran: es.Ran) -> dict:
        self.assertEqual(ran.returncode, 0, ran.describe() + self.lab.log()[-3000:])
        return json.loads(ran.stdout)

    def session_env(self, role_arn: str) -> dict[str, str]:
        c = self.ok_json(self.aws(self.env(), "sts", "assume-role", "--role-arn", role_arn,
                                  "--role-session-name", "e2e-org"))["Credentials"]
        return self.env(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])

    def test_aws_cli_lists_the_organization_in_pages_of_two(self) -> None:
        hub = self.session_env(HUB_ROLE_ARN)
        accounts = self.ok_json(self.aws(hub, "organizations", "list-accounts",
                                         "--page-size", "2"))["Accounts"]
        # The built-in model's 4 accounts and the 50 generated spokes, all ACTIVE.
        self.assertEqual(len(accounts), 54)
        ids = [a["Id"] for a in accounts]
        self.assertEqual(len(set(ids)), 54)
        self.assertIn("200000000050", ids)
        spoke = next(a for a in accounts if a["Id"] == "200000000001")
        self.assertEqual(spoke["Name"], "spoke-0001")
        self.assertEqual(spoke["Status"], "ACTIVE")
        self.assertEqual(spoke["Arn"],
                         "arn:aws:organizations::999999999999:account/o-a1b2c3d4e5/200000000001")
        # The CLI followed NextToken: 27 pages of at most 2 accounts.
        log = self.lab.log_once(lambda t: t.count("action=ListAccounts caller=999999999999 "
                                                  "status=200") >= 27)
        self.assertGreaterEqual(log.count("action=ListAccounts caller=999999999999 status=200"),
                                27)

    def test_aws_cli_walks_the_tree_as_the_org_reader_role(self) -> None:
        reader = self.session_env(ORG_READER_ARN)
        roots = self.ok_json(self.aws(reader, "organizations", "list-roots"))["Roots"]
        self.assertEqual([r["Id"] for r in roots], ["r-a1b2"])
        root = roots[0]["Id"]
        ous = self.ok_json(self.aws(reader, "organizations", "list-children", "--parent-id", root,
                                    "--child-type", "ORGANIZATIONAL_UNIT"))["Children"]
        self.assertEqual([c["Id"] for c in ous], ["ou-a1b2-workloads", "ou-a1b2-sandboxes"])
        self.assertTrue(all(c["Type"] == "ORGANIZATIONAL_UNIT" for c in ous))
        direct = self.ok_json(self.aws(reader, "organizations", "list-children", "--parent-id",
                                       root, "--child-type", "ACCOUNT",
                                       "--page-size", "2"))["Children"]
        self.assertEqual(sorted(c["Id"] for c in direct),
                         ["111111111111", "777777777777", "888888888888", "999999999999"])
        prod = self.ok_json(self.aws(reader, "organizations", "list-accounts-for-parent",
                                     "--parent-id", "ou-a1b2-prodaccts",
                                     "--page-size", "3"))["Accounts"]
        # Spokes 1, 5, …, 49: 13 accounts.
        self.assertEqual(len(prod), 13)
        self.assertEqual(prod[0]["Id"], "200000000001")
        org = self.ok_json(self.aws(reader, "organizations",
                                    "describe-organization"))["Organization"]
        self.assertEqual(org["Id"], "o-a1b2c3d4e5")
        self.assertEqual(org["MasterAccountId"], "999999999999")
        self.assertEqual(org["Arn"],
                         "arn:aws:organizations::999999999999:organization/o-a1b2c3d4e5")

    def test_a_member_account_is_access_denied(self) -> None:
        ran = self.aws(self.env(), "organizations", "list-accounts")
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("AccessDeniedException", ran.stderr)
        self.assertIn("only the management account",
                      self.lab.log_with("only the management account"))


class LabStsRateTest(unittest.TestCase):

    def test_boto3_gets_throttling_over_the_rate(self) -> None:
        binary = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                       "ASSUME_SPOKE_ROLE_BIN")
        tmp = tempfile.mkdtemp(prefix="e2e-lab-rate.")
        self.addCleanup(shutil.rmtree, tmp, True)
        lab = Lab(binary, tmp, "--sts-rate", "5", "--log-requests")
        self.addCleanup(lab.stop)
        sts = mf.client("sts", lab.url, USER_KEY, USER_SECRET)  # one attempt: no retries
        outcomes = []
        for _ in range(20):
            try:
                sts.get_caller_identity()
                outcomes.append("ok")
            except botocore.exceptions.ClientError as e:
                outcomes.append(e.response["Error"]["Code"])
                self.assertEqual(e.response["Error"]["Message"], "Rate exceeded")
                self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertIn("Throttling", outcomes)
        self.assertGreaterEqual(outcomes.count("ok"), 5)
        # The request log counts them per caller account and second.
        log = lab.log_once(lambda t: t.count("service=sts") >= 20)
        lines = re.findall(r"lab: request t=(\d+)\.\d{3} service=sts action=GetCallerIdentity "
                           r"caller=111111111111 status=(\d+)(?: code=(\w+))?", log)
        self.assertEqual(len(lines), 20, log)
        throttled = [l for l in lines if l[2] == "Throttling"]
        self.assertEqual(len(throttled), outcomes.count("Throttling"))
        self.assertTrue(all(l[1] == "400" for l in throttled))
        per_second: dict[str, int] = {}
        for t, status, _ in lines:
            if status == "200":
                per_second[t] = per_second.get(t, 0) + 1
        # Burst 5, then 5 per second: no second sees more than 5 + 5 successes.
        self.assertLessEqual(max(per_second.values()), 10, per_second)
        self.assertNotIn(USER_SECRET, log)


if __name__ == "__main__":
    unittest.main()
