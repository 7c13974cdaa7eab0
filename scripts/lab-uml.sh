#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the UML debug kernel used for KUnit and sanitizer runs,
# or (lab-uml.sh bench) the same without the debug options, for benchmarks.
# Prints the build directory (usable as KDIR, holds ./linux).
#
# Cache key: linux-source-6.12 version + config fragments + compiler.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = bench ]; then
	frags=("$SMTPRL_TOP/scripts/kconfig/lab-extra.config"
	       "$SMTPRL_TOP/scripts/kconfig/uml-bench.config")
else
	frags=("$SMTPRL_TOP/scripts/kconfig/uml-debug.config"
	       "$SMTPRL_TOP/scripts/kconfig/lab-extra.config")
fi
ver=$(ksrc_version)
key=$(kconfig_key "${frags[@]}")
out=$SMTPRL_CACHE/uml-${ver//[~:]/_}-$key

cache_lock "uml-$key"
if [ -x "$out/linux" ] && [ -e "$out/.smtprl-complete" ]; then
	echo "$out"
	exit 0
fi

src=$(ksrc_dir)
msg "building UML kernel in $out (cold: ~15 min on 2 cores)"
start=$SECONDS
mkdir -p "$out"
make -s -C "$src" O="$out" ARCH=um defconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
make -s -C "$src" O="$out" ARCH=um olddefconfig >/dev/null

kconfig_check "$out/.config" "${frags[@]}" || die "UML config incomplete"

make -s -C "$src" O="$out" ARCH=um -j"$(nproc)" >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; die "UML build failed (see $out/build.log)"; }
# Out-of-tree modules need the prepared tree; modules_prepare is part of the build.
touch "$out/.smtprl-complete"
msg "UML kernel ready after $((SECONDS - start)) s"
echo "$out"
