#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smtprlctl's surface without the module (the static tier's host has none
# loaded): --help and --version as GNU tools give them, a usage text with
# every command of the table and every policy setting of the field table,
# "version" without the module, "-c -b" checking a file offline. The e2e
# tier (30-smtprlctl.sh) checks what needs the module. SMTPRLCTL names
# another smtprlctl (a sanitized or a cross-built one).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
ctl=${SMTPRLCTL:-$top/userspace/smtprlctl}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

# run ARGS...: smtprlctl's stdout, stderr and status in $tmp/{out,err,rc}.
run() {
	timeout 10 "$ctl" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
	echo $? >"$tmp/rc"
}
rc() { cat "$tmp/rc"; }

version=$(make -s --no-print-directory -C "$top" version)
[ -n "$version" ] || fail "make version: no SMTPRL_VERSION in include/smtprl-version.h"

for opt in --help -h; do
	run "$opt"
	[ "$(rc)" = 0 ] && [ ! -s "$tmp/err" ] && grep -q "^Usage: smtprlctl" "$tmp/out" ||
		fail "$opt: status $(rc), stderr $(cat "$tmp/err")"
done
ok "--help and -h: usage on stdout, status 0"
# Every command of the table, every policy setting of the field table.
for c in $(sed -n 's/^\t{ "\([a-z]*\)",.*/\1/p' "$top/userspace/smtprlctl.c"); do
	grep -q "^  $c " "$tmp/out" || fail "--help lacks the command $c"
done
for a in $(sed -n 's/^SMTPRL_FIELD(\([A-Z0-9_]*\),.*/\1/p' "$top/include/smtprl-policy-fields.h"); do
	[ "$a" = RATE_UNIT ] && continue	# part of rate N/UNIT
	w=$(echo "$a" | tr 'A-Z_' 'a-z-')
	[ "$w" = port ] && w=ports
	grep -q "\[$w " "$tmp/out" || fail "--help lacks the policy setting $w"
done
ok "--help names every command and every policy setting"

for opt in --version -V; do
	run "$opt"
	[ "$(rc)" = 0 ] && [ "$(head -1 "$tmp/out")" = "smtprlctl (smtprl) $version" ] ||
		fail "$opt: status $(rc), first line $(head -1 "$tmp/out")"
done
ok "--version and -V: smtprlctl (smtprl) $version"

run --bogus
[ "$(rc)" = 2 ] && grep -q "Try 'smtprlctl --help'" "$tmp/err" ||
	fail "unknown option: status $(rc), $(cat "$tmp/err")"
run frobnicate
[ "$(rc)" = 2 ] && grep -q 'unknown command "frobnicate"' "$tmp/err" ||
	fail "unknown command: status $(rc), $(cat "$tmp/err")"
ok "unknown options and commands: status 2, a pointer to --help"

if [ -e /sys/module/smtprl ]; then
	fail "smtprl is loaded on this host: the offline checks cannot run"
fi
run version
[ "$(rc)" = 0 ] && [ "$(cat "$tmp/out")" = "smtprlctl $version module -" ] ||
	fail "version without the module: status $(rc), $(cat "$tmp/out" "$tmp/err")"
run -j version
[ "$(rc)" = 0 ] && /usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
assert d == {"smtprlctl": sys.argv[2], "module": None}, d' "$tmp/out" "$version" ||
	fail "-j version without the module: $(cat "$tmp/out" "$tmp/err")"
ok "version without the module: the tool's, and none for the module"

# -c -b: the whole file checked, nothing sent, no module needed.
cat >"$tmp/good" <<'X'
# a configuration
policy set rate 10/hour burst 5 daily 20 strikes 3 strike-window 1d enabled yes
scope add 100.64.0.0/10
scope add 2001:db8::/32 v6-prefix 56
relay add 192.0.2.25
exempt add 10.1.1.2 expires 30d comment "customer 4711, own MX"
subscriber add "o'brien dave" 10.1.2.3 2001:db8:1::/56 rate 60/hour
monitor
stats -o prometheus
X
run -c -b "$tmp/good"
[ "$(rc)" = 0 ] && [ ! -s "$tmp/out" ] && [ ! -s "$tmp/err" ] ||
	fail "-c -b good file: status $(rc), $(cat "$tmp/out" "$tmp/err")"
timeout 10 "$ctl" --check --batch - <"$tmp/good" >"$tmp/out" 2>"$tmp/err" ||
	fail "--check --batch - (stdin): $(cat "$tmp/err")"
ok "-c -b: a good file passes without the module, quietly"
printf 'policy set rate 10/hour\nscope add 2001:db8::/32 v6-prefix 31\nexempt add 10.1.1.2\n' >"$tmp/bad"
run -c -b "$tmp/bad"
[ "$(rc)" = 2 ] && grep -q "bad:2:" "$tmp/err" && grep -q "v6-prefix" "$tmp/err" ||
	fail "-c -b bad file: status $(rc), $(cat "$tmp/err")"
printf 'policy set rate 10/hour\npolicy set strike-window 1w\n' >"$tmp/bad"
run -c -b "$tmp/bad"
[ "$(rc)" = 2 ] && grep -q "bad:2:" "$tmp/err" ||
	fail "-c -b bad duration: status $(rc), $(cat "$tmp/err")"
ok "-c -b: a bad line is reported with its number, status 2"
run -c
[ "$(rc)" = 2 ] || fail "-c without -b: status $(rc)"
run policy show
# Under qemu-user (SMTPRL_QEMU_USER=1: a cross-built smtprlctl in the
# static tier) there is no generic netlink at all: the tool must say so.
if [ "${SMTPRL_QEMU_USER:-0}" = 1 ]; then
	want="cannot open a generic netlink socket"
else
	want="is smtprl.ko loaded"
fi
[ "$(rc)" = 1 ] && grep -q "$want" "$tmp/err" ||
	fail "policy show without the module: status $(rc), $(cat "$tmp/err")"
ok "-c needs -b; a command that needs the module says so, status 1"

[ $failed = 0 ]
