"""End to end: MFA on the hub hop (issue 16) against the lab, with a hub role whose trust requires
aws:MultiFactorAuthPresent and a user with a virtual MFA device: without MFA the hub hop is
refused; --mfa-serial with --mfa-code (or ASSUME_ROLE_MFA_SERIAL) passes; another device is
refused; the code is asked for on the terminal, not echoed, and refused clearly when there is no
terminal, before any STS call; --cache makes one prompt per hub session; fanout presents one code
for all its spokes; bad serials and codes exit 2 before any request; the code is never printed.
aws:MultiFactorAuthAge: the hub's trust requires it under an hour (it is 0 when the code comes
with the call), and a spoke role that wants MFA from the last few seconds refuses a cached hub
session that is older."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import pty
import select
import shutil
import struct
import subprocess
import tempfile
import time
import unittest

import e2e_support as es
from test_lab_clients import LAB_CHAIN_ENV, Lab, SPOKE, USER_KEY, USER_SECRET

# A device without a seed in the model (any 6-digit code passes), for the flow tests; and a
# virtual device with its TOTP seed (RFC 6238's test seed, in base 32), whose codes are checked.
DEVICE = "arn:aws:iam::111111111111:mfa/sys-automation"
RECENT_MFA_ROLE = "recent-mfa-role"  # in SPOKE; its trust wants aws:MultiFactorAuthAge < 6
RECENT_MFA_SECONDS = 6
CODE = "493017"
TOTP_DEVICE = "arn:aws:iam::111111111111:mfa/sys-automation-phone"
TOTP_SEED = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
# Another seeded device, so that its codes do not collide with the first one's within 30 s.
FANOUT_DEVICE = "arn:aws:iam::111111111111:mfa/sys-automation-tablet"
FANOUT_SEED = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp(unix_time: float, seed: str = TOTP_SEED) -> str:
    """RFC 6238 (HMAC-SHA1, 30 s, 6 digits), as an authenticator app computes it."""
    key = base64.b32decode(seed)
    mac = hmac.new(key, struct.pack(">Q", int(unix_time) // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    return f"{(struct.unpack('>I', mac[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000:06d}"


class MfaTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-mfa.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        printed = es.run([cls.bin, "lab", "--print-model"], {"PATH": "/usr/bin:/bin"})
        model = json.loads(printed.stdout)
        for user in model["users"]:
            if user["name"] == "sys-automation":
                user["mfa_devices"] = [DEVICE, TOTP_DEVICE, FANOUT_DEVICE]
                user["mfa_seeds"] = {TOTP_DEVICE: TOTP_SEED, FANOUT_DEVICE: FANOUT_SEED}
        for role in model["roles"]:
            if role["name"] == "automation-hub-role":
                for st in role["trust_policy"]["Statement"]:
                    st.setdefault("Condition", {})["Bool"] = {"aws:MultiFactorAuthPresent": "true"}
                    st["Condition"]["NumericLessThan"] = {"aws:MultiFactorAuthAge": "3600"}
                for policy in role["policies"]:
                    for st in policy["document"]["Statement"]:
                        if st.get("Action") == ["sts:AssumeRole"]:
                            st["Resource"] = [st["Resource"],
                                              f"arn:aws:iam::*:role/{RECENT_MFA_ROLE}"]
        recent = json.loads(json.dumps(next(r for r in model["roles"]
                                             if r["name"] == "automation-spoke-role")))
        recent.pop("accounts")
        recent.update(account=SPOKE, name=RECENT_MFA_ROLE)
        for st in recent["trust_policy"]["Statement"]:
            st["Condition"]["NumericLessThan"] = {
                "aws:MultiFactorAuthAge": str(RECENT_MFA_SECONDS)}
        model["roles"].append(recent)
        path = os.path.join(cls.tmp, "model.json")
        with open(path, "w") as f:
            json.dump(model, f)
        cls.lab = Lab(cls.bin, cls.tmp, "--model", path)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.lab.stop()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def env(self, **extra: str | None) -> dict[str, str]:
        values: dict[str, str | None] = {
            **LAB_CHAIN_ENV,
            "XDG_RUNTIME_DIR": os.path.join(self.tmp, "runtime")}
        values.update(extra)
        os.makedirs(values["XDG_RUNTIME_DIR"], 0o700, exist_ok=True)
        return es.base_env(self.home, self.lab.url, USER_KEY, USER_SECRET, **values)

    def credentials(self, *flags: str, env: dict | None = None) -> es.Ran:
        # start_new_session: no controlling terminal, as in CI.
        return es.run([self.bin, "credentials", "--spoke-account", SPOKE, "--format", "json",
                       "--verbose", *flags], env or self.env())

    def assume_role_calls(self) -> int:
        return self.lab.log().count(" AssumeRole: ")

    def test_the_hub_hop_is_refused_without_mfa(self) -> None:
        ran = self.credentials()
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("hub", ran.stderr)
        self.assertIn("AccessDenied", ran.stderr)

    def test_serial_and_code_pass_the_hub_hop(self) -> None:
        for flags, extra in ((["--mfa-serial", DEVICE, "--mfa-code", CODE], {}),
                             (["--mfa-code", CODE], {"ASSUME_ROLE_MFA_SERIAL": DEVICE})):
            with self.subTest(flags=flags):
                ran = self.credentials(*flags, env=self.env(**extra))
                self.assertEqual(ran.returncode, 0, ran.describe())
                self.assertEqual(json.loads(ran.stdout)["AssumedRoleUser"]["Arn"],
                                 es.spoke_arn(SPOKE))
                self.assertNotIn(CODE, ran.stderr)  # --verbose: never the code

    def test_a_virtual_device_takes_the_code_of_the_time_once(self) -> None:
        code = totp(time.time())
        ok = self.credentials("--mfa-serial", TOTP_DEVICE, "--mfa-code", code, "--no-cache")
        self.assertEqual(ok.returncode, 0, ok.describe())
        # The same code again: STS takes a code once.
        again = self.credentials("--mfa-serial", TOTP_DEVICE, "--mfa-code", code, "--no-cache")
        self.assertEqual(again.returncode, 1, again.describe())
        self.assertIn("MultiFactorAuthentication failed", again.stderr)
        self.assertNotIn(code, again.stderr)
        self.assertIn("was used already", self.lab.log_with("was used already"))
        # A code of another time (5 minutes on) is wrong.
        wrong = self.credentials("--mfa-serial", TOTP_DEVICE, "--mfa-code",
                                 totp(time.time() + 300), "--no-cache")
        self.assertEqual(wrong.returncode, 1, wrong.describe())
        self.assertIn("MultiFactorAuthentication failed", wrong.stderr)
        self.assertIn("hub", wrong.stderr)

    def test_another_users_device_is_refused(self) -> None:
        ran = self.credentials("--mfa-serial", "arn:aws:iam::111111111111:mfa/someone-else",
                               "--mfa-code", CODE)
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("MultiFactorAuthentication failed", ran.stderr)
        self.assertIn("hub", ran.stderr)
        self.assertNotIn(CODE, ran.stderr)

    def test_bad_serial_or_code_is_refused_before_any_request(self) -> None:
        before = self.assume_role_calls()
        for flags, needle in (
                (["--mfa-serial", DEVICE, "--mfa-code", "12345"], "--mfa-code: an MFA code is exactly 6 digits"),
                (["--mfa-serial", DEVICE, "--mfa-code", "12a456"], "--mfa-code: an MFA code is exactly 6 digits"),
                (["--mfa-code", CODE], "--mfa-code: an MFA code needs the device: give --mfa-serial"),
                (["--mfa-serial", "short"], "--mfa-serial: 'short': an MFA serial is 9 to 256"),
                (["--mfa-serial", "arn:aws:iam::1:mfa/a b"], "only letters, digits")):
            with self.subTest(flags=flags):
                ran = self.credentials(*flags)
                self.assertEqual(ran.returncode, 2, ran.describe())
                self.assertIn(needle, ran.stderr)
                self.assertEqual(len(ran.stderr.strip().splitlines()), 1, ran.stderr)
                self.assertNotIn("12345", ran.stderr.replace("--mfa-code", ""))
        time.sleep(0.3)
        self.assertEqual(self.assume_role_calls(), before)

    def test_no_terminal_is_a_clear_error_before_the_hub_call(self) -> None:
        before = self.assume_role_calls()
        ran = self.credentials("--mfa-serial", DEVICE, "--no-cache")
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("no terminal", ran.stderr)
        self.assertIn(DEVICE, ran.stderr)
        time.sleep(0.3)
        self.assertEqual(self.assume_role_calls(), before)

    def run_on_a_terminal(self, args: list[str], env: dict, typed: str) -> tuple[int, str]:
        """Runs the tool with a pseudo-terminal as its controlling terminal and stdin/stdout/
        stderr; types `typed` once the prompt shows. Returns (exit status, all the terminal
        showed)."""
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(self.bin, [self.bin, *args], env)
        shown = b""
        deadline = time.monotonic() + 30
        typed_yet = False
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                shown += chunk
            if not typed_yet and b"MFA code for" in shown:
                os.write(fd, typed.encode())
                typed_yet = True
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")

    def test_the_code_is_asked_on_the_terminal_and_not_echoed(self) -> None:
        status, shown = self.run_on_a_terminal(
            ["credentials", "--spoke-account", SPOKE, "--format", "json", "--no-cache",
             "--mfa-serial", DEVICE], self.env(), CODE + "\n")
        self.assertEqual(status, 0, shown)
        self.assertIn(f"Enter MFA code for {DEVICE}: ", shown)
        self.assertNotIn(CODE, shown)  # typed blind
        self.assertIn(es.spoke_arn(SPOKE), shown)

    def test_cache_one_prompt_per_hub_session(self) -> None:
        runtime = tempfile.mkdtemp(prefix="runtime.", dir=self.tmp)
        env = self.env(XDG_RUNTIME_DIR=runtime)
        first = self.credentials("--cache", "--mfa-serial", DEVICE, "--mfa-code", CODE, env=env)
        self.assertEqual(first.returncode, 0, first.describe())
        # No code and no terminal: the cached hub session needs neither.
        second = self.credentials("--cache", "--mfa-serial", DEVICE, env=env)
        self.assertEqual(second.returncode, 0, second.describe())
        self.assertIn("hub: cached session", second.stderr)
        # A session made without MFA is another key: not served to a run that asks for MFA,
        # and a run without MFA does not get the MFA session.
        third = self.credentials("--cache", env=env)
        self.assertEqual(third.returncode, 1, third.describe())
        self.assertIn("AccessDenied", third.stderr)

    def test_a_role_wanting_recent_mfa_refuses_an_older_hub_session(self) -> None:
        runtime = tempfile.mkdtemp(prefix="runtime.", dir=self.tmp)
        env = self.env(XDG_RUNTIME_DIR=runtime)
        fresh = self.credentials("--cache", "--mfa-serial", DEVICE, "--mfa-code", CODE,
                                 "--spoke-role", RECENT_MFA_ROLE, env=env)
        self.assertEqual(fresh.returncode, 0, fresh.describe())
        self.assertEqual(json.loads(fresh.stdout)["AssumedRoleUser"]["Arn"].split("/")[1],
                         RECENT_MFA_ROLE)
        time.sleep(RECENT_MFA_SECONDS + 1)
        # The cached hub session's MFA is now older than the role accepts; the usual spoke
        # role, which asks only for the organization, still takes it.
        old = self.credentials("--cache", "--mfa-serial", DEVICE, "--spoke-role",
                               RECENT_MFA_ROLE, env=env)
        self.assertEqual(old.returncode, 1, old.describe())
        self.assertIn("hub: cached session", old.stderr)
        self.assertIn("AccessDenied", old.stderr)
        self.assertIn(RECENT_MFA_ROLE, old.stderr)
        usual = self.credentials("--cache", "--mfa-serial", DEVICE, env=env)
        self.assertEqual(usual.returncode, 0, usual.describe())
        # A new code makes a new hub session whose MFA is recent again.
        again = self.credentials("--no-cache", "--mfa-serial", DEVICE, "--mfa-code", CODE,
                                 "--spoke-role", RECENT_MFA_ROLE, env=env)
        self.assertEqual(again.returncode, 0, again.describe())

    def test_fanout_presents_one_code_for_every_spoke(self) -> None:
        before = self.assume_role_calls()
        ran = es.run([self.bin, "fanout", "--spoke-accounts", "888888888888,777777777777",
                      "--mfa-serial", DEVICE, "--mfa-code", CODE, "--no-progress", "--",
                      "/bin/sh", "-c", "echo ok"], self.env(), timeout=60)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertNotIn(CODE, ran.stdout + ran.stderr)
        self.lab.log_once(lambda t: t.count(" AssumeRole: ") >= before + 3)
        # One hub AssumeRole (with the code), one per spoke.
        self.assertEqual(self.assume_role_calls() - before, 3)

    def test_fanout_org_lists_and_fans_out_with_one_hub_session(self) -> None:
        # --org without --org-role lists the organization as the hub session; the fan-out then
        # uses that session rather than make the hub hop again, which a code that is good once
        # would fail (STS refuses it as used).
        before = self.assume_role_calls()
        logged = len(self.lab.log())
        ran = es.run([self.bin, "fanout", "--org", "--exclude", "111111111111,999999999999",
                      "--mfa-serial", FANOUT_DEVICE, "--mfa-code", totp(time.time(), FANOUT_SEED),
                      "--no-progress", "--", "/bin/sh", "-c", "echo ok"], self.env(), timeout=60)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(ran.stdout.count("ok\n"), 2, ran.describe())
        log = self.lab.log_once(lambda t: t.count(" AssumeRole: ") >= before + 3)[logged:]
        self.assertNotIn("was used already", log)
        # One hub AssumeRole (with the code, also used to list), one per spoke.
        self.assertEqual(self.assume_role_calls() - before, 3)


if __name__ == "__main__":
    unittest.main()
