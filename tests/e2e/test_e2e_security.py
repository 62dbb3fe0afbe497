"""End to end, security regressions found by trying the tool as an attacker would:

- a credential_process profile that calls this tool back with itself recursed without limit;
- closed standard descriptors made the STS socket our stdout/stderr (secrets into the socket);
- signals: a credential_process helper outlived a SIGTERM'd tool; SIGALRM, SIGPIPE, … killed
  `run` and orphaned its child;
- core dumps: the tool must be non-dumpable with a core limit of 0, its child must not be.

All against a real moto STS, with the real binary."""

from __future__ import annotations

import json
import os
import resource
import signal
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import e2e_support as es


def wait_for_file(path: str, proc: subprocess.Popen, timeout: float = 20.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                text = f.read().strip()
            if text:
                return text
        if proc.poll() is not None:
            raise AssertionError(f"exited early with {proc.returncode}")
        time.sleep(0.02)
    raise AssertionError(f"{path} never appeared")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def wait_group_gone(pgid: int, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not group_alive(pgid):
            return True
        time.sleep(0.02)
    return False


class RecordingProxy:
    """A TCP proxy to moto that records every byte the client sends, until it closes."""

    def __init__(self, upstream: str) -> None:
        host_port = upstream.split("//", 1)[1].rstrip("/")
        host, port = host_port.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.received = bytearray()
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []
        self.acceptor = threading.Thread(target=self._accept, daemon=True)
        self.acceptor.start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            up = socket.create_connection(self.upstream)
            for a, b, record in ((client, up, True), (up, client, False)):
                t = threading.Thread(target=self._pipe, args=(a, b, record), daemon=True)
                t.start()
                self.threads.append(t)

    def _pipe(self, src: socket.socket, dst: socket.socket, record: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if record:
                    with self.lock:
                        self.received += data
                try:
                    dst.sendall(data)
                except OSError:
                    pass
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            if not record:  # the upstream-to-client thread ends last: close both
                src.close()
                dst.close()

    def bytes(self) -> bytes:
        for t in self.threads:
            t.join(timeout=5)
        with self.lock:
            return bytes(self.received)

    def close(self) -> None:
        self.sock.close()


class SecurityTest(es.MotoTestCase):

    def write_config(self, home: str, text: str) -> None:
        os.makedirs(os.path.join(home, ".aws"), mode=0o700, exist_ok=True)
        with open(os.path.join(home, ".aws", "config"), "w") as f:
            f.write(text)

    def new_home(self) -> str:
        return tempfile.mkdtemp(prefix="home.", dir=self.tmp)

    # -- 2. credential_process loops ------------------------------------------------------------
    def helper_line(self, *flags: str) -> str:
        return (f"{self.bin} credentials --format credential-process --spoke-account 888888888888 "
                + " ".join(flags))

    def run_bounded(self, args: list[str], env: dict[str, str], timeout: float = 20.0) -> es.Ran:
        # In a session of its own, so that a process storm (the old behaviour) is killed whole.
        started = time.monotonic()
        proc = subprocess.Popen(args, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise AssertionError(f"{args[:3]} did not finish within {timeout} s (a loop?)")
        return es.Ran(list(args), proc.returncode, out.decode(errors="replace"),
                      err.decode(errors="replace"), time.monotonic() - started)

    def test_credential_process_calling_itself_is_a_loop(self) -> None:
        home = self.new_home()
        self.write_config(home, f"[profile loop]\ncredential_process = {self.helper_line()}\n")
        # The profile selected by AWS_PROFILE and no keys in the environment: the helper resolves
        # its base identity from the very profile that runs it.
        env = self.env("888888888888", AWS_PROFILE="loop", AWS_ACCESS_KEY_ID=None,
                       AWS_SECRET_ACCESS_KEY=None)
        env = {**env, "HOME": home, "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
               "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials")}
        started = time.monotonic()
        ran = self.run_bounded([self.bin, "credentials"], env)
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("credential_process loop: loop → loop", ran.stderr)
        self.assertLess(time.monotonic() - started, 10)
        # The AWS CLI as the first caller (it sets no marker): stopped one level down.
        ran = self.run_bounded([es.aws_cli(), "sts", "get-caller-identity"], env, timeout=60)
        self.assertNotEqual(ran.returncode, 0, ran.describe())
        self.assertIn("credential_process loop: loop → loop", ran.stderr)

    def test_two_profiles_that_call_each_other_are_a_loop(self) -> None:
        home = self.new_home()
        self.write_config(home, f"[profile a]\ncredential_process = {self.helper_line('--profile b')}\n"
                                f"[profile b]\ncredential_process = {self.helper_line('--profile a')}\n")
        env = {**self.env("888888888888"), "HOME": home,
               "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config")}
        ran = self.run_bounded([self.bin, "credentials", "--profile", "a"], env)
        self.assertEqual(ran.returncode, 1, ran.describe())
        self.assertIn("credential_process loop: a → b → a", ran.stderr)

    # -- 3. closed standard descriptors ---------------------------------------------------------
    def test_closed_stdout_and_stderr_never_reach_the_sts_connection(self) -> None:
        proxy = RecordingProxy(self.seed["url"])
        try:
            env = self.env("888888888888", AWS_ENDPOINT_URL=proxy.url)
            # credentials >&-   and   -v 2>&-   (and 0<&- for good measure)
            proc = subprocess.run([self.bin, "credentials", "--format", "export", "-v"], env=env,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, timeout=30,
                                  preexec_fn=lambda: [os.close(fd) for fd in (0, 1, 2)])
            self.assertEqual(proc.returncode, 0)
            sent = proxy.bytes()
        finally:
            proxy.close()
        self.assertIn(b"Action=AssumeRole", sent)  # the proxy did see the requests
        self.assertNotIn(b"AWS_SECRET_ACCESS_KEY", sent)
        self.assertNotIn(b"export ", sent)
        self.assertNotIn(b"assume-spoke-role:", sent)  # no log line either

    # -- 4. signals -----------------------------------------------------------------------------
    def test_a_signal_to_the_tool_takes_its_credential_process_helper_down(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGALRM):
            with self.subTest(signal=sig.name):
                home = self.new_home()
                pidfile = os.path.join(home, "helper.pid")
                # The shell records its pid (its group's id); `sleep` is a grandchild in the group.
                self.write_config(home, f"[profile slow]\ncredential_process = echo $$ > {pidfile}; "
                                        f"sleep 30; true\n")
                env = {**self.env("888888888888"), "HOME": home,
                       "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config")}
                proc = subprocess.Popen([self.bin, "credentials", "--profile", "slow"], env=env,
                                        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, start_new_session=True)
                try:
                    pgid = int(wait_for_file(pidfile, proc))
                    time.sleep(0.1)
                    proc.send_signal(sig)
                    proc.communicate(timeout=10)
                    self.assertEqual(proc.returncode, -sig)
                    self.assertTrue(wait_group_gone(pgid), "the helper outlived the tool")
                finally:
                    es.kill_quietly(proc)

    def test_every_terminating_signal_to_run_reaches_the_child(self) -> None:
        sigs = [signal.SIGALRM, signal.SIGPIPE, signal.SIGUSR1, signal.SIGUSR2, signal.SIGXCPU,
                signal.SIGVTALRM, signal.SIGPROF, signal.SIGPWR, signal.SIGTERM,
                signal.SIGRTMIN + 3, signal.SIGSEGV]
        for sig in sigs:
            with self.subTest(signal=int(sig)):
                home = self.new_home()
                pidfile = os.path.join(home, "child.pid")
                proc = subprocess.Popen(
                    [self.bin, "run", "--", "/bin/sh", "-c", f"echo $$ > {pidfile}; exec sleep 30"],
                    env=self.env("888888888888"), stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
                try:
                    child = int(wait_for_file(pidfile, proc))
                    time.sleep(0.1)
                    os.kill(proc.pid, sig)
                    out, err = proc.communicate(timeout=10)
                    # The child died of the signal; we report it as the shell does.
                    self.assertEqual(proc.returncode, 128 + int(sig), err)
                    self.assertTrue(es.wait_pid_gone(child), "the child was orphaned")
                finally:
                    es.kill_quietly(proc)

    # -- 7. core dumps --------------------------------------------------------------------------
    def test_the_tool_is_not_dumpable_and_its_child_is(self) -> None:
        probe = os.path.join(self.tmp, "probe.py")
        with open(probe, "w") as f:
            f.write(r'''
import ctypes, json, os, resource
libc = ctypes.CDLL(None)
parent = os.getppid()
limits = open(f"/proc/{parent}/limits").read()
core = [l for l in limits.splitlines() if l.startswith("Max core file size")][0].split()
print(json.dumps({
    "parent_core_soft": core[4],
    "parent_proc_owner": os.stat(f"/proc/{parent}/environ").st_uid,
    "me": os.getuid(),
    "child_core": list(resource.getrlimit(resource.RLIMIT_CORE)),
    "child_dumpable": libc.prctl(3, 0, 0, 0, 0),  # PR_GET_DUMPABLE
}))
''')
        os.chmod(probe, 0o755)
        os.chmod(self.tmp, 0o755)
        soft = 12345 * 1024
        hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
        if hard != resource.RLIM_INFINITY and hard < soft:
            soft = hard

        def start() -> None:
            resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))
        # The system's Python: the tests' own may live where another user cannot reach it.
        args = [self.bin, "run", "--", "/usr/bin/python3", probe]
        if os.getuid() == 0:
            # As root every /proc entry is readable whatever the owner: run as nobody, so that
            # the owner shows whether the tool is dumpable.
            args = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *args]
        # ASan lowers the core limit itself at start-up unless told not to (disable_coredump):
        # the sanitized build would then pass 0 on, hiding what this test is about.
        env = self.env("888888888888", HOME="/nonexistent", AWS_CONFIG_FILE="/nonexistent/config",
                       AWS_SHARED_CREDENTIALS_FILE="/nonexistent/credentials",
                       ASAN_OPTIONS="disable_coredump=0")
        proc = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60,
                              preexec_fn=start)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        seen = json.loads(proc.stdout)
        self.assertEqual(seen["parent_core_soft"], "0", "the tool may dump core")
        # Non-dumpable processes' /proc files belong to root.
        self.assertEqual(seen["parent_proc_owner"], 0)
        self.assertNotEqual(seen["me"], 0)
        self.assertEqual(seen["child_core"][0], soft, "the child did not get its core limit back")
        self.assertEqual(seen["child_dumpable"], 1)


if __name__ == "__main__":
    unittest.main()
