#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make install and make uninstall of the userspace side, into a scratch
# prefix: every file an operator needs is there, the example configuration
# passes "smtprlctl -c -b", the systemd units pass systemd-analyze verify
# (their commands exist, their dependencies resolve), and uninstall removes
# all of it but the configuration, which is the operator's. An existing
# configuration is never overwritten. (The module's install is the e2e
# tier's: it needs a kernel to load into.)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d) log=$(mktemp)
trap 'rm -rf "$tmp" "$log"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

p=$tmp/usr etc=$tmp/etc
inst() { make -s -C "$top/userspace" "$@" PREFIX="$p" SYSCONFDIR="$etc" >"$log" 2>&1; }
inst install || { cat "$log"; fail "make install"; exit 1; }
want=(usr/sbin/smtprlctl usr/sbin/smtprl-notify usr/sbin/smtprl-session usr/sbin/smtprl-textfile
      etc/ppp/ip-up.d/smtprl etc/ppp/ip-down.d/smtprl
      usr/lib/smtprl/ip-pre-up usr/lib/smtprl/ip-up usr/lib/smtprl/ip-change
      usr/lib/smtprl/ip-down etc/smtprl/session.conf etc/smtprl/smtprl.conf
      usr/share/man/man8/smtprlctl.8 usr/share/man/man8/smtprl-notify.8
      usr/share/man/man8/smtprl-session.8 usr/share/man/man8/smtprl-textfile.8
      usr/share/bash-completion/completions/smtprlctl
      usr/lib/systemd/system/smtprl.service usr/lib/systemd/system/smtprl-notify.service
      usr/lib/systemd/system/smtprl-textfile.service usr/lib/systemd/system/smtprl-textfile.timer)
for f in "${want[@]}"; do
	[ -e "$tmp/$f" ] || fail "make install did not install $f"
done
got=$(cd "$tmp" && find . -type f -o -type l | sed 's|^\./||' | sort)
[ "$(echo "$got" | wc -l)" = "${#want[@]}" ] || fail "make install: $(echo "$got" | tr '\n' ' ')"
ok "make install: the ${#want[@]} files an operator needs"

"$p/sbin/smtprlctl" -c -b "$etc/smtprl/smtprl.conf" ||
	fail "the example smtprl.conf does not pass smtprlctl -c -b"
ok "the example configuration passes smtprlctl -c -b"

grep -q "^ExecStart=$p/sbin/smtprlctl -b $etc/smtprl/smtprl.conf$" \
	"$p/lib/systemd/system/smtprl.service" || fail "smtprl.service: paths not substituted"
out=$(systemd-analyze verify --man=no "$p"/lib/systemd/system/smtprl*.{service,timer} 2>&1)
rc=$?
grep -q smtprl <<<"$out" && fail "systemd-analyze verify: $out"
[ $rc = 0 ] || fail "systemd-analyze verify: status $rc: $out"
ok "systemd-analyze verify: smtprl.service, smtprl-notify.service, smtprl-textfile.{service,timer} clean"

for m in "$p"/share/man/man8/*.8; do
	w=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$m" 2>&1 >/dev/null)
	[ -z "$w" ] || fail "man $(basename "$m"): $w"
done
ok "the man pages format without warnings"

# smtprl-textfile when smtprlctl fails (no module here): the last good
# file stays, no temporary file is left, and it says so by its status.
d=$tmp/textfile
mkdir "$d"
echo "smtprl_seen_total{netns=\"init\"} 7" >"$d/smtprl.prom"
SMTPRLCTL="$p/sbin/smtprlctl" "$p/sbin/smtprl-textfile" -d "$d" 2>/dev/null && fail "smtprl-textfile: status 0 with smtprlctl failing"
[ "$(ls -A "$d")" = smtprl.prom ] || fail "smtprl-textfile left: $(ls -A "$d")"
grep -q ' 7$' "$d/smtprl.prom" || fail "smtprl-textfile replaced the last good file"
rm -rf "$d"
ok "smtprl-textfile: a failure keeps the last good file"

echo "# mine" >"$etc/smtprl/smtprl.conf"
inst install || fail "make install over an installation"
[ "$(cat "$etc/smtprl/smtprl.conf")" = "# mine" ] || fail "make install overwrote smtprl.conf"
ok "make install keeps an existing configuration"

inst uninstall || { cat "$log"; fail "make uninstall"; }
left=$(cd "$tmp" && find . -type f -o -type l | sed 's|^\./||' | sort | tr '\n' ' ')
[ "$left" = "etc/smtprl/session.conf etc/smtprl/smtprl.conf " ] ||
	fail "make uninstall left: $left"
[ $failed = 0 ] && ok "make uninstall removes all of it but the configuration"
[ $failed = 0 ]
