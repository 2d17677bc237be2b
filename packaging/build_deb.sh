#!/usr/bin/env bash
# Package dist/cse-desktop (made by build_and_check.sh) as a .deb, check it, install it and
# start it.  Run as root (or with sudo available) on Debian 12 / Ubuntu 22.04 or newer.
#
#   bash packaging/build_deb.sh            # needs: dpkg-deb, desktop-file-utils, appstream
#
# Steps: desktop-file-validate and appstreamcli validate; build dist/cse-desktop_<version>_amd64.deb
# with the bundle in /opt/cse-desktop, /usr/bin/cse-desktop, the desktop entry, the AppStream
# metainfo and the icon in every hicolor size; dpkg -i it, run /usr/bin/cse-desktop --version
# and --self-test; remove it again (KEEP_INSTALLED=1 keeps it).
set -euo pipefail
cd "$(dirname "$0")/.."

APP_ID="org.cse_partnership.CseDesktop"
BUNDLE="dist/cse-desktop"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
say() { printf '\n== %s\n' "$*"; }

[ -x "$BUNDLE/cse-desktop" ] || { echo "No bundle at $BUNDLE: run packaging/build_and_check.sh first" >&2; exit 1; }
version="$("$BUNDLE/cse-desktop" --version | awk '{print $2}')"

say "Validating the desktop entry and the AppStream metainfo"
desktop-file-validate "packaging/$APP_ID.desktop"
appstreamcli validate --no-net "packaging/$APP_ID.metainfo.xml"

say "Building the .deb"
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/metainfo" "$root/usr/share/doc/cse-desktop"
cp -a "$BUNDLE" "$root/opt/cse-desktop"
ln -s /opt/cse-desktop/cse-desktop "$root/usr/bin/cse-desktop"
install -m 644 "packaging/$APP_ID.desktop" "$root/usr/share/applications/"
install -m 644 "packaging/$APP_ID.metainfo.xml" "$root/usr/share/metainfo/"
for size in 16 32 48 64 128 256 512; do  # every hicolor size the icon comes in
  dir="$root/usr/share/icons/hicolor/${size}x${size}/apps"
  mkdir -p "$dir"
  install -m 644 "packaging/icons/cse-desktop-$size.png" "$dir/$APP_ID.png"
done
mkdir -p "$root/usr/share/icons/hicolor/scalable/apps"
install -m 644 packaging/icons/cse-desktop.svg "$root/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
printf 'cse-desktop %s\nSee https://cse-partnership.example.org/ for the licence.\n' "$version" \
  > "$root/usr/share/doc/cse-desktop/copyright"
installed_kb=$(du -sk "$root" | cut -f1)
cat > "$root/DEBIAN/control" <<CONTROL
Package: cse-desktop
Version: $version
Architecture: amd64
Maintainer: CSE Partnership <it@cse-partnership.example.org>
Installed-Size: $installed_kb
Depends: libc6 (>= 2.36), libstdc++6, libglib2.0-0, libfontconfig1, libfreetype6, libdbus-1-3, libx11-6, libx11-xcb1, libxcb1, libxkbcommon0, libxkbcommon-x11-0, libegl1, libgl1, libopengl0, libxcb-cursor0, libxcb-icccm4, libxcb-keysyms1, libxcb-shape0, libxcb-randr0, libxcb-render-util0, libxcb-image0, libxcb-xkb1, libxcb-xinerama0, libwayland-client0, libwayland-cursor0, libwayland-egl1
Recommends: libcups2, fonts-dejavu-core
Section: misc
Priority: optional
Homepage: https://cse-partnership.example.org/
Description: Child Exploitation Casework (encrypted, offline-capable)
 Return home interviews, warning-signs checklists and case notes for practitioners
 protecting children from sexual and criminal exploitation, kept encrypted on this
 computer and synchronised with the partnership's central service.
CONTROL
deb="dist/cse-desktop_${version}_amd64.deb"
dpkg-deb --root-owner-group --build "$root" "$deb" >/dev/null
echo "$deb ($(du -h "$deb" | cut -f1))"

say "Installing it with dpkg -i and starting it"
$SUDO dpkg -i "$deb" || { $SUDO apt-get install -y -f -qq --no-install-recommends >/dev/null; }
dpkg -s cse-desktop | grep -E '^(Status|Version)'
got="$(/usr/bin/cse-desktop --version)"
[ "$got" = "cse-desktop $version" ] || { echo "Expected 'cse-desktop $version', got '$got'" >&2; exit 1; }
echo "$got"
check_home="$(mktemp -d)"
HOME="$check_home" XDG_RUNTIME_DIR="$check_home" QT_QPA_PLATFORM=offscreen /usr/bin/cse-desktop --self-test
rm -rf "$check_home"
[ -f "/usr/share/icons/hicolor/256x256/apps/$APP_ID.png" ]
[ -f "/usr/share/applications/$APP_ID.desktop" ]
if [ "${KEEP_INSTALLED:-0}" != 1 ]; then $SUDO dpkg -r cse-desktop >/dev/null; fi
echo "The .deb installs and starts."
