#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Where the instructions of one packet go: Debian's stock 6.12 under qemu
# -icount, smtprl configured as scripts/bench/compare.sh configures it,
# SOURCES sources tracked; gdb single-steps the hook (smtprl_hook) for a few
# packets of smtprl_bench.ko and prints the instructions per kernel
# function of the last one. A development tool: compare.sh gives the
# figures, this says which function to look at.
#   scripts/bench/itrace.sh [CASE [FAMILY [SOURCES [MODE [FUNC]]]]]
#     CASE syn | ack | udp (default syn), FAMILY 4 | 6, SOURCES (1000),
#     MODE pass | limit | strikes-pass | strikes-limit (pass; strikes-*:
#     quarantine and fan-out on) | bound | unbound-next-to-bound (100,000
#     subscribers bound), FUNC the function traced (smtprl_hook)
# Output: build/bench/itrace-CASE-FAMILY-SOURCES-MODE.txt
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
bcase=${1:-syn} fam=${2:-4} n=${3:-1000} lim=${4:-pass} func=${5:-smtprl_hook}
command -v gdb >/dev/null || die "itrace: needs gdb (apt-get install gdb)"
make -C "$SMTPRL_TOP/userspace" >/dev/null
name=itrace-$bcase-$fam-$n-$lim
vm=$SMTPRL_TOP/build/bench/vm-$name
rm -rf "$vm"
mkdir -p "$vm"
port=$((20000 + RANDOM % 20000))
# Its own session: on failure the whole VM goes, qemu included.
SMTPRL_BUILD_ARGS=SMTPRL_BENCH=m SMTPRL_QEMU_ARGS="-icount shift=0,sleep=off -gdb tcp:127.0.0.1:$port" \
	setsid "$SMTPRL_TOP/scripts/lab/vm-run.sh" -t 1200 -o "$vm" 6.12 \
	"$SMTPRL_TOP/scripts/bench/itrace-guest.sh" "$bcase" "$fam" "$n" "$lim" &
vm_pid=$!
trap 'kill -- -$vm_pid 2>/dev/null || true' EXIT
for _ in $(seq 1200); do
	[ -e "$vm/ready" ] && break
	kill -0 $vm_pid 2>/dev/null || die "itrace: the guest ended before it was ready ($vm)"
	sleep 1
done
[ -e "$vm/ready" ] || die "itrace: the guest never got ready ($vm)"
ITRACE_PORT=$port ITRACE_SYMS=$vm/kallsyms.txt ITRACE_GO=$vm/go ITRACE_FUNC=$func \
	ITRACE_OUT=$SMTPRL_TOP/build/bench/$name.txt \
	gdb -q -nx -batch -x "$SMTPRL_TOP/scripts/bench/itrace.py" >"$vm/gdb.log" 2>&1 ||
	{ cat "$vm/gdb.log" >&2; die "itrace: gdb failed"; }
wait $vm_pid || die "itrace: the guest failed ($vm)"
trap - EXIT
cat "$SMTPRL_TOP/build/bench/$name.txt"
