"""Which framework edition an appraisal was made against."""

from __future__ import annotations

from trustworthy.framework import Framework, default_framework


def current_framework() -> Framework:
    """The edition new appraisals use."""
    return default_framework()


def framework_for(framework_id: str, framework_version: str) -> Framework:
    framework = default_framework()
    if (framework.id, framework.version) != (framework_id, framework_version):
        raise LookupError(f"Framework {framework_id}@{framework_version} is not installed")
    return framework
