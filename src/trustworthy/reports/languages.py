"""A decision record in the reader's language (English or Welsh).

The record's document is always the English one: that is what is signed, published and
exported as JSON. A record page, PDF or Word file asked for in Welsh shows the same
document with the framework's wording (stages, section and question titles and texts,
answers, decisions, groups, principles, registers) taken from the edition's Welsh where it
has them (`Framework.translated`), and the record's own headings from the Welsh catalogue
(the templates' gettext). What people typed is shown as they typed it.
"""

from __future__ import annotations

from dataclasses import replace

from trustworthy.appraisals.frameworks import framework_for
from trustworthy.core.language import DEFAULT, SWITCH, current

from .document import DecisionRecord, QuestionItem, SectionItem


def language_context() -> dict[str, str]:
    """What a standalone record or summary (PDF, HTML export) needs to say its language in
    `<html lang>`: nothing in English, whose documents are as they always were."""
    return {} if current() == DEFAULT else {"html_lang": SWITCH[current()][2]}


def in_language(record: DecisionRecord, language: str) -> DecisionRecord:
    """`record` with the framework's wording in `language`, where its edition has it."""
    if language == DEFAULT:
        return record
    try:
        fw = framework_for(record.framework_id, record.framework_version)
    except LookupError:  # an edition not installed here: the record's own (English) words
        return record
    if language not in fw.translations:
        return record

    def words(vocabulary: str, item_id: str, english: str, part: str = "title") -> str:
        return fw.translated(vocabulary, item_id, language, part) or english

    def question(q: QuestionItem) -> QuestionItem:
        answers = tuple(
            replace(a, value_label=words("answer_scale", a.value, a.value_label)) if a.value_label else a
            for a in q.answers
        )
        return replace(
            q,
            label=words("questions", q.id, q.label),
            text=words("questions", q.id, q.text, "text"),
            answers=answers,
        )

    def section(s: SectionItem) -> SectionItem:
        return replace(s, title=words("sections", s.id, s.title), questions=tuple(map(question, s.questions)))

    decision = record.decision
    if decision is not None:
        decision = replace(decision, name=words("decisions", decision.decision, decision.name))
    route = replace(
        record.route,
        allowed_names=tuple(
            words("decisions", d, name)
            for d, name in zip(record.route.allowed, record.route.allowed_names, strict=False)
        ),
    )
    principles = tuple(
        replace(
            r,
            principle_name=words("principles", r.principle_id, r.principle_name),
            cluster_name=words("principle_clusters", r.cluster, r.cluster_name),
            rating_label=words("principle_ratings", r.rating, r.rating_label),
        )
        for r in record.principles
    )
    participation = tuple(
        replace(
            p,
            stakeholder_label=words("stakeholders", p.stakeholder, p.stakeholder_label),
            mode_label=words("participation_modes", p.mode, p.mode_label),
        )
        for p in record.participation
    )
    return replace(
        record,
        stage_name=words("stages", record.stage, record.stage_name),
        sections=tuple(map(section, record.sections)),
        registers=tuple(replace(r, name=words("registers", r.id, r.name)) for r in record.registers),
        principles=principles,
        participation=participation,
        route=route,
        decision=decision,
    )
