"""The family summary, publication, the organisation's members, commitments and
safeguarding line through the API: the same services as the web pages, with their rules."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from trustworthy.core.models import AuditEvent
from trustworthy.organisations.models import CommitmentStatement, Membership, User
from trustworthy.reports.models import Publication

from .conftest import ApiClient, make_token
from .endpoints import CRITERIA

pytestmark = pytest.mark.django_db


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


# --- criteria: one version for the whole set of ratings -----------------------------------


def test_a_stale_criteria_version_gets_409_with_the_current_ratings(world: dict[str, int]) -> None:
    lead, contributor = ApiClient(make_token("lead")), ApiClient(make_token("contributor"))
    url = f"/appraisals/{world['draft']}/criteria"
    opened = lead.get(url).json()
    theirs = {"ratings": {**CRITERIA["ratings"], "D1": {"rating": "not-met", "note": "Not yet."}}}
    saved = contributor.put(url, {**theirs, "version": opened["version"]})
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == opened["version"] + 1
    events = AuditEvent.objects.filter(action="criteria.rated").count()

    body = _problem(lead.put(url, {**CRITERIA, "version": opened["version"]}), 409)
    assert "saved this" in body["detail"]
    assert body["version"] == opened["version"] + 1
    assert body["current"]["D1"] == {"rating": "not-met", "note": "Not yet."}
    assert AuditEvent.objects.filter(action="criteria.rated").count() == events
    assert lead.get(url).json()["ratings"]["D1"]["rating"] == "not-met"

    # Sent again from the newest version, it is saved; without a version, it always is.
    again = lead.put(url, {**CRITERIA, "version": body["version"]})
    assert again.status_code == 200
    assert again.json()["ratings"]["D1"]["rating"] == "met"
    assert lead.put(url, CRITERIA).json()["version"] == body["version"] + 2


# --- the family summary ------------------------------------------------------------------------


def test_the_summary_is_read_by_all_and_written_by_leads_until_signed(world: dict[str, int]) -> None:
    lead, viewer = ApiClient(make_token("lead")), ApiClient(make_token("viewer"))
    url = f"/appraisals/{world['draft']}/summary"
    draft = viewer.get(url).json()
    assert draft["edited"] is False
    assert draft["text"]
    assert draft["reading_age_limit"] >= draft["reading_age"] or draft["hardest"]

    text = "We decided to try family meetings.\n\nYou told us you wanted to be heard."
    saved = lead.put(url, {"text": text})
    assert saved.status_code == 200
    assert (saved.json()["text"], saved.json()["edited"], saved.json()["updated_by"]) == (
        text, True, "Lead of Northshire Council",
    )  # fmt: skip
    assert viewer.get(url).json()["text"] == text
    assert AuditEvent.objects.filter(action="summary.saved", appraisal_id=world["draft"]).count() == 1
    assert lead.get(f"/appraisals/{world['draft']}/record").json()["summary"]["text"] == text

    # Personal data is caught unless confirmed; blank goes back to the draft.
    named = "Jack Smith (born 12/03/2012) liked the meetings."
    assert "personal_data" in _problem(lead.put(url, {"text": named}), 422)
    assert lead.put(url, {"text": named, "confirm_personal_data": True}).status_code == 200
    assert lead.put(url, {"text": ""}).json()["edited"] is False

    _problem(viewer.put(url, {"text": "Mine."}), 403)
    locked = _problem(lead.put(f"/appraisals/{world['approved']}/summary", {"text": "Changed."}), 409)
    assert "approved" in locked["detail"]
    pdf = viewer.get(f"/appraisals/{world['approved']}/summary.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


# --- publication -------------------------------------------------------------------------------


def test_a_record_is_published_replaced_and_withdrawn_with_reasons(world: dict[str, int]) -> None:
    lead = ApiClient(make_token("lead"))
    draft, approved = world["draft"], world["approved"]

    # Not approved yet: 409, saying why.
    not_yet = _problem(lead.post(f"/appraisals/{draft}/publication"), 409)
    assert "Only an approved decision record can be published" in not_yet["detail"]
    _problem(ApiClient(make_token("viewer")).get(f"/appraisals/{approved}/publication"), 403)

    state = lead.get(f"/appraisals/{approved}/publication").json()
    assert state["live"] is None
    assert state["problems"] == []
    keys = {item["key"] for item in state["items"]}
    assert "project.problem" in keys

    unknown = _problem(
        lead.put(f"/appraisals/{approved}/publication/exclusions", {"not_for_publication": ["no.such"]}), 422
    )
    assert "Choose items from the list" in unknown["detail"]
    chosen = lead.put(
        f"/appraisals/{approved}/publication/exclusions", {"not_for_publication": ["project.problem"]}
    )
    assert chosen.json()["not_for_publication"] == ["project.problem"]

    published = lead.post(f"/appraisals/{approved}/publication")
    assert published.status_code == 201
    live = published.json()["live"]
    assert live["public_url"].endswith(f"/register/records/{approved}/")
    stored = Publication.objects.get(pk=live["id"])
    assert (
        stored.document["project"]["problem"]
        != lead.get(f"/appraisals/{approved}/record").json()["project"]["problem"]
    )
    feed = ApiClient(None).client.get("/register/feed.json").json()
    assert [r["document_hash"] for r in feed["records"]] == [live["document_hash"]]
    again = _problem(lead.post(f"/appraisals/{approved}/publication"), 422)
    assert "already published" in again["detail"]

    _problem(lead.post(f"/appraisals/{approved}/publication/replace", {"reason": ""}), 422)
    _problem(lead.post(f"/appraisals/{approved}/publication/replace", {"reason": "   "}), 422)
    replaced = lead.post(
        f"/appraisals/{approved}/publication/replace", {"reason": "We left more out."}
    ).json()
    assert replaced["live"]["id"] != live["id"]
    assert [(p["id"], p["withdrawn_reason"]) for p in replaced["earlier"]] == [
        (live["id"], "We left more out.")
    ]

    withdrawn = lead.post(f"/appraisals/{approved}/publication/withdraw", {"reason": "Published too early."})
    assert withdrawn.json()["live"] is None
    assert len(withdrawn.json()["earlier"]) == 2
    assert ApiClient(None).client.get("/register/feed.json").json()["records"] == []
    nothing = _problem(lead.post(f"/appraisals/{approved}/publication/withdraw", {"reason": "Again."}), 422)
    assert "not published" in nothing["detail"]
    actions = AuditEvent.objects.filter(appraisal_id=approved, action__startswith="record.")
    assert sorted(actions.values_list("action", flat=True)) == [
        "record.published", "record.republished", "record.withdrawn",
    ]  # fmt: skip


# --- members -----------------------------------------------------------------------------------


def test_admins_invite_change_and_remove_members(world: dict[str, int], organisation: Any) -> None:
    admin = ApiClient(make_token("admin"))
    listed = admin.get("/organisation/members?limit=100").json()["items"]
    assert {m["email"] for m in listed} >= {"lead@council.test", "invited@council.test"}
    assert next(m for m in listed if m["email"] == "invited@council.test")["has_password"] is False

    mail.outbox.clear()
    invited = admin.post(
        "/organisation/members",
        {"email": "New.Person@Council.test", "full_name": "New Person", "role": "lead"},
    )
    assert invited.status_code == 201
    body = invited.json()
    assert (body["member"]["email"], body["member"]["role"], body["new_account"], body["email_sent"]) == (
        "new.person@council.test", "lead", True, True,
    )  # fmt: skip
    assert mail.outbox[0].to == ["new.person@council.test"]
    assert "/accounts/set-password/" in mail.outbox[0].body
    twice = _problem(
        admin.post(
            "/organisation/members",
            {"email": "new.person@council.test", "full_name": "New Person", "role": "lead"},
        ),
        422,
    )
    assert "already a member" in twice["detail"]
    _problem(admin.post("/organisation/members", {"email": "nope", "full_name": "X", "role": "lead"}), 422)

    member = body["member"]["id"]
    assert admin.put(f"/organisation/members/{member}", {"role": "viewer"}).json()["role"] == "viewer"
    assert Membership.objects.get(pk=member).role == "viewer"
    assert admin.post(f"/organisation/members/{member}/invitation").status_code == 200
    assert len(mail.outbox) == 2
    lead = Membership.objects.get(user__email="lead@council.test")
    has_password = _problem(admin.post(f"/organisation/members/{lead.pk}/invitation"), 422)
    assert "already created a password" in has_password["detail"]

    own = Membership.objects.get(user__email="admin@council.test")
    last = _problem(admin.put(f"/organisation/members/{own.pk}", {"role": "lead"}), 422)
    assert "only admin" in last["detail"]
    _problem(admin.delete(f"/organisation/members/{own.pk}"), 422)

    assert admin.delete(f"/organisation/members/{member}").status_code == 204
    assert not Membership.objects.filter(pk=member).exists()
    assert User.objects.filter(email="new.person@council.test").exists()
    _problem(admin.get(f"/organisation/members/{member}"), 404)
    person = User.objects.get(email="new.person@council.test")
    trail = AuditEvent.objects.filter(target=f"member:{person.pk}").order_by("id")
    assert list(trail.values_list("action", flat=True)) == [
        "member.invited", "member.role-changed", "member.removed",
    ]  # fmt: skip


def test_members_are_for_admins_and_for_their_own_organisation_only(
    world: dict[str, int], other_organisation: Any
) -> None:
    invited = f"/organisation/members/{world['member']}"
    # An admin's token with the viewer role acts as a viewer.
    as_viewer = ApiClient(make_token("admin", token_role="viewer"))
    _problem(as_viewer.get("/organisation/members"), 403)
    _problem(as_viewer.put(invited, {"role": "lead"}), 403)
    _problem(ApiClient(make_token("lead")).delete(invited), 403)
    # Another organisation's admin: the member is not there at all.
    outsider = ApiClient(make_token("admin", "trust"))
    for method, body in (("get", None), ("put", {"role": "lead"}), ("delete", None)):
        _problem(outsider.call(method, invited, body), 404)
    _problem(outsider.post(f"{invited}/invitation"), 404)
    emails = {m["email"] for m in outsider.get("/organisation/members?limit=100").json()["items"]}
    assert emails == {f"{role}@trust.test" for role in ("admin", "lead", "contributor", "reviewer",
                                                        "approver", "viewer")}  # fmt: skip
    assert Membership.objects.get(pk=world["member"]).role == "viewer"


# --- ethical commitments and the safeguarding line ---------------------------------------------


def test_commitments_are_versioned_and_never_overwritten(world: dict[str, int]) -> None:
    admin, viewer = ApiClient(make_token("admin")), ApiClient(make_token("viewer"))
    first = viewer.get("/organisation/commitments/current").json()
    assert (first["version"], first["text"]) == (1, "We put children and families first.")
    assert viewer.get("/organisation").json()["commitments"]["version"] == 1

    same = _problem(admin.post("/organisation/commitments", {"text": first["text"]}), 422)
    assert "the same as version 1" in same["detail"]
    _problem(admin.post("/organisation/commitments", {"text": "   "}), 422)
    _problem(ApiClient(make_token("lead")).post("/organisation/commitments", {"text": "New."}), 403)

    second = admin.post(
        "/organisation/commitments", {"text": "We put children first.\n\nWe say why.", "change_note": "Why."}
    )
    assert second.status_code == 201
    assert second.json()["version"] == 2
    assert viewer.get("/organisation/commitments/current").json()["version"] == 2
    assert viewer.get("/organisation/commitments/1").json()["text"] == first["text"]
    assert [v["version"] for v in viewer.get("/organisation/commitments").json()["items"]] == [1, 2]
    _problem(viewer.get("/organisation/commitments/3"), 404)
    assert CommitmentStatement.objects.count() == 2
    assert AuditEvent.objects.filter(action="commitments.recorded").count() == 2


def test_no_commitments_yet_is_a_404_that_says_so(organisation: Any) -> None:
    body = _problem(ApiClient(make_token("viewer")).get("/organisation/commitments/current"), 404)
    assert "has not written its ethical commitments yet" in body["detail"]
    assert ApiClient(make_token("viewer")).get("/organisation").json()["commitments"] is None


def test_admins_set_the_safeguarding_line(world: dict[str, int]) -> None:
    admin = ApiClient(make_token("admin"))
    before = admin.get("/organisation/safeguarding").json()
    assert before["text"] == ""
    assert before["shown"]  # the standard line

    line = "If you are worried about your safety, call our children's services on 0100 000 0000."
    found = _problem(admin.put("/organisation/safeguarding", {"text": line}), 422)
    assert found["personal_data"]
    saved = admin.put("/organisation/safeguarding", {"text": line, "confirm_personal_data": True}).json()
    assert saved == {"text": line, "shown": line}
    assert AuditEvent.objects.filter(action="safeguarding.changed").count() == 1
    _problem(admin.put("/organisation/safeguarding", {"text": "x" * 501}), 422)
    _problem(ApiClient(make_token("lead")).get("/organisation/safeguarding"), 403)
    _problem(ApiClient(make_token("lead")).put("/organisation/safeguarding", {"text": "Mine."}), 403)
