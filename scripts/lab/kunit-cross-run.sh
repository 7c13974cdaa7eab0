#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# KUnit on another CPU: smtprl.ko and smtprl_test.ko cross-built against
# the KUnit kernel of ARCH (lab/kunit-cross.sh), loaded at boot from an
# initramfs with that architecture's busybox (Debian's busybox-static),
# under qemu-system-ARCH (TCG). Writes each smtprl suite's KTAP results
# (from debugfs) to OUT/kunit/SUITE and the kernel log to OUT/dmesg.log;
# exits non-zero when the guest did not finish, or the kernel log holds a
# splat. Usage: lab/kunit-cross-run.sh arm|s390x OUT
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

arch=${1:?usage: lab/kunit-cross-run.sh arm|s390x OUT}
out=${2:?usage: lab/kunit-cross-run.sh arm|s390x OUT}
case "$arch" in
arm)   deb=armhf qemu=(qemu-system-arm -M virt -cpu cortex-a15) console=ttyAMA0 ;;
s390x) deb=s390x qemu=(qemu-system-s390x -M s390-ccw-virtio -cpu qemu) console=ttyS0 ;;
*)     die "unknown KUnit architecture '$arch' (arm or s390x)" ;;
esac
image=$("$SMTPRL_TOP/scripts/lab/kunit-cross.sh" "$arch" image)
moddir=$("$SMTPRL_TOP/scripts/lab/build-module.sh" "kunit-$arch")
[ -e "$moddir/smtprl_test.ko" ] || die "no smtprl_test.ko for $arch"

bb=$(foreign_busybox "$deb")

rm -rf "$out"
mkdir -p "$out/root/bin" "$out/kunit"
cp "$bb" "$out/root/bin/busybox"
cp "$moddir/smtprl.ko" "$moddir/smtprl_test.ko" "$out/root/"
# The suites run when smtprl_test.ko loads; their results, then the
# kernel log, go to the console between markers.
cat >"$out/root/init" <<'X'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t debugfs debugfs /sys/kernel/debug
insmod /smtprl.ko && insmod /smtprl_test.ko
echo "=== smtprl: insmod status $?"
for d in /sys/kernel/debug/kunit/smtprl_*; do
	[ -e "$d/results" ] || continue
	echo "=== smtprl-suite ${d##*/}"
	cat "$d/results"
done
rmmod smtprl_test && rmmod smtprl
echo "=== smtprl: rmmod status $?"
echo "=== smtprl-dmesg"
dmesg
echo "=== smtprl-end"
poweroff -f
X
chmod +x "$out/root/init"
mkdir -p "$out/root/proc" "$out/root/sys" "$out/root/dev"
(cd "$out/root" && find . | busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$out/initramfs.cpio.gz"

start=$SECONDS
timeout -k 10 "${SMTPRL_KUNIT_TIMEOUT:-1200}" "${qemu[@]}" -m 512 -nographic \
	-no-reboot -kernel "$image" -initrd "$out/initramfs.cpio.gz" \
	-append "console=$console loglevel=1 panic=-1" \
	</dev/null >"$out/console.log" 2>&1 || true
msg "$arch: the guest ran $((SECONDS - start)) s"
tr -d '\r' <"$out/console.log" >"$out/console.txt"
grep -q '^=== smtprl-end' "$out/console.txt" ||
	{ tail -30 "$out/console.txt" >&2; die "$arch: the guest did not finish"; }
awk -v dir="$out/kunit" '
	/^=== smtprl-suite / { f = dir "/" $3; next }
	/^=== smtprl-dmesg/ { f = ""; dmesg = 1; next }
	/^=== smtprl-end/ { exit }
	/^=== / { f = ""; next }
	dmesg { print > (dir "/../dmesg.log"); next }
	f { print > f }' "$out/console.txt"
grep '^=== smtprl: ' "$out/console.txt"
grep -q '^=== smtprl: insmod status 0' "$out/console.txt" || die "$arch: insmod failed"
grep -q '^=== smtprl: rmmod status 0' "$out/console.txt" || die "$arch: rmmod failed"
if grep -E -q 'BUG:|WARNING:|INFO: possible|INFO: lockdep|Oops|Kernel panic|Call Trace|UBSAN' "$out/dmesg.log"; then
	grep -E -B2 -A20 'BUG:|WARNING:|INFO:|Oops|Kernel panic|UBSAN' "$out/dmesg.log" | head -60 >&2
	die "$arch: kernel splat"
fi
ls "$out/kunit"
