"""Settings for the bare baseline (bench/bare_app.py): Django with nothing switched on.

No middleware, no apps, no database, no templates: what any Django page costs at least on
this machine with the service's own gunicorn settings.
"""

SECRET_KEY = "benchmark-only-secret-key-not-for-use"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1"]
ROOT_URLCONF = "bench.bare_app"
MIDDLEWARE: list[str] = []
INSTALLED_APPS: list[str] = []
DATABASES: dict[str, dict[str, str]] = {}
USE_TZ = True
USE_I18N = False
