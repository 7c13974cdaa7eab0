#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) a KUnit kernel for another CPU from linux-source-6.12:
# arm (32-bit ARMv7, qemu's virt machine) or s390x (64-bit big-endian,
# s390-ccw-virtio), the way tools/testing/kunit/qemu_configs builds them:
# the architecture's defaults plus scripts/lab/kconfig/kunit-cross.config
# and kunit-ARCH.config. Cache key: linux-source-6.12 version + fragments
# + cross compiler. Prints the build directory (a KDIR), or one field:
#   lab/kunit-cross.sh arm|s390x [kdir|image]
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

arch=${1:?usage: lab/kunit-cross.sh arm|s390x [kdir|image]}
case "$arch" in
arm)   karch=arm cross=arm-linux-gnueabihf- image=arch/arm/boot/zImage ;;
s390x) karch=s390 cross=s390x-linux-gnu- image=arch/s390/boot/bzImage ;;
*)     die "unknown KUnit architecture '$arch' (arm or s390x)" ;;
esac
frags=("$SMTPRL_TOP/scripts/lab/kconfig/kunit-cross.config"
       "$SMTPRL_TOP/scripts/lab/kconfig/kunit-$arch.config")
key=$( { kconfig_key "${frags[@]}"; "${cross}gcc" --version | head -1; } |
	sha256sum | cut -c1-12)
ver=$(ksrc_version)
out=$SMTPRL_CACHE/kunit-$arch-${ver//[~:]/_}-$key

field() {
	case "${1:-kdir}" in
	kdir)  echo "$out" ;;
	image) echo "$out/$image" ;;
	*)     die "unknown field '$1'" ;;
	esac
}

cache_lock "kunit-$arch-$key"
if [ ! -e "$out/.smtprl-complete" ]; then
	src=$(ksrc_dir)
	msg "building the $arch KUnit kernel in $out (cold: ~15 min on 2 cores)"
	start=$SECONDS
	rm -rf "$out"
	mkdir -p "$out"
	kmake() { make -s -C "$src" O="$out" ARCH="$karch" CROSS_COMPILE="$cross" "$@"; }
	cat "${frags[@]}" >"$out/.config"
	kmake olddefconfig >/dev/null
	kconfig_check "$out/.config" "${frags[@]}" || die "$arch KUnit config incomplete"
	kmake -j"$(nproc)" >"$out/build.log" 2>&1 ||
		{ tail -30 "$out/build.log" >&2; die "$arch KUnit kernel build failed (see $out/build.log)"; }
	touch "$out/.smtprl-complete"
	msg "$arch KUnit kernel ready after $((SECONDS - start)) s"
fi
field "${2:-}"
