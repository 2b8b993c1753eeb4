#!/usr/bin/env bash
# Run tox environments one at a time and free each one's disk afterwards (CUDA builds of
# torch take 3-6 GB per environment). Usage: scripts/matrix.sh matrix|old|oldest|ENV...
# Results land in reports/results/<env>.json; regenerate the report after with
#   conformance report reports/results/*.json
set -uo pipefail
cd "$(dirname "$0")/.."
TOX=${TOX:-tox}
command -v "$TOX" >/dev/null 2>&1 || { echo "matrix.sh: '$TOX' not found: pip install tox (or set TOX=path/to/tox)" >&2; exit 2; }
if command -v pyenv >/dev/null 2>&1; then
    # let pyenv's shims find every installed Python (python3.8, python3.7) for tox
    PYENV_VERSION="$(pyenv versions --bare | grep -E '^[0-9]+\.[0-9]+\.[0-9]+$' | sort -rV | paste -sd:)"
    export PYENV_VERSION
fi
envs=()
for arg in "$@"; do
    case "$arg" in
        matrix|old|oldest) mapfile -t more < <(sed -n "s/^    $arg = //p" tox.ini | tr ',' '\n' | tr -d ' ');
                           envs+=("${more[@]}") ;;
        *) envs+=("$arg") ;;
    esac
done
[ ${#envs[@]} -gt 0 ] || { echo "usage: $0 matrix|old|oldest|ENV..." >&2; exit 2; }
status=0
start=$(date +%s)
for env in "${envs[@]}"; do
    t0=$(date +%s)
    echo "=== [$env] $(date -u +%H:%M:%S)"
    "$TOX" -e "$env" -- -q -p no:warnings; rc=$?
    echo "=== [$env] exit $rc after $(( $(date +%s) - t0 ))s"
    [ $rc -eq 0 ] || status=1
    [ "${KEEP_ENVS:-0}" = 1 ] || rm -rf ".tox/$env"
done
echo "=== matrix of ${#envs[@]} environments took $(( $(date +%s) - start ))s"
exit $status
