"""Run a service call off the UI thread and get its answer back on the UI thread.

    runner = TaskRunner(parent)
    runner.run(caseload.rows, filters, on_result=model.set_rows, key="caseload")

The call runs on Qt's thread pool; ``on_result`` / ``on_error`` are called on the UI thread.
Giving a ``key`` means "only the latest matters": the answer of an older call with the same
key is dropped (a search typed quickly only shows the last one).  ``cancel_all()`` drops every
answer still to come (used when the app locks and the data must not reappear).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

ResultHandler = Callable[[Any], None]
ErrorHandler = Callable[[BaseException], None]


class _Signals(QObject):
    result = Signal(object)
    error = Signal(object)
    finished = Signal()


class _Relay(QObject):
    """Lives on the UI thread; Qt queues the worker's signals to its slots there."""

    def __init__(self, on_result: ResultHandler, on_error: ErrorHandler,
                 on_finished: Callable[[], None]) -> None:
        super().__init__()
        self._on_result, self._on_error, self._on_finished = on_result, on_error, on_finished

    @Slot(object)
    def result(self, value: Any) -> None:
        self._on_result(value)

    @Slot(object)
    def error(self, exc: BaseException) -> None:
        self._on_error(exc)

    @Slot()
    def finished(self) -> None:
        self._on_finished()


class Task(QRunnable):
    """One call on the pool.  Its signals live on the UI thread, so handlers run there."""

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...],
                 kwargs: dict[str, Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = _Signals()
        self.relay: _Relay | None = None
        self._fn, self._args, self._kwargs = fn, args, kwargs

    def run(self) -> None:
        try:
            value = self._fn(*self._args, **self._kwargs)
        except Exception as exc:  # handed to the UI thread, never lost
            self.signals.error.emit(exc)
        else:
            self.signals.result.emit(value)
        finally:
            self.signals.finished.emit()


class TaskRunner(QObject):
    """Starts tasks and delivers only the answers that are still wanted."""

    def __init__(self, parent: QObject | None = None,
                 pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._running: set[Task] = set()
        self._generation = 0
        self._latest: dict[str, Task] = {}
        self.default_error: ErrorHandler | None = None

    @property
    def busy(self) -> bool:
        return bool(self._running)

    def run(self, fn: Callable[..., Any], *args: Any,
            on_result: ResultHandler | None = None,
            on_error: ErrorHandler | None = None,
            key: str | None = None, **kwargs: Any) -> Task:
        task = Task(fn, args, kwargs)
        generation = self._generation
        if key is not None:
            self._latest[key] = task

        def wanted() -> bool:
            current = generation == self._generation
            return current and (key is None or self._latest.get(key) is task)

        def deliver(value: Any) -> None:
            if wanted() and on_result is not None:
                on_result(value)

        def fail(exc: BaseException) -> None:
            if not wanted():
                return
            handler = on_error or self.default_error
            if handler is None:
                raise exc
            handler(exc)

        def done() -> None:
            self._running.discard(task)
            if key is not None and self._latest.get(key) is task:
                del self._latest[key]

        relay = _Relay(deliver, fail, done)
        task.relay = relay  # kept alive as long as the task
        task.signals.result.connect(relay.result)
        task.signals.error.connect(relay.error)
        task.signals.finished.connect(relay.finished)
        self._running.add(task)
        self._pool.start(task)
        return task

    def cancel_all(self) -> None:
        """Drop every answer still to come."""
        self._generation += 1
        self._latest.clear()

    def wait(self, timeout_ms: int = 10_000) -> bool:
        """Block until the pool is idle (tests and shutdown only); answers arrive afterwards."""
        return self._pool.waitForDone(timeout_ms)
