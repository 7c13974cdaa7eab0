#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Control-plane benchmark in a lab kernel (default: Debian's stock 6.12
# under qemu TCG, so wall times are emulation times): 100,000 exemptions
# loaded with smtprlctl -b against 100,000 elements in one nft batch, and
# a dump of 1,000,000 tracked sources (smtprlctl -j, text, /proc).
#   scripts/bench/control.sh [KERNEL [EXEMPTIONS [SOURCES]]]
#   (defaults: 6.12, 100000, 1000000). Output: build/bench/control-KERNEL.txt
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
kernel=${1:-6.12}
exemptions=${2:-100000} sources=${3:-1000000}
make -C "$SMTPRL_TOP/userspace" >/dev/null
# The same CPU-bound work on the host and in the guest: how much slower
# the lab's emulation is than this machine's hardware.
calibrate() {
	local t0 t1
	t0=$(date +%s%N)
	head -c 256M /dev/zero | sha256sum >/dev/null
	t1=$(date +%s%N)
	echo "calibration: sha256 of 256 MiB: $(((t1 - t0) / 1000000)) ms"
}
mkdir -p "$SMTPRL_TOP/build/bench"
out=$SMTPRL_TOP/build/bench/control-$kernel.txt
calibrate | sed 's/^/host /' | tee "$out"
SMTPRL_BUILD_ARGS=SMTPRL_BENCH=m SMTPRL_VM_MEM=${SMTPRL_VM_MEM:-2048} "$SMTPRL_TOP/scripts/lab/vm-run.sh" -t 1800 \
	-o "$SMTPRL_TOP/build/bench/control-$kernel" "$kernel" \
	"$SMTPRL_TOP/scripts/bench/control-guest.sh" "$exemptions" "$sources" | tee -a "$out"
