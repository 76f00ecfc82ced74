# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the unit tests of the plugins share."""

import pytest


class FakeClock:
    """A clock that only moves when the code under test sleeps: call it (or .monotonic) for the time,
    .sleep to pass time; .pauses lists every sleep."""

    def __init__(self):
        self.now = 0.0
        self.pauses = []

    def __call__(self):
        return self.now

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def backoff_clock(monkeypatch, fake_clock):
    """time.monotonic and time.sleep of module_utils/retry.py (Backoff: every wait and pause), pretending:
    sleeping moves the clock on, and nothing really waits."""
    from ansible_collections.amplify_hosting.ssr.plugins.module_utils import retry

    monkeypatch.setattr(retry.time, "monotonic", fake_clock.monotonic)
    monkeypatch.setattr(retry.time, "sleep", fake_clock.sleep)
    return fake_clock
