#!/usr/bin/env bash
# The README's two jobs, with their set-up:
#   scripts/dev.sh run  [conformance run options]  - the kit against the venv's torch, writes a report
#   scripts/dev.sh test [pytest options]           - the specs and the kit's own tests
# Both create .venv on first use (Python 3.11 when present): torch 2.14.1 + torchvision 0.29.1
# and the kit in editable mode. Override the torch pins with KIT_TORCH="torch==X torchvision==Y".
# The set-up uses uv when it is on PATH (much faster), else pip (KIT_INSTALLER=pip|uv chooses);
# it shows each package as it comes (name, size, and on a terminal how far a download is), keeps
# pip's full output in $VENV/setup.log and prints its end when the install fails.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
KIT_TORCH=${KIT_TORCH:-"torch==2.14.1 torchvision==0.29.1"}
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
INSTALLER=${KIT_INSTALLER:-$(command -v uv >/dev/null 2>&1 && echo uv || echo pip)}

# pip's output (stdin) -> one line per package: "  [n] name version  size"; on a terminal a
# download's progress is redrawn in place ("42% of 915.3 MB"). Everything else is dropped here.
pip_progress() {
    local unbuffered=()  # mawk reads a pipe in blocks: progress would come in bursts
    awk -W version 2>&1 | grep -q mawk && unbuffered=(-W interactive)
    awk ${unbuffered[@]+"${unbuffered[@]}"} -v tty="$([ -t 2 ] && echo 1 || echo 0)" '
    function mb(text,   n, unit) {  # "915.3 MB" -> megabytes
        n = text + 0; unit = text; sub(/^[0-9.]+ */, "", unit)
        return unit == "GB" ? n * 1000 : unit == "MB" ? n : unit == "kB" ? n / 1000 : n / 1e6
    }
    function pretty(file,   parts) {  # torch-2.14.1-cp311-cp311-manylinux_2_28_x86_64.whl -> torch 2.14.1
        sub(/.*\//, "", file); split(file, parts, "-")
        return parts[1] " " parts[2]
    }
    function endbar() { if (bar) { printf "\n" > "/dev/stderr"; bar = 0 } }
    /^ *(Downloading|Using cached) / {
        endbar(); size = ""; if (match($0, /\(([0-9.]+ [kMG]?B)\)/)) size = substr($0, RSTART + 1, RLENGTH - 2)
        n++; total += mb(size); cached = ($1 == "Using")
        printf("  [%d] %-40s %10s%s\n", n, pretty($2 == "cached" ? $3 : $2), size, (cached ? " (cached)" : "")) > "/dev/stderr"
        next
    }
    /^Processing .*\.whl/ {  # a wheel from a local folder (a find-links or file:// index)
        endbar(); bytes = 0; cmd = "stat -c %s \"" $2 "\" 2>/dev/null"; cmd | getline bytes; close(cmd)
        n++; local += bytes / 1e6
        printf "  [%d] %-40s %7.1f MB (local file)\n", n, pretty($2), bytes / 1e6 > "/dev/stderr"; next
    }
    /^Progress [0-9]+ of [0-9]+/ {
        if (tty && $4 > 5e6) { printf "\r      %3d%% of %.1f MB", 100 * $2 / $4, $4 / 1e6 > "/dev/stderr"; bar = 1 }
        if ($2 == $4) endbar()
        next
    }
    /^Installing collected packages:/ {
        endbar(); k = split(substr($0, 32), names, ",")
        printf("  installing %d package%s%s ...\n", k, (k == 1 ? "" : "s"),
               (k > 5 ? " (unpacking torch takes a minute or two)" : "")) > "/dev/stderr"; next
    }
    /^Successfully installed/ { endbar(); printf("  installed %d package%s\n", NF - 2, (NF == 3 ? "" : "s")) > "/dev/stderr"; next }
    /^ERROR:/ { endbar(); print > "/dev/stderr"; next }
    END {
        endbar()
        if (n) printf("  %d file%s: %.0f MB downloaded or from pip'"'"'s cache%s\n", n, (n == 1 ? "" : "s"), total,
                      (local ? sprintf(", %.0f MB from local files", local) : "")) > "/dev/stderr"
    }'
}

pip_install() {  # what (for the log), pip install arguments...
    local what=$1 bar=on rc
    shift
    "$VENV/bin/python" -m pip install --help 2>/dev/null | grep -q "raw" && bar=raw
    echo "== $what" >> "$VENV/setup.log"
    "$VENV/bin/python" -m pip install --disable-pip-version-check --progress-bar "$bar" "$@" 2>&1 \
        | tee -a "$VENV/setup.log" | pip_progress
    rc=${PIPESTATUS[0]}
    if [ "$rc" -ne 0 ]; then
        echo "dev.sh: pip failed ($what, exit $rc); the end of $VENV/setup.log:" >&2
        grep -v "^Progress " "$VENV/setup.log" | tail -n 15 >&2
    fi
    return "$rc"
}

ensure_venv() {
    local stamp="$VENV/.kit-installed" want t0=$SECONDS
    want="$KIT_TORCH $(sha1sum pyproject.toml | cut -c1-12)"  # reinstall when the pins or pyproject change
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    local note=""
    [ "$KIT_TORCH" = "torch==2.14.1 torchvision==0.29.1" ] && \
        note=" (a CUDA build of torch: about 3 GB to download, .venv grows to about 5.6 GB)"
    echo "dev.sh: setting up $VENV with $KIT_TORCH and the kit, using $INSTALLER$note; $(df -h . | awk 'NR == 2 {print $4}') free here" >&2
    "$PY" -m venv "$VENV" || { echo "dev.sh: cannot create a venv with $PY" >&2; exit 2; }
    : > "$VENV/setup.log"
    if [ "$INSTALLER" = uv ]; then
        echo "dev.sh: [1/2] installing (uv) ..." >&2
        # shellcheck disable=SC2086
        uv pip install --python "$VENV/bin/python" $KIT_TORCH -e '.[test]' \
            || { echo "dev.sh: install failed (uv)" >&2; exit 2; }
    else
        echo "dev.sh: [1/3] pip itself" >&2
        pip_install "pip" --upgrade pip || exit 2
        echo "dev.sh: [2/3] torch, torchvision, the kit and its test dependencies" >&2
        # shellcheck disable=SC2086
        pip_install "$KIT_TORCH and the kit" $KIT_TORCH -e '.[test]' || exit 2
    fi
    echo "dev.sh: [$([ "$INSTALLER" = uv ] && echo 2/2 || echo 3/3)] checking the install" >&2
    "$VENV/bin/python" -c "import torch, conformance" || { echo "dev.sh: install failed" >&2; exit 2; }
    echo "$want" > "$stamp"
    echo "dev.sh: $VENV ready in $((SECONDS - t0)) s, $(du -sh "$VENV" 2>/dev/null | cut -f1) on disk" >&2
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
