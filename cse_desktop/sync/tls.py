"""TLS trust for talking to the service.

- **After enrolment the trust is pinned**: only the partnership service's own certificate
  authority (kept in the encrypted store, never in a plain file) is trusted, not the operating
  system's list.  So a gateway that inspects TLS with a root the computer happens to trust
  (a hotel, a café, a corporate proxy) is refused before the bearer token or any record is
  sent.  The stored PEM may hold several certificates: the current CA and its rollover
  successor are both trusted while the service changes over.
- Before enrolment (the very first contact) the operating system's authorities are used, plus
  a CA file the administrator hands out, if any.
"""

from __future__ import annotations

import ssl
from pathlib import Path

Verify = bool | str | Path | ssl.SSLContext


def ssl_context(verify: Verify = True, ca_pem: str | None = None) -> ssl.SSLContext | bool:
    """``verify`` is True (default trust), False (no checks: tests only), a CA file path or a
    ready context; ``ca_pem`` is the service's CA (and rollover) from the enrolment: when
    given, it replaces the system's authorities (an explicit CA file is still added)."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is False:
        return False
    context = pinned_context(ca_pem) if ca_pem else ssl.create_default_context()
    if isinstance(verify, str | Path):
        context.load_verify_locations(cafile=str(verify))
    return context


def pinned_context(ca_pem: str) -> ssl.SSLContext:
    """A client context trusting only the certificates in ``ca_pem`` (no system roots)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # verifies and checks host names
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_verify_locations(cadata=ca_pem)
    return context
