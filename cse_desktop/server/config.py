"""Server settings: where the data lives, which database, the organisation's name, and the
limits that protect the service from hostile or broken clients."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from ..domain.images import is_png

DEFAULT_ORGANISATION = "Safeguarding Partnership"
MAX_ENROLMENT_CODE_HOURS = 7 * 24
MAX_LOGO_BYTES = 256 * 1024  # printed 13 mm wide on every page: a small PNG is plenty


class SettingsError(ValueError):
    """A setting in the environment is wrong; the message says which and what to do."""


def default_data_dir() -> Path:
    chosen = os.environ.get("CSE_SERVER_DATA_DIR")
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_data_dir("cse-server", "cse-partnership"))


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'cse-server.db'}"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None
    if value < 1:
        raise SettingsError(f"{name} must be at least 1.")
    return value


def read_logo(path: str | Path) -> bytes:
    """The organisation's logo (CSE_SERVER_LOGO): a PNG file of at most 256 KB, sent to each
    device at enrolment and printed at the top of its forms."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SettingsError(f"CSE_SERVER_LOGO: cannot read {path} ({exc.strerror}).") from None
    if not is_png(data):
        raise SettingsError(f"CSE_SERVER_LOGO: {path} is not a PNG image. Save the logo as PNG.")
    if len(data) > MAX_LOGO_BYTES:
        raise SettingsError(f"CSE_SERVER_LOGO: {path} is {len(data) // 1024} KB; the limit is "
                         f"{MAX_LOGO_BYTES // 1024} KB. Save a smaller PNG (about 300 pixels "
                         "wide is enough).")
    return data


def _flag_env(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class ServerSettings:
    data_dir: Path
    database_url: str
    organisation: str = DEFAULT_ORGANISATION
    organisation_logo_png: bytes | None = None
    enrolment_code_hours: int = 72
    recovery_public_key_pem: str | None = None
    # Limits (see docs/sync-protocol.md, "Limits").
    max_request_bytes: int = 8 * 1024 * 1024
    max_record_bytes: int = 2 * 1024 * 1024  # a very long case note (1 MB of text) fits
    enrol_failures_per_address: int = 10  # failed enrolments before 429, per window
    enrol_failures_per_code: int = 5
    auth_failures_per_address: int = 30  # requests with a bad token before 429, per window
    failure_window_seconds: int = 15 * 60
    api_docs: bool = False  # serve /docs and /openapi.json (off: they need no login)

    @classmethod
    def from_env(cls, data_dir: Path | None = None,
                 database_url: str | None = None) -> ServerSettings:
        """Options win over the environment (CSE_SERVER_*), which wins over defaults."""
        data_dir = Path(data_dir) if data_dir else default_data_dir()
        url = database_url or os.environ.get("CSE_SERVER_DATABASE_URL") or sqlite_url(data_dir)
        recovery = None
        recovery_path = os.environ.get("CSE_SERVER_RECOVERY_PUBLIC_KEY")
        if recovery_path:
            recovery = Path(recovery_path).read_text("ascii")
        logo_path = os.environ.get("CSE_SERVER_LOGO", "").strip()
        d = cls(data_dir=data_dir, database_url=url)
        return cls(
            data_dir=data_dir,
            database_url=url,
            organisation=(os.environ.get("CSE_SERVER_ORGANISATION", "").strip()
                          or DEFAULT_ORGANISATION),
            organisation_logo_png=read_logo(logo_path) if logo_path else None,
            recovery_public_key_pem=recovery,
            max_request_bytes=_int_env("CSE_SERVER_MAX_REQUEST_BYTES", d.max_request_bytes),
            max_record_bytes=_int_env("CSE_SERVER_MAX_RECORD_BYTES", d.max_record_bytes),
            enrol_failures_per_address=_int_env("CSE_SERVER_ENROL_FAILURES_PER_ADDRESS",
                                                d.enrol_failures_per_address),
            enrol_failures_per_code=_int_env("CSE_SERVER_ENROL_FAILURES_PER_CODE",
                                             d.enrol_failures_per_code),
            auth_failures_per_address=_int_env("CSE_SERVER_AUTH_FAILURES_PER_ADDRESS",
                                               d.auth_failures_per_address),
            failure_window_seconds=_int_env("CSE_SERVER_FAILURE_WINDOW_SECONDS",
                                            d.failure_window_seconds),
            api_docs=_flag_env("CSE_SERVER_API_DOCS"),
        )
