"""Fuzzing push and pull with hostile input of our own (not only schemathesis's valid JSON):
arbitrary Unicode including lone surrogates, NUL and other control characters (sent as raw
JSON text), huge numbers, NaN, deep nesting, oversized strings and broken JSON, in every part
of a push.  Against a real server process on SQLite and PostgreSQL:

- the service never answers 5xx, and every refusal is a JSON body with a code and a message;
- a good record pushed right after each attack is accepted and arrives at the team lead's
  device through the pull feed (the feed is never blocked).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cse_desktop.records import RecordType, new_id
from tests.server.harness import backends
from tests.server.hostile import (
    change,
    get,
    post_raw,
    pull_all,
    raw_json,
    team_world,
    token_of,
    wire,
)

# Hostile pushes per database, each followed by a good push and a pull.
EXAMPLES = int(os.environ.get("CSE_FUZZ_EXAMPLES", "120"))

hostile_char = st.characters(categories=["Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn"])
hostile_text = st.one_of(
    st.text(max_size=40),  # any valid Unicode text
    st.text(hostile_char, min_size=1, max_size=8),  # surrogates, controls, format characters
    st.builds(lambda a, b, c: a + b + c, st.text(max_size=10), hostile_char,
              st.text(max_size=10)),
    st.sampled_from(["\ud800", "\udfff", "\x00", "a\x00b", "\ufeff", "\u202e", "\x1b[2J",
                     "\r\n", "\ud83d", "\ud83d\ude00"]),
)
big_number = st.one_of(
    st.integers(min_value=10**15, max_value=10**300),
    st.integers(min_value=-(10**300), max_value=-(10**15)),
    st.floats(allow_nan=True, allow_infinity=True),
)
leaf = st.one_of(st.none(), st.booleans(), st.integers(), big_number, hostile_text)
hostile_json = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(hostile_text, inner,
                                                                 max_size=4),
    max_leaves=12)

# Whole bodies no JSON encoder would write.
RAW_BODIES = [
    b"[" * 100_000 + b"]" * 100_000,  # deep nesting
    b'{"changes": [' + b"[" * 5000 + b"]" * 5000 + b"]}",
    b'{"changes": []' + b"1" * 5000 + b"}",
    b'{"changes": [{"change_id": 1' + b"0" * 5000 + b"}]}",  # a 5,000-digit number
    b"\xff\xfe\x00\x00",  # not UTF-8
    b'{"changes": [{"change_id": "\xed\xa0\x80"}]}',  # a surrogate encoded as UTF-8 bytes
    b'{"changes": NaN}',
    b"",
    b"null",
    b'"' + b"x" * 3_000_000 + b'"',  # an oversized string
]

PLACES = ["data_value", "data_key", "list_item", "author", "device_id", "form_id", "id",
          "created_at", "signature", "record", "change_id", "base_revision", "body",
          "sensitive", "oversized"]


@pytest.fixture(scope="module", params=backends())
def arena(request: pytest.FixtureRequest,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    with team_world(tmp_path_factory.mktemp("hostile"), str(request.param), "Fuzz",
                    "fworker", "flead", "Test Child Romeo") as world:
        state = {**world, "good": [], "attacks": 0, "refused": 0}
        yield state
        # Every good record pushed after an attack is in the lead's feed, from the start.
        pulled = {r["id"] for r in pull_all(state["svc"], token_of(state["lead"]))}
        assert set(state["good"]) <= pulled
        print(f"\n[{request.param}] {state['attacks']} hostile requests, "
              f"{state['refused']} refused, 0 server errors; {len(state['good'])} good "
              "records pushed after them all arrived")


def _hostile_body(arena: dict[str, Any], place: str, value: Any) -> bytes:
    worker = arena["worker"]
    record = wire(worker, RecordType.CASE_NOTE, {"summary": "Fine words."}, arena["child"])
    one = change(record)
    if place == "data_value":
        record["data"] = {"summary": value}
    elif place == "data_key":
        record["data"] = {str(value) if not isinstance(value, str) else value: "x"}
    elif place == "list_item":
        record["data"] = {"actions": [{"what": value, "owner": "Sam"}]}
    elif place == "sensitive":
        record["data"] = {"summary": "x", "sensitive": value}
    elif place == "signature":
        record["state"] = "signed"
        record["signature"] = {"signed_by": value, "signer_role": "x",
                               "signed_at": record["created_at"], "image_png": None}
    elif place == "record":
        one["record"] = value
    elif place in ("change_id", "base_revision"):
        one[place] = value
    elif place == "body":
        return raw_json(value)
    elif place == "oversized":
        record["data"] = {"summary": "A" * 2_200_000 + (value if isinstance(value, str)
                                                         else "")}
    else:
        record[place] = value
    return raw_json({"changes": [one]})


def _attack(arena: dict[str, Any], body: bytes) -> None:
    svc = arena["svc"]
    token = token_of(arena["worker"])
    response = post_raw(svc, token, "/sync/push", body)
    arena["attacks"] += 1
    assert response.status_code < 500, (response.status_code, response.text[:500])
    answer = response.json()
    if response.status_code >= 400:
        assert answer.get("code") and isinstance(answer.get("detail"), str), answer
        arena["refused"] += 1
    else:
        statuses = {r["status"] for r in answer["results"]}
        arena["refused"] += statuses != {"accepted"}
    # The feed still serves everyone, and a good record pushed now goes through and arrives.
    good = wire(arena["worker"], RecordType.CASE_NOTE, {"summary": "Still here."},
                arena["child"])
    accepted = post_raw(svc, token, "/sync/push", raw_json({"changes": [change(good)]}))
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["results"][0]["status"] == "accepted", accepted.text
    arena["good"].append(good["id"])
    page = get(svc, token_of(arena["lead"]), "/sync/pull",
               cursor=arena.setdefault("cursor", 0), limit=2000)
    assert page.status_code == 200, page.text[:500]
    arena["cursor"] = page.json()["cursor"]
    assert good["id"] in {r["id"] for r in page.json()["records"]}


@pytest.mark.slow
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(place=st.sampled_from(PLACES), value=hostile_json)
# The attacks of the security review, always tried first.
@example(place="data_value", value="\ud800")
@example(place="data_key", value="\udc00")
@example(place="data_value", value={"nested": ["\ud83d"]})
@example(place="list_item", value="call\x00me")
@example(place="data_value", value=10**400)
@example(place="data_value", value=float("nan"))
@example(place="data_value", value=json.loads("[" * 60 + "]" * 60))
@example(place="oversized", value="")
def test_hostile_push_never_breaks_the_service(arena: dict[str, Any], place: str,
                                               value: Any) -> None:
    _attack(arena, _hostile_body(arena, place, value))


@pytest.mark.parametrize("body", RAW_BODIES, ids=range(len(RAW_BODIES)))
def test_broken_json_bodies(arena: dict[str, Any], body: bytes) -> None:
    _attack(arena, body)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
@given(cursor=hostile_json, limit=hostile_json, record_id=hostile_text)
def test_hostile_pull_and_read(arena: dict[str, Any], cursor: Any, limit: Any,
                               record_id: str) -> None:
    svc = arena["svc"]
    token = token_of(arena["lead"])
    for params in ({"cursor": json.dumps(cursor), "limit": json.dumps(limit)},
                   {"cursor": str(cursor)[:200]}):
        response = get(svc, token, "/sync/pull", **{k: v.encode("utf-8", "surrogatepass")
                                                    .decode("utf-8", "replace")
                                                    for k, v in params.items()})
        assert response.status_code < 500, response.text[:500]
    safe = record_id.encode("utf-8", "surrogatepass").decode("utf-8", "replace") or new_id()
    response = get(svc, token, "/records/" + quote(safe, safe=""))
    assert response.status_code < 500, response.text[:500]
    arena["attacks"] += 3
