"""quizsite/watchdog.py: the time limits Celery's solo pool does not enforce, enforced from a thread."""

import threading
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from quizsite.watchdog import HARD_EXIT_CODE, Watchdog


def busy(seconds: float) -> None:
    """Python work that never returns early (a demo step loop)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        sum(range(1000))


def test_the_soft_limit_interrupts_the_task_thread_at_once():
    watchdog = Watchdog(exit=lambda code: pytest.fail("hard limit reached"))
    started = time.monotonic()
    watchdog.start(soft=0.3, hard=5)
    with pytest.raises(SoftTimeLimitExceeded):
        busy(5)
    watchdog.stop()
    assert 0.3 <= time.monotonic() - started < 0.9


def test_a_task_that_finishes_in_time_is_left_alone_and_the_next_one_gets_its_own_limits():
    watchdog = Watchdog(exit=lambda code: pytest.fail("hard limit reached"))
    for _ in range(3):
        watchdog.start(soft=0.4, hard=0.8)
        busy(0.1)
        watchdog.stop()
    time.sleep(1.0)  # past both limits of the last task: nothing fires once it stopped


def test_the_hard_limit_ends_the_process_when_the_soft_one_is_ignored():
    exited, handled = threading.Event(), []
    codes = []

    def exit(code):
        codes.append(code)
        exited.set()

    watchdog = Watchdog(exit=exit, on_hard=lambda: handled.append(True))
    started = time.monotonic()
    watchdog.start(soft=0.2, hard=0.6)
    try:
        busy(3)
    except SoftTimeLimitExceeded:  # a task that swallows it and carries on
        exited.wait(3)
    watchdog.stop()
    assert codes == [HARD_EXIT_CODE] and handled == [True]
    assert 0.6 <= time.monotonic() - started < 1.5
