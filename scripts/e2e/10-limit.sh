#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The enforcement core, end to end: exactly `burst` new port-25
# connections per source get through, the rest are dropped (drop), refused
# at once (reject) or only counted (monitor); IPv6 sources share a bucket
# per /64 (or per v6_prefix: /120 here too), IPv4 sources do not; ports
# 587 and 80 are never touched; /proc
# says exactly what the clients saw. A retransmitted SYN counts again; a
# dropped SYN never reaches conntrack; bad module parameters fail the
# load; enable=N loads without enforcing.
. "$(dirname "$0")/lib.sh"
trap topology_down EXIT

topology_up
mx_start 25
mx_start 587
mx_start 80

# No refill during the test: one connection a day, a burst of 5.
smtprl_reload rate=1/day burst=5 daily=0 action=drop

expect_eq "drop: 8 attempts from 10.0.1.2" "ok=5 refused=0 timeout=3" \
	"$(attempts 8 10.0.1.2 $MX4)"
expect_eq "stats allowed" 5 "$(stat allowed)"
expect_eq "stats limited" 3 "$(stat limited)"
expect_eq "stats seen" 8 "$(stat seen)"
expect_eq "sources: 10.0.1.2 allowed" 5 "$(source_field 10.0.1.2/32 allowed)"
expect_eq "sources: 10.0.1.2 limited" 3 "$(source_field 10.0.1.2/32 limited)"
expect_eq "sources: 10.0.1.2 tokens" 0 "$(source_field 10.0.1.2/32 tokens)"

# A limited subscriber cannot deliver mail directly; another one can.
send_mail 10.0.1.2 $MX4 25 3 && fail "limited source delivered mail"
pass "limited source cannot deliver direct-to-MX mail"
before=$(mx_count 25)
send_mail 10.0.1.3 $MX4 || fail "fresh IPv4 source could not deliver"
expect_eq "another IPv4 address has its own bucket" $((before + 1)) "$(mx_count 25)"

# Submission and web are not ours, even for a limited source.
expect_eq "port 587 from limited source" "ok=4 refused=0 timeout=0" \
	"$(attempts 4 10.0.1.2 $MX4 587)"
expect_eq "port 80 from limited source" "ok=4 refused=0 timeout=0" \
	"$(attempts 4 10.0.1.2 $MX4 80)"
seen=$(stat seen)

# IPv6: two addresses of one /64 share one bucket.
expect_eq "IPv6 ::4, 3 attempts" "ok=3 refused=0 timeout=0" \
	"$(attempts 3 2001:db8:1::4 $MX6)"
expect_eq "IPv6 ::5 (same /64), 4 attempts" "ok=2 refused=0 timeout=2" \
	"$(attempts 4 2001:db8:1::5 $MX6)"
expect_eq "sources: 2001:db8:1::/64 allowed" 5 "$(source_field 2001:db8:1::/64 allowed)"
expect_eq "seen counts only port-25 SYNs" $((seen + 7)) "$(stat seen)"

# Beyond /64 the key keeps the address's last 64 bits, masked: a /120.
smtprl_reload rate=1/day burst=5 daily=0 action=drop v6_prefix=120
expect_eq "v6_prefix 120: IPv6 ::4, 3 attempts" "ok=3 refused=0 timeout=0" \
	"$(attempts 3 2001:db8:1::4 $MX6)"
expect_eq "v6_prefix 120: IPv6 ::5 (same /120), 4 attempts" "ok=2 refused=0 timeout=2" \
	"$(attempts 4 2001:db8:1::5 $MX6)"
expect_eq "sources: 2001:db8:1::/120 allowed" 5 "$(source_field 2001:db8:1::/120 allowed)"

# reject: the client learns at once.
smtprl_reload rate=1/day burst=5 daily=0 action=reject
expect_eq "reject: 8 attempts" "ok=5 refused=3 timeout=0" \
	"$(attempts 8 10.0.1.2 $MX4)"
expect_eq "reject: IPv6 8 attempts" "ok=5 refused=3 timeout=0" \
	"$(attempts 8 2001:db8:1::2 $MX6)"
expect_eq "stats limited" 6 "$(stat limited)"
expect_eq "stats reject_sent" 6 "$(stat reject_sent)"

# monitor: nothing is limited, the would-be limits are counted exactly.
smtprl_reload rate=1/day burst=5 daily=0 action=monitor
expect_eq "monitor: 8 attempts" "ok=8 refused=0 timeout=0" \
	"$(attempts 8 10.0.1.2 $MX4)"
expect_eq "monitor: stats limited" 0 "$(stat limited)"
expect_eq "monitor: stats would_limit" 3 "$(stat would_limit)"
expect_eq "monitor: sources limited column" 3 "$(source_field 10.0.1.2/32 limited)"
expect_stats_add_up

# A full table never silently stops limiting: known sources keep their
# state, new ones follow when_full and are counted.
smtprl_reload rate=1/day burst=1 daily=0 max_sources=2 when_full=drop
expect_eq "when_full=drop: source 1" "ok=1 refused=0 timeout=1" "$(attempts 2 10.0.1.2 $MX4)"
expect_eq "when_full=drop: source 2" "ok=1 refused=0 timeout=0" "$(attempts 1 10.0.1.3 $MX4)"
expect_eq "when_full=drop: source 3 untracked, dropped" "ok=0 refused=0 timeout=1" \
	"$(attempts 1 10.0.1.4 $MX4)"
expect_eq "when_full=drop: source 1 still limited" "ok=0 refused=0 timeout=1" \
	"$(attempts 1 10.0.1.2 $MX4)"
expect_eq "table_full counted" 1 "$(stat table_full)"
expect_eq "entries at the cap" 2 "$(stat entries)"
smtprl_reload rate=1/day burst=1 daily=0 max_sources=1 when_full=accept
attempts 1 10.0.1.2 $MX4 >/dev/null
expect_eq "when_full=accept: new sources pass untracked" "ok=3 refused=0 timeout=0" \
	"$(attempts 3 10.0.1.3 $MX4)"
expect_eq "table_full counted" 3 "$(stat table_full)"
expect_stats_add_up

# LOCAL_OUT: mail the box itself sends.
smtprl_reload rate=1/day burst=2 daily=0 hooks=output
expect_eq "hooks=output: forwarded mail is not counted" "ok=3 refused=0 timeout=0" \
	"$(attempts 3 10.0.1.2 $MX4)"
expect_eq "hooks=output: the box's own mail is" "ok=2 refused=0 timeout=1" \
	"$(/usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/connect.py" 10.0.2.1 $MX4 25 3)"

# A retransmitted SYN is one more SYN through the hook: counted again.
# (The subscriber's syn_once table keeps retransmissions off everywhere
# else; see lib.sh.) 1.5 s: the first retransmission leaves at 1 s, the
# second at 2 s (6.12's tcp_syn_linear_timeouts) or 3 s (6.1).
smtprl_reload rate=1/day burst=1 daily=0 action=drop
attempts 1 10.0.1.6 $MX4 >/dev/null
nsx sub nft delete table inet syn_once
expect_eq "a limited connect held 1.5 s (SYN, retransmission at 1 s)" \
	"ok=0 refused=0 timeout=1" "$(attempts 1 10.0.1.6 $MX4 25 1.5)"
expect_eq "both SYNs limited" 2 "$(source_field 10.0.1.6/32 limited)"
syn_once sub

# The hook sits ahead of conntrack: a dropped SYN never reaches it (a
# chain right after conntrack, at -199, counts the new connections it saw).
nft -f - <<-'NFT'
	table inet ct_probe {
		chain pre {
			type filter hook prerouting priority -199; policy accept;
			tcp dport 25 ct state new counter
		}
	}
NFT
smtprl_reload rate=1/day burst=2 daily=0 action=drop
expect_eq "4 attempts, burst 2" "ok=2 refused=0 timeout=2" "$(attempts 4 10.0.1.7 $MX4)"
expect_eq "conntrack saw only the 2 SYNs let through" 2 \
	"$(nft list chain inet ct_probe pre | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')"
nft delete table inet ct_probe

# Module parameters: a bad one fails the load, whatever else is given.
for p in rate=ten/minute rate=10/fortnight rate=0/minute burst=0 action=block \
	 when_full=maybe v4_prefix=33 v6_prefix=129 hooks=input; do
	rmmod smtprl 2>/dev/null || true
	if insmod "$SMTPRL_KO" "$p" 2>/dev/null; then
		fail "insmod smtprl.ko $p: loaded"
	fi
	if grep -q '^smtprl ' /proc/modules; then
		fail "insmod smtprl.ko $p: module there"
	fi
	# The kernel log names the parameter as it is spelt, once prefixed.
	dmesg | tail -n 5 | grep -v "smtprl: smtprl:" | grep -q "smtprl: ${p%%=*}: " ||
		fail "insmod smtprl.ko $p: the log does not name ${p%%=*}: $(dmesg | tail -n 2)"
done
pass "bad module parameters fail the load, and the log names them"
# enable=N: loaded, configured, not enforcing until told to.
insmod "$SMTPRL_KO" enable=N rate=1/day burst=1 daily=0 ||
	[ "${SMTPRL_CONTROL:-0}" = 1 ] || fail "insmod enable=N"
expect_eq "enable=N: nothing limited" "ok=3 refused=0 timeout=0" "$(attempts 3 10.0.1.8 $MX4)"
expect_eq "enable=N: policy says so" no \
	"$(awk '$1 == "enabled" { print $2 }' /proc/net/smtprl/policy)"
"$SMTPRL_TOP/userspace/smtprlctl" policy set enabled yes
expect_eq "enabled by smtprlctl: the burst, then drop" "ok=1 refused=0 timeout=1" \
	"$(attempts 2 10.0.1.9 $MX4)"
