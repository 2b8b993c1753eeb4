#!/usr/bin/env bash
# Run tox environments one at a time and free each release's disk afterwards (CUDA builds of
# torch take 3-6 GB per environment). Usage: scripts/matrix.sh LABEL|ENV...
# with LABEL one of matrix, old, oldest, bench (see tox.ini), or env names (torch1.9.0, bench2.5).
# Each environment is removed after its run (KEEP_ENVS=1 keeps them).
# FREE_CACHE=1 with UV_CACHE_DIR set to a folder of its own also empties that uv cache after
# each release (unless the next env has the same pins: torch2.5.1 then bench2.5): every install
# is then a cold one, but the disk holds one release at a time.
# Each env's line gives its wall time, the bytes this machine received meanwhile (anything else
# downloading at the same time counts too) and the env's size on disk.
# Results land in reports/results/<env>.json (bench: reports/bench/); then regenerate with
#   conformance report reports/results/*.json --out reports   /   conformance bench-report reports/bench/*.json --out reports/bench
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
# the torch release an env installs: torch1.9.0 -> 1.9.0; bench2.5 -> the release whose pins it
# takes ({[testenv:torch2.5.1]deps}); anything else -> its name
release() {
    case "$1" in
        torch*) echo "${1#torch}" ;;
        bench*) local r; r=$(sed -n "/^\[testenv:$1\]/,/^\[/ s/^deps = {\[testenv:torch\(.*\)\]deps}/\1/p" tox.ini)
                echo "${r:-$1}" ;;
        *) echo "$1" ;;
    esac
}
# bytes received by this machine (all interfaces but lo): what an environment downloaded,
# as long as nothing else downloads at the same time
rx_bytes() { awk 'NR > 2 && $1 != "lo:" { sum += $2 } END { printf "%.0f\n", sum }' /proc/net/dev 2>/dev/null || echo 0; }
status=0
start=$(date +%s)
for i in "${!envs[@]}"; do
    env=${envs[$i]}
    t0=$(date +%s); rx0=$(rx_bytes)
    echo "=== [$env] ($((i + 1))/${#envs[@]}) $(date -u +%H:%M:%S)"
    "$TOX" --workdir "$WORK" -e "$env" -- -q -p no:warnings; rc=$?
    disk=$(du -sm "$WORK/$env" 2>/dev/null | cut -f1)
    echo "=== [$env] exit $rc after $(( $(date +%s) - t0 ))s, downloaded $(( ($(rx_bytes) - rx0) / 1048576 )) MiB, env ${disk:-?} MiB"
    [ $rc -eq 0 ] || status=1
    next=${envs[$((i + 1))]:-}
    [ "${KEEP_ENVS:-0}" = 1 ] || rm -rf "${WORK:?}/$env"
    if [ "${FREE_CACHE:-0}" = 1 ] && [ -n "${UV_CACHE_DIR:-}" ] && { [ -z "$next" ] || [ "$(release "$next")" != "$(release "$env")" ]; }; then
        rm -rf "$UV_CACHE_DIR"
    fi
done
echo "=== ${#envs[@]} environments took $(( $(date +%s) - start ))s"
exit $status
