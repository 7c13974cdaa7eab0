#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/gc.sh: a spoofed flood of SOURCES distinct
# sources (smtprl_bench.ko's warm-up pass, one SYN each; its one measured
# packet gives source 0 a second SYN) fills the table to its cap, then
# stops. How long until the table has room again, until it is below 7/8
# (where GC keeps daily caps again) and until it is empty? Once with the
# default policy (daily cap 500: a SYN takes 172.8 s to refill), once
# with daily off.
#   gc-guest.sh [SOURCES] [GC_IDLE]
set -eu
bench_ko=$(dirname "$SMTPRL_KO")/smtprl_bench.ko
sources=${1:-1000000}
idle=${2:-10}

entries() { awk '$1 == "entries" { print $2 }' /proc/net/smtprl/stats; }
since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

# flood LABEL MODULE-PARAMS...
flood() {
	local label=$1 start stop full n t room= relief= empty= next=0
	shift
	rmmod smtprl 2>/dev/null || true
	insmod "$SMTPRL_KO" gc_idle="$idle" max_sources="$sources" "$@"
	dmesg -C
	start=$(date +%s.%N)
	insmod "$bench_ko" case=syn sources="$sources" iterations=1 2>/dev/null || true
	stop=$(date +%s.%N)
	dmesg | grep -q ns_per_pkt || { dmesg | tail -5; echo "bench module failed"; exit 1; }
	full=$(entries)
	echo "gc $label: flood of $sources sources took $(since "$start")s, entries=$full"
	[ "$full" = "$sources" ] || { echo "the flood did not fill the table"; exit 1; }
	while [ -z "$empty" ]; do
		sleep 0.25
		n=$(entries)
		t=$(since "$stop")
		[ -z "$room" ] && [ "$n" -lt "$sources" ] && room=$t
		[ -z "$relief" ] && [ "$n" -le $((sources - sources / 8)) ] && relief=$t
		[ "$n" = 0 ] && empty=$t
		if [ "${t%.*}" -ge "$next" ]; then
			echo "  t=${t}s entries=$n"
			next=$((${t%.*} + 20))
		fi
		[ "${t%.*}" -lt $((idle + 900)) ] || { echo "gave up: $n entries left"; exit 1; }
	done
	printf 'gc %s sources=%s gc_idle_s=%s room_after_s=%s below_7/8_after_s=%s empty_after_s=%s gc_removed=%s\n' \
		"$label" "$sources" "$idle" "$room" "$relief" "$empty" \
		"$(awk '$1 == "gc_removed" { print $2 }' /proc/net/smtprl/stats)"
}

flood "daily=off" daily=0
flood "default(daily=500)"
