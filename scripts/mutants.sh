#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Mutation proof: plant one bug at a time in a scratch copy of the tree
# and show that the test named for it goes red. A mutant that no test
# catches, or that cannot be planted (its text is gone or not unique, the
# module no longer builds), fails the run.
#
#   mutants.sh [-n | -p] [NAME...]    (make mutants; default: every mutant)
#     -n   skip the baseline: the chosen tests on the unchanged copy first,
#          each must pass (otherwise "caught" would mean nothing)
#     -p   only check that every mutant can be planted (its text occurs
#          once): the static tier runs this, so a refactoring that moves
#          a mutant's text is told at once, not at the next make mutants
#
# Each mutant: NAME, FILE, the exact text to replace (once), the bug, and
# the test: "kunit" (check.sh kunit), "perf" (check.sh perf: the
# instruction budget) or KERNEL/SCRIPT (an e2e script).
# The last two plant bugs in the KUnit tier itself: a suite whose
# suite_init fails runs no case, and a suite left out of the module runs
# nothing; the tier must see both.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Tab-separated: name, file, text, replacement, test. \n and \t in the
# texts are newlines and tabs.
MUTANTS=$(cat <<'EOF'
burst-plus-one	kmod/bucket.c	r->size_ns = size;	r->size_ns = size + cost;	uml/10-limit
v6-per-address	kmod/policy.c	ipv6_addr_prefix(&p->v6_mask, &all_ones, cfg->v6_prefix);	ipv6_addr_prefix(&p->v6_mask, &all_ones, 128);	uml/10-limit
when-full-accepts	kmod/hook.c	return p->cfg.when_full == SMTPRL_WHEN_FULL_DROP ? NF_DROP : NF_ACCEPT;	return NF_ACCEPT;	uml/10-limit
reject-sends-no-rst	kmod/hook.c	nf_send_reset(state->net, state->sk, skb, state->hook);	(void)skb;	uml/10-limit
hook-after-conntrack	kmod/hook.c	.hooknum = NF_INET_PRE_ROUTING,\n\t\t\t      .priority = NF_IP_PRI_RAW - 1 },	.hooknum = NF_INET_PRE_ROUTING,\n\t\t\t      .priority = NF_IP_PRI_FILTER },	uml/10-limit
daily-cap-ignored	kmod/bucket.h	if (daily && day < lim->daily.cost_ns)	if (0 && day < lim->daily.cost_ns)	kunit
exemption-never-expires	kmod/exempt.c	return expired(ex, now_ns) ? NULL : ex;	return ex;	kunit
gc-forgets-credit	kmod/table.c	smtprl_buckets_full(&e->b, lim, now_ns) &&	true &&	kunit
quarantine-never-quiet	kmod/quarantine.c	return SMTPRL_RELEASE_QUIET;	return SMTPRL_RELEASE_NONE;	kunit
subscriber-binding-ignored	kmod/hook.c	sub = smtprl_bind_match(&sn->subs, c.family, &c.saddr);	sub = NULL;	uml/85-subscribers
linger-ends-at-once	kmod/netns.c	n = smtprl_subs_expire(&sn->subs, now_ns,	n = smtprl_subs_expire(&sn->subs, U64_MAX,	uml/90-bras
linger-never-ends	kmod/sub.c	if (sub->linger_until_ns > now_ns)	if (1)	kunit
policy-set-unprivileged	kmod/netlink-gen.c	.maxattr\t= SMTPRL_A_POLICY_SUBSCRIBER_LINGER,\n\t\t.flags\t\t= GENL_ADMIN_PERM | GENL_CMD_CAP_DO,	.maxattr\t= SMTPRL_A_POLICY_SUBSCRIBER_LINGER,\n\t\t.flags\t\t= GENL_CMD_CAP_DO,	uml/20-netlink
batch-refusal-unreported	userspace/nl.c	\tpipe_q.failed++;\n\treport(pipe_q.line[i], err_text(err));	\treport(pipe_q.line[i], err_text(err));	6.12/35-batch
dump-restart-appends	userspace/nl.c	return ftruncate(fileno(stdout), h->start) ||\n\t\t       fseeko(stdout, h->start, SEEK_SET) ? -1 : 0;	return 0;	uml/37-dump-churn
dump-never-held	userspace/nl.c	S_ISREG(st.st_mode)) {\n\t\t/* O_APPEND: the file's end is where this output begins */\n\t\th->start = lseek(fd, 0, flags & O_APPEND ? SEEK_END : SEEK_CUR);\n\t\tif (h->start >= 0)\n\t\t\treturn 0;\n\t}	1) {\n\t\th->start = 0;\n\t\treturn 0;\n\t}	uml/37-dump-churn
events-unbudgeted	kmod/events.c	ok = st->ev_n < SMTPRL_EVENTS_PER_CPU_SEC;	ok = true;	uml/80-quarantine
monitor-loss-silent	userspace/monitor.c	fprintf(stderr, "%s: monitor: events lost	if (0) fprintf(stderr, "%s: monitor: events lost	uml/80-quarantine
perf-ack-slow-path	kmod/hook.c	th = smtprl_plain_tcp(skb, state->pf);	th = NULL;	perf
kunit-suite-init-fails	kmod/tests/policy_test.c	static struct kunit_suite policy_suite = {	static int policy_fail(struct kunit_suite *s)\n{\n\treturn -ENOMEM;\n}\n\nstatic struct kunit_suite policy_suite = {\n\t.suite_init = policy_fail,	kunit
kunit-suite-missing	kmod/tests/policy_test.c	kunit_test_suite(policy_suite);	static struct kunit_suite *policy_unused __used = &policy_suite;	kunit
EOF
)

baseline=1 plant_only=0
while getopts np opt; do
	case $opt in
	n) baseline=0 ;;
	p) plant_only=1 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

work=$SMTPRL_TOP/build/mutants
rm -rf "$work"
mkdir -p "$work"

# scratch NAME: a copy of the tree (no build outputs), ready to test.
scratch() {
	local dir=$work/$1
	mkdir -p "$dir"
	rsync -a --exclude /build --exclude /.git --exclude '*.o' --exclude '*.ko' \
		"$SMTPRL_TOP/" "$dir/"
	make -C "$dir/userspace" clean >/dev/null
	echo "$dir"
}

# plant DIR FILE FROM TO: replace the one occurrence of FROM in DIR/FILE.
plant() {
	/usr/bin/python3 - "$1/$2" "$3" "$4" <<-'PY'
		import sys
		path, old, new = sys.argv[1:]
		esc = lambda s: s.replace("\\n", "\n").replace("\\t", "\t")
		old, new = esc(old), esc(new)
		text = open(path).read()
		n = text.count(old)
		if n != 1:
		    sys.exit(f"{path}: the text occurs {n} times, not once: {old!r}")
		open(path, "w").write(text.replace(old, new))
	PY
}

# run_test DIR TEST LOG: the test's exit status, in the tree at DIR.
run_test() {
	local dir=$1 test=$2 log=$3
	# What the e2e scripts run besides the module, built as check.sh
	# builds it: smtprlctl, its sanitizer build (35-batch), the flooder.
	(
		set -e
		SMTPRL_TOP=$dir
		make -C "$dir/userspace" >/dev/null
		userspace_build userspace-asan SANITIZE=1 >/dev/null
		build_synflood
	) >"$log" 2>&1 || return 125
	if [ "$test" = kunit ] || [ "$test" = perf ]; then
		"$dir/scripts/check.sh" "$test" >>"$log" 2>&1
	else
		# The module must build, or the bug was not planted but broke it.
		"$dir/scripts/lab/build-module.sh" "${test%%/*}" >>"$log" 2>&1 || return 125
		"$dir/scripts/lab/vm-run.sh" -q -t 900 -o "$dir/build/vm" "${test%%/*}" \
			"$dir/scripts/e2e/${test#*/}.sh" >>"$log" 2>&1
	fi
}

bad=0
declare -A tests=()
selected=()
while IFS=$'\t' read -r name file from to test; do
	if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then
		continue
	fi
	selected+=("$name")
	tests[$test]=1
done <<<"$MUTANTS"
[ ${#selected[@]} -gt 0 ] || die "no mutant named $*"

if [ "$plant_only" = 1 ]; then
	dir=$work/plant
	while IFS=$'\t' read -r name file from to test; do
		[[ " ${selected[*]} " == *" $name "* ]] || continue
		mkdir -p "$dir/$(dirname "$file")"
		cp "$SMTPRL_TOP/$file" "$dir/$file" 2>/dev/null
		if plant "$dir" "$file" "$from" "$to" >"$work/$name.log" 2>&1; then
			echo "mutant $name: plantable in $file"
		else
			echo "mutant $name: NOT PLANTABLE: $(tail -1 "$work/$name.log")"
			bad=1
		fi
	done <<<"$MUTANTS"
	exit $bad
fi

if [ "$baseline" = 1 ]; then
	dir=$(scratch baseline)
	for test in "${!tests[@]}"; do
		start=$SECONDS
		if run_test "$dir" "$test" "$work/baseline-${test//\//_}.log"; then
			echo "baseline $test: passes ($((SECONDS - start)) s)"
		else
			echo "baseline $test: FAILS without any mutant: see $work/baseline-${test//\//_}.log"
			bad=1
		fi
	done
	[ "$bad" = 0 ] || die "the baseline is red: mutants would prove nothing"
fi

caught=0
while IFS=$'\t' read -r name file from to test; do
	[[ " ${selected[*]} " == *" $name "* ]] || continue
	dir=$(scratch "$name")
	log=$work/$name.log
	start=$SECONDS
	if ! plant "$dir" "$file" "$from" "$to" >"$log" 2>&1; then
		echo "mutant $name: NOT PLANTED: $(tail -1 "$log")"
		bad=1
		continue
	fi
	run_test "$dir" "$test" "$log"
	status=$?
	# A bug that stops the build is not caught by a test (gcc's errors).
	if [ "$status" = 125 ] || { [ "$status" != 0 ] && grep -q -E ': error: |build.*failed' "$log"; }; then
		echo "mutant $name: NOT PLANTED: the tree does not build ($log)"
		bad=1
	elif [ "$status" != 0 ]; then
		caught=$((caught + 1))
		why=$(grep -h -E '^FAIL|not ok ' "$dir/build/vm/output.log" "$log" 2>/dev/null |
			head -n 1 | cut -c1-110)
		echo "mutant $name ($file): caught by $test in $((SECONDS - start)) s: ${why:-status $status}"
	else
		echo "mutant $name ($file): SURVIVED $test"
		bad=1
	fi
	rm -rf "$dir"
done <<<"$MUTANTS"
echo "mutants: $caught of ${#selected[@]} caught"
exit "$bad"
