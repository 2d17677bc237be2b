"""The screen-reader side of the AT-SPI test: run with the *system* Python 3 (pyatspi).

Usage (inside ``dbus-run-session`` under Xvfb):
    probe.py REPORT.json -- APP_PYTHON driver.py ARGS...

Registers AT-SPI event listeners exactly as a screen reader does, starts the driver (the
real app), and after every step the driver reports, records what the accessibility tree
shows and which events arrived; then tells the driver to go on.  Writes everything to
REPORT.json for the test to judge.  Nothing is asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pyatspi  # type: ignore[import-not-found]
from gi.repository import GLib  # type: ignore[import-not-found]

EVENTS = ["object:text-changed", "object:announcement", "object:state-changed:focused",
          "object:property-change:accessible-name",
          "object:property-change:accessible-description",
          "object:property-change:accessible-value", "object:text-caret-moved",
          "object:value-changed", "object:children-changed", "window:activate", "focus:"]

report: dict = {"events": [], "steps": [], "trees": {}}
step_name = "start"
step_index = -1


def _safe(call, default=""):
    try:
        return call()
    except Exception:
        return default


def on_event(event) -> None:
    source = event.source
    data = event.any_data
    if not isinstance(data, str | int | float) and data is not None:
        data = _safe(lambda: data.name, "")
    report["events"].append({
        "type": event.type, "data": data, "step": step_name, "step_index": step_index,
        "detail1": event.detail1,
        "name": _safe(lambda: source.name), "role": _safe(lambda: source.getRoleName()),
        "path": _safe(lambda: source.path),
    })


def tree_of(app) -> list[dict]:
    """Every check box, radio button, group, label, password field, date-time box and frame:
    role, name, description, relations, parent."""
    found: list[dict] = []
    wanted = {"check box", "radio button", "password text", "frame", "panel", "label",
              "filler", "spin button"}

    def walk(node, depth: int) -> None:
        if node is None or depth > 60:
            return
        role = _safe(lambda: node.getRoleName())
        if role in wanted:
            parent = _safe(lambda: node.parent)
            relation_set = _safe(lambda: node.getRelationSet(), [])
            labelled_by = [_safe(lambda r=r: r.getTarget(0).name) for r in relation_set
                           if _safe(lambda r=r: r.getRelationType()) ==
                           pyatspi.RELATION_LABELLED_BY]
            relations = [_safe(lambda r=r: r.getRelationType().value_nick, "?")
                         for r in relation_set]
            found.append({"role": role, "name": _safe(lambda: node.name),
                          "relations": relations,
                          "description": _safe(lambda: node.description),
                          "parent_role": _safe(lambda: parent.getRoleName()),
                          "parent_name": _safe(lambda: parent.name),
                          "labelled_by": labelled_by,
                          "showing": _safe(lambda: node.getState().contains(
                              pyatspi.STATE_SHOWING), False)})
        for index in range(_safe(lambda: node.childCount, 0)):
            walk(_safe(lambda i=index: node.getChildAtIndex(i), None), depth + 1)

    walk(app, 0)
    return found


def find_app(pid: int):
    desktop = pyatspi.Registry.getDesktop(0)
    for index in range(desktop.childCount):
        app = _safe(lambda i=index: desktop.getChildAtIndex(i), None)
        if app is not None and _safe(lambda a=app: a.get_process_id(), -1) == pid:
            return app
    return None


def main() -> int:
    global step_name
    out_path = sys.argv[1]
    command = sys.argv[sys.argv.index("--") + 1:]
    for kind in EVENTS:
        pyatspi.Registry.registerEventListener(on_event, kind)
    driver = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True, bufsize=1)
    started = time.monotonic()

    def on_line(_source, _condition) -> bool:
        global step_name
        line = driver.stdout.readline()
        if not line:
            pyatspi.Registry.stop()
            return False
        if not line.startswith("STEP "):
            return True
        step = json.loads(line[5:])
        GLib.timeout_add(400, lambda: finish_step(step))
        return True

    def finish_step(step: dict) -> bool:
        global step_name, step_index
        app = find_app(driver.pid)
        if step["step"] in ("unlock-shown", "form-open") and app is not None:
            report["trees"][f"{step['step']}:{len(report['steps'])}"] = tree_of(app)
        report["steps"].append(step)
        step_name = step["step"]
        step_index = len(report["steps"]) - 1
        if step["step"] == "done":
            pyatspi.Registry.stop()
            return False
        try:
            driver.stdin.write("next\n")
            driver.stdin.flush()
        except BrokenPipeError:
            pyatspi.Registry.stop()
        return False

    def give_up() -> bool:
        report["timed_out"] = True
        pyatspi.Registry.stop()
        return False

    GLib.io_add_watch(driver.stdout, GLib.IO_IN | GLib.IO_HUP, on_line)
    GLib.timeout_add_seconds(240, give_up)
    pyatspi.Registry.start()
    report["seconds"] = round(time.monotonic() - started, 1)
    try:
        driver.stdin.close()
        driver.wait(timeout=20)
    except Exception:
        driver.kill()
    report["driver_exit"] = driver.returncode
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(report, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
