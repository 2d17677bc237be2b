"""The script PyInstaller freezes: the same entry point as the ``cse-desktop`` command."""

import sys

from cse_desktop.app import main

if __name__ == "__main__":
    sys.exit(main())
