#!/usr/bin/env bash
# The CUDA half of the kit in one prepared command (issue #14), for a machine with an NVIDIA GPU:
#   1. prints what the machine has: GPU and driver (nvidia-smi), Python, torch and its CUDA,
#      torchvision, the kit's Python dependencies, free disk;
#   2. fails with one line (exit 2) when torch cannot use CUDA here, or a dependency is missing
#      and no wheel for it was carried (see --wheels);
#   3. runs every spec on cpu and cuda, parity specs included -> OUT/results/<env>-cuda.json (+ .md);
#   4. times the hot paths on cuda (CUDA synchronized inside the timed region) -> OUT/bench/<env>-cuda.json;
#   5. ends with a one-line summary; exit 0 when both passed, 1 when a spec or benchmark failed or
#      a step ran out of time, 2 for unusable input or set-up, 130 when interrupted.
# <env> is torch<major>.<minor> of the torch under test (torch2.11), as in reports/results/.
#
# Usage:
#   bash scripts/gpu-check.sh [--out DIR] [--devices cpu,cuda|cpu] [--quick] [--wheels DIR] [-- pytest options]
#       --out DIR       where results/ and bench/ go (default: the repository's reports/ for the full GPU check,
#                       reports/local/ for a --devices cpu or --quick run, which are not matrix evidence)
#       --devices cpu   the dry run: everything except CUDA (<env>-cpu.json); the kit's tests run it
#       --quick         a few specs and short untimed-quality benchmarks (for the dry run in tests)
#       --wheels DIR    wheels to install (pip --no-index --target) when a dependency is missing
#                       (default shared/wheels when it exists)
#       options after -- go to pytest in the spec run (e.g. -- -k max_ties -x)
#   bash scripts/gpu-check.sh --fetch-wheels [DIR]
#       here, with a package index: download the wheels a Python 3.12 GPU machine without network
#       lacks (jsonschema and its compiled helper) into DIR (default shared/wheels)
#
# The kit is run from this checkout's src/ (PYTHONPATH), not installed: nothing is built and no
# network is needed. Entry-point plugins are not auto-loaded (PYTEST_DISABLE_PLUGIN_AUTOLOAD):
# the kit, hypothesis and pytest-benchmark plugins are named explicitly, so the GPU machine's own
# pytest plugins (xdist, cov, timeout, ...) play no part and the run is the same everywhere.
# Python: $PYTHON, else python3. Each step has a time limit; together they fit in 8 minutes.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-python3}
T_INFO=${GPU_CHECK_T_INFO:-60}     # machine survey (a cold torch import can take tens of seconds)
T_SETUP=${GPU_CHECK_T_SETUP:-60}   # installing carried wheels
T_SPECS=${GPU_CHECK_T_SPECS:-240}  # every spec on cpu and cuda
T_BENCH=${GPU_CHECK_T_BENCH:-120}  # the benchmarks on cuda
# The dependencies a GPU machine may lack, pinned to versions the kit was tested with (py3.12 wheels).
WHEEL_PINS="jsonschema==4.26.0 jsonschema-specifications==2025.9.1 referencing==0.37.0 rpds-py==2026.9.1"

die() { echo "gpu-check: error: $*" >&2; exit 2; }

OUT= DEVICES=cpu,cuda QUICK=0 WHEELS= EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --out) [ $# -ge 2 ] || die "--out needs a folder"; OUT=$2; shift 2 ;;
        --out=*) OUT=${1#--out=}; shift ;;
        --devices) [ $# -ge 2 ] || die "--devices needs cpu or cpu,cuda"; DEVICES=$2; shift 2 ;;
        --devices=*) DEVICES=${1#--devices=}; shift ;;
        --quick) QUICK=1; shift ;;
        --wheels) [ $# -ge 2 ] || die "--wheels needs a folder"; WHEELS=$2; shift 2 ;;
        --wheels=*) WHEELS=${1#--wheels=}; shift ;;
        --fetch-wheels)
            dest=${2:-$REPO/shared/wheels}
            mkdir -p "$dest" || die "cannot create $dest"
            # shellcheck disable=SC2086
            "$PY" -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
                --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
                -d "$dest" $WHEEL_PINS 2>&1 | grep -E "^(Saved|Successfully|ERROR)" || true
            n=$(find "$dest" -maxdepth 1 -name '*.whl' | wc -l)
            [ "$n" -ge 4 ] || die "downloaded $n of 4 wheels into $dest"
            echo "gpu-check: $n wheels in $dest ($(du -sh "$dest" | cut -f1)); they travel with the checkout's shared/ folder"
            exit 0 ;;
        --) shift; EXTRA=("$@"); break ;;
        -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option $1 (see --help; pytest options go after --)" ;;
    esac
done
case "$DEVICES" in
    cpu) TAG=cpu BENCH_DEVICES=cpu ;;
    cpu,cuda|cuda,cpu) DEVICES=cpu,cuda TAG=cuda BENCH_DEVICES=cuda ;;
    *) die "--devices must be cpu,cuda (the GPU check) or cpu (the dry run), not '$DEVICES'" ;;
esac
[ -n "$WHEELS" ] || WHEELS=$REPO/shared/wheels
# Only the full GPU check writes into the committed reports/ by default; a dry or quick run is
# not evidence for the matrix (and a --quick run is a partial one), so it goes to reports/local/.
if [ -z "$OUT" ]; then
    if [ "$TAG" = cuda ] && [ "$QUICK" = 0 ]; then OUT=$REPO/reports; else OUT=$REPO/reports/local; fi
fi
command -v "$PY" >/dev/null 2>&1 || die "no Python: $PY not found (set PYTHON=/path/to/python)"
case "$PY" in */*) PY=$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY") ;; esac  # the runs start elsewhere
case "$WHEELS" in /*) ;; *) WHEELS=$PWD/$WHEELS ;; esac
case "$OUT" in /*) ;; *) OUT=$PWD/$OUT ;; esac
# A scratch folder as the working directory: hypothesis' and pytest-benchmark's folders land there.
WORK=$(mktemp -d "${TMPDIR:-/tmp}/gpu-check.XXXXXX") || die "cannot create a scratch folder"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || die "cannot enter $WORK"
START=$SECONDS
export PYTHONPATH="$REPO/src${PYTHONPATH:+:$PYTHONPATH}" PYTEST_DISABLE_PLUGIN_AUTOLOAD=1 PYTHONUNBUFFERED=1
NEEDS="pytest hypothesis packaging jsonschema numpy pytest_benchmark"

# ---------------------------------------------------------------------------- 1. the machine
echo "gpu-check: the machine"
if command -v nvidia-smi >/dev/null 2>&1; then
    gpus=$(timeout 20 nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1)
    cudav=$(timeout 20 nvidia-smi 2>/dev/null | grep -o "CUDA Version: [0-9.]*" | head -1)
    while IFS= read -r line; do echo "  gpu          $line (driver; ${cudav:-CUDA version not shown})"; done <<< "$gpus"
else
    echo "  gpu          none seen (no nvidia-smi)"
fi
# The survey prints what Python has and writes shell assignments for the checks below.
timeout -k 5 "$T_INFO" "$PY" - "$WORK/facts" "$NEEDS" <<'PY'
import importlib.util, platform, sys
facts_path, needs = sys.argv[1], sys.argv[2].split()
facts = {}
print("  python       %s at %s" % (platform.python_version(), sys.executable))

def version(dist, module):
    if importlib.util.find_spec(module) is None:
        return None
    try:
        from importlib.metadata import version as v
        return v(dist)
    except Exception:
        return "present"

try:
    import torch
except Exception as err:  # ImportError, or a broken install raising OSError
    msg = str(err).splitlines()[0] if str(err) else ""
    print("  torch        cannot be imported (%s: %s)" % (type(err).__name__, msg))
    facts["TORCH_ERR"] = "%s: %s" % (type(err).__name__, msg)
else:
    built = getattr(torch.version, "cuda", None)
    try:
        cudnn = torch.backends.cudnn.version() if built else None
    except Exception:
        cudnn = None
    avail = torch.cuda.is_available()
    line = "  torch        %s (built with %s%s); CUDA available: %s" % (
        torch.__version__, "CUDA %s" % built if built else "no CUDA", ", cuDNN %s" % cudnn if cudnn else "",
        "yes" if avail else "no")
    if avail:
        names = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        cap = torch.cuda.get_device_capability(0)
        line += ", %d device(s): %s (capability %d.%d)" % (len(names), ", ".join(names), cap[0], cap[1])
    print(line)
    parts = torch.__version__.split("+")[0].split(".")
    facts["TORCH_VERSION"] = torch.__version__
    facts["TORCH_ENV"] = "torch%s.%s" % (parts[0], parts[1])
    facts["CUDA_OK"] = "1" if avail else ""
    facts["CUDA_WHY"] = ("built with CUDA %s, but no GPU is visible" % built) if built else "a build without CUDA"
tv = version("torchvision", "torchvision")
print("  torchvision  %s" % (tv or "missing (its specs will show not-run)"))
dists = {"pytest_benchmark": "pytest-benchmark"}
have = ["%s %s" % (dists.get(m, m), version(dists.get(m, m), m)) for m in needs if importlib.util.find_spec(m)]
missing = [dists.get(m, m) for m in needs if importlib.util.find_spec(m) is None]
print("  kit needs    %s%s" % (", ".join(have), "; MISSING: " + ", ".join(missing) if missing else ""))
facts["MISSING"] = " ".join(missing)
with open(facts_path, "w") as fh:
    for k, v in facts.items():
        fh.write("%s=%s\n" % (k, "'" + v.replace("'", "'\\''") + "'"))
PY
rc=$?
[ $rc -eq 0 ] || die "the machine survey failed or took over ${T_INFO}s (exit $rc) with $PY"
df -h "$REPO" "${TMPDIR:-/tmp}" 2>/dev/null | awk 'NR > 1 {printf "  disk         %s free of %s on %s\n", $4, $2, $6}' | sort -u
TORCH_ERR= TORCH_VERSION= TORCH_ENV= CUDA_OK= CUDA_WHY= MISSING=
# shellcheck disable=SC1091
. "$WORK/facts"

# ---------------------------------------------------------------------------- 2. the checks
[ -z "$TORCH_ERR" ] || die "no torch in $PY ($TORCH_ERR); this check needs torch with CUDA, which cannot be installed without network"
if [ "$TAG" = cuda ] && [ -z "$CUDA_OK" ]; then
    die "torch $TORCH_VERSION cannot use CUDA here ($CUDA_WHY); nothing was run (the dry run is --devices cpu)"
fi
if [ -n "$MISSING" ]; then
    if compgen -G "$WHEELS/*.whl" >/dev/null; then
        echo "gpu-check: installing $MISSING from $WHEELS (into a scratch site folder, no network)"
        PIP_CONFIG_FILE=/dev/null timeout -k 5 "$T_SETUP" "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir \
            --disable-pip-version-check --target "$WORK/site" "$WHEELS"/*.whl \
            || die "installing the wheels in $WHEELS failed (exit $?)"
        export PYTHONPATH="$PYTHONPATH:$WORK/site"
        still=$("$PY" -c 'import importlib.util, sys; print(" ".join(m for m in sys.argv[1:] if importlib.util.find_spec(m) is None))' $MISSING)
        [ -z "$still" ] || die "still missing after installing $WHEELS: $still"
    else
        die "missing Python package(s): $MISSING; carry their wheels in $WHEELS (bash scripts/gpu-check.sh --fetch-wheels, where there is a package index)"
    fi
fi
"$PY" -c "import conformance.plugin" 2>"$WORK/kit.err" \
    || die "the kit does not import from $REPO/src: $(grep -v '^ ' "$WORK/kit.err" | tail -1)"

# ---------------------------------------------------------------------------- 3 and 4. the runs
mkdir -p "$OUT/results" "$OUT/bench" || die "cannot create $OUT/results and $OUT/bench"
RESULTS=$OUT/results/$TORCH_ENV-$TAG.json
BENCH=$OUT/bench/$TORCH_ENV-$TAG.json
SPEC_ARGS=() BENCH_ARGS=()
if [ "$QUICK" = 1 ]; then
    SPEC_ARGS=(-k "max_ties or scalar_backward")   # includes the cpu/cuda parity spec
    BENCH_ARGS=(-k "not harness" --benchmark-max-time 0.002 --benchmark-min-rounds 2
                --benchmark-warmup off --benchmark-disable-gc)
fi
step() {  # name, limit, command...: runs it, prints how it ended; the exit status is the step's
    local name=$1 limit=$2 t0=$SECONDS rc
    shift 2
    echo "gpu-check: $name (limit ${limit}s)"
    timeout --foreground -k 10 "$limit" "$@"
    rc=$?
    case $rc in
        124|137) echo "gpu-check: $name ran out of time after $((SECONDS - t0))s" >&2 ;;
        *) echo "gpu-check: $name ended with exit $rc after $((SECONDS - t0))s" ;;
    esac
    return $rc
}
step "specs on $DEVICES" "$T_SPECS" "$PY" -m conformance.cli run --devices "$DEVICES" --results "$RESULTS" \
    --label "$TORCH_ENV-$TAG" -p conformance.plugin -p _hypothesis_pytestplugin ${SPEC_ARGS[@]+"${SPEC_ARGS[@]}"} \
    ${EXTRA[@]+"${EXTRA[@]}"}
specs_rc=$?
bench_rc=130
if [ $specs_rc -ne 130 ]; then
    step "benchmarks on $BENCH_DEVICES" "$T_BENCH" "$PY" -m conformance.cli bench --devices "$BENCH_DEVICES" \
        --output "$BENCH" --label "$TORCH_ENV-$TAG" -p conformance.plugin -p pytest_benchmark.plugin \
        ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}
    bench_rc=$?
fi

# ---------------------------------------------------------------------------- 5. the summary
word() {  # exit status, file -> what became of that step
    case $1 in
        0) echo "passed -> $2" ;;
        1) [ -f "$2" ] && echo "FAILED -> $2" || echo "FAILED (no file written)" ;;
        124|137) echo "OUT OF TIME" ;;
        130) echo "interrupted" ;;
        *) echo "unusable input (exit $1)" ;;
    esac
}
if [ $specs_rc -eq 130 ] || [ $bench_rc -eq 130 ]; then rc=130
elif [ $specs_rc -eq 2 ] || [ $bench_rc -eq 2 ]; then rc=2
elif [ $specs_rc -ne 0 ] || [ $bench_rc -ne 0 ]; then rc=1
else rc=0
fi
echo "gpu-check: $( [ $rc -eq 0 ] && echo ok || echo FAILED ): torch $TORCH_VERSION, specs on $DEVICES $(word $specs_rc "$RESULTS"); benchmarks on $BENCH_DEVICES $(word $bench_rc "$BENCH"); $((SECONDS - START))s"
exit $rc
