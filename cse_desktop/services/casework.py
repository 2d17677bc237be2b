"""Recording casework: children, missing episodes, interviews, checklists, notes, addenda.

Every answer set is validated against the form definition it is captured with.  Drafts are
saved as they are typed (type errors are dropped, missing answers allowed); signing needs a
complete, valid form, the passphrase again and, where captured, the drawn signature.
"""

from __future__ import annotations

from typing import Any

from ..clock import Clock
from ..forms import FieldError, FormDefinition, clean_answers, validate_answers
from ..records import SIGNABLE_TYPES, Record, RecordState, RecordType, Signature, new_id
from ..store import SignedRecordImmutable
from .errors import ServiceError, ValidationFailed
from .session import Session

# Fields of a missing episode copied into a new return home interview.
EPISODE_TO_RHI = {
    "went_missing_at": "went_missing_at",
    "returned_at": "returned_at",
    "reported_by": "reported_by",
    "where_found": "where_found",
    "police_reference": "police_reference",
}


class Casework:
    """The use cases a practitioner performs on their caseload."""

    def __init__(self, session: Session, clock: Clock | None = None) -> None:
        self.session = session
        # Whose "today" judges e.g. a date of birth: the one given, else the session's.
        self.clock: Clock = clock or session.clock
        self.store = session.store
        self.library = session.library
        self.actor = session.actor

    # -- helpers -------------------------------------------------------------------------------

    def definition(self, form_id: str, version: int | None = None) -> FormDefinition:
        return self.library.get(form_id, version)

    def definition_of(self, record: Record) -> FormDefinition:
        return self.library.get(record.form_id, record.form_version)

    def _new_record(self, form_id: str, data: dict[str, Any], child_id: str | None,
                    *, record_id: str | None = None) -> Record:
        definition = self.definition(form_id)
        now = self.clock.now()
        return Record(
            id=record_id or new_id(),
            record_type=RecordType(definition.record_type),
            form_id=definition.form_id,
            form_version=definition.version,
            data=data,
            author=self.actor.name,
            device_id=self.actor.device_id,
            created_at=now,
            updated_at=now,
            child_id=child_id,
        )

    def _checked(self, definition: FormDefinition, answers: dict[str, Any],
                 *, complete: bool) -> dict[str, Any]:
        cleaned = clean_answers(definition, answers)
        errors = validate_answers(definition, cleaned, for_signing=complete,
                                  today=self.clock.today())
        if errors:
            raise ValidationFailed(errors)
        return cleaned

    def check(self, record_or_form: Record | str, answers: dict[str, Any],
              *, complete: bool = True) -> list[FieldError]:
        """Problems with these answers, for inline validation in the form."""
        if isinstance(record_or_form, Record):
            definition = self.definition_of(record_or_form)
        else:
            definition = self.definition(record_or_form)
        return validate_answers(definition, clean_answers(definition, answers),
                                for_signing=complete, today=self.clock.today())

    # -- children and episodes -----------------------------------------------------------------

    def add_child(self, answers: dict[str, Any]) -> Record:
        definition = self.definition("child")
        data = self._checked(definition, answers, complete=True)
        record_id = new_id()
        record = self._new_record("child", data, record_id, record_id=record_id)
        return self.store.add(record, self.actor)

    def update_child(self, child_id: str, answers: dict[str, Any],
                     expected_revision: int | None = None) -> Record:
        current = self.store.get(child_id)
        data = self._checked(self.definition_of(current), answers, complete=True)
        return self.store.update(child_id, data, self.actor, expected_revision=expected_revision)

    def record_episode(self, child_id: str, answers: dict[str, Any]) -> Record:
        definition = self.definition("missing_episode")
        data = self._checked(definition, {**answers, "child_id": child_id}, complete=True)
        return self.store.add(self._new_record("missing_episode", data, child_id), self.actor)

    def update_episode(self, episode_id: str, answers: dict[str, Any],
                       expected_revision: int | None = None) -> Record:
        current = self.store.get(episode_id)
        data = self._checked(self.definition_of(current),
                             {**answers, "child_id": current.child_id}, complete=True)
        return self.store.update(episode_id, data, self.actor,
                                 expected_revision=expected_revision)

    # -- forms: drafts, signing, addenda ------------------------------------------------------

    def start_return_interview(self, episode_id: str) -> Record:
        """A draft RHI for a missing episode, with the episode's facts filled in."""
        episode = self.store.get(episode_id)
        if episode.record_type is not RecordType.MISSING_EPISODE:
            raise ServiceError("A return home interview is started from a missing episode.")
        existing = [
            r for r in self.store.records(child_id=episode.child_id,
                                          record_type=RecordType.RETURN_INTERVIEW)
            if r.data.get("episode_id") == episode_id
        ]
        if existing:
            return existing[0]
        data: dict[str, Any] = {"child_id": episode.child_id, "episode_id": episode_id}
        for source, target in EPISODE_TO_RHI.items():
            if episode.data.get(source):
                data[target] = episode.data[source]
        return self.start_draft("return_interview", episode.child_id or "", data)

    def start_draft(self, form_id: str, child_id: str,
                    answers: dict[str, Any] | None = None) -> Record:
        definition = self.definition(form_id)
        data = clean_answers(definition, {**(answers or {}), "child_id": child_id})
        return self.store.add(self._new_record(form_id, data, child_id), self.actor)

    def save_draft(self, record_id: str, answers: dict[str, Any],
                   expected_revision: int | None = None) -> tuple[Record, list[FieldError]]:
        """Autosave: keep what was typed, report what is still to do.  Never loses input."""
        current = self.store.get(record_id)
        if current.is_signed:
            raise SignedRecordImmutable(record_id)
        definition = self.definition_of(current)
        if any(f.id == "child_id" for f in definition.fields()):
            answers = {**answers, "child_id": current.child_id}
        data = clean_answers(definition, answers)
        type_errors = validate_answers(definition, data, for_signing=False)
        bad = {e.field_id.split("[")[0].split(".")[0] for e in type_errors}
        # Keep badly typed answers out of the saved record, but never silently: report them.
        saved = {k: v for k, v in data.items() if k not in bad}
        record = self.store.update(record_id, saved, self.actor,
                                   expected_revision=expected_revision)
        return record, validate_answers(definition, data, for_signing=True)

    def sign(self, record_id: str, answers: dict[str, Any], passphrase: str,
             signature_png: bytes | None) -> Record:
        """Sign a complete form: the passphrase is asked again, the answers must be valid."""
        current = self.store.get(record_id)
        if current.is_signed:
            raise SignedRecordImmutable(record_id)
        definition = self.definition_of(current)
        data = self._checked(definition, answers, complete=True)
        if not self.session.check_passphrase(passphrase):
            raise ServiceError("That passphrase is not right. Your form has not been signed; "
                               "nothing you entered is lost.")
        signature = Signature(
            signed_by=self.actor.name,
            signer_role=self.actor.role.label,
            signed_at=self.clock.now(),
            image_png=signature_png,
        )
        return self.store.sign(record_id, signature, self.actor, data=data)

    def add_addendum(self, record_id: str, reason: str, text: str) -> Record:
        original = self.store.get(record_id)
        if original.state is not RecordState.SIGNED:
            raise ServiceError("This record is still a draft: change it directly.")
        definition = self.definition("addendum")
        data = self._checked(definition, {"reason": reason, "text": text}, complete=True)
        addendum = self._new_record("addendum", data, original.child_id)
        return self.store.add_addendum(record_id, addendum, self.actor)

    def sign_addendum(self, addendum_id: str, passphrase: str,
                      signature_png: bytes | None) -> Record:
        addendum = self.store.get(addendum_id)
        return self.sign(addendum_id, addendum.data, passphrase, signature_png)

    def addenda_of(self, record_id: str) -> list[Record]:
        original = self.store.get(record_id)
        return [
            r for r in self.store.records(child_id=original.child_id,
                                          record_type=RecordType.ADDENDUM, newest_first=False)
            if r.amends_id == record_id
        ]

    def quick_note(self, child_id: str, answers: dict[str, Any]) -> Record:
        """A case note saved in one go (still a draft until signed)."""
        definition = self.definition("case_note")
        data = self._checked(definition, {**answers, "child_id": child_id}, complete=True)
        return self.store.add(self._new_record("case_note", data, child_id), self.actor)

    def delete_draft(self, record_id: str) -> Record:
        return self.store.delete_draft(record_id, self.actor)

    def may_discard(self, record: Record) -> bool:
        """Only the author may discard a form they have not signed yet."""
        return (not record.is_signed and not record.deleted
                and record.record_type in SIGNABLE_TYPES
                and record.author == self.actor.name)

    def discard_draft(self, record_id: str) -> Record:
        """Throw away an unsigned draft: it leaves the chronology and the drafts count, the
        removal is audited and synced as a tombstone.  Signed records cannot be discarded."""
        current = self.store.get(record_id)
        if current.is_signed:
            raise ServiceError("This record is signed and cannot be discarded. Add an "
                               "addendum to correct it.")
        if not self.may_discard(current):
            raise ServiceError("Only the person who started this draft can discard it.")
        return self.store.delete_draft(record_id, self.actor)

    def find(self, record_id: str) -> Record | None:
        """A record for display next to the one being worked on (e.g. its child's name)."""
        return self.store.find(record_id)

    def open_record(self, record_id: str) -> Record:
        """Open a record to look at or edit it: the view is audited."""
        return self.store.get(record_id, actor=self.actor)
