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

# Serialise builds of one cache entry (CI and a developer may overlap).
cache_lock() {
	exec {SMTPRL_LOCK_FD}>"$SMTPRL_CACHE/.lock-$1"
	flock "$SMTPRL_LOCK_FD"
}

# The lab kernels: 6.1 and 6.12 are Debian's stock amd64 kernels run under
# qemu (TCG), uml is our debug UML kernel.
SMTPRL_KERNELS="6.1 6.12 uml"

# lab_kernel KERNEL [krel|root|kdir]: a kernel booted by qemu, laid out as
# a root with boot/ and lib/modules/ (Debian's, or our x86_64 debug build).
lab_kernel() {
	case "$1" in
	6.1|6.12) "$SMTPRL_TOP/scripts/lab-stock.sh" "$@" ;;
	x86dbg)   "$SMTPRL_TOP/scripts/lab-x86dbg.sh" "${@:2}" ;;
	*)        die "unknown qemu lab kernel '$1'" ;;
	esac
}

kernel_kdir() {
	case "$1" in
	6.1|6.12|x86dbg) lab_kernel "$1" kdir ;;
	uml)      "$SMTPRL_TOP/scripts/lab-uml.sh" ;;
	uml-bench) "$SMTPRL_TOP/scripts/lab-uml.sh" bench ;;	# benchmarks only
	*)        die "unknown lab kernel '$1' (one of: $SMTPRL_KERNELS)" ;;
	esac
}
