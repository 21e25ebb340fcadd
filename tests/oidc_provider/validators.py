"""The provider's claims: the person's email address and whether it is verified, plus
deliberate faults, each tied to a client so tests can ask for one by its client id.

- a user whose last name is "unverified" has `email_verified: false`;
- clients named "wrong-issuer", "wrong-audience" or "wrong-nonce" get an ID token with
  that claim changed; "wrong-key" gets one signed with a key the provider does not publish.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey
from oauth2_provider.oauth2_validators import OAuth2Validator


def _part(segment: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


class Validator(OAuth2Validator):
    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.last_name != "unverified",
            "name": user.first_name,
        }

    def get_id_token_dictionary(
        self, token: Any, token_handler: Any, request: Any
    ) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        fault = request.client.name
        if fault == "wrong-issuer":
            claims["iss"] = "https://impostor.example"
        elif fault == "wrong-audience":
            # For another service, though naming this client as the party it was issued to.
            claims["aud"] = "another-service"
            claims["azp"] = request.client.client_id
        elif fault == "wrong-nonce":
            claims["nonce"] = "not-the-nonce-that-was-sent"
        return claims, expiration_time

    def finalize_id_token(self, id_token: Any, token: Any, token_handler: Any, request: Any) -> str:
        signed: str = super().finalize_id_token(id_token, token, token_handler, request)
        if request.client.name != "wrong-key":
            return signed
        header, claims, _ = signed.split(".")
        # Same header (and so the published key's id), another key's signature.
        other = RSAKey.import_key(os.environ["PROVIDER_OTHER_RSA_KEY"])
        return jwt.encode(_part(header), _part(claims), other)
