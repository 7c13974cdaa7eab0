#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of "scripts/bench/compare.sh smp": the SYN path from one CPU
# and from two at once (smtprl_bench.ko threads=2, each CPU over its own
# half of the sources), per competitor. Under emulation absolute figures
# mean little: the 1-CPU/2-CPU ratio is the result.
#   smp-guest.sh smp REPS ITERATIONS SOURCES
set -euo pipefail
reps=$2 iters=$3 n=$4
. "$(dirname "$0")/lib-guest.sh"

for kind in base smtprl hashlimit nft; do
	ns_up "s-$kind" "$kind" pass $((n * 2))
	bench "s-$kind" case=syn family=4 sources="$n" iterations=1 >/dev/null
done
declare -A v=()
for r in $(seq "$reps"); do
	for kind in base smtprl hashlimit nft; do
		for t in 1 2; do
			read -r ns _ < <(bench "s-$kind" case=syn family=4 sources="$n" \
				iterations="$iters" threads=$t)
			v[$kind-$t]+="$ns "
		done
	done
done
for kind in base smtprl hashlimit nft; do
	for t in 1 2; do
		# shellcheck disable=SC2086
		echo "result path=syn-smp mode=pass family=4 sources=$n kind=$kind threads=$t" \
			"ns_per_pkt=$(median ${v[$kind-$t]}) runs=\"${v[$kind-$t]% }\""
	done
done
