"""End to end: files named by a flag or an environment variable that are not regular files.

A FIFO without a writer, /dev/zero and a directory, given as --policy, AWS_CONFIG_FILE,
AWS_SHARED_CREDENTIALS_FILE, AWS_WEB_IDENTITY_TOKEN_FILE or lab --model: the real binary must
exit promptly (not hang on the FIFO, not read /dev/zero until memory runs out) with its usual
status and exactly one stderr line naming the flag or variable, the path and what it is. Nothing
may reach the endpoint (AWS_ENDPOINT_URL points at a listener that counts connections).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import unittest
from dataclasses import dataclass, field

import e2e_support as es

HUB = "999999999999"
SPOKE = "888888888888"
FAKE_KEY_ID = "AKIAE2EHOSTILEFILES0"
FAKE_SECRET = "e2eHostileFilesFakeSecretKey0000000000+/"
WEB_IDENTITY_ROLE = "arn:aws:iam::999999999999:role/ci-deploy"
HUNG_AFTER = 10.0   # seconds: a run this long has hung (the old FIFO behaviour: forever)
PROMPT = 5.0        # seconds: a refusal takes milliseconds; this leaves room for a loaded box
REGULAR = "(a regular file is required)"


@dataclass
class Case:
    id: str
    args: list[str]                          # after the binary; "{fifo}", "{dir}" are replaced
    status: int                              # the exit status (2: a bad argument or config file)
    message: str                             # the error after the "assume-spoke-role: error: "
    env: dict = field(default_factory=dict)  # overrides of the default env (None: unset)


# Web identity is the base hop's provider: the environment keys are unset so that the default
# chain reaches it.
WEB_IDENTITY = {"AWS_ACCESS_KEY_ID": None, "AWS_SECRET_ACCESS_KEY": None,
                "AWS_ROLE_ARN": WEB_IDENTITY_ROLE}
WEB_IDENTITY_PREFIX = "base hop: default credentials chain: "

CASES: list[Case] = [
    Case("policy-dev-zero", ["credentials", "--policy", "/dev/zero"], 2,
         f"--policy: cannot read '/dev/zero': is a character device {REGULAR}"),
    Case("policy-fifo", ["credentials", "--policy", "{fifo}"], 2,
         f"--policy: cannot read '{{fifo}}': is a FIFO {REGULAR}"),
    Case("policy-directory", ["credentials", "--policy", "{dir}"], 2,
         f"--policy: cannot read '{{dir}}': is a directory {REGULAR}"),
    Case("config-file-fifo", ["credentials"], 2,
         f"AWS_CONFIG_FILE: cannot read '{{fifo}}': is a FIFO {REGULAR}",
         env={"AWS_CONFIG_FILE": "{fifo}"}),
    Case("credentials-file-directory", ["credentials"], 2,
         f"AWS_SHARED_CREDENTIALS_FILE: cannot read '{{dir}}': is a directory {REGULAR}",
         env={"AWS_SHARED_CREDENTIALS_FILE": "{dir}"}),
    # A misconfigured credential source is not a bad argument: status 1, as before.
    Case("web-identity-token-dev-zero", ["credentials"], 1,
         WEB_IDENTITY_PREFIX + "AWS_WEB_IDENTITY_TOKEN_FILE: cannot read '/dev/zero': "
         f"is a character device {REGULAR}",
         env={**WEB_IDENTITY, "AWS_WEB_IDENTITY_TOKEN_FILE": "/dev/zero"}),
    Case("web-identity-token-fifo", ["credentials"], 1,
         WEB_IDENTITY_PREFIX + f"AWS_WEB_IDENTITY_TOKEN_FILE: cannot read '{{fifo}}': "
         f"is a FIFO {REGULAR}",
         env={**WEB_IDENTITY, "AWS_WEB_IDENTITY_TOKEN_FILE": "{fifo}"}),
    Case("lab-model-fifo", ["lab", "--model", "{fifo}"], 2,
         f"--model: cannot read '{{fifo}}': is a FIFO {REGULAR}"),
]


class HostileFilesTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls) -> None:
        cls.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.mkdtemp(prefix="e2e-hostile-files.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        # Nobody ever opens the FIFO for writing: a reader that waits for a writer waits forever.
        cls.fifo = os.path.join(cls.tmp, "fifo")
        os.mkfifo(cls.fifo, 0o600)
        cls.dir = os.path.join(cls.tmp, "a-directory")
        os.mkdir(cls.dir)
        cls.listener = es.ConnectionCounter()

    @classmethod
    def tearDownClass(cls) -> None:
        cls.listener.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def fill(self, text: str) -> str:
        return text.replace("{fifo}", self.fifo).replace("{dir}", self.dir)

    def default_env(self) -> dict:
        return es.base_env(self.home, self.listener.url, FAKE_KEY_ID, FAKE_SECRET,
                           ASSUME_ROLE_HUB_ACCOUNT=HUB,
                           ASSUME_ROLE_SPOKE_ACCOUNT=SPOKE,
                           ASSUME_ROLE_HUB_ROLE="automation-hub-role",
                           ASSUME_ROLE_SPOKE_ROLE="automation-spoke-role")

    def check(self, case: Case) -> None:
        env = self.default_env()
        for k, v in case.env.items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = self.fill(v)
        args = [self.fill(a) for a in case.args]
        before = self.listener.connections()
        try:
            ran = es.run([self.bin, *args], env, timeout=HUNG_AFTER)
        except subprocess.TimeoutExpired:
            self.fail(f"{args!r} did not exit within {HUNG_AFTER:.0f} s (it hangs on the file)")
        sent = self.listener.connections() - before
        self.assertLess(ran.seconds, PROMPT, f"too slow{ran.describe()}")
        self.assertEqual(ran.returncode, case.status, ran.describe())
        self.assertEqual(ran.stdout, "", ran.describe())
        lines = ran.stderr.splitlines()
        self.assertEqual(len(lines), 1, f"expected exactly one stderr line{ran.describe()}")
        self.assertTrue(ran.stderr.endswith("\n"), ran.describe())
        self.assertEqual(lines[0], f"{es.ERROR_PREFIX} {self.fill(case.message)}",
                         ran.describe())
        self.assertEqual(sent, 0, f"{sent} connection(s) reached the endpoint{ran.describe()}")


def _make_test(case: Case):
    def test(self: HostileFilesTest) -> None:
        self.check(case)
    test.__doc__ = None
    return test


for _case in CASES:
    setattr(HostileFilesTest, "test_" + _case.id.replace("-", "_"), _make_test(_case))
del _case


if __name__ == "__main__":
    unittest.main()
