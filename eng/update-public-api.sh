#!/usr/bin/env bash
# Brings src/*/PublicAPI.Unshipped.txt up to date with the code, as the analyzer's code fix would in an IDE:
# builds the library packages with warnings not as errors, adds every symbol RS0016 reports (new or changed
# public API) and removes every line RS0017 reports (public API that is gone). Review the diff: it is the
# change to the packages' surface. Lines already in PublicAPI.Shipped.txt are left alone (a removed shipped
# member is a breaking change: move its line to Unshipped as *REMOVED*<line> by hand).
# Usage: eng/update-public-api.sh            needs python3
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
for p in Arm32 Arm64; do   # each builds Core and Abstractions too; --no-incremental so every analyzer runs
    dotnet build "$ROOT/src/XenMm.$p" --no-incremental -p:TreatWarningsAsErrors=false \
        -clp:NoSummary -flp:"warningsonly;append;logfile=$LOG" >/dev/null
done
python3 - "$LOG" <<'PY'
import collections, os, re, sys
added = re.compile(r": warning RS0016: Symbol '(.*)' is not part of the declared public API .*\[(.*?\.csproj)\]")
gone = re.compile(r": warning RS0017: Symbol '(.*)' is part of the declared API, but is either not public or could not be found.*\[(.*?\.csproj)\]")
add, rem = collections.defaultdict(set), collections.defaultdict(set)
for line in open(sys.argv[1]):
    for pat, d in ((added, add), (gone, rem)):
        m = pat.search(line)
        if m:
            d[m.group(2)].add(m.group(1))
for proj in sorted(set(add) | set(rem)):
    path = os.path.join(os.path.dirname(proj), "PublicAPI.Unshipped.txt")
    old = [l.rstrip("\n") for l in open(path) if l.strip() and not l.startswith("#nullable")]
    lines = sorted((set(old) - rem[proj]) | add[proj])   # ordinal order: stable, reviewable diffs
    with open(path, "w") as f:
        f.write("#nullable enable\n" + "".join(l + "\n" for l in lines))
    print(f"{os.path.relpath(path)}: +{len(add[proj])} -{len(rem[proj] & set(old))}")
PY
