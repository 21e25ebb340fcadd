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
    """Show or check a framework file."""


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
    """Migrate, collect static files and serve the application with gunicorn."""

    import subprocess
    import sys

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
            "--worker-class", "sync", "--access-logfile", "-", "trustworthy.config.wsgi:application",
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
    """Email the owners of approved decisions that are due for review (run daily from cron)."""
    _django()
    from trustworthy.reviews.services import send_review_reminders

    count = send_review_reminders()
    click.echo(f"Sent reminders for {count} decision{'s' if count != 1 else ''} due for review.")


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
    from trustworthy.reports.importer import ImportRefused
    from trustworthy.reports.importer import import_record as run_import

    try:
        text = Path(file).read_text("utf-8")
    except UnicodeDecodeError:
        click.echo(f"{file} cannot be imported: it is not UTF-8 text.", err=True)
        raise SystemExit(1) from None
    try:
        imported = run_import(text, organisation_name=organisation, user_email=user_email)
    except ImportRefused as exc:
        click.echo(f"{file} cannot be imported. Nothing was written. Problems:", err=True)
        for problem in exc.problems:
            click.echo(f"  - {problem}", err=True)
        raise SystemExit(1) from None
    appraisal = imported.appraisal
    click.echo(
        f"Imported “{appraisal.project.title}” into {imported.organisation.name} "
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


if __name__ == "__main__":  # pragma: no cover
    main()
