#!/usr/bin/env python3
"""Fault soak: the client against the lab injecting faults, for a bounded time.

    tests/soak/soak.py [--seconds 120] [--spokes 300] [--faults SPEC] [--bin PATH] [--json FILE]

Starts `assume-spoke-role lab --spokes N --faults SPEC --log-requests` and, until --seconds have
passed, repeats a round: single chains (`credentials` and `run -- true` for a few spokes) and one
`fanout` over every generated spoke (an accounts file, every third round `--org`). It checks:

- no run hangs: each is wrapped in a deadline (its own --timeout plus slack) and a hit fails;
- no crash: no exit status is a signal;
- no leaked process: every run starts in a session of its own, and when it ends nothing is left
  in that session;
- no leaked descriptor: the lab's open descriptors (/proc/PID/fd) at the end are within a few of
  those after warm-up; the clients' descriptors, sampled every second while they run, stay
  within a bound set by fanout's -j (not by the number of accounts);
- every failure names its hop and cause: a failed single chain's error line names "hub hop" or
  "spoke hop" (or the base identity) and a cause; every fanout account is `ok` or `chain-failed`
  with `hop` and a `message`;
- memory flat: the lab's VmRSS, sampled every second, has a maximum over the last third of the
  run at most 20 % above the maximum over the first third.

It prints the figures (calls, faults injected by kind, outcomes per cause, RSS over time, the
clients' max RSS) and exits 1 when any check failed. docs/HARDENING.md ("Fault soak") has a run.
"""
import argparse
import collections
import json
import os
import pathlib
import re
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_FAULTS = "seed={seed},throttle=0.02,503=0.02,500=0.01,drop=0.02,truncate=0.02,latency=2s@0.02"
HUB_ENV = {
    "AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "AWS_ACCESS_KEY_ID": "AKIALABEXAMPLE000001",
    "AWS_SECRET_ACCESS_KEY": "labSecretKey/sysAutomation/EXAMPLEKEY001",
    "ASSUME_ROLE_HUB_ACCOUNT": "999999999999", "ASSUME_ROLE_HUB_ROLE": "automation-hub-role",
    "ASSUME_ROLE_SPOKE_ROLE": "automation-spoke-role",
    "ASSUME_ROLE_EXTERNAL_ID": "this-is-my-automation",
}
CHAIN_TIMEOUT = 30          # `credentials`/`run` --timeout (the whole chain)
FANOUT_ACCOUNT_TIMEOUT = 60  # fanout --timeout (per account)
SLACK = 30                  # beyond a run's own deadline before we call it a hang


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def rss_kib(pid):
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def session_members(sid):
    """Live processes (not zombies reaped already) whose session id is `sid`."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            members.append(int(entry))
    return members


class Soak:
    def __init__(self, args):
        self.args = args
        self.failures = []
        self.outcomes = collections.Counter()
        self.runs = collections.Counter()
        self.durations = collections.defaultdict(list)
        self.client_fds = []  # (time, fd count) of running clients
        self.rss = []         # (time, lab VmRSS KiB)
        self.lock = threading.Lock()
        self.current_child = None
        self.stop_sampling = threading.Event()

    def fail(self, what):
        print(f"soak: FAIL: {what}", file=sys.stderr)
        self.failures.append(what)

    # -- the lab ---------------------------------------------------------------------------
    def start_lab(self, work):
        port_file = work / "lab.port"
        self.lab_log = open(work / "lab.stderr", "w")
        faults = self.args.faults.format(seed=self.args.seed)
        self.lab = subprocess.Popen(
            [self.args.bin, "lab", "--spokes", str(self.args.spokes), "--faults", faults,
             "--port-file", str(port_file), "--log-requests"],
            stdout=subprocess.DEVNULL, stderr=self.lab_log, start_new_session=True)
        deadline = time.monotonic() + 30
        while not port_file.exists():
            if self.lab.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"soak: the lab did not start (see {work / 'lab.stderr'})")
            time.sleep(0.05)
        self.env = dict(os.environ, **HUB_ENV,
                        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port_file.read_text().strip()}")
        for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
                     "AWS_SESSION_TOKEN"):
            self.env.pop(name, None)
        self.env["AWS_CONFIG_FILE"] = str(work / "no-config")
        self.env["AWS_SHARED_CREDENTIALS_FILE"] = str(work / "no-credentials")

    def sampler(self):
        while not self.stop_sampling.wait(1.0):
            now = time.monotonic()
            value = rss_kib(self.lab.pid)
            if value is not None:
                self.rss.append((now, value))
            child = self.current_child
            if child is not None:
                count = fd_count(child)
                if count is not None:
                    self.client_fds.append((now, count))

    # -- one client run --------------------------------------------------------------------
    def run(self, kind, argv, deadline):
        start = time.monotonic()
        proc = subprocess.Popen([self.args.bin, *argv], env=self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.current_child = proc.pid
        try:
            out, err = proc.communicate(timeout=deadline)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            self.fail(f"{kind} hung past {deadline}s: {' '.join(argv)}")
        finally:
            self.current_child = None
        self.runs[kind] += 1
        self.durations[kind].append(time.monotonic() - start)
        if proc.returncode < 0:
            self.fail(f"{kind} died of signal {-proc.returncode}: {' '.join(argv)}\n{err[-2000:]}")
        left = session_members(proc.pid)
        if left:
            self.fail(f"{kind} left processes behind: {left}")
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        return proc.returncode, out, err

    def chain_cause(self, kind, status, err):
        if status == 0:
            self.outcomes[f"{kind} ok"] += 1
            return
        line = next((l for l in err.splitlines() if l.startswith("assume-spoke-role: error:")), "")
        hop = re.search(r"\b(hub|spoke) hop\b|base identity|base credentials", line)
        if not line or not hop:
            self.fail(f"{kind} failed (exit {status}) without naming its hop: {err[-500:]!r}")
            return
        self.outcomes[f"{kind} failed: {hop.group(1) or 'base'} {classify(line)}"] += 1

    def single_chains(self, accounts):
        for account in accounts:
            status, _, err = self.run(
                "credentials", ["credentials", "--spoke-account", account, "--no-cache",
                                "--timeout", f"{CHAIN_TIMEOUT}s"], CHAIN_TIMEOUT + SLACK)
            self.chain_cause("credentials", status, err)
            status, _, err = self.run(
                "run", ["run", "--spoke-account", account, "--no-cache",
                        "--timeout", f"{CHAIN_TIMEOUT}s", "--", "true"], CHAIN_TIMEOUT + SLACK)
            self.chain_cause("run", status, err)

    def fanout(self, work, round_number):
        summary = work / f"fanout-{round_number}.jsonl"
        if round_number % 3 == 2:
            selection = ["--org", "--exclude", "111111111111,999999999999"]
        else:
            selection = ["--accounts-file", str(work / "accounts.txt")]
        argv = ["fanout", *selection, "-j", str(self.args.jobs), "--timeout",
                f"{FANOUT_ACCOUNT_TIMEOUT}s", "--no-progress", "--summary", str(summary),
                "--output-dir", str(work / f"out-{round_number}"), "--", "true"]
        # Accounts run -j at a time, each within its --timeout; the hub session and the listing
        # come first. Anything past that bound is a hang.
        bound = (FANOUT_ACCOUNT_TIMEOUT * (self.args.spokes // self.args.jobs + 2)) + 2 * SLACK
        status, _, err = self.run("fanout", argv, bound)
        if not summary.exists():
            if status != 0 and "error:" in err:
                # The whole run failed before any account (listing the organization, the hub
                # hop): one line naming what failed.
                line = next((l for l in err.splitlines() if "error:" in l), "")
                hop = re.search(r"\b(hub|spoke|base)\b|Organizations|organizations", line)
                if not hop:
                    self.fail(f"fanout failed without naming its hop: {line!r}")
                self.outcomes[f"fanout run failed: {classify(line)}"] += 1
                return
            self.fail(f"fanout wrote no summary (exit {status}): {err[-500:]!r}")
            return
        for line in summary.read_text().splitlines():
            record = json.loads(line)
            if record["status"] == "ok":
                self.outcomes["fanout account ok"] += 1
            elif record["status"] == "chain-failed" and record.get("hop") in ("base", "hub", "spoke") \
                    and record.get("message"):
                self.outcomes[f"fanout account failed: {record['hop']} "
                              f"{record.get('error_code') or classify(record['message'])}"] += 1
            else:
                self.fail(f"fanout account without hop and cause: {line}")
        summary.unlink()
        subprocess.run(["rm", "-rf", str(work / f"out-{round_number}")], check=False)

    # -- the whole soak --------------------------------------------------------------------
    def main(self):
        with tempfile.TemporaryDirectory(prefix="hubspoke-soak-") as tmp:
            work = pathlib.Path(tmp)
            accounts = [f"{200000000000 + i:012d}" for i in range(1, self.args.spokes + 1)]
            (work / "accounts.txt").write_text("\n".join(accounts) + "\n")
            self.start_lab(work)
            sampler = threading.Thread(target=self.sampler, daemon=True)
            sampler.start()
            began = time.monotonic()
            end = began + self.args.seconds
            lab_fds_warm = None
            round_number = 0
            try:
                while time.monotonic() < end:
                    pick = [accounts[(round_number * 7 + k) % len(accounts)] for k in range(3)]
                    self.single_chains(["888888888888", *pick])
                    self.fanout(work, round_number)
                    if round_number == 0:
                        time.sleep(1)
                        lab_fds_warm = fd_count(self.lab.pid)
                    round_number += 1
                time.sleep(1)  # the lab closes idle connections it still holds
                lab_fds_end = fd_count(self.lab.pid)
                self.stop_sampling.set()
                sampler.join()
                if self.lab.poll() is not None:
                    self.fail(f"the lab exited during the soak (status {self.lab.returncode})")
                clients_max_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            finally:
                self.lab.send_signal(signal.SIGTERM)
                try:
                    lab_status = self.lab.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    self.lab.kill()
                    lab_status = self.lab.wait()
                    self.fail("the lab did not stop within 30 s of SIGTERM")
                self.lab_log.close()
            if lab_status != 0:
                self.fail(f"the lab exited with status {lab_status} on SIGTERM")
            if lab_fds_warm is not None and lab_fds_end is not None and lab_fds_end > lab_fds_warm + 4:
                self.fail(f"the lab's descriptors grew from {lab_fds_warm} to {lab_fds_end}")
            self.check_flat("lab VmRSS", self.rss, 1.2)
            # A client's descriptors are bounded by its concurrency (pipes and output files of
            # the -j running children), not by the accounts it has done: one leaked per account
            # would pass the bound within one fanout over hundreds of spokes.
            fd_bound = 16 + 4 * self.args.jobs
            if max((v for _, v in self.client_fds), default=0) > fd_bound:
                self.fail(f"a client held more than {fd_bound} descriptors: "
                          f"{max(v for _, v in self.client_fds)}")
            self.report(work, time.monotonic() - began, round_number, lab_fds_warm, lab_fds_end,
                        clients_max_rss)
        return 1 if self.failures else 0

    def check_flat(self, what, samples, ratio, slack=0):
        if len(samples) < 6:
            self.fail(f"{what}: too few samples ({len(samples)}) to judge")
            return
        third = len(samples) // 3
        first = max(v for _, v in samples[:third])
        last = max(v for _, v in samples[-third:])
        if last > first * ratio + slack:
            self.fail(f"{what} grew: max {first} over the first third, {last} over the last")

    def report(self, work, elapsed, rounds, fds_warm, fds_end, clients_max_rss):
        log = (work / "lab.stderr").read_text(errors="replace")
        requests = collections.Counter()
        for m in re.finditer(r"^(?:assume-spoke-role: )?lab: request .*?service=(\w+) action=(\w+)", log, re.M):
            requests[f"{m.group(1)} {m.group(2)}"] += 1
        faults = collections.Counter()
        for m in re.finditer(r"^(?:assume-spoke-role: )?lab: fault #\d+ \([^)]*\): (\S+)( after)?", log, re.M):
            if m.group(1) != "none":
                faults[m.group(1)] += 1
            if m.group(2):
                faults["latency"] += 1
        samples = self.rss
        third = max(1, len(samples) // 3)
        figures = {
            "seconds": round(elapsed, 1), "rounds": rounds, "spokes": self.args.spokes,
            "faults_spec": self.args.faults.format(seed=self.args.seed),
            "client_runs": dict(self.runs),
            "client_run_seconds_max": {k: round(max(v), 2) for k, v in self.durations.items()},
            # Requests the lab answered (a faulted one is logged as its fault instead, unless the
            # fault was only latency).
            "lab_requests_answered": dict(requests),
            "lab_requests_total": sum(requests.values()) + sum(
                v for k, v in faults.items() if k != "latency"),
            "faults_injected": dict(faults), "faults_injected_total": sum(faults.values()),
            "outcomes": dict(sorted(self.outcomes.items())),
            "lab_rss_kib": {"first_third_max": max(v for _, v in samples[:third]) if samples else None,
                            "last_third_max": max(v for _, v in samples[-third:]) if samples else None,
                            "max": max(v for _, v in samples) if samples else None,
                            "every_minute": [v for i, (_, v) in enumerate(samples) if i % 60 == 0]},
            "lab_fds": {"after_warm_up": fds_warm, "end": fds_end},
            "client_fds_max": max((v for _, v in self.client_fds), default=None),
            "clients_max_rss_kib": clients_max_rss,
            "failures": self.failures,
        }
        print(json.dumps(figures, indent=1))
        if self.args.json:
            pathlib.Path(self.args.json).write_text(json.dumps(figures, indent=1) + "\n")
        print(f"soak: {'FAILED' if self.failures else 'passed'}: {rounds} rounds in {elapsed:.0f}s, "
              f"{sum(self.runs.values())} client runs, {figures['lab_requests_total']} lab requests, "
              f"{sum(faults.values())} faults injected", file=sys.stderr)


def classify(message):
    """A failure's cause, from its message: the AWS error code when there is one."""
    code = re.search(r"(?:STS|Organizations) \w+: (HTTP \d+|\w+) \(|: (\w+Exception|Throttling|"
                     r"ServiceUnavailable|InternalFailure)\b", message)
    if code:
        return next(g for g in code.groups() if g)
    for needle, cause in (("timed out", "timeout"), ("reset", "connection reset"),
                          ("closed", "connection closed"), ("truncat", "truncated response"),
                          ("not HTTP", "garbage"), ("malformed", "malformed response")):
        if needle in message:
            return cause
    return "other: " + message[-80:]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--spokes", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=32, help="fanout -j")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--faults", default=DEFAULT_FAULTS,
                        help="the lab's --faults ({seed} is replaced by --seed)")
    parser.add_argument("--bin", default=os.environ.get("ASSUME_SPOKE_ROLE_BIN",
                                                        str(ROOT / "build" / "assume-spoke-role")))
    parser.add_argument("--json", help="also write the figures to this file")
    return parser.parse_args()


if __name__ == "__main__":
    sys.exit(Soak(parse_args()).main())
