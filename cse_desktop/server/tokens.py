"""Bearer tokens and one-time enrolment codes: random, shown once, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets

# Crockford-style alphabet: no I, L, O, U, so codes read aloud or typed survive.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(value: str) -> str:
    """SHA-256 is enough: tokens and codes are long random values, not passwords."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def new_enrolment_code() -> str:
    """16 random characters (80 bits) in four groups, e.g. ``7KQ2-M9XD-4TRB-P0ZC``."""
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(16))
    return "-".join(chars[i:i + 4] for i in range(0, 16, 4))


def normalise_code(code: str) -> str:
    """Accept lower case, spaces and missing dashes, and the usual look-alikes."""
    cleaned = "".join(c for c in code.upper() if c.isalnum())
    lookalikes: dict[str, str | int | None] = {"O": "0", "I": "1", "L": "1"}
    cleaned = cleaned.translate(str.maketrans(lookalikes))
    return "-".join(cleaned[i:i + 4] for i in range(0, len(cleaned), 4))
