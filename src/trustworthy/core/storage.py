"""Static file storage for production and development: hashed names and compression."""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's manifest storage, also rewriting ES module imports to hashed names.

    `application.js` imports `./govuk-frontend.min.js`; rewriting the import lets the
    browser fetch the same hashed, long-cached file that nothing else refers to by
    another name.
    """

    support_js_module_import_aggregation = True
