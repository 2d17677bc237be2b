"""No personal data reaches disk unencrypted: scan every byte under the data directory."""

from __future__ import annotations

from pathlib import Path

from cse_desktop.crypto import KdfParams
from cse_desktop.records import Actor, RecordType, Role
from cse_desktop.store import Store

NAME = "Zoë Nowak-Szczepańska"
NOTE = "Disclosed meeting an older man called Marek behind the chip shop on Fairfield Road"


def _needles() -> list[bytes]:
    needles = []
    for text in (NAME, NOTE, "Nowak-Szcz", "chip shop on Fairfield"):
        needles += [text.encode("utf-8"), text.encode("utf-16-le"), text.lower().encode()]
    return needles


def _scan(folder: Path) -> list[str]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            found += [f"{path.name}: {n!r}" for n in _needles() if n in raw]
    return found


def test_names_and_notes_never_reach_disk_in_clear(tmp_path: Path, make_record) -> None:
    data_dir = tmp_path / "data"
    store = Store.create(data_dir, "a long enough passphrase", kdf=KdfParams.fast_for_tests())
    actor = Actor("u", "Worker", Role.OUTREACH_WORKER, store.device_id)
    child = store.add(make_record(RecordType.CHILD, {"first_name": NAME}, actor=actor), actor)
    for i in range(30):  # enough to spill into the WAL and past the first pages
        note = store.add(make_record(RecordType.CASE_NOTE, {"summary": f"{NOTE} ({i})"},
                                     child_id=child.id, actor=actor), actor)
        store.update(note.id, {"summary": f"{NOTE} again ({i})"}, actor)
    assert store.search("Fairfield")
    # While open (WAL and shared memory present) and after closing, nothing is readable.
    files = sorted(p.name for p in data_dir.iterdir())
    assert any(name.endswith("-wal") for name in files), files
    assert _scan(data_dir) == []
    store.lock()
    assert _scan(data_dir) == []
    assert not list(tmp_path.glob("*.tmp")) and not list(data_dir.glob("*journal*"))
