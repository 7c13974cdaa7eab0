#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels uml
#
# Subscribers, driven by smtprlctl as a BRAS's session scripts drive it
# (the PPPoE lab, 90-bras.sh, does the same through pppd): a session's
# IPv4 address and IPv6 prefix share one bucket; its state follows the
# account name across a redial to another address, a quarantine
# included; an opted-in account is exempt, and the address it leaves
# behind is not; a pool address handed on moves; a lingering subscriber
# is forgotten when its linger runs out; names with spaces and quotes
# survive save and -b; a refused request changes nothing.
. "$(dirname "$0")/lib.sh"
trap 'monitor_stop; topology_down' EXIT
ctl=$SMTPRL_TOP/userspace/smtprlctl
[ -x "$ctl" ] || fail "userspace/smtprlctl is not built"
topology_up
mx_start 25

$ctl policy set rate 10/hour burst 3 daily off action reject subscriber-linger 1h
monitor_start

# One session, two families, one bucket: 2 by IPv4 and 1 by IPv6 use up
# the burst of 3, and the next, by either, is refused.
$ctl subscriber add alice@isp 10.0.1.2 2001:db8:1::2/128
expect_eq "v4 then v6 share the burst" "ok=2 refused=0 timeout=0" "$(attempts 2 10.0.1.2 $MX4)"
expect_eq "the third by IPv6 is the last" "ok=1 refused=1 timeout=0" \
	"$(attempts 2 2001:db8:1::2 $MX6)"
expect_eq "and IPv4 is limited too" "ok=0 refused=1 timeout=0" "$(attempts 1 10.0.1.2 $MX4)"
expect_eq "one state: allowed" 3 "$(sub_json alice@isp 'd["allowed"]')"
expect_eq "one state: limited" 2 "$(sub_json alice@isp 'd["limited"]')"
expect_eq "no source of its own for the bound address" 0 \
	"$($ctl -j source list | json 'sum(1 for s in d if s.get("prefix") == "10.0.1.2/32")')"
expect_eq "source list names the subscriber" 1 \
	"$($ctl -j source list | json 'sum(1 for s in d if s.get("subscriber") == "alice@isp")')"
expect_eq "/proc/net/smtprl/sources names it" "alice@isp" \
	"$(awk 'NR > 1 && $1 == "-" { print $NF }' /proc/net/smtprl/sources)"
expect_eq "source show by a bound address is the subscriber's" "alice@isp" \
	"$($ctl -j source show 2001:db8:1::2 | json 'd["subscriber"]')"

# A redial: the session ends, the account comes back on another address,
# its quarantine with it.
$ctl source quarantine name alice@isp for 1h
$ctl subscriber del alice@isp
expect_eq "ended session lingers" 1 "$($ctl -j stats | json 'd["lingering"]')"
expect_eq "its old address is a plain source again" "ok=3 refused=1 timeout=0" \
	"$(attempts 4 10.0.1.2 $MX4)"
$ctl subscriber add alice@isp 10.0.1.3 2001:db8:1::3/128
expect_eq "redial on a new address is still quarantined" "ok=0 refused=2 timeout=0" \
	"$(attempts 2 10.0.1.3 $MX4)"
expect_eq "state quarantined" quarantined "$(sub_json alice@isp 'd["state"]')"
expect_eq "quarantine event names the account" "alice@isp" \
	"$(event_fields quarantined subscriber)"
$ctl source release name alice@isp
expect_eq "released event names the account" "alice@isp" "$(event_fields released subscriber)"

# Opt-in follows the account, not the address.
$ctl subscriber add "bob the baker" 10.0.1.4 exempt
expect_eq "opted-in customer sends freely" "ok=8 refused=0 timeout=0" \
	"$(attempts 8 10.0.1.4 $MX4)"
$ctl subscriber del "bob the baker" linger 0
$ctl subscriber add carol 10.0.1.4
expect_eq "the pool hands bob's address to carol: limited" "ok=3 refused=2 timeout=0" \
	"$(attempts 5 10.0.1.4 $MX4)"
expect_eq "bob forgotten at once (linger 0)" 0 \
	"$($ctl -j subscriber list | json 'sum(1 for s in d if s["name"] == "bob the baker")')"
# The address handed on before carol's session was seen to end: it moves.
$ctl subscriber add "o'brien \"dave\"" 10.0.1.4 rate 100/hour burst 10
expect_eq "bind moved" 1 "$($ctl -j stats | json 'd["bind_moved"]')"
expect_eq "carol is left without a session" "[]" \
	"$($ctl -j subscriber show carol | json 'd["binds"]')"
expect_eq "dave's own rate" "ok=10 refused=1 timeout=0" "$(attempts 11 10.0.1.4 $MX4)"

# Refusals: a clear error, nothing changed.
out=$($ctl subscriber add carol 10.0.1.5 10.0.1.6 10.0.1.7 10.0.1.8 10.0.1.9 \
	10.0.1.10 10.0.1.11 10.0.1.12 10.0.1.13 2>&1) && fail "nine addresses accepted"
grep -q "at most 8" <<<"$out" || fail "nine addresses: $out"
out=$($ctl subscriber del carol 10.0.1.2 2>&1) && fail "foreign unbind accepted"
grep -q "bind: not bound to this subscriber" <<<"$out" || fail "foreign unbind: $out"
out=$($ctl subscriber add "$(printf 'evil\tname')" 10.0.1.9 2>&1) && fail "tab in a name accepted"
out=$($ctl subscriber del nobody 2>&1) && fail "del of an unknown name accepted"
grep -q "name: no such subscriber" <<<"$out" || fail "unknown name: $out"
$ctl policy set max-subscribers 3
out=$($ctl subscriber add erin 10.0.1.9 2>&1) && fail "subscriber over the cap accepted"
grep -q "max-subscribers" <<<"$out" || fail "cap: $out"
expect_eq "subscriber_full counted" 1 "$($ctl -j stats | json 'd["subscriber_full"]')"
expect_eq "10.0.1.9 not bound (alice's 2, dave's 1)" 3 "$($ctl -j stats | json 'd["bindings"]')"
$ctl policy set max-subscribers 1000
pass "refusals change nothing"

# save and -b restore bindings, modes and names exactly.
$ctl save >"$E2E_TMP/saved"
grep -q "^subscriber add \"o'brien \\\\\"dave\\\\\"\" 10.0.1.4/32 rate 100/hour burst 10$" \
	"$E2E_TMP/saved" || fail "save: $(grep subscriber "$E2E_TMP/saved")"
$ctl -j subscriber list | json 'sorted((s["name"], sorted(s["binds"]), s["mode"]) for s in d)' \
	>"$E2E_TMP/before"
$ctl subscriber flush
expect_eq "flushed" 0 "$($ctl -j stats | json 'd["subscribers"]')"
$ctl -b "$E2E_TMP/saved"
$ctl -j subscriber list | json 'sorted((s["name"], sorted(s["binds"]), s["mode"]) for s in d)' \
	>"$E2E_TMP/after"
cmp -s "$E2E_TMP/before" "$E2E_TMP/after" ||
	fail "restore differs: $(diff "$E2E_TMP/before" "$E2E_TMP/after")"
pass "save and -b restore every subscriber"

# A reload keeps running quarantines (save, rmmod, insmod, -b): a
# subscriber's, with the subscriber, and an address's, with its cause
# (a quarantine the strikes caused ends at once while strikes are off).
$ctl policy set strikes 3
$ctl source quarantine name "o'brien \"dave\"" for 1h
$ctl source quarantine 10.0.1.2 for 30m cause strikes
$ctl save >"$E2E_TMP/saved"
monitor_stop
smtprl_reload
$ctl -b "$E2E_TMP/saved"
monitor_start
expect_eq "dave still quarantined after a reload" "quarantined operator True" \
	"$($ctl -j source show name "o'brien \"dave\"" |
	   json 'd["state"] + " " + d["cause"] + " " + str(3500 < d["remaining_s"] <= 3600)')"
expect_eq "and refused" "ok=0 refused=1 timeout=0" "$(attempts 1 10.0.1.4 $MX4)"
expect_eq "10.0.1.2 too, cause strikes" "quarantined strikes True" \
	"$($ctl -j source show 10.0.1.2 |
	   json 'd["state"] + " " + d["cause"] + " " + str(1700 < d["remaining_s"] <= 1800)')"
$ctl source release name "o'brien \"dave\""

# A lingering subscriber is forgotten when its linger runs out, its
# quarantine ending "gone".
$ctl source quarantine name alice@isp for 1h
$ctl subscriber del alice@isp linger 2s
sleep 4
expect_eq "alice forgotten" 0 \
	"$($ctl -j subscriber list | json 'sum(1 for s in d if s["name"] == "alice@isp")')"
expect_eq "her state with her" 0 \
	"$($ctl -j source list | json 'sum(1 for s in d if s.get("subscriber") == "alice@isp")')"
expect_eq "subscriber_expired" 1 "$($ctl -j stats | json 'd["subscriber_expired"]')"
# Every quarantine since the reload counted once: dave's and 10.0.1.2's
# restored, alice's; dave released, alice's gone with her (counted once).
expect_eq "quarantines, releases, quarantined now" "3 2 1" \
	"$($ctl -j stats | json '" ".join(str(d[k]) for k in ("quarantines", "releases", "quarantined_now"))')"
expect_eq "her quarantine ended gone" "operator gone" \
	"$(event_fields released release | tr -s ' ')"
expect_eq "both released events name the account" "o'brien \"dave\" alice@isp" \
	"$(event_fields released subscriber)"

# The kernel's own YNL client drives the same requests (an addr4 is the
# integer of its address, network order).
a9=$(((10 << 24) | (1 << 8) | 9))
ynl --do subscriber-add --json "{\"name\": \"ynl-user\", \"bind\": [{\"addr4\": $a9, \"plen\": 32}], \"mode\": 1}" >/dev/null
expect_eq "ynl subscriber-get" "exempt 10.0.1.9/32" \
	"$($ctl -j subscriber show ynl-user | json 'd["mode"] + " " + d["binds"][0]')"
ynl --dump subscriber-get --output-json | grep -q '"ynl-user"' ||
	fail "ynl subscriber dump: $(ynl --dump subscriber-get)"
ynl --do subscriber-del --json '{"name": "ynl-user", "linger": 0}' >/dev/null
expect_eq "ynl subscriber-del" 0 \
	"$($ctl -j subscriber list | json 'sum(1 for s in d if s["name"] == "ynl-user")')"
expect_stats_add_up
