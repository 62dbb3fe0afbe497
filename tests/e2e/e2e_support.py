"""Shared helpers for the end-to-end tests of assume-spoke-role (tests/e2e/test_e2e_*.py).

Everything here is stdlib + boto3.  The tests run the real binary against a real, seeded
``moto_server`` (see moto_fixture.py) with the real AWS CLI as the child command, in a hermetic
environment: each subprocess gets an explicit env (PATH, a temporary HOME, the endpoint, the
region, the keys) and never the developer's ~/.aws or credentials.

Binaries:
  ASSUME_SPOKE_ROLE_BIN   the CLI            (default: <repo>/build/assume-spoke-role)
  HUBSPOKE_EXAMPLE_BIN    the library example (default: <repo>/build/spoke_credentials_example)
A missing binary, moto_server or AWS CLI makes the tests FAIL, never skip.
"""

from __future__ import annotations

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import moto_fixture as mf  # noqa: E402

PROG = "assume-spoke-role"
ERROR_PREFIX = "assume-spoke-role: error:"
DEFAULT_TIMEOUT = 30.0      # any single subprocess call
AWS_CLI_TIMEOUT = 60.0      # the AWS CLI is a slow-starting Python program
SESSION_STRING = "e2e@example.com"

# A 40-character AWS secret access key: base64 alphabet, with upper, lower and digits, not part
# of a longer run of such characters.
SECRET_KEY_RE = re.compile(
    r"(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+=]*[A-Z])(?=[A-Za-z0-9/+=]*[a-z])"
    r"(?=[A-Za-z0-9/+=]*[0-9])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")
# Anything that looks like a session token: a run of more than 100 base64 characters.
TOKEN_RE = re.compile(r"[A-Za-z0-9/+=]{101,}")
RFC3339_RE = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


# -- binaries ----------------------------------------------------------------------------------
def _binary(env_name: str, default_name: str) -> str:
    path = os.environ.get(env_name) or os.path.join(REPO, "build", default_name)
    return os.path.abspath(path)


def binary_path() -> str:
    return _binary("ASSUME_SPOKE_ROLE_BIN", "assume-spoke-role")


def example_path() -> str:
    return _binary("HUBSPOKE_EXAMPLE_BIN", "spoke_credentials_example")


def require_executable(path: str, what: str, env_name: str) -> str:
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        raise unittest.TestCase.failureException(
            f"{what} not found or not executable at {path!r}: build it, or set {env_name}")
    return path


_AWS_CLI: str | None = None


def aws_cli() -> str:
    """Absolute path of the AWS CLI (fails the test if there is none)."""
    global _AWS_CLI
    if _AWS_CLI is None:
        exe = shutil.which("aws")
        if not exe:
            raise unittest.TestCase.failureException(
                "the AWS CLI ('aws') is not on PATH; the end-to-end tests use it as the child")
        _AWS_CLI = os.path.realpath(mf._resolve_pyenv_shim(exe, "aws"))
    return _AWS_CLI


def hermetic_path() -> str:
    """PATH for every subprocess: the AWS CLI's directory, then the system directories."""
    dirs = [os.path.dirname(aws_cli()), os.path.dirname(os.path.realpath(sys.executable)),
            "/usr/local/bin", "/usr/bin", "/bin"]
    seen: list[str] = []
    for d in dirs:
        if d not in seen:
            seen.append(d)
    return ":".join(seen)


def require_moto() -> None:
    if not (os.environ.get("MOTO_SERVER") or shutil.which("moto_server")):
        raise unittest.TestCase.failureException(
            "moto_server not found on PATH (pip install 'moto[server]', moto 5.x): the "
            "end-to-end tests need it")


# -- environments ------------------------------------------------------------------------------
def base_env(home: str, endpoint: str, access_key_id: str | None, secret_access_key: str | None,
             region: str = "us-east-1", **extra: str | None) -> dict[str, str]:
    """The explicit environment of one invocation.  ``extra`` adds (or, with None, removes)
    variables."""
    env = {
        "PATH": hermetic_path(),
        "HOME": home,
        "LC_ALL": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
        # Belt and braces: even a tool that looked for ~/.aws finds only the empty temp HOME.
        "AWS_CONFIG_FILE": os.path.join(home, ".aws", "config"),
        "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, ".aws", "credentials"),
    }
    if access_key_id is not None:
        env["AWS_ACCESS_KEY_ID"] = access_key_id
    if secret_access_key is not None:
        env["AWS_SECRET_ACCESS_KEY"] = secret_access_key
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


def chain_env(seed: Mapping, home: str, spoke_account: str | None = None,
              **extra: str | None) -> dict[str, str]:
    """Base credentials of sys-automation, the moto endpoint, and the README's ASSUME_ROLE_*
    configuration (hub account/role, spoke role, external id, session string)."""
    values: dict[str, str | None] = {
        "ASSUME_ROLE_HUB_ACCOUNT": seed["hub_account"],
        "ASSUME_ROLE_HUB_ROLE": seed["hub_role"],
        "ASSUME_ROLE_SPOKE_ROLE": seed["spoke_role"],
        "ASSUME_ROLE_EXTERNAL_ID": seed["external_id"],
        "ASSUME_ROLE_SESSION_STRING": SESSION_STRING,
    }
    if spoke_account is not None:
        values["ASSUME_ROLE_SPOKE_ACCOUNT"] = spoke_account
    values.update(extra)
    return base_env(home, seed["url"], seed["access_key_id"], seed["secret_access_key"],
                    region=seed["region"], **values)


# -- running -----------------------------------------------------------------------------------
@dataclass
class Ran:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    stdout_bytes: bytes = b""

    def describe(self) -> str:
        def cut(s: str) -> str:
            return s if len(s) < 3000 else s[:3000] + f"... [{len(s)} chars]"
        return (f"\n  command: {self.args!r}\n  exit status: {self.returncode}"
                f"\n  stdout: {cut(self.stdout)!r}\n  stderr: {cut(self.stderr)!r}")


def run(args: Sequence[str], env: Mapping[str, str], input: bytes | None = None,
        timeout: float = DEFAULT_TIMEOUT, cwd: str | None = None) -> Ran:
    started = time.monotonic()
    p = subprocess.run(list(args), env=dict(env), input=input,
                       stdin=None if input is not None else subprocess.DEVNULL,
                       capture_output=True, timeout=timeout, cwd=cwd)
    return Ran(list(args), p.returncode, p.stdout.decode("utf-8", "replace"),
               p.stderr.decode("utf-8", "replace"), time.monotonic() - started, p.stdout)


def spoke_arn(account: str, session_string: str = SESSION_STRING,
              role: str = mf.SPOKE_ROLE) -> str:
    return f"arn:aws:sts::{account}:assumed-role/{role}/{account}-{session_string}"


def role_arn(account: str, role: str, partition: str = "aws") -> str:
    return f"arn:{partition}:iam::{account}:role/{role}"


def parse_env_lines(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


def leaks(text: str, secrets: Iterable[str]) -> list[str]:
    """Which of ``secrets`` (or secret-looking strings) appear in ``text``; described, never
    quoted whole."""
    found = []
    for s in secrets:
        if s and s in text:
            found.append(f"a known secret ({s[:4]}…, {len(s)} chars)")
    for m in SECRET_KEY_RE.finditer(text):
        found.append(f"a 40-char secret-key-like string ({m.group(0)[:4]}…) at {m.start()}")
    for m in TOKEN_RE.finditer(text):
        found.append(f"a token-like string of {len(m.group(0))} chars ({m.group(0)[:6]}…) "
                     f"at {m.start()}")
    return found


def sts_identity(url: str, key_id: str, secret: str, token: str | None = None) -> str:
    """GetCallerIdentity with boto3 for the given keys, the ARN it returns.  The test process's
    own AWS_* variables (a developer's AWS_PROFILE, config files) are hidden meanwhile."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("AWS_")}
    try:
        for k in saved:
            del os.environ[k]
        os.environ["AWS_CONFIG_FILE"] = os.devnull
        os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
        os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
        return mf.client("sts", url, key_id, secret, token).get_caller_identity()["Arn"]
    finally:
        for k in [k for k in os.environ if k.startswith("AWS_")]:
            del os.environ[k]
        os.environ.update(saved)


def free_closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def pid_alive(pid: int) -> bool:
    """True while /proc/<pid> exists.  A zombie counts as alive: it is exactly what must not
    remain after we exit."""
    return os.path.exists(f"/proc/{pid}")


def wait_pid_gone(pid: int, timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid):
            return True
        time.sleep(0.02)
    return not pid_alive(pid)


def read_line(proc: subprocess.Popen, timeout: float) -> bytes:
    """One line from proc.stdout within ``timeout`` seconds (b"" on timeout or EOF)."""
    fd = proc.stdout.fileno()
    buf = b""
    deadline = time.monotonic() + timeout
    while not buf.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([fd], [], [], left)
        if not r:
            break
        ch = os.read(fd, 1)
        if not ch:
            break
        buf += ch
    return buf


def kill_quietly(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


# -- a listener that counts connections ---------------------------------------------------------
class ConnectionCounter:
    """A TCP listener on 127.0.0.1 whose thread accepts and counts connections (closing each at
    once).  ``connections()`` also counts one that is established but not yet accepted, so a
    check right after a process exits cannot miss it."""

    def __init__(self) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self._sock.setblocking(False)
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._count = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="conn-counter", daemon=True)
        self._thread.start()

    def _accept_pending(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            self._count += 1
            conn.close()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                select.select([self._sock], [], [], 0.05)
            except (OSError, ValueError):
                return
            with self._lock:
                if self._stop.is_set():
                    return
                self._accept_pending()

    def connections(self) -> int:
        with self._lock:
            self._accept_pending()
            return self._count

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            self._sock.close()
        self._thread.join(timeout=5)


# -- a test class with one seeded moto per module -------------------------------------------------
class MotoTestCase(unittest.TestCase):
    """setUpClass: checks the binary, starts and seeds one moto_server (stopped in
    tearDownClass, also when setUpClass fails half-way) and makes a temp HOME."""

    server: mf.MotoServer | None = None
    seed: dict
    bin: str
    tmp: str
    home: str

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.bin = require_executable(binary_path(), "the assume-spoke-role binary",
                                     "ASSUME_SPOKE_ROLE_BIN")
        aws_cli()
        require_moto()
        cls.tmp = tempfile.mkdtemp(prefix="e2e-hubspoke.")
        cls.home = os.path.join(cls.tmp, "home")
        os.mkdir(cls.home, 0o700)
        cls.server = mf.MotoServer()
        try:
            cls.server.start()
            cls.seed = mf.seed_hub_spoke(cls.server)
        except BaseException:
            cls._cleanup()
            raise

    @classmethod
    def _cleanup(cls) -> None:
        if cls.server is not None:
            cls.server.stop()
            cls.server = None
        if getattr(cls, "tmp", None):
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def tearDownClass(cls) -> None:
        cls._cleanup()
        super().tearDownClass()

    # -- helpers ---------------------------------------------------------------------------
    def env(self, spoke_account: str | None = None, **extra: str | None) -> dict[str, str]:
        return chain_env(self.seed, self.home, spoke_account, **extra)

    def tool(self, *args: str, env: Mapping[str, str], input: bytes | None = None,
             timeout: float = DEFAULT_TIMEOUT) -> Ran:
        return run([self.bin, *args], env, input=input, timeout=timeout)

    def assertExit(self, ran: Ran, status: int) -> None:
        self.assertEqual(ran.returncode, status, ran.describe())

    def assertOneErrorLine(self, ran: Ran) -> str:
        lines = ran.stderr.splitlines()
        self.assertEqual(len(lines), 1, f"expected exactly one stderr line{ran.describe()}")
        self.assertTrue(lines[0].startswith(ERROR_PREFIX), ran.describe())
        return lines[0]


def sys_python() -> str:
    """The Python running the tests, for child scripts (absolute: PATH is ours)."""
    return sys.executable
