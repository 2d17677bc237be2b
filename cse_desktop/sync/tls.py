"""TLS trust for talking to the service: the system's authorities plus, when enrolled, the
service's own certificate authority (held in the encrypted store, never in a plain file)."""

from __future__ import annotations

import ssl
from pathlib import Path

Verify = bool | str | Path | ssl.SSLContext


def ssl_context(verify: Verify = True, ca_pem: str | None = None) -> ssl.SSLContext | bool:
    """``verify`` is True (system trust), False (no checks: tests only), a CA file path or a
    ready context; ``ca_pem`` adds the service's CA certificate."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is False:
        return False
    context = ssl.create_default_context()
    if isinstance(verify, str | Path):
        context.load_verify_locations(cafile=str(verify))
    if ca_pem:
        context.load_verify_locations(cadata=ca_pem)
    return context
