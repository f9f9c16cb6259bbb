#!/usr/bin/env bash
# Install Odoo 17 Community from Odoo's official source into a virtualenv.
#
# Used by ./setup/run.sh ONLY when no Odoo 17 is found in $ODOO_VENV; needs internet
# and root (apt-get). It never touches an existing Odoo.
#
#   ODOO_VENV  target virtualenv   (default /opt/odoo17/venv)
#   ODOO_SRC   source checkout     (default <ODOO_VENV>/../src)
#
# Source: git clone --depth 1 -b 17.0 https://github.com/odoo/odoo, falling back to
# the official nightly tarball. Installed editable, with setuptools<70, without
# python-ldap, and with gevent's zope.interface<6 / zope.event<5.
set -euo pipefail

# shellcheck source=setup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
parse_common_args "$@"
[ ${#REMAINING_ARGS[@]} -eq 0 ] || die "unknown option: ${REMAINING_ARGS[0]}"

ODOO_SRC="${ODOO_SRC:-$(dirname "$ODOO_VENV")/src}"
ODOO_GIT_URL="https://github.com/odoo/odoo"
ODOO_TARBALL_URL="https://nightly.odoo.com/17.0/nightly/src/odoo_17.0.latest.tar.gz"

if find_odoo; then
    info "Odoo 17 is already installed in $ODOO_VENV ($ODOO_PKG); nothing to do"
    exit 0
fi

info "Installing Odoo 17 into $ODOO_VENV (source in $ODOO_SRC); this needs internet"

# 1. System packages (Debian/Ubuntu) needed to build Odoo's Python requirements.
if command -v apt-get >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        git curl ca-certificates python3 python3-venv python3-dev build-essential \
        libpq-dev libxml2-dev libxslt1-dev libjpeg-dev zlib1g-dev libfreetype-dev \
        liblcms2-dev libwebp-dev libffi-dev libssl-dev libsasl2-dev node-less fonts-dejavu-core
else
    warn "apt-get not found: make sure git, python3-venv and the build headers are installed"
fi

# 2. Odoo source.
if [ -f "$ODOO_SRC/odoo/release.py" ]; then
    info "Using the existing source in $ODOO_SRC"
else
    [ ! -e "$ODOO_SRC" ] || [ -z "$(ls -A "$ODOO_SRC")" ] ||
        die "$ODOO_SRC exists and is not an Odoo source tree; set ODOO_SRC elsewhere"
    as_root mkdir -p "$ODOO_SRC"
    as_root chown "$(id -u):$(id -g)" "$ODOO_SRC"
    if ! git clone --depth 1 -b 17.0 "$ODOO_GIT_URL" "$ODOO_SRC"; then
        warn "git clone failed; trying the nightly tarball"
        rm -rf "${ODOO_SRC:?}"/* "$ODOO_SRC"/.[!.]* 2>/dev/null || true
        curl -fL "$ODOO_TARBALL_URL" | tar -xz -C "$ODOO_SRC" --strip-components=1
    fi
fi
grep -q "^version_info = (17, 0," "$ODOO_SRC/odoo/release.py" ||
    die "$ODOO_SRC/odoo/release.py is not Odoo 17.0"

# 3. Virtualenv and requirements.
if [ ! -x "$ODOO_VENV/bin/python" ]; then
    as_root mkdir -p "$ODOO_VENV"
    as_root chown "$(id -u):$(id -g)" "$ODOO_VENV"
    python3 -m venv "$ODOO_VENV"
fi
pip=("$ODOO_VENV/bin/python" -m pip)
"${pip[@]}" install -q --upgrade pip wheel "setuptools<70"
req="$(mktemp)"
trap 'rm -f "$req"' EXIT
grep -viE '^\s*python-ldap' "$ODOO_SRC/requirements.txt" >"$req"
"${pip[@]}" install -r "$req" "zope.interface<6" "zope.event<5"
# Editable install, built with the venv's setuptools<70 (no isolated build env).
"${pip[@]}" install --no-deps --no-build-isolation -e "$ODOO_SRC"

find_odoo || die "Odoo was installed but '$ODOO_VENV/bin/python -c \"import odoo\"' does not find Odoo 17"
info "Odoo 17 installed: $ODOO_PKG"
