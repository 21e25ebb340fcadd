"""Installed framework editions, the one each organisation's new appraisals use, and
its local questions.

An edition is stored as the validated file, exactly as installed (`Edition.content`), so
every process of the service reads the same wording. Editions are never edited: an
organisation's local questions make a new edition, derived from the edition it chose
(its base) plus one section of questions of its own (`L1`, `L2`…), and the organisation's
new appraisals use it. Appraisals already started keep theirs.

Local questions live in their own section and namespace, so they can never change a
published question, its id or the decision logic: the loader checks every derived
edition exactly as `trustworthy framework validate` checks a file.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from trustworthy.core import text as bounded
from trustworthy.framework import Framework, default_framework, framework_to_dict, load_framework_text
from trustworthy.framework.model import Question

from .changes import changing_organisation
from .models import ChosenEdition, Edition, Organisation, User
from .permissions import Action
from .services import ServiceError

__all__ = [
    "LOCAL_SECTION",
    "LocalQuestion",
    "add_local_question",
    "available",
    "choose_edition",
    "chosen_key",
    "current_edition",
    "forget_parsed",
    "install",
    "local_questions",
    "parsed",
]

LOCAL_SECTION = "local-questions"
LOCAL_ID = re.compile(r"^L([0-9]+)$")
KINDS = ("closed", "open")

# Parsed editions of this process. An installed edition never changes, so what was parsed
# once stays right (the key is checked against the stored digest on first read only).
_PARSED: dict[tuple[str, str], Framework] = {}


def digest(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def parsed(framework_id: str, version: str) -> Framework | None:
    """An installed edition, or None if this service has no edition by that id and version."""
    key = (framework_id, version)
    if key not in _PARSED:
        content = (
            Edition.objects.filter(framework_id=framework_id, version=version)
            .values_list("content", flat=True)
            .first()
        )
        if content is None:
            return None
        _PARSED[key] = load_framework_text(content, f"{framework_id}@{version}")
    return _PARSED[key]


def forget_parsed() -> None:
    """Drop this process's parsed editions (tests whose database is rolled back)."""
    _PARSED.clear()


def _builtin_key() -> tuple[str, str]:
    fw = default_framework()
    return fw.id, fw.version


# --- installing an edition -----------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    edition: Edition
    created: bool  # False: the same file was already installed for the same organisations


def install(
    content: str, *, filename: str = "<string>", organisation: Organisation | None = None, actor: Any = None
) -> Installed:
    """Install a framework file for every organisation (`organisation` None) or for one.

    The file is checked as `trustworthy framework validate` checks it (FrameworkError lists
    every problem). An id and version already installed with other content, or for other
    organisations, is refused: appraisals name an edition by its id and version alone.
    """
    framework = load_framework_text(content, filename)
    if (framework.id, framework.version) == _builtin_key():
        raise ServiceError(
            f"{framework.key} is the built-in edition: give your edition its own id or version"
        )
    found = Edition.objects.filter(framework_id=framework.id, version=framework.version).first()
    if found is not None:
        if found.digest == digest(content) and found.organisation_id == (
            organisation.pk if organisation else None
        ):
            return Installed(found, created=False)
        raise ServiceError(
            f"{framework.key} is already installed with different content or for other organisations. "
            "An installed edition never changes: give the new file a new version"
        )
    after = {"edition": framework.key, "digest": digest(content), "title": framework.title}
    with transaction.atomic():
        edition = Edition.objects.create(
            framework_id=framework.id,
            version=framework.version,
            content=content,
            digest=digest(content),
            organisation=organisation,
            installed_by=actor if getattr(actor, "pk", None) else None,
        )
        # An edition for everyone is offered to every organisation: each one's trail says so.
        for each in [organisation] if organisation else Organisation.objects.all():
            with changing_organisation(each, None, actor=actor) as change:
                scope = {"for": organisation.name} if organisation else {"for": "every organisation"}
                change.record("framework.installed", target=framework.key, after={**after, **scope})
    return Installed(edition, created=True)


# --- which edition an organisation's new appraisals use --------------------------------------


def available(organisation: Organisation) -> list[tuple[str, str, str]]:
    """(id, version, title) of every edition the organisation may choose: the built-in one,
    those installed for everyone and its own."""
    fw = default_framework()
    found = [(fw.id, fw.version, fw.title)]
    for edition in Edition.objects.filter(organisation__isnull=True) | Edition.objects.filter(
        organisation=organisation
    ):
        framework = parsed(edition.framework_id, edition.version)
        if framework is not None:
            found.append((framework.id, framework.version, framework.title))
    return found


def chosen_key(organisation_id: int) -> tuple[str, str] | None:
    """The edition the organisation chose for new appraisals (None: the built-in one)."""
    row = ChosenEdition.objects.filter(organisation_id=organisation_id).values_list("framework_id", "version")
    return row.first()


def choose_edition(*, organisation: Organisation, key: str, user: User) -> str:
    """Make `key` (id@version) the edition of the organisation's new appraisals (admins)."""
    choices = {f"{i}@{v}": (i, v) for i, v, _ in available(organisation)}
    if key not in choices:
        raise ServiceError("Choose an edition from the list", field="edition")
    framework_id, version = choices[key]
    with changing_organisation(organisation, Action.MANAGE_MEMBERS, actor=user) as change:
        before = chosen_key(organisation.pk) or _builtin_key()
        _set_chosen(change.organisation, framework_id, version, user)
        change.record(
            "framework.chosen", target=key, before={"edition": "@".join(before)}, after={"edition": key}
        )
    return key


def _set_chosen(organisation: Organisation, framework_id: str, version: str, user: User | None) -> None:
    ChosenEdition.objects.update_or_create(
        organisation=organisation,
        defaults={"framework_id": framework_id, "version": version, "chosen_by": user},
    )


# --- local questions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalQuestion:
    text: str
    why: str
    covers: str
    kind: str  # closed (the edition's answer scale) or open


def local_questions(framework: Framework) -> tuple[Question, ...]:
    """The organisation's own questions in an edition (none in the built-in edition)."""
    for section in framework.sections:
        if section.id == LOCAL_SECTION:
            return section.questions
    return ()


def current_edition(organisation: Organisation) -> Framework:
    """The edition the organisation's new appraisals use."""
    return _current(organisation)[0]


def _current(organisation: Organisation) -> tuple[Framework, Edition | None]:
    key = chosen_key(organisation.pk)
    if key is None or key == _builtin_key():
        return default_framework(), None
    framework = parsed(*key)
    row = Edition.objects.filter(framework_id=key[0], version=key[1]).first()
    if framework is None or row is None:  # (cannot happen: installed editions are kept)
        return default_framework(), None
    return framework, row


def _base(framework: Framework, row: Edition | None) -> Framework:
    """The edition local questions are added to: a derived edition's own base."""
    if row is not None and row.base_id:
        if (row.base_id, row.base_version) == _builtin_key():
            return default_framework()
        base = parsed(row.base_id, row.base_version)
        if base is not None:
            return base
    return framework


def _checked(question: LocalQuestion) -> LocalQuestion:
    if question.kind not in KINDS:
        raise ServiceError("Choose how it is answered", field="kind")
    values = {}
    for field, limit, message in (
        ("text", bounded.NOTE, "Enter the question"),
        ("why", bounded.NOTE, "Enter why you ask it"),
        ("covers", bounded.NOTE, "Enter what a good answer covers"),
    ):
        value = bounded.normalise(getattr(question, field)).strip()
        if not value:
            raise ServiceError(message, field=field)
        values[field] = bounded.check(value, limit, field=field)
    return LocalQuestion(kind=question.kind, **values)


def _local_section(framework: Framework) -> dict[str, Any]:
    sections: list[dict[str, Any]] = framework_to_dict(framework)["sections"]
    return next((s for s in sections if s["id"] == LOCAL_SECTION), {})


def _short(wording: str, limit: int = 80) -> str:
    """The question's name in lists (the task list, the record's headings)."""
    wording = " ".join(wording.split())
    if len(wording) <= limit:
        return wording
    return wording[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _organisation_slug(organisation: Organisation) -> str:
    slug = "-".join(p for p in re.split(r"[^a-z0-9]+", slugify(organisation.name)) if p)
    if not slug or not slug[0].isalpha():
        slug = f"org-{slug or organisation.pk}"
    return slug[:40].rstrip("-")


def _next_version(framework_id: str, base: Framework) -> str:
    major, minor, _ = base.version.split(".")
    taken = set(Edition.objects.filter(framework_id=framework_id).values_list("version", flat=True))
    n = 1
    while f"{major}.{minor}.{n}" in taken:
        n += 1
    return f"{major}.{minor}.{n}"


def add_local_question(*, organisation: Organisation, question: LocalQuestion, user: User) -> Edition:
    """Add a question of the organisation's own: a new edition, which its new appraisals use."""
    question = _checked(question)
    with changing_organisation(organisation, Action.MANAGE_MEMBERS, actor=user) as change:
        current, row = _current(change.organisation)
        base = _base(current, row)
        existing = local_questions(current)
        if any(s.id == LOCAL_SECTION for s in base.sections):
            raise ServiceError(f"{base.key} already has a section “{LOCAL_SECTION}”: choose another edition")
        numbers = [int(m.group(1)) for q in base.questions() if (m := LOCAL_ID.match(q.id))]
        numbers += [int(m.group(1)) for q in existing if (m := LOCAL_ID.match(q.id))]
        question_id = f"L{max(numbers, default=0) + 1}"
        new_question: dict[str, Any] = {
            "id": question_id,
            "short_name": f"local-{question_id.lower()}",
            "title": _short(question.text),
            "kind": question.kind,
            "source": change.organisation.name,
            "text": question.text,
            "guidance": {"why": question.why, "covers": question.covers},
        }
        data = framework_to_dict(base)
        data["id"] = f"{base.id}-{_organisation_slug(change.organisation)}"[:100]
        data["version"] = _next_version(data["id"], base)
        data["title"] = f"{base.title}, with {change.organisation.name}’s local questions"
        data["sections"].append(
            {
                "id": LOCAL_SECTION,
                "number": max(s.number for s in base.sections) + 1,
                "title": "Local questions",
                "questions": [
                    *_local_section(current).get("questions", []),  # as they were, in the file's form
                    new_question,
                ],
            }
        )
        content = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        derived = load_framework_text(content, f"{data['id']}@{data['version']}")  # checked as validate does
        edition = Edition.objects.create(
            framework_id=derived.id,
            version=derived.version,
            content=content,
            digest=digest(content),
            organisation=change.organisation,
            base_id=base.id,
            base_version=base.version,
            installed_by=user,
        )
        _set_chosen(change.organisation, derived.id, derived.version, user)
        change.record(
            "framework.local-question",
            target=derived.key,
            before={"edition": current.key},
            after={
                "edition": derived.key,
                "base": base.key,
                "digest": edition.digest,
                "question": {"id": question_id, "kind": question.kind, "text": question.text},
            },
        )
    return edition
