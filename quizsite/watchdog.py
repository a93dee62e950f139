"""Time limits for a worker whose pool cannot enforce them (Celery's solo pool, the GPU demos worker).

Celery enforces `soft_time_limit` and `time_limit` only in a prefork child it can signal and kill. In the solo pool
the task runs in the worker's main thread, so a thread of ours watches it instead:
- at the soft limit it raises `SoftTimeLimitExceeded` inside the task's thread (CPython's async exception: it lands
  at the next Python bytecode, so between two torch calls; a demo's progress callback also checks the limit);
- at the hard limit (the task ignored the soft one, or sits in one native call) it ends the whole process, as
  Celery's prefork pool would end its child: `task_reject_on_worker_lost` requeues nothing for a run (the row is
  claimed, so a re-delivery is failed by the reaper), and the supervisor (compose's restart policy, bin/serve's
  loop) starts the worker again.
"""

import ctypes
import logging
import os
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

HARD_EXIT_CODE = 75  # EX_TEMPFAIL: the supervisor starts the worker again


class Watchdog:
    """One per process. `start(soft, hard)` before a task, `stop()` after it; a daemon thread does the waiting."""

    def __init__(self, *, on_hard: Callable[[], None] | None = None, exit: Callable[[int], None] = os._exit):
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._deadline: tuple[float, float, int] | None = None  # soft at, hard at, thread id
        self._soft_fired = False
        self._on_hard, self._exit = on_hard, exit
        self._on_hard_now = on_hard
        self._thread: threading.Thread | None = None

    def start(self, *, soft: float | None, hard: float | None, thread_id: int | None = None,
              on_hard: Callable[[], None] | None = None) -> None:  # fmt: skip
        """Watch the calling thread (or `thread_id`); `on_hard` runs before the process ends (record the failure:
        the message is re-delivered after a restart, and must then find its job finished)."""
        now = time.monotonic()
        soft_at = now + soft if soft else float("inf")
        hard_at = now + hard if hard else float("inf")
        with self._lock:
            self._deadline = (soft_at, hard_at, thread_id or threading.get_ident())
            self._soft_fired = False
            self._on_hard_now = on_hard or self._on_hard
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._watch, name="time-limit-watchdog", daemon=True)
                self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        with self._lock:
            self._deadline = None
        self._wake.set()

    def _watch(self) -> None:
        while True:
            with self._lock:
                deadline, fired = self._deadline, self._soft_fired
            if deadline is None:
                self._wake.wait()
                self._wake.clear()
                continue
            soft_at, hard_at, thread_id = deadline
            now = time.monotonic()
            if now >= hard_at:
                log.error("task past its hard time limit: ending the worker process")
                handler = self._on_hard_now
                if handler:
                    try:
                        handler()
                    except Exception:
                        log.exception("hard time limit handler failed")
                with self._lock:
                    self._deadline = None
                self._exit(HARD_EXIT_CODE)
                continue
            if now >= soft_at and not fired:
                from celery.exceptions import SoftTimeLimitExceeded

                log.warning("task past its soft time limit: interrupting it")
                raise_in_thread(thread_id, SoftTimeLimitExceeded)
                with self._lock:
                    self._soft_fired = True
            next_at = hard_at if (fired or now >= soft_at) else soft_at
            self._wake.wait(timeout=max(0.01, min(next_at - now, 0.5)))
            self._wake.clear()


def raise_in_thread(thread_id: int, exception: type[BaseException]) -> bool:
    """Raise `exception` in another thread at its next bytecode (CPython)."""
    done = ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exception))
    return done == 1


watchdog = Watchdog()
