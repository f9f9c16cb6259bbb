#!/usr/bin/env bash
# Install Odoo 17 Community into a virtualenv, from Odoo's official source or from
# an existing Odoo 17 source tree.
#
#   ./setup/install-odoo.sh [--odoo-venv DIR]
#
#   ODOO_VENV  target virtualenv           (default /opt/odoo17/venv)
#   ODOO_SRC   Odoo 17 source tree to use  (default <ODOO_VENV>/../src); when it
#              does not hold Odoo 17 yet, Odoo's official source is put there
#              (git clone -b 17.0, else the official nightly tarball: internet).
#
# Run by ./setup/run.sh and ./setup/test.sh when the virtualenv has no Odoo; safe
# to run again, and after an interruption at any step.
#
# How Odoo is installed, and why:
# - Odoo is NOT pip-installed (neither "pip install -e" nor a wheel). A file
#   "odoo-src.pth" in the venv's site-packages puts the source tree on sys.path.
#   The OCA addon wheels (odoo-addon-queue_job, ...) create
#   site-packages/odoo/addons/<name> without odoo/__init__.py: a namespace
#   portion. Python's import system always prefers a regular package (the
#   source's odoo/__init__.py) to namespace portions, whatever the order on
#   sys.path, and Odoo's odoo/addons/__init__.py extends its __path__ with
#   every odoo/addons directory on sys.path: the wheels' addons are found, and
#   they can never shadow Odoo. (An editable install puts Odoo behind an import
#   hook that runs after the namespace lookup: the wheel then shadows Odoo.)
# - Odoo is started with the source tree's own odoo-bin, never with a
#   pip-generated console script: those check every requirement through
#   pkg_resources at start-up, and the gevent process crash-loops when a
#   requirement's metadata carries a normalised name (zope_interface-*.dist-info)
#   that setuptools<70's pkg_resources cannot match.
# - Every pip install runs with "-c setup/constraints.txt": setuptools<70 (Odoo 17
#   imports pkg_resources) and zope.event/zope.interface wheels whose metadata
#   that pkg_resources can find (gevent loads its plugins through it; see the file).
# - python-ldap left out (LDAP authentication is not used; it needs OpenLDAP headers).
set -euo pipefail

# shellcheck source=setup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_common_args "$@"
[ ${#REMAINING_ARGS[@]} -eq 0 ] || die "unknown option: ${REMAINING_ARGS[0]} (usage: ./setup/install-odoo.sh [--odoo-venv DIR])"

ODOO_SRC="${ODOO_SRC:-$(dirname "$ODOO_VENV")/src}"
ODOO_GIT_URL="https://github.com/odoo/odoo"
ODOO_TARBALL_URL="https://nightly.odoo.com/17.0/nightly/src/odoo_17.0.latest.tar.gz"

if find_odoo; then
    info "Odoo 17 is already installed in $ODOO_VENV ($ODOO_PKG); nothing to do"
    exit 0
fi
# A virtualenv that imports another Odoo is somebody else's: never touch it.
if [ -x "$ODOO_VENV/bin/python" ] && [[ "${ODOO_PROBE_ERROR:-}" == *"not 17.0"* ]]; then
    die "$ODOO_VENV holds another Odoo ($ODOO_PROBE_ERROR); use another virtualenv: ODOO_VENV=/opt/odoo17/venv ./setup/run.sh"
fi

info "Installing Odoo 17 into $ODOO_VENV (source: $ODOO_SRC)"

# 1. System packages (Debian/Ubuntu) needed to build Odoo's Python requirements,
#    installed only when one is missing (a second run needs no apt-get).
SYS_PKGS=(git curl ca-certificates python3 python3-venv python3-dev build-essential
    libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev libfreetype-dev
    liblcms2-dev libwebp-dev libffi-dev libssl-dev libsasl2-dev fonts-dejavu-core)
missing_sys_pkgs() {
    local p
    for p in "${SYS_PKGS[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
    done
}
if command -v dpkg-query >/dev/null 2>&1; then
    mapfile -t missing < <(missing_sys_pkgs)
    if [ ${#missing[@]} -gt 0 ]; then
        command -v apt-get >/dev/null 2>&1 ||
            die "missing system packages (${missing[*]}) and no apt-get: install them yourself, then re-run"
        info "Installing system packages: ${missing[*]}"
        apt_install "${missing[@]}"
    fi
else
    warn "not a Debian/Ubuntu system: make sure git, python3-venv and the build headers (libpq, libxml2, libxslt, libjpeg, zlib, libffi, libssl, libsasl2) are installed"
fi

# 2. Odoo source: an existing Odoo 17 tree, else the official one (downloaded
#    into a temporary directory first, so an interrupted download leaves nothing).
if [ -f "$ODOO_SRC/odoo/release.py" ]; then
    info "Using the Odoo source tree in $ODOO_SRC"
else
    [ ! -e "$ODOO_SRC" ] || [ -z "$(ls -A "$ODOO_SRC")" ] ||
        die "$ODOO_SRC exists and is not an Odoo source tree; remove it or set ODOO_SRC to an Odoo 17 checkout"
    parent="$(dirname "$ODOO_SRC")"
    [ -d "$parent" ] || as_root mkdir -p "$parent"
    [ -w "$parent" ] || as_root chown "$(id -u):$(id -g)" "$parent"
    tmp_src="$(mktemp -d "$parent/.odoo-src.XXXXXX")"
    trap 'rm -rf "$tmp_src"' EXIT
    info "Downloading Odoo 17 from $ODOO_GIT_URL (needs internet)"
    if ! git clone -q --depth 1 -b 17.0 "$ODOO_GIT_URL" "$tmp_src/odoo"; then
        warn "git clone failed; trying the official nightly tarball"
        rm -rf "${tmp_src:?}/odoo"
        mkdir -p "$tmp_src/odoo"
        curl -fsSL "$ODOO_TARBALL_URL" | tar -xz -C "$tmp_src/odoo" --strip-components=1 ||
            die "could not download Odoo 17 (no internet?). Point ODOO_SRC at an Odoo 17 source tree and re-run"
    fi
    rmdir "$ODOO_SRC" 2>/dev/null || true
    mv "$tmp_src/odoo" "$ODOO_SRC"
fi
grep -q "^version_info = (17, 0," "$ODOO_SRC/odoo/release.py" ||
    die "$ODOO_SRC is not Odoo 17.0 ($ODOO_SRC/odoo/release.py); set ODOO_SRC to an Odoo 17 source tree"
ODOO_SRC="$(cd "$ODOO_SRC" && pwd -P)"

# 3. Virtualenv and Odoo's requirements.
if [ ! -x "$ODOO_VENV/bin/python" ]; then
    parent="$(dirname "$ODOO_VENV")"
    [ -d "$parent" ] || as_root mkdir -p "$parent"
    [ -w "$parent" ] || as_root chown "$(id -u):$(id -g)" "$parent"
    rm -rf "$ODOO_VENV"  # a half-created venv from an interrupted run
    python3 -m venv "$ODOO_VENV" || die "python3 -m venv failed: install python3-venv"
fi
pip=("$ODOO_VENV/bin/python" -m pip install --disable-pip-version-check -q
    -c "$REPO_ROOT/setup/constraints.txt")
"${pip[@]}" --upgrade pip wheel setuptools || die "pip could not reach the package index"
req="$(mktemp)"
trap 'rm -f "$req"; rm -rf "${tmp_src:-}"' EXIT
grep -viE '^\s*python-ldap' "$ODOO_SRC/requirements.txt" >"$req"
info "Installing Odoo's Python requirements (a few minutes the first time)"
"${pip[@]}" -r "$req" --only-binary=zope.event,zope.interface ||
    die "pip install of Odoo's requirements failed (see above); fix it and re-run"

# 4. Odoo on sys.path through a .pth file (see the header).
site="$("$ODOO_VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
# An earlier editable install would sit in front of the .pth: remove it.
"$ODOO_VENV/bin/python" -m pip uninstall -y -q odoo >/dev/null 2>&1 || true
echo "$ODOO_SRC" >"$site/odoo-src.pth"

find_odoo || die "Odoo was installed but $ODOO_VENV/bin/python does not import Odoo 17: $ODOO_PROBE_ERROR"
"$ODOO_PY" -c "import psycopg2, lxml, PIL, reportlab" ||
    die "Odoo's requirements do not import in $ODOO_VENV (see above); delete $ODOO_VENV and re-run"
check_gevent
info "Odoo 17 installed: $ODOO_PKG"
