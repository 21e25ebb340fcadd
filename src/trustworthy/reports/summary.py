"""“What we decided and why”: a plain-language summary for young people and families.

`draft_summary(record)` writes a first version from the record, by its structure: what the
plan is, what was decided and why, who was asked and how (co-produced, consulted, spoken
for by others, only told, or not asked, with the reason), the serious risks and what will
be done about them, and what people said in consultations. It never claims a group spoke
when it was only told, and it always says whether young people and families were asked.

Text copied from the record is kept in whole sentences: when a part must be shorter, whole
thoughts are left out (and the reader is sent to the full record), never cut mid-way. The
framework's ids ("HR2", "P7") become plain words and risk scores ("scores 20") become
"serious", "medium" or "small". The lead can change the draft until the decision is signed.

The draft's own sentences are in the language of the page (English or Welsh, through Django's
gettext: locale/cy), and so are the groups' names when the framework edition has them in
Welsh. What it copies from the record stays as it was typed; the plain words put in place of
ids and scores go inside that copied text, so they stay English.

`paragraphs(text)` splits a summary where a blank line was typed; single line breaks stay
inside their paragraph. `readability(text)` estimates the reading age (Flesch-Kincaid grade
plus five years) and finds the sentences that push it up.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import textstat
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from trustworthy.appraisals.frameworks import framework_for
from trustworthy.core.language import current
from trustworthy.core.text import FAMILY_SUMMARY

if TYPE_CHECKING:
    from trustworthy.framework import Framework

    from .document import DecisionRecord, ParticipationItem, RegisterItem

READING_AGE_LIMIT = 12  # the page warns above this reading age
DRAFT_LIMIT = FAMILY_SUMMARY  # a draft the lead can save as it is
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“‘\"'(])")
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n[ \t]*)+")

# Marked for the catalogue (N_), translated where the draft is written (gettext).
READ_MORE = N_("Read the full record for more about this.")
ASK = N_("If you have questions about this decision, please ask the person who works with you.")

# How much of each part of the record the draft keeps, in characters (whole sentences).
PROJECT_LENGTH = 300
REASONING_LENGTH = 900
DEPARTURE_LENGTH = 500
SAID_LENGTH = 300
RISK_LENGTH = 250
RISKS_SHOWN = 2
VOICES_SHOWN = 3

# The groups the summary is written for: it always says whether they were asked.
FAMILY_GROUPS = ("young-people", "parents-and-families")

DECIDED = {
    "proceed": N_("We decided to go ahead with the plan. The work will now start as planned."),
    "proceed-with-mitigations": N_(
        "We decided to go ahead, with extra steps to make it safer. "
        "Each of those steps has a person in charge of it."
    ),
    "proceed-despite-concerns": N_(
        "We decided to go ahead, even though we still have worries about it. "
        "We will keep checking how it affects children and families."
    ),
    "reframe": N_(
        "We decided not to go ahead yet. "
        "We will think again about the problem and the plan before we go any further."
    ),
    "do-not-proceed": N_("We decided not to go ahead. The work will stop."),
}

# What each way of taking part (the framework's participation modes) lets the summary say.
# Only groups who co-produced or were consulted "told us" anything.
SPOKE = frozenset({"co-produced", "consulted"})


def _say(text: str, **values: str) -> str:
    """A sentence of the draft in the page's language, its first letter a capital."""
    return _cap(gettext(text).format(**values))


def _not_asked(group: str, reason: str) -> str:
    why = _say("Our reason: {reason}", reason=reason) if reason else gettext("We did not write down why.")
    not_asked = _say("We did not ask {group} what they thought.", group=group)
    return f"{not_asked} {why}"


def _family_sentence(mode: str, group: str, reason: str) -> str:
    if mode == "not-involved":
        return _not_asked(group, reason)
    sentence = {
        "co-produced": N_("{group} helped us plan and shape this work."),
        "consulted": N_("We asked {group} what they thought."),
        "represented": N_("We did not ask {group} themselves. Other people spoke up for them."),
        "informed": N_("We told {group} about this work, but we did not ask what they thought."),
    }.get(mode)
    return _say(sentence, group=group) if sentence else ""


def _others_sentence(mode: str, groups: str, reason: str) -> str:
    if mode == "not-involved":
        return _not_asked(groups, reason)
    sentence = {
        "co-produced": N_("{group} helped us plan and shape this work."),
        "consulted": N_("We asked {group} what they thought."),
        "represented": N_("Other people spoke up for {group}."),
        "informed": N_("We told {group} about this work, but we did not ask what they thought."),
    }.get(mode)
    return _say(sentence, group=groups) if sentence else ""


def _heard(mode: str, group: str, said: str, *, family: bool) -> str:
    """What a group said, framed by how they took part (`family`: the group was just named)."""
    if mode in SPOKE:
        return (
            _say("They told us: {said}", said=said)
            if family
            else _say("{group} told us: {said}", group=group, said=said)
        )
    if mode == "represented":
        if family:
            return _say("The people who spoke up for them told us: {said}", said=said)
        return _say("The people who spoke up for {group} told us: {said}", group=group, said=said)
    if family:
        return _say("Our notes say: {said}", said=said)
    return _say("Our notes about {group} say: {said}", group=group, said=said)


# --- plain words --------------------------------------------------------------------------

_ID = r"[A-Z]{1,3}\d{1,2}[a-z]?"
_ID_LIST = rf"{_ID}(?:\s*(?:,|/|&|and)\s*{_ID})*"
_BRACKETED_IDS = re.compile(rf"\s*\((?:see\s+|under\s+|cf\.?\s+)?{_ID_LIST}\)")
_NOUN_ID = re.compile(rf"\b(?:the\s+)?(principle|question|criterion|test)\s+({_ID})\b", re.IGNORECASE)
_BARE_ID = re.compile(rf"\b{_ID}\b")

_N = r"(\d{1,2})(?:\s*(?:/|out of)\s*25)?"
# Scores are only read as risk scores in a sentence about a risk (not "scored 8 on the scale").
_ABOUT_RISK = re.compile(r"\brisk|\blikelihood|\bseverity", re.IGNORECASE)
_SCORE_IS = re.compile(rf"\b(risk\s+)?score\s+(is|was)\s+{_N}\b", re.IGNORECASE)
_SCORE_VERB = re.compile(rf"\b(scores|scored|scoring)\s+(?:of\s+|at\s+)?{_N}\b", re.IGNORECASE)
_RATED = re.compile(rf"\brisk\s+(?:is\s+)?rated\s+(?:at\s+)?{_N}\b", re.IGNORECASE)
_SCORE_NOUN = re.compile(
    rf"\b(?:(?:a|the|its|their)\s+)?(?:risk\s+)?score\s*(?:of|:|=)?\s*{_N}\b(?:\s+risk\b)?", re.IGNORECASE
)
_LIKELIHOOD = re.compile(
    r"\b(?:a\s+)?likelihood\s*(?:of\s*|:\s*)?(\d)\s*(?:,|and|x|×|\*)?\s*(?:a\s+)?(?:severity|impact)"
    r"\s*(?:of\s*|:\s*)?(\d)\b",
    re.IGNORECASE,
)
_PRODUCT = re.compile(r"\b(\d)\s*[x×]\s*(\d)(?:\s*=\s*\d{1,2})?\b")
_OUT_OF = re.compile(r"\b(\d{1,2})\s*(?:/|out of)\s*25\b")
_VERBS = {"scores": "is", "scored": "was", "scoring": "rated"}

_JARGON = (
    (re.compile(r"\bmitigations\b", re.IGNORECASE), "steps to make it safer"),
    (re.compile(r"\bmitigation\b", re.IGNORECASE), "safety step"),
    (re.compile(r"\bmitigated\b", re.IGNORECASE), "made safer"),
    (re.compile(r"\bmitigate\b", re.IGNORECASE), "reduce"),
    (re.compile(r"\bmitigating\b", re.IGNORECASE), "reducing"),
    (re.compile(r"\bstakeholders\b", re.IGNORECASE), "people involved"),
    (re.compile(r"\bstakeholder\b", re.IGNORECASE), "person involved"),
)


def risk_level(score: int) -> str:
    """A risk's likelihood times severity (1 to 25) in words: 12 or more is serious."""
    if score >= 12:
        return "serious"
    if score >= 6:
        return "medium"
    return "small"


def _level(value: str) -> str:
    return risk_level(int(value))


def _plain_scores(sentence: str) -> str:
    """A sentence about a risk with its score (or likelihood and severity) said in words."""
    if not _ABOUT_RISK.search(sentence):
        return sentence
    s = _LIKELIHOOD.sub(lambda m: f"a {risk_level(int(m[1]) * int(m[2]))} risk", sentence)
    s = _PRODUCT.sub(lambda m: f"a {risk_level(int(m[1]) * int(m[2]))} risk", s)
    s = _SCORE_IS.sub(lambda m: f"{'risk ' if m[1] else ''}{m[2]} {_level(m[3])}", s)
    s = _RATED.sub(lambda m: f"risk is {_level(m[1])}", s)
    s = _SCORE_VERB.sub(lambda m: f"{_VERBS[m[1].lower()]} {_level(m[2])}", s)
    s = _SCORE_NOUN.sub(lambda m: f"a {_level(m[1])} risk", s)
    return _match_case(sentence, _OUT_OF.sub(lambda m: _level(m[1]), s))


class PlainWords:
    """Turns the framework's ids into the words they stand for, and scores into words."""

    def __init__(self, names: dict[str, tuple[str, str]]) -> None:
        self.names = names  # id -> (kind, words)

    @classmethod
    def for_record(cls, record: DecisionRecord, fw: Framework | None) -> PlainWords:
        names: dict[str, tuple[str, str]] = {}
        if fw is not None:
            names |= {q.id: ("question", q.label) for q in fw.questions()}
            names |= {c.id: ("criterion", "") for c in (*fw.criteria, *fw.rateable_criteria())}
            names |= {p.id: ("principle", p.name) for p in fw.principles}
        else:  # an edition not installed here: what the record itself names
            names |= {q.id: ("question", q.label) for s in record.sections for q in s.questions}
            names |= {c.criterion: ("criterion", "") for c in record.profile}
            names |= {r.principle_id: ("principle", r.principle_name) for r in record.principles}
        return cls(names)

    def words(self, found: str, *, noun: str = "") -> str:
        kind, words = self.names.get(found, ("", ""))
        if kind == "principle":
            return f"the principle of {_lower(words)}" if noun else _lower(words)
        if kind == "question":
            return f"our question “{words}”" if words.endswith("?") else f"our question on {_lower(words)}"
        if kind == "criterion":
            return "one of our tests of trustworthy innovation"
        return f"{noun} {found}".strip() if noun else found

    def __call__(self, text: str) -> str:
        text = _BRACKETED_IDS.sub(lambda m: "" if self._all_known(m.group()) else m.group(), text)
        text = _NOUN_ID.sub(self._noun_id, text)
        text = _BARE_ID.sub(lambda m: self.words(m.group()) if m.group() in self.names else m.group(), text)
        text = " ".join(_plain_scores(s) for s in sentences(text))
        for pattern, words in _JARGON:
            text = pattern.sub(partial(_keeping_case, words), text)
        text = re.sub(r"[ \t]+([.,;:!?])", r"\1", text)
        return re.sub(r"[ \t]{2,}", " ", text).strip()

    def _noun_id(self, found: re.Match[str]) -> str:
        """“principle HR2” → “the principle of respecting the right to self-determination”."""
        if found[2] not in self.names:
            return found.group()
        return _match_case(found.group(), self.words(found[2], noun=found[1]))

    def _all_known(self, bracketed: str) -> bool:
        return all(found in self.names for found in re.findall(_ID, bracketed))


# --- whole sentences ----------------------------------------------------------------------

# A sentence that starts like this carries on the thought before it: they go together.
_CARRIES_ON = re.compile(
    r"^(?:This|That|These|Those|It|So|But|However|Because|Which|And|Also|Therefore|Instead|"
    r"Otherwise|Even so|As a result|For this reason|That is why|Then)\b"
)
# A thought that gives a reason, a condition or a weighing: kept first when space is short.
_REASONING = re.compile(
    r"\b(?:because|so that|so|this means|which means|therefore|as a result|but|however|although|"
    r"though|to make sure|in order to|since|why|reason|outweigh\w*|unless|instead|while)\b",
    re.IGNORECASE,
)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def thoughts(text: str) -> list[str]:
    """Sentences grouped into whole thoughts: a sentence that carries on from the one before
    it (“This means…”, “But…”), or follows one ending in a colon, stays with it."""
    units: list[str] = []
    for sentence in sentences(text):
        if units and (_CARRIES_ON.match(sentence) or units[-1].endswith(":")):
            units[-1] = f"{units[-1]} {sentence}"
        else:
            units.append(sentence)
    return units


@dataclass(frozen=True)
class Kept:
    text: str
    complete: bool  # False: some whole thoughts were left out


def whole_thoughts(text: str, limit: int) -> Kept:
    """`text` if it fits in `limit` characters; else the first thought, then the thoughts
    that give reasons, then the rest, each whole, while they fit, in their own order."""
    units = thoughts(text)
    if sum(len(u) + 1 for u in units) - 1 <= limit:
        return Kept(" ".join(units), True)
    chosen = {0}
    room = limit - len(units[0])
    reasons = [i for i in range(1, len(units)) if _REASONING.search(units[i])]
    rest = [i for i in range(1, len(units)) if i not in reasons]
    for i in reasons + rest:
        if len(units[i]) + 1 <= room:
            chosen.add(i)
            room -= len(units[i]) + 1
    return Kept(" ".join(units[i] for i in sorted(chosen)), len(chosen) == len(units))


def _finished(text: str) -> str:
    """A sentence ends with a full stop (or other end mark) even if it was typed without one."""
    text = text.strip()
    return text if not text or text[-1] in ".!?:”’\"')" else f"{text}."


# --- the draft ----------------------------------------------------------------------------


def _lower(label: str) -> str:
    """A label inside a sentence: “Young people” → “young people”, but “NHS trusts” stays."""
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _match_case(found: str, words: str) -> str:
    return _cap(words) if found[:1].isupper() else words


def _keeping_case(words: str, found: re.Match[str]) -> str:
    return _match_case(found.group(), words)


def _as_labelled(groups: str, mode_label: str) -> str:
    """A way of taking part this summary has no sentence for (another framework edition's)."""
    return f"{_cap(groups)}: {_lower(mode_label)}."


def _and(items: Sequence[str]) -> str:
    if len(items) == 1:
        return items[0]
    return gettext("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


class _Writer:
    def __init__(self, record: DecisionRecord) -> None:
        self.record = record
        try:
            fw: Framework | None = framework_for(record.framework_id, record.framework_version)
        except LookupError:
            fw = None
        self.plain = PlainWords.for_record(record, fw)
        # Every group's name, for those the record has nothing about; in Welsh when the
        # draft is and the edition has the group's name in Welsh.
        self.labels = {s.id: s.label for s in fw.stakeholders} if fw else {}
        self.labels |= {p.stakeholder: p.stakeholder_label for p in record.participation}
        if fw is not None and current() != "en-gb":
            self.labels |= {s.id: fw.label("stakeholders", s.id, language=current()) for s in fw.stakeholders}

    def group(self, item: ParticipationItem) -> str:
        return _lower(self.labels.get(item.stakeholder, item.stakeholder_label))

    def kept(self, text: str, limit: int) -> str:
        """Copied text in plain words and whole thoughts; a pointer to the record if shortened."""
        kept = whole_thoughts(self.plain(text), limit)
        body = _finished(kept.text)
        return body if kept.complete else f"{body} {gettext(READ_MORE)}"

    def plan(self) -> str:
        project = self.record.project
        about = self.kept(project.summary, PROJECT_LENGTH) if project.summary.strip() else ""
        looked = _say("We looked at a plan called “{title}”.", title=project.title)
        return f"{looked} {about}".strip()

    def decision(self) -> list[str]:
        d = self.record.decision
        if d is None:
            return [gettext("We have not made a decision yet.")]
        known = DECIDED.get(d.decision)
        decided = (
            gettext(known)
            if known
            else _say("Our decision: {meaning}", meaning=_finished(self.plain(d.meaning)))
        )
        parts = [decided]
        if d.reasoning.strip():
            parts.append(
                _say("Why we decided this: {reasons}", reasons=self.kept(d.reasoning, REASONING_LENGTH))
            )
        if d.is_departure and d.departure_reason.strip():
            parts.append(
                _say(
                    "This is not what our usual checklist pointed to. "
                    "We chose differently because: {reasons}",
                    reasons=self.kept(d.departure_reason, DEPARTURE_LENGTH),
                )
            )
        return parts

    def families(self, taking_part: dict[str, ParticipationItem]) -> str:
        """Young people, then parents and families: always said, asked or not."""
        out = []
        for group_id in (g for g in FAMILY_GROUPS if g in self.labels):
            item = taking_part.get(group_id)
            if item is None:
                out.append(
                    _say(
                        "We have not written down whether we asked {group}.",
                        group=_lower(self.labels[group_id]),
                    )
                )
                continue
            group = self.group(item)
            reason = self.kept(item.reason, SAID_LENGTH) if item.reason.strip() else ""
            out.append(_family_sentence(item.mode, group, reason) or _as_labelled(group, item.mode_label))
            if item.summary.strip() and item.mode != "not-involved":
                out.append(_heard(item.mode, group, self.kept(item.summary, SAID_LENGTH), family=True))
        return " ".join(out)

    def others(self, items: Iterable[ParticipationItem]) -> str:
        """Everyone else, grouped by how they took part (and, if not asked, why not)."""
        grouped: dict[tuple[str, str], list[ParticipationItem]] = {}
        for item in items:
            why = item.reason.strip() if item.mode == "not-involved" else ""
            reason = self.kept(why, SAID_LENGTH) if why else ""
            grouped.setdefault((item.mode, reason), []).append(item)
        out = []
        for (mode, reason), group in grouped.items():
            names = _and([self.group(i) for i in group])
            out.append(_others_sentence(mode, names, reason) or _as_labelled(names, group[0].mode_label))
        for (mode, _), group in grouped.items():
            for item in group:
                if item.summary.strip() and mode != "not-involved":
                    said = self.kept(item.summary, SAID_LENGTH)
                    out.append(_heard(mode, self.group(item), said, family=False))
        return " ".join(out)

    def risks(self) -> str:
        register: RegisterItem | None = self.record.register("risks")
        if register is None:
            return ""
        serious = []
        for row in register.rows:
            try:
                score = int(row.data.get("likelihood") or 0) * int(row.data.get("severity") or 0)
            except (TypeError, ValueError):
                continue
            if score >= 12 and row.data.get("status") in ("open", "accepted") and row.published:
                serious.append((score, row))
        if not serious:
            return ""
        serious.sort(key=lambda found: -found[0])
        count = len(serious)
        found = (
            gettext("We found one serious risk.")
            if count == 1
            else gettext("We found {number} serious risks.").format(number=_number(count))
        )
        out = [found]
        for _, row in serious[:RISKS_SHOWN]:
            description = str(row.data.get("description") or "").strip()
            mitigation = str(row.data.get("mitigation") or "").strip()
            risk = self.kept(description, RISK_LENGTH)
            out.append(
                _say("The risk: {risk}", risk=risk) if count == 1 else _say("One is: {risk}", risk=risk)
            )
            if mitigation:
                out.append(
                    _say("What we will do about it: {steps}", steps=self.kept(mitigation, RISK_LENGTH))
                )
        if count > RISKS_SHOWN:
            out.append(gettext("Read the full record for the others."))
        return " ".join(out)

    def voices(self) -> str:
        voices = self.record.voices
        if voices is None or not voices.items:
            return ""
        out = [gettext("Young people and families also answered our questions.")]
        for item in voices.items[:VOICES_SHOWN]:
            said = item.said.strip() or item.heading.strip()
            if said:
                out.append(_say("You told us: {said}", said=self.kept(said, SAID_LENGTH)))
            response = item.response.strip()
            if response and response != "Not recorded yet.":
                out.append(_say("What we did: {response}", response=self.kept(response, SAID_LENGTH)))
            else:
                out.append(gettext("We have not decided what to do about this yet."))
        if len(voices.items) > VOICES_SHOWN:
            out.append(gettext("Read the full record for everything you told us."))
        return " ".join(out)

    def draft(self) -> str:
        taking_part = {p.stakeholder: p for p in self.record.participation}
        others = [p for p in self.record.participation if p.stakeholder not in FAMILY_GROUPS]
        # In order of what matters most. The decision, its reasons and whether young people
        # and families were asked always stay; if the draft would not fit in the summary's
        # text box, whole parts go from the end, and the reader is sent to the record.
        parts = [p for p in (self.plan(), *self.decision(), self.families(taking_part)) if p]
        extras = [p for p in (self.others(others), self.risks(), self.voices()) if p]
        shortened = False
        read_more, ask = gettext(READ_MORE), gettext(ASK)
        while extras and len("\n\n".join([*parts, *extras, read_more, ask])) > DRAFT_LIMIT:
            extras.pop()
            shortened = True
        return "\n\n".join([*parts, *extras, *([read_more] if shortened else []), ask])


def _number(count: int) -> str:
    """A small number in English words; in figures in Welsh (whose number words change with
    the noun that follows)."""
    words = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    return words[count] if count < len(words) and current() == "en-gb" else str(count)


def draft_summary(record: DecisionRecord) -> str:
    """A first draft from the record. The lead should read it and make it their own."""
    return _Writer(record).draft()


def paragraphs(text: str) -> list[str]:
    """The paragraphs of a summary, split where a blank line was typed (a line of spaces
    counts as blank). A single line break stays inside its paragraph, to be shown as one."""
    return [p.strip() for p in _BLANK_LINE.split(text.replace("\r\n", "\n").replace("\r", "\n")) if p.strip()]


# --- how easy it is to read ---------------------------------------------------------------


@dataclass(frozen=True)
class HardSentence:
    text: str
    reading_age: int


@dataclass(frozen=True)
class Readability:
    reading_age: int
    limit: int
    hardest: tuple[HardSentence, ...]

    @property
    def too_hard(self) -> bool:
        return self.reading_age > self.limit


def _reading_age(text: str) -> int:
    grade = textstat.flesch_kincaid_grade(text)
    return max(5, round(grade + 5))


def readability(text: str, *, limit: int = READING_AGE_LIMIT, show: int = 3) -> Readability:
    if not text.strip():
        return Readability(0, limit, ())
    scored = [HardSentence(s, _reading_age(s)) for s in sentences(text)]
    hardest = sorted((s for s in scored if s.reading_age > limit), key=lambda s: -s.reading_age)[:show]
    return Readability(_reading_age(text), limit, tuple(hardest))
