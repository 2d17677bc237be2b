"""``cse-server``: run the central service, migrate its database, administer it."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path
from typing import Any

from ..records import Role
from . import admin
from .ca import CertificateAuthority
from .config import ServerSettings, SettingsError
from .db import make_engine
from .migrate import upgrade


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _settings(args: argparse.Namespace) -> ServerSettings:
    return ServerSettings.from_env(data_dir=args.data_dir, database_url=args.database_url)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from .api import create_app

    settings = _settings(args)
    if args.insecure_http and not _is_loopback(args.host):
        print("Plain HTTP is only allowed on the loopback address (127.0.0.1). Remove "
              "--insecure-http or use --host 127.0.0.1.", file=sys.stderr)
        return 2
    if bool(args.cert) != bool(args.key):
        print("Give both --cert and --key, or neither.", file=sys.stderr)
        return 2
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    ca = CertificateAuthority.load_or_create(settings.data_dir, settings.organisation)
    ssl: dict[str, Any] = {}  # uvicorn.run keywords
    if not args.insecure_http:
        if args.cert:
            cert, key = Path(args.cert), Path(args.key)
        else:
            cert, key = ca.ensure_tls_certificate(settings.data_dir, [args.host])
        ssl = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    scheme = "http" if args.insecure_http else "https"
    print(f"cse-server listening on {scheme}://{args.host}:{args.port} "
          f"(data in {settings.data_dir})", flush=True)
    uvicorn.run(create_app(settings, engine, ca), host=args.host, port=args.port,
                log_level=args.log_level, access_log=args.log_level == "debug",
                timeout_graceful_shutdown=5, **ssl)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    revision = upgrade(make_engine(settings.database_url))
    print(f"The database schema is up to date (revision {revision}).")
    return 0


def cmd_admin(args: argparse.Namespace) -> int:
    settings = _settings(args)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    action = args.action
    if action == "create-team":
        print(admin.create_team(engine, args.name))
    elif action == "create-user":
        user_id = admin.create_user(engine, args.username, args.name, Role(args.role), args.team)
        print(user_id)
    elif action == "assign":
        admin.assign(engine, args.username, args.child_id)
        print(f"Child {args.child_id} is now in {args.username}'s caseload.")
    elif action == "unassign":
        if admin.unassign(engine, args.username, args.child_id):
            print(f"Child {args.child_id} is no longer in {args.username}'s caseload. Their "
                  "devices will remove it at their next sync.")
        else:
            print(f"Child {args.child_id} was not in {args.username}'s caseload. Nothing "
                  "changed.")
    elif action == "enrolment-code":
        code = admin.create_enrolment_code(engine, args.username, args.hours)
        print(code)
    elif action == "revoke-device":
        admin.revoke_device(engine, args.device_id, args.reason)
        print(f"Device {args.device_id} is revoked. It will be wiped at its next sync.")
    elif action == "deactivate-user":
        count = admin.deactivate_user(engine, args.username, args.reason)
        print(f"{args.username} can no longer use the service; {count} device(s) revoked "
              "(wiped at their next sync).")
    elif action == "remove-user":
        moved = admin.remove_user(engine, args.username, args.reassign_to, args.reason)
        where = f"moved to {args.reassign_to}" if args.reassign_to else "taken out of the caseload"
        print(f"{args.username} is deactivated and their devices revoked; {len(moved)} "
              f"child(ren) {where}.")
    elif action == "quarantine":
        from .quarantine import list_quarantined

        found = list_quarantined(engine)
        if not found:
            print("No records are set aside.")
        for q in found:
            print(f"{q.record_id}  child {q.child_id}  found {q.found_at:%Y-%m-%d %H:%M}  "
                  f"{q.reason}")
    elif action == "list-devices":
        for d in admin.list_devices(engine, args.username):
            state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "active"
            seen = f"{d.last_seen_at:%Y-%m-%d %H:%M}" if d.last_seen_at else "never"
            print(f"{d.device_id}  {d.user:<16} {d.name:<24} last seen {seen:<16} {state}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cse-server", description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="where the CA, TLS certificate and SQLite file live "
                             "(default: CSE_SERVER_DATA_DIR or the platform data folder)")
    parser.add_argument("--database-url", default=None,
                        help="SQLAlchemy URL (default: CSE_SERVER_DATABASE_URL or SQLite)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8443)
    serve.add_argument("--insecure-http", action="store_true",
                       help="plain HTTP, allowed only on loopback (tests, local tools)")
    serve.add_argument("--cert", help="TLS certificate (PEM); default: made on first start")
    serve.add_argument("--key", help="TLS private key (PEM)")
    serve.add_argument("--log-level", default="warning",
                       choices=["critical", "error", "warning", "info", "debug"])
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(
        func=cmd_migrate)

    adm = sub.add_parser("admin", help="administer users, caseloads and devices")
    actions = adm.add_subparsers(dest="action", required=True)
    team = actions.add_parser("create-team", help="create a team")
    team.add_argument("name")
    user = actions.add_parser("create-user", help="create a user")
    user.add_argument("username")
    user.add_argument("--name", required=True, help="full name, as on signed forms")
    user.add_argument("--role", required=True, choices=[r.value for r in Role])
    user.add_argument("--team", help="team name or id")
    assign = actions.add_parser("assign", help="add a child to a user's caseload")
    assign.add_argument("username")
    assign.add_argument("child_id")
    unassign = actions.add_parser(
        "unassign", help="take a child out of a user's caseload (removed from their devices)")
    unassign.add_argument("username")
    unassign.add_argument("child_id")
    code = actions.add_parser("enrolment-code", help="make a one-time enrolment code")
    code.add_argument("username")
    code.add_argument("--hours", type=int, default=72,
                      help="valid for (default 72 hours, at most 168: 7 days)")
    revoke = actions.add_parser("revoke-device", help="revoke a device (wiped at next sync)")
    revoke.add_argument("device_id")
    revoke.add_argument("--reason", default="", help="told to the practitioner")
    deactivate = actions.add_parser(
        "deactivate-user", help="close a user's account and revoke all their devices")
    deactivate.add_argument("username")
    deactivate.add_argument("--reason", default="", help="told to the practitioner")
    remove = actions.add_parser(
        "remove-user", help="deactivate a user and empty their caseload (optionally handing "
                            "it to someone else)")
    remove.add_argument("username")
    remove.add_argument("--reassign-to", default=None, metavar="USERNAME",
                        help="who takes over the caseload (default: nobody, assign later)")
    remove.add_argument("--reason", default="", help="told to the practitioner")
    actions.add_parser("quarantine", help="list records set aside because they could not be "
                                          "sent to devices")
    devices = actions.add_parser("list-devices", help="list enrolled devices")
    devices.add_argument("--username", default=None)
    adm.set_defaults(func=cmd_admin)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (admin.AdminError, SettingsError) as exc:
        print(str(exc), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
