#!/usr/bin/env bash
# Counts the instructions one W4 map executes, on both sides, by single-stepping it under gdb: a figure the host's
# noise does not move (a busy or throttled host changes timings, not instruction counts). Needs gdb and python3.
#   XenMm: attaches to XenMm.Bench in W4's timed loop and steps from one entry of MapRangeLocked (the map's own
#          work, compiled on its own) to the next (one whole map: tree creation, the map, the loop), then prints a
#          count per method.
#   native: steps pt_bench from one alloc_table entry to the second one after it. gdb counts each iteration of its
#          `rep stos` page clear as one step (512 per page), so subtract 1024 to compare with XenMm's vector loop.
# Usage: bench/stepcount-w4.sh [xenmm-build-dir] [native-dir]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BUILD="${1:-$(mktemp -d)/xenmm}"
NATIVE="${2:-${XENMM_NATIVE_DIR:-$ROOT/../shared/bench/native}}"
[ -f "$BUILD/XenMm.Bench.dll" ] || dotnet build "$ROOT/bench/XenMm.Bench" -c Release -o "$BUILD" >/dev/null
work=$(mktemp -d)
[ -f "$NATIVE/pt_bench.c" ] || { echo "stepcount-w4: no pt_bench.c in $NATIVE (set XENMM_NATIVE_DIR)" >&2; exit 2; }
cp "$NATIVE"/*.c "$NATIVE"/Makefile "$work"/
make -s -C "$work" pt_bench

DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 dotnet "$BUILD/XenMm.Bench.dll" w4 inner=3000000 >/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
sleep 4 # past the warm-up, inside the timed samples
map=/tmp/perf-$pid.map
addr=$(grep "::MapRangeLocked.*\[OptimizedTier1\]" "$map" | tail -1 | awk '{print $1}')
cat >"$work/x.gdb" <<EOG
set pagination off
set confirm off
handle SIGUSR1 SIGUSR2 SIG34 SIG35 SIG36 SIGPIPE nostop noprint pass
break *$addr
continue
delete
python
import gdb, collections, bisect
ranges = sorted((int(a, 16), int(s, 16), n.strip()) for a, s, n in (l.split(' ', 2) for l in open("$map") if l.count(' ') >= 2))
starts = [r[0] for r in ranges]
def name(pc):
    i = bisect.bisect_right(starts, pc) - 1
    return ranges[i][2][:100] if i >= 0 and pc < ranges[i][0] + ranges[i][1] else "runtime (allocation helpers, __tls_get_addr)"
target = $addr; per = collections.Counter(); n = 0; hits = 0
while hits < 1:
    gdb.execute("stepi", to_string=True); n += 1
    pc = int(gdb.parse_and_eval("\$pc")); per[name(pc)] += 1
    hits += pc == target
for k, v in per.most_common(12): print("xenmm_method", v, k)
print("w4_xenmm_instructions_per_map", n)
end
detach
quit
EOG
gdb -q -batch -p $pid -x "$work/x.gdb" 2>/dev/null | grep -E "^(xenmm_method|w4_)"

cat >"$work/n.gdb" <<'EOG'
set pagination off
set confirm off
break alloc_table
run
ignore 1 5000
continue
delete
python
import gdb
t = int(gdb.parse_and_eval("(long)alloc_table")); n = 0; hits = 0
while hits < 2:
    gdb.execute("stepi", to_string=True); n += 1
    hits += int(gdb.parse_and_eval("$pc")) == t
print("w4_native_steps_per_map", n, "(less 1024 rep-stos iterations:", n - 1024, ")")
end
kill
quit
EOG
gdb -q -batch -x "$work/n.gdb" "$work/pt_bench" 2>/dev/null | grep -E "^w4_"
