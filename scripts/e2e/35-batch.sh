#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels 6.12
#
# smtprlctl -b under AddressSanitizer and UndefinedBehaviorSanitizer (the
# build of check.sh's static tier, build/userspace-asan): a batch of
# queries only, changes that fill the pipeline window exactly, and files
# in which every line is refused, by root (100,000 lines) and by a user
# without CAP_NET_ADMIN (a smaller receive buffer, so a smaller window).
# On 6.12 only: what it tests is smtprlctl, not the kernel.
# Every refusal is reported as FILE:LINE: reason, in order, none is lost,
# the exit status is 1, nothing hangs, and the sanitizers stay silent.
. "$(dirname "$0")/lib.sh"
trap topology_down EXIT
ctl=$SMTPRL_TOP/build/userspace-asan/userspace/smtprlctl
[ -x "$ctl" ] || fail "no sanitizer build of smtprlctl (check.sh builds build/userspace-asan)"
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)

# batch FILE [WRAPPER...]: run it with a time limit; "rc=N" and its stderr.
batch() {
	local f=$1 rc=0
	shift
	timeout 300 "$@" "$ctl" -b "$f" >"$E2E_TMP/out" 2>"$E2E_TMP/err" || rc=$?
	[ "$rc" = 124 ] && fail "smtprlctl -b $f hung"
	grep -E -m 3 'Sanitizer|runtime error' "$E2E_TMP/err" && fail "sanitizer report for $f"
	echo "rc=$rc"
}

# Queries only: nothing is ever queued (this segfaulted).
echo stats >"$E2E_TMP/stats"
expect_eq "a batch of one query" rc=0 "$(batch "$E2E_TMP/stats")"
grep -q '^seen ' "$E2E_TMP/out" || fail "stats not printed: $(head -3 "$E2E_TMP/out")"

# Exactly three windows of changes, then a query (the final flush read
# freed messages after a multiple of 256).
seq 0 767 | awk '{ printf "exempt add 10.200.%d.%d\n", int($1 / 256), $1 % 256 }' >"$E2E_TMP/768"
echo stats >>"$E2E_TMP/768"
expect_eq "768 changes and a query" rc=0 "$(batch "$E2E_TMP/768")"
expect_eq "768 exemptions" 768 "$(stat exemptions)"

# refused_all FILE N REASON: N lines, each reported with its number.
refused_all() {
	local f=$1 n=$2 reason=$3 name=${1##*/}
	expect_eq "$name: refusals reported" "$n" "$(grep -c ": $reason\$" "$E2E_TMP/err")"
	expect_eq "$name: in order, one per line" "$n" \
		"$(awk -v f="$f" -v r="$reason" 'index($0, "smtprlctl: " f ":" NR ": " r) == 1' \
			"$E2E_TMP/err" | wc -l)"
	grep -q "lost\|cannot send" "$E2E_TMP/err" && fail "$name: $(grep -m1 'lost\|cannot' "$E2E_TMP/err")"
	pass "$name: every refusal reported, none lost"
}

# 400 refused lines (reported "lost the kernel's answers", then hung).
seq 0 399 | awk '{ printf "exempt del 10.201.%d.%d\n", int($1 / 256), $1 % 256 }' >"$E2E_TMP/400"
expect_eq "400 refused lines" rc=1 "$(batch "$E2E_TMP/400")"
refused_all "$E2E_TMP/400" 400 "prefix: no such exemption"

seq 0 99999 | awk '{ printf "exempt del 10.%d.%d.%d\n", 202 + int($1 / 65536), int($1 / 256) % 256, $1 % 256 }' \
	>"$E2E_TMP/100000"
start=$SECONDS
expect_eq "100,000 refused lines" rc=1 "$(batch "$E2E_TMP/100000")"
refused_all "$E2E_TMP/100000" 100000 "prefix: no such exemption"
echo "figure: 100,000 refusals in $((SECONDS - start)) s ($SMTPRL_KERNEL, emulated, ASan)"

# Without CAP_NET_ADMIN the receive buffer stays small: a smaller window.
chmod 644 "$E2E_TMP/768"
expect_eq "768 changes by an unprivileged user" rc=1 "$(batch "$E2E_TMP/768" "${nobody[@]}")"
grep -v '^smtprlctl: .*/768:769: ' "$E2E_TMP/err" >"$E2E_TMP/err.changes" || true
mv "$E2E_TMP/err.changes" "$E2E_TMP/err"
refused_all "$E2E_TMP/768" 768 "Operation not permitted"
expect_eq "nothing changed" 768 "$(stat exemptions)"
