"""Checks that the moto peer really enforces what the end-to-end tests rely on.

Run: python3 -m unittest discover -s tests/e2e -p 'test_*.py'
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import moto_fixture as mf  # noqa: E402

HAVE_MOTO = shutil.which("moto_server") is not None or bool(os.environ.get("MOTO_SERVER"))


def arn_role(account: str, role: str) -> str:
    return f"arn:aws:iam::{account}:role/{role}"


@unittest.skipUnless(HAVE_MOTO, "moto_server not installed (pip install 'moto[server]')")
class SeededMotoTest(unittest.TestCase):
    server: mf.MotoServer
    seed: dict
    first_after_seed: str | None
    second_after_seed: str | None

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = mf.MotoServer().start()
        try:
            cls.seed = mf.seed_hub_spoke(cls.server)
            url = cls.seed["url"]
            # The very first request after the 18 seeding requests: signed with the right key id
            # and a wrong secret.  It must already be refused.
            cls.first_after_seed = mf._error_code(lambda: mf.client(
                "sts", url, cls.seed["access_key_id"], "not-the-secret").assume_role(
                    RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_ROLE), RoleSessionName="first"))
            # The second: the dummy seeding credentials are now unknown.
            cls.second_after_seed = mf._error_code(lambda: mf.client(
                "iam", url, "AKIASEEDINGDUMMYKEY0", "seeding-dummy-secret",
                account_header=mf.BASE_ACCOUNT).list_users())
        except BaseException:
            cls.server.stop()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.stop()

    def sts(self, key_id: str, secret: str, token: str | None = None):
        return mf.client("sts", self.seed["url"], key_id, secret, token)

    def user_sts(self):
        return self.sts(self.seed["access_key_id"], self.seed["secret_access_key"])

    # -- the seed ----------------------------------------------------------------------------
    def test_seed_contents(self) -> None:
        s = self.seed
        self.assertEqual(s["url"], self.server.url)
        self.assertRegex(s["url"], r"^http://127\.0\.0\.1:\d+$")
        self.assertEqual(s["base_account"], "111111111111")
        self.assertEqual(s["hub_account"], "999999999999")
        self.assertEqual(s["spoke_accounts"], ["888888888888", "777777777777", "666666666666"])
        self.assertEqual((s["hub_role"], s["spoke_role"]),
                         ("automation-hub-role", "automation-spoke-role"))
        self.assertEqual(s["external_id"], "this-is-my-automation")
        self.assertEqual(s["no_auth_requests"], mf.SEED_REQUEST_COUNT)
        self.assertNotEqual(s["access_key_id"], s["nobody_access_key_id"])

    # -- authentication ----------------------------------------------------------------------
    def test_enforcement_starts_right_after_seeding(self) -> None:
        self.assertEqual(self.first_after_seed, "SignatureDoesNotMatch")
        self.assertEqual(self.second_after_seed, "InvalidClientTokenId")

    def test_wrong_secret_is_refused(self) -> None:
        code = mf._error_code(lambda: self.sts(self.seed["access_key_id"], "wrong").assume_role(
            RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_ROLE), RoleSessionName="wrong"))
        self.assertEqual(code, "SignatureDoesNotMatch")

    def test_unknown_key_is_refused(self) -> None:
        code = mf._error_code(lambda: self.sts("AKIAUNKNOWNKEY000000", "x").get_caller_identity())
        self.assertEqual(code, "InvalidClientTokenId")

    def test_temporary_credentials_need_their_session_token(self) -> None:
        hub = self.user_sts().assume_role(RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_ROLE),
                                          RoleSessionName="token")["Credentials"]
        for token in (None, "bogus"):
            with self.subTest(token=token):
                code = mf._error_code(lambda: self.sts(
                    hub["AccessKeyId"], hub["SecretAccessKey"], token).get_caller_identity())
                self.assertEqual(code, "InvalidClientTokenId")

    # -- the chain ---------------------------------------------------------------------------
    def test_user_identity(self) -> None:
        self.assertEqual(self.user_sts().get_caller_identity()["Arn"],
                         "arn:aws:iam::111111111111:user/sys-automation")

    def test_chain_reaches_every_spoke(self) -> None:
        for account in self.seed["spoke_accounts"]:
            with self.subTest(spoke=account):
                spoke = mf.assume_chain(self.seed, spoke_account=account, session="e2e-session")
                ident = self.sts(spoke["AccessKeyId"], spoke["SecretAccessKey"],
                                 spoke["SessionToken"]).get_caller_identity()
                self.assertEqual(
                    ident["Arn"],
                    f"arn:aws:sts::{account}:assumed-role/automation-spoke-role/e2e-session")
                self.assertEqual(ident["Account"], account)

    def test_hub_identity(self) -> None:
        hub = self.user_sts().assume_role(RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_ROLE),
                                          RoleSessionName="hubsession")["Credentials"]
        ident = self.sts(hub["AccessKeyId"], hub["SecretAccessKey"],
                         hub["SessionToken"]).get_caller_identity()
        self.assertEqual(ident["Arn"],
                         "arn:aws:sts::999999999999:assumed-role/automation-hub-role/hubsession")

    def test_spoke_policy_is_enforced(self) -> None:
        spoke = mf.assume_chain(self.seed, session="policy")
        iam = mf.client("iam", self.seed["url"], spoke["AccessKeyId"], spoke["SecretAccessKey"],
                        spoke["SessionToken"])
        self.assertIsNone(mf._error_code(iam.list_roles))        # allowed by the spoke policy
        self.assertEqual(mf._error_code(iam.list_users), "AccessDenied")  # not allowed

    # -- identity policies -------------------------------------------------------------------
    def test_nobody_is_denied_the_hub(self) -> None:
        sts = self.sts(self.seed["nobody_access_key_id"], self.seed["nobody_secret_access_key"])
        code = mf._error_code(lambda: sts.assume_role(
            RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_ROLE), RoleSessionName="nobody"))
        self.assertEqual(code, "AccessDenied")

    def test_user_is_denied_the_spoke_directly(self) -> None:
        code = mf._error_code(lambda: self.user_sts().assume_role(
            RoleArn=arn_role("888888888888", mf.SPOKE_ROLE), RoleSessionName="direct"))
        self.assertEqual(code, "AccessDenied")

    def test_narrow_hub_is_denied_the_spoke(self) -> None:
        # The user may assume the narrow hub role ...
        self.user_sts().assume_role(RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_NARROW_ROLE),
                                    RoleSessionName="narrow")
        # ... but that role may not assume the spoke role.
        code = mf._error_code(lambda: mf.assume_chain(
            self.seed, hub_role=mf.HUB_NARROW_ROLE, session="narrow"))
        self.assertEqual(code, "AccessDenied")

    def test_hub_is_denied_other_role_names(self) -> None:
        hub = self.user_sts().assume_role(RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_ROLE),
                                          RoleSessionName="other")["Credentials"]
        sts = self.sts(hub["AccessKeyId"], hub["SecretAccessKey"], hub["SessionToken"])
        code = mf._error_code(lambda: sts.assume_role(
            RoleArn=arn_role("888888888888", "some-other-role"), RoleSessionName="other"))
        self.assertEqual(code, "AccessDenied")

    def test_known_gaps_of_moto(self) -> None:
        """Documents what moto does NOT check, so nobody writes an e2e test that relies on it."""
        hub = self.user_sts().assume_role(RoleArn=arn_role(mf.HUB_ACCOUNT, mf.HUB_ROLE),
                                          RoleSessionName="gaps")["Credentials"]
        sts = self.sts(hub["AccessKeyId"], hub["SecretAccessKey"], hub["SessionToken"])
        # A wrong external id, although the spoke trust policy requires the right one.
        self.assertIsNone(mf._error_code(lambda: sts.assume_role(
            RoleArn=arn_role("888888888888", mf.SPOKE_ROLE), RoleSessionName="gaps",
            ExternalId="wrong")))
        # A spoke account that was never seeded (the role does not exist there).
        self.assertIsNone(mf._error_code(lambda: sts.assume_role(
            RoleArn=arn_role("555555555555", mf.SPOKE_ROLE), RoleSessionName="gaps")))

    def test_check_enforcement_matches_expected(self) -> None:
        self.assertEqual(mf.check_enforcement(self.seed), mf.EXPECTED)

    # -- env file ----------------------------------------------------------------------------
    def test_env_file_is_private_and_sourceable(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "moto.env")
            mf.write_env_file(path, self.seed)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
            out = subprocess.run(
                ["sh", "-c", '. "$1" && printf "%s|%s|%s|%s" "$AWS_ENDPOINT_URL" '
                 '"$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "${AWS_SESSION_TOKEN-unset}"',
                 "sh", path],
                capture_output=True, text=True, timeout=20, check=True,
                env={**os.environ, "AWS_SESSION_TOKEN": "stale"}).stdout
            self.assertEqual(out, "|".join([self.seed["url"], self.seed["access_key_id"],
                                            self.seed["secret_access_key"], "unset"]))


@unittest.skipUnless(HAVE_MOTO, "moto_server not installed (pip install 'moto[server]')")
class NoAuthWindowTest(unittest.TestCase):
    def test_each_request_uses_one_slot(self) -> None:
        with mf.MotoServer(no_auth_count=2) as server:
            iam = mf.client("iam", server.url, "AKIADUMMYDUMMYDUMMY0", "dummy",
                            account_header=mf.BASE_ACCOUNT)
            self.assertIsNone(mf._error_code(lambda: iam.create_user(UserName="a")))
            self.assertIsNone(mf._error_code(lambda: iam.create_user(UserName="b")))
            self.assertEqual(mf._error_code(lambda: iam.create_user(UserName="c")),
                             "InvalidClientTokenId")

    def test_seed_refuses_a_mismatched_window(self) -> None:
        server = mf.MotoServer(no_auth_count=mf.SEED_REQUEST_COUNT - 1)
        with self.assertRaises(ValueError):
            mf.seed_hub_spoke(server)  # refused before starting anything

    def test_stop_kills_the_process(self) -> None:
        server = mf.MotoServer().start()
        pid = server.pid
        server.stop()
        self.assertFalse(server.running())
        with self.assertRaises(RuntimeError):
            _ = server.url
        # The PID is gone (reaped) or at least no longer moto's.
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                self.assertNotIn(b"moto_server", f.read())
        except FileNotFoundError:
            pass


@unittest.skipUnless(HAVE_MOTO, "moto_server not installed (pip install 'moto[server]')")
class ServeCommandTest(unittest.TestCase):
    def test_serve_writes_env_and_stops_on_sigterm(self) -> None:
        with tempfile.TemporaryDirectory() as d:
            env_file = os.path.join(d, "moto.env")
            pid_file = os.path.join(d, "moto.pid")
            out_path = os.path.join(d, "out.txt")
            with open(out_path, "wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, mf.__file__, "serve", "--env-file", env_file,
                     "--pid-file", pid_file], stdout=out, stderr=subprocess.STDOUT)
            try:
                deadline = time.monotonic() + 60
                while not (os.path.exists(env_file) and os.path.exists(pid_file)):
                    if proc.poll() is not None:
                        with open(out_path) as f:
                            self.fail(f"serve exited early:\n{f.read()}")
                    self.assertLess(time.monotonic(), deadline, "serve did not come up in 60 s")
                    time.sleep(0.1)
                self.assertEqual(stat.S_IMODE(os.stat(env_file).st_mode), 0o600)
                with open(pid_file) as f:
                    self.assertEqual(int(f.read()), proc.pid)
                env = {}
                with open(env_file) as f:
                    for line in f:
                        m = re.match(r"export (\w+)=(.*)$", line.strip())
                        if m:
                            env[m.group(1)] = m.group(2).strip("'")
                ident = mf.client("sts", env["AWS_ENDPOINT_URL"], env["AWS_ACCESS_KEY_ID"],
                                  env["AWS_SECRET_ACCESS_KEY"]).get_caller_identity()
                self.assertEqual(ident["Arn"], "arn:aws:iam::111111111111:user/sys-automation")
                with open(out_path) as f:
                    printed = f.read()
                self.assertIn(env_file, printed)
                self.assertNotIn(env["AWS_SECRET_ACCESS_KEY"], printed)
                moto_pid = int(re.search(r"\(pid (\d+)\)", printed).group(1))
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=30), 0)
                self.assertFalse(os.path.exists(env_file))
                self.assertFalse(os.path.exists(pid_file))
                with self.assertRaises(ProcessLookupError):
                    os.kill(moto_pid, 0)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=30)


if __name__ == "__main__":
    unittest.main()
