"""The `trustworthy` command.

Exit codes: 0 success, 1 a checked file or record is not valid, 2 the command was used
wrongly (click's own convention for usage errors).
"""

from __future__ import annotations

import json
import os
import textwrap
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TextIO

import click

from trustworthy.framework import (
    ANSWERS,
    ROUTE_QUESTIONS,
    Framework,
    FrameworkError,
    compute_route,
    default_framework,
    framework_to_dict,
    load_framework,
)


def _version() -> str:
    try:
        return version("trustworthy-innovation")
    except PackageNotFoundError:  # running from a source tree without installing
        return "unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), prog_name="trustworthy")
def main() -> None:
    """Trustworthy Innovation: appraise innovation in children's social care against the
    ethical framework of Hampson, Goldsmith and Lefevre (2021)."""


@main.group()
def framework() -> None:
    """Show, check or install a framework file."""


FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output for people (text) or for programs (json).",
)


@framework.command("show")
@FORMAT
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False),
    help="A framework file to show instead of the built-in edition.",
)
def framework_show(fmt: str, path: str | None) -> None:
    """Print the whole framework."""
    fw = _load_or_exit(path) if path else default_framework()
    if fmt == "json":
        click.echo(json.dumps(framework_to_dict(fw), indent=2, ensure_ascii=False))
    else:
        click.echo(_framework_text(fw))


@framework.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
def framework_validate(file: str) -> None:
    """Check FILE against the framework schema; list every problem found."""
    fw = _load_or_exit(file)
    count = sum(1 for _ in fw.questions())
    click.echo(
        f"{file}: valid framework {fw.key} with {len(fw.stages)} stages, "
        f"{len(fw.sections)} sections, {count} questions, {len(fw.principles)} principles "
        f"and {len(fw.decisions)} decisions."
    )


@framework.command("install")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--organisation", help="Name of the one organisation the edition is for (default: every one).")
def framework_install(file: str, organisation: str | None) -> None:
    """Check FILE as `validate` does, then install it so new appraisals can use it."""
    fw = _load_or_exit(file)  # every problem listed, exactly as `validate` lists them
    content = Path(file).read_text(encoding="utf-8")  # (read and checked just now)
    _django()
    from trustworthy.organisations import editions
    from trustworthy.organisations.models import Organisation
    from trustworthy.organisations.services import ServiceError

    found = None
    if organisation is not None:
        found = Organisation.objects.filter(name=organisation).first()
        if found is None:
            raise click.ClickException(f"There is no organisation called “{organisation}”.")
    try:
        installed = editions.install(content, filename=file, organisation=found)
    except ServiceError as exc:
        click.echo(f"{file}: {exc.message}.", err=True)
        raise SystemExit(1) from exc
    whom = found.name if found else "every organisation"
    if installed.created:
        click.echo(f"Installed {fw.key} for {whom}.")
    else:
        click.echo(f"{fw.key} is already installed for {whom}, with the same content: nothing to do.")


def _load_or_exit(path: str) -> Framework:
    try:
        return load_framework(path)
    except FrameworkError as exc:
        click.echo(str(exc), err=True)
        raise SystemExit(1) from exc


def _parse_answers(raw: str) -> dict[str, str]:
    answers: dict[str, str] = {}
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        if part.count("=") != 1:
            raise click.BadParameter(
                f"'{part}' is not of the form ID=ANSWER, for example T1=yes.",
                param_hint="--answers",
            )
        question_id, answer = (s.strip() for s in part.split("="))
        question_id = question_id.upper()
        if question_id not in ROUTE_QUESTIONS:
            raise click.BadParameter(
                f"unknown question '{question_id}'. Accepted: {', '.join(ROUTE_QUESTIONS)}.",
                param_hint="--answers",
            )
        if answer not in ANSWERS:
            raise click.BadParameter(
                f"'{answer}' is not an accepted answer for {question_id}. Accepted: {'|'.join(ANSWERS)}.",
                param_hint="--answers",
            )
        if question_id in answers:
            raise click.BadParameter(f"{question_id} is given more than once.", param_hint="--answers")
        answers[question_id] = answer
    return answers


@main.command("route")
@click.option(
    "--answers",
    "raw_answers",
    required=True,
    help="Section 3 answers, for example T1=yes,T2=no,T3=yes,T4=yes,T5=no,T6=yes.",
)
@click.option(
    "--open-risk-score",
    type=click.IntRange(1, 25),
    default=None,
    help="The highest likelihood x severity among open P7 risks (1-25).",
)
@FORMAT
def route_command(raw_answers: str, open_risk_score: int | None, fmt: str) -> None:
    """Show which decisions the framework allows for a set of section 3 answers."""
    route = compute_route(_parse_answers(raw_answers), open_risk_score)
    if fmt == "json":
        click.echo(json.dumps(route.as_dict(), indent=2))
        return
    fw = default_framework()
    if route.complete:
        names = [f"{fw.decision(d).name} ({d})" for d in route.allowed]
        click.echo("Decisions the framework allows:\n" + "\n".join(f"  - {n}" for n in names))
    else:
        click.echo(f"Not complete yet. Still to answer: {', '.join(route.missing)}")
    if route.not_applicable:
        click.echo(f"Not applicable: {', '.join(route.not_applicable)}")
    if route.reasons:
        click.echo("Why:")
        for reason in route.reasons:
            click.echo(textwrap.fill(reason, 88, initial_indent="  - ", subsequent_indent="    "))


def _framework_text(fw: Framework) -> str:
    wrap = textwrap.TextWrapper(width=88, initial_indent="    ", subsequent_indent="    ")
    lines = [f"{fw.title}", f"{fw.key}", f"Source: {fw.source.citation}", "", "Stages:"]
    lines += [f"  {s.id}: {s.name} ({s.decides})" for s in fw.stages]
    lines.append("")
    lines.append(f"Answer scale: {', '.join(a.id for a in fw.answer_scale)}")
    for section in fw.sections:
        lines += ["", f"{section.number}. {section.title} [{section.id}]"]
        if section.preamble:
            lines.append(f"  {section.preamble}")
        for q in section.questions:
            extra = f", register {q.register}" if q.register else ""
            extra += f", cluster {q.cluster}" if q.cluster else ""
            lines.append(f"  {q.id} {q.short_name} ({q.kind}{extra})")
            lines.append(wrap.fill(q.text))
    lines += ["", "Principles:"]
    lines += [f"  {p.id} [{p.cluster}] {p.name}" for p in fw.principles]
    lines += ["", "Decisions:"]
    lines += [f"  {d.id}: {d.meaning}" for d in fw.decisions]
    return "\n".join(lines)


# --- commands that need the web application --------------------------------------------


def _django() -> None:
    """Configure Django on first use, so the framework verbs above stay light."""

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustworthy.config.settings")
    django.setup()


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


@main.command("manage", context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command (for maintainers), e.g. `trustworthy manage migrate`."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["trustworthy manage", *args])


@main.command("migrate")
def migrate() -> None:
    """Create or update the database tables."""
    _django()
    _call("migrate", "--no-input", "--verbosity", "0")
    _call("createcachetable")  # the API's rate counts, over PostgreSQL (settings.CACHES["api"])
    _make_private()
    click.echo("Database is up to date.")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on."
)
@click.option(
    "--workers", default=None, type=click.IntRange(1, 64), help="Worker processes (default: one per core)."
)
def serve(host: str, port: int, workers: int | None) -> None:
    """Migrate, collect static files and serve the application with gunicorn (in production,
    unless TRUSTWORTHY_ENV says otherwise)."""

    import subprocess
    import sys

    # Debug pages (settings, local variables) only when asked for: TRUSTWORTHY_ENV=development
    # (as `make run` sets) or DJANGO_DEBUG=true. Production also refuses weak settings, said here
    # in one line rather than as a traceback from each step.
    os.environ.setdefault("TRUSTWORTHY_ENV", "production")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustworthy.config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.DEBUG  # noqa: B018 (reads the settings module, which checks the environment)
    except ImproperlyConfigured as exc:
        raise click.ClickException(
            f"Could not start in {os.environ['TRUSTWORTHY_ENV']}: {exc} (To try it out on this "
            "computer, set TRUSTWORTHY_ENV=development, as `make run` does.)"
        ) from exc
    # Set-up runs in child processes and gunicorn replaces this one, so nothing opened here
    # (above all a database connection) is inherited by the forked workers: workers sharing
    # one connection read each other's results.
    for step in (["migrate"], ["manage", "collectstatic", "--no-input", "--verbosity", "0"]):
        done = subprocess.run([sys.executable, "-m", "trustworthy.cli", *step], stdout=subprocess.DEVNULL)
        if done.returncode:
            raise click.ClickException(f"Could not start: `trustworthy {' '.join(step)}` failed.")
    count = workers or os.cpu_count() or 1
    click.echo(f"Trustworthy Innovation is running at http://{host}:{port}/ (press Ctrl+C to stop)")
    sys.stdout.flush()
    os.execv(
        sys.executable,
        [
            sys.executable, "-m", "gunicorn", "--bind", f"{host}:{port}", "--workers", str(count),
            "--worker-class", "sync", "--access-logfile", "-",
            # Its logger hides consultation links and participants' addresses (config/gunicorn.py).
            "--config", "python:trustworthy.config.gunicorn", "trustworthy.config.wsgi:application",
        ],
    )  # fmt: skip


@main.command("createuser")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--name", "full_name", required=True, help="Their full name.")
@click.option("--organisation", help="Name of an existing organisation to add them to.")
@click.option(
    "--role",
    type=click.Choice(["admin", "lead", "contributor", "reviewer", "approver", "viewer"]),
    default="admin",
    show_default=True,
)
@click.password_option(help="Their password (asked for if not given).")
def createuser(email: str, full_name: str, organisation: str | None, role: str, password: str) -> None:
    """Create a person who can sign in, optionally as a member of an organisation."""
    _django()
    from django.db import transaction

    from trustworthy.organisations import services

    try:
        with transaction.atomic():  # no half-made account if the organisation is wrong
            user = services.create_user(email=email, full_name=full_name, password=password)
            if organisation:
                services.add_member_by_name(organisation_name=organisation, user=user, role=role)
    except services.ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created {user.email}" + (f" as {role} of {organisation}" if organisation else "") + ".")


@main.group("audit")
def audit_group() -> None:
    """Check the audit trail."""


@audit_group.command("verify")
def audit_verify() -> None:
    """Check every appraisal's audit chain and every approved decision record.

    Exits 1 naming the first event or record that does not match.
    """
    _django()
    from trustworthy.reports.integrity import verify_everything

    problems = verify_everything()
    if problems:
        for problem in problems:
            click.echo(f"Audit check failed: {problem}", err=True)
        raise SystemExit(1)
    from trustworthy.appraisals.models import Appraisal
    from trustworthy.core.models import AuditEvent

    click.echo(
        f"Audit trail verified: {AuditEvent.objects.count()} events across {Appraisal.objects.count()} "
        "appraisals and their organisations, and every approved decision record matches its signature."
    )


@main.group("token")
def token_group() -> None:
    """Make or revoke personal API tokens."""


@token_group.command("create")
@click.option("--email", required=True, help="The person the token acts as.")
@click.option("--organisation", required=True, help="Name of the organisation the token works in.")
@click.option(
    "--role",
    type=click.Choice(["admin", "lead", "contributor", "reviewer", "approver", "viewer"]),
    help="Their own role there (the default) or viewer.",
)
@click.option("--expires", "expires_days", type=click.IntRange(1, 366), help="Days until it stops working.")
@click.option("--name", default="Command line", show_default=True, help="What the token is for.")
def token_create(
    email: str, organisation: str, role: str | None, expires_days: int | None, name: str
) -> None:
    """Make a token and print it, once: only its fingerprint is kept."""
    _django()
    from trustworthy.api import tokens
    from trustworthy.organisations.models import Organisation, User

    user = User.objects.filter(email__iexact=email).first()
    found = Organisation.objects.filter(name=organisation).first()
    if user is None or found is None:
        raise click.ClickException("No such person or organisation.")
    try:
        token, secret = tokens.create_token(
            user=user, organisation=found, name=name, role=role, expires_days=expires_days, operator=True
        )
    except tokens.TokenError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(secret)
    click.echo(
        f"Token {token.prefix}… for {user.email} as {token.role} of {found.name}. It is shown only once.",
        err=True,
    )


@token_group.command("revoke")
@click.argument("prefix")
def token_revoke(prefix: str) -> None:
    """Revoke the token whose first characters are PREFIX (as shown on the account page)."""
    _django()
    from trustworthy.api import tokens
    from trustworthy.api.models import ApiToken

    found = list(
        ApiToken.objects.filter(prefix__startswith=prefix[: tokens.PREFIX_LENGTH], revoked_at=None)[:2]
    )
    if len(found) != 1 or not prefix:
        raise click.ClickException("Give the first characters of exactly one active token.")
    tokens.revoke_token(token=found[0], user=found[0].user, operator=True)
    click.echo(f"Revoked token {found[0].prefix}….")


@main.command("reminders")
def reminders() -> None:
    """Email the owners of approved decisions that are due for review, and the owners of
    overdue actions (each action at most once a day). Run daily from cron."""
    _django()
    from trustworthy.reviews.services import send_action_reminders, send_review_reminders

    count = send_review_reminders()
    click.echo(f"Sent reminders for {count} decision{'s' if count != 1 else ''} due for review.")
    overdue = send_action_reminders()
    click.echo(f"Reminded owners of {overdue} overdue action{'s' if overdue != 1 else ''}.")


# --- programmes (national oversight and research) ------------------------------------------


def _national_demo(password: str | None, organisations: int) -> None:
    """The national portfolio: generated in bulk, once, with its programme and two people."""
    import secrets

    from trustworthy.demo import PASSWORD_ENV
    from trustworthy.demo.national import build_national
    from trustworthy.programmes.services import ServiceError

    chosen = password or os.environ.get(PASSWORD_ENV) or secrets.token_urlsafe(12)
    try:
        result = build_national(
            organisations=organisations,
            password=chosen,
            progress=lambda step: click.echo(f"  {step}", err=True),
        )
    except ServiceError as exc:
        click.echo(str(exc), err=True)
        return
    click.echo(
        f"National portfolio: {result.organisations} organisations, {result.projects} projects, "
        f"{result.appraisals} appraisals ({result.signed} signed), {result.answers} answers, "
        f"built in {result.seconds:.0f} s."
    )
    if result.people_created:
        click.echo(f"Password for {', '.join(result.people_created)}: {chosen}")


@main.group("programme")
def programme_group() -> None:
    """Programmes: their member organisations, overseers and researchers."""


def _programme(slug: str) -> object:
    from trustworthy.programmes.models import Programme

    found = Programme.objects.filter(slug=slug).first()
    if found is None:
        raise click.ClickException(f"There is no programme “{slug}”.")
    return found


@programme_group.command("create")
@click.argument("name")
@click.option(
    "--slug", default="", help="The programme's address, /programmes/SLUG/ (default: from the name)."
)
def programme_create(name: str, slug: str) -> None:
    """Create a programme called NAME."""
    _django()
    from trustworthy.programmes import services

    try:
        programme = services.create_programme(name=name, slug=slug)
    except services.ServiceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Created the programme {programme.name}: /programmes/{programme.slug}/")


@programme_group.command("add-organisation")
@click.option("--programme", "slug", required=True, help="The programme's slug.")
@click.option("--organisation", "name", required=True, help="The organisation's name.")
def programme_add_organisation(slug: str, name: str) -> None:
    """Make an organisation a member of a programme (it then chooses which projects to share)."""
    _django()
    from trustworthy.organisations.models import Organisation
    from trustworthy.programmes import services

    programme = _programme(slug)
    organisation = Organisation.objects.filter(name=name).first()
    if organisation is None:
        raise click.ClickException(f"There is no organisation called “{name}”.")
    services.add_organisation(programme=programme, organisation=organisation)  # type: ignore[arg-type]
    click.echo(f"{organisation.name} is a member of {programme}.")


@programme_group.command("add-member")
@click.option("--programme", "slug", required=True, help="The programme's slug.")
@click.option("--email", required=True, help="The person's email address (they must have an account).")
@click.option("--role", type=click.Choice(["overseer", "researcher"]), required=True)
def programme_add_member(slug: str, email: str, role: str) -> None:
    """Make a person an overseer or a researcher of a programme."""
    _django()
    from trustworthy.organisations.models import User
    from trustworthy.programmes import services

    programme = _programme(slug)
    user = User.objects.filter(email=email.strip().lower()).first()
    if user is None:
        raise click.ClickException(
            f"There is no account for {email}: create it with `trustworthy createuser`."
        )
    services.add_member(programme=programme, user=user, role=role)  # type: ignore[arg-type]
    click.echo(f"{user.email} is a {role} of {programme}.")


@click.command("research")
@click.option("--programme", "slug", required=True, help="The programme's slug.")
@click.option("--salt", required=True, help="A secret for this export's pseudonyms; a new one unlinks them.")
@click.option(
    "--output", required=True, type=click.Path(file_okay=False), help="A folder to write the files in."
)
def export_research(slug: str, salt: str, output: str) -> None:
    """Write a programme's research dataset: CSV files and a data dictionary, without names,
    emails or free text. The same data and salt give the same bytes."""
    _django()
    from trustworthy.programmes import research, services

    programme = _programme(slug)
    files = research.build(programme, salt)  # type: ignore[arg-type]
    folder = Path(output)
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
    services.record_export(programme=programme, actor=None, files=research.digests(files))  # type: ignore[arg-type]
    click.echo(f"Wrote {len(files)} files to {folder}: {', '.join(sorted(files))}.")


class _ExportCommand(click.Command):
    """`export APPRAISAL_ID` writes a decision record; `export research ...` a research dataset."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: object
    ) -> click.Context:
        if args and args[0] == "research":
            return export_research.make_context("export research", args[1:], parent=parent, **extra)
        return super().make_context(info_name, args, parent=parent, **extra)


@main.command(
    "export",
    cls=_ExportCommand,
    epilog="`trustworthy export research --help`: the research dataset of a programme.",
)
@click.argument("appraisal_id", type=int)
@click.option(
    "--format", "fmt", type=click.Choice(["pdf", "docx", "json", "html"]), default="json", show_default=True,
    help="The format of the decision record.",
)  # fmt: skip
@click.option(
    "--output", "output", type=click.Path(dir_okay=False), help="A file to write (default: standard output)."
)
def export_record(appraisal_id: int, fmt: str, output: str | None) -> None:
    """Write the decision record of appraisal APPRAISAL_ID (the number in /appraisals/<id>/)."""
    import importlib

    _django()
    from trustworthy.appraisals.models import Appraisal
    from trustworthy.reports.services import record_for

    appraisal = Appraisal.objects.select_related("project", "organisation").filter(pk=appraisal_id).first()
    if appraisal is None:
        raise click.ClickException(f"There is no appraisal {appraisal_id}.")
    renderer = importlib.import_module(f"trustworthy.reports.render_{fmt}")
    content: bytes = renderer.render(record_for(appraisal))
    if output:
        Path(output).write_bytes(content)
        click.echo(f"Wrote the decision record of appraisal {appraisal_id} to {output}.", err=True)
    else:
        click.echo(content, nl=False)  # bytes go to the binary stream as they are


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--organisation", default=None, help="The organisation to import into (default: the one in the file)."
)
@click.option(
    "--user", "user_email", default=None, help="Email of the member to import as (default: a lead)."
)
def import_record(file: str, organisation: str | None, user_email: str | None) -> None:
    """Recreate a project and its appraisal from a decision record in JSON.

    Exits 1 listing every problem, and writes nothing, when the file cannot be imported.
    """
    _django()
    from trustworthy.core.text import printable
    from trustworthy.reports.importer import ImportRefused, read_file
    from trustworthy.reports.importer import import_record as run_import

    try:
        # Bounded before it is read or parsed; problems come back quoting none of the file's
        # control characters, so nothing in a file can drive the terminal.
        imported = run_import(read_file(file), organisation_name=organisation, user_email=user_email)
    except ImportRefused as exc:
        click.echo(f"{printable(file)} cannot be imported. Nothing was written. Problems:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from None
    appraisal = imported.appraisal
    click.echo(
        f"Imported “{printable(appraisal.project.title)}” into {printable(imported.organisation.name)} "
        f"as appraisal {appraisal.pk}: /appraisals/{appraisal.pk}/"
    )


@main.command("demo")
@click.option(
    "--password",
    default=None,
    help="Password for the demo users (default: $TRUSTWORTHY_DEMO_PASSWORD, else a generated one).",
)
@click.option(
    "--scale", type=click.Choice(["small", "national"]), default="small", show_default=True,
    help="national: also generate a national portfolio overseen by the National Innovation Fund.",
)  # fmt: skip
@click.option(
    "--organisations", "organisation_count", type=click.IntRange(1, 5000), default=200, show_default=True,
    help="With --scale national: how many organisations (50 projects each).",
)  # fmt: skip
def demo(password: str | None, scale: str, organisation_count: int) -> None:
    """Load two fictional organisations with people in every role and appraised projects.

    Safe to run again: organisations that already exist are left as they are.
    """
    _django()
    _call("migrate", "--no-input", "--verbosity", "0")
    _make_private()
    if scale == "national":
        _national_demo(password, organisation_count)
    from trustworthy.appraisals.services import ServiceError as AppraisalError
    from trustworthy.demo import load_demo
    from trustworthy.organisations.models import Role
    from trustworthy.organisations.services import ServiceError as OrganisationError

    try:
        from django.test.utils import override_settings

        # Demo people are fictional: nobody is emailed about their reviews.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            result = load_demo(password)
    except (AppraisalError, OrganisationError) as exc:
        raise click.ClickException(str(exc)) from exc
    lines = ["Organisations:"]
    lines += [f"  {name} (created)" for name in result.organisations_created]
    lines += [f"  {name} (already there, left unchanged)" for name in result.organisations_existing]
    lines.append("Projects:")
    lines += [f"  {title}, {org} (created)" for org, title in result.projects_created]
    lines += [f"  {title}, {org} (already there)" for org, title in result.projects_existing]
    lines.append(f"Sign in as {' or '.join(result.email_patterns)},")
    lines.append(f"where <role> is {', '.join(Role.values[:-1])} or {Role.values[-1]}.")
    lines.append(
        "Programme overseer and researcher: overseer@national.example.org, researcher@national.example.org."
    )
    # A generated password is kept beside the local database so `make run` can show it again.
    from django.conf import settings

    saved = Path(settings.DATA_DIR) / "demo-password.txt"
    if result.password:
        lines.append(f"Password for the {len(result.users_created)} new demo users: {result.password}")
        if not (password or os.environ.get("TRUSTWORTHY_DEMO_PASSWORD")):
            saved.write_text(result.password + "\n")
            saved.chmod(0o600)
    if result.users_existing:
        if saved.exists() and not result.users_created:
            lines.append(f"Password for the demo users (kept in {saved}): {saved.read_text().strip()}")
        else:
            lines.append(
                f"{len(result.users_existing)} demo users already existed: their password was not changed "
                "and is not shown."
            )
    click.echo("\n".join(lines))


# --- backups and the data folder ----------------------------------------------------------------


def _make_private() -> None:
    from trustworthy.core.data_folder import make_private

    for problem in make_private():
        click.echo(problem, err=True)


@main.command("backup")
@click.option(
    "--output", required=True, type=click.Path(path_type=Path),
    help="The backup file to write (replaced once the new backup is complete).",
)  # fmt: skip
def backup_command(output: Path) -> None:
    """Copy the whole database into one file, safely while the service runs.

    SQLite: its online backup; PostgreSQL: pg_dump (custom format). The file is private to
    this user (0600). The audit key is not in it: keep DJANGO_SECRET_KEY and
    TRUSTWORTHY_AUDIT_KEY safe apart from it, as a restored audit trail verifies only with them.
    """
    _django()
    from trustworthy.core import backup

    try:
        done = backup.backup(output)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"Backed up the {backup.NAMES[done.kind]} database ({done.tables} tables, {done.size:,} bytes) "
        f"to {output}."
    )


@main.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def restore_command(file: Path) -> None:
    """Load a backup made by `trustworthy backup` into an empty database, then check it.

    SQLite: into TRUSTWORTHY_DATA_DIR, which must hold no database yet; PostgreSQL: into the
    database of DATABASE_URL, which must hold no tables. Run it before the service's first
    start. Exits 1, changing nothing, if the target is not empty; exits 1 too if the restored
    audit trail does not verify (a different TRUSTWORTHY_AUDIT_KEY or DJANGO_SECRET_KEY).
    """
    _django()
    from trustworthy.core import backup

    try:
        done = backup.restore(file)
    except backup.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    _make_private()
    click.echo(f"Restored {done.tables} tables from the {backup.NAMES[done.kind]} backup {file}.")

    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        click.echo(
            "The backup is from an earlier version: run `trustworthy migrate` (`serve` does), "
            "then `trustworthy audit verify`."
        )
        return
    from trustworthy.reports.integrity import verify_everything

    problems = verify_everything()
    if problems:
        click.echo(f"The restored audit trail does not verify: {problems[0]}", err=True)
        click.echo(
            "Set the same TRUSTWORTHY_AUDIT_KEY (or, without one, DJANGO_SECRET_KEY) as the service "
            "the backup was made from, then run `trustworthy audit verify`.",
            err=True,
        )
        raise SystemExit(1)
    click.echo("Audit trail verified: every chain and approved decision record matches.")


# --- signing in with an organisation's own accounts (OpenID Connect) ---------------------------


def _organisation_group() -> click.Group:
    """The `organisation` group: the one already defined, or a new one."""
    group = main.commands.get("organisation")
    if not isinstance(group, click.Group):
        group = click.Group("organisation", help="Organisations and how their members sign in.")
        main.add_command(group)
    return group


@_organisation_group().group("sign-in")
def organisation_sign_in() -> None:
    """Let an organisation's members sign in with their own accounts (OpenID Connect)."""


def _organisation_named(name: str) -> object:
    from trustworthy.organisations.models import Organisation

    found = Organisation.objects.filter(name=name).first()
    if found is None:
        raise click.ClickException(f"There is no organisation called “{name}”.")
    return found


@organisation_sign_in.command("set")
@click.option("--organisation", "name", required=True, help="The organisation's name.")
@click.option(
    "--issuer", required=True, help="The provider's issuer URL, exactly as its discovery document gives it."
)
@click.option("--client-id", required=True, help="The client id the provider issued for this service.")
@click.option(
    "--client-secret-env", required=True,
    help="Name of the environment variable that holds the client secret (the secret is never stored).",
)  # fmt: skip
@click.option(
    "--email-domains", default="", help="Only addresses at these domains (space-separated) may sign in."
)
def organisation_sign_in_set(
    name: str, issuer: str, client_id: str, client_secret_env: str, email_domains: str
) -> None:
    """Set (or replace) the identity provider an organisation's members sign in with."""
    _django()
    from django.urls import reverse

    from trustworthy.organisations import oidc
    from trustworthy.organisations.services import ServiceError

    organisation = _organisation_named(name)
    try:
        provider = oidc.set_provider(
            organisation=organisation,  # type: ignore[arg-type]
            issuer=issuer,
            client_id=client_id,
            client_secret_env=client_secret_env,
            email_domains=email_domains,
        )
    except ServiceError as exc:
        raise click.ClickException(exc.message) from exc
    from django.conf import settings

    click.echo(f"Members of {name} can sign in with their accounts at {provider.issuer}.")
    callback = settings.SITE_URL.rstrip("/") + reverse("oidc-callback")
    click.echo(f"Register this redirect URI with the provider: {callback}")
    if not os.environ.get(client_secret_env):
        click.echo(f"Set {client_secret_env} to the client secret in the service's environment.", err=True)


@organisation_sign_in.command("remove")
@click.option("--organisation", "name", required=True, help="The organisation's name.")
def organisation_sign_in_remove(name: str) -> None:
    """Stop an organisation's members signing in with their own accounts."""
    _django()
    from trustworthy.organisations import oidc

    if oidc.remove_provider(organisation=_organisation_named(name)):  # type: ignore[arg-type]
        click.echo(f"Members of {name} now sign in with their email address and password only.")
    else:
        click.echo(f"{name} had no identity provider set.")


# --- operators: organisations and people ---------------------------------------------------
#
# Every change goes through organisations/services.py in the operator's context, and is
# recorded in the audit chain of each organisation it touches. Refusals are one line
# ("Error: ...") and exit 1.


class _refusals:  # a context manager, named as one is used: `with _refusals():`
    """Turn a refused change, or a database that is not set up, into one line and exit 1."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        from django.db import DatabaseError

        from trustworthy.organisations.services import ServiceError

        if isinstance(exc, ServiceError):
            raise click.ClickException(exc.message) from exc
        if isinstance(exc, DatabaseError):
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise click.ClickException(
                f"The database could not be used ({first}). If it is new, run `trustworthy migrate` first."
            ) from exc


def _user_group() -> click.Group:
    """The `user` group: the one already defined, or a new one."""
    group = main.commands.get("user")
    if not isinstance(group, click.Group):
        group = click.Group("user", help="Add people, deactivate them, or give them a new password.")
        main.add_command(group)
    return group


@_organisation_group().command("create")
@click.argument("name")
@click.option(
    "--type", "kind", required=True, help="Its type, e.g. local-authority (a wrong one lists them all)."
)
@click.option("--region", required=True, help="Its region, e.g. north-west (a wrong one lists them all).")
def organisation_create(name: str, kind: str, region: str) -> None:
    """Create an organisation called NAME, with no members yet (then `trustworthy user add`)."""
    _django()
    from trustworthy.organisations import services
    from trustworthy.organisations.models import Organisation

    with _refusals():
        organisation = services.create_organisation(name=name, type=kind, region=region)
    click.echo(
        f"Created {organisation.name} ({Organisation.Type(organisation.type).label}, "
        f"{Organisation.Region(organisation.region).label}). Add its first admin with "
        f'`trustworthy user add --organisation "{organisation.name}" --role admin ...`.'
    )


@_organisation_group().command("list")
@FORMAT
def organisation_list(fmt: str) -> None:
    """List every organisation: its name, type, region and number of members."""
    _django()
    from django.db.models import Count

    from trustworthy.organisations.models import Organisation

    with _refusals():
        found = list(Organisation.objects.annotate(members=Count("memberships")).order_by("name"))
    rows = [{"name": o.name, "type": o.type, "region": o.region, "members": o.members} for o in found]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("There are no organisations yet. Create one with `trustworthy organisation create`.")
        return
    table = [("Name", "Type", "Region", "Members")] + [
        (o.name, str(o.get_type_display()), str(o.get_region_display()), str(row["members"]))
        for o, row in zip(found, rows, strict=True)
    ]
    widths = [max(len(line[i]) for line in table) for i in range(3)]
    for line in table:
        padded = [cell.ljust(width) for cell, width in zip(line, widths, strict=False)]
        click.echo("  ".join([*padded, line[3]]))


@_organisation_group().command("rename")
@click.argument("old")
@click.argument("new")
def organisation_rename(old: str, new: str) -> None:
    """Rename the organisation called OLD to NEW. Approved decision records keep the name
    they were approved under."""
    _django()
    from trustworthy.organisations import services

    with _refusals():
        organisation = services.rename_organisation(
            organisation=services.organisation_named(old), new_name=new
        )
    click.echo(f"Renamed {old} to {organisation.name}.")


def _account(email: str) -> object:
    from trustworthy.organisations.models import User

    found = User.objects.filter(email=email.strip().lower()).first()
    if found is None:
        raise click.ClickException(f"There is no account for {email}.")
    return found


def _password_link(user: object, email_link: bool) -> None:
    from django.conf import settings

    from trustworthy.organisations import services

    days = max(1, settings.PASSWORD_RESET_TIMEOUT // (24 * 60 * 60))
    link = services.issue_password_link(user=user, site_url=settings.SITE_URL, send=email_link)  # type: ignore[arg-type]
    if email_link:
        click.echo(f"Emailed {user} a link to set their password (it works once, for {days} days).")
    else:
        click.echo(f"Give them this link to set their password (it works once, for {days} days):")
        click.echo(link)


ROLES = click.Choice(["admin", "lead", "contributor", "reviewer", "approver", "viewer"])


@_user_group().command("add")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--name", "full_name", required=True, help="Their full name.")
@click.option("--organisation", help="Name of an existing organisation to make them a member of.")
@click.option("--role", type=ROLES, default="admin", show_default=True, help="Their role there.")
@click.option(
    "--superuser", is_flag=True,
    help="Make them an operator, who may use the admin site at /admin/ (read-only; audited).",
)  # fmt: skip
@click.option(
    "--password", default=None, prompt=True, prompt_required=False, hide_input=True, confirmation_prompt=True,
    help="Set their password now (asked for). Without it, they get a link to set their own.",
)  # fmt: skip
@click.option("--email-link", is_flag=True, help="Email them the link instead of printing it.")
def user_add(
    email: str, full_name: str, organisation: str | None, role: str, superuser: bool, password: str | None,
    email_link: bool,
) -> None:  # fmt: skip
    """Add a person who can sign in, optionally as a member of an organisation."""
    _django()
    from trustworthy.organisations import services

    with _refusals():
        found = services.organisation_named(organisation) if organisation else None
        user = services.add_account(
            email=email, full_name=full_name, password=password, organisation=found, role=role,
            superuser=superuser,
        )  # fmt: skip
    what = f" as {role} of {found.name}" if found else ""
    click.echo(f"Created {user.email}{what}" + (", an operator who may use /admin/." if superuser else "."))
    if password is None:
        try:
            with _refusals():
                _password_link(user, email_link)
        except click.ClickException as exc:
            raise click.ClickException(
                f"{exc.message} The account was made: run `trustworthy user reset --email {user.email}`."
            ) from exc


@_user_group().command("deactivate")
@click.option("--email", required=True, help="The address the person signs in with.")
def user_deactivate(email: str) -> None:
    """Stop a person signing in: their sessions end, and their API tokens and password links
    stop working. What they wrote and their memberships stay."""
    _django()
    from trustworthy.organisations import services

    user = _account(email)
    with _refusals():
        changed = services.deactivate_user(user=user)  # type: ignore[arg-type]
    if changed:
        click.echo(
            f"Deactivated {user}: they cannot sign in, their sessions have ended and their API tokens "
            "no longer work. `trustworthy user reactivate` undoes this."
        )
    else:
        click.echo(f"{user} was already deactivated.")


@_user_group().command("reactivate")
@click.option("--email", required=True, help="The address the person signs in with.")
def user_reactivate(email: str) -> None:
    """Let a deactivated person sign in again, with the password they had."""
    _django()
    from trustworthy.organisations import services

    user = _account(email)
    with _refusals():
        changed = services.reactivate_user(user=user)  # type: ignore[arg-type]
    click.echo(f"{user} can sign in again." if changed else f"{user} was not deactivated.")


@_user_group().command("reset")
@click.option("--email", required=True, help="The address the person signs in with.")
@click.option("--email-link", is_flag=True, help="Email them the link instead of printing it.")
def user_reset(email: str, email_link: bool) -> None:
    """Give a person a one-use link to set a new password (their old one works until they do)."""
    _django()
    user = _account(email)
    with _refusals():
        _password_link(user, email_link)


@main.command("check-text")
@click.argument("file", type=click.File("r", encoding="utf-8", errors="replace"))
def check_text(file: TextIO) -> None:
    """Print, as JSON, what in FILE (or - for what is typed or piped in) looks like personal
    data: the same check the service makes before saving free text. Exit 1 if anything does."""
    from trustworthy.core.personal_data import find_personal_data

    text = file.read(2_000_000)
    findings = [
        {"kind": f.kind, "text": f.text, "start": f.start, "end": f.end, "message": f.message}
        for f in find_personal_data(text)
    ]
    click.echo(json.dumps({"findings": findings}, indent=2, ensure_ascii=False))
    raise SystemExit(1 if findings else 0)


@_user_group().command("two-factor-off")
@click.option("--email", required=True, help="The address the person signs in with.")
def user_two_factor_off(email: str) -> None:
    """Turn off two-factor authentication for someone who has lost both their phone and their
    recovery codes, so that they can set it up again at their next sign-in (recorded)."""
    _django()
    from trustworthy.organisations import twofactor

    user = _account(email)
    with _refusals():
        changed = twofactor.turn_off(user=user, code=None)  # type: ignore[arg-type]
    if changed:
        click.echo(
            f"Two-factor authentication is off for {user}. "
            "If their role requires it, they will set it up again when they next sign in."
        )
    else:
        click.echo(f"{user} did not have two-factor authentication on.")


if __name__ == "__main__":  # pragma: no cover
    main()
