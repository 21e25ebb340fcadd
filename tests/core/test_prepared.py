"""Querysets built once and run again (core.prepared) give what the queryset gives."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from trustworthy.core.prepared import Prepared
from trustworthy.organisations.models import Membership, Organisation, User

pytestmark = pytest.mark.django_db


def _memberships(user_id: int) -> QuerySet[Membership]:
    return Membership.objects.filter(user_id=user_id).select_related("user", "organisation")


def test_the_same_objects_as_the_queryset_with_their_relations(
    organisation: Organisation, other_organisation: Organisation
) -> None:
    user = User.objects.get(email="lead@council.test")
    Membership.objects.create(user=user, organisation=other_organisation, role="viewer")
    prepared: Prepared[Membership] = Prepared(_memberships)
    for _ in range(2):  # built on the first call, reused on the second
        with CaptureQueriesContext(connection) as queries:
            found = prepared(user.pk)
            names = [(m.organisation.name, m.user.email, m.role) for m in found]
        assert len(queries) == 1, "the relations come with the one query"
        expected = [(m.organisation.name, m.user.email, m.role) for m in _memberships(user.pk)]
        assert names == expected  # in the queryset's own order (organisation name)
        assert [m.pk for m in found] == [m.pk for m in _memberships(user.pk)]
        assert all(m._state.db == "default" and not m._state.adding for m in found)


def test_each_call_uses_its_own_values(organisation: Organisation) -> None:
    prepared: Prepared[Membership] = Prepared(_memberships)
    for user in User.objects.all():
        assert [m.pk for m in prepared(user.pk)] == [m.pk for m in _memberships(user.pk)]
    assert prepared(10**9) == []


def test_lists_of_ids_of_any_length(organisation: Organisation, other_organisation: Organisation) -> None:
    prepared: Prepared[Organisation] = Prepared(
        lambda ids: Organisation.objects.filter(pk__in=ids).order_by("name")
    )
    both = [organisation.pk, other_organisation.pk]
    assert prepared(both) == list(Organisation.objects.filter(pk__in=both).order_by("name"))
    assert prepared([organisation.pk]) == [organisation]
    assert prepared([organisation.pk, organisation.pk]) == [organisation]  # repeated ids, as Django
    with CaptureQueriesContext(connection) as queries:
        assert prepared([]) == []
    assert len(queries) == 0, "an empty list matches nothing, without a query"


def test_strings(organisation: Organisation) -> None:
    prepared: Prepared[User] = Prepared(lambda email: User.objects.filter(email=email))
    assert [u.email for u in prepared("lead@council.test")] == ["lead@council.test"]
    assert prepared("nobody@council.test") == []
    assert prepared("it's; -- not SQL") == []


def test_deferred_fields_load_when_read(organisation: Organisation) -> None:
    prepared: Prepared[Organisation] = Prepared(
        lambda pk: Organisation.objects.filter(pk=pk).defer("safeguarding_contact")
    )
    Organisation.objects.filter(pk=organisation.pk).update(safeguarding_contact="Call the duty team")
    (found,) = prepared(organisation.pk)
    assert found.get_deferred_fields() == {"safeguarding_contact"}
    with CaptureQueriesContext(connection) as queries:
        assert found.safeguarding_contact == "Call the duty team"
    assert len(queries) == 1


def test_a_value_that_is_not_passed_through_is_refused(organisation: Organisation) -> None:
    """If Django does not pass an argument to the database as it is, the SQL cannot be
    reused with other values: the first call says so instead of giving wrong results."""
    prepared: Prepared[Organisation] = Prepared(lambda pk: Organisation.objects.filter(pk=pk + 1))
    with pytest.raises(ValueError, match="does not pass its arguments"):
        prepared(organisation.pk)
