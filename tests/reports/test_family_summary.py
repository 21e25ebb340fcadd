"""The family summary (“What we decided and why”) is honest about who was asked.

Each participation pattern is built through the services, as a lead would enter it, and
the draft is checked for the exact claims it makes about each group: who helped shape the
work, who was asked, who was spoken for, who was only told and who was not asked (and why).
Every draft is checked for framework ids, risk scores and jargon; copied reasoning is kept
in whole sentences; paragraphs typed by the lead survive on the page, in the PDF, on the
record page and in the Word file; and the lead can change the summary until it is signed.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from django.test import Client
from docx import Document
from pypdf import PdfReader

from trustworthy.appraisals import services
from trustworthy.appraisals.models import Appraisal
from trustworthy.appraisals.policy import Change, LockedError, may
from trustworthy.framework import default_framework
from trustworthy.organisations.models import Organisation
from trustworthy.reports import services as record_services
from trustworthy.reports import summary as summary_module
from trustworthy.reports.integrity import verify_everything
from trustworthy.reports.signing import signed_content, signed_contents
from trustworthy.reports.summary import (
    READ_MORE,
    draft_summary,
    paragraphs,
    readability,
    sentences,
    whole_thoughts,
)
from trustworthy.reviews import services as reviews

from ..appraisals.factories import fill_appraisal, make_project
from ..reviews.helpers import accept_all
from .summary_cases import (
    ASK,
    LABELS,
    OTHERS,
    REASONING_PLAIN,
    RISK_PLAIN,
    SAID,
    Pattern,
    make_case,
    person,
)

pytestmark = pytest.mark.django_db


def draft_of(appraisal: Appraisal) -> str:
    record = record_services.record_for(appraisal)
    assert record.summary is not None
    assert not record.summary.edited
    return record.summary.text


def assert_honest(text: str) -> None:
    """What every draft must be: no ids, no scores, no jargon; the reasoning whole; the
    serious risk in words; and short enough to save as it is."""
    assert re.findall(r"[A-Z]{1,3}\d", text) == []
    assert "score" not in text.lower()
    assert not re.search(r"\b20\b|\b\d{1,2}\s*(?:/|out of)\s*25\b|likelihood|severity", text, re.IGNORECASE)
    for jargon in ("mitigation", "stakeholder", "proceed", "framework", "participation", "co-produced"):
        assert jargon not in text.lower(), jargon
    assert REASONING_PLAIN in text
    assert RISK_PLAIN in text
    assert READ_MORE not in text  # nothing was left out
    assert len(text) <= 5_000
    assert text.startswith(
        "We looked at a plan called “Family group conferencing for every family”. "
        "Offer every family a family group conference before a child protection conference. "
        "Families lead the meeting and choose who comes."
    )
    assert "We decided to go ahead, with extra steps to make it safer." in text
    assert text.endswith(ASK)
    assert readability(text).reading_age > 0


def assert_never_spoke(text: str, *groups: str) -> None:
    """Nothing says these groups told us anything, or shaped the work."""
    for group in groups:
        label = LABELS[group]
        assert f"{label} told us" not in text, group
        assert f"{label} helped us" not in text, group
        assert f"people who spoke up for {label[0].lower() + label[1:]}" not in text, group


# --- every participation pattern --------------------------------------------------------------


def test_everyone_co_produced(organisation: Organisation) -> None:
    text = draft_of(make_case(organisation, {g: ("co-produced", "", SAID[g]) for g in LABELS}))
    assert_honest(text)
    assert (
        "Young people helped us plan and shape this work. "
        "They told us: Young people want to choose who comes. "
        "Parents and families helped us plan and shape this work. "
        "They told us: Parents want meetings at times they can make."
    ) in text
    assert (
        "Carers, practitioners, partner agencies and the wider community helped us plan and shape this work. "
        "Carers told us: Carers asked to be invited. "
        "Practitioners told us: Social workers want time to prepare. "
        "Partner agencies told us: Schools can lend rooms. "
        "The wider community told us: Local groups were told about the pilot."
    ) in text
    for claim in ("did not ask", "We told", "not written down", "spoke up for"):
        assert claim not in text


def test_young_people_not_asked_says_so_and_why(organisation: Organisation) -> None:
    reason = "The change is to how staff book meeting rooms, so no young person's plan changes."
    pattern: Pattern = {"young-people": ("not-involved", reason, "")}
    pattern |= {g: ("consulted", "", SAID[g]) for g in ("parents-and-families", *OTHERS)}
    text = draft_of(make_case(organisation, pattern))
    assert_honest(text)
    assert (
        "We did not ask young people what they thought. Our reason: The change is to how staff book meeting "
        "rooms, so no young person's plan changes. We asked parents and families what they thought. "
        "They told us: Parents want meetings at times they can make."
    ) in text
    assert (
        "We asked carers, practitioners, partner agencies and the wider community what they thought." in text
    )
    assert "Practitioners told us: Social workers want time to prepare." in text
    assert_never_spoke(text, "young-people")
    assert "Young people want to choose" not in text


def test_families_only_informed_are_never_said_to_have_spoken(organisation: Organisation) -> None:
    pattern: Pattern = {g: ("consulted", "", SAID[g]) for g in ("young-people", "carers", "practitioners")}
    pattern["parents-and-families"] = ("informed", "", "Letters went to every family on the waiting list.")
    pattern["partner-agencies"] = ("consulted", "", SAID["partner-agencies"])
    pattern["community"] = ("informed", "", "local groups were told about the pilot")
    text = draft_of(make_case(organisation, pattern))
    assert_honest(text)
    assert (
        "We asked young people what they thought. They told us: Young people want to choose who comes. "
        "We told parents and families about this work, but we did not ask what they thought. "
        "Our notes say: Letters went to every family on the waiting list."
    ) in text
    assert "We told the wider community about this work, but we did not ask what they thought." in text
    assert "Our notes about the wider community say: local groups were told about the pilot." in text
    # The wording found in practice: a group only told about the work "told us" something.
    assert "The wider community told us" not in text
    assert "They told us: Letters went" not in text
    assert_never_spoke(text, "parents-and-families", "community")


def test_nobody_involved_says_who_was_not_asked_and_why(organisation: Organisation) -> None:
    early = "This stage only looks at whether the idea is worth exploring."
    later = "We will plan who to involve at the next stage."
    pattern: Pattern = dict.fromkeys(("young-people", "parents-and-families"), ("not-involved", early, ""))
    pattern |= dict.fromkeys(OTHERS, ("not-involved", later, ""))
    text = draft_of(make_case(organisation, pattern))
    assert_honest(text)
    assert (
        f"We did not ask young people what they thought. Our reason: {early} "
        f"We did not ask parents and families what they thought. Our reason: {early}"
    ) in text
    assert (
        "We did not ask carers, practitioners, partner agencies and the wider community what they thought. "
        f"Our reason: {later}"
    ) in text
    assert "told us" not in text
    assert "We asked" not in text
    assert "helped us" not in text


def test_mixed_participation_says_how_each_group_took_part(organisation: Organisation) -> None:
    pattern: Pattern = {
        "young-people": ("co-produced", "", SAID["young-people"]),
        "parents-and-families": ("consulted", "", SAID["parents-and-families"]),
        "carers": ("represented", "", "The foster carers' association said carers want notice."),
        "practitioners": ("consulted", "", SAID["practitioners"]),
        "partner-agencies": ("informed", "", ""),
        "community": ("not-involved", "The change does not reach the wider community.", ""),
    }
    text = draft_of(make_case(organisation, pattern))
    assert_honest(text)
    assert (
        "Young people helped us plan and shape this work. "
        "They told us: Young people want to choose who comes. "
        "We asked parents and families what they thought. "
        "They told us: Parents want meetings at times they can make."
    ) in text
    assert (
        "Other people spoke up for carers. We asked practitioners what they thought. "
        "We told partner agencies about this work, but we did not ask what they thought. "
        "We did not ask the wider community what they thought. "
        "Our reason: The change does not reach the wider community. "
        "The people who spoke up for carers told us: The foster carers' association said carers want notice. "
        "Practitioners told us: Social workers want time to prepare."
    ) in text
    assert_never_spoke(text, "partner-agencies", "community")
    assert "Carers told us" not in text


def test_young_people_and_families_with_nothing_recorded(organisation: Organisation) -> None:
    """Saying nothing would let a reader assume they were asked."""
    appraisal = make_case(organisation, {})
    record = record_services.record_for(appraisal)
    others = tuple(p for p in record.participation if p.stakeholder in OTHERS)
    text = draft_summary(replace(record, participation=others))
    assert (
        "We have not written down whether we asked young people. "
        "We have not written down whether we asked parents and families."
    ) in text
    assert_never_spoke(text, "young-people", "parents-and-families")


# --- plain words and whole thoughts -----------------------------------------------------------


def test_ids_become_plain_words_and_scores_become_words(organisation: Organisation) -> None:
    plain = summary_module.PlainWords.for_record(
        record_services.record_for(make_case(organisation, {})), default_framework()
    )
    assert plain("This puts HR2 at risk.") == "This puts respecting the right to self-determination at risk."
    assert plain("Principle SJ1 matters most.") == "The principle of challenging discrimination matters most."
    assert plain("We answered P7 with care.") == "We answered our question on risks of harm with care."
    assert plain("It meets D3a.") == "It meets one of our tests of trustworthy innovation."
    assert plain("Families lead it (HR2, HR3).") == "Families lead it."
    assert plain("The risk scores 20.") == "The risk is serious."
    assert plain("The risk score is 9 out of 25.") == "The risk is medium."
    assert plain("Data sharing has a risk score of 16.") == "Data sharing has a serious risk."
    assert plain("The risk (likelihood 2, severity 2) is open.") == "The risk (a small risk) is open."
    # Not framework ids, and not risk scores: left as written.
    assert plain("Children in Year 9 scored 8 on the wellbeing scale.") == (
        "Children in Year 9 scored 8 on the wellbeing scale."
    )
    assert plain("Rooms in the M62 office (KS2).") == "Rooms in the M62 office (KS2)."
    assert plain("Each mitigation is owned.") == "Each safety step is owned."


LONG = [
    "We looked hard at how family group conferences have worked in other councils over ten years.",
    *(
        f"We read report number {n} from another council, which described how their meetings were set up."
        for n in range(1, 9)
    ),
    "We chose to go ahead because families in those councils said they felt listened to for the first time.",
    "But we also heard that some families felt rushed into the meeting.",
]


def test_long_reasoning_keeps_whole_thoughts_and_points_to_the_record(organisation: Organisation) -> None:
    long = " ".join(LONG)
    assert len(long) > summary_module.REASONING_LENGTH
    text = draft_of(make_case(organisation, {}, reasoning=long))
    part = next(p for p in paragraphs(text) if p.startswith("Why we decided this: "))
    kept = part.removeprefix("Why we decided this: ")
    assert kept.endswith(READ_MORE)
    kept_sentences = sentences(kept.removesuffix(READ_MORE))
    # Whole sentences only, in their order, and every one of them from the reasoning.
    assert kept_sentences == [s for s in LONG if s in kept_sentences]
    for sentence in LONG:
        assert sentence in kept or sentence[:30] not in kept, "a sentence was cut part way"
    # The first thought, the reason (with the thought that carries on from it) are kept.
    assert kept_sentences[0] == LONG[0]
    assert LONG[-2] in kept_sentences
    assert LONG[-1] in kept_sentences
    assert len(kept_sentences) < len(LONG)


def test_whole_thoughts_keeps_a_sentence_with_the_one_it_carries_on_from() -> None:
    text = "We said yes. It was close. Families asked for it. This means more meetings. We will review it."
    kept = whole_thoughts(text, 40)
    assert not kept.complete
    assert kept.text == "We said yes. It was close."  # "It was close." carries on from the first
    assert whole_thoughts(text, 500).text == text
    # Never mid-sentence, even when one thought is longer than the room for it.
    assert whole_thoughts("A very long first sentence that goes on. Then more.", 10).text == (
        "A very long first sentence that goes on. Then more."
    )


# --- paragraphs on the page, in the PDF, the record and the Word file -----------------------


TYPED = "First paragraph.\r\n\r\nSecond paragraph.\r\nA new line in it.\r\n \r\n\r\nThird paragraph."


def pdf_lines(content: bytes) -> list[str]:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_paragraphs_typed_by_the_lead_are_kept(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_case(organisation, {})
    lead = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/record/summary/"
    assert lead.post(url, {"summary": TYPED}).status_code == 302
    assert paragraphs(TYPED) == [
        "First paragraph.",
        "Second paragraph.\nA new line in it.",
        "Third paragraph.",
    ]

    page = lead.get(url).content.decode()
    assert '<p class="govuk-body-l">First paragraph.</p>' in page
    assert '<p class="govuk-body-l">Second paragraph.<br>A new line in it.</p>' in page
    assert '<p class="govuk-body-l">Third paragraph.</p>' in page
    assert "This summary is still a draft." in page
    assert "reading age of about" in page

    lines = pdf_lines(lead.get(f"/appraisals/{appraisal.pk}/record/summary.pdf").content)
    start = lines.index("First paragraph.")
    assert lines[start : start + 4] == [
        "First paragraph.",
        "Second paragraph.",
        "A new line in it.",
        "Third paragraph.",
    ]

    record = lead.get(f"/appraisals/{appraisal.pk}/record/").content.decode()
    assert '<p class="govuk-body">Second paragraph.<br>A new line in it.</p>' in record
    lines = pdf_lines(lead.get(f"/appraisals/{appraisal.pk}/record/decision-record.pdf").content)
    start = lines.index("First paragraph.")
    assert lines[start : start + 4] == [
        "First paragraph.",
        "Second paragraph.",
        "A new line in it.",
        "Third paragraph.",
    ]

    docx = Document(io.BytesIO(lead.get(f"/appraisals/{appraisal.pk}/record/decision-record.docx").content))
    texts = [p.text for p in docx.paragraphs]
    start = texts.index("First paragraph.")
    assert texts[start : start + 3] == [
        "First paragraph.",
        "Second paragraph.\nA new line in it.",
        "Third paragraph.",
    ]


def test_the_draft_has_its_paragraphs_on_the_page(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_case(organisation, {})
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/record/summary/").content.decode()
    shown = page.split('<div class="app-family-summary">')[1].split("</div>")[0]
    assert shown.count('<p class="govuk-body-l">') == len(paragraphs(draft_of(appraisal))) == 7
    assert '<p class="govuk-body-l">We decided to go ahead, with extra steps to make it safer. ' in shown
    assert f'<p class="govuk-body-l">{RISK_PLAIN}</p>' in shown
    assert "This is a first draft" in page
    assert "The lead can change it until the decision is signed." in page
    assert "<textarea" not in page  # viewers read it


# --- who may change it, and until when --------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "in-review", "changes-requested"])
def test_the_lead_can_change_the_summary_until_it_is_signed(
    status: str, client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_case(organisation, {})
    Appraisal.objects.filter(pk=appraisal.pk).update(status=status)
    assert may("lead", status, Change.SUMMARY)
    assert not may("reviewer", status, Change.SUMMARY)
    lead = client_as("lead")
    url = f"/appraisals/{appraisal.pk}/record/summary/"
    page = lead.get(url).content.decode()
    assert "<textarea" in page
    assert (
        "You can change it until the decision is signed. After that, it is part of the signed record." in page
    )
    assert lead.post(url, {"summary": f"Changed while {status}."}).status_code == 302
    assert f"Changed while {status}." in lead.get(url).content.decode()


@pytest.mark.parametrize("status", ["approved", "withdrawn"])
def test_the_summary_cannot_change_once_signed_or_withdrawn(status: str, organisation: Organisation) -> None:
    appraisal = make_case(organisation, {})
    Appraisal.objects.filter(pk=appraisal.pk).update(status=status)
    assert not may("lead", status, Change.SUMMARY)
    with pytest.raises(LockedError):
        record_services.save_summary(appraisal=appraisal, user=person("lead"), text="Too late.")


def test_check_answers_and_approval_pages_say_the_summary_is_still_a_draft(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    appraisal = make_case(organisation, {})
    link = f'href="/appraisals/{appraisal.pk}/record/summary/"'
    check = client_as("lead").get(f"/appraisals/{appraisal.pk}/check/").content.decode()
    assert (
        "“What we decided and why”, is still a draft. It can be changed until the decision is signed."
        in check
    )
    assert f"{link}>Read or change the summary for young people and families</a>" in check

    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    approver = client_as("approver")
    approval = approver.get(f"/appraisals/{appraisal.pk}/steps/approve/").content.decode()
    assert "is still a draft. The lead can change it until you sign." in approval
    assert f"{link}>Read the summary for young people and families before you sign</a>" in approval
    # In review, the lead can still change it.
    assert (
        client_as("lead")
        .post(f"/appraisals/{appraisal.pk}/record/summary/", {"summary": "Checked by the lead."})
        .status_code
        == 302
    )

    accept_all(appraisal)
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    check = client_as("lead").get(f"/appraisals/{appraisal.pk}/check/").content.decode()
    assert "is still a draft" not in check
    page = client_as("lead").get(f"/appraisals/{appraisal.pk}/record/summary/").content.decode()
    assert "part of the signed record and can no longer be changed" in page
    assert "Checked by the lead." in page


def test_check_answers_says_nothing_of_the_summary_before_the_decision(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    lead = person("lead")
    appraisal = fill_appraisal(
        services.start_appraisal(project=make_project(organisation, lead), stage="inception", user=lead), lead
    )
    check = client_as("lead").get(f"/appraisals/{appraisal.pk}/check/").content.decode()
    assert "family-summary-draft" not in check


# --- a signed draft stays as it was signed ----------------------------------------------------


def test_a_signed_draft_is_not_rewritten_when_drafts_are_written_differently(
    client_as: Callable[[str], Client], organisation: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    appraisal = make_case(organisation, {})
    reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    accept_all(appraisal)
    reviews.transition(appraisal=appraisal, name="approve", user=person("approver"))
    appraisal = Appraisal.objects.get(pk=appraisal.pk)
    signed = appraisal.signed_content["record"]["summary"]
    assert signed["edited"] is False
    assert "We decided to go ahead" in signed["text"]
    draft = make_case(organisation, {})

    monkeypatch.setitem(summary_module.DECIDED, "proceed-with-mitigations", "Worded another way now.")
    record_services.forget_records()
    assert "Worded another way now." in draft_of(draft)  # drafts not yet signed follow the wording
    assert draft_of(appraisal) == signed["text"]
    page = client_as("viewer").get(f"/appraisals/{appraisal.pk}/record/summary/").content.decode()
    assert "Worded another way now." not in page
    assert "We decided to go ahead, with extra steps to make it safer." in page
    assert signed_content(appraisal) == appraisal.signed_content
    assert signed_contents([appraisal])[appraisal.pk] == appraisal.signed_content
    assert verify_everything() == []
