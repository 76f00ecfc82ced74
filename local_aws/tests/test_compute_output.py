"""compute.output: a compute's pipe read line by line into its log, and drained on demand.

No server and no waiting on time: the writer is this test, on an os.pipe, so what is in the pipe when `drain()`
is called is known exactly; the reader thread's end is awaited with join (the writer has closed the pipe).
"""

from __future__ import annotations

import os

import pytest

from local_aws.compute.output import OutputPump

JOIN = 30.0  # seconds a reader thread may take to see the end of a closed pipe on a loaded machine


@pytest.fixture
def pipe():
    """(reader file object, writer fd); the writer is closed at the end if the test did not close it."""
    read_fd, write_fd = os.pipe()
    reader = os.fdopen(read_fd, "rb", buffering=0)
    ends = {"write": write_fd}
    yield reader, ends
    if ends["write"] is not None:
        os.close(ends["write"])
    if not reader.closed:
        reader.close()


def close(ends) -> None:
    os.close(ends["write"])
    ends["write"] = None


def test_drain_handles_every_complete_line_written_so_far_and_keeps_a_partial_one(pipe):
    reader, ends = pipe
    lines = []
    pump = OutputPump(reader, lines.append)  # not started: only drain() reads
    os.write(ends["write"], b"said one\nsaid two\r\nsaid thr")
    pump.drain()
    assert lines == ["said one", "said two\r"]
    pump.drain()  # nothing new: nothing handled twice
    assert lines == ["said one", "said two\r"]
    os.write(ends["write"], b"ee\n\xff\n")
    pump.drain()
    assert lines == ["said one", "said two\r", "said three", "\ufffd"]


def test_the_reader_thread_handles_the_rest_and_a_last_line_without_newline_at_the_end(pipe):
    reader, ends = pipe
    lines = []
    pump = OutputPump(reader, lines.append)
    os.write(ends["write"], b"first\nlast without newline")
    pump.start()
    close(ends)
    assert pump.join(JOIN)
    assert lines == ["first", "last without newline"]
    assert reader.closed
    pump.drain()  # after the end: nothing to read, no error
    assert lines == ["first", "last without newline"]


def test_drains_beside_the_reader_thread_lose_nothing_and_keep_the_order(pipe):
    reader, ends = pipe
    lines = []
    pump = OutputPump(reader, lines.append).start()
    expected = [f"line {n}" for n in range(2000)]
    for n in range(0, len(expected), 10):
        os.write(ends["write"], "".join(f"{line}\n" for line in expected[n:n + 10]).encode())
        pump.drain()
        # Every line written before the drain has been handled when it returns, whoever read it.
        assert lines == expected[:n + 10]
    close(ends)
    assert pump.join(JOIN)
    assert lines == expected


def test_a_failing_write_does_not_stop_the_reading(pipe):
    reader, ends = pipe
    lines = []

    def write(line: str) -> None:
        if line == "boom":
            raise RuntimeError("the log backend went away")
        lines.append(line)

    pump = OutputPump(reader, write).start()
    os.write(ends["write"], b"before\nboom\nafter\n")
    pump.drain()
    assert lines == ["before", "after"]
    close(ends)
    assert pump.join(JOIN)
    assert lines == ["before", "after"]
