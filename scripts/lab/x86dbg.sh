#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the x86_64 SMP debug kernel from linux-source-6.12:
# lockdep, PROVE_RCU, KASAN, kmemleak, UBSAN, DEBUG_OBJECTS, for qemu TCG
# with several vCPUs; or (lab/x86dbg.sh kcsan ...) its KCSAN variant, the
# same without KASAN and with the data-race detector. Laid out like
# lab/stock.sh's stock kernels (a root with boot/vmlinuz-KREL and
# lib/modules/KREL), so the same VM runner boots it. Prints "KREL ROOT",
# or one field: krel | root | kdir.
#
# Cache key: linux-source-6.12 version + config fragments + compiler.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

name=x86dbg
frags=("$SMTPRL_TOP/scripts/lab/kconfig/x86-debug.config"
       "$SMTPRL_TOP/scripts/lab/kconfig/lab-extra.config")
if [ "${1:-}" = kcsan ]; then
	name=x86kcsan
	frags+=("$SMTPRL_TOP/scripts/lab/kconfig/x86-kcsan.config")
	shift
fi
ver=$(ksrc_version)
key=$(kconfig_key "${frags[@]}")
out=$SMTPRL_CACHE/$name-${ver//[~:]/_}-$key

cache_lock "$name-$key"
if [ ! -e "$out/.smtprl-complete" ]; then
	src=$(ksrc_dir)
	msg "building the x86_64 debug kernel ($name) in $out (cold: ~30-60 min on 2 cores)"
	start=$SECONDS
	rm -rf "$out"
	mkdir -p "$out/build" "$out/root/boot"
	make -s -C "$src" O="$out/build" defconfig >/dev/null
	"$src/scripts/kconfig/merge_config.sh" -m -O "$out/build" \
		"$out/build/.config" "${frags[@]}" >/dev/null
	make -s -C "$src" O="$out/build" olddefconfig >/dev/null
	kconfig_check "$out/build/.config" "${frags[@]}" ||
		die "$name: config incomplete"
	make -s -C "$src" O="$out/build" -j"$(nproc)" bzImage modules \
		>"$out/build.log" 2>&1 ||
		{ tail -30 "$out/build.log" >&2; die "x86_64 debug build failed (see $out/build.log)"; }
	make -s -C "$src" O="$out/build" INSTALL_MOD_PATH="$out/root" \
		modules_install >>"$out/build.log" 2>&1
	krel=$(cat "$out/build/include/config/kernel.release")
	cp "$out/build/arch/x86/boot/bzImage" "$out/root/boot/vmlinuz-$krel"
	ln -sfn "$out/build" "$out/root/lib/modules/$krel/build"
	touch "$out/.smtprl-complete"
	msg "$name kernel ready after $((SECONDS - start)) s"
fi
krel=$(cat "$out/build/include/config/kernel.release")
case "${1:-}" in
krel) echo "$krel" ;;
root) echo "$out/root" ;;
kdir) echo "$out/build" ;;
*)    echo "$krel $out/root" ;;
esac
