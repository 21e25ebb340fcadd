"""The organisation's ethical commitments: every save is a new version, nothing is overwritten."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from trustworthy.organisations.models import CommitmentStatement, Organisation

from .test_kept_work import working_when_the_session_expires

pytestmark = pytest.mark.django_db

PAGE = "/organisation/commitments/"
EDIT = "/organisation/commitments/edit/"
KEPT = "You were signed out. We kept what you typed: check it and save again."


def versions(organisation: Organisation) -> list[tuple[int, str, str]]:
    return list(
        CommitmentStatement.objects.filter(organisation=organisation)
        .order_by("version")
        .values_list("version", "text", "change_note")
    )


def test_before_any_commitments_the_page_says_so(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    html = client_as("viewer").get(PAGE).content.decode()
    assert "Northshire Council has not written its ethical commitments yet" in html
    assert EDIT not in html  # a viewer is not offered the edit page
    assert "Write the commitments" in client_as("admin").get(PAGE).content.decode()


def test_two_edits_make_versions_1_and_2_and_version_1_stays_readable(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    admin = client_as("admin")
    first = admin.post(EDIT, {"text": "We listen to children.", "change_note": ""}, follow=True)
    assert first.redirect_chain[-1] == (PAGE, 302)
    assert "Version 1 of the ethical commitments has been saved" in first.content.decode()

    form = admin.get(EDIT).content.decode()
    assert "We listen to children." in form  # editing starts from the current text
    assert "Saving creates version 2" in form
    admin.post(
        EDIT,
        {"text": "We listen to children\r\nand act on what they say.", "change_note": "Say we act on it"},
    )

    assert versions(organisation) == [
        (1, "We listen to children.", ""),
        (2, "We listen to children\nand act on what they say.", "Say we act on it"),
    ]
    page = client_as("viewer").get(PAGE).content.decode()
    assert "We listen to children<br>and act on what they say." in page
    assert "Version 2, saved by Admin of Northshire Council" in page
    assert "What changed: Say we act on it" in page
    assert 'href="/organisation/commitments/1/"' in page

    old = client_as("viewer").get("/organisation/commitments/1/").content.decode()
    assert "We listen to children." in old
    assert "This is an earlier version" in old
    current = client_as("viewer").get("/organisation/commitments/2/").content.decode()
    assert "This is the current version" in current
    assert client_as("viewer").get("/organisation/commitments/3/").status_code == 404


def test_the_organisation_page_shows_the_current_commitments(
    client_as: Callable[[str], Client], commitments: CommitmentStatement
) -> None:
    html = client_as("viewer").get("/organisation/").content.decode()
    assert "Northshire Council" in html
    assert "Local authority" in html
    assert "North West" in html
    assert "Viewer" in html
    assert "We put children’s rights first." in html
    assert "Version 1, saved by Admin of Northshire Council" in html
    assert "/organisation/commitments/" in html
    assert EDIT not in html
    assert "/organisation/members/" not in html
    admin_html = client_as("admin").get("/organisation/").content.decode()
    assert EDIT in admin_html
    assert "/organisation/members/" in admin_html
    assert "/organisation/members/invite/" in admin_html


def test_a_new_version_needs_a_note_of_what_changed(
    client_as: Callable[[str], Client], organisation: Organisation, commitments: CommitmentStatement
) -> None:
    response = client_as("admin").post(EDIT, {"text": "Something else.", "change_note": ""})
    assert response.status_code == 200
    assert "Enter a short note about what changed" in response.content.decode()
    assert "Something else." in response.content.decode()
    assert len(versions(organisation)) == 1


def test_saving_the_same_text_again_makes_no_new_version(
    client_as: Callable[[str], Client], organisation: Organisation, commitments: CommitmentStatement
) -> None:
    response = client_as("admin").post(EDIT, {"text": commitments.text, "change_note": "Nothing"})
    assert response.status_code == 200
    assert "The commitments are the same as version 1" in response.content.decode()
    assert len(versions(organisation)) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Enter your organisation’s ethical commitments"),
        ("   \n  ", "Enter your organisation’s ethical commitments"),
        ("x" * 10_001, "Ethical commitments must be 10,000 characters or fewer"),
        ("a\x00b", "Null characters are not allowed"),
    ],
    ids=["empty", "only spaces", "too long", "NUL byte"],
)
def test_text_that_cannot_be_saved_gets_a_message_not_a_crash(
    client_as: Callable[[str], Client], organisation: Organisation, text: str, message: str
) -> None:
    response = client_as("admin").post(EDIT, {"text": text, "change_note": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert 'href="#id_text"' in html
    assert versions(organisation) == []


def test_the_limit_counts_line_breaks_as_the_character_count_does(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    text = "\r\n".join(["x" * 99] * 100)  # 9,900 characters and 99 line breaks: 9,999
    response = client_as("admin").post(EDIT, {"text": text, "change_note": ""})
    assert response.status_code == 302
    assert len(versions(organisation)[0][1]) == 9_999


def test_a_long_note_gets_a_message(client_as: Callable[[str], Client], organisation: Organisation) -> None:
    response = client_as("admin").post(EDIT, {"text": "Fine.", "change_note": "n" * 301})
    assert "What changed must be 300 characters or fewer" in response.content.decode()
    assert versions(organisation) == []


def test_work_typed_before_the_session_expired_comes_back_unsaved(
    client: Client, organisation: Organisation, commitments: CommitmentStatement
) -> None:
    typed = {"text": "A long statement typed over an hour.", "change_note": "Rewritten after the panel"}
    working_when_the_session_expires(client, "admin@council.test", EDIT)
    response = client.post(EDIT, typed)  # the session has expired: nobody is signed in
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={EDIT}"

    response = client.post(
        "/accounts/login/", {"email": "admin@council.test", "password": PASSWORD, "next": EDIT}
    )
    assert response["Location"] == EDIT

    html = client.get(EDIT).content.decode()
    assert KEPT in html
    assert "A long statement typed over an hour." in html
    assert 'value="Rewritten after the panel"' in html
    assert len(versions(organisation)) == 1  # nothing was saved

    again = client.get(EDIT).content.decode()  # the kept work is handed back once
    assert KEPT not in again
    assert "A long statement typed over an hour." not in again

    client.post(EDIT, typed)
    assert versions(organisation)[-1][:2] == (2, "A long statement typed over an hour.")


def test_kept_work_is_only_shown_on_the_page_it_was_typed_on(
    client: Client, organisation: Organisation, commitments: CommitmentStatement
) -> None:
    working_when_the_session_expires(client, "admin@council.test", EDIT)
    client.post(EDIT, {"text": "Typed here.", "change_note": "x"})
    client.post("/accounts/login/", {"email": "admin@council.test", "password": PASSWORD})
    assert KEPT not in client.get("/organisation/members/invite/").content.decode()
    assert "Typed here." in client.get(EDIT).content.decode()


def test_the_commitments_are_checked_for_personal_data_before_a_version_is_saved(
    client_as: Callable[[str], Client], organisation: Organisation
) -> None:
    admin = client_as("admin")
    typed = {"text": "Ask Mrs Jane Smith before any change.", "change_note": ""}
    warned = admin.post(EDIT, {**typed, "personal_data_checked": "1"})  # a flag is not a check
    assert warned.status_code == 200
    html = warned.content.decode()
    assert "Check for personal details" in html
    assert "“Mrs Jane Smith” looks like the name of a person" in html
    assert versions(organisation) == []
    digest = re.search(r'name="personal_data_checked" value="([0-9a-f]+)"', html)
    assert digest
    assert admin.post(EDIT, {**typed, "personal_data_checked": digest.group(1)}).status_code == 302
    assert versions(organisation) == [(1, "Ask Mrs Jane Smith before any change.", "")]
