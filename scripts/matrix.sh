#!/usr/bin/env bash
# Run tox environments one at a time and free each release's disk afterwards (CUDA builds of
# torch take 3-6 GB per environment). Usage: scripts/matrix.sh LABEL|ENV...
# with LABEL one of matrix, old, oldest, bench (see tox.ini). A release's environments
# (torchX, benchX) are removed once the next env in the list belongs to another release.
# Results land in reports/results/<env>.json (bench: reports/bench/); then regenerate with
#   conformance report reports/results/*.json   /   conformance bench-report reports/bench/*.json
set -uo pipefail
cd "$(dirname "$0")/.."
TOX=${TOX:-tox}
WORK=${TOX_WORKDIR:-.tox}  # a separate work dir lets two matrix.sh runs go side by side
command -v "$TOX" >/dev/null 2>&1 || { echo "matrix.sh: '$TOX' not found: pip install tox (or set TOX=path/to/tox)" >&2; exit 2; }
if command -v pyenv >/dev/null 2>&1; then
    # let pyenv's shims find every installed Python (python3.8, python3.7) for tox
    PYENV_VERSION="$(pyenv versions --bare | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -rV | paste -sd:)"
    export PYENV_VERSION
fi
envs=()
for arg in "$@"; do
    case "$arg" in
        matrix|old|oldest|bench) mapfile -t more < <(sed -n "s/^    $arg = //p" tox.ini | tr ',' '\n' | tr -d ' ');
                                 envs+=("${more[@]}") ;;
        *) envs+=("$arg") ;;
    esac
done
[ ${#envs[@]} -gt 0 ] || { echo "usage: $0 matrix|old|oldest|bench|ENV..." >&2; exit 2; }
release() { local e=$1; e=${e#torch}; echo "${e#bench}"; }
status=0
start=$(date +%s)
for i in "${!envs[@]}"; do
    env=${envs[$i]}
    t0=$(date +%s)
    echo "=== [$env] ($((i + 1))/${#envs[@]}) $(date -u +%H:%M:%S)"
    "$TOX" --workdir "$WORK" -e "$env" -- -q -p no:warnings; rc=$?
    echo "=== [$env] exit $rc after $(( $(date +%s) - t0 ))s"
    [ $rc -eq 0 ] || status=1
    next=${envs[$((i + 1))]:-}
    if [ "${KEEP_ENVS:-0}" != 1 ] && { [ -z "$next" ] || [ "$(release "$next")" != "$(release "$env")" ]; }; then
        rm -rf "$WORK/torch$(release "$env")" "$WORK/$env"
    fi
done
echo "=== ${#envs[@]} environments took $(( $(date +%s) - start ))s"
exit $status
