#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: time-travel
#
# The demo, inside the lab VM (see scripts/lab/demo.sh): the ISP lab of
# scripts/e2e/isp.sh, narrated. The VM is the BRAS. Everything printed is
# read from the running lab. The guest's clock skips idle time, so "an
# hour later" takes no real time.
. "$(dirname "$0")/../e2e/lib.sh"
. "$(dirname "$0")/../e2e/isp.sh"
trap isp_down EXIT

. "$(dirname "$0")/demo-lib.sh"

# tell SUMMARY: a mail.py summary line in words.
tell() {
	local w=() k n
	for k in delivered refused timeout rejected error; do
		n=$(outcome $k "$1")
		[ "$n" = 0 ] && continue
		case $k in
		delivered) w+=("$n delivered") ;;
		refused)   w+=("$n refused at once") ;;
		timeout)   w+=("$n timed out") ;;
		rejected)  w+=("$n rejected by the server") ;;
		error)     w+=("$n failed") ;;
		esac
	done
	local IFS=,
	echo "  -> ${w[*]}" | sed 's/,/, /g'
}

cat <<'TOPO'
smtprl demo: an ISP's access router (BRAS) with smtprl, four subscriber
lines, the ISP's mail relay (a real Postfix) and the world's mail servers
(Postfix smtp-sink), all in network namespaces of one VM.

  zombie    10.1.0.2   (an infected PC)          --+
  customer  10.1.1.2   (runs its own mail server) --+-- BRAS ---- MXs 192.0.2.25-27
  v6home    2001:db8:100:2::10-17 (one /64)      --+  smtprl        2001:db8:300::25-27
  family    10.1.3.2   (mails via the ISP relay) --+   |
                                                       +------- relay 10.2.0.25 (587 with AUTH)
TOPO
echo
echo "setting up the lab (kernel $(uname -r))..."
isp_up >/dev/null
isp_fresh rate 10/hour burst 5 daily 20 action reject >/dev/null
mx0=$(mx_count 25)

say "the ISP's policy: per subscriber, 5 new port-25 connections at once, then 10 an hour, at most 20 a day; beyond that, refuse (the client fails at once)"
run ctl policy show
run ctl scope list
run ctl relay list

say "the zombie sends 12 mails straight to the MXs"
tell "$(mail_from zombie "$(addr4 zombie)" $MXS4 25 12)"

say "the zombie's owner sends 5 mails through the ISP relay (port 587, logged in): untouched"
tell "$(mail_from zombie "$(addr4 zombie)" $RELAY4 587 5 --auth "$RELAY_USER:$RELAY_PASS")"
relay_drain
echo "  (the relay handed them on to the MXs on port 25: its own connections are outside the subscriber prefixes)"

say "the customer runs a mail server and opted in: exempt for 30 days"
run ctl exempt add "$(addr4 customer)" expires 30d comment "customer 4711, own MX"
tell "$(mail_from customer "$(addr4 customer)" $MXS4 25 20)"

say "an IPv6 zombie rotates through 8 addresses of its /64, 3 mails each"
sum=0
for a in 10 11 12 13 14 15 16 17; do
	r=$(mail_from v6home "$(addr6 v6home $a)" $MXS6 25 3)
	sum=$((sum + $(outcome delivered "$r")))
done
echo "  -> $sum of 24 delivered: the /64 is one subscriber"

say "an hour later (the lab's clock skips idle time): the zombie tries 12 more"
lab_sleep 3600
tell "$(mail_from zombie "$(addr4 zombie)" $MXS4 25 12)"

say "the ISP turns on quarantine: limited in 3 distinct 45-minute slots of a day shuts a source out, an hour of quiet lets it back; the NOC watches the events"
run ctl policy set strikes 3 strike-window 1d release-after 1h quarantine-max 1d
"$SMTPRL_TOP/userspace/smtprlctl" -j monitor >"$E2E_TMP/events.json" &
mon=$!
sleep 0.5
z=$(addr4 zombie)

say "the zombie keeps trying, 12 mails every 45 minutes: each slot it is limited in is a strike, the third quarantines it"
for slot in 1 2 3; do
	lab_sleep 2700
	tell "$(mail_from zombie "$z" $MXS4 25 12)"
	echo "  strikes: $(ctl -j source show "$z" | json 'd["strikes"]')"
done
run ctl source show "$z"

say "half an hour later its bucket would allow 5 again, but it is quarantined"
lab_sleep 1800
tell "$(mail_from zombie "$z" $MXS4 25 3)"

say "its owner cleans the PC; an hour of quiet later smtprl releases it by itself"
lab_sleep 3605
tell "$(mail_from zombie "$z" $MXS4 25 3)"
kill $mon
wait $mon 2>/dev/null || true
echo "  what smtprlctl -j monitor saw, turned into log lines and notices by userspace/smtprl-notify:"
printf '%s/32 zombie-household abuse+4711@isp.example\n' "$z" >"$E2E_TMP/subs"
/usr/bin/python3 "$SMTPRL_TOP/userspace/smtprl-notify" --spool "$E2E_TMP/spool" \
	--subscribers "$E2E_TMP/subs" <"$E2E_TMP/events.json" | sed 's/^/  /'
echo "  the notice to the subscriber:"
sed -n '1,8p' "$E2E_TMP/spool/"*quarantined.txt | sed 's/^/  | /'

say "the zombie floods 50,000 SYNs from spoofed addresses of its own prefix at a table capped at 2,000 sources"
ctl policy set max-sources 2000
nsx zombie "$SMTPRL_TOP/build/synflood" line0 "$(cat /sys/class/net/b-zombie/address)" \
	192.0.2.99 50000 1 10.1.0.0/16 | sed 's/^/  /'
echo "  -> table: $(stat entries) sources tracked, $(stat table_full) SYNs found it full (when-full accept: counted, not tracked)"
echo "  the subscribers smtprl knew keep their state; the zombie is still limited:"
tell "$(mail_from zombie "$(addr4 zombie)" $MXS4 25 3)"

say "messages the MXs received in all: $(($(mx_count 25) - mx0))"

say "what smtprl shows: the top sources by connections limited"
run ctl source list top 5 sort limited
say "exemptions"
run ctl exempt list
say "/proc/net/smtprl/stats (no tool needed)"
column -t /proc/net/smtprl/stats | sed 's/^/  /'
say "done: smtprlctl(8) and Documentation/admin-guide.md say more"
