#!/usr/bin/env bash
# Install each program on its own into a fresh virtual environment and start it:
#
#   bash packaging/check_split_installs.sh
#
# - only the `desktop` extra: FastAPI, uvicorn, SQLAlchemy, Alembic and psycopg are absent, and
#   `cse-desktop --version` and `--self-test` work (QT_QPA_PLATFORM=offscreen);
# - only the `server` extra: PySide6, sqlcipher3, ReportLab and pyHanko are absent, and
#   `cse-server --help`, the form definitions and `cse-server migrate` (a throwaway SQLite
#   database) work.
# Both install the built wheel (not `pip install -e`), so a file the wheel forgets is noticed
# too.  pip's cache is used: about 1.5 minutes on the CI machine.  Exits non-zero if any
# check fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON="${PYTHON:-python3}"
started=$(date +%s)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A throwaway home: nothing here may touch a real user's data or settings.
export HOME="$work/home" XDG_DATA_HOME="$work/home/data" XDG_CONFIG_HOME="$work/home/config"
export XDG_RUNTIME_DIR="$work/home/runtime" QT_QPA_PLATFORM=offscreen
export PIP_CACHE_DIR="${PIP_CACHE_DIR:-$(pip cache dir 2>/dev/null || echo "$work/pip-cache")}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

say() { printf '\n== %s\n' "$*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

say "Building the wheel"
# From a copy of what the wheel is made of, so no stale build/ output in the working tree
# can slip into it (and none is left behind).
mkdir "$work/src"
cp -r pyproject.toml README.md cse_desktop forms resources "$work/src/"
"$PYTHON" -m pip wheel --quiet --no-deps --wheel-dir "$work/wheel" "$work/src"
wheel="$(ls "$work"/wheel/cse_desktop-*.whl)"
echo "$wheel"

make_venv() {  # make_venv NAME EXTRA
  "$PYTHON" -m venv "$work/$1"
  "$work/$1/bin/python" -m pip install --quiet "${wheel}[$2]"
}

absent() {  # absent VENV MODULE...: each module must fail to import
  local venv="$1"; shift
  for module in "$@"; do
    if "$work/$venv/bin/python" -c "import $module" 2>/dev/null; then
      fail "$module is installed with only the $venv extra"
    fi
  done
  echo "absent: $*"
}

say "Only the desktop extra"
make_venv desktop desktop
absent desktop fastapi uvicorn sqlalchemy alembic psycopg starlette
version="$("$work/desktop/bin/cse-desktop" --version)"
echo "$version"
[ "$version" = "cse-desktop $("$work/desktop/bin/python" -c 'import cse_desktop; print(cse_desktop.__version__)')" ] \
  || fail "cse-desktop --version said '$version'"
"$work/desktop/bin/cse-desktop" --self-test >"$work/selftest.log" 2>&1 \
  || { cat "$work/selftest.log" >&2; fail "cse-desktop --self-test"; }
tail -n 1 "$work/selftest.log"

say "Only the server extra"
make_venv server server
absent server PySide6 sqlcipher3 reportlab pyhanko pypdfium2 httpx
"$work/server/bin/cse-server" --help >"$work/server-help.txt" \
  || fail "cse-server --help"
grep -q "serve" "$work/server-help.txt" || fail "cse-server --help does not list 'serve'"
head -n 2 "$work/server-help.txt"
# Pushed records are checked against the form definitions: the wheel must carry them.
"$work/server/bin/python" -c 'from cse_desktop.forms import default_library
print("form definitions:", " ".join(default_library().form_ids()))' \
  || fail "the server install cannot load the form definitions"
"$work/server/bin/cse-server" --data-dir "$work/server-data" \
  --database-url "sqlite:///$work/server-data/check.db" migrate \
  || fail "cse-server migrate (SQLite)"

say "Both installs work on their own ($(( $(date +%s) - started )) s)"
