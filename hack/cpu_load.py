#!/usr/bin/env python3
"""Keep the machine's cores busy: a stand-in for `stress-ng --cpu N`, with the standard library only.

    python3 hack/cpu_load.py                      # one busy process per core, until SIGTERM or SIGINT
    python3 hack/cpu_load.py --seconds 60         # ... or for 60 seconds
    python3 hack/cpu_load.py --processes 4 --while-pid 1234   # ... or while process 1234 lives

`make test-under-load` runs `make test` beside it (docs/development.md). Each busy process spins in pure
Python at normal priority, so it competes with the tests for the CPU as another user's work would. On
SIGTERM or SIGINT, at the end of --seconds, or when the --while-pid process is gone, the busy processes are
stopped and the script exits 0, after printing the CPU time they used. A busy process whose parent dies (for
example killed with SIGKILL) notices within about a second and exits: nothing is left spinning.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import signal
import sys
import time

# How many loop turns between two checks of the parent and the deadline (well under a second of CPU).
CHECK_EVERY = 1 << 20


class Stop(Exception):
    """Raised in the main process by SIGTERM and SIGINT."""


def spin(parent: int, deadline: float | None) -> None:
    """Burn CPU until the parent is gone or the deadline passes; SIGTERM (the default action) ends it too."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the main process, which stops us
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    turns = 0
    while True:
        turns += 1
        if turns % CHECK_EVERY == 0 and (
                os.getppid() != parent or (deadline is not None and time.monotonic() >= deadline)):
            return


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Keep the CPUs busy until stopped (see the module docstring).")
    parser.add_argument("--processes", type=int, default=os.cpu_count() or 1,
                        help="busy processes (default: os.cpu_count(), here %(default)s)")
    parser.add_argument("--seconds", type=float, default=None, help="stop after this long (default: run until stopped)")
    parser.add_argument("--while-pid", type=int, default=None, help="stop when the process with this id is gone")
    args = parser.parse_args(argv)
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.seconds is not None and args.seconds <= 0:
        parser.error("--seconds must be more than 0")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    started = time.monotonic()
    deadline = started + args.seconds if args.seconds is not None else None
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=spin, args=(os.getpid(), deadline), daemon=True) for _ in range(args.processes)]

    def stop(signum, _frame):
        raise Stop(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    reason = "time is up"
    try:
        for worker in workers:
            worker.start()
        print(f"cpu_load: {args.processes} busy processes (pid {os.getpid()})"
              + (f" for {args.seconds:g} s" if deadline is not None else "")
              + (f" while pid {args.while_pid} lives" if args.while_pid is not None else ""),
              file=sys.stderr, flush=True)
        while deadline is None or time.monotonic() < deadline:
            if args.while_pid is not None and not alive(args.while_pid):
                reason = f"pid {args.while_pid} is gone"
                break
            time.sleep(1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic())))
    except Stop as signal_name:
        reason = str(signal_name)
    finally:
        # No more signals while the workers are stopped: a second Ctrl-C must not leave them behind.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for worker in workers:
            if worker.pid is not None and worker.is_alive():
                worker.terminate()
        for worker in workers:
            if worker.pid is not None:
                worker.join(5)
                if worker.is_alive():
                    worker.kill()
                    worker.join()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = used.ru_utime + used.ru_stime
    wall = time.monotonic() - started
    print(f"cpu_load: stopped ({reason}) after {wall:.1f} s; the busy processes used {cpu:.1f} CPU-seconds"
          f" ({args.processes} x {wall:.1f} s at most)", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
