"""Post hoc evaluation: at the `evaluation` stage, what happened to each benefit and risk of
the project's approved earlier stage, what nobody expected, and lessons for others, written
through the one gate and shown on pages that work without JavaScript."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from trustworthy.appraisals import policy, services
from trustworthy.appraisals.models import Appraisal, Lessons, Outcome, RegisterRow, UnforeseenItem
from trustworthy.appraisals.policy import Change
from trustworthy.appraisals.selectors import evaluation_baseline, evaluation_of, outcome_counts
from trustworthy.core.models import AuditEvent
from trustworthy.reviews import services as reviews

from ..reviews.helpers import complete_appraisal, person
from .evaluation_factories import approve_evaluation, record_outcomes, start_evaluation
from .factories import ROWS, fill_appraisal

pytestmark = pytest.mark.django_db

EVIDENCE = "Care entries fell by a fifth in the pilot area."


def events(appraisal: Appraisal) -> int:
    return AuditEvent.objects.filter(appraisal_id=appraisal.pk).count()


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- what is carried forward ---------------------------------------------------------------------


def test_the_expectations_are_the_approved_stages_rows_not_copies(organisation) -> None:
    ev = start_evaluation(organisation)
    found = evaluation_of(ev.appraisal)
    assert found is not None
    assert found.baseline is not None
    assert found.baseline.pk == ev.baseline.pk
    assert [e.row.pk for e in found.benefits] == [r.pk for r in ev.benefits]
    assert [e.row.pk for e in found.risks] == [r.pk for r in ev.risks]
    assert all(e.row.appraisal_id == ev.baseline.pk for e in found.expectations)
    # The evaluation carried the rows forward too, as every next stage does, but those are
    # its own copies, which can still be edited: what happened is recorded against the
    # approved ones, and a copy is refused.
    copy = RegisterRow.objects.filter(appraisal=ev.appraisal, register="benefits").first()
    assert copy is not None
    with pytest.raises(services.ServiceError, match="carried forward from the approved stage"):
        services.save_outcome(
            appraisal=ev.appraisal, row_id=copy.pk, user=person("lead"), result="achieved", evidence=EVIDENCE
        )
    assert not Outcome.objects.exists()


def test_only_an_approved_stage_is_looked_back_on(organisation) -> None:
    """A later stage still in draft, with a benefit of its own, is not what was expected."""
    ev = start_evaluation(organisation)
    lead = person("lead")
    ev.appraisal.delete()
    development = services.start_appraisal(project=ev.baseline.project, stage="development", user=lead)
    extra = services.add_register_row(
        appraisal=development,
        register_id="benefits",
        data={**ROWS["benefits"], "description": "Not approved yet"},
        user=lead,
    )
    evaluation = services.start_appraisal(project=ev.baseline.project, stage="evaluation", user=lead)
    assert evaluation.previous_id == development.pk, "answers carry forward from the latest stage"
    assert evaluation_baseline(evaluation) == ev.baseline, "expectations come from the approved one"
    found = evaluation_of(evaluation)
    assert found is not None
    assert extra.pk not in {e.row.pk for e in found.expectations}
    with pytest.raises(services.ServiceError):
        services.save_outcome(
            appraisal=evaluation, row_id=extra.pk, user=lead, result="achieved", evidence=EVIDENCE
        )


def test_with_no_approved_stage_there_is_nothing_to_look_back_on(organisation) -> None:
    lead = person("lead")
    draft = complete_appraisal(organisation)
    evaluation = services.start_appraisal(
        project=draft.project,
        stage="evaluation",
        user=lead,
        reason="Looking back before any stage was signed.",
    )
    found = evaluation_of(evaluation)
    assert found is not None
    assert found.baseline is None
    assert found.expectations == ()
    # What nobody expected and the lessons can still be written down.
    services.add_unforeseen(appraisal=evaluation, user=lead, kind="harm", description="Waits grew.")
    services.save_lessons(appraisal=evaluation, user=lead, text="Ask families first.")
    found = evaluation_of(evaluation)
    assert found is not None
    assert len(found.unforeseen) == 1
    assert found.lessons is not None


def test_outcomes_are_recorded_only_at_the_evaluation_stage(organisation) -> None:
    appraisal = complete_appraisal(organisation)
    lead = person("lead")
    row = appraisal.register_rows.get(register="benefits")
    before = events(appraisal)
    attempts = [
        lambda: services.save_outcome(
            appraisal=appraisal, row_id=row.pk, user=lead, result="achieved", evidence=EVIDENCE
        ),
        lambda: services.add_unforeseen(appraisal=appraisal, user=lead, kind="harm", description="x"),
        lambda: services.save_lessons(appraisal=appraisal, user=lead, text="x"),
    ]
    for attempt in attempts:
        with pytest.raises(services.ServiceError, match="only at the post hoc evaluation stage"):
            attempt()
    assert events(appraisal) == before
    assert evaluation_of(appraisal) is None
    assert not (Outcome.objects.exists())
    assert not (UnforeseenItem.objects.exists())
    assert not (Lessons.objects.exists())


# --- writing, through the gate ---------------------------------------------------------------------


def test_each_write_is_one_audited_change(organisation) -> None:
    ev = start_evaluation(organisation)
    contributor = person("contributor")
    benefit, risk = ev.benefits[0], ev.risks[0]
    writes = [
        ("outcome.saved", lambda: services.save_outcome(
            appraisal=ev.appraisal, row_id=benefit.pk, user=contributor, result="achieved",
            evidence=EVIDENCE)),
        ("outcome.saved", lambda: services.save_outcome(
            appraisal=ev.appraisal, row_id=risk.pk, user=contributor, result="no",
            handling="The bypass for urgent cases worked.")),
        ("unforeseen.added", lambda: services.add_unforeseen(
            appraisal=ev.appraisal, user=contributor, kind="benefit", description="Schools asked for it.")),
        ("unforeseen.changed", lambda: services.change_unforeseen(
            item=UnforeseenItem.objects.get(), user=contributor, kind="benefit",
            description="Schools asked for it too.", handling="We told the education team.")),
        ("lessons.saved", lambda: services.save_lessons(
            appraisal=ev.appraisal, user=contributor, text="Start small.")),
        ("unforeseen.removed", lambda: services.remove_unforeseen(
            item=UnforeseenItem.objects.get(), user=contributor)),
    ]  # fmt: skip
    for action, write in writes:
        before = events(ev.appraisal)
        write()
        assert events(ev.appraisal) == before + 1, action
        newest = AuditEvent.objects.filter(appraisal_id=ev.appraisal.pk).order_by("-sequence")[0]
        assert (newest.action, newest.actor_id) == (action, contributor.pk)
    saved = Outcome.objects.get(row=benefit)
    assert (saved.appraisal_id, saved.register, saved.result, saved.evidence) == (
        ev.appraisal.pk, "benefits", "achieved", EVIDENCE,
    )  # fmt: skip
    assert Outcome.objects.get(row=risk).handling == "The bypass for urgent cases worked."
    assert Lessons.objects.get(appraisal=ev.appraisal).text == "Start small."
    assert not UnforeseenItem.objects.exists()


def test_what_happened_is_checked_against_the_kind_of_expectation(organisation) -> None:
    ev = start_evaluation(organisation)
    lead = person("lead")
    benefit, risk = ev.benefits[0].pk, ev.risks[0].pk
    refused = {
        "a risk's answer for a benefit": {"row_id": benefit, "result": "yes", "evidence": EVIDENCE},
        "a benefit's answer for a risk": {"row_id": risk, "result": "achieved", "handling": "Handled."},
        "a benefit with no evidence": {"row_id": benefit, "result": "achieved", "evidence": "  "},
        "a risk with no handling": {"row_id": risk, "result": "partly", "evidence": EVIDENCE},
        "a row that is not there": {"row_id": 999999, "result": "achieved", "evidence": EVIDENCE},
    }
    for case, values in refused.items():
        with pytest.raises(services.ServiceError):
            services.save_outcome(appraisal=ev.appraisal, user=lead, **values)
        assert not Outcome.objects.exists(), case
    with pytest.raises(services.ServiceError, match="harm or a benefit"):
        services.add_unforeseen(appraisal=ev.appraisal, user=lead, kind="other", description="x")
    with pytest.raises(services.ServiceError, match="Describe"):
        services.add_unforeseen(appraisal=ev.appraisal, user=lead, kind="harm", description=" ")
    for result in ("achieved", "partly-achieved", "not-achieved", "too-early"):
        services.save_outcome(
            appraisal=ev.appraisal, row_id=benefit, user=lead, result=result, evidence=EVIDENCE
        )
    for result in ("yes", "partly", "no"):
        services.save_outcome(appraisal=ev.appraisal, row_id=risk, user=lead, result=result, handling="H.")
    assert Outcome.objects.count() == 2, "one outcome for each row, changed in place"


def test_a_stale_save_is_a_conflict_carrying_what_the_other_person_saved(organisation) -> None:
    ev = start_evaluation(organisation)
    row = ev.benefits[0].pk
    first = services.save_outcome(
        appraisal=ev.appraisal, row_id=row, user=person("lead"), result="achieved", evidence=EVIDENCE,
        expected_version=0,
    )  # fmt: skip
    with pytest.raises(services.ConflictError) as conflict:
        services.save_outcome(
            appraisal=ev.appraisal, row_id=row, user=person("contributor"), result="not-achieved",
            evidence="Nothing changed.", expected_version=0,
        )  # fmt: skip
    assert conflict.value.current["evidence"] == EVIDENCE
    assert conflict.value.version == first.lock_version
    assert Outcome.objects.get().result == "achieved"


def test_the_change_policy_lets_those_who_answer_record_outcomes_while_editable() -> None:
    roles: tuple[str | None, ...] = ("viewer", "reviewer", "approver", "admin", None)
    for change in (Change.OUTCOME, Change.UNFORESEEN, Change.LESSONS):
        assert policy.RULES[change] == policy.RULES[Change.ANSWER]
        for role in ("lead", "contributor"):
            assert policy.may(role, "draft", change)
            assert policy.may(role, "changes-requested", change)
            assert not policy.may(role, "in-review", change)
            assert not policy.may(role, "approved", change)
        for other in roles:
            assert not policy.may(other, "draft", change), other


def test_roles_that_do_not_answer_are_refused(organisation, other_organisation) -> None:
    ev = start_evaluation(organisation)
    for role in ("viewer", "reviewer", "approver"):
        with pytest.raises(policy.NotPermitted):
            services.save_outcome(
                appraisal=ev.appraisal, row_id=ev.benefits[0].pk, user=person(role), result="achieved",
                evidence=EVIDENCE,
            )  # fmt: skip
        with pytest.raises(policy.NotPermitted):
            services.save_lessons(appraisal=ev.appraisal, user=person(role), text="x")
    with pytest.raises(policy.NotPermitted):  # another organisation's lead
        services.save_lessons(appraisal=ev.appraisal, user=person("lead", "trust"), text="x")


def test_an_evaluation_in_review_or_approved_refuses_every_change(organisation, other_organisation) -> None:
    ev = start_evaluation(organisation)
    record_outcomes(ev)
    lead = person("lead")
    item = UnforeseenItem.objects.get()
    attempts = [
        lambda: services.save_outcome(
            appraisal=ev.appraisal, row_id=ev.benefits[0].pk, user=lead, result="achieved", evidence="x"
        ),
        lambda: services.add_unforeseen(appraisal=ev.appraisal, user=lead, kind="harm", description="x"),
        lambda: services.change_unforeseen(item=item, user=lead, kind="harm", description="x"),
        lambda: services.remove_unforeseen(item=item, user=lead),
        lambda: services.save_lessons(appraisal=ev.appraisal, user=lead, text="x"),
    ]
    fill_appraisal(ev.appraisal, lead, rows_each=0)  # confirm what was carried forward
    reviews.transition(appraisal=ev.appraisal, name="submit", user=lead)
    for attempt in attempts:
        with pytest.raises(policy.LockedError, match="in review"):
            attempt()
    reviews.transition(appraisal=ev.appraisal, name="withdraw", user=lead, reason="Start again.")
    ev2 = start_evaluation(organisation)
    record_outcomes(ev2)
    approved = approve_evaluation(ev2)
    item = UnforeseenItem.objects.get(appraisal=approved)
    before = events(approved)
    for attempt in [
        lambda: services.save_outcome(
            appraisal=approved, row_id=ev2.benefits[0].pk, user=lead, result="achieved", evidence="x"
        ),
        lambda: services.add_unforeseen(appraisal=approved, user=lead, kind="harm", description="x"),
        lambda: services.change_unforeseen(item=item, user=lead, kind="harm", description="x"),
        lambda: services.remove_unforeseen(item=item, user=lead),
        lambda: services.save_lessons(appraisal=approved, user=lead, text="x"),
    ]:
        with pytest.raises(policy.LockedError, match="approved and locked"):
            attempt()
    assert events(approved) == before


def test_a_new_version_of_an_approved_evaluation_starts_from_what_it_recorded(organisation) -> None:
    ev = start_evaluation(organisation)
    record_outcomes(ev)
    approved = approve_evaluation(ev)
    new = reviews.start_new_version(appraisal=approved, user=person("lead"), reason="More evidence came in.")
    old, fresh = evaluation_of(approved), evaluation_of(new)
    assert old is not None
    assert fresh is not None
    assert fresh.baseline == old.baseline == ev.baseline
    assert [(e.row.pk, e.outcome and e.outcome.result) for e in fresh.expectations] == [
        (e.row.pk, e.outcome and e.outcome.result) for e in old.expectations
    ]
    assert [u.description for u in fresh.unforeseen] == [u.description for u in old.unforeseen]
    assert fresh.lessons is not None
    assert old.lessons is not None
    assert fresh.lessons.text == old.lessons.text
    services.save_outcome(
        appraisal=new, row_id=ev.benefits[0].pk, user=person("lead"), result="achieved", evidence="Later."
    )
    assert Outcome.objects.get(appraisal=approved, row=ev.benefits[0]).result == "partly-achieved"


# --- the pages ----------------------------------------------------------------------------------------


def test_the_task_list_of_an_evaluation_links_to_its_pages(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    page = text_of(client_as("viewer").get(f"/appraisals/{ev.appraisal.pk}/"))
    assert "Post hoc evaluation: what happened" in page
    assert f'href="/appraisals/{ev.appraisal.pk}/evaluation/"' in page
    assert f'href="/appraisals/{ev.appraisal.pk}/evaluation/lessons/"' in page
    assert f'href="/appraisals/{ev.appraisal.pk}/expected-against-realised/"' in page
    assert "0 of 4 benefits and risks recorded" in page
    services.save_outcome(
        appraisal=ev.appraisal, row_id=ev.risks[1].pk, user=person("lead"), result="no", handling="Watched."
    )
    assert "1 of 4 benefits and risks recorded" in text_of(
        client_as("viewer").get(f"/appraisals/{ev.appraisal.pk}/")
    )
    inception = text_of(client_as("viewer").get(f"/appraisals/{ev.baseline.pk}/"))
    assert "Post hoc evaluation" not in inception
    assert "/evaluation/" not in inception


def test_the_evaluation_page_lists_every_expected_benefit_and_risk(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    services.save_outcome(
        appraisal=ev.appraisal, row_id=ev.benefits[0].pk, user=person("lead"), result="too-early",
        evidence=EVIDENCE,
    )  # fmt: skip
    page = text_of(client_as("contributor").get(f"/appraisals/{ev.appraisal.pk}/evaluation/"))
    for row in (*ev.benefits, *ev.risks):
        assert f'href="/appraisals/{ev.appraisal.pk}/evaluation/outcomes/{row.pk}/"' in page
    assert page.count(ROWS["benefits"]["description"]) >= 2
    assert page.count(ROWS["risks"]["description"]) >= 2
    assert "Too early to say" in page
    assert EVIDENCE in page
    assert page.count("Not recorded yet") == 3
    assert "approved inception of the idea appraisal" in page
    # Someone who reads but does not answer sees it all, without the links to change it.
    viewer = text_of(client_as("viewer").get(f"/appraisals/{ev.appraisal.pk}/evaluation/"))
    assert "Too early to say" in viewer
    assert "/evaluation/outcomes/" not in viewer
    assert "Add something nobody expected" not in viewer


def test_recording_what_happened_works_without_javascript(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    client = client_as("contributor")
    url = f"/appraisals/{ev.appraisal.pk}/evaluation/outcomes/{ev.risks[0].pk}/"
    form = text_of(client.get(url))
    assert "What was expected" in form
    assert ROWS["risks"]["mitigation"] in form
    assert "Score (likelihood × severity)" in form
    assert ">8<" in form
    assert 'name="result"' in form
    assert 'name="handling"' in form
    assert "<script" not in form.split("<main")[1].split("</main>")[0], "nothing on the page needs a script"
    response = client.post(
        url,
        {"version": "0", "result": "partly", "handling": "Urgent cases now skip the wait.", "evidence": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/appraisals/{ev.appraisal.pk}/evaluation/"
    saved = Outcome.objects.get(row=ev.risks[0])
    assert (saved.result, saved.handling) == ("partly", "Urgent cases now skip the wait.")
    benefit = f"/appraisals/{ev.appraisal.pk}/evaluation/outcomes/{ev.benefits[0].pk}/"
    assert 'name="handling"' not in text_of(client.get(benefit))


def test_a_form_with_errors_says_what_to_fix_and_keeps_what_was_typed(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    url = f"/appraisals/{ev.appraisal.pk}/evaluation/outcomes/{ev.benefits[0].pk}/"
    response = client_as("contributor").post(
        url, {"version": "0", "evidence": "Fewer children came into care."}
    )
    page = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select what happened" in page
    assert 'href="#id_result"' in page
    assert "Fewer children came into care." in page
    response = client_as("contributor").post(url, {"version": "0", "result": "achieved", "evidence": ""})
    assert "Enter the evidence for what happened" in text_of(response)
    assert not Outcome.objects.exists()


def test_free_text_is_checked_for_personal_data_before_it_is_saved(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    client = client_as("contributor")
    url = f"/appraisals/{ev.appraisal.pk}/evaluation/unforeseen/add/"
    typed = {"version": "0", "kind": "harm", "description": "Jamie Smith, born 03/04/2012, waited a week.",
             "who_affected": "", "handling": ""}  # fmt: skip
    page = text_of(client.post(url, typed))
    assert "Check for personal details" in page
    assert "Nothing has been saved yet" in page
    assert "Jamie Smith, born 03/04/2012" in page, "what was typed is kept"
    assert not UnforeseenItem.objects.exists()
    digest = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', page)
    assert digest is not None
    response = client.post(url, {**typed, "personal_data_checked": digest.group(1)})
    assert response.status_code == 302, "kept after the warning, as on every other page"
    assert UnforeseenItem.objects.get().description == typed["description"]
    lessons = f"/appraisals/{ev.appraisal.pk}/evaluation/lessons/"
    page = text_of(client.post(lessons, {"version": "0", "text": "Call 07700 900123 for details."}))
    assert "Check for personal details" in page
    assert not Lessons.objects.exists()


def test_unforeseen_items_can_be_added_changed_and_removed(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    client = client_as("lead")
    base = f"/appraisals/{ev.appraisal.pk}/evaluation"
    add = {"version": "0", "kind": "benefit", "description": "Schools asked for it.",
           "who_affected": "Schools", "handling": ""}  # fmt: skip
    assert client.post(f"{base}/unforeseen/add/", add).status_code == 302
    item = UnforeseenItem.objects.get()
    change = {**add, "version": str(item.lock_version), "kind": "harm", "description": "Some waited longer."}
    assert client.post(f"{base}/unforeseen/{item.pk}/", change).status_code == 302
    item.refresh_from_db()
    assert (item.kind, item.description) == ("harm", "Some waited longer.")
    page = text_of(client.get(f"{base}/"))
    assert "A harm nobody expected" in page
    assert "Some waited longer." in page
    confirm = text_of(client.get(f"{base}/unforeseen/{item.pk}/remove/"))
    assert "Are you sure you want to remove this?" in confirm
    assert client.post(f"{base}/unforeseen/{item.pk}/remove/").status_code == 302
    assert not UnforeseenItem.objects.exists()
    assert client.post(f"{base}/lessons/", {"version": "0", "text": "Start small."}).status_code == 302
    assert Lessons.objects.get().text == "Start small."


def test_the_comparison_page_shows_expected_against_realised(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    record_outcomes(ev)
    page = text_of(client_as("viewer").get(f"/appraisals/{ev.appraisal.pk}/expected-against-realised/"))
    assert '<h1 class="govuk-heading-l">Expected against realised</h1>' in page
    benefits = page.split('id="compare-benefits"')[1].split("</table>")[0]
    risks = page.split('id="compare-risks"')[1].split("</table>")[0]
    assert benefits.count('<tr class="govuk-table__row">') == 3  # the header and two benefits
    assert f"How it will be measured: {ROWS['benefits']['measure']}" in benefits
    assert "When it is expected: Medium term" in benefits
    assert "Partly achieved" in benefits
    assert "Care entries fell in one of the two areas." in benefits
    assert "Mitigation: Urgent cases bypass" in risks
    assert "Score (likelihood × severity): 8" in risks
    assert "Partly" in risks
    assert "the bypass was made automatic" in risks
    assert "Schools began asking for family meetings too." in page
    assert "Measure waiting times from day one." in page


def test_evaluation_pages_are_not_found_at_other_stages(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    client = client_as("lead")
    draft = complete_appraisal(organisation)
    for path in (
        "evaluation/",
        "evaluation/unforeseen/add/",
        "evaluation/lessons/",
        "expected-against-realised/",
    ):
        assert client.get(f"/appraisals/{draft.pk}/{path}").status_code == 404, path
    # The approved inception: pages that only show things are not found; a page that would
    # change it says first that it is locked, whatever its stage.
    assert client.get(f"/appraisals/{ev.baseline.pk}/evaluation/").status_code == 404
    assert client.get(f"/appraisals/{ev.baseline.pk}/expected-against-realised/").status_code == 404
    assert client.get(f"/appraisals/{ev.baseline.pk}/evaluation/lessons/").status_code == 409
    copy = RegisterRow.objects.filter(appraisal=ev.appraisal).first()
    assert copy is not None
    missing = f"/appraisals/{ev.appraisal.pk}/evaluation/outcomes/{copy.pk}/"
    assert client.get(missing).status_code == 404, "the evaluation's own copies are not expectations"
    assert client.get(f"/appraisals/{ev.appraisal.pk}/evaluation/unforeseen/999999/").status_code == 404


def test_an_approved_evaluation_answers_every_write_with_the_locked_page(organisation) -> None:
    ev = start_evaluation(organisation)
    record_outcomes(ev)
    approved = approve_evaluation(ev)
    item = UnforeseenItem.objects.get(appraisal=approved)
    client = Client()
    client.force_login(person("contributor"))
    base = f"/appraisals/{approved.pk}/evaluation"
    before = events(approved)
    for url in (
        f"{base}/outcomes/{ev.benefits[0].pk}/", f"{base}/unforeseen/add/", f"{base}/unforeseen/{item.pk}/",
        f"{base}/unforeseen/{item.pk}/remove/", f"{base}/lessons/",
    ):  # fmt: skip
        response = client.post(url, {"version": "1", "result": "achieved", "evidence": "x", "text": "x"})
        assert response.status_code == 409, url
        assert "This appraisal is approved and locked" in response.content.decode()
    assert events(approved) == before
    page = text_of(client.get(f"{base}/"))
    assert "approved and locked" in page
    assert "/evaluation/outcomes/" not in page


def test_the_demo_has_an_evaluation_with_realised_outcomes() -> None:
    from trustworthy.demo import load_demo

    load_demo("a long demo password")
    appraisal = Appraisal.objects.get(
        project__title="Predictive analytics to target early help", stage="evaluation"
    )
    found = evaluation_of(appraisal)
    assert found is not None
    assert found.baseline is not None
    assert found.baseline.stage == "inception"
    assert found.recorded == len(found.expectations) == 11
    assert {e.outcome.result for e in found.benefits if e.outcome} == {
        "achieved", "partly-achieved", "not-achieved", "too-early",
    }  # fmt: skip
    assert {e.outcome.result for e in found.risks if e.outcome} == {"yes", "partly", "no"}
    assert {u.kind for u in found.unforeseen} == {"harm", "benefit"}
    assert found.lessons is not None
    assert "fairness report" in found.lessons.text


def test_outcomes_are_counted_by_register_and_result_in_one_query(
    organisation, django_assert_num_queries
) -> None:
    ev = start_evaluation(organisation)
    record_outcomes(ev)
    services.save_outcome(
        appraisal=ev.appraisal, row_id=ev.benefits[1].pk, user=person("lead"), result="achieved",
        evidence=EVIDENCE,
    )  # fmt: skip
    with django_assert_num_queries(1):
        counts = outcome_counts(Appraisal.objects.filter(organisation=organisation))
    assert counts == {
        ("benefits", "achieved"): 1, ("benefits", "partly-achieved"): 1, ("risks", "partly"): 2,
    }  # fmt: skip
    assert outcome_counts(Appraisal.objects.filter(pk=ev.baseline.pk)) == {}


# --- completeness ---------------------------------------------------------------------------------


def submit_refusal(appraisal: Appraisal) -> str:
    with pytest.raises(services.ServiceError) as refusal:
        reviews.transition(appraisal=appraisal, name="submit", user=person("lead"))
    assert Appraisal.objects.get(pk=appraisal.pk).status == "draft"
    return str(refusal.value)


def test_an_evaluation_goes_for_review_only_once_what_happened_and_the_lessons_are_recorded(
    organisation, client_as
) -> None:
    ev = start_evaluation(organisation)
    lead = person("lead")
    fill_appraisal(ev.appraisal, lead, rows_each=0)  # every question answered: only the evaluation is left
    refusal = submit_refusal(ev.appraisal)
    assert (
        "Record what happened to every benefit and risk that was expected: 4 of 4 are still to do." in refusal
    )
    assert "Write the lessons for others." in refusal
    assert "Answer every question" not in refusal
    for row in ev.benefits:
        services.save_outcome(
            appraisal=ev.appraisal, row_id=row.pk, user=lead, result="achieved", evidence=EVIDENCE
        )
    services.save_outcome(
        appraisal=ev.appraisal, row_id=ev.risks[0].pk, user=lead, result="no", handling="Watched."
    )
    assert "1 of 4 is still to do" in submit_refusal(ev.appraisal)
    # The page for the step says so before anyone tries it.
    step = text_of(client_as("lead").get(f"/appraisals/{ev.appraisal.pk}/steps/submit/"))
    assert "1 of 4 is still to do" in step
    assert "Write the lessons for others." in step
    services.save_outcome(
        appraisal=ev.appraisal, row_id=ev.risks[1].pk, user=lead, result="yes", handling="Fixed."
    )
    refusal = submit_refusal(ev.appraisal)
    assert "still to do" not in refusal
    assert refusal == "Write the lessons for others."
    services.save_lessons(appraisal=ev.appraisal, user=lead, text="Start small.")
    reviews.transition(appraisal=ev.appraisal, name="submit", user=lead)
    assert Appraisal.objects.get(pk=ev.appraisal.pk).status == "in-review"


def test_an_outcome_without_the_detail_its_kind_needs_holds_the_evaluation_back(organisation) -> None:
    """Outcomes saved on the web always have it; one loaded another way may not."""
    ev = start_evaluation(organisation)
    record_outcomes(ev)
    fill_appraisal(ev.appraisal, person("lead"), rows_each=0)
    Outcome.objects.filter(appraisal=ev.appraisal, row=ev.benefits[0]).update(evidence=" ")
    Outcome.objects.filter(appraisal=ev.appraisal, register="risks").update(handling="")
    refusal = submit_refusal(ev.appraisal)
    assert "Give the evidence for what happened to 1 benefit." in refusal
    assert "Say how 2 risks were handled." in refusal
    assert "still to do" not in refusal


def test_the_task_list_shows_how_far_the_evaluation_is_done(organisation, client_as) -> None:
    ev = start_evaluation(organisation)
    lead = person("lead")

    def tasks() -> dict[str, str]:
        page = text_of(client_as("viewer").get(f"/appraisals/{ev.appraisal.pk}/"))
        group = page.split("Post hoc evaluation: what happened")[1].split("</ul>")[0]
        return {
            name: group.split(name)[1].split("</li>")[0]
            for name in (
                "What happened to the benefits and risks expected",
                "Lessons for others",
                "Expected against realised",
            )
        }

    first = tasks()
    assert "Not started" in first["What happened to the benefits and risks expected"]
    assert "Not started" in first["Lessons for others"]
    record_outcomes(ev)
    Outcome.objects.filter(appraisal=ev.appraisal, row=ev.benefits[0]).update(evidence="")
    Lessons.objects.filter(appraisal=ev.appraisal).delete()
    held = tasks()
    assert (
        "4 of 4 benefits and risks recorded; 1 still without the evidence or handling needed"
        in held["What happened to the benefits and risks expected"]
    )
    assert "In progress" in held["What happened to the benefits and risks expected"]
    assert "Not started" in held["Lessons for others"]
    assert "In progress" in held["Expected against realised"]
    services.save_outcome(
        appraisal=ev.appraisal, row_id=ev.benefits[0].pk, user=lead, result="achieved", evidence=EVIDENCE
    )
    services.save_lessons(appraisal=ev.appraisal, user=lead, text="Start small.")
    done = tasks()
    assert all("Completed" in status for status in done.values()), done
