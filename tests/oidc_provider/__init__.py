"""A real OpenID Connect provider for the tests: a small Django project built on
django-oauth-toolkit, run in a subprocess on 127.0.0.1 (see fixtures.py)."""

# Clients of these names get a faulty ID token (see validators.py).
FAULTS = ("wrong-issuer", "wrong-audience", "wrong-nonce", "wrong-key")
