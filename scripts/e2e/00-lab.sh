#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lab itself: smtprl.ko is loaded, has its per-netns /proc directory in
# every namespace, and real SMTP mail crosses the BRAS over IPv4 and IPv6.
. "$(dirname "$0")/lib.sh"
trap topology_down EXIT

grep -q '^smtprl ' /proc/modules || fail "smtprl.ko is not loaded"
[ -d /proc/net/smtprl ] || fail "no /proc/net/smtprl in init_net"

topology_up
for ns in $E2E_NS bras; do
	nsx "$ns" test -d /proc/net/smtprl || fail "no /proc/net/smtprl in $ns"
done
pass "/proc/net/smtprl exists in every namespace"

mx_start 25
expect_eq "IPv4 mails delivered" 3 "$(send_many 3 10.0.1.2 $MX4)"
expect_eq "IPv6 mails delivered" 3 "$(send_many 3 2001:db8:1::2 $MX6)"
expect_eq "messages on the MX" 6 "$(mx_count 25)"

ip netns add gone
ip netns del gone
pass "a namespace comes and goes with the module loaded"
