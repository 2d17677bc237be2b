from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.crypto import KdfParams
from cse_desktop.records import Actor, Record, RecordType, Role, new_id
from cse_desktop.store import Store

PASSPHRASE = "a long enough passphrase"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def store(data_dir: Path) -> Iterator[Store]:
    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.fast_for_tests())
    yield store
    store.lock()


@pytest.fixture
def actor(store: Store) -> Actor:
    return Actor("user-1", "Priya Test-Worker", Role.OUTREACH_WORKER, store.device_id)


@pytest.fixture
def make_record():  # type: ignore[no-untyped-def]
    return build_record


def build_record(record_type: RecordType, data: dict[str, Any], *, child_id: str | None = None,
                actor: Actor) -> Record:
    now = SYSTEM_CLOCK.now()
    return Record(
        id=new_id(), record_type=record_type, form_id=record_type.value, form_version=1,
        data=data, author=actor.name, device_id=actor.device_id, created_at=now,
        updated_at=now, child_id=child_id,
    )
