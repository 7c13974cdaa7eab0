#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages smtprl's build, lab and tests need, then check
# that every external command they run is there: on the host, and inside the
# lab guests, which run the host's root filesystem. As root on Debian it
# installs what is missing; otherwise it prints the exact command to run.
# A command still missing afterwards fails loudly, naming its package.
set -euo pipefail

# COMMAND:PACKAGE, one per external command the build, demo, lab, tests and
# benchmarks run (a guest runs the host's root: its commands are here too;
# the 32-bit ARM guest has its own, lab/armroot.sh installs its packages).
# The package list is derived from this one, plus the libraries below.
cmds=(
	# build, code generation, static checks
	make:make cc:gcc gcc:gcc ld:binutils perl:perl flex:flex bison:bison
	bc:bc pkg-config:pkg-config sparse:sparse python3:python3
	rsync:rsync patch:patch
	arm-linux-gnueabihf-gcc:gcc-arm-linux-gnueabihf
	s390x-linux-gnu-gcc:gcc-s390x-linux-gnu
	# cross-built smtprlctl's unit and CLI tests; KUnit on 32-bit ARM and
	# big-endian s390x
	qemu-arm:qemu-user qemu-s390x:qemu-user
	qemu-system-arm:qemu-system-arm qemu-system-s390x:qemu-system-misc
	# the 32-bit ARM lab guest's Debian root (lab/armroot.sh)
	debootstrap:debootstrap
	# lab kernels: fetched, built, booted
	apt-get:apt apt-cache:apt dpkg:dpkg dpkg-query:dpkg
	xz:xz-utils tar:tar gzip:gzip sha256sum:coreutils timeout:coreutils
	flock:util-linux depmod:kmod modprobe:kmod insmod:kmod rmmod:kmod
	qemu-system-x86_64:qemu-system-x86 busybox:busybox-static
	# inside the guests: network lab, traffic, mail, privileges
	ip:iproute2 sysctl:procps column:bsdextrautils
	iptables:iptables ip6tables:iptables iptables-legacy:iptables
	ip6tables-legacy:iptables nft:nftables
	postfix:postfix smtp-sink:postfix smtp-source:postfix
	saslpasswd2:sasl2-bin swaks:swaks hping3:hping3
	capsh:libcap2-bin setpriv:util-linux unshare:util-linux taskset:util-linux
	# the PPPoE BRAS lab (scripts/e2e/bras.sh): pppd's radius and radattr
	# plugins come with ppp
	pppd:ppp pppoe-server:pppoe pppoe:pppoe freeradius:freeradius
	run-parts:debianutils logger:bsdutils
	mountpoint:util-linux dmesg:util-linux mount:mount strace:strace
	# the systemd units' check (systemd-analyze verify), the Debian
	# packages (make deb) and DKMS
	systemd-analyze:systemd dpkg-buildpackage:dpkg-dev dh:debhelper
	dh_dkms:dh-dkms dkms:dkms lintian:lintian pkgconf:pkgconf
	# the man pages' check, the DKMS module's build ID
	man:man-db readelf:binutils
	# benchmarks and reports
	/usr/bin/time:time gnuplot:gnuplot-nox
)
# Python modules the tests and code generation import: MODULE:PACKAGE.
pymods=(yaml:python3-yaml jsonschema:python3-jsonschema pyroute2:python3-pyroute2
	prometheus_client:python3-prometheus-client)
# Libraries and build inputs that are no command of their own.
libs=(
	build-essential libelf-dev libssl-dev dwarves libnl-3-dev
	libnl-genl-3-dev linux-source-6.12 libio-socket-inet6-perl
	libsasl2-modules
	# smtprlctl cross-built: the C library, and libnl of Debian's armhf
	# and s390x (multiarch)
	libc6-dev-armhf-cross libc6-dev-s390x-cross
	libnl-genl-3-dev:armhf libnl-genl-3-dev:s390x
)
# Foreign architectures whose kernel headers and libnl the static tier
# builds against.
foreign=(armhf s390x)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }

declare -A want=()
for p in "${libs[@]}"; do want[$p]=1; done
for c in "${cmds[@]}" "${pymods[@]}"; do want[${c#*:}]=1; done

missing=() newarch=()
for p in "${!want[@]}"; do
	installed "$p" || missing+=("$p")
done
# Not "dpkg ... | grep -q" (under pipefail a SIGPIPE, when grep quits
# first, read as "not there").
have=" $(dpkg --print-foreign-architectures 2>/dev/null | tr '\n' ' ') "
for a in "${foreign[@]}"; do
	[[ $have == *" $a "* ]] || newarch+=("$a")
done

if [ ${#missing[@]} -gt 0 ] || [ ${#newarch[@]} -gt 0 ]; then
	cmd="apt-get install -y --no-install-recommends ${missing[*]}"
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		echo "deps.sh: missing packages; run as root:" >&2
		for a in "${newarch[@]}"; do echo "  dpkg --add-architecture $a" >&2; done
		echo "  apt-get update && $cmd" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	for a in "${newarch[@]}"; do
		echo "deps.sh: adding the $a architecture (its kernel headers)" >&2
		dpkg --add-architecture "$a"
	done
	# postfix asks how to configure itself; the lab runs its own instances.
	echo "postfix postfix/main_mailer_type select No configuration" |
		debconf-set-selections
	apt-get update -q >/dev/null
	if [ ${#missing[@]} -gt 0 ]; then
		echo "deps.sh: installing ${missing[*]}" >&2
		$cmd </dev/null >/dev/null
	fi
fi

# What the scripts will run must be there, whatever the package database
# says: on the guests' PATH (vm-init.sh), with Debian's python3 (the
# modules are Debian's; a python3 of pyenv or a venv first on the host's
# PATH has its own).
bad=0
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
for c in "${cmds[@]}"; do
	command -v "${c%%:*}" >/dev/null 2>&1 && continue
	echo "deps.sh: command '${c%%:*}' not found (Debian package ${c#*:})" >&2
	bad=1
done
for m in "${pymods[@]}"; do
	/usr/bin/python3 -c "import ${m%%:*}" 2>/dev/null && continue
	echo "deps.sh: python3 module '${m%%:*}' not found (Debian package ${m#*:})" >&2
	bad=1
done
exit "$bad"
