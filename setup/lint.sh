#!/usr/bin/env bash
# Lint the repository: ruff check, ruff format --check, pylint-odoo, the addons'
# generated README.rst, bash -n (and shellcheck when installed).
# Exits non-zero when any of them complains.
#
#   ./setup/lint.sh [--fix] [--odoo-venv DIR]
#
# --fix lets ruff fix what it can and reformat, regenerates the addons'
# README.rst, then checks again.
set -uo pipefail

# shellcheck source=setup/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIX=0
parse_common_args "$@"
for arg in ${REMAINING_ARGS[@]+"${REMAINING_ARGS[@]}"}; do
    case "$arg" in
        --fix) FIX=1 ;;
        -h | --help)
            sed -n '2,9p' "$0"
            exit 0
            ;;
        *) die "unknown option: $arg" ;;
    esac
done

BIN="$ODOO_VENV/bin"
for tool in ruff pylint; do
    [ -x "$BIN/$tool" ] || die "$BIN/$tool not found (pip install ruff pylint-odoo into $ODOO_VENV)"
done
cd "$REPO_ROOT" || exit 1

addons=()
for d in */; do
    d="${d%/}"
    [ -f "$d/__manifest__.py" ] && addons+=("$d")
done

declare -a failed=()
step() {
    local name="$1"
    shift
    info "$name"
    if "$@"; then
        echo "   ok"
    else
        failed+=("$name")
    fi
}

if [ "$FIX" = 1 ]; then
    "$BIN/ruff" check --fix . || true
    "$BIN/ruff" format . || true
    "$BIN/python" setup/gen_addon_readme.py || true
fi
step "ruff check" "$BIN/ruff" check .
step "ruff format --check" "$BIN/ruff" format --check .
step "pylint-odoo (${addons[*]} + umbrella manifest)" \
    "$BIN/pylint" --rcfile=.pylintrc --output-format=text "${addons[@]}" __manifest__.py
step "addon README.rst up to date with readme/ (setup/gen_addon_readme.py)" \
    "$BIN/python" setup/gen_addon_readme.py --check
# The README files must be valid reStructuredText (docutils ships with Odoo).
step "README.rst files are valid reStructuredText" "$BIN/python" -c '
import io, sys, docutils.core
bad = 0
for path in sys.argv[1:]:
    errors = io.StringIO()
    docutils.core.publish_string(open(path, encoding="utf-8").read(), writer_name="null",
        settings_overrides={"warning_stream": errors, "report_level": 1, "halt_level": 5})
    if errors.getvalue():
        print(path, errors.getvalue(), sep=": ")
        bad = 1
sys.exit(bad)' README.rst logistics_*/README.rst
shell_files=(setup/*.sh .ci/run)
# shellcheck disable=SC2016  # $f expands in the child shell
step "bash -n" bash -c 'for f; do bash -n "$f" || exit 1; done' _ "${shell_files[@]}"
if command -v shellcheck >/dev/null 2>&1; then
    step "shellcheck" shellcheck -x "${shell_files[@]}"
fi

if [ ${#failed[@]} -eq 0 ]; then
    info "lint: all clean"
    exit 0
fi
printf '%sLINT FAILED:%s %s\n' "$_C_RED" "$_C_OFF" "$(IFS=,; echo "${failed[*]}")" >&2
exit 1
