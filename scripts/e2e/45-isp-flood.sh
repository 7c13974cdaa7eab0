#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels uml
#
# The ISP lab (isp.sh) under a spoofed-source SYN flood from the zombie's
# line: 1,000,000 SYNs from distinct random sources (synflood.c, seeded;
# the seed is printed; 200,000 on the UML debug kernel, where KASAN makes a
# million take three minutes) against a table capped at 1,000 sources. Memory stays bounded, the
# subscribers smtprl already knows keep their state, exemptions keep
# working, when-full accept keeps serving, when-full drop fails closed, and
# the table_full counter says what happened. Then malformed and unusual
# packets from the same line (badpkt.py): nothing malformed is counted as
# a connection, and the kernel log stays clean.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/isp.sh"
trap isp_down EXIT

CAP=1000
# Distinct sources in the flood against the cap.
FULL=${1:-$([ "$SMTPRL_KERNEL" = uml ] && echo 200000 || echo 1000000)}

# flood N [SRC-PREFIX]: N SYNs to port 25 from distinct spoofed sources (scripts/e2e/
# synflood.c, a raw AF_PACKET sender; hping3 --rand-source makes a system
# call per packet, far too slow on an emulated lab kernel) on the zombie's
# line, to an address nobody answers.
FLOOD_SEED=${FLOOD_SEED:-$RANDOM}
flood() {
	local n=$1 before
	before=$(stat seen)
	nsx zombie "$SMTPRL_TOP/build/synflood" line0 \
		"$(cat /sys/class/net/b-zombie/address)" 192.0.2.99 "$n" \
		$((FLOOD_SEED++)) ${2:+"$2"} || fail "synflood"
	expect_eq "smtprl saw every spoofed SYN" "$n" $(($(stat seen) - before))
}

# Kernel memory that a growing table would show: slab and vmalloc, KiB.
kmem_kib() {
	awk '/^Slab:|^VmallocUsed:/ { s += $2 } END { print s }' /proc/meminfo
}

flood_scope() {
	local seen entries r
	isp_fresh rate 1/day burst 5 daily off action drop max-sources $CAP
	r=$(mail_from zombie "$(addr4 zombie)" $MXS4 25 8)
	expect_eq "zombie before the flood: delivered" 5 "$(outcome delivered "$r")"
	entries=$(stat entries) seen=$(stat seen)
	# Spoofed from the carrier-grade NAT range, which is not a subscriber
	# prefix of this BRAS.
	flood 50000 100.64.0.0/10
	expect_eq "spoofed sources outside the subscriber prefixes: out of scope" \
		$(($(stat seen) - seen)) "$(stat out_of_scope)"
	expect_eq "the table did not move" "$entries" "$(stat entries)"
	expect_eq "table_full" 0 "$(stat table_full)"
	expect_stats_add_up
}

flood_full() {
	local z f c kmem0 kmem1 seen full r t
	isp_fresh rate 1/day burst 5 daily off action drop max-sources $CAP \
		when-full accept
	# Without a scope every source is a subscriber (a CPE, or a BRAS that
	# limits everyone): the flood lands in the table.
	ctl scope flush
	z=$(addr4 zombie) f=$(addr4 family) c=$(addr4 customer)
	ctl exempt add "$c" expires 30d comment "customer 4711, own MX"
	r=$(mail_from zombie "$z" $MXS4 25 8)
	expect_eq "zombie before the flood: delivered" 5 "$(outcome delivered "$r")"
	r=$(mail_from family "$f" $MXS4 25 2)
	expect_eq "family before the flood: delivered" 2 "$(outcome delivered "$r")"
	sleep 2
	kmem0=$(kmem_kib) seen=$(stat seen)
	t=$SECONDS
	flood "$FULL"
	kmem1=$(kmem_kib)
	pass "$FULL spoofed SYNs in $((SECONDS - t)) s"
	expect_eq "entries at the cap" $CAP "$(stat entries)"
	full=$(stat table_full)
	[ "$full" -ge $((FULL - CAP)) ] || fail "table_full $full, expected >= $((FULL - CAP))"
	pass "table_full counts the sources that found the table full: $full"
	[ $((kmem1 - kmem0)) -lt 16384 ] ||
		fail "kernel memory grew by $((kmem1 - kmem0)) KiB (an unbounded table: ~20 MiB)"
	pass "kernel memory (slab + vmalloc) grew by $((kmem1 - kmem0)) KiB"
	[ "$(stat memory_bytes)" -le $((CAP * 256)) ] ||
		fail "smtprl's own memory_bytes $(stat memory_bytes) over $((CAP * 256))"
	pass "smtprl's table: $(stat memory_bytes) bytes for $CAP sources"
	expect_eq "the zombie kept its state: allowed" 5 "$(source_field "$z/32" allowed)"
	expect_eq "the zombie kept its state: limited" 3 "$(source_field "$z/32" limited)"
	expect_eq "the family line kept its state: allowed" 2 "$(source_field "$f/32" allowed)"
	r=$(mail_from zombie "$z" $MXS4 25 3)
	expect_eq "the zombie is still limited" 0 "$(outcome delivered "$r")"
	r=$(mail_from family "$f" $MXS4 25 5)
	expect_eq "the family line has its 3 remaining" 3 "$(outcome delivered "$r")"
	r=$(mail_from customer "$c" $MXS4 25 10)
	expect_eq "the exempt customer is unlimited" 10 "$(outcome delivered "$r")"
	full=$(stat table_full)
	r=$(mail_from v6home "$(addr4 v6home)" $MXS4 25 3)
	expect_eq "when-full accept: a new subscriber is served" 3 "$(outcome delivered "$r")"
	expect_eq "... untracked, and counted" $((full + 3)) "$(stat table_full)"
	ctl policy set when-full drop
	r=$(mail_from v6home "$(addr6 v6home)" $MXS6 25 3)
	expect_eq "when-full drop: a new subscriber fails closed" 0 "$(outcome delivered "$r")"
	expect_eq "... and is counted" $((full + 6)) "$(stat table_full)"
	r=$(mail_from customer "$c" $MXS4 25 3)
	expect_eq "when-full drop: the exempt customer is still served" 3 "$(outcome delivered "$r")"
	expect_stats_add_up
}

hostile_packets() {
	local r
	isp_fresh rate 1/day burst 1000 daily off
	nsx zombie /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/badpkt.py" line0 \
		"$(cat /sys/class/net/b-zombie/address)" "$(addr4 zombie)" 192.0.2.99 \
		"$(addr6 zombie)" 2001:db8:300::99 3 || fail "badpkt.py"
	expect_stats_add_up
	r=$(mail_from zombie "$(addr4 zombie)" $MXS4 25 3)
	expect_eq "the line still sends mail" 3 "$(outcome delivered "$r")"
}

isp_up
scenario "malformed IPv4/IPv6/TCP packets from a subscriber line" hostile_packets
scenario "spoofed flood outside the subscriber prefixes" flood_scope
scenario "spoofed flood of $FULL sources against a full table" flood_full
scenarios_done
