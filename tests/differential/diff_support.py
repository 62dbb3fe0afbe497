"""Shared helpers for the differential tests: locating the drivers, running them over JSON lines,
and the seed/count knobs (HUBSPOKE_DIFF_SEED, HUBSPOKE_DIFF_COUNT)."""
import json
import os
import pathlib
import random
import subprocess
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]


def driver(env_name, target):
    path = os.environ.get(env_name) or str(ROOT / "build" / target)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{target} not built (set {env_name} or build {ROOT / 'build'})")
    return path


def seed():
    value = os.environ.get("HUBSPOKE_DIFF_SEED")
    return int(value) if value else int(time.time())


def count(default):
    return int(os.environ.get("HUBSPOKE_DIFF_COUNT", default))


def run_driver(path, inputs, timeout=60):
    """One process for every input: JSON lines in, JSON lines out, in order."""
    stdin = "".join(json.dumps(item) + "\n" for item in inputs)
    done = subprocess.run([path], input=stdin, capture_output=True, text=True, timeout=timeout,
                          check=True)
    outputs = [json.loads(line) for line in done.stdout.splitlines()]
    if len(outputs) != len(inputs):
        raise AssertionError(f"driver printed {len(outputs)} results for {len(inputs)} inputs")
    return outputs


def rng(seed_value):
    return random.Random(seed_value)
