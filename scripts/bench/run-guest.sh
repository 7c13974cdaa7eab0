# SPDX-License-Identifier: GPL-2.0
# Sourced by core-guest.sh and defrag-guest.sh: run smtprl_bench.ko $reps
# times ($iters packets each) and print the median ns per packet (under
# qemu -icount shift=0, instructions per packet).

# run LABEL BENCH-PARAMS...
run() {
	local label=$1 v=() i
	shift
	for i in $(seq "$reps"); do
		dmesg -C
		insmod "$bench_ko" iterations="$iters" "$@" 2>/dev/null || true
		v+=("$(dmesg | sed -n 's/.* ns_per_pkt=\([0-9]*\).*/\1/p' | tail -1)")
		[ -n "${v[-1]}" ] || { dmesg | tail -5; echo "bench $label failed"; exit 1; }
	done
	printf '%s ns_per_pkt_median=%s runs=%s\n' "$label" \
		"$(printf '%s\n' "${v[@]}" | sort -n | sed -n "$(((reps + 1) / 2))p")" "${v[*]}"
}
