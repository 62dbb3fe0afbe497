"""End to end: `run` and its child — exit status, death by signal, signals sent to us passed on,
no orphan or zombie left, stdin/stdout/stderr shared (large output intact)."""

from __future__ import annotations

import os
import signal
import subprocess
import textwrap
import unittest

import e2e_support as es

TRAP_SCRIPT = textwrap.dedent(r"""
    import os, signal, sys, time

    # os.write/os._exit: the signal may land while the "ready" line is still being written.
    def on_signal(signum, frame):
        os.write(1, ("got " + signal.Signals(signum).name + "\n").encode())
        os._exit(42)

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    os.write(1, b"ready %d\n" % os.getpid())
    time.sleep(30)
    os.write(1, b"no signal came\n")
    sys.exit(3)
    """)


class ChildTest(es.MotoTestCase):

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.trap_script = os.path.join(cls.tmp, "trap_signals.py")
        with open(cls.trap_script, "w") as f:
            f.write(TRAP_SCRIPT)

    def child_env(self) -> dict:
        return self.env(self.seed["spoke_accounts"][0])

    def run_child(self, *cmd: str, input: bytes | None = None) -> es.Ran:
        return self.tool("run", "--", *cmd, env=self.child_env(), input=input)

    # -- exit status -----------------------------------------------------------------------
    def test_exit_status_passed_through(self) -> None:
        ran = self.run_child("sh", "-c", "exit 7")
        self.assertExit(ran, 7)
        self.assertEqual(ran.stderr, "", ran.describe())

    def test_child_killed_by_sigterm_gives_143(self) -> None:
        self.assertExit(self.run_child("sh", "-c", "kill -TERM $$"), 128 + 15)

    def test_child_killed_by_sigkill_gives_137(self) -> None:
        self.assertExit(self.run_child("sh", "-c", "kill -KILL $$"), 128 + 9)

    def test_command_not_found_gives_127(self) -> None:
        ran = self.run_child("no-such-command-e2e", "arg")
        self.assertExit(ran, 127)
        line = self.assertOneErrorLine(ran)
        self.assertIn("no-such-command-e2e", line)
        self.assertIn("not found", line)

    # -- signals sent to us ----------------------------------------------------------------
    def _signal_passed_on(self, sig: signal.Signals) -> None:
        proc = subprocess.Popen(
            [self.bin, "run", "--", es.sys_python(), self.trap_script],
            env=self.child_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, start_new_session=True)
        child_pid = None
        try:
            first = es.read_line(proc, timeout=20)
            if not first.startswith(b"ready "):
                err = proc.stderr.read1(4096) if proc.poll() is not None else b""
                self.fail(f"the child did not start: stdout {first!r}, stderr {err!r}")
            child_pid = int(first.split()[1])
            self.assertNotEqual(child_pid, proc.pid)
            proc.send_signal(sig)
            out, err = proc.communicate(timeout=15)
        finally:
            es.kill_quietly(proc)
            if child_pid is not None and es.pid_alive(child_pid):
                try:
                    os.kill(child_pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.assertEqual(proc.returncode, 42,
                         f"{sig.name}: exit status {proc.returncode}; stdout {out!r}; "
                         f"stderr {err!r}")
        self.assertIn(f"got {sig.name}".encode(), out)
        self.assertTrue(es.wait_pid_gone(child_pid, timeout=2.0),
                        f"the child (pid {child_pid}) still exists after we exited "
                        f"(orphan or zombie)")

    def test_sigterm_reaches_child(self) -> None:
        self._signal_passed_on(signal.SIGTERM)

    def test_sigint_reaches_child(self) -> None:
        self._signal_passed_on(signal.SIGINT)

    def test_sighup_reaches_child(self) -> None:
        self._signal_passed_on(signal.SIGHUP)

    # -- stdio -----------------------------------------------------------------------------
    def test_stdin_passed_through(self) -> None:
        ran = self.run_child("cat", input=b"hello\n")
        self.assertExit(ran, 0)
        self.assertEqual(ran.stdout, "hello\n")

    def test_large_output_intact(self) -> None:
        size = 5 * 1024 * 1024
        data = os.urandom(size)
        path = os.path.join(self.tmp, "large.bin")
        with open(path, "wb") as f:
            f.write(data)
        try:
            ran = self.run_child("head", "-c", str(size), path)
        finally:
            os.unlink(path)
        self.assertEqual(ran.returncode, 0, ran.stderr)
        self.assertEqual(len(ran.stdout_bytes), size)
        self.assertTrue(ran.stdout_bytes == data, "the 5 MiB output arrived altered")

    def test_child_stderr_arrives_on_our_stderr(self) -> None:
        ran = self.run_child("sh", "-c", "echo to-stdout; echo to-stderr >&2")
        self.assertExit(ran, 0)
        self.assertEqual(ran.stdout, "to-stdout\n")
        self.assertEqual(ran.stderr, "to-stderr\n")


if __name__ == "__main__":
    unittest.main()
