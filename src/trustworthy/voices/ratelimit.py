"""Each participant's share of a link's rate limit, kept without anything that identifies them.

See docs/adr/0007-participant-rate-limits.md. A sender is told apart by a keyed hash of the
link and their address, under a secret that changes every day, cut to 24 bits; the bucket
lives in the database (every server and worker shares it) and is deleted once it has been
idle long enough to have refilled.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import ipaddress
from collections.abc import Mapping
from functools import lru_cache

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import ClientBucket

# One address may send a burst of CLIENT_BURST answers through a link, then CLIENT_REFILL_PER_MINUTE.
# A school or youth club is often one address: a class of 30, or three at once, answer
# together; a year group of 200 over ten minutes gets through. A script from one address is
# held to 10 a minute, far below what the link as a whole takes (services.REFILL_PER_MINUTE).
CLIENT_BURST = 100
CLIENT_REFILL_PER_MINUTE = 10
# A bucket idle this long has refilled: it is the same as no bucket, so it is deleted.
IDLE = datetime.timedelta(minutes=CLIENT_BURST / CLIENT_REFILL_PER_MINUTE)
KEY_HEX_CHARS = 6  # 24 bits: hundreds of IPv4 addresses share each key
# An IPv6 sender usually holds a whole /64; counting each address would give them 2**64 buckets.
IPV6_PREFIX = 64


class ClientLimited(Exception):
    """This sender has sent too many answers through this link just now."""


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network] | None:
    """The proxies whose X-Forwarded-For is believed (None: every sender's)."""
    configured = getattr(settings, "TRUSTED_PROXIES", ["127.0.0.1", "::1"])
    if "*" in configured:
        return None
    return [ipaddress.ip_network(entry, strict=False) for entry in configured if entry]


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return None


def _trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    proxies = _trusted_proxies()
    if address is None:
        return False
    return proxies is None or any(address in network for network in proxies)


def client_address(meta: Mapping[str, str]) -> str:
    """The sender's address: REMOTE_ADDR, or, when that is one of our proxies, the nearest
    address in X-Forwarded-For that is not (a sender cannot choose it by adding their own)."""
    remote = _parse(meta.get("REMOTE_ADDR", ""))
    chain = [_parse(part) for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    found = remote
    if _trusted(remote):
        for hop in reversed(chain):
            if hop is None:
                break  # not an address: stop at the last one we could read
            found = hop
            if not _trusted(hop):
                break
    if found is None:
        return "unknown"
    if found.version == 6:
        return str(ipaddress.ip_network(f"{found}/{IPV6_PREFIX}", strict=False).network_address)
    return str(found)


@lru_cache(maxsize=4)
def _day_secret(secret_key: str, day: datetime.date) -> bytes:
    return hmac.new(
        secret_key.encode(), f"trustworthy-voices-rate:{day.isoformat()}".encode(), "sha256"
    ).digest()


def client_key(consultation_id: int, address: str, now: datetime.datetime | None = None) -> str:
    """24 bits of HMAC(secret of the day, link and address): different for each link and
    each day, and shared by hundreds of addresses."""
    now = now or timezone.now()
    secret = _day_secret(settings.SECRET_KEY, now.astimezone(datetime.UTC).date())
    message = f"{consultation_id}|{address}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:KEY_HEX_CHARS]


def _forget_idle(now: datetime.datetime) -> None:
    """Delete buckets that have refilled; never waits on one another request holds."""
    idle = ClientBucket.objects.filter(updated_at__lt=now - IDLE).select_for_update(skip_locked=True)
    ids = list(idle.values_list("pk", flat=True)[:500])
    if ids:
        ClientBucket.objects.filter(pk__in=ids).delete()


def take(consultation_id: int, key: str) -> None:
    """Take one answer from this sender's bucket for this link; ClientLimited if it is empty.

    Runs in its own short transaction, before the answer is saved, so a flood that is
    refused costs one row lock and never holds up the appraisal's."""
    now = timezone.now()
    with transaction.atomic():
        ClientBucket.objects.bulk_create(
            [ClientBucket(consultation_id=consultation_id, key=key, tokens=CLIENT_BURST, updated_at=now)],
            ignore_conflicts=True,
        )
        bucket = ClientBucket.objects.select_for_update().get(consultation_id=consultation_id, key=key)
        if bucket.updated_at == now:  # made just now: a new sender, a good moment to tidy up
            _forget_idle(now)
        elapsed = max(0.0, (now - bucket.updated_at).total_seconds())
        tokens = min(float(CLIENT_BURST), bucket.tokens + elapsed * CLIENT_REFILL_PER_MINUTE / 60)
        if tokens < 1:
            raise ClientLimited
        bucket.tokens = tokens - 1
        bucket.updated_at = now
        bucket.save(update_fields=["tokens", "updated_at"])
