"""Synthetic caseloads for demos, tests and benchmarks.

Everything here is invented: names are random combinations of made-up word lists, places are
fictional, NHS numbers use the 999 test range and postcodes the ZZ99 pseudo-area.  The data is
plain answers dicts that validate (for signing) against the shipped form definitions; nothing
touches the store.  The same ``seed`` and ``now`` always give the same data.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.demo import phrases
from cse_desktop.forms.deadlines import RHI_DEADLINE_HOURS
from cse_desktop.forms.levels import RiskLevel

Answers = dict[str, Any]

HISTORY_DAYS = 540  # about 18 months

# Warning-signs indicators and their weights, in the order of warning_signs.v1.
INDICATORS = (
    "missing_repeatedly", "missing_overnight", "absent_from_school",
    "returns_with_unexplained_injury", "older_boyfriend_girlfriend",
    "associates_with_older_adults", "picked_up_by_unknown_cars", "isolated_from_peers",
    "gang_association", "sti_or_pregnancy", "repeat_emergency_contraception",
    "sexualised_behaviour_inappropriate_for_age", "change_in_behaviour", "self_harm",
    "aggression", "low_self_esteem", "secretive_about_whereabouts", "substance_misuse",
    "given_drugs_or_alcohol_by_adults", "unexplained_money_or_gifts",
    "multiple_phones_or_sim_cards", "new_clothes_or_items_unexplained",
    "contact_with_unknown_adults_online", "sharing_sexual_images", "exclusion_or_truancy",
    "decline_in_attainment", "in_care", "learning_disability", "history_of_abuse",
    "domestic_abuse_at_home",
)  # fmt: skip
OVERRIDES = (
    "disclosed_sexual_abuse",
    "found_with_adults_of_concern",
    "exchanging_sex_for_goods",
    "trafficked_between_locations",
)
# profile -> (chance an indicator is yes, chance of an override, episodes range)
PROFILES = {
    "low": (0.04, 0.0, (0, 2)),
    "medium": (0.22, 0.0, (1, 4)),
    "high": (0.38, 0.35, (3, 9)),
}
CONTACT_TYPES = (
    "face_to_face", "phone", "text_online", "outreach", "home_visit", "multi_agency_meeting",
    "other",
)  # fmt: skip
IN_PERSON = frozenset({"face_to_face", "outreach", "home_visit", "multi_agency_meeting"})
REPORTED_BY = ("parent_carer", "residential_home", "foster_carer", "school", "police", "other")


@dataclass
class SyntheticEpisode:
    """A missing episode; ``id`` is the record id (not part of the answers)."""

    id: str
    answers: Answers
    rhi: Answers | None  # None while the interview is still to be done


@dataclass
class SyntheticChild:
    id: str
    child: Answers
    episodes: list[SyntheticEpisode] = field(default_factory=list)
    checklists: list[Answers] = field(default_factory=list)
    notes: list[Answers] = field(default_factory=list)
    profile: str = "low"  # the risk profile used to make the data: low, medium or high

    @property
    def name(self) -> str:
        return f"{self.child['first_name']} {self.child['last_name']}"


def generate_caseload(
    n_children: int, *, seed: int = 0, now: datetime | None = None
) -> list[SyntheticChild]:
    """``n_children`` fictional children with episodes, interviews, checklists and notes.

    ``now`` (default: the current time) is the end of the ~18 months of history; pass a fixed
    value for repeatable data.
    """
    now = _minute(now or SYSTEM_CLOCK.now())
    rng = random.Random(seed)
    return [_Child(rng, now, index).build() for index in range(n_children)]


def generate_notes(
    n: int,
    seed: int = 0,
    *,
    child_ids: Sequence[str] | None = None,
    now: datetime | None = None,
) -> list[Answers]:
    """``n`` case-note answers, quickly (for benchmarks): about 100,000 a second.

    Notes are shared among ``child_ids``, or among made-up ids (one per 50 notes).
    """
    now = _minute(now or SYSTEM_CLOCK.now())
    rng = random.Random(seed)
    ids = list(child_ids) if child_ids else [_uuid(rng) for _ in range(max(1, n // 50))]
    names = phrases.GIRLS + phrases.BOYS
    sentences = phrases.NOTE_SENTENCES
    quotes = phrases.CHILD_QUOTES
    places = phrases.PLACES
    span = HISTORY_DAYS * 24 * 60
    choice, randrange, random_ = rng.choice, rng.randrange, rng.random
    notes: list[Answers] = []
    for _ in range(n):
        name = choice(names)
        count = 1 + randrange(6) if random_() < 0.9 else 8 + randrange(10)
        summary = " ".join(choice(sentences) for _ in range(count)).replace("{name}", name)
        contact = choice(CONTACT_TYPES)
        note: Answers = {
            "child_id": choice(ids),
            "occurred_at": (now - timedelta(minutes=randrange(span))).isoformat(),
            "contact_type": contact,
            "summary": summary,
        }
        if contact in IN_PERSON:
            note["location"] = choice(places)
        if random_() < 0.4:
            note["childs_voice"] = choice(quotes)
        if random_() < 0.1:
            note["sensitive"] = "yes"
        notes.append(note)
    return notes


# -- one child --------------------------------------------------------------------------------


class _Child:
    """Builds one child's records; all randomness comes from the shared generator."""

    def __init__(self, rng: random.Random, now: datetime, index: int) -> None:
        self.rng = rng
        self.now = now
        self.index = index
        self.id = _uuid(rng)
        self.profile = rng.choices(("low", "medium", "high"), weights=(4, 3.5, 2.5))[0]
        if index < len(phrases.FEATURED_CHILDREN) and index % 2 == 0:
            self.profile = "high"  # make sure small demo caseloads include high risk
        self.child = self._child_answers()
        self.call_name = str(self.child.get("preferred_name", self.child["first_name"]))

    def build(self) -> SyntheticChild:
        episodes = self._episodes()
        return SyntheticChild(
            id=self.id,
            child=self.child,
            episodes=episodes,
            checklists=self._checklists(episodes),
            notes=self._notes(),
            profile=self.profile,
        )

    # child ------------------------------------------------------------------------------------

    def _child_answers(self) -> Answers:
        rng = self.rng
        if self.index < len(phrases.FEATURED_CHILDREN):
            first, last, gender = phrases.FEATURED_CHILDREN[self.index]
        else:
            gender = rng.choices(
                ("female", "male", "non_binary", "not_known"), weights=(48, 46, 4, 2)
            )[0]
            boys_name = gender == "male" or (gender != "female" and rng.random() < 0.5)
            first = rng.choice(phrases.BOYS if boys_name else phrases.GIRLS)
            last = rng.choice(phrases.SURNAMES)[0 if boys_name else 1]
        age_days = rng.randrange(11 * 365, 17 * 365 + 300)
        placement = rng.choices(
            ("home", "foster_care", "residential", "supported_lodgings", "other"),
            weights=(50, 22, 18, 6, 4),
        )[0]
        town = rng.choice(phrases.TOWNS)
        answers: Answers = {
            "first_name": first,
            "last_name": last,
            "date_of_birth": (self.now.date() - timedelta(days=age_days)).isoformat(),
            "gender": gender,
            "local_reference": f"DEMO-{rng.randrange(100000, 999999)}",
            "nhs_number": _test_nhs_number(rng),
            "address": (
                f"{rng.randrange(1, 120)} {rng.choice(phrases.STREETS)}\n{town}\n"
                f"ZZ99 {rng.randrange(1, 10)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}Z"
            ),
            "placement_type": placement,
            "in_care": "yes"
            if placement in ("foster_care", "residential", "supported_lodgings")
            else "no",
            "school_or_college": rng.choice(phrases.SCHOOLS),
            "allocated_worker": rng.choice(phrases.WORKERS),
        }
        if first in phrases.NICKNAMES and rng.random() < 0.6:
            answers["preferred_name"] = phrases.NICKNAMES[first]
        if rng.random() < 0.5:
            carer = f"{rng.choice(phrases.WORKERS).split()[0]} {last}"
            phone = f"07700 900{rng.randrange(1000):03d}"  # Ofcom's range for drama
            answers["key_contacts"] = (
                f"Carer: {carer}, {phone}\n"
                f"School safeguarding lead: via {answers['school_or_college']} reception"
            )
        if rng.random() < 0.3:
            answers["notes"] = "Prefers to meet away from home. Likes football and drawing."
        return answers

    # episodes and interviews --------------------------------------------------------------------

    def _episodes(self) -> list[SyntheticEpisode]:
        rng, now = self.rng, self.now
        low, high = PROFILES[self.profile][2]
        count = rng.randint(low, high)
        starts = sorted(
            now - timedelta(minutes=rng.randrange(60, HISTORY_DAYS * 24 * 60)) for _ in range(count)
        )
        if self.profile == "high" and count >= 3 and rng.random() < 0.5:
            # a recent cluster: three or more episodes in the last 90 days
            starts = sorted(
                [
                    *starts[:-3],
                    *(now - timedelta(hours=rng.randrange(6, 90 * 24)) for _ in range(3)),
                ]
            )
        episodes: list[SyntheticEpisode] = []
        previous_return: datetime | None = None
        for start in starts:
            start = _minute(start)
            if previous_return is not None and start <= previous_return:
                start = previous_return + timedelta(hours=rng.randrange(6, 120))
            if start >= now:
                break
            hours_away = rng.choice((2, 4, 7, 11, 16, 20, 27, 36, 50, 75, 120))
            returned = start + timedelta(hours=hours_away, minutes=rng.randrange(60))
            still_missing = returned > now
            episodes.append(self._episode(start, None if still_missing else returned))
            if still_missing:
                break
            previous_return = returned
        return episodes

    def _episode(self, start: datetime, returned: datetime | None) -> SyntheticEpisode:
        rng = self.rng
        episode_id = _uuid(rng)
        answers: Answers = {
            "child_id": self.id,
            "missing_or_absent": "missing" if rng.random() < 0.8 else "absent",
            "went_missing_at": start.isoformat(),
            "reported_by": self._reported_by(),
        }
        if rng.random() < 0.7:
            answers["police_reference"] = f"DEMO/{start:%y}/{rng.randrange(10000, 99999)}"
        if returned is not None:
            answers["returned_at"] = returned.isoformat()
            if rng.random() < 0.8:
                answers["where_found"] = rng.choice(phrases.PLACES).capitalize()
        if rng.random() < 0.3:
            answers["notes"] = (
                "Carer contacted police after the child did not come home from school."
            )
        rhi = self._interview(episode_id, answers, returned) if returned is not None else None
        return SyntheticEpisode(id=episode_id, answers=answers, rhi=rhi)

    def _reported_by(self) -> str:
        placement = self.child["placement_type"]
        if placement == "residential":
            return "residential_home" if self.rng.random() < 0.85 else "police"
        if placement == "foster_care":
            return "foster_carer" if self.rng.random() < 0.85 else "school"
        return self.rng.choices(REPORTED_BY, weights=(60, 0, 0, 15, 15, 10))[0]

    def _interview(self, episode_id: str, episode: Answers, returned: datetime) -> Answers | None:
        rng, now = self.rng, self.now
        roll = rng.random()
        if roll < 0.75:
            delay = timedelta(
                hours=rng.randrange(2, RHI_DEADLINE_HOURS - 1), minutes=rng.randrange(60)
            )
        elif roll < 0.78:
            delay = timedelta(hours=RHI_DEADLINE_HOURS)  # exactly on the deadline: still in time
        else:
            delay = timedelta(hours=rng.randrange(RHI_DEADLINE_HOURS + 1, 240))
        offered = returned + delay
        if offered > now:
            return None  # still to be offered
        outcome = rng.choices(
            ("completed", "declined_by_child", "declined_by_parent_carer", "child_not_found"),
            weights=(65, 15, 7, 13),
        )[0]
        answers: Answers = {
            "child_id": self.id,
            "episode_id": episode_id,
            "went_missing_at": episode["went_missing_at"],
            "returned_at": episode["returned_at"],
            "reported_by": episode["reported_by"],
            "offered_at": offered.isoformat(),
            "outcome": outcome,
            "interviewer_independent": "yes" if rng.random() < 0.9 else "no",
            "placement_type": self.child["placement_type"],
        }
        for key in ("where_found", "police_reference"):
            if key in episode:
                answers[key] = episode[key]
        if delay > timedelta(hours=RHI_DEADLINE_HOURS):
            answers["late_reason"] = rng.choice(phrases.LATE_REASONS)
        if outcome == "completed":
            answers.update(self._interview_content(offered))
        return answers

    def _interview_content(self, offered: datetime) -> Answers:
        rng, now = self.rng, self.now
        risky = self.profile != "low"
        completed = min(offered + timedelta(hours=rng.randrange(0, 30)), now)
        content: Answers = {
            "completed_at": completed.isoformat(),
            "location_of_interview": rng.choice(
                ("At home", "At school", "Café in town", "Youth centre")
            ),
            "where_stayed": f"Said they stayed at {rng.choice(phrases.PLACES)}.",
            "who_with": f"With {rng.choice(phrases.PEOPLE)}.",
            "travel": _some(
                rng, ("on_foot", "public_transport", "car_known", "car_unknown", "taxi")
            ),
            "push_factors": _some(
                rng, ("conflict_at_home", "placement_unhappy", "bullying", "school_problems")
            ),
            "pull_factors": _some(
                rng, ("friends", "boyfriend_girlfriend", "older_associates", "gifts_or_money")
            ),
            "childs_words": " ".join(rng.sample(phrases.CHILD_QUOTES, rng.randint(1, 3))),
            "child_wants": rng.choice(phrases.CHILD_WANTS),
        }
        harmed = risky and rng.random() < 0.3
        content["harm_experienced"] = "yes" if harmed else "no"
        if harmed:
            content["harm_details"] = (
                "Bruising to the arm; said they were pushed during an argument."
            )
        if risky:
            content["risk_indicators"] = _some(
                rng,
                (
                    "sexual_exploitation",
                    "criminal_exploitation",
                    "substance_misuse",
                    "online_exploitation",
                ),
            )
        else:
            content["risk_indicators"] = ["none_identified"]
        consent = rng.choices(
            ("yes", "no", "not_asked_safeguarding_override"), weights=(75, 15, 10)
        )[0]
        content["consent_to_share"] = consent
        if consent == "not_asked_safeguarding_override":
            content["safeguarding_override_reason"] = rng.choice(phrases.OVERRIDE_REASONS)
        if consent != "no":
            content["share_with"] = _some(rng, ("police", "social_care", "school", "health"))
        content["referrals"] = (
            _some(rng, ("mash", "police", "sarc_isva", "health", "nrm"))
            if harmed or (risky and rng.random() < 0.5)
            else ["none"]
        )
        content["safety_plan"] = (
            "Agreed to text the key worker if going out after 9pm; carer to collect from town."
        )
        content["actions"] = self._actions(completed, rng.randint(0, 3))
        return content

    # checklists ---------------------------------------------------------------------------------

    def _checklists(self, episodes: list[SyntheticEpisode]) -> list[Answers]:
        rng, now = self.rng, self.now
        p_yes, p_override, _ = PROFILES[self.profile]
        count = rng.randint(1, 4)
        times = sorted(
            _minute(now - timedelta(minutes=rng.randrange(60, HISTORY_DAYS * 24 * 60)))
            for _ in range(count)
        )
        starts = [_at(e.answers["went_missing_at"]) for e in episodes]
        checklists = []
        for assessed in times:
            answers: Answers = {"child_id": self.id, "assessed_at": assessed.isoformat()}
            episodes_before = sum(1 for s in starts if s <= assessed)
            for name in INDICATORS:
                roll = rng.random()
                if name == "in_care":
                    value = self.child["in_care"]
                elif name == "missing_repeatedly":
                    value = "yes" if episodes_before >= 3 else "no"
                else:
                    value = "yes" if roll < p_yes else ("not_known" if roll > 0.94 else "no")
                answers[name] = self._indicator(value)
            override_yes = rng.random() < p_override
            for name in OVERRIDES:
                value = "yes" if override_yes and rng.random() < 0.5 else "no"
                answers[name] = self._indicator(value)
            if rng.random() < 0.7:
                engagement = "engaging well" if rng.random() < 0.5 else "hard to reach"
                trend = "rising" if self.profile == "high" else "stable"
                answers["professional_judgement"] = (
                    f"{self.call_name} is {engagement}. My view is the risk is {trend}."
                )
            if rng.random() < 0.5:
                answers["actions"] = self._actions(assessed, rng.randint(1, 3))
            if _is_high_risk(answers):  # the form's rule: high risk needs a view and an action
                answers.setdefault("professional_judgement", (
                    f"{self.call_name} is at high risk. My view is the risk is rising."))
                if not answers.get("actions"):
                    answers["actions"] = self._actions(assessed, 1)
            checklists.append(answers)
        return checklists

    def _indicator(self, value: str) -> Answers:
        answer: Answers = {"answer": value}
        if value != "no" and self.rng.random() < 0.25:
            answer["note"] = "Reported by carer." if value == "yes" else "Need to ask school."
        return answer

    # notes --------------------------------------------------------------------------------------

    def _notes(self) -> list[Answers]:
        rng, now = self.rng, self.now
        notes = []
        for _ in range(rng.randint(2, 12)):
            occurred = _minute(now - timedelta(minutes=rng.randrange(30, HISTORY_DAYS * 24 * 60)))
            contact = rng.choice(CONTACT_TYPES)
            length = rng.choice((1, 2, 3, 4, 6, 9, 14))
            sentences = [rng.choice(phrases.NOTE_SENTENCES) for _ in range(length)]
            paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, length, 4)]
            note: Answers = {
                "child_id": self.id,
                "occurred_at": occurred.isoformat(),
                "contact_type": contact,
                "summary": "\n\n".join(paragraphs).replace("{name}", self.call_name),
            }
            if contact in IN_PERSON:
                note["location"] = rng.choice(phrases.PLACES).capitalize()
                note["people_present"] = f"{self.call_name} and {rng.choice(phrases.WORKERS)}"
            if rng.random() < 0.5:
                note["childs_voice"] = rng.choice(phrases.CHILD_QUOTES)
            note["sensitive"] = "yes" if rng.random() < 0.1 else "no"
            if rng.random() < 0.3:
                note["actions"] = self._actions(occurred, rng.randint(1, 2))
            notes.append(note)
        notes.sort(key=lambda n: n["occurred_at"])
        return notes

    def _actions(self, start: datetime, count: int) -> list[Answers]:
        actions = []
        for what, owner in self.rng.sample(phrases.ACTIONS, count):
            due: date = start.date() + timedelta(days=self.rng.randrange(2, 30))
            actions.append(
                {
                    "what": what,
                    "owner": owner,
                    "due_date": due.isoformat(),
                    "done": "yes" if due < self.now.date() and self.rng.random() < 0.7 else "no",
                }
            )
        return actions


# -- helpers ----------------------------------------------------------------------------------


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _minute(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("now must be a date and time with a time zone")
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _some(rng: random.Random, options: Sequence[str]) -> list[str]:
    """One to three distinct options, in the order of the list."""
    picked = set(rng.sample(list(options), rng.randint(1, min(3, len(options)))))
    return [o for o in options if o in picked]


def _is_high_risk(answers: dict[str, Any]) -> bool:
    """Whether a made-up checklist scores high (by the shipped definition's rules)."""
    from cse_desktop.forms import default_library, score_checklist

    definition = default_library().get("warning_signs")
    return score_checklist(definition, answers).level is RiskLevel.HIGH


def _test_nhs_number(rng: random.Random) -> str:
    """A number from the 999 range the NHS keeps for testing, with a valid check digit."""
    while True:
        digits = [9, 9, 9] + [rng.randrange(10) for _ in range(6)]
        check = 11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            text = "".join(map(str, digits)) + str(check)
            return f"{text[:3]} {text[3:6]} {text[6:]}"
