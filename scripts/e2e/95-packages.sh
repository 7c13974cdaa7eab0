#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels 6.1 6.12
# lab: timeout 1800
#
# The Debian packages (make deb) on a Debian 12 root with Debian's kernel:
# installed into an overlay on the lab's read-only root, smtprl-dkms has
# DKMS build the module against this kernel's headers and install it; the
# units' start commands load that module and apply /etc/smtprl/smtprl.conf
# (policy, scope, relays, exemptions, as the file says); an edited file
# and the unit's reload give exactly the new state; a broken edit changes
# nothing and is named; then real connections are limited by the installed
# smtprlctl's policy.
. "$(dirname "$0")/lib.sh"
root=/run/pkgroot
cleanup() {
	topology_down
	umount -R "$root" 2>/dev/null || umount -l "$root" 2>/dev/null || true
}
trap cleanup EXIT
v=$SMTPRL_VERSION
krel=$(uname -r)
debs=("$SMTPRL_TOP/build/deb/smtprl-dkms_${v}_all.deb" "$SMTPRL_TOP/build/deb/smtprl_${v}_"*.deb)
for d in "${debs[@]}"; do
	[ -e "$d" ] || fail "no $d: run make deb"
done
[ -n "${SMTPRL_KROOT:-}" ] || fail "not a stock kernel"

# The lab's root, writable: an overlay with this kernel's headers and
# modules where Debian's packages put them.
mkdir -p /run/ov/up /run/ov/work "$root"
mount -t overlay overlay -o lowerdir=/run/hostroot,upperdir=/run/ov/up,workdir=/run/ov/work \
	"$root" || fail "no overlay root"
for d in proc sys dev; do mount --rbind /$d "$root/$d"; done
mount -t tmpfs tmpfs "$root/tmp"
mkdir -p "$root/lib/modules/$krel/kernel"
ln -sfn "$SMTPRL_KROOT/usr/src/linux-headers-$krel" "$root/lib/modules/$krel/build"
mount --bind "$SMTPRL_KROOT/lib/modules/$krel/kernel" "$root/lib/modules/$krel/kernel"
cp "$SMTPRL_KROOT/lib/modules/$krel/"modules.{builtin,builtin.modinfo,order} "$root/lib/modules/$krel/"
cp "${debs[@]}" "$root/tmp/"
in_root() { chroot "$root" /usr/bin/env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }
# No man-db index rebuild for the packages' man page: slow under emulation.
rm -f "$root/var/lib/man-db/auto-update"

# The module smtprl-dkms builds replaces the lab's. A control run
# (vm-run.sh -c) installs smtprl without smtprl-dkms: no module.
if [ "${SMTPRL_CONTROL:-0}" = 1 ]; then
	debs=("${debs[1]}")
else
	rmmod smtprl || fail "cannot unload the lab's smtprl"
fi
pkgs=()
for d in "${debs[@]}"; do pkgs+=("/tmp/$(basename "$d")"); done
start=$SECONDS
in_root dpkg -i "${pkgs[@]}" \
	>"$E2E_TMP/dpkg.log" 2>&1 || fail "dpkg -i: $(tail -20 "$E2E_TMP/dpkg.log")"
echo "dpkg -i took $((SECONDS - start)) s"
if [ "${SMTPRL_CONTROL:-0}" != 1 ]; then
	in_root dkms status smtprl | grep -q "smtprl/$v, $krel, .*: installed" ||
		fail "dkms status: $(in_root dkms status smtprl) $(tail -20 "$E2E_TMP/dpkg.log")"
	ko=$(ls "$root/lib/modules/$krel/updates/dkms/"smtprl.ko* 2>/dev/null)
	[ -n "$ko" ] || fail "DKMS installed no module under updates/dkms"
	expect_eq "the DKMS module's version" "$v" "$(modinfo -F version "$ko")"
	pass "smtprl-dkms: DKMS built smtprl $v against $krel's headers and installed it"
fi
# "Boot": the unit's start commands, as systemd would run them.
units=$root/lib/systemd/system
[ -e "$units/smtprl.service" ] || fail "smtprl is not installed: no $units/smtprl.service"
[ -L "$root/etc/systemd/system/multi-user.target.wants/smtprl.service" ] ||
	fail "smtprl.service is not enabled by the install"
conf=$root/etc/smtprl/smtprl.conf
cat >>"$conf" <<'X'
scope add 10.0.1.0/24
scope add 2001:db8:1::/48 v6-prefix 56
relay add 10.0.2.26
exempt add 10.0.1.3 comment "customer 4711"
X
# unit_cmds UNIT KEY: UNIT's KEY= lines (ExecStart, ExecReload).
unit_cmds() { sed -n "s/^$2=//p" "$units/$1"; }
# unit_run UNIT KEY: run them in the root, in order, as systemd would.
unit_run() {
	local cmd
	while read -r cmd; do
		# shellcheck disable=SC2086
		in_root $cmd || fail "$1: $2=$cmd failed"
	done < <(unit_cmds "$1" "$2")
}
unit_run smtprl.service ExecStart
grep -q "^smtprl " /proc/modules || fail "the unit's start commands loaded no smtprl"
# The module loaded is DKMS's: the kernel's build ID of it is that file's.
case $ko in
*.xz) xz -dc "$ko" >"$E2E_TMP/smtprl.ko" ;;
*) cp "$ko" "$E2E_TMP/smtprl.ko" ;;
esac
expect_eq "the module loaded is the one DKMS built" \
	"$(readelf -n "$E2E_TMP/smtprl.ko" | awk '/Build ID:/ { print $3 }')" \
	"$(tail -c 20 /sys/module/smtprl/notes/.note.gnu.build-id | od -An -tx1 | tr -d ' \n')"
ctl() { in_root /usr/sbin/smtprlctl "$@"; }
expect_eq "after boot: the policy of the file" "10/hour 5 reject 3" \
	"$(ctl -j policy show | json 'd["rate"] + " " + str(d["burst"]) + " " + d["action"] + " " + str(d["strikes"])')"
state() {
	ctl save config | grep -E "^(scope|relay|exempt) add" | sort | tr '\n' ';'
}
expect_eq "after boot: scope, relays and exemptions of the file" \
	'exempt add 10.0.1.3/32 comment "customer 4711";relay add 10.0.2.26/32;scope add 10.0.1.0/24;scope add 2001:db8:1::/48 v6-prefix 56;' \
	"$(state)"

# Edit and reload: exactly the new state.
sed -i -e 's/^scope add 2001:db8:1::.*$//' -e 's/^relay add 10.0.2.26$/relay add 10.0.2.27/' \
	-e 's/ burst 5 / burst 3 /' "$conf"
unit_run smtprl.service ExecReload
expect_eq "after reload: the new policy" 3 "$(ctl -j policy show | json 'd["burst"]')"
expect_eq "after reload: exactly the new scope, relays and exemptions" \
	'exempt add 10.0.1.3/32 comment "customer 4711";relay add 10.0.2.27/32;scope add 10.0.1.0/24;' \
	"$(state)"
before=$(ctl save config)
echo "scope add 10.0.9.0/33" >>"$conf"
sed -i 's/ burst 3 / burst 4 /' "$conf"
rc=0
# shellcheck disable=SC2046
out=$(in_root $(unit_cmds smtprl.service ExecReload | head -1) 2>&1) || rc=$?
expect_eq "a broken file: the reload fails as a usage error" 2 "$rc"
grep -q "smtprl.conf:$(grep -c '' "$conf"):" <<<"$out" || fail "the bad line is not named: $out"
[ "$(ctl save config)" = "$before" ] || fail "a broken file changed the state"
pass "a broken file changes nothing; the error names its last line"
sed -i '$d' "$conf"
sed -i 's/ burst 4 / burst 3 /' "$conf"

# Smoke: real connections, limited as the installed configuration says
# (burst 3, reject), the customer exempt, the relay's address open.
topology_up
mx_start 25
expect_eq "a subscriber over the burst of 3 is refused" "ok=3 refused=2 timeout=0" \
	"$(attempts 5 10.0.1.2 $MX4)"
expect_eq "the exempt customer is not" "ok=5 refused=0 timeout=0" "$(attempts 5 10.0.1.3 $MX4)"
expect_eq "installed smtprlctl version names the DKMS module" "smtprlctl $v module $v" \
	"$(ctl version)"
expect_stats_add_up

# The exporter, as its unit runs it: a node_exporter textfile, which
# prometheus_client parses into -j stats' values, and no temporary left.
tdir=$root/var/lib/prometheus/node-exporter
mkdir -p "$tdir"
[ -e "$units/smtprl-textfile.timer" ] || fail "no smtprl-textfile.timer"
unit_run smtprl-textfile.service ExecStart
ctl -j stats >"$E2E_TMP/stats.json"
n=$(/usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/promcheck.py" "$tdir/smtprl.prom" \
	"$E2E_TMP/stats.json" init) || fail "smtprl.prom: $(cat "$tdir/smtprl.prom")"
expect_eq "the textfile directory holds" smtprl.prom "$(ls -A "$tdir")"
pass "smtprl-textfile.service wrote smtprl.prom: $n, the values of -j stats"
