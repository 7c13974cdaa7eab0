#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo's second part, inside the lab VM (see scripts/lab/demo.sh): the
# redial story on a real PPPoE BRAS (scripts/e2e/bras.sh: pppoe-server,
# pppd with RADIUS, FreeRADIUS, smtprl installed by make install).
# Everything printed is read from the running lab.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/bras.sh"
trap bras_down EXIT
E2E_NS=
ctl() { "$SMTPRL_TOP/userspace/smtprlctl" "$@"; }

. "$(dirname "$0")/demo-lib.sh"
# mails NAME FROM N: N mails from NAME's line, in words.
mails() {
	nsx "sub-$1" /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/mail.py" "$2" $MX4 25 "$3" 3 |
		sed -n 's/^delivered=\([0-9]*\) .*/  -> \1 of '"$3"' delivered/p'
}

cat <<'TOPO'
Part two: sessions, not addresses. A PPPoE BRAS (pppoe-server and pppd
with RADIUS, FreeRADIUS behind it), subscribers dialling in with pppd
from their own namespaces; pool addresses 100.64.0.10-13 go to whoever
dials next. smtprl binds each session to its account from pppd's
ip-up/ip-down (smtprl-session, installed by make install).
TOPO
echo
echo "setting up the BRAS..."
{
	bras_install
	bras_up
	mx_start 25
	radius_start zombie:zpass carol:cpass alice:apass dave:dpass \
		optin:opass:Filter-Id=smtp-open
	for u in zombie carol alice dave optin; do
		sub_ns "$u"
	done
	pppoe_start
} >/dev/null
ctl policy set rate 10/hour burst 3 daily off action reject strikes 2 \
	strike-window 32s release-after 10m quarantine-max 1h subscriber-linger 1d

say "four subscribers dial in and fill the pool; one opted in (RADIUS: Filter-Id = smtp-open)"
z1=$(dial zombie zpass)
o1=$(dial optin opass)
dial alice apass >/dev/null
dial dave dpass >/dev/null
run ctl subscriber list

say "the opted-in customer sends 8 mails: all go"
mails optin "$o1" 8

say "the zombie sends, and keeps being limited: quarantined"
mails zombie "$z1" 4
sleep 1.1
mails zombie "$z1" 1
run ctl source show name zombie

say "it hangs up; the pool gives its address, $z1, to carol"
hangup zombie
c1=$(dial carol cpass)
echo "  carol: $c1"
mails carol "$c1" 3
echo "  (the quarantine was the account's, not the address's)"

say "the opted-in customer hangs up; the zombie redials and gets its address"
hangup optin
z2=$(dial zombie zpass)
echo "  zombie: $z2 (the opt-in stayed with the customer's account)"
mails zombie "$z2" 3
run ctl source show name zombie

say "what the helpdesk sees: the account, not an address"
run ctl source list
say "done: Documentation/admin-guide.md, \"Sessions, not addresses\""
