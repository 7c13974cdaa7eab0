#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot a lab kernel, load the freshly built smtprl.ko, run a guest script and
# return its exit status. The host root is the guest's root, read-only.
#
#   vm-run.sh [-t SECONDS] [-o OUTDIR] [-n] [-k] [-q|-l] KERNEL SCRIPT [ARGS...]
#     KERNEL  6.1 | 6.12 (stock Debian under qemu, TCG) | uml (debug UML)
#             | armhf (Debian's 32-bit ARM kernel under qemu-system-arm,
#               TCG, on a Debian armhf root: lab/armroot.sh)
#             | uml-bench (UML without debug options, for benchmarks)
#             | x86dbg (x86_64 SMP debug kernel, qemu TCG, 2 vCPUs)
#             | x86kcsan (the same with KCSAN instead of KASAN)
#     -t      timeout for the whole boot (default 600)
#     -o      where console.log, output.log, dmesg.log and kmemleak.log go
#     -n      do not load smtprl.ko before the script (it may insmod itself:
#             $SMTPRL_KO is set, so is $SMTPRL_TEST_KO where KUnit is built)
#     -q      do not copy the script's output to stdout
#     -l      copy it live, as the script runs (for the demo)
#     -k      the script runs KUnit: the test taint (N) is expected
#     -c      control run: smtprl.ko is never loaded, not even by the
#             script (SMTPRL_CONTROL=1); the ISP lab's scenarios must fail
#   Environment: SMTPRL_QEMU_ACCEL (default tcg; kvm only where it works),
#   SMTPRL_VM_MEM (MiB), SMTPRL_VM_SMP, SMTPRL_QEMU_ARGS (extra, e.g. -icount),
#   SMTPRL_BUILD_ARGS (extra make arguments for the module build).
#   A script whose first lines hold "# lab: time-travel" runs on a clock that
#   skips idle time (UML's time-travel mode; qemu's -icount with sleep=off):
#   "sleep 3600" in the guest then costs no real time.
#
# The run fails (exit 125 unless the script itself failed) when the kernel
# log shows a BUG, WARNING, Oops, lockdep/KASAN/UBSAN report, RCU stall,
# kmemleak "unreferenced object", when the kernel is tainted by anything but
# out-of-tree/unsigned modules, when smtprl.ko does not unload, or when the
# timeout hits (exit 124).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

timeout_s=600 outdir= load=1 quiet=0 live=0 kunit=0 control=0
while getopts t:o:nqlkc opt; do
	case $opt in
	t) timeout_s=$OPTARG ;;
	o) outdir=$OPTARG ;;
	n) load=0 ;;
	q) quiet=1 ;;
	l) live=1 quiet=1 ;;
	k) kunit=1 ;;
	c) control=1 load=0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 2 ] || { sed -n '5,17s/^# \{0,1\}//p' "$0" >&2; exit 2; }
kernel=$1 script=$(realpath "$2")
shift 2
[ -r "$script" ] || die "no guest script $script"
travel=0
head -n 20 "$script" | grep -c '^# lab: time-travel' >/dev/null && travel=1

# shellcheck disable=SC2086
moddir=$("$SMTPRL_TOP/scripts/lab/build-module.sh" "$kernel" ${SMTPRL_BUILD_ARGS:-})
outdir=${outdir:-$SMTPRL_TOP/build/vm/$kernel-$(basename "$script" .sh)}
rm -rf "$outdir"
mkdir -p "$outdir"
outdir=$(realpath "$outdir")

{
	printf 'SMTPRL_KERNEL=%q\n' "$kernel"
	printf 'SMTPRL_TOP=%q\n' "$SMTPRL_TOP"
	printf 'SMTPRL_SCRIPT=%q\n' "$script"
	printf 'SMTPRL_ARGS=(%s)\n' "$(printf '%q ' "$@")"
	printf 'SMTPRL_LOAD=%q\n' "$load"
	printf 'SMTPRL_CONTROL=%q\n' "$control"
	if [ "$control" = 1 ]; then
		# Not even a script's own insmod may load it.
		printf 'SMTPRL_KO=%q\n' "$outdir/control-run/smtprl.ko"
	else
		printf 'SMTPRL_KO=%q\n' "$moddir/smtprl.ko"
		[ -e "$moddir/smtprl_test.ko" ] &&
			printf 'SMTPRL_TEST_KO=%q\n' "$moddir/smtprl_test.ko"
	fi
	# The one version (the ARM guest's root has no make to ask).
	printf 'SMTPRL_VERSION=%q\n' "$(make -s --no-print-directory -C "$SMTPRL_TOP" version)"
	# The kernel source (ynl cli.py, for tests that drive our netlink API).
	printf 'SMTPRL_KSRC=%q\n' "$(ksrc_tools_dir)"
	[ "${kernel%-bench}" = uml ] ||
		printf 'SMTPRL_KROOT=%q\n' "$(lab_kernel "$kernel" root)"
	# The ARM guest runs smtprlctl built for it, in the tree's place.
	[ "$kernel" != armhf ] || printf 'SMTPRL_CTL=%q\n' "$(ctl_cross armhf)"
} >"$outdir/job.env"

# Stage 1 for qemu: a busybox initramfs that mounts the host root over 9p and
# switch_root's into scripts/lab/vm-init.sh (switch_root, not chroot: a chrooted
# process may not create user namespaces).
make_initramfs() {
	cat >"$outdir/init.body" <<'INIT'
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro \
	hostroot /newroot || { echo "vm: cannot mount host root"; poweroff -f; }
umount /proc
exec switch_root /newroot "$smtprl_top/scripts/lab/vm-init.sh"
INIT
	lab_initramfs "$outdir/initramfs.cpio.gz" "$1" "$2" /bin/busybox \
		"$outdir/init.body" virtio_pci 9pnet_virtio 9p
}

# The ARM guest's root is Debian armhf (lab/armroot.sh), read-only under
# a tmpfs overlay, so that the host paths the job names (the tree, the
# kernel's modules, the kernel source's ynl) can be bound to the same
# places from the host's root at /host.
make_initramfs_arm() {
	cat >"$outdir/init.body" <<'INIT'
mkdir -p /lower /rw
o=trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro
mount -t 9p -o $o armroot /lower &&
	mount -t tmpfs -o mode=0755 tmpfs /rw &&
	mkdir -p /rw/upper /rw/work &&
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work \
		overlay /newroot &&
	mount -t 9p -o $o hostroot /newroot/host ||
	{ echo "vm: cannot mount the roots"; poweroff -f; }
umount /proc
exec switch_root /newroot "/host$smtprl_top/scripts/lab/vm-init.sh"
INIT
	lab_initramfs "$outdir/initramfs.cpio.gz" "$1" "$2" "$(foreign_busybox armhf)" \
		"$outdir/init.body" virtio_mmio 9pnet_virtio 9p overlay
}

start=$SECONDS
rc=0
if [ "$live" = 1 ]; then
	: >"$outdir/output.log"
	tail -n +1 -F "$outdir/output.log" 2>/dev/null &
	tail_pid=$!
	trap 'kill $tail_pid 2>/dev/null || true' EXIT
fi
case "$kernel" in
6.1|6.12|x86dbg|x86kcsan)
	read -r krel kroot < <(lab_kernel "$kernel")
	# The debug kernel: two vCPUs (multi-threaded TCG), room for KASAN.
	# acpi=noirq: under KASAN and TCG, evaluating the PCI routing table
	# (_PRT) runs into ACPICA's 30 s loop timeout twice; PCI interrupt
	# routing from the MP table works as well and boots a minute sooner.
	# la57=off: 6.12's identify_cpu() clears the CPU's feature bits and
	# refills them with interrupts on; an interrupt in that window sees
	# 4-level paging, and KASAN reports the 5-level direct map it touches
	# as a wild access (seen once in 60-nlfuzz, at 1.8 s of boot). With
	# 4-level paging from the start there is no window.
	# no_timer_check: on a busy host, the boot's check that the timer
	# interrupt arrives through the IO-APIC saw no tick in its delay
	# loop, and the kernel panicked ("IO-APIC + timer doesn't work"; once,
	# with both host cores building a kernel). The timer is qemu's own.
	append='' cpu=max
	if [ "$kernel" != "${kernel#x86}" ]; then
		: "${SMTPRL_VM_SMP:=2}" "${SMTPRL_VM_MEM:=2048}"
		append="acpi=noirq no_timer_check" cpu=max,la57=off
	fi
	make_initramfs "$kroot" "$krel"
	# shellcheck disable=SC2086
	timeout -k 10 "$timeout_s" qemu-system-x86_64 \
		-accel "${SMTPRL_QEMU_ACCEL:-tcg}" -cpu "$cpu" \
		-m "${SMTPRL_VM_MEM:-1024}" -smp "${SMTPRL_VM_SMP:-1}" \
		-nodefaults -display none -no-reboot \
		-serial "file:$outdir/console.log" -monitor none \
		-kernel "$kroot/boot/vmlinuz-$krel" \
		-initrd "$outdir/initramfs.cpio.gz" \
		-append "console=ttyS0 loglevel=4 panic=-1 $append smtprl_top=$SMTPRL_TOP smtprl_kind=qemu" \
		-fsdev local,id=fs0,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-pci,fsdev=fs0,mount_tag=hostroot \
		-fsdev local,id=fs1,path="$outdir",security_model=none \
		-device virtio-9p-pci,fsdev=fs1,mount_tag=results \
		$([ $travel = 0 ] || echo -icount shift=0,sleep=off) \
		${SMTPRL_QEMU_ARGS:-} </dev/null >/dev/null 2>"$outdir/qemu.log" || rc=$?
	;;
armhf)
	read -r krel kroot < <(lab_kernel "$kernel")
	armroot=$("$SMTPRL_TOP/scripts/lab/armroot.sh")
	make_initramfs_arm "$kroot" "$krel"
	# highmem=off: the armmp kernel has no LPAE, so no PCIe or RAM
	# above 4 GB; virtio comes over MMIO (virtio-*-device).
	# shellcheck disable=SC2086
	timeout -k 10 "$timeout_s" qemu-system-arm -M virt,highmem=off \
		-cpu cortex-a15 -m "${SMTPRL_VM_MEM:-1024}" \
		-nodefaults -display none -no-reboot \
		-serial "file:$outdir/console.log" -monitor none \
		-kernel "$kroot/boot/vmlinuz-$krel" \
		-initrd "$outdir/initramfs.cpio.gz" \
		-append "console=ttyAMA0 loglevel=4 panic=-1 smtprl_top=$SMTPRL_TOP smtprl_kind=qemu-arm" \
		-fsdev local,id=fs0,path="$armroot",security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-device,fsdev=fs0,mount_tag=armroot \
		-fsdev local,id=fs1,path=/,security_model=none,readonly=on,multidevs=remap \
		-device virtio-9p-device,fsdev=fs1,mount_tag=hostroot \
		-fsdev local,id=fs2,path="$outdir",security_model=none \
		-device virtio-9p-device,fsdev=fs2,mount_tag=results \
		$([ $travel = 0 ] || echo -icount shift=0,sleep=off) \
		${SMTPRL_QEMU_ARGS:-} </dev/null >/dev/null 2>"$outdir/qemu.log" || rc=$?
	;;
uml|uml-bench)
	linux=$(kernel_kdir "$kernel")/linux
	# shellcheck disable=SC2086
	timeout -k 10 "$timeout_s" "$linux" mem="${SMTPRL_VM_MEM:-1024}M" \
		rootfstype=hostfs rootflags=/ ro log_buf_len=16M loglevel=4 \
		panic=-1 con=null con0=null,fd:1 ${SMTPRL_UML_ARGS:-} \
		$([ $travel = 0 ] || echo time-travel) \
		smtprl_top="$SMTPRL_TOP" smtprl_kind=uml smtprl_out="$outdir" \
		init="$SMTPRL_TOP/scripts/lab/vm-init.sh" \
		</dev/null >"$outdir/console.log" 2>&1 || rc=$?
	;;
*)
	die "unknown lab kernel '$kernel' (one of: $SMTPRL_KERNELS)"
	;;
esac
elapsed=$((SECONDS - start))
if [ "$live" = 1 ]; then
	sleep 1
	kill $tail_pid 2>/dev/null
	wait $tail_pid 2>/dev/null || true
fi

[ "$quiet" = 1 ] || cat "$outdir/output.log" 2>/dev/null || true

fail() { msg "$kernel: $*"; failed=1; }
failed=0
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
	fail "timeout after ${timeout_s}s"
	status=124
elif [ ! -e "$outdir/rc" ]; then
	fail "guest did not finish (console: $outdir/console.log)"
	tail -40 "$outdir/console.log" >&2 || true
	status=125
else
	status=$(cat "$outdir/rc")
	[ "$status" = 0 ] || fail "guest script exited $status"
	# The guest finished, but the emulator or UML itself did not end well.
	[ "$rc" = 0 ] || { fail "$kernel exited $rc after the script (log: $outdir/qemu.log, console.log)"; status=125; }
fi

# Kernel splats anywhere in the console or the final dmesg fail the run.
splat='(^|[^a-z])(BUG|WARNING):|Oops|Kernel panic|kernel BUG|UBSAN:|KASAN:|'
splat+='general protection fault|unreferenced object|INFO: rcu_.*stall|'
splat+='INFO: task .* blocked|possible (circular|recursive) locking|'
splat+='inconsistent lock state|suspicious RCU usage|scheduling while atomic|'
splat+='sleeping function called from invalid context|list_(add|del) corruption'
logs=()
for f in console.log dmesg.log kmemleak.log; do
	[ -e "$outdir/$f" ] && logs+=("$outdir/$f")
done
if hits=$(grep -h -E -m 5 -- "$splat" "${logs[@]}"); then
	fail "kernel splat:"
	printf '  %s\n' "$hits" >&2
fi
if [ -e "$outdir/tainted" ]; then
	# 4096 = O (out-of-tree), 8192 = E (unsigned): expected for our module;
	# 262144 = N (KUnit test ran) only where the caller runs KUnit (-k).
	allowed=$((4096 | 8192 | (kunit ? 262144 : 0)))
	t=$(($(cat "$outdir/tainted") & ~allowed))
	[ "$t" = 0 ] || fail "kernel tainted ($(cat "$outdir/tainted"))"
fi
if [ -e "$outdir/unload" ] && [ "$(cat "$outdir/unload")" != ok ]; then
	fail "smtprl.ko did not unload: $(cat "$outdir/unload")"
fi

msg "$kernel: $(basename "$script") finished in ${elapsed}s, status $status$( [ $failed = 0 ] && echo ', kernel log clean')"
if [ "$failed" = 1 ]; then
	[ "$status" != 0 ] && exit "$status"
	exit 125
fi
exit 0
