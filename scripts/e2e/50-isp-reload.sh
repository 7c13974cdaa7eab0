#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels 6.1 uml
#
# The ISP lab (isp.sh): smtprl.ko unloaded and loaded again five times
# while every subscriber keeps sending (direct, through the relay on 587 and
# 25, IPv4 and IPv6), each time restored from `smtprlctl save` as an
# operator would. The unloads must be clean and the kernel log free of
# splats (scripts/lab/vm-run.sh checks it; on the UML kernel kmemleak scans
# after the last unload), and afterwards smtprl enforces as before.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/isp.sh"
trap isp_down EXIT

# traffic NS ARGS...: mail_from in a loop until $E2E_TMP/stop exists.
traffic() {
	local ns=$1
	shift
	while [ ! -e "$E2E_TMP/stop" ]; do
		nsx "$ns" /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/mail.py" -q \
			"$@" >>"$E2E_TMP/traffic-$ns.log" 2>&1
	done
}

# Configuration as `smtprlctl save` prints it, sorted, without the
# remaining lifetimes of exemptions (they tick).
config() { sed 's/ expires [0-9]*s//' | sort; }

reload_under_traffic() {
	local i pids=() saved r
	isp_fresh rate 10/hour burst 5 daily 20 action reject
	ctl exempt add "$(addr4 customer)" expires 30d comment "customer 4711, own MX"
	ctl exempt add "$(addr4 family)" rate 60/hour burst 15
	saved=$E2E_TMP/smtprl.conf
	ctl save >"$saved"
	# The scenario runs in a subshell: stop the senders however it ends.
	trap 'touch "$E2E_TMP/stop"; wait' EXIT
	traffic zombie "$(addr4 zombie)" $MXS4 25 5 &
	pids+=($!)
	traffic v6home "$(addr6 v6home 11)" $MXS6 25 5 &
	pids+=($!)
	traffic customer "$(addr4 customer)" $MXS4 25 5 &
	pids+=($!)
	traffic family "$(addr4 family)" $RELAY4 587 5 \
		--auth "$RELAY_USER:$RELAY_PASS" &
	pids+=($!)
	traffic family "$(addr6 family)" $RELAY6 25 5 --rcpt user@example.org &
	pids+=($!)
	for i in 1 2 3 4 5; do
		sleep 2
		rmmod smtprl || fail "unload $i under traffic"
		[ -d /proc/net/smtprl ] && fail "/proc/net/smtprl left behind"
		sleep 1
		insmod "$SMTPRL_KO" || fail "load $i under traffic"
		ctl -b "$saved" || fail "restore $i"
		diff <(config <"$saved") <(ctl save | config) ||
			fail "reload $i: configuration not restored"
		pass "reload $i: configuration restored ($(wc -l <"$saved") lines)"
	done
	sleep 2
	touch "$E2E_TMP/stop"
	wait "${pids[@]}"
	pass "traffic ran through 5 unloads: $(cat "$E2E_TMP"/traffic-*.log |
		awk '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); n[kv[1]] += kv[2] } }
		END { printf "%d delivered, %d refused", n["delivered"], n["refused"] }')"
	grep -h 'error=[1-9]' "$E2E_TMP"/traffic-*.log && fail "mail client errors"
	relay_drain
	ctl source flush
	r=$(mail_from zombie "$(addr4 zombie)" $MXS4 25 8)
	expect_eq "after the reloads: the burst" 5 "$(outcome delivered "$r")"
	expect_eq "after the reloads: then refused (reject)" 3 "$(outcome refused "$r")"
	r=$(mail_from customer "$(addr4 customer)" $MXS4 25 8)
	expect_eq "the exempt customer still is" 8 "$(outcome delivered "$r")"
	expect_stats_add_up
}

isp_up
scenario "unload and reload while every subscriber sends" reload_under_traffic
scenarios_done
