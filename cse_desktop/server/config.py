"""Server settings: where the data lives, which database, the organisation's name."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_ORGANISATION = "Safeguarding Partnership (demo)"


def default_data_dir() -> Path:
    chosen = os.environ.get("CSE_SERVER_DATA_DIR")
    if chosen:
        return Path(chosen)
    return Path(platformdirs.user_data_dir("cse-server", "cse-partnership"))


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{Path(data_dir) / 'cse-server.db'}"


@dataclass(frozen=True)
class ServerSettings:
    data_dir: Path
    database_url: str
    organisation: str = DEFAULT_ORGANISATION
    enrolment_code_hours: int = 72
    recovery_public_key_pem: str | None = None

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
        return cls(
            data_dir=data_dir,
            database_url=url,
            organisation=os.environ.get("CSE_SERVER_ORGANISATION", DEFAULT_ORGANISATION),
            recovery_public_key_pem=recovery,
        )
