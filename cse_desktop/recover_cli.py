"""``cse-desktop recover``: set a new passphrase using the organisation's recovery key.

Run by the organisation's IT or information governance lead, with the offline private key,
on the practitioner's laptop.  Nothing unsynced is lost.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from pathlib import Path

from .paths import data_dir
from .services.errors import ServiceError
from .services.recovery import recover_store


def recover_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="cse-desktop recover",
        description="Set a new passphrase for a practitioner who has forgotten theirs, using "
                    "the organisation's recovery private key. Unsynced records are kept.")
    parser.add_argument("--recovery-key", required=True, metavar="PRIVATE.pem",
                        help="the organisation's X25519 recovery private key (PEM)")
    parser.add_argument("--data-dir", metavar="DIR", help="the practitioner's data folder")
    parser.add_argument("--key-password", action="store_true",
                        help="ask for the password protecting the private key file")
    parser.add_argument("--by", default="Organisation recovery",
                        help="your name, for the audit log")
    args = parser.parse_args(list(argv))
    folder = data_dir(args.data_dir)
    try:
        pem = Path(args.recovery_key).read_bytes()
    except OSError as exc:
        print(f"Could not read {args.recovery_key}: {exc.strerror}.", file=sys.stderr)
        return 2
    key_password = getpass.getpass("Password for the recovery key file: ").encode() \
        if args.key_password else None
    first = getpass.getpass("New passphrase for the practitioner: ")
    if getpass.getpass("Type it again: ") != first:
        print("The two passphrases are different. Nothing was changed.", file=sys.stderr)
        return 2
    try:
        records = recover_store(folder, pem, first, key_password=key_password, done_by=args.by)
    except ServiceError as exc:
        print(f"{exc} Nothing was changed.", file=sys.stderr)
        return 1
    print(f"Done. The practitioner can now unlock {records} records with the new passphrase.")
    return 0
