#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch (or reuse) a stock Debian kernel and its headers, extracted into
# the cache, never installed: amd64 (6.1, 6.12), Debian's 32-bit ARM kernel
# (armhf: armmp, 6.1; booted by the ARM lab, its headers for cross builds)
# or the headers of its big-endian s390x kernel (for cross builds only).
# Usage: lab/stock.sh 6.1|6.12|armhf|s390x [field]
# Prints "KREL ROOT" (kernel release and extracted root), or one field:
#   krel | root | kdir | vmlinuz
# The version is resolved from the metapackage at run time, so superseded
# ABI-numbered packages never break the lab.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

field() {
	case "$1" in
	"")      echo "$krel $root" ;;
	krel)    echo "$krel" ;;
	root)    echo "$root" ;;
	kdir)    echo "$root/usr/src/linux-headers-$krel" ;;
	vmlinuz) echo "$root/boot/vmlinuz-$krel" ;;
	*)       die "unknown field '$1'" ;;
	esac
}

series=${1:?usage: lab/stock.sh 6.1|6.12|armhf|s390x [krel|root|kdir|vmlinuz]}
# armhf, s390x: Debian's 32-bit ARM kernel (armmp, 6.1) and its headers,
# or the headers of its s390x one (6.1; 64-bit big-endian) only (nothing
# boots it); their kbuild tools are the host's, of the same version.
arch=amd64
case "$series" in
6.1)   meta=linux-image-amd64 ;;
6.12)  meta=linux-image-6.12-amd64 ;;
armhf) meta=linux-headers-armmp:armhf arch=armhf ;;
s390x) meta=linux-headers-s390x:s390x arch=s390x ;;
*)     die "unknown kernel series '$series' (6.1, 6.12, armhf or s390x)" ;;
esac

# The field of a kernel resolved before (SMTPRL_STOCK_6_12="KREL ROOT", set
# by scripts/check.sh): apt-cache takes 3 s, and every lab guest asks.
pinned=SMTPRL_STOCK_${series//./_}
if [ -n "${!pinned:-}" ]; then
	read -r krel root <<<"${!pinned}"
	[ -e "$root/.smtprl-complete" ] || die "$pinned: no kernel at $root"
	field "${2:-}"
	exit 0
fi

# first_dep PACKAGE REGEX: the first dependency of PACKAGE matching REGEX,
# without its architecture qualifier (or a virtual package's brackets).
first_dep() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: <\{0,1\}\([^:>]*\).*/\1/p' |
		awk -v re="^($2)\$" '$0 ~ re && !n++'
}

if [ "$arch" = amd64 ]; then
	img=$(first_dep "$meta" 'linux-image-[0-9].*')
	[ -n "$img" ] || die "cannot resolve $meta (apt-get update?)"
	krel=${img#linux-image-}
	pkgver=$(apt-cache show "$img" | sed -n 's/^Version: //p' | head -1)
else
	# Not "dpkg ... | grep -q": under pipefail, dpkg writing its next
	# line after grep quit is a SIGPIPE, and a failure (1 run in 20).
	[[ " $(dpkg --print-foreign-architectures | tr '\n' ' ') " == *" $arch "* ]] ||
		die "dpkg does not know $arch (run scripts/deps.sh)"
	img=''
	hdr=$(first_dep "$meta" 'linux-headers-[0-9].*')
	[ -n "$hdr" ] || die "cannot resolve $meta (apt-get update?)"
	krel=${hdr#linux-headers-}
	if [ "$arch" = armhf ]; then img=linux-image-$krel:armhf; fi
	pkgver=$(apt-cache show "$hdr:$arch" | sed -n 's/^Version: //p' | head -1)
fi
case "$series" in
6.1|armhf|s390x) [[ $krel == 6.1.* ]] ;;
6.12) [[ $krel == 6.12.* ]] ;;
esac || die "$meta resolved to $krel, not $series"
root=$SMTPRL_CACHE/stock-$krel-${pkgver//[~:]/_}

cache_lock "stock-$krel"
# An armhf entry from before the ARM lab booted it has no image.
if [ ! -e "$root/.smtprl-complete" ] ||
   { [ -n "$img" ] && [ ! -e "$root/boot/vmlinuz-$krel" ]; }; then
	hdr=linux-headers-$krel
	common=$(first_dep "$hdr:$arch" 'linux-headers-.*-common')
	kbuild=$(first_dep "$hdr:$arch" 'linux-kbuild-.*')
	[ -n "$common" ] && [ -n "$kbuild" ] || die "cannot resolve headers of $krel"
	# The image package may be a signed wrapper; the kernel itself is in it.
	# The kbuild tools run here: always the host's (amd64) build.
	msg "fetching $img $hdr:$arch $common $kbuild ($pkgver)"
	rm -rf "$root"
	mkdir -p "$root/debs"
	(cd "$root/debs" && apt-get download -q ${img:+"$img"} "$hdr:$arch" \
		"$common" "$kbuild:amd64=$pkgver" >/dev/null)
	for d in "$root"/debs/*.deb; do dpkg -x "$d" "$root"; done
	rm -rf "$root/debs"
	# The headers' Makefile includes the -common tree by absolute path.
	find "$root/usr/src" -maxdepth 2 -name Makefile -exec \
		sed -i "s|/usr/src/|$root/usr/src/|g" {} +
	# Debian's kbuild tree links scripts/tools by absolute path too.
	find "$root/usr/src" "$root/usr/lib" -maxdepth 3 -type l | while read -r l; do
		t=$(readlink "$l")
		case "$t" in /*) ln -sfn "$root$t" "$l" ;; esac
	done
	if [ -n "$img" ]; then
		ln -sfn "$root/usr/src/linux-headers-$krel" "$root/lib/modules/$krel/build"
		depmod -b "$root" "$krel"
	fi
	touch "$root/.smtprl-complete"
fi

field "${2:-}"
