"""A compute's stdout or stderr, read line by line into its log stream (compute.logs).

Each pipe has a reader thread, so output is handled while the server runs, whoever asked for it. A line may also
be decided by the request that made it: once the server has answered a request through the branch URL, the
endpoint calls `drain()` before it passes the answer on, and every line the server wrote before answering is
handled then: written, or dropped under compute_logs "service_role", by the app's service role as it was while
the request was served. So a client that changes the app after the answer (UpdateApp of iamServiceRoleArn)
never changes what became of that request's output; without the drain, that would depend on when the reader
thread happened to run.

Reads are non-blocking and happen under one lock, the reader thread's and the drain's alike: a chunk read is
handled in full before anyone reads the next one, and lines keep their order.
"""

from __future__ import annotations

import fcntl
import os
import select
import termios
import threading
from collections.abc import Callable

CHUNK = 65536


class OutputPump:
    """Reads one pipe of a compute into `write` (one call per line, without its newline, decoded as UTF-8)."""

    def __init__(self, pipe, write: Callable[[str], None], name: str = "local-compute-output"):
        self._pipe = pipe
        self._fd = pipe.fileno()
        os.set_blocking(self._fd, False)  # the read end is this process's alone; the server's end is unchanged
        self._write = write
        self._lock = threading.Lock()
        self._partial = b""
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> OutputPump:
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the process has closed its end and every line is handled; False when `timeout` ran out."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def drain(self) -> None:
        """Handle now every byte the process has written so far (what is in the pipe when this is called)."""
        with self._lock:
            if self._closed:
                return
            try:
                waiting = int.from_bytes(fcntl.ioctl(self._fd, termios.FIONREAD, b"\0\0\0\0"), "little")
            except OSError:
                return
            while waiting > 0:
                try:
                    chunk = os.read(self._fd, min(waiting, CHUNK))
                except (BlockingIOError, OSError):
                    return
                if not chunk:  # end of file: the reader thread closes the pipe
                    return
                waiting -= len(chunk)
                self._handle(chunk)

    def _run(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while True:
            poller.poll()
            with self._lock:
                try:
                    chunk = os.read(self._fd, CHUNK)
                except BlockingIOError:  # a drain took it first
                    continue
                except OSError:
                    chunk = b""
                if chunk:
                    self._handle(chunk)
                    continue
                # End of file: the last line may have no newline.
                if self._partial:
                    self._line(self._partial)
                    self._partial = b""
                self._closed = True
                self._pipe.close()
                return

    def _handle(self, chunk: bytes) -> None:
        *lines, self._partial = (self._partial + chunk).split(b"\n")
        for line in lines:
            self._line(line)

    def _line(self, line: bytes) -> None:
        try:
            self._write(line.decode("utf-8", "replace"))
        except Exception:  # noqa: BLE001 - a reset may remove the log backend under us; keep draining
            pass
