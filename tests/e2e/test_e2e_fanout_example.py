"""End to end: examples/for_each_spoke.cc (`ForEachSpoke`, as docs/fanout.md shows it) against
the lab's built-in organization: each spoke runs with its own session, a spoke whose role the
hub may not assume is that account's chain failure while the others succeed, bad input is
refused before any request."""

from __future__ import annotations

import os
import re
import unittest

import e2e_support as es
from test_lab_clients import EXTERNAL_ID, HUB, USER_KEY, USER_SECRET, LabTestCase


def example_path() -> str:
    path = os.environ.get("HUBSPOKE_FANOUT_EXAMPLE_BIN") or os.path.join(
        es.REPO, "build", "for_each_spoke_example")
    return os.path.abspath(path)


class ForEachSpokeExampleTest(LabTestCase):
    tmp_prefix = "e2e-fanout-example."

    def run_example(self, accounts: str) -> es.Ran:
        example = es.require_executable(example_path(), "the ForEachSpoke example",
                                        "HUBSPOKE_FANOUT_EXAMPLE_BIN")
        env = es.base_env(self.home, self.lab.url, USER_KEY, USER_SECRET)
        return es.run([example, HUB, "automation-hub-role", "automation-spoke-role", EXTERNAL_ID,
                       accounts], env)

    def test_each_spoke_its_own_session_and_a_refused_one_reported(self) -> None:
        ran = self.run_example("888888888888,777777777777,111111111111")
        self.assertEqual(ran.returncode, 1, ran.describe())
        lines = sorted(ran.stdout.splitlines())
        self.assertEqual(len(lines), 2, ran.describe())
        for line, spoke in zip(lines, ("777777777777", "888888888888")):
            self.assertRegex(line, rf"^{spoke} arn:aws:sts::{spoke}:assumed-role/"
                                   rf"automation-spoke-role/{spoke}-\S+$")
        self.assertRegex(ran.stderr, r"(?m)^111111111111 chain-failed: spoke .*AccessDenied")
        # One hub AssumeRole and one per spoke: the hub session is shared.
        self.assertRegex(ran.stderr, r"(?m)^2 ok, 1 failed, 4 STS attempts$")

    def test_bad_input_is_refused_before_any_request(self) -> None:
        before = self.lab.log().count("AssumeRole")
        ran = self.run_example("888888888888,123")
        self.assertEqual(ran.returncode, 2, ran.describe())
        self.assertIn("'123'", ran.stderr)
        self.assertEqual(ran.stdout, "")
        # The lab logs from a thread: give a request that was sent time to show.
        after = self.lab.log_once(lambda text: text.count("AssumeRole") > before, timeout=1.0)
        self.assertEqual(after.count("AssumeRole"), before)


if __name__ == "__main__":
    unittest.main()
