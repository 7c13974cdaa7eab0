#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/defrag.sh: what enabling nf_defrag would cost
# every packet that is not a fragment, against smtprl's own RFC 1858 rule
# (which costs them nothing). Instructions per packet under qemu -icount
# (deterministic), via smtprl_bench.ko at PREROUTING: UDP (any other
# traffic) and SYNs to port 25 over 1,000 sources, with smtprl alone, then
# with nf_defrag_ipv4 enabled in the namespace and no conntrack (an
# nft_tproxy rule in a chain nothing jumps to holds it).
set -eu
bench_ko=$(dirname "$SMTPRL_KO")/smtprl_bench.ko
iters=${1:-20000}

reps=3
. "$(dirname "$0")/run-guest.sh"

rmmod smtprl 2>/dev/null || true
insmod "$SMTPRL_KO" rate=1000000/second burst=1000000 daily=0 max_sources=100000
run "smtprl udp" case=udp sources=1
run "smtprl syn sources=1000" case=syn sources=1000
nft -f - <<'X'
table inet smtprl_defrag {
	chain never {
		meta l4proto tcp tproxy ip to 127.0.0.1:1
	}
}
X
lsmod | grep -q '^nf_defrag_ipv4 ' || { echo "nf_defrag_ipv4 is not loaded"; exit 1; }
run "smtprl+nf_defrag udp" case=udp sources=1
run "smtprl+nf_defrag syn sources=1000" case=syn sources=1000
nft delete table inet smtprl_defrag
