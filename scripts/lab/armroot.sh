#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the root of the 32-bit ARM lab guest: Debian 12 armhf
# with what the e2e scripts run (iproute2, capsh, nftables, smtp-sink,
# swaks with IPv6, Python with yaml, jsonschema, pyroute2 and
# prometheus_client, libnl for a cross-built smtprlctl). debootstrap
# --foreign unpacks it here; the second stage, which runs the packages'
# maintainer scripts, has to run armhf code: it runs inside Debian's armmp
# kernel under qemu-system-arm, with this root as its 9p root
# (binfmt_misc, which would let a chroot run it here, is not available in
# every container). Prints the root's path.
#
# Cache key: the suite, the package list and the recipe's number (bump it
# when the way the root is made changes). Cold: ~20 s to fetch and unpack,
# then the second stage under TCG, ~10 min.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

suite=bookworm
mirror=${SMTPRL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
pkgs=busybox,iproute2,kmod,procps,libcap2-bin,nftables,postfix,swaks
pkgs+=,libio-socket-inet6-perl,python3,python3-yaml,python3-jsonschema
pkgs+=,python3-pyroute2,python3-prometheus-client,libnl-3-200,libnl-genl-3-200
recipe=1
key=$(echo "$suite $pkgs $recipe" | sha256sum | cut -c1-12)
out=$SMTPRL_CACHE/armroot-$suite-$key
root=$out/root

cache_lock "armroot-$key"
if [ ! -e "$out/.smtprl-complete" ]; then
	command -v debootstrap >/dev/null || die "debootstrap is not installed (run scripts/deps.sh)"
	msg "building the armhf guest root in $out"
	start=$SECONDS
	rm -rf "$out"
	mkdir -p "$out"
	debootstrap --foreign --arch=armhf --variant=minbase --include="$pkgs" \
		"$suite" "$root" "$mirror" >"$out/stage1.log" 2>&1 ||
		{ tail -20 "$out/stage1.log" >&2; die "debootstrap (first stage) failed"; }
	msg "first stage: $((SECONDS - start)) s"

	# No fsync per file: over 9p under TCG each one is slow, and a root
	# that did not finish is built again anyway.
	echo force-unsafe-io >"$root/etc/dpkg/dpkg.cfg.d/smtprl-unsafe-io"
	read -r krel kroot < <("$SMTPRL_TOP/scripts/lab/stock.sh" armhf)
	cat >"$out/init.body" <<-'EOF'
		mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose armroot /newroot ||
			{ echo "=== armroot: no root"; poweroff -f; }
		mount -t proc proc /newroot/proc
		mount -t sysfs sys /newroot/sys
		mount -t devtmpfs dev /newroot/dev
		# Postfix's newaliases wants a network interface up.
		ip link set lo up
		# container=lxc: /dev is the guest's devtmpfs, not nodes made on
		# the 9p root (a write to one made there fails with ENXIO).
		DEBIAN_FRONTEND=noninteractive container=lxc \
			chroot /newroot /debootstrap/debootstrap --second-stage
		echo "=== armroot: second stage status $?"
		umount /newroot/dev /newroot/sys /newroot/proc
		sync
		poweroff -f
	EOF
	lab_initramfs "$out/initramfs.cpio.gz" "$kroot" "$krel" \
		"$(foreign_busybox armhf)" "$out/init.body" virtio_mmio 9pnet_virtio 9p
	start=$SECONDS
	# The guest writes as root: security_model=passthrough keeps the
	# owners and modes dpkg sets.
	timeout -k 10 "${SMTPRL_ARMROOT_TIMEOUT:-5400}" qemu-system-arm \
		-M virt,highmem=off -cpu cortex-a15 -m 1024 -nodefaults -display none \
		-no-reboot -serial "file:$out/console.log" -monitor none \
		-kernel "$kroot/boot/vmlinuz-$krel" -initrd "$out/initramfs.cpio.gz" \
		-append "console=ttyAMA0 loglevel=4 panic=-1" \
		-fsdev local,id=fs0,path="$root",security_model=passthrough \
		-device virtio-9p-device,fsdev=fs0,mount_tag=armroot \
		</dev/null >/dev/null 2>"$out/qemu.log" || true
	grep -q '^=== armroot: second stage status 0' "$out/console.log" || {
		tail -30 "$out/console.log" >&2
		tail -30 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
		die "debootstrap (second stage, in the ARM guest) failed"
	}
	msg "second stage in the ARM guest: $((SECONDS - start)) s"
	# What the lab mounts: the host's root (the tree, the kernel's
	# modules, the kernel source's ynl) appears under /host.
	mkdir -p "$root/host"
	rm -f "$root/etc/dpkg/dpkg.cfg.d/smtprl-unsafe-io"
	rm -f "$root"/var/cache/apt/archives/*.deb
	touch "$out/.smtprl-complete"
fi
echo "$root"
