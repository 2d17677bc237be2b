"""Help texts for screen readers: each is tied to its own question's control.

A label that labels or describes nothing is an "unrelated label"; when focus enters a
section a screen reader (Orca) reads every one of those in it, run together: all the
section's help texts as one sentence.  Each help text now says which control it describes,
and that control carries its own help (and only its own) as its description.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QLabel, QWidget

from cse_desktop.records import Record

RELATION = QAccessible.RelationFlag


def _iface(widget: QWidget) -> Any:
    return QAccessible.queryAccessibleInterface(widget)


def _unrelated_labels(root: QWidget) -> list[str]:
    """What a screen reader would read on entering ``root``: showing labels of three words
    or more with no relation at all (Orca's rule)."""
    said = []
    for label in root.findChildren(QLabel):
        iface = _iface(label)
        if iface is None or not label.isVisibleTo(root) or not label.text().strip():
            continue
        if iface.role() not in (QAccessible.Role.StaticText, QAccessible.Role.Graphic):
            continue
        if iface.relations() or len(label.text().split()) < 3:
            continue
        said.append(label.text())
    return said


def test_each_help_text_describes_its_own_question(qtbot: Any, make_view: Any,
                                                   rhi: Record) -> None:
    view = make_view(rhi)
    section = view.definition.sections[1]  # "timing": an introduction and six help texts
    fields = [f for f in section.fields if f.help]
    assert section.description and len(fields) >= 2
    helps = {f.help for f in fields}
    for field in fields:
        editor = view.editors[field.id]
        iface = _iface(editor.help)
        assert iface.role() == QAccessible.Role.StaticText
        assert iface.text(QAccessible.Text.Name) == field.help
        # Qt names the other side: the control is described by this label (AT-SPI
        # "description for").
        targets = [(r[0].object(), r[1]) for r in iface.relations()]
        assert targets == [(editor.focus_target(), RELATION.Described)]
        # The control says its own help, and no other question's.
        described = _iface(editor.focus_target()).text(QAccessible.Text.Description)
        assert field.help in described
        assert not [h for h in helps - {field.help} if h in described], described
    # Entering the section: its introduction is the group's description, and no help text
    # is left over as an unrelated label to be read out with the others.
    box = view.section_boxes[section.id]
    assert _iface(box).text(QAccessible.Text.Description) == section.description
    leftover = _unrelated_labels(box)
    assert not [t for t in leftover if t in helps or t == section.description], leftover


def test_a_problem_message_describes_its_question(qtbot: Any, make_view: Any,
                                                  rhi: Record) -> None:
    view = make_view(rhi)
    editor = view.editors["offered_at"]
    editor.set_error("Date and time the interview was offered is required.")
    iface = _iface(editor.error)
    assert iface.text(QAccessible.Text.Name).startswith("Date and time")
    assert [r[0].object() for r in iface.relations()] == [editor.focus_target()]
    # Hostile text stays plain text and never becomes markup.
    editor.set_error("<b>bold</b> & <script>x</script>")
    assert _iface(editor.error).text(QAccessible.Text.Name) == \
        "<b>bold</b> & <script>x</script>"


def test_entering_any_section_reads_no_stray_text(qtbot: Any, make_view: Any, rhi: Record,
                                                  checklist: Record) -> None:
    """No label of either form is left unrelated: questions label their control or their
    group of options, help and problems describe their control, "No actions yet." the Add
    button."""
    for record in (rhi, checklist):
        view = make_view(record)
        for section_id, box in view.section_boxes.items():
            assert _unrelated_labels(box) == [], (record.form_id, section_id)


def test_a_tick_box_question_labels_its_group_not_its_first_box(qtbot: Any, make_view: Any,
                                                                 rhi: Record) -> None:
    view = make_view(rhi)
    editor = view.editors["risk_indicators"]
    group = editor.focus_widgets()[0].parentWidget()
    relations = [(r[0].object(), r[1]) for r in _iface(editor.label).relations()]
    assert relations == [(group, RELATION.Labelled)]  # AT-SPI "label for" the group
    assert _iface(group).text(QAccessible.Text.Name) == editor.field.label
    first = _iface(editor.focus_widgets()[0])
    assert not first.relations(RELATION.Labelled)  # the box keeps its option's name
