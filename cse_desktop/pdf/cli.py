"""``cse-desktop verify FILE.pdf [--trust CA.pem] [--details]``: check a signed PDF.

Prints one plain-English verdict per file, then whether its signing time is proven (a time
stamp from the partnership's time service) or only the signer's computer clock, and the
proven time of each signed record it carries.  Every
signature in the file is checked, oldest first.  Exit status: 0 valid (every signer trusted,
unchanged); 1 unchanged but a signer is not verified (for example a local identity); 2 altered
or not signed; 3 the file could not be read.  With several files, the worst status is
returned.  ``--trust`` names the partnership's certificate authority (the service's CA, which
also issues its time stamping certificate); without it no signer is trusted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from cse_desktop.pdf.verify import Verdict, verify_pdf_bytes

EXIT_CODES = {
    Verdict.VALID: 0,
    Verdict.UNKNOWN_SIGNER: 1,
    Verdict.ALTERED: 2,
    Verdict.NOT_SIGNED: 2,
    Verdict.UNREADABLE: 3,
}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cse-desktop verify",
        description="Check that a PDF made by the app is signed and has not been changed.")
    parser.add_argument("files", nargs="+", metavar="FILE.pdf", help="the PDF(s) to check")
    parser.add_argument("--trust", action="append", default=[], metavar="CA.pem",
                        help="a certificate authority to trust (the partnership's CA); "
                             "may be given more than once")
    parser.add_argument("--details", action="store_true",
                        help="also list every signature and time stamp in the file")
    return parser


def verify_main(argv: Sequence[str]) -> int:
    args = list(argv)
    if args[:1] == ["verify"]:
        args = args[1:]
    options = _parser().parse_args(args)
    trusted: list[bytes] = []
    for path in options.trust:
        try:
            trusted.append(Path(path).read_bytes())
        except OSError as exc:
            print(f"Could not read the certificate file {path}: {exc.strerror}.",
                  file=sys.stderr)
            return 3
    worst = 0
    for name in options.files:
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            print(f"{name}: could not be opened ({exc.strerror}).")
            worst = max(worst, 3)
            continue
        result = verify_pdf_bytes(data, trusted)
        prefix = f"{name}: " if len(options.files) > 1 else ""
        print(prefix + result.message)
        if result.time_note:
            print(("  " if prefix else "") + result.time_note)
        for line in result.record_times:
            print(("  " if prefix else "") + line)
        if options.details:
            for line in result.details:
                print(f"  {line}")
        worst = max(worst, EXIT_CODES[result.verdict])
    return worst


def main() -> None:
    sys.exit(verify_main(sys.argv[1:]))


if __name__ == "__main__":
    main()
