#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels 6.12 uml
# lab: time-travel
#
# The loop beyond rate limiting, in the ISP lab (isp.sh): a zombie that
# keeps being limited collects strikes and is quarantined; "smtprlctl -j
# monitor" sees every step; once it stays quiet it is released by itself;
# a subscriber with steady legitimate mail is never quarantined; the
# operator quarantines and releases; a source spraying many networks
# earns fan-out strikes; an event storm from 100,000 sources does not
# stall the box, at most 1,000 events per CPU and second are sent, the
# dropped ones are counted, and a monitor that stops reading is told it
# lost events. The example notifier
# (userspace/smtprl-notify) turns the events into log lines and notices.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/isp.sh"
trap 'monitor_stop; isp_down' EXIT

# 3 strikes a day (slots of 45 min), released after an hour of quiet or a
# day at most: the BRAS recommendation of the admin guide.
POLICY=(rate 10/hour burst 5 daily off action drop strikes 3 strike-window 1d
	release-after 1h quarantine-max 1d event-interval 60s)
SLOT=2700

# events KIND [PREFIX]: how many KIND events the monitor printed.
events() {
	/usr/bin/python3 - "$E2E_TMP/events.json" "$1" "${2:-}" <<'EOF'
import json, sys
n = 0
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == sys.argv[2] and sys.argv[3] in ("", e.get("prefix")):
        n += 1
print(n)
EOF
}

# event_fields KIND FIELD: that field of every KIND event, in order.
event_fields() {
	/usr/bin/python3 - "$E2E_TMP/events.json" "$1" "$2" <<'EOF'
import json, sys
print(" ".join(str(e.get(sys.argv[3], "")) for e in map(json.loads, open(sys.argv[1]))
               if e.get("event") == sys.argv[2]))
EOF
}

# last_event KIND FIELD: a field of the last KIND event.
last_event() {
	/usr/bin/python3 - "$E2E_TMP/events.json" "$1" "$2" <<'EOF'
import json, sys
v = ""
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e.get("event") == sys.argv[2]:
        v = e.get(sys.argv[3], "")
print(v)
EOF
}

# Sleep into the start of the next strike slot, so a round of mail never
# straddles two slots.
next_slot() {
	local now
	now=$(cut -d. -f1 /proc/uptime)
	lab_sleep $((SLOT - now % SLOT + 2))
}

src_field() { "$SMTPRL_TOP/userspace/smtprlctl" -j source show "$1" | json "d[\"$2\"]"; }

# src_state ADDR: its state, or "untracked" once GC has forgotten it.
src_state() {
	"$SMTPRL_TOP/userspace/smtprlctl" -j source show "$1" 2>/dev/null |
		json 'd["state"]' 2>/dev/null || echo untracked
}

zombie_quarantined_and_released() {
	local z f r round
	isp_fresh "${POLICY[@]}"
	monitor_start
	z=$(addr4 zombie) f=$(addr4 family)
	for round in 1 2 3; do
		next_slot
		r=$(mail_from zombie "$z" $MXS4 25 8)
		expect_eq "round $round: the zombie's burst" 5 "$(outcome delivered "$r")"
		r=$(mail_from family "$f" $MXS4 25 2)
		expect_eq "round $round: the family's mail" 2 "$(outcome delivered "$r")"
	done
	expect_eq "the zombie: state" quarantined "$(src_field "$z" state)"
	expect_eq "the zombie: cause" strikes "$(src_field "$z" cause)"
	expect_eq "the zombie: strikes" 3 "$(src_field "$z" strikes)"
	expect_eq "the family: state" normal "$(src_field "$f" state)"
	expect_eq "stats quarantines" 1 "$(stat quarantines)"
	expect_eq "stats quarantined_now" 1 "$(stat quarantined_now)"
	# Half an hour later its bucket is full again, but it stays shut.
	lab_sleep 1800
	r=$(mail_from zombie "$z" $MXS4 25 3)
	expect_eq "quarantined: delivered although the bucket is full" 0 "$(outcome delivered "$r")"
	expect_eq "stats quarantine_refused" 5 "$(stat quarantine_refused)"
	# Events: limited in rounds 1 and 2, quarantined in round 3.
	expect_eq "monitor: limited events for the zombie" 2 "$(events limited "$z/32")"
	expect_eq "monitor: quarantined events" 1 "$(events quarantined "$z/32")"
	expect_eq "monitor: quarantined cause" strikes "$(last_event quarantined cause)"
	expect_eq "monitor: nothing about the family" 0 "$(events limited "$f/32")"
	# An hour of quiet (and a GC pass) releases it, without its help.
	lab_sleep 3605
	expect_eq "monitor: released events" 1 "$(events released "$z/32")"
	expect_eq "monitor: released because" quiet "$(last_event released release)"
	expect_eq "monitor: refused while quarantined" 5 "$(last_event released refused)"
	# Released with its strikes forgotten: GC may forget it too.
	expect_eq "the zombie: not quarantined" 0 \
		"$(src_state "$z" | grep -c quarantined || true)"
	r=$(mail_from zombie "$z" $MXS4 25 3)
	expect_eq "released: mail flows again" 3 "$(outcome delivered "$r")"
	expect_eq "stats releases" 1 "$(stat releases)"
	expect_eq "stats quarantined_now" 0 "$(stat quarantined_now)"
	monitor_stop
	# The notifier: a log line and a notice per quarantine and release.
	printf '%s/32 zombie-household abuse+4711@isp.example\n' "$z" >"$E2E_TMP/subs"
	/usr/bin/python3 "$SMTPRL_TOP/userspace/smtprl-notify" --spool "$E2E_TMP/spool" \
		--log "$E2E_TMP/notify.log" --subscribers "$E2E_TMP/subs" <"$E2E_TMP/events.json"
	grep -q "quarantined $z/32 (zombie-household) cause=strikes strikes=3" "$E2E_TMP/notify.log" ||
		fail "notifier log: $(cat "$E2E_TMP/notify.log")"
	grep -q "released $z/32 (zombie-household) release=quiet refused=5" "$E2E_TMP/notify.log" ||
		fail "notifier log: $(cat "$E2E_TMP/notify.log")"
	expect_eq "notices written" 2 "$(ls "$E2E_TMP/spool" | wc -l)"
	grep -q "^To: abuse+4711@isp.example" "$E2E_TMP/spool/"*quarantined.txt ||
		fail "quarantine notice: $(cat "$E2E_TMP/spool/"*quarantined.txt)"
	pass "notifier: $(cat "$E2E_TMP/notify.log" | tr '\n' ';')"
	expect_stats_add_up
}

# Mail every 20 minutes for six hours, never over the rate: no strike,
# even with the strictest setting (one strike quarantines).
steady_sender_never_quarantined() {
	local f r i delivered=0
	isp_fresh rate 10/hour burst 5 daily off strikes 1 strike-window 1d
	f=$(addr4 family)
	for i in $(seq 18); do
		[ "$i" = 1 ] || lab_sleep 1200
		r=$(mail_from family "$f" $MXS4 25 3)
		delivered=$((delivered + $(outcome delivered "$r")))
	done
	expect_eq "54 mails over 6 hours: delivered" 54 "$delivered"
	expect_eq "the family: state" normal "$(src_field "$f" state)"
	expect_eq "the family: strikes" 0 "$(src_field "$f" strikes)"
	expect_eq "stats quarantines" 0 "$(stat quarantines)"
}

# The operator quarantines (even with quarantine off in the policy) and
# releases; a quarantine for 10 minutes ends by itself.
operator() {
	local c r
	isp_fresh rate 10/hour burst 5
	monitor_start
	c=$(addr4 customer)
	ctl source quarantine "$c" for 2h
	r=$(mail_from customer "$c" $MXS4 25 3)
	expect_eq "operator quarantine: delivered" 0 "$(outcome delivered "$r")"
	expect_eq "cause" operator "$(src_field "$c" cause)"
	[ "$(src_field "$c" remaining_s)" -le 7200 ] || fail "remaining_s over 2 h"
	ctl source release "$c"
	r=$(mail_from customer "$c" $MXS4 25 3)
	expect_eq "released by the operator: delivered" 3 "$(outcome delivered "$r")"
	ctl source release "$c" 2>/dev/null && fail "releasing twice succeeded"
	ctl source quarantine "$c" for 10m
	lab_sleep 610
	expect_eq "10 minutes later: not quarantined" 0 "$(src_state "$c" | grep -c quarantined || true)"
	# Forgetting a quarantined source ends its quarantine too.
	ctl source quarantine "$c"
	ctl source reset "$c"
	expect_eq "reset: untracked" untracked "$(src_state "$c")"
	monitor_stop
	expect_eq "monitor: quarantined causes" "operator operator operator" \
		"$(event_fields quarantined cause)"
	expect_eq "monitor: release reasons" "operator timeout gone" \
		"$(event_fields released release)"
	expect_eq "stats: quarantines, releases" "3 3" "$(stat quarantines) $(stat releases)"
}

# A persistent zombie never goes quiet: out after quarantine-max. An
# exemption overrides a quarantine while it lasts.
persistent_and_exempt() {
	local z r t
	isp_fresh rate 10/hour burst 2 daily off strikes 1 quarantine-max 2h
	monitor_start
	z=$(addr4 zombie)
	r=$(mail_from zombie "$z" $MXS4 25 3)
	expect_eq "one strike quarantines: state" quarantined "$(src_field "$z" state)"
	for t in 1 2 3; do
		lab_sleep 1800
		mail_from zombie "$z" $MXS4 25 1 >/dev/null
	done
	expect_eq "knocking every 30 min for 1.5 h: state" quarantined "$(src_field "$z" state)"
	ctl exempt add "$z" expires 10m comment "support call 99"
	r=$(mail_from zombie "$z" $MXS4 25 2)
	expect_eq "exempt while quarantined: delivered" 2 "$(outcome delivered "$r")"
	lab_sleep 1830
	expect_eq "after 2 h: not quarantined" 0 "$(src_state "$z" | grep -c quarantined || true)"
	monitor_stop
	expect_eq "monitor: released because" timeout "$(last_event released release)"
	expect_eq "monitor: exempt-expired" 1 "$(events exempt-expired "$z/32")"
	expect_eq "monitor: exempt-expired comment" "support call 99" "$(last_event exempt-expired comment)"
}

# Port-25 connections to 40 different /24s in one slot: fan-out strikes.
fanout() {
	local z f
	isp_fresh rate 100/hour burst 100 daily off strikes 1 fanout-limit 20
	z=$(addr4 zombie)
	nsx zombie /usr/bin/python3 - <<'EOF'
import socket
for n in range(40):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((f"198.18.{n}.1", 25))
    s.close()
EOF
	sleep 1
	expect_eq "fan-out: state" quarantined "$(src_field "$z" state)"
	expect_eq "fan-out: cause" fanout "$(src_field "$z" cause)"
	# Refused attempts count too: all 40. Linear counting over 64 bits
	# puts 40 within 25..60 (four standard errors).
	f=$(src_field "$z" fanout)
	[ "$f" -ge 25 ] && [ "$f" -le 60 ] || fail "fan-out estimate for 40 networks: $f"
	pass "fan-out estimate for 40 networks: $f"
}

# 100,000 spoofed sources, each limited once: events are capped per CPU
# and second, the rest counted as dropped; the box keeps working.
# A slow listener (a monitor that stopped reading) is told it lost events.
event_storm() {
	local e0 d0 e1 d1 t0 t1 cap r round drops
	isp_fresh rate 1/day burst 1 daily off max-sources 200000 event-interval 1h
	ctl scope flush
	monitor_start
	zombie_flood 100000 4711
	e0=$(stat events) d0=$(stat events_dropped)
	t0=$(date +%s.%N)
	zombie_flood 100000 4711
	t1=$(date +%s.%N)
	e1=$(stat events) d1=$(stat events_dropped)
	expect_eq "100,000 sources limited once" 100000 "$(($(stat limited)))"
	expect_eq "events sent + dropped" 100000 $((e1 - e0 + d1 - d0))
	# At most SMTPRL_EVENTS_PER_CPU_SEC (1000) per CPU in each second the
	# flood touched: the kernel's seconds are boot-time ones, whose
	# boundaries fall anywhere in the wall clock's, so a flood within
	# one wall-clock second may touch two of them (2000 sent, once).
	cap=$((1000 * $(nproc) * (${t1%.*} - ${t0%.*} + 2)))
	[ $((e1 - e0)) -le "$cap" ] || fail "$((e1 - e0)) events sent, the budget allows $cap"
	[ $((d1 - d0)) -gt 0 ] || fail "no event dropped: the budget did not hold"
	pass "event storm: $((e1 - e0)) sent (at most $cap), $((d1 - d0)) dropped, flood ${t0} to ${t1}"
	r=$(mail_from family "$(addr4 family)" $MXS4 25 1)
	expect_eq "the box still carries mail" 1 "$(outcome delivered "$r")"
	monitor_stop
	[ "$(events limited)" -le $((e1 - e0)) ] || fail "monitor saw more than was sent"
	pass "monitor printed $(events limited) limited events"

	# The slow listener: stopped while its receive buffer fills up, in
	# rounds of 2,000 new sources a second, until the kernel drops one.
	monitor_start
	kill -STOP "$MON_PID"
	for round in $(seq 60); do
		zombie_flood 2000 $((5000 + round))
		zombie_flood 2000 $((5000 + round))
		drops=$(nl_sock "$MON_PID" drops)
		[ "${drops:-0}" -gt 0 ] && break
		lab_sleep 1
	done
	[ "${drops:-0}" -gt 0 ] || fail "the stopped monitor's socket never overflowed"
	kill -CONT "$MON_PID"
	for _ in $(seq 100); do
		grep -q "events lost" "$E2E_TMP/monitor.err" && break
		sleep 0.1
	done
	grep -q "monitor: events lost (receive buffer full)" "$E2E_TMP/monitor.err" ||
		fail "the slow monitor was not told: $(cat "$E2E_TMP/monitor.err")"
	pass "slow monitor: $drops events dropped after $round rounds, and it says so"
	monitor_stop
	expect_stats_add_up
}

# zombie_flood N SEED: N SYNs from N spoofed sources (the same for a seed).
zombie_flood() {
	nsx zombie "$SMTPRL_TOP/build/synflood" line0 \
		"$(cat /sys/class/net/b-zombie/address)" 192.0.2.99 "$1" "$2" >/dev/null ||
		fail "synflood $1 $2"
}

isp_up
scenario "a zombie is quarantined, the monitor sees it, it goes quiet and is released" \
	zombie_quarantined_and_released
scenario "steady legitimate mail is never quarantined" steady_sender_never_quarantined
scenario "the operator quarantines and releases" operator
scenario "a persistent zombie is released at quarantine-max; exemptions win" persistent_and_exempt
scenario "destination fan-out earns strikes" fanout
scenario "an event storm from 100,000 sources" event_storm
scenarios_done
