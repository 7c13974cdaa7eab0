#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The OpenWrt UCI-to-batch conversion (files/smtprl-uci2batch), run as on
# OpenWrt by busybox's sh and awk alone: every fixture NAME.uci gives
# exactly NAME.batch, which smtprlctl -c -b accepts; every bad-*.uci fails
# with status 2 and the message its "# expect: LINE TEXT" names, at that
# line; the shipped /etc/config/smtprl converts and passes -c -b; a value
# smtprlctl refuses is caught by the check the init script runs first.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
ctl=${SMTPRLCTL:-$top/userspace/smtprlctl}
conv=$here/../files/smtprl-uci2batch
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

bb=$(command -v busybox) || { fail "no busybox"; exit 1; }
mkdir "$tmp/bin"
for a in sh awk cat; do ln -s "$bb" "$tmp/bin/$a"; done
uci2batch() { (cd "$here" && PATH=$tmp/bin "$tmp/bin/sh" "$conv" "$@"); }

n=0
for f in "$here"/*.uci; do
	name=$(basename "$f" .uci)
	case $name in bad-*) continue ;; esac
	uci2batch "$name.uci" >"$tmp/$name.batch" 2>"$tmp/err" ||
		{ fail "$name.uci: status $?: $(cat "$tmp/err")"; continue; }
	diff -u "$here/$name.batch" "$tmp/$name.batch" >"$tmp/diff" ||
		{ fail "$name.uci: not $name.batch: $(cat "$tmp/diff")"; continue; }
	"$ctl" -c -b "$tmp/$name.batch" || fail "$name.batch: smtprlctl -c -b refuses it"
	n=$((n + 1))
done
[ "$n" -ge 2 ] || fail "only $n good fixtures"
ok "$n fixtures convert to exactly their batch files, which smtprlctl -c -b accepts"

n=0
for f in "$here"/bad-*.uci; do
	name=$(basename "$f")
	read -r _ _ line text < <(head -1 "$f")
	uci2batch "$name" >/dev/null 2>"$tmp/err"
	rc=$?
	[ "$rc" = 2 ] && grep -q -F "$name:$line: $text" "$tmp/err" ||
		fail "$name: status $rc, \"$(cat "$tmp/err")\", want $name:$line: $text"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || fail "only $n bad fixtures"
ok "$n broken configurations: status 2, the line and what is wrong"

(cd "$here/../files" && PATH=$tmp/bin "$tmp/bin/sh" "$conv" smtprl.config) >"$tmp/default.batch" ||
	fail "the shipped smtprl.config does not convert"
"$ctl" -c -b "$tmp/default.batch" || fail "the shipped smtprl.config: smtprlctl -c -b refuses it"
grep -q "^policy set .*rate 10/hour" "$tmp/default.batch" || fail "smtprl.config: $(cat "$tmp/default.batch")"
ok "the shipped /etc/config/smtprl converts and passes smtprlctl -c -b"

printf "config smtprl 'policy'\n\toption rate 'lots'\n" >"$tmp/refused.uci"
(cd "$tmp" && PATH=$tmp/bin "$tmp/bin/sh" "$conv" refused.uci) >"$tmp/refused.batch" ||
	fail "refused.uci does not convert"
"$ctl" -c -b "$tmp/refused.batch" 2>"$tmp/err"
rc=$?
[ "$rc" = 2 ] && grep -q "refused.batch:3:" "$tmp/err" ||
	fail "rate 'lots': smtprlctl -c -b status $rc, $(cat "$tmp/err")"
ok "a value smtprlctl refuses stops at the check (status 2, its batch line)"
[ $failed = 0 ]
