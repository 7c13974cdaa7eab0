#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels uml x86dbg
#
# Concurrency stress: spoofed SYN floods from two subscriber lines while,
# all at once, the policy changes, exemptions come and expire, sources are
# dumped, reset and flushed, and network namespaces with smtprl configured
# come and go. Afterwards every counter adds up, the module still limits,
# and it unloads cleanly; the kernel log must stay free of splats (lockdep,
# KASAN, RCU stalls... on the debug kernels; scripts/lab/vm-run.sh checks).
#
#   70-stress.sh [SECONDS [SEED]]   (make check: 45 s, seed 1; make stress:
#                                    600 s, a random seed)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/isp.sh"
trap 'touch "$E2E_TMP/stop"; [ -z "$pids" ] || wait $pids; isp_down' EXIT
pids=

secs=${1:-45}
seed=${2:-1}
# Every loop draws from its own stream of this seed: the churn can be
# replayed, though not its timing. (bash reseeds $RANDOM from the PID in a
# subshell that has not set it, $(...) included: no $RANDOM in those.)
echo "70-stress: seed $seed (rerun: 70-stress.sh $secs $seed)"
RANDOM=$seed
# pick VAR WORD...: one of the words, at random.
pick() {
	local -n v=$1
	shift
	local a=("$@")
	v=${a[RANDOM % $#]}
}

# loop NAME CMD...: run CMD again and again until the stop file appears;
# counts rounds in $E2E_TMP/NAME.rounds, failures in NAME.fail.
loop() {
	local name=$1 n=0 f=0
	shift
	RANDOM=$((seed * 1000 + $(cksum <<<"$name" | cut -d' ' -f1) % 1000))
	while [ ! -e "$E2E_TMP/stop" ]; do
		"$@" >/dev/null 2>>"$E2E_TMP/$name.err" || f=$((f + 1))
		n=$((n + 1))
	done
	echo "$n" >"$E2E_TMP/$name.rounds"
	echo "$f" >"$E2E_TMP/$name.fail"
}

# flood SUBSCRIBER CIDR: one round of spoofed SYNs. Rounds are short, so
# that the loops stop soon after the stop file appears: on x86dbg, with
# another guest on the host, a round of 5,000 took five minutes, all of
# them after the stop; a round of 500 about a minute.
FLOOD_SYNS=500
flood() {
	nsx "$1" "$SMTPRL_TOP/build/synflood" line0 \
		"$(cat "/sys/class/net/b-$1/address")" 192.0.2.99 $FLOOD_SYNS $RANDOM "$2"
}

policy_churn() {
	local r=$((RANDOM % 100 + 1)) b=$((RANDOM % 50 + 1)) unit action full
	pick unit second minute
	pick action drop reject monitor
	pick full accept drop
	ctl policy set rate "$r/$unit" burst "$b" action "$action" when-full "$full" \
		max-sources $((RANDOM % 4000 + 1024)) \
		strikes $((RANDOM % 4)) strike-window $((RANDOM % 600 + 32)) \
		release-after $((RANDOM % 5 + 1)) fanout-limit $((RANDOM % 30)) \
		event-interval $((RANDOM % 3 + 1))
}

exempt_churn() {
	local i
	for i in 1 2 3 4 5 6 7 8; do
		ctl exempt replace "10.1.$((RANDOM % 4)).$((RANDOM % 250 + 3))" \
			expires 2s comment "stress $i"
	done
	ctl exempt del "10.1.0.$((RANDOM % 250 + 3))" || true
}

dump_churn() {
	ctl -j source list >/dev/null
	cat /proc/net/smtprl/sources >/dev/null
	ctl source reset "$(addr4 zombie)" || true
	[ $((RANDOM % 8)) = 0 ] && ctl source flush
	return 0
}

# some_sub VAR: a random address of the flooding subscriber lines.
some_sub() { printf -v "$1" '10.1.%d.%d' $((RANDOM % 4)) $((RANDOM % 250 + 3)); }

# The operator quarantines and releases subscribers and forgets them.
quarantine_churn() {
	local a b c
	some_sub a
	some_sub b
	some_sub c
	ctl source quarantine "$a" for $((RANDOM % 3 + 1))s
	ctl source release "$b" 2>/dev/null || true
	ctl source reset "$c" 2>/dev/null || true
	return 0
}

netns_churn() {
	local ns=stress$((RANDOM % 4))
	ip netns add "$ns" 2>/dev/null || return 0
	ctl -n "$ns" policy set rate 1/minute burst 1
	ctl -n "$ns" exempt add 10.9.9.9 expires 1s
	ip netns del "$ns"
}

# The mail of this test goes direct to the MXs.
isp_up --no-relay
# No daily cap, whose bucket would keep every entry for a day; GC runs
# every second (as always) and forgets sources idle for a second, so it
# unlinks entries while the floods look them up and insert new ones.
isp_fresh rate 10/minute burst 5 daily off max-sources 4096
echo 1 >/sys/module/smtprl/parameters/gc_idle
ctl scope flush
start=$SECONDS
# (wait for these only: the lab's MXs and relay run in the background too)
loop flood-zombie flood zombie 10.1.0.0/16 &
pids="$pids $!"
loop flood-v6home flood v6home 0.0.0.0/0 &
pids="$pids $!"
loop mail mail_from family "$(addr4 family)" $MXS4 25 5 &
pids="$pids $!"
loop policy policy_churn &
pids="$pids $!"
loop exempt exempt_churn &
pids="$pids $!"
loop dump dump_churn &
pids="$pids $!"
loop netns netns_churn &
pids="$pids $!"
loop quarantine quarantine_churn &
pids="$pids $!"
# Someone listens to the events all along (they are built only then).
"$SMTPRL_TOP/userspace/smtprlctl" monitor >"$E2E_TMP/events.txt" 2>"$E2E_TMP/monitor.err" &
mon=$!
monitor_joined "$mon"
sleep "$secs"
touch "$E2E_TMP/stop"
wait $pids
pids=
# Every event the kernel has sent so far is in the monitor's socket: it
# must print them all (unless it says it lost some), and never more.
sent=$(stat events)
for _ in $(seq 30); do
	[ "$(wc -l <"$E2E_TMP/events.txt")" -ge "$sent" ] && break
	sleep 1
done
kill $mon
wait $mon 2>/dev/null || true
printed=$(wc -l <"$E2E_TMP/events.txt")
[ "$printed" -le "$(stat events)" ] || fail "monitor printed $printed events, kernel sent $(stat events)"
[ "$printed" -ge "$sent" ] || grep -q "events lost" "$E2E_TMP/monitor.err" ||
	fail "monitor printed $printed of $sent events and lost none"
pass "monitor: $printed events printed; kernel: $(stat events) sent, $(stat events_dropped) dropped, $(stat quarantines) quarantines, $(stat releases) releases"
for f in "$E2E_TMP"/*.rounds; do
	n=$(basename "$f" .rounds)
	pass "$n: $(cat "$f") rounds, $(cat "$E2E_TMP/$n.fail") failed"
done
# Every loop ran, and none failed: the floods' sender, the mail client (a
# limited mail is an outcome, not a failure), every smtprlctl call.
for n in flood-zombie flood-v6home mail policy exempt dump netns quarantine; do
	[ "$(cat "$E2E_TMP/$n.rounds")" -ge 1 ] || fail "$n: never ran"
	[ "$(cat "$E2E_TMP/$n.fail")" = 0 ] ||
		fail "$n churn failed: $(sort "$E2E_TMP/$n.err" | uniq -c | head -5)"
done
# The mail was refused or timed out by the limiter, if at all; never
# rejected by the MX or broken.
bad=$(grep -E '^delivered=' "$E2E_TMP/mail.log" |
	awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "rejected" || kv[1] == "error") n += kv[2] } } END { print n + 0 }')
expect_eq "mail under stress: none rejected by the MX or broken" 0 "$bad"
seen=$(stat seen)
flooded=$((FLOOD_SYNS * ($(cat "$E2E_TMP/flood-zombie.rounds") + $(cat "$E2E_TMP/flood-v6home.rounds"))))
pass "$seen SYNs seen in $((SECONDS - start)) s ($flooded flooded), $(stat gc_removed) entries collected, $(stat exempt_expired) exemptions expired"
# The floods reached the hook (veth may drop some when the BRAS lags).
[ "$seen" -ge $((flooded / 2)) ] || fail "the hook saw $seen SYNs of the $flooded flooded"
expect_stats_add_up
# Quarantine churn alone leaves a few entries for GC; the floods leave
# thousands (max-sources at most 5,024).
[ "$(stat gc_removed)" -ge 1000 ] || fail "GC removed $(stat gc_removed) entries, not the floods'"
for ns in stress0 stress1 stress2 stress3; do ip netns del "$ns" 2>/dev/null || true; done

# Still doing its job.
ctl policy set rate 1/hour burst 2 daily off action reject when-full accept
ctl exempt flush
ctl source flush
r=$(mail_from zombie "$(addr4 zombie)" $MXS4 25 4)
expect_eq "after the stress: the burst" 2 "$(outcome delivered "$r")"
expect_eq "after the stress: then refused" 2 "$(outcome refused "$r")"
