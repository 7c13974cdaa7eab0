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
#  - session up/down cycles during a SYN flood: every binding undone,
#    counters that add up, nothing leaked (the lab's kmemleak scan).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bras.sh"
trap 'monitor_stop; bras_down' EXIT
ctl=$SMTPRL_TOP/userspace/smtprlctl
E2E_NS=

MON_PID=
monitor_start() {
	$ctl -j monitor >"$E2E_TMP/events.json" 2>"$E2E_TMP/monitor.err" &
	MON_PID=$!
	monitor_joined "$MON_PID"
}
monitor_stop() {
	[ -n "$MON_PID" ] || return 0
	kill "$MON_PID" 2>/dev/null || true
	wait "$MON_PID" 2>/dev/null || true
	MON_PID=
}
# events KIND FIELD: that field of every KIND event, in order.
events() {
	/usr/bin/python3 - "$E2E_TMP/events.json" "$1" "$2" <<'EOF'
import json, sys
print(" ".join(str(e.get(sys.argv[3], "")) for e in map(json.loads, open(sys.argv[1]))
               if e.get("event") == sys.argv[2]))
EOF
}
sub_json() { $ctl -j subscriber show "$1" | json "$2"; }
# mail NAME FROM N: N mails from NAME's namespace; prints how many went.
mail() {
	nsx "sub-$1" /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/mail.py" \
		"$2" "${3%%,*}" 25 "$4" 3 >"$E2E_TMP/mail.out"
	sed -n 's/^delivered=\([0-9]*\) .*/\1/p' "$E2E_TMP/mail.out"
}

bras_install
bras_up
mx_start 25
radius_start zombie:zpass alice:apass bob:bpass carol:cpass \
	optin:opass:Filter-Id=smtp-open
# The BRAS recommendation of the admin guide, with short times: strikes
# in 2 of 32 one-second slots quarantine, 4 s of quiet release.
$ctl policy set rate 10/hour burst 3 daily off action drop strikes 2 \
	strike-window 32s release-after 4s quarantine-max 1h subscriber-linger 1h
monitor_start
"$SMTPRL_TOP/userspace/smtprl-notify" <"$E2E_TMP/events.json" >/dev/null 2>&1 &

for u in zombie optin alice bob carol; do
	sub_ns "$u"
done
z1=$(dial zombie zpass)
o1=$(dial optin opass)
a1=$(dial alice apass)
expect_eq "pool addresses in dialling order" "100.64.0.10 100.64.0.11 100.64.0.12" "$z1 $o1 $a1"
expect_eq "three sessions bound" 3 "$($ctl -j stats | json 'd["subscribers"]')"
expect_eq "optin is exempt (Filter-Id from RADIUS)" exempt "$(sub_json optin 'd["mode"]')"
expect_eq "zombie is by the policy" policy "$(sub_json zombie 'd["mode"]')"
