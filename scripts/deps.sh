#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages smtprl's build, lab and tests need.
# As root on Debian/Ubuntu it installs what is missing; otherwise it prints
# the exact command to run.
set -euo pipefail

pkgs=(
	# build (patch: the UML kernels carry scripts/patches/)
	build-essential pkg-config flex bison bc libelf-dev libssl-dev
	dwarves kmod libnl-3-dev libnl-genl-3-dev rsync patch
	procps bsdextrautils
	# static checks and code generation
	sparse perl python3 python3-yaml python3-jsonschema
	# lab kernels and VMs
	linux-source-6.12 xz-utils qemu-system-x86 busybox-static
	# network lab and traffic
	iproute2 iptables nftables postfix swaks libio-socket-inet6-perl
	sasl2-bin libsasl2-modules
	hping3 python3-pyroute2 libcap2-bin util-linux time
	# reports
	gnuplot-nox
)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
	echo "deps.sh: missing packages; run as root:" >&2
	echo "  apt-get update && $cmd" >&2
	exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# postfix asks how to configure itself; the lab runs its own instances.
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
apt-get update -q >/dev/null
$cmd </dev/null >/dev/null
