"""Removing the store for good (after the service withdraws the device), resumably.

A kill or power cut half way through used to leave a stuck folder: the key file gone or
overwritten and the database still there, so unlock said "damaged" and first run refused.  Now
a small marker file is written (and flushed) before anything is destroyed; while it is there,
the next start finishes the job and says so.  The marker holds no personal data: only why the
records were removed and where the rescue bundle (written before the wipe) is.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..crypto.keyfile import KeyFile
from .store import DB_NAME, KEY_NAME

MARKER_NAME = "records.wiping"
_DB_SUFFIXES = ("", "-wal", "-shm", "-journal")


@dataclass(frozen=True)
class FinishedWipe:
    """A wipe that a restart finished."""

    reason: str
    rescue_path: str | None

    @property
    def message(self) -> str:
        text = ("The central service withdrew this computer, and the app was stopped while it "
                "was removing the records. Removing them is now finished.")
        if self.reason:
            text += f" The service said: {self.reason}"
        if self.rescue_path:
            text += (f" Work that had not been sent was saved first in {self.rescue_path}. "
                     "Give this file to your administrator.")
        return text


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def wipe_files(data_dir: Path, *, reason: str = "", rescue_path: Path | None = None) -> None:
    """Destroy the key file and remove the database files; safe to run again after a kill."""
    data_dir = Path(data_dir)
    marker = data_dir / MARKER_NAME
    if not marker.exists():
        tmp = marker.with_name(MARKER_NAME + ".new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"reason": reason,
                       "rescue_path": str(rescue_path) if rescue_path else None}, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, marker)
        _fsync_dir(data_dir)
    _finish(data_dir)


def _finish(data_dir: Path) -> None:
    KeyFile(data_dir / KEY_NAME).wipe()
    for suffix in _DB_SUFFIXES:
        (data_dir / (DB_NAME + suffix)).unlink(missing_ok=True)
    (data_dir / (KEY_NAME + ".new")).unlink(missing_ok=True)
    _fsync_dir(data_dir)
    (data_dir / MARKER_NAME).unlink(missing_ok=True)
    _fsync_dir(data_dir)


def wipe_interrupted(data_dir: Path) -> bool:
    return (Path(data_dir) / MARKER_NAME).exists()


def finish_interrupted_wipe(data_dir: Path) -> FinishedWipe | None:
    """If a wipe was cut short, finish it now and say what happened; otherwise None."""
    marker = Path(data_dir) / MARKER_NAME
    if not marker.exists():
        return None
    try:
        note = json.loads(marker.read_text("utf-8"))
        if not isinstance(note, dict):
            raise ValueError
    except (OSError, ValueError):
        note = {}
    _finish(Path(data_dir))
    rescue = note.get("rescue_path")
    return FinishedWipe(str(note.get("reason") or ""), str(rescue) if rescue else None)
