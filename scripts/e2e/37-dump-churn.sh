#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels uml
#
# Dumps taken while the table changes. A set of "stable" exemptions and
# sources stays put while batches add and delete thousands of others; every
# dump (exempt list, source list, save) must list each stable entry
# exactly once and nothing twice. Phase A churns without resizing the
# table, so only the cursor is tested (entries inserted at a chain head
# between two dump callbacks); phase B crosses the resize thresholds every
# batch, so the kernel flags dumps NLM_F_DUMP_INTR and smtprlctl must ask
# again. Then "save" taken under churn must restore into a fresh namespace
# without an error (a duplicate line would be EEXIST).
. "$(dirname "$0")/lib.sh"
trap 'touch "$E2E_TMP/stop"; [ -z "$pids" ] || wait $pids; ip netns del restore 2>/dev/null || true' EXIT
pids=
ctl=$SMTPRL_TOP/userspace/smtprlctl
[ -x "$ctl" ] || fail "userspace/smtprlctl is not built"

# lines FILE CMD FIRST N: CMD for N addresses 10.FIRST.x.y, one a line.
lines() {
	seq 0 $(($4 - 1)) | awk -v c="$2" -v f="$3" \
		'{ printf "%s 10.%d.%d.%d\n", c, f, int($1 / 256), $1 % 256 }' >"$1"
}

# churn WHAT N: add and delete N WHATs (exempt or source) until told to stop.
churn() {
	local add del
	case $1 in
	exempt) add="exempt add" del="exempt del" ;;
	source) add="source quarantine" del="source reset" ;;
	esac
	lines "$E2E_TMP/$1-add" "$add" 20 "$2"
	lines "$E2E_TMP/$1-del" "$del" 20 "$2"
	while [ ! -e "$E2E_TMP/stop" ]; do
		"$ctl" -b "$E2E_TMP/$1-add" >/dev/null || exit 1
		"$ctl" -b "$E2E_TMP/$1-del" >/dev/null || exit 1
	done
}

# check_dump WHAT N HOW: one dump under churn lists the N stable entries
# (10.10.x.y) exactly once, and no line twice. HOW is where the output
# goes, since smtprlctl takes an interrupted dump back in two ways: a
# regular file is truncated to where the dump began ("file", and "append"
# after a line already there, which must stay), anything else is held in
# memory until the dump is whole ("pipe"). Sets retried=1 when smtprlctl
# had to ask again (strace: a truncation, or a second memory file).
check_dump() {
	local out=$E2E_TMP/dump tr=$E2E_TMP/trace n dups rc
	# shellcheck disable=SC2054 # one argument: strace -e trace=A,B
	local st=(strace -f -qq -o "$tr" -e trace=ftruncate,memfd_create "$ctl" "$1" list)
	rc=0
	case $3 in
	file)   "${st[@]}" >"$out" 2>"$E2E_TMP/err" || rc=$? ;;
	pipe)   "${st[@]}" 2>"$E2E_TMP/err" | cat >"$out" || rc=$? ;;
	append) echo "# kept" >"$out"
		"${st[@]}" >>"$out" 2>"$E2E_TMP/err" || rc=$?
		[ "$(head -1 "$out")" = "# kept" ] ||
			fail "$1 list >> FILE under churn lost what the file held" ;;
	esac
	[ "$rc" = 0 ] || fail "$1 list under churn ($3): $(cat "$E2E_TMP/err")"
	retried=0
	case $3 in
	pipe) [ "$(grep -c 'memfd_create(' "$tr")" -lt 2 ] || retried=1 ;;
	*)    ! grep -q 'ftruncate(' "$tr" || retried=1 ;;
	esac
	n=$(grep -c ' 10\.10\.' "$out" || true)
	dups=$(grep -o ' 10\.[0-9.]*' "$out" | sort | uniq -d | head -3)
	[ -z "$dups" ] || fail "$1 list under churn ($3) listed twice: $dups"
	if [ "$n" != "$2" ]; then
		grep ' 10\.10\.' "$out" | sort -t. -k3,3n -k4,4n | sed -n '1,2p;$p' >&2
		fail "$1 list under churn ($3): $n of the $2 stable entries"
	fi
}

# phase NAME STABLE CHURN DUMPS RETRIES WHAT...: STABLE entries of each
# WHAT stay, CHURN come and go, DUMPS dumps of each WHAT to each HOW are
# checked. RETRIES=yes: besides, dumping goes on (up to 60) until one of
# each WHAT to each HOW was interrupted and asked again, so that every way
# of taking output back is proven, not left to chance.
phase() {
	local name=$1 stable=$2 n=$3 dumps=$4 retries=$5 what how i seen
	shift 5
	rm -f "$E2E_TMP/stop"
	for what in "$@"; do
		"$ctl" "$what" flush
		[ "$what" != source ] || expect_eq "source flush left" 0 "$(stat entries)"
		case $what in
		exempt) lines "$E2E_TMP/stable" "exempt add" 10 "$stable" ;;
		source) lines "$E2E_TMP/stable" "source quarantine" 10 "$stable" ;;
		esac
		"$ctl" -b "$E2E_TMP/stable" || fail "adding $stable stable ${what}s"
		churn "$what" "$n" &
		pids="$pids $!"
	done
	for what in "$@"; do
		for how in file pipe append; do
			seen=0
			for i in $(seq 60); do
				[ "$i" -le "$dumps" ] || { [ "$retries" = yes ] && [ "$seen" = 0 ]; } || break
				check_dump "$what" "$stable" "$how"
				[ "$seen" != 0 ] || [ "$retried" = 0 ] || seen=$i
			done
			[ "$retries" != yes ] || [ "$seen" != 0 ] ||
				fail "$name: no $what list ($how) was interrupted in 60 dumps: its retry went untested"
			[ "$seen" = 0 ] || echo "$name: $what list ($how): first retried in dump $seen"
		done
	done
	touch "$E2E_TMP/stop"
	wait $pids || fail "a churn batch failed"
	pids=
	pass "$name: $dumps or more dumps each of $* under churn, to a file, a pipe and a file appended to ($stable stable, $n coming and going)$([ "$retries" != yes ] || echo ", each way at least once interrupted and asked again"): each stable entry once, nothing twice"
}

"$ctl" policy set enabled yes >/dev/null

# A: 2000 stay, 800 churn: the table is sized for 2800 after the first
# batch and never resized again.
phase "no resize" 2000 800 3 no exempt source
# B: 400 stay, 2000 churn: every batch grows the table, every deletion
# shrinks it (below 30 % full).
phase "resizing" 400 2000 3 yes exempt source

# source flush pauses every 1024 entries; pausing right after forgetting
# one made it skip the next in that chain, and leave it behind.
lines "$E2E_TMP/many" "source quarantine" 30 5000
for i in 1 2 3; do
	"$ctl" -b "$E2E_TMP/many" || fail "quarantining 5000 sources"
	"$ctl" source flush
	expect_eq "flush $i of $(wc -l <"$E2E_TMP/many") sources left" 0 "$(stat entries)"
done

# save under churn restores exactly, without EEXIST.
rm -f "$E2E_TMP/stop"
churn exempt 2000 &
pids=$!
for i in 1 2 3; do
	"$ctl" save >"$E2E_TMP/saved" 2>"$E2E_TMP/err" || fail "save under churn: $(cat "$E2E_TMP/err")"
	dups=$(grep '^exempt add' "$E2E_TMP/saved" | sort | uniq -d | head -3)
	[ -z "$dups" ] || fail "save under churn wrote twice: $dups"
	ip netns add restore
	"$ctl" -n restore -b "$E2E_TMP/saved" >"$E2E_TMP/out" 2>&1 ||
		fail "restoring a save taken under churn: $(head -5 "$E2E_TMP/out")"
	expect_eq "restore $i: exemptions" "$(grep -c '^exempt add' "$E2E_TMP/saved")" \
		"$(stat exemptions restore)"
	[ "$(grep -c '^exempt add 10\.10\.' "$E2E_TMP/saved")" = 400 ] ||
		fail "save under churn lost stable exemptions"
	ip netns del restore
done
touch "$E2E_TMP/stop"
wait $pids || fail "a churn batch failed"
pids=
pass "3 saves under churn restored into a fresh namespace without an error"
