"""Consultation link tokens: 256 random bits in the link, only their SHA-256 hash stored."""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32  # 256 bits; the issue asks for at least 128
_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN_SHAPE.match(token))
