"""End to end: `--cache` against the lab. A cached run makes one STS call (the spoke's AssumeRole,
counted in the lab's log) instead of two; the cache directory and files are private; a cache
file open to others or corrupt is ignored with a warning; `cache clear` forgets everything."""

from __future__ import annotations

import json
import os
import stat
import tempfile
import time
import unittest

import e2e_support as es
from test_lab_clients import EXTERNAL_ID, HUB, SPOKE, USER_KEY, USER_SECRET, LabTestCase


class CacheTest(LabTestCase):

    tmp_prefix = "e2e-cache."

    def setUp(self) -> None:
        self.runtime = tempfile.mkdtemp(prefix="xdg-runtime.", dir=self.tmp)
        self.cache_dir = os.path.join(self.runtime, "assume-spoke-role")

    def env(self, **extra: str | None) -> dict[str, str]:
        values: dict[str, str | None] = {
            "ASSUME_ROLE_HUB_ACCOUNT": HUB, "ASSUME_ROLE_HUB_ROLE": "automation-hub-role",
            "ASSUME_ROLE_SPOKE_ROLE": "automation-spoke-role",
            "ASSUME_ROLE_EXTERNAL_ID": EXTERNAL_ID,
            "ASSUME_ROLE_SESSION_STRING": es.SESSION_STRING, "XDG_RUNTIME_DIR": self.runtime}
        values.update(extra)
        return es.base_env(self.home, self.lab.url, USER_KEY, USER_SECRET, **values)

    def assume_role_calls(self) -> int:
        return sum(" AssumeRole: " in line for line in self.lab.log().splitlines())

    def calls_since(self, before: int) -> int:
        """AssumeRole calls logged since `before` by a run that has exited: every run makes at
        least one, and the lab logs them from a background thread, so wait for the first and
        then until the count has held still for 300 ms."""
        self.lab.log_once(lambda text: text.count(" AssumeRole: ") > before)
        count, still_since = self.assume_role_calls(), time.monotonic()
        while time.monotonic() - still_since < 0.3:
            time.sleep(0.05)
            now = self.assume_role_calls()
            if now != count:
                count, still_since = now, time.monotonic()
        return count - before

    def credentials(self, *flags: str, **extra: str | None) -> tuple[es.Ran, int]:
        """One `credentials --format json` run and the number of AssumeRole calls it made."""
        before = self.assume_role_calls()
        ran = es.run([self.bin, "credentials", "--spoke-account", SPOKE, "--format", "json",
                      "-v", *flags], self.env(**extra), timeout=60)
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertEqual(json.loads(ran.stdout)["AssumedRoleUser"]["Arn"], es.spoke_arn(SPOKE))
        return ran, self.calls_since(before)

    def entries(self) -> list[str]:
        return sorted(os.listdir(self.cache_dir)) if os.path.isdir(self.cache_dir) else []

    def test_cached_run_makes_one_sts_call_instead_of_two(self) -> None:
        _, cold = self.credentials("--cache")
        self.assertEqual(cold, 2, "hub and spoke")
        _, warm = self.credentials("--cache")
        self.assertEqual(warm, 1, "the spoke only: the hub session came from the cache")
        ran, again = self.credentials(ASSUME_ROLE_CACHE="1")
        self.assertEqual(again, 1, "ASSUME_ROLE_CACHE=1 turns it on too")
        self.assertIn("hub: cached session arn:aws:sts::999999999999:assumed-role/", ran.stderr)
        _, off = self.credentials("--no-cache", ASSUME_ROLE_CACHE="1")
        self.assertEqual(off, 2, "--no-cache beats the variable")
        _, default = self.credentials()
        self.assertEqual(default, 2, "off unless asked for")

        self.assertEqual(stat.S_IMODE(os.stat(self.cache_dir).st_mode), 0o700)
        [entry] = self.entries()
        self.assertRegex(entry, r"^[0-9a-f]{64}\.json$")
        path = os.path.join(self.cache_dir, entry)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertEqual(os.stat(path).st_uid, os.geteuid())
        with open(path) as f:
            saved = json.load(f)
        secret = saved["SecretAccessKey"]
        # Nothing secret in the log of a cached run.
        self.assertEqual(es.leaks(ran.stderr, [secret, saved["SessionToken"], USER_SECRET]), [])

        # Another base identity does not get this hub session.
        before = self.assume_role_calls()
        other = es.run([self.bin, "credentials", "--spoke-account", SPOKE, "--format", "json",
                        "--cache"], self.env(AWS_ACCESS_KEY_ID="AKIALABEXAMPLE000009"),
                       timeout=60)
        self.assertNotEqual(other.returncode, 0, "an unknown key: the lab refuses it")
        self.assertEqual(self.assume_role_calls() - before, 0)
        self.assertIn("InvalidClientTokenId", other.stderr)

    def test_default_session_names_still_hit(self) -> None:
        # Without a session string the name defaults to USER plus the time (to the second): the
        # cache must still find the hub session of a run a few seconds earlier.
        env = self.env(ASSUME_ROLE_SESSION_STRING=None, USER="alice")
        calls = []
        for attempt in range(2):
            if attempt:
                time.sleep(1.1)  # another second: another default session name
            before = self.assume_role_calls()
            ran = es.run([self.bin, "credentials", "--spoke-account", SPOKE, "--format", "json",
                          "--cache", "-v"], env, timeout=60)
            self.assertEqual(ran.returncode, 0, ran.describe())
            self.assertRegex(json.loads(ran.stdout)["AssumedRoleUser"]["Arn"],
                             rf"assumed-role/automation-spoke-role/{SPOKE}-alice-")
            calls.append(self.calls_since(before))
        self.assertEqual(calls, [2, 1])

    def test_files_open_to_others_or_corrupt_are_ignored_with_a_warning(self) -> None:
        self.credentials("--cache")
        [entry] = self.entries()
        path = os.path.join(self.cache_dir, entry)
        os.chmod(path, 0o644)
        ran, calls = self.credentials("--cache")
        self.assertEqual(calls, 2, "not trusted, so not used")
        self.assertIn(f"cache: ignoring {path}: mode 0644 lets others in", ran.stderr)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600,
                         "replaced by a private file")

        with open(path, "w") as f:
            f.write('{"Version": 1, "SecretAccessKey": "do-not-print-me"')
        os.chmod(path, 0o600)
        ran, calls = self.credentials("--cache")
        self.assertEqual(calls, 2)
        self.assertIn(f"cache: ignoring {path}: not a JSON object (corrupt)", ran.stderr)
        self.assertNotIn("do-not-print-me", ran.stderr)

        os.chmod(self.cache_dir, 0o755)
        ran, calls = self.credentials("--cache")
        self.assertEqual(calls, 2)
        self.assertIn(f"cache: ignoring {self.cache_dir}: mode 0755 lets others in", ran.stderr)

    def test_cache_clear_and_path(self) -> None:
        self.credentials("--cache")
        self.assertEqual(len(self.entries()), 1)
        path = es.run([self.bin, "cache", "path"], self.env(), timeout=30)
        self.assertEqual((path.returncode, path.stdout.strip()), (0, self.cache_dir),
                         path.describe())
        cleared = es.run([self.bin, "cache", "clear"], self.env(), timeout=30)
        self.assertEqual(cleared.returncode, 0, cleared.describe())
        self.assertEqual(cleared.stdout.strip(),
                         f"removed 1 cached hub session from {self.cache_dir}")
        self.assertEqual(self.entries(), [])
        _, calls = self.credentials("--cache")
        self.assertEqual(calls, 2, "cleared: the hub is assumed again")

    def test_bad_combinations_exit_2(self) -> None:
        for args, extra, want in (
                (["credentials", "--cache", "--no-cache"], {}, "--cache and --no-cache"),
                (["credentials"], {"ASSUME_ROLE_CACHE": "yes"}, "ASSUME_ROLE_CACHE: 'yes'"),
                (["run", "--refresh", "--cache"], {}, "--cache cannot be used with --refresh")):
            tail = ["--", "true"] if args[0] == "run" else []
            ran = es.run([self.bin, *args, "--spoke-account", SPOKE, *tail],
                         self.env(**extra), timeout=30)
            self.assertEqual(ran.returncode, 2, ran.describe())
            self.assertEqual(len(ran.stderr.splitlines()), 1, ran.describe())
            self.assertIn(want, ran.stderr)


if __name__ == "__main__":
    unittest.main()
