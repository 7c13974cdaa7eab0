#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels uml x86dbg
#
# The netlink fuzzer (nlfuzz.py): COUNT generated and mutated messages to
# the smtprl family from three namespaces at once, each answer checked
# against a model, the configuration compared with the model at the end.
# Then the module must unload cleanly; on the UML kernel KASAN watches
# every message and kmemleak scans after the unload (scripts/lab/vm-run.sh).
#
#   60-nlfuzz.sh [COUNT [SEED]]     (make check: 30,000 messages, seed 1,
#                                    3,000 and a bulk dump of 2,000 on the
#                                    slower x86dbg kernel;
#                                    make fuzz: 200,000, a random seed)
. "$(dirname "$0")/lib.sh"
trap 'ip netns del fz1 2>/dev/null; ip netns del fz2 2>/dev/null; topology_down' EXIT

count=${1:-$([ "$SMTPRL_KERNEL" = x86dbg ] && echo 3000 || echo 30000)}
seed=${2:-1}
# Each namespace's bulk dump: 20,000 exemptions (60,000 messages in all);
# on x86dbg, where KASAN checks every one on two emulated CPUs, 2,000
# (still a dump of many datagrams).
export NLFUZZ_BULK=${NLFUZZ_BULK:-$([ "$SMTPRL_KERNEL" = x86dbg ] && echo 2000 || echo 20000)}
ip netns add fz1
ip netns add fz2
start=$SECONDS
/usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/nlfuzz.py" "$seed" "$count" init fz1 fz2 ||
	fail "nlfuzz (seed $seed): see above"
pass "nlfuzz: $count messages (seed $seed) in $((SECONDS - start)) s"
# Whatever was fuzzed, the box still does its job.
ctl=$SMTPRL_TOP/userspace/smtprlctl
$ctl policy set enabled yes rate 1/hour burst 2 daily 10 ports 25 action drop \
	hooks prerouting v4-prefix 32 v6-prefix 64 max-sources 1000
for what in scope relay exempt source; do
	$ctl $what flush
done
topology_up
mx_start 25
expect_eq "after fuzzing: the burst, then drop" "ok=2 refused=0 timeout=1" \
	"$(attempts 3 10.0.1.2 $MX4)"
