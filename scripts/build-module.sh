#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build smtprl.ko (and its KUnit module, where the kernel has KUnit) for one
# lab kernel in a private copy of the tree, so builds for several kernels
# never share objects. Usage: build-module.sh KERNEL [make args...]
# Prints the directory holding the .ko files; the build log is build.log there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: build-module.sh 6.1|6.12|uml [make args]}
shift
kdir=$(kernel_kdir "$kernel")
out=$SMTPRL_TOP/build/mod-$kernel

mkdir -p "$out"
rsync -a --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--include 'Kbuild' --include 'kmod/***' --include 'include/***' \
	--exclude '*' "$SMTPRL_TOP/" "$out/src/"
make -C "$SMTPRL_TOP" --no-print-directory module KDIR="$kdir" MODSRC="$out/src" "$@" \
	>"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; die "module build for $kernel failed"; }
find "$out/src" -name '*.ko' -exec cp {} "$out/" \;
echo "$out"
