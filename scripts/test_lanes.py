#!/usr/bin/env python3
"""Runs the workspace's test binaries in lanes, one lane per moto_server.

Usage: test_lanes.py MESSAGES ENDPOINT[,ENDPOINT...] [SLOW_TARGET,...]

MESSAGES is the output of `cargo test --no-run --message-format=json`: every artifact built
with the test harness is run once, as `cargo test` runs it (from its package's directory,
with `CARGO_MANIFEST_DIR` set, no arguments). The DynamoDB and SQS tests spend their time in
moto_server, which answers on one core (Python), so one lane per moto_server runs that many
binaries at once: each lane takes the next binary when it is free, the SLOW_TARGET ones
(test target names, slowest first) before the others. A binary's output is printed whole
when it ends, so the log reads as `cargo test`'s does; the exit status is 1 when any binary
failed (every binary is run either way), and the failed ones are named last.
"""

import json
import os
import subprocess
import sys
import threading
import time


def test_binaries(messages_path):
    """(target name, source path, executable, package directory) of each test artifact."""
    found = []
    with open(messages_path, encoding="utf-8") as messages:
        for line in messages:
            if not line.startswith("{"):
                continue
            message = json.loads(line)
            if message.get("reason") != "compiler-artifact":
                continue
            if not message.get("executable") or not message["profile"]["test"]:
                continue
            target = message["target"]
            found.append(
                (
                    target["name"],
                    target["src_path"],
                    message["executable"],
                    os.path.dirname(message["manifest_path"]),
                )
            )
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binaries = test_binaries(sys.argv[1])
    endpoints = sys.argv[2].split(",")
    slow = [name for name in (sys.argv[3] if len(sys.argv) > 3 else "").split(",") if name]
    # Slowest first (longest-first keeps the lanes even), then cargo's order.
    rank = {name: i for i, name in enumerate(slow)}
    pending = sorted(binaries, key=lambda b: rank.get(b[0], len(slow)))
    lock = threading.Lock()
    failed = []

    def lane(endpoint):
        env = dict(os.environ, AWS_ENDPOINT_URL=endpoint)
        while True:
            with lock:
                if not pending:
                    return
                name, src, exe, package = pending.pop(0)
            started = time.monotonic()
            run = subprocess.run(
                [exe],
                cwd=package,
                env=dict(env, CARGO_MANIFEST_DIR=package),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                check=False,
            )
            took = time.monotonic() - started
            with lock:
                relative = os.path.relpath(src, package)
                print(f"     Running {relative} ({exe}) [{took:.0f} s, {endpoint}]", flush=True)
                sys.stdout.write(run.stdout.decode("utf-8", "replace"))
                sys.stdout.flush()
                if run.returncode != 0:
                    failed.append(f"{relative} ({exe}): exit status {run.returncode}")

    threads = [threading.Thread(target=lane, args=(e,)) for e in endpoints]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        print("\nfailed test binaries:\n  " + "\n  ".join(failed), flush=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
