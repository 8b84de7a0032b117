"""Checking respond.io's ``X-Webhook-Signature``: base64 of the HMAC-SHA256 of the raw body."""

import base64
import hashlib
import hmac
from collections.abc import Sequence

from pydantic import SecretStr


def signature_matches(body: bytes, signature: str, keys: Sequence[SecretStr]) -> bool:
    """True when the signature was made with any of the keys.

    Every webhook subscription has its own signing key, so all keys are tried, and every
    comparison runs, match or not, so the time taken tells nothing about which key matched.
    """
    given = signature.strip().encode()
    matched = False
    for key in keys:
        digest = hmac.new(key.get_secret_value().encode(), body, hashlib.sha256).digest()
        matched |= hmac.compare_digest(base64.b64encode(digest), given)
    return matched
