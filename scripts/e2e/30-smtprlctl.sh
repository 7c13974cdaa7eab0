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

json() { python3 -c "import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

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

# Another namespace has its own configuration.
$ctl -n inet policy set burst 7
expect_eq "inet netns burst" 7 "$($ctl -n inet -j policy show | json 'd["burst"]')"
expect_eq "init netns burst" 2 "$($ctl -j policy show | json 'd["burst"]')"
expect_eq "inet netns not enforcing" no "$($ctl -n inet -j policy show | json 'd["enabled"]')"
