#!/usr/bin/env python3
"""The cost of each way to link the CLI (issue 16): the default, which links the system's shared
OpenSSL (what the Debian package ships, so OpenSSL fixes arrive with libssl updates), against the
portable static build (-DHUBSPOKE_STATIC=ON), side by side with the AWS CLI in the same run.

For each: the binary's size, and over N runs (after warm-up) the median and p90 wall time and the
median peak RSS of
  start-up      `version` (the AWS CLI: `aws --version`)
  chain         `run -- /bin/true` through the hub and spoke hops against the lab on loopback
                (the AWS CLI: `aws sts get-caller-identity` against the same lab, its cheapest
                real call)

  bench/link_bench.py --shared BIN --static BIN [--runs N] [--warmup N] [--json FILE]
(bench/run --suite link builds both and runs this.)
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

LAB_KEY = "AKIALABEXAMPLE000001"
LAB_SECRET = "labSecretKey/sysAutomation/EXAMPLEKEY001"


def measure(launcher: str, argv: list[str], env: dict, runs: int, warmup: int) -> dict:
    """Through bench/spawn_rusage.c: wall time from fork to wait4 and the command's own peak RSS
    (a child forked from this Python harness would start with the harness's memory)."""
    walls, rss = [], []
    for i in range(warmup + runs):
        ran = subprocess.run([launcher, "/dev/null", "/dev/null", *argv], env=env,
                             capture_output=True, text=True)
        wall_ns, code, maxrss_kib = (int(x) for x in ran.stdout.split())
        if ran.returncode != 0 or code != 0:
            raise SystemExit(f"{' '.join(argv)} failed ({code}): {ran.stderr[-2000:]}")
        if i >= warmup:
            walls.append(wall_ns / 1e6)
            rss.append(maxrss_kib / 1024)
    walls.sort()
    return {"median_ms": statistics.median(walls), "p90_ms": walls[int(len(walls) * 0.9) - 1],
            "rss_mib": statistics.median(rss)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--shared", required=True)
    ap.add_argument("--static", required=True)
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--json")
    args = ap.parse_args()
    aws = shutil.which("aws")
    tmp = tempfile.mkdtemp(prefix="link-bench.")
    launcher = os.path.join(tmp, "spawn_rusage")
    subprocess.run(["cc", "-O2", "-o", launcher,
                    os.path.join(os.path.dirname(os.path.abspath(__file__)), "spawn_rusage.c")],
                   check=True)
    port_file = os.path.join(tmp, "port")
    lab = subprocess.Popen([args.shared, "lab", "--port-file", port_file, "--seed", "1"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not os.path.exists(port_file) or not open(port_file).read().strip():
            if time.monotonic() > deadline:
                raise SystemExit("the lab did not start")
            time.sleep(0.02)
        url = f"http://127.0.0.1:{open(port_file).read().strip()}"
        home = os.path.join(tmp, "home")
        os.mkdir(home, 0o700)
        env = {"PATH": "/usr/bin:/bin", "HOME": home, "AWS_ACCESS_KEY_ID": LAB_KEY,
               "AWS_SECRET_ACCESS_KEY": LAB_SECRET, "AWS_REGION": "us-east-1",
               "AWS_DEFAULT_REGION": "us-east-1",
               "AWS_ENDPOINT_URL": url, "AWS_EC2_METADATA_DISABLED": "true",
               "ASSUME_ROLE_HUB_ACCOUNT": "999999999999",
               "ASSUME_ROLE_HUB_ROLE": "automation-hub-role",
               "ASSUME_ROLE_SPOKE_ROLE": "automation-spoke-role",
               "ASSUME_ROLE_EXTERNAL_ID": "this-is-my-automation",
               "ASSUME_ROLE_SESSION_STRING": "bench"}
        rows = []
        for name, binary in (("shared OpenSSL (default, the .deb)", args.shared),
                             ("static (-DHUBSPOKE_STATIC=ON)", args.static)):
            rows.append({
                "build": name, "size_mib": os.path.getsize(binary) / 2**20,
                "startup": measure(launcher, [binary, "version"], env, args.runs, args.warmup),
                "chain": measure(launcher, [binary, "run", "--spoke-account", "888888888888", "--",
                                  "/bin/true"], env, args.runs, args.warmup)})
        if aws:
            rows.append({
                "build": "AWS CLI v" + subprocess.run([aws, "--version"], capture_output=True,
                                                      text=True).stdout.split()[0].split("/")[1],
                "size_mib": None,
                "startup": measure(launcher, [aws, "--version"], env, max(5, args.runs // 4), 1),
                "chain": measure(launcher, [aws, "sts", "get-caller-identity"], env,
                                 max(5, args.runs // 4), 1)})
    finally:
        lab.send_signal(signal.SIGTERM)
        lab.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)
    base = rows[0]
    print(f"{'build':38} {'size':>8} {'start-up ms':>12} {'RSS MiB':>8} {'chain ms':>10} "
          f"{'RSS MiB':>8} {'chain vs default':>17}")
    for r in rows:
        size = f"{r['size_mib']:.1f}M" if r["size_mib"] else "-"
        print(f"{r['build']:38} {size:>8} {r['startup']['median_ms']:12.2f} "
              f"{r['startup']['rss_mib']:8.1f} {r['chain']['median_ms']:10.2f} "
              f"{r['chain']['rss_mib']:8.1f} "
              f"{r['chain']['median_ms'] / base['chain']['median_ms']:16.2f}x")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"runs": args.runs, "rows": rows}, f, indent=2)


if __name__ == "__main__":
    main()
