"""Store benchmark: encrypted store versus the same store on plain SQLite, in one run.

Workloads (same code, same schema, same durability settings, only the driver differs):
- saves: records saved one transaction each (what a practitioner's autosave does)
- bulk: records saved in one transaction (imports, first sync)
- reads: every record of 200 children loaded by child, and random gets by id
- search: median full-text query time over 100,000 case notes
- unlock: the passphrase key derivation with the default parameters
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.crypto import KdfParams
from cse_desktop.crypto.keyfile import derive_passphrase_key
from cse_desktop.forms import default_library
from cse_desktop.records import Actor, Record, RecordType, Role, new_id
from cse_desktop.services.indexing import make_indexer
from cse_desktop.store import Store

_WORD_TEXT = (
    "met outreach station bus park café shop older male car phone money gifts school "
    "missing returned police worried friends party vape cannabis county lines snapchat "
    "instagram trainers hoodie mum dad carer foster home residential social worker"
)
WORDS = tuple(_WORD_TEXT.split(" "))


def _note(rng: random.Random, child_id: str, actor: Actor, words: int = 60) -> Record:
    now = SYSTEM_CLOCK.now()
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    data = {"child_id": child_id, "occurred_at": now.isoformat(), "contact_type": "outreach",
            "summary": text}
    return Record(new_id(), RecordType.CASE_NOTE, "case_note", 1, data, actor.name,
                  actor.device_id, now, now, child_id=child_id)


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _workload(store: Store, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    actor = Actor("bench", "Bench Worker", Role.OUTREACH_WORKER, store.device_id)
    children = [new_id() for _ in range(200)]
    single = [_note(rng, rng.choice(children), actor) for _ in range(300)]
    bulk = [_note(rng, rng.choice(children), actor) for _ in range(5000)]
    results = {}
    results["saves (300, one transaction each)"] = _timed(
        lambda: [store.add(r, actor) for r in single])
    results["bulk save (5,000, one transaction)"] = _timed(lambda: store.add_many(bulk, actor))
    results["read all by child (200 children)"] = _timed(
        lambda: [store.records(child_id=c) for c in children])
    ids = [r.id for r in bulk]
    results["get by id (2,000)"] = _timed(lambda: [store.get(rng.choice(ids)) for _ in range(2000)])
    return results


def _search_median(store: Store, notes: int) -> tuple[float, float]:
    rng = random.Random(7)
    actor = Actor("bench", "Bench Worker", Role.OUTREACH_WORKER, store.device_id)
    children = [new_id() for _ in range(2000)]
    batch = 10_000
    load_started = time.perf_counter()
    for _ in range(notes // batch):
        store.add_many([_note(rng, rng.choice(children), actor, 40) for _ in range(batch)], actor)
    load = time.perf_counter() - load_started
    queries = ["older male car", "snapchat", "county lines", "café", "foster home worried",
               "trainers", "police returned", "mum", "vape party", "gifts money"]
    timings = []
    for _ in range(3):
        for query in queries:
            started = time.perf_counter()
            store.search(query, limit=50)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), load


def main() -> None:
    indexer = make_indexer(default_library())
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        encrypted = Store.create(base / "enc", "bench passphrase 123",
                                 kdf=KdfParams.fast_for_tests(), indexer=indexer)
        plain = Store.open_plain_for_benchmark(base / "plain", indexer=indexer)
        # Interleave so that disk and CPU noise hits both alike.
        enc_results = _workload(encrypted, 1)
        plain_results = _workload(plain, 1)
        for name, enc_time in enc_results.items():
            plain_time = plain_results[name]
            rows.append((name, f"{plain_time * 1000:.0f} ms", f"{enc_time * 1000:.0f} ms",
                         f"{enc_time / plain_time:.2f}x"))
        total_enc, total_plain = sum(enc_results.values()), sum(plain_results.values())
        rows.append(("all of the above", f"{total_plain * 1000:.0f} ms",
                     f"{total_enc * 1000:.0f} ms",
                     f"{total_enc / total_plain:.2f}x (goal <= 1.3x)"))
        encrypted.lock()
        plain.lock()

        search_store = Store.create(base / "search", "bench passphrase 123",
                                    kdf=KdfParams.fast_for_tests(), indexer=indexer)
        median, load = _search_median(search_store, 100_000)
        search_store.lock()

    print(f"{'workload':40} {'plain SQLite':>14} {'SQLCipher':>14}  ratio")
    for name, plain_text, enc_text, ratio in rows:
        print(f"{name:40} {plain_text:>14} {enc_text:>14}  {ratio}")
    print(f"\nFTS search over 100,000 notes: median {median * 1000:.1f} ms per query "
          f"(goal < 50 ms); loading them took {load:.1f} s")
    kdf_times = []
    for _ in range(3):
        started = time.perf_counter()
        derive_passphrase_key("bench passphrase 123", b"0" * 16, KdfParams())
        kdf_times.append(time.perf_counter() - started)
    params = KdfParams()
    print(f"Unlock key derivation (scrypt n=2^{params.n.bit_length() - 1}, r={params.r}, "
          f"p={params.p}, {params.n * params.r * 128 // 2**20} MiB): "
          f"median {statistics.median(kdf_times):.2f} s (target 0.3-1 s)")


if __name__ == "__main__":
    main()
