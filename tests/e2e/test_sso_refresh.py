"""End to end: an IAM Identity Center (sso-session) profile as the base identity, against the
lab's SSO OIDC and portal endpoints (issue 16).

The sign-in is a real client's: boto3 registers a client, starts a device authorization (the lab
approves it at once) and takes the tokens with CreateToken, and the test writes the token cache
as `aws sso login` does. Then:
- the cached access token has expired but its refresh token has not: the tool refreshes it with
  exactly one CreateToken, uses the new access token (the lab numbers them), rewrites the cache
  file atomically (a new inode) with mode 0600 and the fields botocore writes, and logs no token
  under --verbose; a second run uses the new token without a CreateToken;
- the sign-in session has ended (the refresh token has expired): the tool says to run
  `aws sso login --sso-session corp` and leaves the file as it was;
- the real AWS CLI (botocore's SSOTokenProvider) refreshes the same kind of cache against the same
  lab, so the lab's endpoints are what a real client expects."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import tempfile
import time
import unittest

import e2e_support as es
from test_lab_clients import LAB_CHAIN_ENV, Lab, SPOKE

START_URL = "https://lab-sso.awsapps.com/start"
SESSION = "corp"
SSO_ACCOUNT = "111111111111"
SSO_ROLE = "AWSReservedSSO_Automation_0123456789abcdef"
SSO_ROLE_PATH = "/aws-reserved/sso.amazonaws.com/"
USER = "alice"
CONFIG = f"""[profile sso-base]
sso_session = {SESSION}
sso_account_id = {SSO_ACCOUNT}
sso_role_name = {SSO_ROLE}
region = us-east-1

[sso-session {SESSION}]
sso_start_url = {START_URL}
sso_region = us-east-1
sso_registration_scopes = sso:account:access
"""


def model_with_identity_center(binary: str, **identity_center: object) -> dict:
    """The built-in model, plus the role Identity Center provisions for a permission set in
    SSO_ACCOUNT (allowed to assume the hub role, which trusts it), and `alice` assigned to it."""
    model = json.loads(es.run([binary, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"}).stdout)
    model["roles"].append({
        "account": SSO_ACCOUNT, "name": SSO_ROLE, "path": SSO_ROLE_PATH,
        "trust_policy": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": f"arn:aws:iam::{SSO_ACCOUNT}:saml-provider/"
                                       "AWSSSO_0123456789abcdef_DO_NOT_DELETE"},
            "Action": ["sts:AssumeRoleWithSAML", "sts:TagSession"]}]},
        "policies": [{"name": "AwsSSOInlinePolicy", "document": {
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Resource": "arn:aws:iam::999999999999:role/automation-hub-role"}]}}]})
    for role in model["roles"]:
        if role["name"] == "automation-hub-role":
            role["trust_policy"]["Statement"].append({
                "Sid": "TrustThePermissionSet", "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{SSO_ACCOUNT}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"ArnLike": {"aws:PrincipalArn":
                              f"arn:aws:iam::{SSO_ACCOUNT}:role{SSO_ROLE_PATH}"
                              "AWSReservedSSO_Automation_*"}}})
    model["identity_center"] = {
        "start_url": START_URL,
        "users": [{"name": USER, "assignments": [{"account": SSO_ACCOUNT, "role": SSO_ROLE}]}],
        **identity_center}
    return model


def rfc3339(t: float) -> str:
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign_in(lab_url: str) -> dict:
    """What `aws sso login --sso-session corp` caches, obtained from the lab by boto3 (device
    authorization, approved at once by the lab, then CreateToken)."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config
    oidc = boto3.client("sso-oidc", endpoint_url=lab_url, region_name="us-east-1",
                        aws_access_key_id="unused", aws_secret_access_key="unused",
                        config=Config(signature_version=UNSIGNED))
    client = oidc.register_client(clientName=f"botocore-client-{SESSION}", clientType="public",
                                  scopes=["sso:account:access"])
    device = oidc.start_device_authorization(clientId=client["clientId"],
                                             clientSecret=client["clientSecret"],
                                             startUrl=START_URL)
    token = oidc.create_token(clientId=client["clientId"], clientSecret=client["clientSecret"],
                              grantType="urn:ietf:params:oauth:grant-type:device_code",
                              deviceCode=device["deviceCode"])
    return {"startUrl": START_URL, "region": "us-east-1",
            "accessToken": token["accessToken"],
            "expiresAt": rfc3339(time.time() + token["expiresIn"]),
            "clientId": client["clientId"], "clientSecret": client["clientSecret"],
            "registrationExpiresAt": rfc3339(client["clientSecretExpiresAt"]),
            "refreshToken": token["refreshToken"]}


class SsoRefreshTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-sso.")
        path = os.path.join(cls.tmp, "model.json")
        with open(path, "w") as f:
            json.dump(model_with_identity_center(cls.bin), f)
        cls.lab = Lab(cls.bin, cls.tmp, "--model", path)
        # A second lab whose sign-in sessions last 2 s, to let a refresh token expire.
        short = os.path.join(cls.tmp, "short-sessions.json")
        with open(short, "w") as f:
            json.dump(model_with_identity_center(cls.bin, session_seconds=2), f)
        cls.short_lab = Lab(cls.bin, cls.tmp, "--model", short)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.lab.stop()
        cls.short_lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self) -> None:
        self.home = tempfile.mkdtemp(prefix="home.", dir=self.tmp)
        os.makedirs(os.path.join(self.home, ".aws", "sso", "cache"), 0o700)
        with open(os.path.join(self.home, ".aws", "config"), "w") as f:
            f.write(CONFIG)
        # The cache key of an sso-session is the SHA-1 of its name.
        self.cache = os.path.join(self.home, ".aws", "sso", "cache",
                                  hashlib.sha1(SESSION.encode()).hexdigest() + ".json")

    def write_cache(self, cached: dict) -> None:
        fd = os.open(self.cache, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(cached, f)

    def read_cache(self) -> dict:
        with open(self.cache) as f:
            return json.load(f)

    def credentials(self, lab: Lab) -> es.Ran:
        env = es.base_env(self.home, lab.url, None, None, **LAB_CHAIN_ENV)
        return es.run([self.bin, "credentials", "--profile", "sso-base", "--spoke-account",
                       SPOKE, "--format", "json", "--verbose"], env)

    def refresh_grants(self, lab: Lab) -> int:
        return lab.log().count("CreateToken (refresh token)")

    def test_an_expired_access_token_is_refreshed_once_and_the_cache_rewritten(self) -> None:
        cached = sign_in(self.lab.url)
        cached["expiresAt"] = rfc3339(time.time() - 60)  # expired a minute ago
        self.write_cache(cached)
        before = os.stat(self.cache)
        grants = self.refresh_grants(self.lab)

        ran = self.credentials(self.lab)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["AssumedRoleUser"]["Arn"], es.spoke_arn(SPOKE))
        log = self.lab.log_once(lambda t: "GetRoleCredentials" in t.split(
            "CreateToken (refresh token)")[-1])
        self.assertEqual(self.refresh_grants(self.lab), grants + 1, log)
        # The new token was the one presented: the lab numbers its access tokens.
        refreshed = log.split("CreateToken (refresh token)")[-1]
        number = refreshed.split("access token #")[1].split(",")[0]
        self.assertIn(f"for {USER} (access token #{number}) → "
                      f"arn:aws:sts::{SSO_ACCOUNT}:assumed-role/{SSO_ROLE}/{USER}", refreshed)

        after = os.stat(self.cache)
        self.assertNotEqual(after.st_ino, before.st_ino, "rewritten by a rename, not in place")
        self.assertEqual(after.st_mode & 0o777, 0o600)
        self.assertEqual(os.listdir(os.path.dirname(self.cache)),
                         [os.path.basename(self.cache)], "no temporary file left")
        written = self.read_cache()
        self.assertEqual(set(written), set(cached))
        self.assertNotEqual(written["accessToken"], cached["accessToken"])
        expires = datetime.datetime.strptime(written["expiresAt"], "%Y-%m-%dT%H:%M:%SZ")
        left = expires.replace(tzinfo=datetime.timezone.utc).timestamp() - time.time()
        self.assertGreater(left, 3000)  # an hour, as the lab issues them
        for key in ("clientId", "clientSecret", "registrationExpiresAt", "startUrl", "region"):
            self.assertEqual(written[key], cached[key], key)
        self.assertTrue(written["refreshToken"])

        secrets = [cached["accessToken"], cached["refreshToken"], cached["clientSecret"],
                   written["accessToken"], written["refreshToken"]]
        self.assertEqual(es.leaks(ran.stderr, secrets), [])
        self.assertEqual(es.leaks(self.lab.log(), secrets), [])
        self.assertIn("refreshing the SSO token of session corp", ran.stderr)

        # The refreshed token is good for an hour: the next run uses it as it is.
        again = self.credentials(self.lab)
        self.assertEqual(again.returncode, 0, again.describe())
        self.assertEqual(self.refresh_grants(self.lab), grants + 1)
        self.assertEqual(os.stat(self.cache).st_ino, after.st_ino)
        self.assertNotIn("refreshing", again.stderr)

    def test_an_expired_refresh_token_asks_for_aws_sso_login(self) -> None:
        cached = sign_in(self.short_lab.url)
        cached["expiresAt"] = rfc3339(time.time() - 60)
        self.write_cache(cached)
        time.sleep(3)  # the 2 s sign-in session, and its refresh token, are over
        with open(self.cache, "rb") as f:
            bytes_before = f.read()
        ino_before = os.stat(self.cache).st_ino

        ran = self.credentials(self.short_lab)
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("run `aws sso login --sso-session corp`", ran.stderr)
        errors = [line for line in ran.stderr.splitlines() if ": error: " in line]
        self.assertEqual(len(errors), 1, ran.stderr)
        self.assertIn("base hop", errors[0])
        self.assertIn("invalid_grant (HTTP 400, request id ", errors[0])
        self.assertEqual(ran.stdout, "")
        self.assertIn("the refresh token has expired",
                      self.short_lab.log_with("the refresh token has expired"))
        with open(self.cache, "rb") as f:
            self.assertEqual(f.read(), bytes_before, "the cache is left as it was")
        self.assertEqual(os.stat(self.cache).st_ino, ino_before)
        self.assertEqual(es.leaks(ran.stderr, [cached["accessToken"], cached["refreshToken"],
                                               cached["clientSecret"]]), [])

    def test_the_aws_cli_refreshes_against_the_lab_too(self) -> None:
        cached = sign_in(self.lab.url)
        cached["expiresAt"] = rfc3339(time.time() - 60)
        self.write_cache(cached)
        grants = self.refresh_grants(self.lab)
        env = es.base_env(self.home, self.lab.url, None, None)
        ran = es.run([es.aws_cli(), "sts", "get-caller-identity", "--profile", "sso-base",
                      "--output", "json"], env)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["Arn"],
                         f"arn:aws:sts::{SSO_ACCOUNT}:assumed-role/{SSO_ROLE}/{USER}")
        self.assertEqual(self.refresh_grants(self.lab), grants + 1)
        written = self.read_cache()
        self.assertNotEqual(written["accessToken"], cached["accessToken"])
        # And our tool takes the file botocore wrote as it is.
        ours = self.credentials(self.lab)
        self.assertEqual(ours.returncode, 0, ours.describe())
        self.assertEqual(self.refresh_grants(self.lab), grants + 1)


if __name__ == "__main__":
    unittest.main()
