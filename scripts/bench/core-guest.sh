#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/core.sh: per-packet cost of the packet path
# and memory per tracked source, via smtprl_bench.ko (prepared packets
# pushed through nf_hook() at PREROUTING). Prints one line per figure.
set -eu
bench_ko=$(dirname "$SMTPRL_KO")/smtprl_bench.ko
reps=${BENCH_REPS:-3}
iters=${BENCH_ITERS:-300000}

load() {
	rmmod smtprl 2>/dev/null || true
	# Nothing may be dropped: the figure is lookup + update cost.
	insmod "$SMTPRL_KO" rate=1000000/second burst=1000000 daily=0 \
		max_sources=2000000 "$@"
}

. "$(dirname "$0")/run-guest.sh"

load enable=N
run "no-hooks udp" case=udp sources=1
run "dispatch-only(accept hook) udp" case=udp sources=1 dummy=1
load
run "smtprl udp" case=udp sources=1
run "smtprl tcp-ack-to-25" case=ack sources=1
for n in 1000 100000 1000000; do
	load
	run "smtprl syn sources=$n" case=syn sources="$n"
	e=$(awk '$1 == "entries" { print $2 }' /proc/net/smtprl/stats)
	m=$(awk '$1 == "memory_bytes" { print $2 }' /proc/net/smtprl/stats)
	echo "smtprl memory sources=$n entries=$e memory_bytes=$m bytes_per_source=$((m / e))"
done
grep -E '^(smtprl_entry|kmalloc-96|kmalloc-128) ' /proc/slabinfo 2>/dev/null || true
