#!/usr/bin/env python3
"""A real STS/IAM peer for the end-to-end tests, the quick start and the benchmark.

It runs ``moto_server`` (moto 5.x) on 127.0.0.1 with a free port and seeds it with the
hub-spoke layout of the original tool's README:

* base account 111111111111: user ``sys-automation`` (may assume the two hub roles and
  ``automation-base-role``), user ``sys-nobody`` (may assume only an unrelated role, so the hub is
  refused), and role ``automation-base-role`` (trusts sys-automation, may assume the hub role:
  a base identity reached through a profile's role_arn + source_profile);
* hub account 999999999999: role ``automation-hub-role`` (may assume
  ``arn:aws:iam::*:role/automation-spoke-role``) and role ``automation-hub-narrow`` (may assume
  only ``arn:aws:iam::*:role/some-other-role``, so hub -> spoke is refused);
* spoke accounts 888888888888, 777777777777, 666666666666: role ``automation-spoke-role``.

Authentication: the server is started with ``INITIAL_NO_AUTH_ACTION_COUNT`` equal to the exact
number of IAM requests the seeding sends (:data:`SEED_REQUEST_COUNT`).  Those requests are
answered without checking credentials; every later request must carry a valid SigV4 signature
made with a key moto knows, and moto evaluates the caller's identity policies
(``SignatureDoesNotMatch``, ``InvalidClientTokenId``, ``AccessDenied``).

What moto 5.2.1 does NOT check (so tests of these need the real AWS lab):
trust policies of roles in another account than the caller's, external ids, ``aws:PrincipalOrgID``
and other condition keys it has no value for (the condition is then treated as met), and it lets
a caller assume a role that does not exist if its identity policy allows the ARN.

Usage as a library (stdlib + boto3 only)::

    with MotoServer() as server:
        seed = seed_hub_spoke(server)
        ...  # seed["url"], seed["access_key_id"], seed["secret_access_key"], ...

Usage as a command (quick start, benchmark)::

    python3 tests/e2e/moto_fixture.py serve --env-file /tmp/moto.env --pid-file /tmp/moto.pid
    python3 tests/e2e/moto_fixture.py selftest
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from typing import Any, Callable

BASE_ACCOUNT = "111111111111"
HUB_ACCOUNT = "999999999999"
SPOKE_ACCOUNTS = ("888888888888", "777777777777", "666666666666")
USER_NAME = "sys-automation"
NOBODY_USER_NAME = "sys-nobody"
HUB_ROLE = "automation-hub-role"
HUB_NARROW_ROLE = "automation-hub-narrow"
SPOKE_ROLE = "automation-spoke-role"
UNRELATED_ROLE = "unrelated-role"
BASE_ROLE = "automation-base-role"
EXTERNAL_ID = "this-is-my-automation"
REGION = "us-east-1"

# The seeding below sends exactly these IAM requests, in this order; the server answers exactly
# this many without authentication.  Keep the two in step (seed_hub_spoke checks it).
#   base  : CreateUser, CreateAccessKey, PutUserPolicy            x 2 users  = 6
#           CreateRole, PutRolePolicy                             x 1 role   = 2
#   hub   : CreateRole, PutRolePolicy                             x 2 roles  = 4
#   spokes: CreateRole, PutRolePolicy                             x 3        = 6
SEED_REQUEST_COUNT = 18

STARTUP_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0


def _arn_role(account: str, role: str) -> str:
    return f"arn:aws:iam::{account}:role/{role}"


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _find_moto_server() -> str:
    """The moto_server executable on PATH; a pyenv shim is resolved to the real script so the PID
    we hold is moto's own and start-up is not slowed by pyenv."""
    exe = os.environ.get("MOTO_SERVER") or shutil.which("moto_server")
    if not exe:
        raise RuntimeError(
            "moto_server not found on PATH (pip install 'moto[server]' — moto 5.x)")
    return _resolve_pyenv_shim(exe, "moto_server")


def _resolve_pyenv_shim(exe: str, name: str) -> str:
    if "/.pyenv/shims/" in exe and shutil.which("pyenv"):
        try:
            real = subprocess.run(["pyenv", "which", name], capture_output=True, text=True,
                                  timeout=20, check=True).stdout.strip()
            if real and os.access(real, os.X_OK):
                return real
        except (subprocess.SubprocessError, OSError):
            pass
    return exe


class MotoServer:
    """One moto_server process on 127.0.0.1:<free port>, stopped by its PID."""

    def __init__(self, no_auth_count: int = SEED_REQUEST_COUNT,
                 startup_timeout: float = STARTUP_TIMEOUT_S,
                 log_path: str | None = None) -> None:
        self.no_auth_count = no_auth_count
        self.startup_timeout = startup_timeout
        self._log_path = log_path
        self._own_log = log_path is None
        self._log_file = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._url: str | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> "MotoServer":
        if self._proc is not None:
            raise RuntimeError("MotoServer already started")
        exe = _find_moto_server()
        env = dict(os.environ)
        env.pop("MOTO_ACCOUNT_ID", None)  # the account must come from header / signing key
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(self.no_auth_count)
        env["PYTHONUNBUFFERED"] = "1"
        if self._log_path is None:
            fd, self._log_path = tempfile.mkstemp(prefix="moto_server.", suffix=".log")
            os.close(fd)
        # stderr goes to a file, not a pipe: a pipe nobody drains would stall moto once full.
        self._log_file = open(self._log_path, "wb")
        self._proc = subprocess.Popen(
            [exe, "-H", "127.0.0.1", "-p", "0"],
            stdin=subprocess.DEVNULL, stdout=self._log_file, stderr=subprocess.STDOUT,
            env=env, start_new_session=True)
        deadline = time.monotonic() + self.startup_timeout
        marker = b"Running on http://127.0.0.1:"
        while True:
            with open(self._log_path, "rb") as f:
                text = f.read()
            pos = text.find(marker)
            if pos >= 0:
                tail = text[pos + len(marker):]
                digits = b""
                for ch in tail:
                    if 48 <= ch <= 57:
                        digits += bytes([ch])
                    else:
                        break
                if digits and len(tail) > len(digits):  # the whole number has been written
                    self._url = f"http://127.0.0.1:{int(digits)}"
                    return self
            if self._proc.poll() is not None:
                log = text.decode(errors="replace")[-2000:]
                self._cleanup_log()
                rc = self._proc.returncode
                self._proc = None
                raise RuntimeError(f"moto_server exited with {rc} before listening:\n{log}")
            if time.monotonic() > deadline:
                log = text.decode(errors="replace")[-2000:]
                self.stop()
                raise RuntimeError(
                    f"moto_server did not print 'Running on http://127.0.0.1:PORT' within "
                    f"{self.startup_timeout:.0f} s; its output:\n{log}")
            time.sleep(0.05)

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                os.kill(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.kill(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=timeout)
        self._url = None
        self._cleanup_log()

    def _cleanup_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
        if self._own_log and self._log_path and os.path.exists(self._log_path):
            os.unlink(self._log_path)
            self._log_path = None

    def __enter__(self) -> "MotoServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- properties ------------------------------------------------------------------------
    @property
    def url(self) -> str:
        if self._url is None:
            raise RuntimeError("MotoServer is not running")
        return self._url

    @property
    def pid(self) -> int:
        if self._proc is None:
            raise RuntimeError("MotoServer is not running")
        return self._proc.pid

    @property
    def log_path(self) -> str | None:
        return self._log_path

    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


# -- boto3 helpers ---------------------------------------------------------------------------
def _botocore_config():
    from botocore.config import Config
    # One attempt only: a retried seeding request would consume an extra no-auth slot.
    return Config(retries={"total_max_attempts": 1, "mode": "standard"},
                  connect_timeout=10, read_timeout=30)


def client(service: str, url: str, access_key_id: str, secret_access_key: str,
           session_token: str | None = None, account_header: str | None = None,
           on_send: Callable[[], None] | None = None):
    """A boto3 client against moto.  ``account_header`` adds ``x-moto-account-id`` to every
    request (used while seeding: the header picks the account the resource lands in)."""
    import boto3
    session = boto3.session.Session(
        aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
        aws_session_token=session_token, region_name=REGION)
    c = session.client(service, endpoint_url=url, config=_botocore_config())
    if account_header is not None:
        def add_header(request, **_: Any) -> None:
            request.headers["x-moto-account-id"] = account_header
        c.meta.events.register(f"before-sign.{service}", add_header)
    if on_send is not None:
        def count(**_: Any) -> None:
            on_send()
        c.meta.events.register(f"before-send.{service}", count)
    return c


def seed_hub_spoke(server: MotoServer) -> dict[str, Any]:
    """Create the users and roles (see the module doc) through moto's IAM API during the no-auth
    window.  Returns keys, account ids, role names, the external id and the server URL."""
    if server.no_auth_count != SEED_REQUEST_COUNT:
        raise ValueError(f"the server must be started with no_auth_count={SEED_REQUEST_COUNT} "
                         f"(got {server.no_auth_count})")
    url = server.url
    sent = [0]

    def on_send() -> None:
        sent[0] += 1

    def iam(account: str):
        return client("iam", url, "AKIASEEDINGDUMMYKEY0", "seeding-dummy-secret",
                      account_header=account, on_send=on_send)

    hub_arn = _arn_role(HUB_ACCOUNT, HUB_ROLE)
    narrow_arn = _arn_role(HUB_ACCOUNT, HUB_NARROW_ROLE)
    base_role_arn = _arn_role(BASE_ACCOUNT, BASE_ROLE)
    user_arn = f"arn:aws:iam::{BASE_ACCOUNT}:user/{USER_NAME}"

    # -- base account: the two users ------------------------------------------------------
    base = iam(BASE_ACCOUNT)
    keys: dict[str, tuple[str, str]] = {}
    user_policies = {
        # The README's "The User" policy, extended to the narrow hub role as well.
        USER_NAME: _policy([{"Effect": "Allow", "Action": "sts:AssumeRole",
                             "Resource": [hub_arn, narrow_arn, base_role_arn]}]),
        NOBODY_USER_NAME: _policy([{"Effect": "Allow", "Action": "sts:AssumeRole",
                                    "Resource": [_arn_role(HUB_ACCOUNT, UNRELATED_ROLE)]}]),
    }
    for name, doc in user_policies.items():
        base.create_user(UserName=name)
        key = base.create_access_key(UserName=name)["AccessKey"]
        keys[name] = (key["AccessKeyId"], key["SecretAccessKey"])
        base.put_user_policy(UserName=name, PolicyName=f"{name}-assume-hub", PolicyDocument=doc)
    # A role in the base account that sys-automation may assume and that may assume the hub
    # role: a base identity reached through a profile chain (role_arn + source_profile).
    base.create_role(RoleName=BASE_ROLE, AssumeRolePolicyDocument=_policy([
        {"Effect": "Allow", "Principal": {"AWS": user_arn}, "Action": "sts:AssumeRole"}]))
    base.put_role_policy(RoleName=BASE_ROLE, PolicyName=f"{BASE_ROLE}-policy",
                         PolicyDocument=_policy([{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                  "Resource": hub_arn}]))

    # -- hub account ------------------------------------------------------------------------
    # The README's trust and hub policies without their aws:PrincipalOrgID conditions: moto has
    # no organization to take a value from and silently treats such a condition as met, so
    # keeping it would only suggest a check that does not happen.
    hub = iam(HUB_ACCOUNT)
    hub_trust = _policy([{"Effect": "Allow", "Principal": {"AWS": user_arn},
                          "Action": "sts:AssumeRole"}])
    hub_roles = {
        HUB_ROLE: _policy([{"Effect": "Allow", "Action": ["sts:AssumeRole"],
                            "Resource": f"arn:aws:iam::*:role/{SPOKE_ROLE}"}]),
        HUB_NARROW_ROLE: _policy([{"Effect": "Allow", "Action": ["sts:AssumeRole"],
                                   "Resource": "arn:aws:iam::*:role/some-other-role"}]),
    }
    for name, doc in hub_roles.items():
        hub.create_role(RoleName=name, AssumeRolePolicyDocument=hub_trust)
        hub.put_role_policy(RoleName=name, PolicyName=f"{name}-policy", PolicyDocument=doc)

    # -- spoke accounts ---------------------------------------------------------------------
    spoke_trust = _policy([{"Effect": "Allow", "Principal": {"AWS": hub_arn},
                            "Action": "sts:AssumeRole",
                            "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}}}])
    spoke_policy = _policy([{"Effect": "Allow",
                             "Action": ["sts:GetCallerIdentity", "iam:ListRoles"],
                             "Resource": "*"}])
    for account in SPOKE_ACCOUNTS:
        spoke = iam(account)
        spoke.create_role(RoleName=SPOKE_ROLE, AssumeRolePolicyDocument=spoke_trust)
        spoke.put_role_policy(RoleName=SPOKE_ROLE, PolicyName=f"{SPOKE_ROLE}-policy",
                              PolicyDocument=spoke_policy)

    if sent[0] != SEED_REQUEST_COUNT:
        raise RuntimeError(f"seeding sent {sent[0]} requests, expected {SEED_REQUEST_COUNT}: "
                           "authentication would not start right after seeding")

    return {
        "url": url,
        "region": REGION,
        "base_account": BASE_ACCOUNT,
        "hub_account": HUB_ACCOUNT,
        "spoke_accounts": list(SPOKE_ACCOUNTS),
        "user_name": USER_NAME,
        "access_key_id": keys[USER_NAME][0],
        "secret_access_key": keys[USER_NAME][1],
        "nobody_user_name": NOBODY_USER_NAME,
        "nobody_access_key_id": keys[NOBODY_USER_NAME][0],
        "nobody_secret_access_key": keys[NOBODY_USER_NAME][1],
        "hub_role": HUB_ROLE,
        "hub_narrow_role": HUB_NARROW_ROLE,
        "base_role": BASE_ROLE,
        "spoke_role": SPOKE_ROLE,
        "external_id": EXTERNAL_ID,
        "no_auth_requests": SEED_REQUEST_COUNT,
    }


# -- checks ----------------------------------------------------------------------------------
def _error_code(fn: Callable[[], Any]) -> str | None:
    """Run fn; return None if it succeeded, else the AWS error code it failed with."""
    from botocore.exceptions import ClientError
    try:
        fn()
    except ClientError as e:
        return str(e.response.get("Error", {}).get("Code"))
    return None


def assume_chain(seed: dict[str, Any], spoke_account: str | None = None,
                 hub_role: str | None = None, session: str = "fixture") -> dict[str, Any]:
    """base -> hub -> spoke with boto3; returns the spoke Credentials dict."""
    url = seed["url"]
    sts = client("sts", url, seed["access_key_id"], seed["secret_access_key"])
    hub = sts.assume_role(RoleArn=_arn_role(seed["hub_account"], hub_role or seed["hub_role"]),
                          RoleSessionName=session, ExternalId=seed["external_id"])["Credentials"]
    hub_sts = client("sts", url, hub["AccessKeyId"], hub["SecretAccessKey"], hub["SessionToken"])
    spoke = hub_sts.assume_role(
        RoleArn=_arn_role(spoke_account or seed["spoke_accounts"][0], seed["spoke_role"]),
        RoleSessionName=session, ExternalId=seed["external_id"])["Credentials"]
    return spoke


def check_enforcement(seed: dict[str, Any]) -> dict[str, str | None]:
    """The checks the e2e tests rely on.  Each value is None for success or the error code."""
    url = seed["url"]
    out: dict[str, str | None] = {}
    hub_arn = _arn_role(seed["hub_account"], seed["hub_role"])

    def chain() -> None:
        spoke = assume_chain(seed, session="selftest")
        ident = client("sts", url, spoke["AccessKeyId"], spoke["SecretAccessKey"],
                       spoke["SessionToken"]).get_caller_identity()
        want = f"arn:aws:sts::{seed['spoke_accounts'][0]}:assumed-role/{seed['spoke_role']}/selftest"
        if ident["Arn"] != want:
            raise AssertionError(f"spoke identity {ident['Arn']!r}, expected {want!r}")
    out["chain"] = _error_code(chain)
    out["wrong_secret"] = _error_code(lambda: client(
        "sts", url, seed["access_key_id"], "not-the-secret").assume_role(
            RoleArn=hub_arn, RoleSessionName="selftest"))
    out["unknown_key"] = _error_code(lambda: client(
        "sts", url, "AKIAUNKNOWNKEY000000", "whatever").get_caller_identity())
    out["nobody_hub"] = _error_code(lambda: client(
        "sts", url, seed["nobody_access_key_id"], seed["nobody_secret_access_key"]).assume_role(
            RoleArn=hub_arn, RoleSessionName="selftest"))
    out["narrow_spoke"] = _error_code(
        lambda: assume_chain(seed, hub_role=seed["hub_narrow_role"], session="narrow"))
    return out


EXPECTED = {"chain": None, "wrong_secret": "SignatureDoesNotMatch",
            "unknown_key": "InvalidClientTokenId", "nobody_hub": "AccessDenied",
            "narrow_spoke": "AccessDenied"}


# -- env file --------------------------------------------------------------------------------
def env_lines(seed: dict[str, Any]) -> list[str]:
    values = [
        ("AWS_ENDPOINT_URL", seed["url"]),
        ("AWS_ACCESS_KEY_ID", seed["access_key_id"]),
        ("AWS_SECRET_ACCESS_KEY", seed["secret_access_key"]),
        ("AWS_REGION", seed["region"]),
        ("AWS_DEFAULT_REGION", seed["region"]),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("ASSUME_ROLE_HUB_ACCOUNT", seed["hub_account"]),
        ("ASSUME_ROLE_HUB_ROLE", seed["hub_role"]),
        ("ASSUME_ROLE_SPOKE_ROLE", seed["spoke_role"]),
        ("ASSUME_ROLE_EXTERNAL_ID", seed["external_id"]),
        ("MOTO_SPOKE_ACCOUNTS", " ".join(seed["spoke_accounts"])),
        ("MOTO_HUB_NARROW_ROLE", seed["hub_narrow_role"]),
        ("MOTO_NOBODY_ACCESS_KEY_ID", seed["nobody_access_key_id"]),
        ("MOTO_NOBODY_SECRET_ACCESS_KEY", seed["nobody_secret_access_key"]),
    ]
    lines = ["# moto_server seeded by tests/e2e/moto_fixture.py — source this file",
             "unset AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_PROFILE AWS_ENDPOINT_URL_STS"]
    lines += [f"export {k}={shlex.quote(v)}" for k, v in values]
    return lines


def write_env_file(path: str, seed: dict[str, Any]) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("\n".join(env_lines(seed)) + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _write_private(path: str, text: str) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(text)
    os.replace(tmp, path)


# -- CLI -------------------------------------------------------------------------------------
def _serve(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def on_signal(signum: int, _frame: object) -> None:
        stop.set()
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGHUP, on_signal)

    env_file = args.env_file or os.path.join(tempfile.gettempdir(), f"moto-hubspoke-{os.getpid()}.env")
    server = MotoServer()
    written: list[str] = []
    try:
        server.start()
        seed = seed_hub_spoke(server)
        if args.check:
            got = check_enforcement(seed)
            if got != EXPECTED:
                print(f"moto_fixture: enforcement checks failed: {got}", file=sys.stderr)
                return 1
        write_env_file(env_file, seed)
        written.append(env_file)
        if args.json_file:
            _write_private(args.json_file, json.dumps(seed, indent=2) + "\n")
            written.append(args.json_file)
        if args.pid_file:
            _write_private(args.pid_file, f"{os.getpid()}\n")
            written.append(args.pid_file)
        print(f"moto_server {server.url} (pid {server.pid}) seeded; "
              f"source {env_file}", flush=True)
        while not stop.is_set() and server.running():
            stop.wait(0.5)
        if not server.running() and not stop.is_set():
            print("moto_fixture: moto_server died", file=sys.stderr)
            return 1
        return 0
    finally:
        server.stop()
        if not args.keep_files:
            for path in written:
                try:
                    os.unlink(path)
                except OSError:
                    pass


def _selftest(_: argparse.Namespace) -> int:
    with MotoServer() as server:
        seed = seed_hub_spoke(server)
        got = check_enforcement(seed)
    ok = got == EXPECTED
    for name, code in got.items():
        print(f"{'ok ' if code == EXPECTED[name] else 'BAD'} {name}: "
              f"{code or 'succeeded'} (expected {EXPECTED[name] or 'success'})")
    print(f"no-auth requests used for seeding: {SEED_REQUEST_COUNT}")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("serve", help="start + seed moto, write an env file, run until SIGTERM/SIGINT")
    s.add_argument("--env-file", help="where to write the POSIX-shell env file (mode 0600)")
    s.add_argument("--json-file", help="also write the seed as JSON (mode 0600)")
    s.add_argument("--pid-file", help="write this process's PID (signal it to stop)")
    s.add_argument("--check", action="store_true", help="run the enforcement checks before serving")
    s.add_argument("--keep-files", action="store_true", help="do not delete the files on exit")
    s.set_defaults(fn=_serve)
    t = sub.add_parser("selftest", help="start, seed and check moto's enforcement, then stop")
    t.set_defaults(fn=_selftest)
    args = p.parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())
