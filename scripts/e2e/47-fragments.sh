#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fragmented SYNs through a BRAS without conntrack (nothing reassembles
# forwarded fragments before smtprl): once a subscriber's bucket is spent,
# no SYN may reach the mail server however it is cut. Raw fragments, v4
# and v6 (scripts/e2e/fragsyn.py): a tiny first fragment with only the
# ports (RFC 1858), a whole first fragment without SYN rewritten by an
# overlapping one, and a legitimately fragmented SYN. What counts is what
# the MX's stack delivers after reassembly (raw sockets there see it).
. "$(dirname "$0")/lib.sh"
trap 'kill $sniffer 2>/dev/null; topology_down' EXIT
sniffer=

topology_up
mx_start 25
lsmod | grep -q '^nf_conntrack ' && fail "conntrack is loaded: this test needs a BRAS without it"
smtprl_reload rate=1/day burst=2 daily=0 action=drop

count="$E2E_TMP/syns"
nsx inet /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/fragsyn.py" sniff "$count" &
sniffer=$!
for _ in $(seq 50); do [ -s "$count" ] && break; sleep 0.1; done
[ -s "$count" ] || fail "the sniffer did not start"
mac=$(cat /sys/class/net/bras-sub/address)

# send SRC DST KIND N; then the MX's SYN counts (settled).
send() {
	nsx sub /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/fragsyn.py" send sub0 "$mac" \
		"$1" "$2" "$3" "$4"
	sleep 1
	cat "$count"
}

# Within the burst, a legitimately fragmented SYN gets through and is
# counted like any other: the MX sees it reassembled (so the counts below
# can be trusted to see one).
expect_eq "v4: a fragmented SYN within the burst reaches the MX" "syn4=1 syn6=0" \
	"$(send 10.0.1.2 $MX4 whole 1)"
expect_eq "v6: a fragmented SYN within the burst reaches the MX" "syn4=1 syn6=1" \
	"$(send 2001:db8:1::2 $MX6 whole 1)"
# Spend the rest of each bucket.
send 10.0.1.2 $MX4 whole 1 >/dev/null
send 2001:db8:1::2 $MX6 whole 1 >/dev/null
expect_eq "buckets spent (seen, allowed)" "4 4" "$(stat seen) $(stat allowed)"
base=$(cat "$count")
expect_eq "v4: fragmented SYNs over the limit" "$base" "$(send 10.0.1.2 $MX4 whole 20)"
expect_eq "v6: fragmented SYNs over the limit" "$base" "$(send 2001:db8:1::2 $MX6 whole 20)"
expect_eq "v4: 20 tiny first fragments" "$base" "$(send 10.0.1.2 $MX4 tiny 20)"
expect_eq "v6: 20 tiny first fragments" "$base" "$(send 2001:db8:1::2 $MX6 tiny 20)"
expect_eq "v4: 20 overlapping fragments" "$base" "$(send 10.0.1.2 $MX4 overlap 20)"
expect_eq "v6: 20 overlapping fragments" "$base" "$(send 2001:db8:1::2 $MX6 overlap 20)"
expect_eq "limited: the fragmented SYNs over the limit" 40 "$(stat limited)"
# tiny: both fragments (the first too short, the second at offset 8);
# overlap: the second.
expect_eq "fragments_dropped" 120 "$(stat fragments_dropped)"
expect_stats_add_up

# Monitor mode counts them and lets them through.
"$SMTPRL_TOP/userspace/smtprlctl" policy set action monitor
syn4() { sed 's/^syn4=\([0-9]*\).*/\1/' "$count"; }
before=$(syn4)
send 10.0.1.3 $MX4 tiny 1 >/dev/null
expect_eq "monitor: counted" 122 "$(stat fragments_dropped)"
expect_eq "monitor: reassembled by the MX" $((before + 1)) "$(syn4)"
