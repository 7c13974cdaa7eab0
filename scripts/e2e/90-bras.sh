#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels 6.1 6.12 uml
#
# A real PPPoE BRAS (bras.sh): pppoe-server and pppd with the radius and
# radattr plugins, FreeRADIUS, smtprl and its session hooks installed
# with make install. Subscribers dial in with pppd from their own
# namespaces and send real mail to the lab's MX. Exact counts for:
#  - a zombie quarantined by its strikes hangs up, redials, gets another
#    pool address and is still quarantined; released after its quiet
#    period; the monitor and the notifier name the account;
#  - the opted-in customer (Filter-Id smtp-open in RADIUS) sends freely;
#    the pool hands its old address to somebody else, who is limited;
#  - IPv4 and IPv6 of one session share one bucket;
#  - a reload with save and -b keeps the running quarantine;
#  - 3 pppd and 1,000 smtprlctl session up/down cycles during a SYN
#    flood: every binding undone,
#    counters that add up, nothing leaked (the lab's kmemleak scan).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bras.sh"
trap 'monitor_stop; bras_down' EXIT
ctl=$SMTPRL_TOP/userspace/smtprlctl
E2E_NS=

# mail NAME FROM N: N mails from NAME's namespace; prints how many went.
mail() {
	nsx "sub-$1" /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/mail.py" \
		"$2" "${3%%,*}" 25 "$4" 3 >"$E2E_TMP/mail.out"
	sed -n 's/^delivered=\([0-9]*\) .*/\1/p' "$E2E_TMP/mail.out"
}

bras_install
bras_up
mx_start 25
radius_start zombie:zpass alice:apass bob:bpass carol:cpass dave:dpass \
	optin:opass:Filter-Id=smtp-open
# The BRAS recommendation of the admin guide, with short times: strikes
# in 2 of 32 one-second slots quarantine; rejected (RST), so that a
# refused mail fails at once.
$ctl policy set rate 10/hour burst 3 daily off action reject strikes 0 \
	strike-window 32s release-after 10m quarantine-max 1h subscriber-linger 1h
monitor_start

for u in zombie optin alice bob carol dave; do
	sub_ns "$u"
done
pppoe_start
z1=$(dial zombie zpass)
o1=$(dial optin opass)
a1=$(dial alice apass)
d1=$(dial dave dpass)
expect_eq "pool addresses in dialling order" "100.64.0.10 100.64.0.11 100.64.0.12 100.64.0.13" \
	"$z1 $o1 $a1 $d1"
expect_eq "four sessions bound" 4 "$($ctl -j stats | json 'd["subscribers"]')"
expect_eq "optin is exempt (Filter-Id from RADIUS)" exempt "$(sub_json optin 'd["mode"]')"
expect_eq "zombie is by the policy" policy "$(sub_json zombie 'd["mode"]')"
expect_eq "alice's session: IPv4 and the delegated /64" \
	"['$a1/32', '$(v6_of "$a1")/64']" "$(sub_json alice 'sorted(d["binds"])')"

# IPv4 and IPv6 of one session share one bucket (burst 3).
expect_eq "alice: 2 mails by IPv4" 2 "$(mail alice "$a1" $MX4 2)"
expect_eq "alice: the third by IPv6" 1 "$(mail alice "$(v6_of "$a1")2" $MX6 2)"
expect_eq "alice: IPv4 is limited as well" 0 "$(mail alice "$a1" $MX4 1)"
expect_eq "alice: one state" "3 2" "$(sub_json alice 'str(d["allowed"]) + " " + str(d["limited"])')"

# The zombie: limited in two one-second slots, quarantined (strikes on
# from now: alice was limited in two slots too).
$ctl policy set strikes 2
expect_eq "zombie: its burst" 3 "$(mail zombie "$z1" $MX4 3)"
expect_eq "zombie: limited" "ok=0 refused=1 timeout=0" "$(nsx sub-zombie /usr/bin/python3 \
	"$SMTPRL_TOP/scripts/e2e/connect.py" "$z1" $MX4 25 1)"
sleep 1.1
nsx sub-zombie /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/connect.py" "$z1" $MX4 25 1 >/dev/null
expect_eq "zombie quarantined" quarantined "$(sub_json zombie 'd["state"]')"
expect_eq "the quarantine event names the account" zombie "$(event_fields quarantined subscriber)"

# The opted-in customer sends freely; the pool hands its address to bob,
# who is limited.
expect_eq "optin: 8 mails, all delivered" 8 "$(mail optin "$o1" $MX4 8)"
hangup optin
b1=$(dial bob bpass)
expect_eq "bob gets optin's old address" "$o1" "$b1"
expect_eq "bob on it is limited: 3 of 4" 3 "$(mail bob "$b1" $MX4 4)"

# The zombie hangs up; carol gets its address and is not quarantined; the
# zombie redials, gets another address, and is.
hangup zombie
expect_eq "zombie lingers" "[] True" "$(sub_json zombie 'str(d["binds"]) + " " + str(d["linger_s"] > 3500)')"
c1=$(dial carol cpass)
expect_eq "carol gets the zombie's old address" "$z1" "$c1"
expect_eq "carol on it sends: 3 of 3" 3 "$(mail carol "$c1" $MX4 3)"
hangup dave
z2=$(dial zombie zpass)
expect_eq "the zombie's new address (dave's)" "$d1" "$z2"
expect_eq "redialled zombie refused" 0 "$(mail zombie "$z2" $MX4 2)"
expect_eq "and by IPv6" 0 "$(mail zombie "$(v6_of "$z2")2" $MX6 1)"
expect_eq "still quarantined" "quarantined strikes" \
	"$(sub_json zombie 'd["state"] + " " + d["cause"]')"

# A reload with save and -b keeps the running quarantine.
$ctl save >"$E2E_TMP/saved"
monitor_stop
smtprl_reload
$ctl -b "$E2E_TMP/saved"
mv "$E2E_TMP/events.json" "$E2E_TMP/events-before-reload.json"
monitor_start
expect_eq "after the reload: six sessions bound again" 6 \
	"$($ctl -j stats | json 'd["subscribers"]')"
expect_eq "the zombie still quarantined" "quarantined strikes" \
	"$(sub_json zombie 'd["state"] + " " + d["cause"]')"
expect_eq "and refused" 0 "$(mail zombie "$z2" $MX4 1)"

# Quiet for release-after (shortened now: a policy change applies to
# running quarantines): released, the account named.
$ctl policy set release-after 3s
sleep 5
expect_eq "zombie released, quiet" "zombie quiet" "$(event_fields released subscriber) $(event_fields released release)"
# The example notifier reads what the monitor printed, before and after.
cat "$E2E_TMP/events-before-reload.json" "$E2E_TMP/events.json" |
	/usr/bin/python3 "$SMTPRL_TOP/userspace/smtprl-notify" --log "$E2E_TMP/notify.log"
expect_eq "the notifier names the account" 1 \
	"$(grep -c "smtprl: released subscriber zombie (zombie) release=quiet" "$E2E_TMP/notify.log")"
grep -q "smtprl: quarantined subscriber zombie (zombie) cause=strikes" "$E2E_TMP/notify.log" ||
	fail "the notifier did not name the quarantined account: $(cat "$E2E_TMP/notify.log")"
expect_stats_add_up

# Session churn during a SYN flood on the pool's addresses: 3 dial-ups
# through pppd (each takes seconds under TCG), then 1,000 up/down cycles
# through smtprlctl, the commands the hooks run. Every binding is undone; nothing leaks (the lab's
# kmemleak scan follows the test).
hangup alice
base=$($ctl -j stats | json 'd["bindings"]')
[ -x "$SMTPRL_TOP/build/synflood" ] || fail "build/synflood is not built"
ip netns add flood
E2E_NS="$E2E_NS flood"
ip link add flood0 netns flood type veth peer name bras-flood
ip addr add 10.0.9.1/24 dev bras-flood
ip link set bras-flood up
nsx flood ip addr add 10.0.9.2/24 dev flood0
nsx flood ip link set flood0 up
nsx flood ip route add default via 10.0.9.1
# Spoofed sources over the pool and the cycled addresses, to nowhere.
mac=$(cat /sys/class/net/bras-flood/address)
(
	seed=1
	while :; do
		nsx flood "$SMTPRL_TOP/build/synflood" flood0 "$mac" 192.0.2.99 20000 \
			$((seed++)) 100.64.0.0/23 >/dev/null 2>&1 || exit
	done
) &
flood_pid=$!
for i in 1 2 3; do
	dial dave dpass >/dev/null
	hangup dave
done
for i in $(seq 1000); do
	printf 'subscriber add cycle%d 100.64.1.%d/32 2001:db8:3:%x::/64\n' \
		$((i % 50)) $((i % 250)) "$i"
	printf 'subscriber del cycle%d 100.64.1.%d/32 2001:db8:3:%x::/64\n' \
		$((i % 50)) $((i % 250)) "$i"
done >"$E2E_TMP/cycles"
$ctl -b "$E2E_TMP/cycles" || fail "session cycles refused"
kill "$flood_pid"
wait "$flood_pid" 2>/dev/null || true
pkill -x synflood 2>/dev/null || true
expect_eq "every cycled binding undone" "$base" "$($ctl -j stats | json 'd["bindings"]')"
expect_eq "optin, alice, dave and the 50 cycled accounts linger" 53 \
	"$($ctl -j stats | json 'd["lingering"]')"
expect_stats_add_up
