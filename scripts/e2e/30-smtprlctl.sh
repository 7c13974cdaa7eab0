#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smtprlctl against the module: text and JSON (validated by a parser),
# kernel errors printed from extack with exit 1, usage errors exit 2,
# exemptions/relay/scope on real traffic, per-namespace configuration.
. "$(dirname "$0")/lib.sh"
trap topology_down EXIT
ctl=$SMTPRL_TOP/userspace/smtprlctl
[ -x "$ctl" ] || fail "userspace/smtprlctl is not built"
topology_up
mx_start 25

$ctl policy set rate 1/day burst 2 daily off action reject
expect_eq "policy show (JSON) rate" "1/day" "$($ctl -j policy show | json 'd["rate"]')"
expect_eq "policy show (JSON) kept ports" "25" "$($ctl -j policy show | json 'd["ports"]')"
$ctl -j -p policy show | python3 -m json.tool >/dev/null || fail "pretty JSON does not parse"
$ctl policy show | grep -q "rate 1/day burst 2 daily off" || fail "text: $($ctl policy show)"
pass "policy set/show, text and JSON agree"

# Kernel refusals: extack text, exit 1, nothing changed.
out=$($ctl policy set burst 4000000000 2>&1) && fail "overflowing burst accepted"
grep -q "^smtprlctl: burst: value too large" <<<"$out" || fail "extack not printed: $out"
rc=0
$ctl policy set burst 4000000000 >/dev/null 2>&1 || rc=$?
expect_eq "kernel refusal exits" 1 "$rc"
expect_eq "burst unchanged" 2 "$($ctl -j policy show | json 'd["burst"]')"
# Usage errors: exit 2, nothing sent.
for bad in "policy set rate 10/min" "policy set burst 1x" "policy set burst" \
	   "exempt add 10.0.0.0/33" "exempt add 10.0.0.1 expires 1w" "frobnicate"; do
	rc=0
	# shellcheck disable=SC2086
	$ctl $bad >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "not a usage error (exit $rc): $bad"
done
pass "malformed commands are usage errors (exit 2)"

$ctl exempt add 10.0.1.3 expires 30d comment "customer 4711, own MX"
$ctl exempt add 2001:db8:1::/64 rate 100/hour burst 3
expect_eq "exempt customer" "ok=4 refused=0 timeout=0" "$(attempts 4 10.0.1.3 $MX4)"
expect_eq "exempt v6 prefix with its own burst" "ok=3 refused=1 timeout=0" \
	"$(attempts 4 2001:db8:1::7 $MX6)"
expect_eq "zombie" "ok=2 refused=2 timeout=0" "$(attempts 4 10.0.1.2 $MX4)"
expect_eq "exempt list (JSON) length" 2 "$($ctl -j exempt list | json 'len(d)')"
expect_eq "exempt comment" "customer 4711, own MX" \
	"$($ctl -j exempt show 10.0.1.3/32 | json 'd["comment"]')"
$ctl -j exempt show 10.0.1.3 | json 'd["expires_s"] > 2591000' | grep -q True ||
	fail "expiry not about 30 days"
out=$($ctl exempt add 10.0.1.3 2>&1) && fail "duplicate exemption accepted"
grep -q "already exists" <<<"$out" || fail "duplicate: $out"
$ctl exempt replace 10.0.1.3 rate 5/minute
expect_eq "replaced exemption has a rate" "5/minute" "$($ctl -j exempt show 10.0.1.3 | json 'd["rate"]')"
$ctl exempt del 10.0.1.3
expect_eq "exempt del" 1 "$($ctl -j exempt list | json 'len(d)')"
# A list that cannot be written out is not a success.
if $ctl exempt list >/dev/full 2>/dev/null; then
	fail "exempt list to /dev/full exited 0"
fi
pass "exempt list to /dev/full exits non-zero"

$ctl relay add 10.0.2.25/32
expect_eq "relay destination" "ok=3 refused=0 timeout=0" "$(attempts 3 10.0.1.2 $MX4)"
expect_eq "relay list" "10.0.2.25/32" "$($ctl -j relay list | json 'd[0]["prefix"]')"
$ctl relay flush

$ctl scope add dev ppp+
$ctl scope add 192.0.2.0/24
expect_eq "scope list" 2 "$($ctl -j scope list | json 'len(d)')"
expect_eq "out of scope" "ok=3 refused=0 timeout=0" "$(attempts 3 10.0.1.5 $MX4)"
$ctl scope flush

expect_eq "source show" 2 "$($ctl -j source show 10.0.1.2 | json 'd["allowed"]')"
n=$($ctl -j source list | json 'len(d)')
expect_eq "source list = entries" "$(stat entries)" "$n"
$ctl source reset 10.0.1.2
expect_eq "after reset" "ok=2 refused=0 timeout=0" "$(attempts 2 10.0.1.2 $MX4)"
expect_eq "stats (JSON) = /proc" "$(stat seen)" "$($ctl -j stats | json 'd["seen"]')"

# Prometheus: parsed by prometheus_client's own text parser, every value
# that of -j stats, the outcomes adding up to seen, the netns labelled.
promcheck() { /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/promcheck.py" "$@"; }
$ctl stats -o prometheus >"$E2E_TMP/prom"
$ctl -j stats >"$E2E_TMP/stats.json"
n=$(promcheck "$E2E_TMP/prom" "$E2E_TMP/stats.json" init) ||
	fail "stats -o prometheus: $(cat "$E2E_TMP/prom")"
$ctl -n inet stats -o prometheus >"$E2E_TMP/prom"
$ctl -n inet -j stats >"$E2E_TMP/stats.json"
grep -q '^smtprl_seen_total{netns="inet"} ' "$E2E_TMP/prom" ||
	fail "-n inet: $(grep seen "$E2E_TMP/prom")"
pass "stats -o prometheus parses ($n), equals -j stats, outcomes add up to seen, netns labelled"

# policy show prints what policy set takes; the module's version is the tool's.
$ctl -j policy show >"$E2E_TMP/policy.before"
# shellcheck disable=SC2046
$ctl policy set $($ctl policy show)
$ctl -j policy show | diff - "$E2E_TMP/policy.before" || fail "policy set \$(policy show) changed it"
expect_eq "version with the module" \
	"smtprlctl $SMTPRL_VERSION module $(cat /sys/module/smtprl/version)" "$($ctl version)"
expect_eq "module version = tool version" "$($ctl -j version | json 'd["smtprlctl"]')" \
	"$($ctl -j version | json 'd["module"]')"

# Another namespace has its own configuration.
$ctl -n inet policy set burst 7
expect_eq "inet netns burst" 7 "$($ctl -n inet -j policy show | json 'd["burst"]')"
expect_eq "init netns burst" 2 "$($ctl -j policy show | json 'd["burst"]')"
expect_eq "inet netns not enforcing" no "$($ctl -n inet -j policy show | json 'd["enabled"]')"

# Top offenders, client-side sort.
attempts 3 10.0.1.6 $MX4 >/dev/null
expect_eq "source list top 1 sort limited" "10.0.1.6/32" \
	"$($ctl -j source list top 1 sort limited | json 'd[0]["prefix"]')"
expect_eq "source list top 2" 2 "$($ctl -j source list top 2 sort allowed | json 'len(d)')"
# top N keeps only N sources while it reads the dump: it must list the N
# largest, in order, whatever order the dump came in. Sources with 1, 3 and 4
# attempts (burst 2: up to 2 allowed, up to 2 limited) first.
for i in 7:1 8:3 9:4; do
	attempts "${i#*:}" "10.0.1.${i%:*}" $MX4 >/dev/null
done
for key in limited allowed; do
	all=$($ctl -j source list sort "$key" | json '" ".join(str(r["'$key'"]) for r in d)')
	for n in 1 2 3; do
		expect_eq "source list top $n sort $key: the $n largest" \
			"$(echo "$all" | cut -d' ' -f1-$n)" \
			"$($ctl -j source list top $n sort "$key" | json '" ".join(str(r["'$key'"]) for r in d)')"
	done
done

# Per-scope grouping: a customer with a /56 delegation is one source (one
# burst of 2), not 256; another /56 is another source; a longer scope
# prefix without a group keeps the policy's /64.
for a in 2001:db8:1:1::2 2001:db8:1:2::2 2001:db8:1:100::2 2001:db8:1:101::2 \
	 2001:db8:1:101::3; do
	nsx sub ip addr add $a/64 dev sub0 nodad
done
nsx bras ip -6 route add 2001:db8:1::/48 dev bras-sub
$ctl scope add 2001:db8:1::/48 v6-prefix 56
$ctl scope add 2001:db8:1:100::/56
expect_eq "scope list: the groups" "2001:db8:1::/48=56 2001:db8:1:100::/56=None" \
	"$($ctl -j scope list | json '" ".join(r["prefix"] + "=" + str(r.get("v6_prefix")) for r in sorted(d, key=lambda r: len(r["prefix"])))')"
expect_eq "/56 group: one /64" "ok=1 refused=0 timeout=0" "$(attempts 1 2001:db8:1:1::2 $MX6)"
expect_eq "/56 group: another /64, the same burst" "ok=1 refused=2 timeout=0" \
	"$(attempts 3 2001:db8:1:2::2 $MX6)"
expect_eq "/56 group: source show names the /56" "2001:db8:1::/56 2 2" \
	"$($ctl -j source show 2001:db8:1:ff::9 | json 'd["prefix"] + " " + str(d["allowed"]) + " " + str(d["limited"])')"
expect_eq "longer scope prefix, no group: per /64" "ok=2 refused=1 timeout=0" \
	"$(attempts 3 2001:db8:1:100::2 $MX6)"
expect_eq "longer scope prefix, no group: another /64" "ok=2 refused=0 timeout=0" \
	"$(attempts 2 2001:db8:1:101::2 $MX6)"
grep -qx "scope 2001:db8:1::/48 v6_prefix 56" /proc/net/smtprl/policy ||
	fail "/proc policy: $(grep ^scope /proc/net/smtprl/policy)"
$ctl scope replace 2001:db8:1::/48 v6-prefix 64
expect_eq "regrouped /64: a fresh burst" "ok=2 refused=0 timeout=0" "$(attempts 2 2001:db8:1:2::2 $MX6)"
for bad in "scope add 2001:db8:1::/48 v6-prefix 47" "scope add 2001:db8:1::/48 v4-prefix 56" \
	   "scope add 2001:db8:1::/48 v6-prefix 129" "scope del 2001:db8:1::/48 v6-prefix 56" \
	   "relay add 2001:db8:1::/48 v6-prefix 56" "scope add 10.0.0.0/8 v4-prefix 7"; do
	rc=0
	# shellcheck disable=SC2086
	$ctl $bad >/dev/null 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "not a usage error (exit $rc): $bad"
done
out=$($ctl scope add 2001:db8:1::/48 v6-prefix 60 2>&1) && fail "duplicate scope prefix accepted"
grep -q "already present" <<<"$out" || fail "duplicate scope prefix: $out"
expect_eq "refusals changed no group" "64" "$($ctl -j scope list | json 'max(r.get("v6_prefix", 0) for r in d)')"
$ctl scope flush
pass "per-scope grouping: a /56 is one source; replace regroups; bad lengths refused"

# save -> reload the module (all state gone) -> -b restores it exactly.
$ctl policy set rate 3/minute burst 4 daily 50 ports 25,2525 action monitor when-full drop \
	v6-prefix 56 max-sources 5000 hooks prerouting,output
$ctl scope add dev ppp+
$ctl scope add 2001:db8:1::/48 v6-prefix 60
$ctl scope add 10.0.0.0/8 v4-prefix 24
$ctl relay add 198.51.100.0/24
$ctl exempt add 10.0.1.9 rate 3/hour burst 2 daily 10 expires 1h comment 'say "hi" \ there'
$ctl save >"$E2E_TMP/saved"
smtprl_reload
$ctl -b "$E2E_TMP/saved"
$ctl save >"$E2E_TMP/restored"
norm() { sed -E "s/expires [0-9]+s/expires Ns/" "$1" | sort; }
diff <(norm "$E2E_TMP/saved") <(norm "$E2E_TMP/restored") || fail "restore differs from save"
left=$(grep -o 'expires [0-9]*' "$E2E_TMP/restored" | grep -o '[0-9]*')
[ "$left" -gt 3500 ] && [ "$left" -le 3600 ] || fail "remaining expiry after restore: $left"
pass "save, module reload, -b restore: identical (policy, scope, relay, exemption, ${left}s left)"
$ctl -j exempt show 10.0.1.9 | json 'd["comment"]' | grep -qx 'say "hi" \\ there' ||
	fail "comment did not survive: $($ctl -j exempt show 10.0.1.9)"

# save config: the configuration alone, as /etc/smtprl/smtprl.conf holds
# it. Applied again (a reload), it removes what it does not name and keeps
# the subscribers the sessions bound.
$ctl subscriber add keep-me 10.0.1.8
$ctl save config >"$E2E_TMP/config"
grep -q "^subscriber\|^source" "$E2E_TMP/config" && fail "save config: $(cat "$E2E_TMP/config")"
$ctl scope add 203.0.113.0/24
$ctl relay add 203.0.113.25
$ctl -c -b "$E2E_TMP/config" || fail "save config does not pass -c"
$ctl -b "$E2E_TMP/config"
expect_eq "reload of save config: what it does not name is gone" 0 \
	"$($ctl -j scope list | json 'sum(1 for r in d if r.get("prefix", "").startswith("203."))')"
expect_eq "reload of save config: no relay it does not name" 0 \
	"$($ctl -j relay list | json 'sum(1 for r in d if r["prefix"].startswith("203."))')"
expect_eq "reload of save config: subscribers kept" 1 \
	"$($ctl -j subscriber list | json 'sum(1 for s in d if s["name"] == "keep-me")')"
diff <(norm "$E2E_TMP/config") <($ctl save config | norm /dev/stdin) ||
	fail "save config after its own reload differs"
$ctl subscriber del keep-me linger 0

# Batch: a malformed line anywhere changes nothing (the file is checked
# whole first); a refused line is reported with its number and the kernel's
# reason, the others apply, the exit status says so.
$ctl save >"$E2E_TMP/before"
printf 'exempt add 10.0.3.1\npolicy set burst 9\nexempt add 10.0.3.300\n' >"$E2E_TMP/bad"
rc=0
$ctl -b "$E2E_TMP/bad" 2>"$E2E_TMP/bad.err" || rc=$?
expect_eq "malformed batch: usage error" 2 "$rc"
grep -q "bad:3:" "$E2E_TMP/bad.err" || fail "line number not reported: $(cat "$E2E_TMP/bad.err")"
$ctl save >"$E2E_TMP/after"
diff <(norm "$E2E_TMP/before") <(norm "$E2E_TMP/after") || fail "a malformed batch changed something"
pass "malformed line 3: nothing applied, line reported"
printf 'exempt add 10.0.3.1\nexempt add 10.0.3.1\n# comment\n\nexempt add 10.0.3.2\nexempt del 10.0.3.9\n' >"$E2E_TMP/bad"
rc=0
$ctl -b "$E2E_TMP/bad" 2>"$E2E_TMP/bad.err" || rc=$?
expect_eq "batch with refusals" 1 "$rc"
grep -q "bad:2: exempt: already exists" "$E2E_TMP/bad.err" ||
	fail "refusal of line 2 not reported: $(cat "$E2E_TMP/bad.err")"
grep -q "bad:6: prefix: no such exemption" "$E2E_TMP/bad.err" ||
	fail "refusal of line 6 not reported: $(cat "$E2E_TMP/bad.err")"
expect_eq "refusals reported" 2 "$(wc -l <"$E2E_TMP/bad.err")"
$ctl exempt show 10.0.3.2 >/dev/null || fail "the line after a refusal did not apply"
pass "batch: refused lines 2 and 6 reported with the kernel's reason, the rest applied"
# Output keeps the file's order among pipelined changes.
printf 'exempt del 10.0.3.1\nexempt show 10.0.3.2\nexempt del 10.0.3.2\nexempt list\n' |
	$ctl -j -b - >"$E2E_TMP/order" || fail "batch from stdin"
expect_eq "show after pipelined changes" 2 "$(wc -l <"$E2E_TMP/order")"
grep -q '"10.0.3.2/32"' <(head -1 "$E2E_TMP/order") || fail "show: $(cat "$E2E_TMP/order")"
grep -q '10.0.3' <(tail -1 "$E2E_TMP/order") && fail "list saw deleted entries: $(cat "$E2E_TMP/order")"
pass "batch output in file order, from stdin"

# Off means unlimited: a daily cap switched on starts full for a source
# tracked while it was off, and so does an exemption replaced by one with
# a cap (both used to start empty: one connection per 172.8 s at 500/day).
$ctl scope flush
$ctl relay flush
$ctl policy set rate 1000/second burst 100 daily off action reject
$ctl source flush
expect_eq "daily off: 3 attempts" "ok=3 refused=0 timeout=0" "$(attempts 3 10.0.1.7 $MX4)"
$ctl policy set daily 4
expect_eq "daily switched on: the known source gets its 4" "ok=4 refused=1 timeout=0" \
	"$(attempts 5 10.0.1.7 $MX4)"
$ctl exempt add 10.0.1.8 rate 1000/second burst 100
expect_eq "exemption without a cap: 3 attempts" "ok=3 refused=0 timeout=0" \
	"$(attempts 3 10.0.1.8 $MX4)"
$ctl exempt replace 10.0.1.8 rate 1000/second burst 100 daily 4
expect_eq "exemption replaced by one with a cap: it starts full" "ok=4 refused=1 timeout=0" \
	"$(attempts 5 10.0.1.8 $MX4)"
$ctl exempt del 10.0.1.8

# Many exemptions over one socket (a figure, not a pass/fail timing).
python3 -c 'for i in range(10000): print(f"exempt add 10.{100 + i // 65536}.{i // 256 % 256}.{i % 256}")' \
	>"$E2E_TMP/many"
before=$(stat exemptions)
start=$(date +%s.%N)
$ctl -b "$E2E_TMP/many"
end=$(date +%s.%N)
expect_eq "10000 exemptions loaded" $((before + 10000)) "$(stat exemptions)"
echo "figure: 10000 exemptions via smtprlctl -b in $(python3 -c "print(round($end - $start, 2))") s ($SMTPRL_KERNEL, emulated)"
