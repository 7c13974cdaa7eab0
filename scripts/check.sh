#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test runner behind `make check`:
#   check.sh all | static | kunit | e2e [KERNEL...]
# Every tier adds PASS/FAIL lines; the last line is "N passed, N failed" over
# all tiers, and the exit status is non-zero on any failure. Logs of every
# test are kept in build/check/.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

logdir=$SMTPRL_TOP/build/check
rm -rf "$logdir"
mkdir -p "$logdir"
passed=0 failed=0

# record NAME STATUS [SECONDS] [LOG]
record() {
	local name=$1 status=$2 secs=${3:-} log=${4:-}
	if [ "$status" = 0 ]; then
		passed=$((passed + 1))
		printf 'PASS %s%s\n' "$name" "${secs:+ (${secs}s)}"
	else
		failed=$((failed + 1))
		printf 'FAIL %s%s\n' "$name" "${secs:+ (${secs}s)}"
		if [ -n "$log" ] && [ -s "$log" ]; then
			tail -n 25 "$log" | sed 's/^/    /'
			printf '    (full log: %s)\n' "${log#"$SMTPRL_TOP"/}"
		fi
	fi
}

# run NAME CMD...: one test, its output in build/check/NAME.log.
run() {
	local name=$1 log start status
	shift
	log=$logdir/${name//\//_}.log
	start=$SECONDS
	"$@" >"$log" 2>&1 </dev/null
	status=$?
	record "$name" "$status" $((SECONDS - start)) "$log"
}

# Compiler and sparse diagnostics are failures, not noise.
build_clean() {
	local dir
	dir=$("$SMTPRL_TOP/scripts/build-module.sh" "$@") || return 1
	cat "$dir/build.log"
	! grep -E -i '(warning|error):' "$dir/build.log"
}

checkpatch() {
	local src files
	src=$(ksrc_dir) || return 1
	mapfile -t files < <(cd "$SMTPRL_TOP" && find kmod include -name '*.[ch]' | sort)
	[ ${#files[@]} -gt 0 ] || { echo "no kernel sources"; return 1; }
	(cd "$SMTPRL_TOP" && "$src/scripts/checkpatch.pl" --strict --no-tree \
		--show-types -f "${files[@]}")
}

userspace_werror() {
	local out=$SMTPRL_TOP/build/userspace
	rm -rf "$out"
	mkdir -p "$out"
	cp -a "$SMTPRL_TOP/userspace" "$out/"
	ln -s "$SMTPRL_TOP/include" "$out/include"
	make -C "$out/userspace" WERROR=1
}

tier_static() {
	local k
	# Fetch kernels outside the timed tests, so a cold cache is not a failure
	# of W=1; a fetch that fails is one.
	for k in 6.1 6.12; do
		run "static/kernel-$k-fetch" "$SMTPRL_TOP/scripts/lab-stock.sh" "$k"
	done
	for k in 6.1 6.12; do
		run "static/build-W=1-$k" build_clean "$k" W=1 SMTPRL_BENCH=m
		run "static/sparse-$k" build_clean "$k" C=2 SMTPRL_BENCH=m
	done
	# The UML tree has CONFIG_KUNIT: this build covers kmod/tests/ too.
	run "static/build-W=1-uml" build_clean uml W=1
	run static/checkpatch checkpatch
	run static/userspace-Werror userspace_werror
}

# KUnit: suites run in the UML debug kernel; every case is one test.
tier_kunit() {
	local out=$logdir/kunit start status f line
	start=$SECONDS
	"$SMTPRL_TOP/scripts/lab-uml.sh" >"$logdir/uml-kernel.log" 2>&1 ||
		{ record kunit/uml-kernel 1 $((SECONDS - start)) "$logdir/uml-kernel.log"; return; }
	if ! ls "$SMTPRL_TOP"/kmod/tests/*.c >/dev/null 2>&1; then
		echo "kunit: no suites yet (kmod/tests/ is empty)"
		return
	fi
	"$SMTPRL_TOP/scripts/vm-run.sh" -q -k -t 900 -o "$out" uml \
		"$SMTPRL_TOP/scripts/kunit-guest.sh" >"$logdir/kunit-vm.log" 2>&1
	status=$?
	cat "$out/output.log" >>"$logdir/kunit-vm.log" 2>/dev/null
	record kunit/uml-run "$status" $((SECONDS - start)) "$logdir/kunit-vm.log"
	[ -d "$out/kunit" ] || { record kunit/results 1 "" "$logdir/kunit-vm.log"; return; }
	# Standalone KTAP per suite: cases at 4 spaces, parameters of a
	# parameterised case at 8 (each one is a test, the case line is not).
	for f in "$out"/kunit/*; do
		kunit_results "$f" "kunit/$(basename "$f")"
	done
}

# kunit_results FILE PREFIX: record every result line of one suite.
kunit_results() {
	local f=$1 prefix=$2 line indent not name directive params=0 log
	while IFS= read -r line; do
		[[ $line =~ ^(\ {4}|\ {8})(not\ )?ok\ [0-9]+\ ([^#]*[^#\ ])(\ *#\ *(.*))?$ ]] || continue
		indent=${#BASH_REMATCH[1]} not=${BASH_REMATCH[2]}
		name=${BASH_REMATCH[3]} directive=${BASH_REMATCH[5]}
		if [ "$indent" = 8 ]; then
			params=1
			name="$prefix/param/$name"
		elif [ "$params" = 1 ]; then
			params=0	# the parameterised case's own line
			[ -z "$not" ] && continue
			name="$prefix/$name"
		else
			name="$prefix/$name"
		fi
		if [ -n "$not" ] || [[ $directive == SKIP* ]]; then
			log=$logdir/${name//\//_}.log
			grep -B30 -F -- "${BASH_REMATCH[3]}" "$f" >"$log"
			record "$name" 1 "" "$log"
		else
			record "$name" 0
		fi
	done <"$f"
}

tier_e2e() {
	local kernels=${*:-$SMTPRL_KERNELS} k t name
	for k in $kernels; do
		for t in "$SMTPRL_TOP"/scripts/e2e/[0-9]*.sh; do
			name=$(basename "$t" .sh)
			run "e2e/$k/$name" "$SMTPRL_TOP/scripts/vm-run.sh" -t 900 \
				-o "$logdir/vm/$k-$name" "$k" "$t"
		done
	done
}

timed_tier() {
	local tier=$1 start=$SECONDS
	shift
	echo "=== $tier"
	"tier_$tier" "$@"
	echo "=== $tier: $((SECONDS - start))s"
}

what=${1:-all}
shift || true
case "$what" in
all)
	timed_tier static
	timed_tier kunit
	timed_tier e2e
	;;
static|kunit|e2e)
	timed_tier "$what" "$@"
	;;
*)
	die "usage: check.sh all|static|kunit|e2e [KERNEL...]"
	;;
esac
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
