#!/usr/bin/env bash
# The README's two jobs, with their set-up:
#   scripts/dev.sh run  [conformance run options]  - the kit against the venv's torch, writes a report
#   scripts/dev.sh test [pytest options]           - the specs and the kit's own tests
# Both create .venv on first use (Python 3.11 when present): torch 2.14.1 + torchvision 0.29.1
# and the kit in editable mode. Override the torch pins with KIT_TORCH="torch==X torchvision==Y".
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
KIT_TORCH=${KIT_TORCH:-"torch==2.14.1 torchvision==0.29.1"}
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}

ensure_venv() {
    local stamp="$VENV/.kit-installed" want
    want="$KIT_TORCH $(sha1sum pyproject.toml | cut -c1-12)"  # reinstall when the pins or pyproject change
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    echo "dev.sh: setting up $VENV ($KIT_TORCH) ..." >&2
    "$PY" -m venv "$VENV" || { echo "dev.sh: cannot create a venv with $PY" >&2; exit 2; }
    "$VENV/bin/python" -m pip install -q --upgrade pip 2>&1 | grep -v "^WARNING: Location" >&2
    # shellcheck disable=SC2086
    "$VENV/bin/python" -m pip install -q $KIT_TORCH -e '.[test]' 2>&1 | grep -v "^WARNING: Location" >&2
    "$VENV/bin/python" -c "import torch, conformance" || { echo "dev.sh: install failed" >&2; exit 2; }
    echo "$want" > "$stamp"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    run)
        ensure_venv
        exec "$VENV/bin/conformance" run "$@" ;;
    test)
        ensure_venv
        "$VENV/bin/python" -m pytest "$@"
        rc=$?
        if [ $rc -eq 5 ]; then echo "dev.sh: pytest collected no tests: failing" >&2; exit 1; fi
        exit $rc ;;
    *)
        echo "usage: scripts/dev.sh run|test [options]" >&2
        exit 2 ;;
esac
