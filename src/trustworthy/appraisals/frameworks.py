"""Which framework edition an appraisal was made against.

The built-in edition is always available. Other editions (a later revision, an
organisation's local questions) are installed in the database (organisations/editions.py:
`trustworthy framework install`, or an admin's local questions), so every process of the
service sees them; each process keeps the ones it has parsed, since an installed edition
never changes. An organisation's new appraisals use the edition it chose; an appraisal
keeps the edition it was started on, and every rule that reads it uses that edition.
"""

from __future__ import annotations

from trustworthy.framework import Framework, default_framework
from trustworthy.organisations import editions

# Editions registered by this process only (tests, and tools that load a file themselves).
_EDITIONS: dict[tuple[str, str], Framework] = {}


def current_framework(organisation_id: int | None = None) -> Framework:
    """The edition new appraisals use: the organisation's choice, or the built-in one."""
    if organisation_id is not None:
        key = editions.chosen_key(organisation_id)
        if key is not None:
            return framework_for(*key)
    return default_framework()


def install_edition(framework: Framework) -> None:
    """Make an edition available to this process's appraisals (see organisations.editions
    for an edition every process sees)."""
    _EDITIONS[(framework.id, framework.version)] = framework


def uninstall_edition(framework: Framework) -> None:
    _EDITIONS.pop((framework.id, framework.version), None)


def framework_for(framework_id: str, framework_version: str) -> Framework:
    """The edition an appraisal records, or LookupError if it is not installed here."""
    framework = default_framework()
    if (framework.id, framework.version) == (framework_id, framework_version):
        return framework
    found = _EDITIONS.get((framework_id, framework_version)) or editions.parsed(
        framework_id, framework_version
    )
    if found is None:
        raise LookupError(f"Framework {framework_id}@{framework_version} is not installed")
    return found
