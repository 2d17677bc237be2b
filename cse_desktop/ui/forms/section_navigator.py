"""The list of a form's sections on the left: choose one to go there.

Arrow keys or a click scroll the form to the section; Enter also moves the cursor into its
first question (``section_entered``).  After a refused signing each section says how many of
its answers need attention, in words.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QWidget

ROLE = Qt.ItemDataRole.UserRole


class SectionNavigator(QListWidget):
    section_chosen = Signal(str)  # scroll there
    section_entered = Signal(str)  # scroll there and go to its first question

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sectionNavigator")
        self.setAccessibleName("Sections of this form")
        self.setAccessibleDescription(
            "Choose a section to go to it. Press Enter to move into its first question."
        )
        self.setFixedWidth(210)
        self.setWordWrap(True)
        self.setSpacing(4)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideNone)
        self._titles: dict[str, str] = {}
        self.currentRowChanged.connect(self._on_row)
        self.itemActivated.connect(lambda item: self.section_entered.emit(item.data(ROLE)))

    def add_section(self, section_id: str, title: str) -> None:
        if section_id in self._titles:
            return
        self._titles[section_id] = title
        item = QListWidgetItem(title)
        item.setData(ROLE, section_id)
        self.addItem(item)

    def has_section(self, section_id: str) -> bool:
        return section_id in self._titles

    def item_for(self, section_id: str) -> QListWidgetItem:
        for index in range(self.count()):
            item = self.item(index)
            if item.data(ROLE) == section_id:
                return item
        raise KeyError(section_id)

    def set_section_hidden(self, section_id: str, hidden: bool) -> None:
        self.item_for(section_id).setHidden(hidden)

    def show_problem_counts(self, counts: dict[str, int]) -> None:
        """"The 72-hour rule (3 to check)" for sections with problems; plain titles else."""
        for section_id, title in self._titles.items():
            count = counts.get(section_id, 0)
            self.item_for(section_id).setText(f"{title}\n({count} to check)" if count
                                              else title)

    def select_quietly(self, section_id: str) -> None:
        """Highlight a section (as the form scrolls) without jumping to it."""
        item = self.item_for(section_id)
        if self.currentItem() is not item:
            self.blockSignals(True)
            self.setCurrentItem(item)
            self.blockSignals(False)

    def _on_row(self, row: int) -> None:
        if row >= 0:
            self.section_chosen.emit(self.item(row).data(ROLE))
