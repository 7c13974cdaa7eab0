#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hostile netlink requests from an independent client (python3-pyroute2
# and hand-built messages, scripts/e2e/nlhostile.py): wrong types, short
# and oversized attributes, out-of-range values, unknown and missing
# attributes, nested garbage, broken framing. Each is refused and the
# module's state afterwards is exactly what it was. Then an unprivileged
# user and the root of a user namespace: reads of the policy and counters
# only, no change, no per-subscriber data (netlink or /proc).
. "$(dirname "$0")/lib.sh"
trap topology_down EXIT
ctl=$SMTPRL_TOP/userspace/smtprlctl
[ -x "$ctl" ] || fail "userspace/smtprlctl is not built"
hostile=$SMTPRL_TOP/scripts/e2e/nlhostile.py
topology_up
mx_start 25

# Some state of every kind: policy, scope, relay, exemption, sources.
$ctl policy set rate 1/hour burst 2 daily 50 action reject max-sources 1000
$ctl scope add 10.0.1.0/24
$ctl scope add 2001:db8:1::/64
$ctl scope add dev bras-sub
$ctl relay add 10.0.2.26
$ctl exempt add 10.0.1.3 rate 100/hour burst 10 comment "customer 4711"
$ctl subscriber add acc-7 10.0.1.7 2001:db8:1::7 rate 5/hour
expect_eq "zombie limited after its burst" "ok=2 refused=1 timeout=0" "$(attempts 3 10.0.1.2 $MX4)"
attempts 2 10.0.1.3 $MX4 >/dev/null
attempts 1 2001:db8:1::4 $MX6 >/dev/null

# The state, minus what moves with the clock (tokens, ages).
snapshot() {
	$ctl save
	cat /proc/net/smtprl/policy
	awk 'NR > 1 { print $1, $4, $5 }' /proc/net/smtprl/sources
	grep -E '^(seen|allowed|limited|entries|exemptions) ' /proc/net/smtprl/stats
}
snapshot >"$E2E_TMP/before"
grep -q "^exempt add 10.0.1.3/32" "$E2E_TMP/before" || fail "state not set up: $(cat "$E2E_TMP/before")"

/usr/bin/python3 "$hostile" root || fail "hostile requests (see above)"
snapshot >"$E2E_TMP/after"
diff -u "$E2E_TMP/before" "$E2E_TMP/after" || fail "refused requests changed the state"
pass "after every hostile request the state is exactly as before"

# An unprivileged user: the script comes on stdin, since the tree may sit
# under a directory only root can enter.
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }
as_nobody /usr/bin/python3 - unpriv "uid 65534" <"$hostile" || fail "unprivileged user (see above)"
# Root of a user namespace has every capability, but only over what that
# namespace owns: created by root, and by an unprivileged user.
unshare -U -r /usr/bin/python3 - unpriv "userns root (of uid 0)" <"$hostile" ||
	fail "user-namespace root (see above)"
as_nobody unshare -U -r /usr/bin/python3 - unpriv "userns root (of uid 65534)" <"$hostile" ||
	fail "user-namespace root of an unprivileged user (see above)"
for f in policy stats; do
	as_nobody cat /proc/net/smtprl/$f >/dev/null || fail "uid 65534 cannot read $f"
done
for f in sources exempt; do
	as_nobody cat /proc/net/smtprl/$f >/dev/null 2>&1 && fail "uid 65534 can read $f"
	as_nobody unshare -U -r cat /proc/net/smtprl/$f >/dev/null 2>&1 &&
		fail "userns root of uid 65534 can read $f"
done
pass "/proc: policy and stats world-readable, sources and exempt for root only"
snapshot >"$E2E_TMP/after"
diff -u "$E2E_TMP/before" "$E2E_TMP/after" || fail "an unprivileged request changed the state"
pass "nothing the unprivileged users tried changed the state"
expect_stats_add_up
