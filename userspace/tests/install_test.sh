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
want=(usr/sbin/smtprlctl usr/sbin/smtprl-notify usr/sbin/smtprl-session
      etc/ppp/ip-up.d/smtprl etc/ppp/ip-down.d/smtprl
      usr/lib/smtprl/ip-pre-up usr/lib/smtprl/ip-up usr/lib/smtprl/ip-change
      usr/lib/smtprl/ip-down etc/smtprl/session.conf etc/smtprl/smtprl.conf
      usr/share/man/man8/smtprlctl.8 usr/share/bash-completion/completions/smtprlctl
      usr/lib/systemd/system/smtprl.service usr/lib/systemd/system/smtprl-notify.service)
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
out=$(systemd-analyze verify --man=no "$p"/lib/systemd/system/smtprl*.service 2>&1)
rc=$?
grep -q smtprl <<<"$out" && fail "systemd-analyze verify: $out"
[ $rc = 0 ] || fail "systemd-analyze verify: status $rc: $out"
ok "systemd-analyze verify: smtprl.service and smtprl-notify.service clean"

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
