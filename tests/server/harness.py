"""A real cse-server process for integration tests: uvicorn on 127.0.0.1, a random free port,
SQLite or PostgreSQL (when CSE_TEST_POSTGRES_URL is set), plus helpers to enrol devices.

Shared by tests/server, tests/sync and the sync benchmark.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from cse_desktop.clock import SYSTEM_CLOCK
from cse_desktop.crypto.keyfile import KdfParams
from cse_desktop.records import Actor, Record, RecordType, new_id
from cse_desktop.server import admin
from cse_desktop.server.config import sqlite_url
from cse_desktop.server.db import make_engine
from cse_desktop.server.migrate import upgrade
from cse_desktop.store import Store
from cse_desktop.sync import SyncClient, enrol
from cse_desktop.sync.client import actor_for

REPO = Path(__file__).resolve().parents[2]
PASSPHRASE = "correct horse battery staple"
POSTGRES_ENV = "CSE_TEST_POSTGRES_URL"


def backends() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PostgresSchema:
    """A fresh schema in the test database, dropped afterwards: repeatable runs."""

    def __init__(self) -> None:
        self.admin_url = os.environ[POSTGRES_ENV]
        # The pid in the name lets a later run tidy up after a killed one, and only that.
        self.name = f"cse_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.name}"'))
        engine.dispose()

    @property
    def url(self) -> str:
        url = make_url(self.admin_url).update_query_dict(
            {"options": f"-csearch_path={self.name}"})
        return url.render_as_string(hide_password=False)

    def drop(self) -> None:
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        engine.dispose()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def drop_stale_postgres_schemas() -> None:
    """Drop schemas left by test runs that were killed (their process is gone); never those
    of a run still going on (someone else may be testing at the same time)."""
    if not os.environ.get(POSTGRES_ENV):
        return
    engine = create_engine(os.environ[POSTGRES_ENV], isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("SET lock_timeout = '2s'"))
        names = conn.execute(text("SELECT nspname FROM pg_namespace WHERE nspname LIKE "
                                  "'cse\\_test\\_%'")).scalars().all()
        for name in names:
            parts = name.split("_")
            if len(parts) != 4 or not parts[2].isdigit() or _pid_alive(int(parts[2])):
                continue
            try:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
            except Exception:  # busy: leave it for next time
                continue
    engine.dispose()


class Service:
    """One cse-server process and its database."""

    def __init__(self, data_dir: Path, backend: str, *, https: bool = True) -> None:
        self.data_dir = Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.backend = backend
        self.https = https
        self.schema = PostgresSchema() if backend == "postgres" else None
        self.database_url = self.schema.url if self.schema else sqlite_url(self.data_dir)
        self.engine: Engine = make_engine(self.database_url)
        upgrade(self.engine)
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = self.data_dir / "server.log"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.https else 'http'}://127.0.0.1:{self.port}"

    @property
    def ca_path(self) -> Path:
        return self.data_dir / "ca.pem"

    @property
    def verify(self) -> str | bool:
        return str(self.ca_path) if self.https else True

    def start(self, fault: str | None = None, **extra_env: str) -> Service:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CSE_SERVER_")}
        env.update(extra_env)
        if fault:
            env["CSE_SERVER_FAULT"] = fault
        env["PYTHONPATH"] = str(REPO)
        args = [sys.executable, "-m", "cse_desktop.server", "--data-dir", str(self.data_dir),
                "--database-url", self.database_url, "serve", "--port", str(self.port)]
        if not self.https:
            args.append("--insecure-http")
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child process
        self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env)
        log.close()
        self._wait_until_up()
        return self

    def _wait_until_up(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        verify: Any = False
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError("cse-server exited:\n" + self.log_path.read_text())
            try:
                if self.https and not self.ca_path.exists():
                    raise httpx.ConnectError("no CA yet")
                if self.https:
                    verify = ssl.create_default_context(cafile=str(self.ca_path))
                httpx.get(self.base_url + "/api/v1/health", verify=verify, timeout=2)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("cse-server did not start:\n" + self.log_path.read_text())

    def kill(self) -> None:
        """SIGKILL: no chance to clean up, like a power cut for the process."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def wait_dead(self, timeout: float = 30.0) -> int:
        assert self.process is not None
        return self.process.wait(timeout)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def close(self) -> None:
        self.stop()
        self.engine.dispose()
        if self.schema:
            self.schema.drop()

    # -- administration shortcuts ----------------------------------------------------------

    def user(self, username: str, role: str = "outreach_worker", team: str | None = None,
             name: str | None = None) -> str:
        return admin.create_user(self.engine, username, name or username.title() + " Testperson",
                                 role, team)

    def code(self, username: str) -> str:
        return admin.create_enrolment_code(self.engine, username)

    def scalar(self, sql: str, **params: Any) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(text(sql), params).scalar()


@dataclass
class Device:
    store: Store
    client: SyncClient
    actor: Actor
    data_dir: Path

    def add(self, record_type: RecordType, data: dict[str, Any],
            child_id: str | None = None) -> Record:
        return self.store.add(make_record(record_type, data, self.actor, child_id), self.actor)

    def child(self, name: str) -> Record:
        return self.add(RecordType.CHILD, child_data(name))

    def sync(self) -> Any:
        return self.client.sync_once()

    def close(self) -> None:
        self.client.close()
        if self.store.is_open:
            self.store.lock()


# A free-text field of each form, for tests that only need "some words" in a record.
TEXT_FIELD = {
    RecordType.MISSING_EPISODE: "notes",
    RecordType.RETURN_INTERVIEW: "childs_words",
    RecordType.WARNING_SIGNS: "professional_judgement",
    RecordType.CASE_NOTE: "summary",
    RecordType.ADDENDUM: "text",
    RecordType.CHILD: "notes",
}


def child_data(name: str) -> dict[str, Any]:
    """Answers for the child form from a full name ("Test Child Bravo")."""
    first, _, last = name.rpartition(" ")
    return {"first_name": first or name, "last_name": last or name}


def text_data(record_type: RecordType, text: str) -> dict[str, Any]:
    """Answers that fit the record type's form: ``text`` in its free-text field."""
    return {TEXT_FIELD[record_type]: text}


def make_record(record_type: RecordType, data: dict[str, Any], actor: Actor,
                child_id: str | None = None) -> Record:
    now = SYSTEM_CLOCK.now()
    return Record(id=new_id(), record_type=record_type, form_id=record_type.value,
                  form_version=1, data=data, author=actor.name, device_id=actor.device_id,
                  created_at=now, updated_at=now, child_id=child_id)


def enrol_device(service: Service, username: str, data_dir: Path, **client_options: Any
                 ) -> Device:
    store = Store.create(data_dir, PASSPHRASE, kdf=KdfParams.fast_for_tests())
    enrol(store, service.base_url, service.code(username), device_name=f"{username}-laptop",
          verify=service.verify)
    client_options.setdefault("retries", 2)
    client_options.setdefault("backoff", 0.05)
    client = SyncClient.from_store(store, verify=service.verify, **client_options)
    return Device(store, client, actor_for(store), data_dir)


def running_service(tmp_path: Path, backend: str, env: dict[str, str] | None = None,
                    **kwargs: Any) -> Iterator[Service]:
    """A started service; ``env`` adds CSE_SERVER_* settings for the server process."""
    service = Service(tmp_path / f"server-{backend}", backend, **kwargs).start(**(env or {}))
    try:
        yield service
    finally:
        service.close()
