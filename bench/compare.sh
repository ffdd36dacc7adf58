#!/usr/bin/env bash
# Runs the native baseline (C sources and a Makefile, built in a scratch folder as its run.sh does) and
# XenMm.Bench (Release, one process per workload group) RUNS times each (default 5), then for every line name
# printed by both sides:
#   correctness values (units hash/count/pages/frames/bool/value) must be equal on both sides and in every run;
#   timings (any other unit) print the XenMm/native ratio of the medians, with both medians, and the ratio of the
#   fastest runs (the least disturbed on a noisy host; the targets are on the medians).
# New workloads are picked up by name: nothing here lists them.
#
# The native baseline is not part of this repository: it is the team's independent C implementation of the same
# workloads, kept beside the clone. Say where it is with XENMM_NATIVE_DIR (a folder holding *.c and a Makefile);
# by default it is ../shared/bench/native relative to the repository root (the team's machine layout).
#
# A ratio counts only from an idle machine: on a busy one the native side slows more than XenMm and the ratio
# flatters XenMm. The 1-minute load average is printed before and after (after includes the runs themselves), with a
# warning when it was above BUSY_LOAD (0.5) at the start.
#
# Usage: bench/compare.sh [RUNS]
# env:   XENMM_NATIVE_DIR=<dir of the native sources>  (NATIVE= is accepted too, the older name)
#        KEEP=<dir>  keeps the raw output of both sides
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
RUNS=${1:-5}
NATIVE=${XENMM_NATIVE_DIR:-${NATIVE:-$ROOT/../shared/bench/native}}
if [ ! -f "$NATIVE/Makefile" ]; then
    echo "compare.sh: no native baseline at $NATIVE (no Makefile there); set XENMM_NATIVE_DIR to its folder" >&2
    exit 2
fi
BUSY=${BUSY_LOAD:-0.5}
load() { cut -d' ' -f1 /proc/loadavg 2>/dev/null || echo 0; }
busy() { awk -v l="$1" -v b="$BUSY" 'BEGIN { exit !(l > b) }'; }
LOAD_BEFORE=$(load)
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
cp "$NATIVE"/*.c "$NATIVE"/Makefile "$BUILD"/
make -s -C "$BUILD" all >&2
dotnet build "$ROOT/bench/XenMm.Bench" -c Release -o "$BUILD/xenmm" >/dev/null
native_bins=$(cd "$BUILD" && for b in xenheap_bench pt_bench; do [ -x "$b" ] && echo "$b"; done)
# XenMm runs in one process per group (XenMm.Bench --groups), as the native side runs one per binary: the heap
# workloads together (as xenheap_bench), the page-table ones (as pt_bench), each XenMm-only workload alone. A workload
# run after another in the same process gets code that tiered compilation optimised for the other's profile.
mapfile -t xenmm_groups < <(dotnet "$BUILD/xenmm/XenMm.Bench.dll" --groups)
i=0
while [ "$i" -lt "$RUNS" ]; do
    for b in $native_bins; do (cd "$BUILD" && "./$b") >>"$BUILD/native.txt"; done
    for group in "${xenmm_groups[@]}"; do
        # shellcheck disable=SC2086 # a group is a space-separated list of workload names
        dotnet "$BUILD/xenmm/XenMm.Bench.dll" $group >>"$BUILD/xenmm.txt"
    done
    i=$((i + 1))
done
LOAD_AFTER=$(load)
# The machine, so a saved result says what it was measured on: a VM can come back on other hardware (this team's did,
# on 2026-12-02, from an AMD EPYC host to an Intel Xeon one), and ratios from two machines do not compare.
echo "machine $(uname -m) $(nproc) cpus, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)"
echo "load_average_before $LOAD_BEFORE"
echo "load_average_after $LOAD_AFTER"
if busy "$LOAD_BEFORE"; then
    echo "WARNING: the machine was busy when the runs started (1-minute load $LOAD_BEFORE > $BUSY); these ratios do not count" >&2
    echo "machine_busy 1"
fi
[ -n "${KEEP:-}" ] && cp "$BUILD/native.txt" "$BUILD/xenmm.txt" "$KEEP"/
awk -v runs="$RUNS" '
function median(side, name,   n, i, j, t, a) {
    n = cnt[side, name]
    for (i = 1; i <= n; i++) a[i] = val[side, name, i] + 0
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function least(side, name,   i, m) {
    m = val[side, name, 1] + 0
    for (i = 2; i <= cnt[side, name]; i++) if (val[side, name, i] + 0 < m) m = val[side, name, i] + 0
    return m
}
FNR == 1 { side = (FILENAME ~ /native.txt$/) ? "native" : "xenmm" }
{
    if (!((side, $1) in cnt)) { if (side == "native") order[++nn] = $1; unit[$1] = $3 }
    cnt[side, $1]++; val[side, $1, cnt[side, $1]] = $2
}
END {
    bad = 0; compared = 0
    printf "runs %d count\n", runs
    for (k = 1; k <= nn; k++) {
        nm = order[k]; u = unit[nm]
        if (!(("xenmm", nm) in cnt)) continue
        compared++
        if (u == "hash" || u == "count" || u == "pages" || u == "frames" || u == "bool" || u == "value") {
            same = 1
            for (s = 0; s < 2; s++) {
                sd = s ? "xenmm" : "native"
                for (i = 1; i <= cnt[sd, nm]; i++) if (val[sd, nm, i] != val["native", nm, 1]) same = 0
            }
            printf "%s %s %s native=%s xenmm=%s\n", nm, same ? "EQUAL" : "DIFFERENT", u, val["native", nm, 1], val["xenmm", nm, 1]
            if (!same) bad = 1
        } else {
            mn = median("native", nm); mx = median("xenmm", nm)
            printf "%s ratio %.3f (native median %.6g %s, xenmm median %.6g %s)\n", nm, (mn > 0 ? mx / mn : 0), mn, u, mx, u
            # The fastest run of each side: the least disturbed one on a host whose noise the load average does not
            # show. Beside the median ratio, not instead of it: the targets are on the medians.
            lo_n = least("native", nm); lo_x = least("xenmm", nm)
            printf "%s fastest_ratio %.3f (native fastest %.6g %s, xenmm fastest %.6g %s)\n", nm, (lo_n > 0 ? lo_x / lo_n : 0), lo_n, u, lo_x, u
        }
    }
    for (nm in unit) if (("xenmm", nm) in cnt && !(("native", nm) in cnt)) printf "%s xenmm-only %s %s\n", nm, val["xenmm", nm, 1], unit[nm]
    printf "compared %d lines; correctness %s\n", compared, bad ? "MISMATCH" : "all equal"
    exit bad
}' "$BUILD/native.txt" "$BUILD/xenmm.txt"
