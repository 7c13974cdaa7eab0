#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build smtprl.ko (and its KUnit module, where the kernel has KUnit) for one
# lab kernel in a private copy of the tree, so builds for several kernels
# never share objects. Usage: build-module.sh KERNEL [make args...]
# Prints the directory holding the .ko files; the build log is build.log there.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

kernel=${1:?usage: build-module.sh 6.1|6.12|uml [make args]}
shift
kdir=$(kernel_kdir "$kernel")
out=$SMTPRL_TOP/build/mod-$kernel

mkdir -p "$out"
# Lanes of the e2e tier may run two tests of one kernel at once.
exec {lock}>"$out/.lock"
flock "$lock"
# Kbuild's outputs are kept: the next build only redoes what changed.
# Changes: files sent or deleted (a directory's time is none).
# By content, and stamped with the copy's time (no -t): a file edited while
# an earlier build compiled it must come out newer than that build's .o.
changes=$(rsync -rlpgoDci --delete --exclude '*.o' --exclude '*.ko' --exclude '.*.cmd' \
	--exclude '*.mod' --exclude '*.mod.c' --exclude 'modules.order' \
	--exclude 'Module.symvers' --exclude '.*.d' --exclude '.tmp_*' \
	--include 'Kbuild' --include 'kmod/***' --include 'include/***' \
	--exclude '*' "$SMTPRL_TOP/" "$out/src/" | { grep -v '^\.d' || true; })
# Under TCG every guest of the e2e tier asks for the module: without
# make arguments, an unchanged tree is not handed to Kbuild again (4 s).
stamp="$kdir $(sha256sum "$SMTPRL_TOP/Makefile")"
if [ $# = 0 ] && [ -z "$changes" ] && [ -e "$out/smtprl.ko" ] &&
   [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ]; then
	echo "$out"
	exit 0
fi
rm -f "$out/stamp"
make -C "$SMTPRL_TOP" --no-print-directory module KDIR="$kdir" MODSRC="$out/src" "$@" \
	>"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; die "module build for $kernel failed"; }
find "$out/src" -name '*.ko' -exec cp {} "$out/" \;
[ $# != 0 ] || echo "$stamp" >"$out/stamp"
echo "$out"
