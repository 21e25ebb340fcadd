"""Which framework edition an appraisal was made against.

The built-in edition is always installed, and new appraisals start on it. Other
editions (an organisation's own questions, a later revision) are installed with
`install_edition`; an appraisal keeps the edition it was started on, and every rule
that reads it uses that edition.
"""

from __future__ import annotations

from trustworthy.framework import Framework, default_framework

_EDITIONS: dict[tuple[str, str], Framework] = {}


def current_framework() -> Framework:
    """The edition new appraisals use."""
    return default_framework()


def install_edition(framework: Framework) -> None:
    """Make an edition available to the appraisals made against it."""
    _EDITIONS[(framework.id, framework.version)] = framework


def uninstall_edition(framework: Framework) -> None:
    _EDITIONS.pop((framework.id, framework.version), None)


def framework_for(framework_id: str, framework_version: str) -> Framework:
    """The edition an appraisal records, or LookupError if it is not installed here."""
    framework = default_framework()
    if (framework.id, framework.version) == (framework_id, framework_version):
        return framework
    try:
        return _EDITIONS[(framework_id, framework_version)]
    except KeyError:
        raise LookupError(f"Framework {framework_id}@{framework_version} is not installed") from None
