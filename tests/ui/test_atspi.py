"""What a real screen reader gets from the app, over AT-SPI (Linux).

The real app runs under Xvfb with a private D-Bus session (``dbus-run-session``) and the
AT-SPI registry; ``atspi/probe.py`` listens with pyatspi like Orca does, while
``atspi/driver.py`` types and presses Tab and arrows with real key events.  Checked here:
no character of the passphrase reaches any accessibility event; every tick box is named by
its option inside a group named by the question; every tick box and radio button of the
return home interview and the checklist is reached by Tab and arrow presses; the unlock
error and the save status are announced with their own words; no help text or question is
left as an "unrelated label" (read out with all the others on entering a section); date-time
boxes are named by their question and an empty one says "Not entered"; no toolbar has an
unnamed check box.

Needs the Debian packages ``at-spi2-core python3-pyatspi xvfb xauth`` (the test skips, saying
which is missing, when they are not installed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent / "atspi"
SYSTEM_PYTHON = "/usr/bin/python3"
PASSPHRASE = "qzx-QZX-9173-vjk"  # characters that no label of the app starts a word with
WRONG = "wyw-WYW-8264-bgf"


def _missing() -> str:
    for tool in ("xvfb-run", "dbus-run-session"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: xvfb xauth dbus)"
    if not Path("/usr/libexec/at-spi-bus-launcher").exists():
        return "the AT-SPI bus is not installed (Debian: at-spi2-core)"
    if not Path(SYSTEM_PYTHON).exists() or subprocess.run(
            [SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True).returncode:
        return "pyatspi is not installed for /usr/bin/python3 (Debian: python3-pyatspi)"
    return ""


# About 75 s (a real app, a private bus, a listener): `make test` runs it, `-m "not slow"` not.
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(bool(_missing()), reason=_missing() or "ok")]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from datetime import timedelta

    from cse_desktop.clock import SYSTEM_CLOCK
    from cse_desktop.crypto.keyfile import KdfParams
    from cse_desktop.records import Role
    from cse_desktop.services.casework import Casework
    from cse_desktop.services.session import first_run
    from cse_desktop.ui.forms.timefmt import utc_iso

    base = tmp_path_factory.mktemp("atspi")
    data_dir = base / "store"
    session = first_run(data_dir, PASSPHRASE, name="Priya Adeyemi",
                        role=Role.OUTREACH_WORKER, kdf=KdfParams.fast_for_tests())
    try:
        casework = Casework(session)
        child = casework.add_child({"first_name": "Tomasz", "last_name": "Ellery",
                                    "date_of_birth": "2010-03-02"})
        now = SYSTEM_CLOCK.now().replace(microsecond=0)
        episode = casework.record_episode(child.id, {
            "missing_or_absent": "missing",
            "went_missing_at": utc_iso(now - timedelta(hours=50)),
            "returned_at": utc_iso(now - timedelta(hours=30)),
            "reported_by": "police", "where_found": "Retail park"})
        rhi = casework.start_return_interview(episode.id)
        checklist = casework.start_draft("warning_signs", child.id)
    finally:
        session.lock()

    out = base / "report.json"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("DBUS_", "AT_SPI", "QT_QPA"))}
    env.update({"QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1", "QT_ACCESSIBILITY": "1",
                "NO_AT_BRIDGE": "0", "HOME": str(base), "XDG_RUNTIME_DIR": str(base / "run"),
                "XDG_CONFIG_HOME": str(base / "config"), "XDG_DATA_HOME": str(base / "data"),
                "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    (base / "run").mkdir(mode=0o700)
    command = ["xvfb-run", "-a", "-s", "-screen 0 1400x1000x24", "dbus-run-session", "--",
               SYSTEM_PYTHON, str(HERE / "probe.py"), str(out), "--", sys.executable,
               str(HERE / "driver.py"), str(data_dir), PASSPHRASE, WRONG, rhi.id,
               checklist.id]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert out.exists(), f"the probe wrote no report:\n{done.stdout[-3000:]}\n" \
                         f"{done.stderr[-3000:]}"
    if os.environ.get("CSE_ATSPI_REPORT"):  # keep it to look at: CSE_ATSPI_REPORT=path
        shutil.copy(out, os.environ["CSE_ATSPI_REPORT"])
        Path(os.environ["CSE_ATSPI_REPORT"] + ".log").write_text(done.stderr)
    result = json.loads(out.read_text(encoding="utf-8"))
    assert not result.get("timed_out"), f"the app got stuck: {result['steps']}\n" \
                                        f"{done.stderr[-3000:]}"
    assert [s["step"] for s in result["steps"]][-1] == "done", done.stderr[-3000:]
    return result


def _steps(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [s for s in report["steps"] if s["step"] == name]


def _texts(event: dict[str, Any]) -> list[str]:
    return [t for t in (event.get("data"), event.get("name")) if isinstance(t, str)]


def test_no_passphrase_character_reaches_any_event(report: dict[str, Any]) -> None:
    events = report["events"]
    assert events, "the listener heard nothing at all: the test is not working"
    # While each passphrase was typed (the steps before 'typed-wrong' and 'typed-right'
    # report), no event carries any of its characters...
    typing = [e for e in events if e["step"] in ("unlock-shown", "wrong-shown")]
    for event in typing:
        for text in _texts(event):
            leaked = set(text) & (set(PASSPHRASE + WRONG) - {"-"})
            assert not (event["type"].startswith("object:text-changed") and leaked), event
    # ...the field itself sends no text at all, and neither passphrase ever appears whole
    # (clearing the field after a wrong attempt used to send it in one event).
    assert not [e for e in events if e["role"] == "password text"
                and e["type"].startswith(("object:text-changed", "object:text-caret"))]
    for event in events:
        for text in _texts(event):
            for secret in (PASSPHRASE, WRONG):
                assert secret not in text and secret[:5] not in text, event
    # The field is there, named and with the password role.
    tree = next(v for k, v in report["trees"].items() if k.startswith("unlock-shown"))
    assert any(n["role"] == "password text" and n["name"] == "Passphrase" for n in tree)


def test_unlock_error_is_announced_with_its_words(report: dict[str, Any]) -> None:
    message = _steps(report, "wrong-shown")[0]["message"]
    assert "not right" in message
    said = [e["data"] for e in report["events"] if e["type"] == "object:announcement"]
    assert message in said, said


def test_save_status_is_announced(report: dict[str, Any]) -> None:
    status = _steps(report, "saved")[0]["status"]
    assert status.startswith("Saved"), status
    said = [e["data"] for e in report["events"] if e["type"] == "object:announcement"
            and e["step"] == "form-open"]  # between the tick and the report
    assert status in said, said


def test_tick_boxes_are_named_by_their_options_in_a_group_named_by_the_question(
        report: dict[str, Any]) -> None:
    forms = _steps(report, "form-open")[:2]
    trees = [v for k, v in report["trees"].items() if k.startswith("form-open")][:2]
    assert len(forms) == 2 and len(trees) == 2
    rhi_boxes = [b for b in forms[0]["buttons"] if b["kind"] == "QCheckBox"]
    assert len(rhi_boxes) >= 30  # the RHI's tick boxes (those shown without conditions)
    seen = Counter((n["name"], n["parent_name"]) for n in trees[0]
                   if n["role"] == "check box" and n["parent_role"] == "panel"
                   and n["parent_name"])  # the form's questions, not the main window's
    wanted = Counter((b["name"], b["question"]) for b in rhi_boxes)
    assert seen == wanted
    questions = {b["question"] for form in forms for b in form["buttons"]}
    answers = [n for n in trees[0] + trees[1] if n["role"] in ("check box", "radio button")
               and n["parent_name"] in questions]
    assert len(answers) >= len(forms[0]["buttons"]) + len(forms[1]["buttons"])
    for node in answers:  # every answer: in a group named by its question, its own name
        assert node["parent_role"] == "panel", node
        assert node["name"] and node["name"] != node["parent_name"], node
        assert not node["labelled_by"], node  # no label relation to override its name


def test_form_windows_are_frames(report: dict[str, Any]) -> None:
    for step, tree in zip(_steps(report, "form-open"), (v for k, v in report["trees"].items()
                                                         if k.startswith("form-open")),
                          strict=True):
        frames = [n for n in tree if n["role"] == "frame"]
        assert any(n["name"] == step["title"] for n in frames), (step["title"], frames)


def test_every_tick_box_and_radio_is_reached_by_tab_and_arrows(report: dict[str, Any]) -> None:
    steps = report["steps"]
    assert [s["step"] for s in steps].count("walked") == 2  # the RHI and the checklist
    for index, step in enumerate(steps):
        if step["step"] != "form-open" or steps[index + 1]["step"] != "walked":
            continue
        walk = steps[index + 1]
        assert walk["step"] == "walked" and walk["tab"] > 0
        assert not walk["stuck_on"], f"Tab does not leave {walk['stuck_on']}"
        reached = Counter(tuple(sorted(b.items())) for b in walk["reached"])
        wanted = Counter(tuple(sorted(b.items())) for b in step["buttons"])
        missing = wanted - reached
        assert not missing, f"not reached by the keyboard: {dict(missing)}"


def _form_trees(report: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return [v for k, v in report["trees"].items() if k.startswith("form-open")][:2]


def test_help_texts_and_questions_are_tied_to_their_controls(report: dict[str, Any]) -> None:
    from cse_desktop.services.session import default_library
    from cse_desktop.ui.forms.editor_base import label_text

    library = default_library()
    texts: set[str] = set()
    for form_id in ("return_interview", "warning_signs"):
        for section in library.get(form_id).sections:
            for field in section.fields:
                texts |= {field.help, label_text(field.label, True), field.label}
    texts.discard("")
    labels = [n for tree in _form_trees(report) for n in tree
              if n["role"] == "label" and n["showing"] and n["name"] in texts]
    assert len(labels) >= 40, len(labels)
    stray = [n["name"] for n in labels
             if not {"label-for", "description-for"} & set(n["relations"])]
    assert stray == [], stray


def test_date_time_boxes_say_their_question_and_not_entered(report: dict[str, Any]) -> None:
    from cse_desktop.services.session import default_library

    definition = default_library().get("return_interview")
    questions = {f.label for s in definition.sections for f in s.fields
                 if f.type == "datetime"}
    boxes = [n for n in _form_trees(report)[0] if n["role"] == "spin button"
             and n["name"] in questions]
    assert boxes, "no date-time box found by its question"
    assert any(n["description"].startswith("Not entered.") for n in boxes), boxes
    assert not [n for n in _form_trees(report)[0]
                if n["role"] == "push button" and n["name"] in questions]


def test_no_toolbar_check_box_is_unnamed(report: dict[str, Any]) -> None:
    in_toolbars = [n for tree in report["trees"].values() for n in tree
                   if n["role"] == "check box" and n["parent_role"] == "tool bar"]
    assert in_toolbars, "the toolbars' overflow buttons were not found"
    assert all(n["name"].strip() for n in in_toolbars), in_toolbars

