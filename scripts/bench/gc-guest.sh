#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/gc.sh: a spoofed flood of SOURCES distinct
# sources (smtprl_bench.ko's warm-up pass, one SYN each) fills the table
# to its cap, then stops. How long until the table has room again (the
# first source forgotten) and until it is empty, against gc_idle?
set -eu
bench_ko=$(dirname "$SMTPRL_KO")/smtprl_bench.ko
sources=${1:-1000000}
idle=${2:-10}

entries() { awk '$1 == "entries" { print $2 }' /proc/net/smtprl/stats; }

rmmod smtprl 2>/dev/null || true
insmod "$SMTPRL_KO" gc_idle="$idle" max_sources="$sources"
dmesg -C
insmod "$bench_ko" case=syn sources="$sources" iterations=1 2>/dev/null || true
stop=$(date +%s.%N)
dmesg | grep -q ns_per_pkt || { dmesg | tail -5; echo "bench module failed"; exit 1; }
full=$(entries)
echo "gc flood sources=$sources entries=$full gc_idle_s=$idle"
[ "$full" = "$sources" ] || { echo "the flood did not fill the table"; exit 1; }
room= empty=
while [ -z "$empty" ]; do
	sleep 0.25
	n=$(entries)
	now=$(date +%s.%N)
	[ -z "$room" ] && [ "$n" -lt "$sources" ] && room=$(echo "$now - $stop" | bc)
	[ "$n" = 0 ] && empty=$(echo "$now - $stop" | bc)
	if [ "$(echo "$now - $stop > $idle + 600" | bc)" = 1 ]; then
		echo "gave up: $n entries left after $idle + 600 s"
		exit 1
	fi
done
printf 'gc sources=%s gc_idle_s=%s room_after_s=%.1f empty_after_s=%.1f removed=%s\n' \
	"$sources" "$idle" "$room" "$empty" \
	"$(awk '$1 == "gc_removed" { print $2 }' /proc/net/smtprl/stats)"
