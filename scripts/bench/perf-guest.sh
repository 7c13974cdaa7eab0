#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/perf.sh: instructions per packet through
# smtprl, net of the same packets through no rules at all, at SOURCES
# sources, configured as compare-guest.sh configures it. qemu -icount
# makes the packet's own cost deterministic; the least of three runs
# drops what else the guest did meanwhile. Prints "perf FIGURE N" lines.
#   perf-guest.sh SOURCES ITERATIONS [SUBSCRIBERS]
set -euo pipefail
n=$1 iters=$2 nsubs=${3:-100000}
. "$(dirname "$0")/lib-guest.sh"
max=$((n * 2 > 1024 ? n * 2 : 1024))
ns_up base base pass "$max"
ns_up pass smtprl pass "$max"
ns_up limit smtprl limit "$max"
# Quarantine and fan-out on: every source has a watch, every SYN its
# destination hashed and sketched (they stay below the strike count).
for mode in pass limit; do
	ns_up "strikes-$mode" smtprl "$mode" "$max"
	"$ctl" -n "strikes-$mode" policy set strikes 3 strike-window 1d fanout-limit 100
done

# Subscribers: SUBSCRIBERS of them, each bound to one bench source's IPv4
# address and IPv6 /64 (smtprl_bench.c's set_source(), sources 0 ..
# SUBSCRIBERS - 1), charged by the policy. The bench's SYNs then come from
# bound addresses, or (offset) from unbound sources next to them. Memory per
# subscriber as compare-guest.sh measures it per source.
# Room for the subscribers' states and both families' unbound sources: a
# full table would put the unbound SYNs on the table-full path.
ns_up subs smtprl pass $((max * 2))
settle
before=$(mem_kib)
bind_subscribers subs "$nsubs"
settle
after=$(mem_kib)
bound=$(ip netns exec subs awk '$1 == "bindings" { print $2 }' /proc/net/smtprl/stats)
echo "memory kind=subscribers subscribers=$nsubs bindings=$bound kib=$((after - before))" \
	"bytes_per_subscriber=$(((after - before) * 1024 / nsubs))"

# least NS CASE FAMILY SOURCES [PARAM=VALUE...]: the fewest instructions
# per packet of three runs. A run counts whatever else the guest did
# meanwhile (a timer, a kworker at cond_resched, a softirq): only ever
# more, so the least is the packet's own cost.
least() {
	local r n best=
	for r in 1 2 3; do
		read -r n _ < <(bench "$1" case="$2" family="$3" sources="$4" \
			iterations="$iters" "${@:5}")
		[ -n "$best" ] && [ "$best" -le "$n" ] || best=$n
	done
	echo "$best"
}

# net KIND CASE FAMILY SOURCES [PARAM=VALUE...]: one figure, the no-rules
# run subtracted.
net() {
	bench "$1" case="$2" family="$3" sources="$4" iterations=1 "${@:5}" >/dev/null
	bench base case="$2" family="$3" sources="$4" iterations=1 "${@:5}" >/dev/null
	echo $(($(least "$@") - $(least base "${@:2}")))
}
for fam in 4 6; do
	echo "perf syn-pass-v$fam $(net pass syn $fam "$n")"
	echo "perf syn-limit-v$fam $(net limit syn $fam "$n")"
	echo "perf syn-pass-v$fam-strikes $(net strikes-pass syn $fam "$n")"
	echo "perf syn-limit-v$fam-strikes $(net strikes-limit syn $fam "$n")"
	echo "perf syn-pass-v$fam-bound $(net subs syn $fam "$n")"
	echo "perf syn-pass-v$fam-unbound-next-to-bound $(net subs syn $fam "$n" offset="$nsubs")"
done
echo "perf ack-v4 $(net pass ack 4 1)"
echo "perf udp-v4 $(net pass udp 4 1)"
