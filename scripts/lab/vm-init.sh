#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stage 2 of a lab VM, run as PID 1 on the read-only host root (qemu: after
# the initramfs switch_root; UML: init= directly), or (qemu-arm) on the
# Debian armhf root with the host's root at /host. Sets up a writable
# scratch world, loads smtprl.ko, runs the job's guest script, unloads,
# scans for leaks and leaves rc, output.log, dmesg.log, kmemleak.log and
# tainted in the results directory. Never returns: PID 1 powers off.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/run/home LANG=C.UTF-8 TERM=dumb

mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sys /sys
mountpoint -q /dev || mount -t devtmpfs dev /dev
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
# Scratch space over the read-only root. Keep a view of the root without
# these overmounts: the tree under test may itself live in /tmp.
scratch="/run /tmp /var/tmp /var/log"
mount -t tmpfs -o mode=0755 tmpfs /run
if [ "$smtprl_kind" = qemu-arm ]; then
	host=/host
else
	host=/run/hostroot
	mkdir -p $host
	mount --bind / $host
fi
for d in $scratch; do
	[ "$d" = /run ] || mount -t tmpfs -o mode=0755 tmpfs "$d"
done
# expose PATH: the host's PATH at PATH. On the host root, only what a
# scratch mount hides; on the ARM guest's own root (writable: an
# overlay), every path the job names, unless a path above it came so.
exposed=
expose() {
	local p=$1 d
	if [ $host = /host ]; then
		for d in $exposed; do
			case "$p/" in "$d"/*) return ;; esac
		done
		mkdir -p "$p"
		mount --bind "$host$p" "$p"
		exposed="$exposed $p"
		return
	fi
	for d in $scratch; do
		case "$p/" in
		"$d"/*)
			[ -d "$p" ] && mountpoint -q "$p" && return
			mkdir -p "$p"
			mount --bind "$host$p" "$p"
			return ;;
		esac
	done
}
expose "$smtprl_top"
chmod 1777 /tmp /var/tmp
mkdir -p /dev/pts /dev/shm /run/lock /run/netns "$HOME"
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# What udev would make: bash's <(...) needs /dev/fd.
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do
	[ -e "/dev/${i#*:}" ] || ln -s "/proc/self/fd/${i%%:*}" "/dev/${i#*:}"
done

out=/run/smtprl-out
mkdir -p "$out"
case "$smtprl_kind" in
qemu*) mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results "$out" ;;
uml)  mount -t hostfs -o "$smtprl_out" none "$out" ;;
esac || { echo "vm-init: cannot mount results"; /bin/busybox poweroff -f; }

finish() {
	echo "$1" >"$out/rc"
	sync
	/bin/busybox poweroff -f
}

# shellcheck disable=SC1091
. "$out/job.env" || finish 126
export SMTPRL_KERNEL SMTPRL_TOP SMTPRL_KO SMTPRL_TEST_KO SMTPRL_KSRC SMTPRL_KROOT SMTPRL_CONTROL \
	SMTPRL_VERSION SMTPRL_OUT=$out
expose "$(dirname "$SMTPRL_SCRIPT")"
[ -n "${SMTPRL_KROOT:-}" ] && expose "$SMTPRL_KROOT"
expose "$SMTPRL_KSRC"
# The ARM guest: smtprlctl built for it, where the scripts look for it.
if [ -n "${SMTPRL_CTL:-}" ]; then
	expose "$(dirname "$SMTPRL_CTL")"
	mount --bind "$SMTPRL_CTL" "$SMTPRL_TOP/userspace/smtprlctl" || finish 126
fi

# modprobe, and the kernel's request_module for veth, iptables and nft, must
# find the stock kernel's modules in the cache (the host may have no
# /lib/modules at all, and its root is read-only here). UML has them built in.
if [ -n "${SMTPRL_KROOT:-}" ]; then
	mkdir -p /run/smtprl-bin
	printf '#!/bin/sh\nexec /sbin/modprobe -d %q "$@"\n' "$SMTPRL_KROOT" \
		>/run/smtprl-bin/modprobe
	chmod +x /run/smtprl-bin/modprobe
	echo /run/smtprl-bin/modprobe >/proc/sys/kernel/modprobe
	PATH=/run/smtprl-bin:$PATH
fi
hostname smtprl-lab
ip link set lo up
sysctl -qw kernel.panic_on_oops=1 2>/dev/null

kmemleak=/sys/kernel/debug/kmemleak
# Forget whatever boot itself left behind: only leaks from here on count.
[ -w $kmemleak ] && echo clear >$kmemleak

rc=0
# What modprobe would load first (nf_reject_ipv4/6 on stock kernels).
for dep in $(modinfo -F depends "$SMTPRL_KO" | tr ',' ' '); do
	modprobe "$dep" >>"$out/output.log" 2>&1 || rc=$?
done
if [ "$SMTPRL_LOAD" = 1 ] && [ "$rc" = 0 ]; then
	insmod "$SMTPRL_KO" >>"$out/output.log" 2>&1 || rc=$?
fi
if [ "$rc" = 0 ]; then
	(cd /tmp && exec bash "$SMTPRL_SCRIPT" "${SMTPRL_ARGS[@]}") \
		>>"$out/output.log" 2>&1 </dev/null || rc=$?
fi

# Whatever the script did, the module must come out cleanly.
if grep -q '^smtprl ' /proc/modules; then
	if err=$(rmmod smtprl 2>&1); then
		echo ok >"$out/unload"
	else
		echo "$err" >"$out/unload"
	fi
fi

# A control run never loads smtprl.ko: a leak there would not be ours,
# and the scans (and the wait before them) only cost it time.
if [ -w $kmemleak ] && [ "$SMTPRL_CONTROL" != 1 ]; then
	# Objects must be older than kmemleak's minimum age before a scan
	# reports them; two scans, as Documentation/dev-tools/kmemleak.rst says.
	sleep 6
	echo scan >$kmemleak
	sleep 1
	echo scan >$kmemleak
	cat $kmemleak >"$out/kmemleak.log"
fi
cat /proc/sys/kernel/tainted >"$out/tainted"
dmesg >"$out/dmesg.log"
finish "$rc"
