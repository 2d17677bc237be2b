"""A local central service with demo users, and a desktop app enrolled against it (`make demo`).

    python scripts/demo_stack.py [--dir DIR] [--port 8443] [--fresh]

First start: creates the service (HTTPS on 127.0.0.1 with its own certificate authority), a
demo team with a practitioner, a team lead and an administrator, then two desktop stores
enrolled as the practitioner:

- "laptop-1" records a synthetic caseload and syncs it up to the service;
- "laptop-2" starts empty and syncs it down: that is the one to open.

Then it keeps the service running (Ctrl+C stops it) and prints what to do next.  Everything is
synthetic; nothing here is real casework.
"""

from __future__ import annotations

import argparse
import shutil
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
import platformdirs  # noqa: E402

from cse_desktop.records import Role  # noqa: E402
from cse_desktop.server import admin  # noqa: E402
from cse_desktop.server.config import sqlite_url  # noqa: E402
from cse_desktop.server.db import make_engine  # noqa: E402
from cse_desktop.server.migrate import upgrade  # noqa: E402
from cse_desktop.services.demo_data import (  # noqa: E402
    DEMO_KDF,
    DEMO_NAME,
    DEMO_PASSPHRASE,
    load_demo_caseload,
)
from cse_desktop.services.organisation import DEMO_ORGANISATION  # noqa: E402
from cse_desktop.services.session import first_run, unlock  # noqa: E402
from cse_desktop.sync import SyncClient, enrol  # noqa: E402

TEAM = "Demo outreach team"
USERS = [("demo.worker", DEMO_NAME, Role.OUTREACH_WORKER),
         ("demo.lead", "Jordan Demo-Lead", Role.TEAM_LEAD),
         ("demo.admin", "Casey Demo-Admin", Role.ADMIN)]


def start_service(server_dir: Path, port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "cse_desktop.server", "--data-dir", str(server_dir), "serve",
         "--port", str(port), "--log-level", "warning"],
        cwd=REPO, env={**dict(__import__("os").environ), "PYTHONPATH": str(REPO),
                       "CSE_SERVER_ORGANISATION": DEMO_ORGANISATION})
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("The service did not start; see the messages above.")
        ca = server_dir / "ca.pem"
        if ca.exists():
            try:
                httpx.get(f"https://127.0.0.1:{port}/api/v1/health",
                          verify=ssl.create_default_context(cafile=str(ca)), timeout=2)
                return process
            except httpx.HTTPError:
                pass
        time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"The service did not answer on port {port}. Is the port in use? "
                     "Try --port 8444.")


def make_laptop(directory: Path, url: str, ca: Path, engine: object, *,
                with_caseload: bool) -> None:
    print(f"  {directory.name}: creating the encrypted store"
          + (" and a synthetic caseload (a few seconds)…" if with_caseload else "…"), flush=True)
    session = first_run(directory, DEMO_PASSPHRASE, name=DEMO_NAME, role=Role.OUTREACH_WORKER,
                        organisation=DEMO_ORGANISATION, kdf=DEMO_KDF, demo=True)
    try:
        if with_caseload:
            load_demo_caseload(session)
        code = admin.create_enrolment_code(engine, "demo.worker")  # type: ignore[arg-type]
        enrol(session.store, url, code, device_name=directory.name, verify=str(ca))
        client = SyncClient.from_store(session.store, verify=str(ca))
        report = client.sync_once()
        client.close()
        print(f"  {directory.name}: enrolled and synced ({report.summary})", flush=True)
    finally:
        session.lock()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=Path(platformdirs.user_data_dir(
        "cse-desktop-demo-stack", "cse-partnership")))
    parser.add_argument("--port", type=int, default=8443)
    parser.add_argument("--fresh", action="store_true", help="delete the demo stack first")
    parser.add_argument("--no-wait", action="store_true",
                        help="set up, print the instructions and stop the service")
    args = parser.parse_args(argv)
    base: Path = args.dir
    if args.fresh and base.exists():
        shutil.rmtree(base)
    server_dir, url = base / "server", f"https://127.0.0.1:{args.port}"
    first_time = not (server_dir / "cse-server.db").exists()
    server_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(sqlite_url(server_dir))
    upgrade(engine)
    if first_time:
        admin.create_team(engine, TEAM)
        for username, name, role in USERS:
            admin.create_user(engine, username, name, role, TEAM)
    print(f"Starting the central service on {url} …", flush=True)
    process = start_service(server_dir, args.port)
    ca = server_dir / "ca.pem"
    try:
        for name, caseload in (("laptop-1", True), ("laptop-2", False)):
            if not (base / name / "records.key").exists():
                make_laptop(base / name, url, ca, engine, with_caseload=caseload)
        session = unlock(base / "laptop-2", DEMO_PASSPHRASE)
        try:
            client = SyncClient.from_store(session.store, verify=str(ca))
            report = client.sync_once()
            client.close()
            print(f"  laptop-2: synced again ({report.summary})")
        finally:
            session.lock()
        lead_code = admin.create_enrolment_code(engine, "demo.lead")
        print(f"""
The demo stack is running (synthetic data only).

  Open the enrolled desktop app (laptop-2, whose caseload came from the service):
      .venv/bin/cse-desktop --data-dir "{base / 'laptop-2'}"
      passphrase: {DEMO_PASSPHRASE}

  The other enrolled laptop, to see changes travel between the two:
      .venv/bin/cse-desktop --data-dir "{base / 'laptop-1'}"

  To enrol another copy by hand (File > Sync settings… > Connect to the service…):
      service address:   {url}
      enrolment code:    {lead_code}   (team lead Jordan Demo-Lead, valid 72 hours)
      certificate file:  {ca}

  Administer the service:
      .venv/bin/cse-server --data-dir "{server_dir}" admin list-devices

Press Ctrl+C to stop the service. `make demo` starts it again with the same data;
`make demo ARGS=--fresh` starts from scratch.""", flush=True)
        if args.no_wait:
            return 0
        signal.signal(signal.SIGTERM, lambda *_: process.terminate())
        process.wait()
    except KeyboardInterrupt:
        print("\nStopping the service.")
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
