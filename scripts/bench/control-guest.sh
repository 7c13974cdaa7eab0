#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/control.sh. Prints one "figure:" line per
# measurement: seconds of wall time and the peak resident memory of the
# userspace tool (GNU time).
#   control-guest.sh EXEMPTIONS SOURCES
set -euo pipefail
nex=$1 nsrc=$2
ctl=$SMTPRL_TOP/userspace/smtprlctl
bench_ko=$(dirname "$SMTPRL_KO")/smtprl_bench.ko
tmp=$(mktemp -d)

stat() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/smtprl/stats; }
# timed LABEL CMD...: run CMD, print wall seconds and peak RSS.
timed() {
	local label=$1
	shift
	/usr/bin/time -f '%e %M %U %S' -o "$tmp/time" "$@"
	read -r secs kb user sys <"$tmp/time"
	echo "figure: $label: ${secs} s (user ${user} s, system ${sys} s), peak RSS ${kb} KiB"
}
check() { [ "$2" = "$3" ] || { echo "bench: $1: expected $2, got $3" >&2; exit 1; }; }

python3 - "$nex" >"$tmp/exempt.batch" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    a = f"100.{64 + i // 65536}.{i // 256 % 256}.{i % 256}"
    print(f'exempt add {a} expires 30d comment "customer {i}"')
PY
python3 - "$nex" >"$tmp/nft.batch" <<'PY'
import sys
print("add table inet smtprl_bench")
print("add set inet smtprl_bench exempt { type ipv4_addr; flags timeout; size %d; }"
      % (2 * int(sys.argv[1])))
els = ", ".join(f'100.{64 + i // 65536}.{i // 256 % 256}.{i % 256} timeout 30d comment "customer {i}"'
                for i in range(int(sys.argv[1])))
print("add element inet smtprl_bench exempt { %s }" % els)
PY

t0=$(date +%s%N)
head -c 256M /dev/zero | sha256sum >/dev/null
t1=$(date +%s%N)
echo "guest calibration: sha256 of 256 MiB: $(((t1 - t0) / 1000000)) ms"

echo "== $nex exemptions, each with an expiry and a comment ($(uname -r), $(nproc) CPU)"
timed "smtprlctl -b: $nex exemptions" "$ctl" -b "$tmp/exempt.batch"
check "exemptions loaded" "$nex" "$(stat exemptions)"
timed "smtprlctl save (policy, scope, relays, $nex exemptions)" sh -c "'$ctl' save >'$tmp/saved'"
check "saved lines" "$nex" "$(grep -c '^exempt add' "$tmp/saved")"
timed "smtprlctl -j exempt list ($nex)" sh -c "'$ctl' -j exempt list >/dev/null"
timed "smtprlctl exempt flush ($nex)" "$ctl" exempt flush
timed "smtprlctl -b: restore from save" "$ctl" -b "$tmp/saved"
check "exemptions restored" "$nex" "$(stat exemptions)"
"$ctl" exempt flush
timed "nft -f: $nex set elements with timeout and comment, one batch" nft -f "$tmp/nft.batch"
check "nft elements" "$nex" "$(nft -j list set inet smtprl_bench exempt |
	python3 -c 'import json,sys; print(sum(len(o["set"].get("elem", [])) for o in json.load(sys.stdin)["nftables"] if "set" in o))')"
timed "nft list set ($nex elements)" sh -c "nft list set inet smtprl_bench exempt >/dev/null"
nft delete table inet smtprl_bench
echo "figure: iptables hashlimit: no per-entry control at all (no add, no exempt, no expiry per address)"

echo "== dump of $nsrc tracked sources"
rmmod smtprl
# 1/day: no bucket refills, so GC keeps every entry during the dump.
insmod "$SMTPRL_KO" rate=1/day burst=5 daily=0 max_sources=$((2 * nsrc))
insmod "$bench_ko" case=syn sources="$nsrc" iterations=1 2>/dev/null || true
check "tracked sources" "$nsrc" "$(stat entries)"
echo "figure: memory_bytes $(stat memory_bytes) for $nsrc sources, $(($(stat memory_bytes) / nsrc)) B/source"
timed "smtprlctl -j source list ($nsrc)" sh -c "'$ctl' -j source list >'$tmp/src.json'"
# Valid JSON (a streaming parse: a million objects do not fit a small VM
# as Python objects), one object per source.
check "sources in the JSON dump" "$nsrc" "$(python3 -c '
import json, sys
dec, n, buf = json.JSONDecoder(), 0, open(sys.argv[1]).read()
pos = buf.index("[") + 1
while True:
    while buf[pos] in " \n,":
        pos += 1
    if buf[pos] == "]":
        break
    obj, pos = dec.raw_decode(buf, pos)
    n += "prefix" in obj
print(n)' "$tmp/src.json")"
rm -f "$tmp/src.json"
# Into a pipe, the dump is held in memory until whole, then copied out.
timed "smtprlctl -j source list into a pipe ($nsrc)" sh -c "'$ctl' -j source list | wc -c >'$tmp/n'"
[ "$(cat "$tmp/n")" -gt $((nsrc * 100)) ] || { echo "bench: JSON into a pipe: $(cat "$tmp/n") bytes" >&2; exit 1; }
timed "smtprlctl source list ($nsrc, text)" sh -c "'$ctl' source list | wc -l >'$tmp/n'"
check "sources in the text dump" "$nsrc" "$(cat "$tmp/n")"
timed "smtprlctl source list top 10 sort limited ($nsrc)" sh -c "'$ctl' source list top 10 sort limited >/dev/null"
timed "cat /proc/net/smtprl/sources ($nsrc)" sh -c "wc -l </proc/net/smtprl/sources >'$tmp/n'"
check "sources in /proc" "$((nsrc + 1))" "$(cat "$tmp/n")"
"$ctl" source flush
rm -rf "$tmp"
