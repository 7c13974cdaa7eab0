# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the lab scripts. Sourced, never executed.

SMTPRL_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMTPRL_CACHE=${SMTPRL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/smtprl}
mkdir -p "$SMTPRL_CACHE"

msg() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { msg "$*"; exit 1; }

# Debian's 6.12 kernel source, extracted once into the cache.
ksrc_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null ||
		die "linux-source-6.12 is not installed (run scripts/deps.sh)"
}

ksrc_dir() {
	local ver dir
	ver=$(ksrc_version) || exit 1
	dir=$SMTPRL_CACHE/src/linux-source-6.12-$ver
	if [ ! -e "$dir/.extracted" ]; then
		msg "extracting linux-source-6.12 $ver"
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf /usr/src/linux-source-6.12.tar.xz
		touch "$dir/.extracted"
	fi
	echo "$dir"
}

# ksrc_tools_dir: the parts of that source that run as tools, not kernels:
# the YNL generator and client with their schema, checkpatch. The whole tree
# where a kernel build has extracted it already; otherwise only these paths
# (a few MB, not the 1.7 GB that only kernel builds need).
ksrc_tools_dir() {
	local ver dir
	ver=$(ksrc_version) || exit 1
	dir=$SMTPRL_CACHE/src/linux-source-6.12-$ver
	[ -e "$dir/.extracted" ] && { echo "$dir"; return; }
	dir=$SMTPRL_CACHE/src/linux-tools-6.12-$ver
	(
		flock 9
		[ -e "$dir/.extracted" ] && exit 0
		msg "extracting the tools of linux-source-6.12 $ver"
		rm -rf "$dir"
		mkdir -p "$dir"
		tar -C "$dir" --strip-components=1 -xf /usr/src/linux-source-6.12.tar.xz \
			--wildcards '*/tools/net/ynl' '*/Documentation/netlink' \
			'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
			'*/scripts/const_structs.checkpatch'
		touch "$dir/.extracted"
	) 9>"$SMTPRL_CACHE/.lock-tools" || exit 1
	echo "$dir"
}

# kconfig_key FRAGMENT...: the cache key of a kernel built from Debian's
# 6.12 source with these fragments: source version + fragments + compiler.
# ksrc_patched_dir PATCH...: a copy of that source with these patches
# applied, made once per set of patches. The copy hard-links the pristine
# tree; each file a patch touches is copied first, so the pristine tree
# (which other kernels build from) never changes.
ksrc_patched_dir() {
	local src ver key dir p f
	src=$(ksrc_dir) || exit 1
	ver=$(ksrc_version) || exit 1
	key=$(cat "$@" | sha256sum | cut -c1-12)
	dir=$SMTPRL_CACHE/src/linux-source-6.12-$ver-$key
	(
		flock 9
		[ -e "$dir/.patched" ] && exit 0
		msg "patching a copy of linux-source-6.12 $ver: ${*##*/}"
		rm -rf "$dir"
		cp -al "$src" "$dir"
		rm -f "$dir/.extracted"
		for p in "$@"; do
			sed -n 's#^+++ b/\([^[:space:]]*\).*#\1#p' "$p" |
			while read -r f; do
				cp --remove-destination "$src/$f" "$dir/$f"
			done
			patch -d "$dir" -p1 --forward --quiet <"$p" ||
				die "$p does not apply to linux-source-6.12 $ver"
		done
		touch "$dir/.patched"
	) 9>"$SMTPRL_CACHE/.lock-src-$key" || exit 1
	echo "$dir"
}

# kconfig_key FILE...: the cache key of a kernel built from Debian's 6.12
# source with these fragments (and patches): source version + files +
# compiler.
kconfig_key() {
	local ver
	ver=$(ksrc_version) || exit 1
	{ echo "$ver"; cat "$@"; gcc --version | head -1; } | sha256sum | cut -c1-12
}

# kconfig_check CONFIG FRAGMENT...: merge_config does not fail on options
# that did not stick; we do. A later fragment overrides an earlier one;
# options of other architectures (CONFIG_UML* on x86) are not checked.
kconfig_check() {
	local config=$1 line opt missing=0 arch
	declare -A want=()
	shift
	arch=$(grep -q '^CONFIG_UML=y' "$config" && echo uml || echo x86)
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)			opt=${line%%=*} ;;
		"# CONFIG_"*" is not set")	opt=${line#\# }; opt=${opt%% *} ;;
		*)				continue ;;
		esac
		[ "$arch" = x86 ] && [[ $opt == CONFIG_UML* ]] && continue
		want[$opt]=$line
	done < <(cat "$@")
	for opt in "${!want[@]}"; do
		line=${want[$opt]}
		if [[ $line == CONFIG_* ]]; then
			grep -qx -- "$line" "$config" ||
				{ msg "config did not stick: $line"; missing=1; }
		elif grep -q "^$opt=" "$config"; then
			msg "config should be off: $opt"; missing=1
		fi
	done
	return "$missing"
}

# Serialise builds of one cache entry (CI and a developer may overlap).
cache_lock() {
	exec {SMTPRL_LOCK_FD}>"$SMTPRL_CACHE/.lock-$1"
	flock "$SMTPRL_LOCK_FD"
}

# foreign_busybox DEBARCH: Debian's static busybox of another architecture
# (armhf, s390x), extracted once into the cache; prints its path.
foreign_busybox() {
	local bb=$SMTPRL_CACHE/busybox-$1/bin/busybox tmp
	if [ ! -x "$bb" ]; then
		(
			cache_lock "busybox-$1"
			[ -x "$bb" ] && exit 0
			tmp=$(mktemp -d)
			(cd "$tmp" && apt-get download -q "busybox-static:$1" >/dev/null 2>&1) ||
				die "cannot download busybox-static:$1"
			rm -rf "$SMTPRL_CACHE/busybox-$1"
			dpkg -x "$tmp"/busybox-static_*.deb "$SMTPRL_CACHE/busybox-$1"
			rm -rf "$tmp"
		) || return 1
	fi
	echo "$bb"
}

# lab_initramfs OUT KROOT KREL BUSYBOX BODY MODULE...: a gzipped cpio at
# OUT holding BUSYBOX as /bin/busybox, the kernel's MODULEs with what they
# depend on, and an /init that mounts /proc and /dev, loads the modules in
# order and goes on with the shell text in the file BODY (which mounts a
# root on /newroot and switches to it). KROOT is a root with
# lib/modules/KREL.
lab_initramfs() {
	local out=$1 kroot=$2 krel=$3 bb=$4 body=$5 dir m f
	shift 5
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,dev,proc,sys,newroot,lib/modules}
	cp "$bb" "$dir/bin/busybox"
	for m; do
		modprobe -d "$kroot" -S "$krel" --show-depends "$m" ||
			die "$krel has no module $m"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }' | while read -r f; do
		case "$f" in
		*.xz) xz -dc "$f" >"$dir/lib/modules/$(basename "$f" .xz)" ;;
		*)    cp "$f" "$dir/lib/modules/" ;;
		esac
		basename "${f%.xz}" >>"$dir/lib/modules/order"
	done
	{
		cat <<-'EOF'
			#!/bin/busybox sh
			/bin/busybox --install -s /bin
			mount -t proc proc /proc
			mount -t devtmpfs dev /dev
			for m in $(cat /lib/modules/order 2>/dev/null); do
				insmod /lib/modules/$m || { echo "initramfs: insmod $m failed"; poweroff -f; }
			done
		EOF
		cat "$body"
	} >"$dir/init"
	chmod 755 "$dir/init"
	(cd "$dir" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out"
	rm -rf "$dir"
}

# The lab kernels: 6.1 and 6.12 are Debian's stock amd64 kernels run under
# qemu (TCG), uml is our debug UML kernel, x86dbg our x86_64 SMP debug
# kernel (only for the scripts that name it: the fuzzer and the stress
# test), armhf Debian's 32-bit ARM kernel under qemu-system-arm (TCG) on
# a Debian armhf root. x86kcsan, the KCSAN variant of x86dbg, is for
# make stress only.
SMTPRL_KERNELS="6.1 6.12 uml x86dbg armhf"

# lab_kernel KERNEL [krel|root|kdir]: a kernel booted by qemu, laid out as
# a root with boot/ and lib/modules/ (Debian's, or our x86_64 debug build).
lab_kernel() {
	case "$1" in
	6.1|6.12|armhf|s390x) "$SMTPRL_TOP/scripts/lab/stock.sh" "$@" ;;
	x86dbg)   "$SMTPRL_TOP/scripts/lab/x86dbg.sh" "${@:2}" ;;
	x86kcsan) "$SMTPRL_TOP/scripts/lab/x86dbg.sh" kcsan "${@:2}" ;;
	*)        die "unknown qemu lab kernel '$1'" ;;
	esac
}

kernel_kdir() {
	case "$1" in
	# armhf, s390x: Debian's headers only, for cross builds
	6.1|6.12|armhf|s390x|x86dbg|x86kcsan) lab_kernel "$1" kdir ;;
	kunit-arm|kunit-s390x) "$SMTPRL_TOP/scripts/lab/kunit-cross.sh" "${1#kunit-}" ;;
	uml)      "$SMTPRL_TOP/scripts/lab/uml.sh" ;;
	uml-bench) "$SMTPRL_TOP/scripts/lab/uml.sh" bench ;;	# benchmarks only
	*)        die "unknown lab kernel '$1' (one of: $SMTPRL_KERNELS)" ;;
	esac
}

# userspace_build DIR [make args...]: smtprlctl and its unit tests built
# from scratch in build/DIR (objects an earlier make left in the tree must
# not turn a rebuild into "Nothing to be done").
userspace_build() {
	local out=$SMTPRL_TOP/build/$1
	shift
	rm -rf "$out"
	mkdir -p "$out/userspace"
	cp -a "$SMTPRL_TOP"/userspace/{Makefile,*.c,*.h,tests} "$out/userspace/"
	make -C "$out/userspace" clean >/dev/null
	ln -s "$SMTPRL_TOP/include" "$out/include"
	make -C "$out/userspace" "$@" all check
}

# ctl_cross DEBARCH: smtprlctl cross-built for DEBARCH (armhf, s390x)
# against that architecture's libnl, in build/ctl-DEBARCH (make redoes
# what changed); prints its path.
ctl_cross() {
	local t out=$SMTPRL_TOP/build/ctl-$1
	case "$1" in
	armhf) t=arm-linux-gnueabihf ;;
	s390x) t=s390x-linux-gnu ;;
	*)     die "no cross compiler for '$1'" ;;
	esac
	mkdir -p "$out/userspace"
	(
		flock 9
		ln -sfn "$SMTPRL_TOP/include" "$out/include"
		# With their times: an unchanged source is not compiled again.
		rsync -rt --include='*.c' --include='*.h' --include=Makefile \
			--exclude='*' "$SMTPRL_TOP/userspace/" "$out/userspace/"
		make -s -C "$out/userspace" CROSS_COMPILE="$t-" WERROR=1 smtprlctl >&2
	) 9>"$out/.lock" || die "cannot cross-build smtprlctl for $1"
	echo "$out/userspace/smtprlctl"
}

# build_synflood: the e2e tests' SYN flooder, build/synflood.
build_synflood() {
	mkdir -p "$SMTPRL_TOP/build"
	cc -O2 -Wall -Wextra -Werror -o "$SMTPRL_TOP/build/synflood" \
		"$SMTPRL_TOP/scripts/e2e/synflood.c"
}
