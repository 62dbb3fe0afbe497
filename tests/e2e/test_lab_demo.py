"""End to end: `assume-spoke-role demo` runs the seed chain against an in-process lab."""

from __future__ import annotations

import os
import shutil
import tempfile
import unittest

import e2e_support as es

SPOKE_ARN = ("arn:aws:sts::888888888888:assumed-role/automation-spoke-role/"
             "888888888888-demo")


class DemoTest(unittest.TestCase):

    def setUp(self) -> None:
        self.bin = es.require_executable(es.binary_path(), "the assume-spoke-role binary",
                                         "ASSUME_SPOKE_ROLE_BIN")
        self.home = tempfile.mkdtemp(prefix="e2e-demo.")
        self.addCleanup(shutil.rmtree, self.home, True)

    def env(self, path: str) -> dict[str, str]:
        return {"PATH": path, "HOME": self.home, "LC_ALL": "C.UTF-8"}

    def check(self, ran: es.Ran) -> None:
        self.assertEqual(ran.returncode, 0, ran.describe())
        self.assertIn(SPOKE_ARN, ran.stdout)
        self.assertIn("AccessDenied", ran.stdout)  # the wrong-external-id step
        self.assertIn("sts:ExternalId", ran.stdout)  # … and the lab's explanation

    def test_demo_without_the_aws_cli(self) -> None:
        self.check(es.run([self.bin, "demo"], self.env("/nonexistent"), timeout=30))

    def test_demo_with_the_aws_cli_as_child(self) -> None:
        ran = es.run([self.bin, "demo"], self.env(es.hermetic_path()), timeout=es.AWS_CLI_TIMEOUT)
        self.check(ran)
        self.assertIn('"Account": "888888888888"', ran.stdout)


if __name__ == "__main__":
    unittest.main()


class ReadmeQuickStartTest(unittest.TestCase):
    """The README's first quick-start command is the demo, and what it says the demo prints is
    what the demo prints (test_demo_* above check the binary prints SPOKE_ARN)."""

    def test_first_quick_start_command_runs_the_demo(self) -> None:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        quick = readme[readme.index("## Quick start"):]
        block = quick[quick.index("```sh") + len("```sh"):quick.index("```", quick.index("```sh") + 5)]
        first = block.strip().splitlines()[0].split("#")[0].strip()
        self.assertEqual(first, "scripts/demo")
        script = os.path.join(root, first)
        self.assertTrue(os.access(script, os.X_OK), script)
        with open(script, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("assume-spoke-role demo", text)
        self.assertNotIn("moto", text.replace("no moto", ""), "the demo must not need moto")
        self.assertIn(SPOKE_ARN, quick)
