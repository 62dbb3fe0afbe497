"""End to end: `assume-spoke-role policy lint FILE…` on real files, stdin and a FIFO.

Exit statuses (0: clean or warnings only, 1: an error finding, 2: bad input with one stderr
line naming the file), one stdout line per finding in the documented form, the summary on
stderr, --json as one object per line, and external ids never printed. No network, no AWS
CLI. Skipped only while `policy --help` does not list `lint` (the policy command is merged
separately); a missing binary fails.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
import time
import unittest

import e2e_support as es

HUB_ROLE = "arn:aws:iam::999999999999:role/automation-hub-role"
ORG = "o-a1b2c3d4e5"
SECRET_EXTERNAL_ID = "e2e-lint-external-id-4711"
LINE_RE = re.compile(
    r"^(?P<file>.+): (?:statement #(?P<index>\d+)(?: \((?P<sid>[^)]*)\))?|document): "
    r"(?P<severity>error|warning) \[(?P<rule>[a-z0-9-]+)\]: (?P<message>.+); fix: (?P<fix>.+)$")
HUNG_AFTER = 10.0


def trust(*statements: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=2)


def allow(principal, condition=None, action="sts:AssumeRole", sid=None) -> dict:
    st = {"Effect": "Allow", "Principal": principal, "Action": action}
    if sid:
        st["Sid"] = sid
    if condition:
        st["Condition"] = condition
    return st


CLEAN = trust(allow({"AWS": HUB_ROLE}, {"StringEquals": {"sts:ExternalId": SECRET_EXTERNAL_ID,
                                                         "aws:PrincipalOrgID": ORG}}))
WARNING_ONLY = trust(allow({"AWS": "arn:aws:iam::999999999999:root"},
                           {"StringEquals": {"aws:PrincipalOrgID": ORG}}))
# Two errors in statement #2 (index 1): "*" without a narrowing condition, a misspelt key.
ERRORS = trust(allow({"AWS": HUB_ROLE}, {"StringEquals": {"aws:PrincipalOrgID": ORG}}),
               allow("*", {"StringEquals": {"aws:PrincipleOrgID": ORG}}, sid="Everyone"))
SECRET_WILDCARD = trust(allow({"AWS": HUB_ROLE}, {"StringEquals": {
    "sts:ExternalId": SECRET_EXTERNAL_ID + "*", "aws:PrincipalOrgID": ORG}}))


class PolicyLintE2E(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.bin = es.require_executable(es.binary_path(), "assume-spoke-role",
                                        "ASSUME_SPOKE_ROLE_BIN")
        cls.tmp = tempfile.TemporaryDirectory(prefix="lint-e2e-")
        cls.env = {"PATH": "/usr/bin:/bin", "HOME": cls.tmp.name, "LC_ALL": "C.UTF-8"}
        helped = subprocess.run([cls.bin, "policy", "--help"], env=cls.env,
                                stdin=subprocess.DEVNULL, capture_output=True, timeout=30)
        if not re.search(r"^\s+lint\b", helped.stdout.decode("utf-8", "replace"), re.M):
            raise unittest.SkipTest("`policy --help` does not list `lint` (policy not merged yet)")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def write(self, name: str, text: str) -> str:
        path = os.path.join(self.tmp.name, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def lint(self, *args: str, input: bytes | None = None) -> es.Ran:
        return es.run([self.bin, "policy", "lint", *args], self.env, input=input)

    def assert_lines(self, out: str) -> list[re.Match]:
        lines = out.splitlines()
        matches = [LINE_RE.match(line) for line in lines]
        for line, m in zip(lines, matches):
            self.assertIsNotNone(m, f"not a finding line: {line!r}")
        return matches

    def test_clean_policy_exits_0_with_no_findings(self):
        path = self.write("clean.json", CLEAN)
        r = self.lint("--account", "888888888888", "--third-party", "--org-id", ORG, path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr.strip(), "policy lint: 1 file, 0 errors, 0 warnings, 1 clean")

    def test_warnings_only_exit_0(self):
        path = self.write("warn.json", WARNING_ONLY)
        r = self.lint(path)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        [m] = self.assert_lines(r.stdout)
        self.assertEqual((m["file"], m["index"], m["severity"], m["rule"]),
                         (path, "1", "warning", "principal-account-without-condition"))

    def test_errors_exit_1_one_line_per_finding(self):
        path = self.write("errors.json", ERRORS)
        r = self.lint(path)
        self.assertEqual(r.returncode, 1, r.stderr)
        matches = self.assert_lines(r.stdout)
        self.assertEqual([(m["index"], m["sid"], m["severity"], m["rule"]) for m in matches],
                         [("2", "Everyone", "error", "principal-wildcard-without-condition"),
                          ("2", "Everyone", "error", "condition-key-misspelt")])
        self.assertIn("did you mean aws:PrincipalOrgID?", matches[1]["message"])
        self.assertEqual(r.stderr.strip(), "policy lint: 1 file, 2 errors, 0 warnings, 0 clean")

    def test_several_files_and_stdin(self):
        clean = self.write("clean2.json", CLEAN)
        r = self.lint(clean, "-", input=ERRORS.encode())
        self.assertEqual(r.returncode, 1, r.stderr)
        files = {m["file"] for m in self.assert_lines(r.stdout)}
        self.assertEqual(files, {"-"})
        self.assertIn("2 files", r.stderr)

    def test_json_one_object_per_line(self):
        r = self.lint("--json", "-", input=ERRORS.encode())
        self.assertEqual(r.returncode, 1, r.stderr)
        objects = [json.loads(line) for line in r.stdout.splitlines()]
        self.assertEqual(len(objects), 2)
        self.assertEqual(objects[0]["statement"], 1)
        self.assertEqual(objects[0]["sid"], "Everyone")
        self.assertEqual(objects[0]["path"], "Statement[1].Principal")
        self.assertEqual({o["severity"] for o in objects}, {"error"})

    def test_unparseable_document_is_one_finding_exit_1(self):
        r = self.lint("-", input=b'{"Version": "2012-10-17", "Statement": [')
        self.assertEqual(r.returncode, 1, r.stderr)
        [m] = self.assert_lines(r.stdout)
        self.assertEqual((m["index"], m["rule"]), (None, "policy-invalid"))

    def test_external_id_is_never_printed(self):
        r = self.lint("--json", "-", input=SECRET_WILDCARD.encode())
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("equals-with-wildcard", r.stdout)
        self.assertNotIn(SECRET_EXTERNAL_ID, r.stdout + r.stderr)

    def test_missing_file_exit_2_one_line(self):
        missing = os.path.join(self.tmp.name, "missing.json")
        r = self.lint(missing)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr.splitlines(),
                         [f"assume-spoke-role: error: policy lint: cannot read '{missing}': "
                          "No such file or directory"])

    def test_bad_flag_values_exit_2(self):
        path = self.write("clean3.json", CLEAN)
        for args, flag in ((["--account", "12345"], "--account"),
                           (["--org-id", "o-ZZZZZZZZZZ"], "--org-id")):
            r = self.lint(*args, path)
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertTrue(r.stderr.startswith(f"{es.ERROR_PREFIX} {flag}: "), r.stderr)

    def test_fifo_is_refused_without_hanging(self):
        fifo = os.path.join(self.tmp.name, "trust.fifo")
        os.mkfifo(fifo)
        started = time.monotonic()
        r = es.run([self.bin, "policy", "lint", fifo], self.env, timeout=HUNG_AFTER)
        self.assertLess(time.monotonic() - started, HUNG_AFTER)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stderr.splitlines(),
                         [f"assume-spoke-role: error: policy lint: cannot read '{fifo}': "
                          "is a FIFO (a regular file is required)"])

    def test_device_is_refused(self):
        r = self.lint("/dev/zero")
        self.assertEqual(r.returncode, 2)
        self.assertIn("is a character device", r.stderr)


if __name__ == "__main__":
    unittest.main()
