# SPDX-License-Identifier: GPL-2.0
# The ISP lab: subscribers, a BRAS, the ISP's mail relay and "the internet",
# with real mail software. Sourced by scripts/e2e/4*.sh and the demo, inside
# a lab VM (scripts/lab/vm-run.sh), after lib.sh.
#
#  subscriber lines (one namespace each)      BRAS (the lab VM itself)
#                                             smtprl.ko at PREROUTING
#  zombie    10.1.0.2  2001:db8:100:0::2 --b-zombie--+
#  customer  10.1.1.2  2001:db8:100:1::2 --b-customer+  scope: 10.1.0.0/16
#  v6home    10.1.2.2  2001:db8:100:2::10-17 -b-v6home+         2001:db8:100::/48
#  family    10.1.3.2  2001:db8:100:3::2 --b-family--+  relay: 10.2.0.25
#                                                    |         2001:db8:200::25
#        ISP services  relay 10.2.0.25  2001:db8:200::25 --b-relay--+
#          (Postfix: 587 with SMTP AUTH, 25 for the subscriber     |
#           prefixes; delivers on 25 to the MXs)                   |
#        the internet  inet  192.0.2.25-27  2001:db8:300::25-27 --b-inet
#          (Postfix smtp-sink on 25: the world's MXs)
#
# Each subscriber has its own link and prefixes, as on a BRAS (a PPPoE or
# IPoE session each). "v6home" has eight addresses in its /64; "customer"
# runs its own mail server and opts in to an exemption; "family" sends
# its mail through the ISP's relay.

SUBSCRIBERS="zombie customer v6home family"
E2E_NS="$SUBSCRIBERS relay inet"
SCOPE4=10.1.0.0/16
SCOPE6=2001:db8:100::/48
RELAY4=10.2.0.25
RELAY6=2001:db8:200::25
MXS4=192.0.2.25,192.0.2.26,192.0.2.27
MXS6=2001:db8:300::25,2001:db8:300::26,2001:db8:300::27
MX4=192.0.2.25
MX6=2001:db8:300::25
RELAY_USER=family@isp.example
RELAY_PASS=lab-secret
RELAY_DIR=$E2E_TMP/relay

# addr4 SUBSCRIBER / addr6 SUBSCRIBER [HOST]: a subscriber's addresses.
sub_index() {
	local i=0 s
	for s in $SUBSCRIBERS; do
		[ "$s" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	fail "no subscriber $1"
}
addr4() { echo "10.1.$(sub_index "$1").2"; }
addr6() { echo "2001:db8:100:$(sub_index "$1")::${2:-2}"; }

# link_up NS BRAS-IF NS-IF ADDR4/LEN GW4 ADDR6/LEN GW6: one line to the BRAS.
link_up() {
	local ns=$1 bif=$2 nif=$3
	ip netns add "$ns"
	nsx "$ns" ip link set lo up
	ip link add "$bif" type veth peer name "$nif" netns "$ns"
	ip addr add "$5/${4#*/}" dev "$bif"
	ip addr add "$7/${6#*/}" dev "$bif" nodad
	ip link set "$bif" up
	nsx "$ns" ip addr add "$4" dev "$nif"
	nsx "$ns" ip addr add "$6" dev "$nif" nodad
	nsx "$ns" ip link set "$nif" up
	nsx "$ns" ip route add default via "$5"
	nsx "$ns" ip -6 route add default via "$7"
}

# Under qemu's -icount sleep=off the guest clock jumps to the next timer
# whenever the guest waits, including for the host (an open() over 9p, which
# every program start does): with nothing but a client's 3 s timeout or the
# 1 s GC pending, one such wait can cost a second of guest time, and a
# Python start a minute. A process that wakes every 2 ms bounds each jump
# to 2 ms; lab_sleep stops it while the lab sleeps on purpose.
ticker_start() {
	[ "${SMTPRL_KERNEL%-bench}" = uml ] && return
	/usr/bin/python3 -c 'import time
while True:
    time.sleep(0.002)' &
	E2E_TICKER=$!
}

# lab_sleep SECONDS: let guest time pass (none of it real, on a
# time-travel clock).
lab_sleep() {
	[ -n "${E2E_TICKER:-}" ] && kill -STOP "$E2E_TICKER"
	sleep "$1"
	[ -n "${E2E_TICKER:-}" ] && kill -CONT "$E2E_TICKER"
	return 0
}

# isp_up [--no-relay]: the lab; --no-relay: without the ISP's Postfix
# relay (starting Postfix costs minutes on the debug kernels), for tests
# whose mail goes direct to the MXs.
isp_up() {
	local s i a relay=1
	[ "${1:-}" = --no-relay ] && relay=0
	ticker_start
	for s in $SUBSCRIBERS; do
		i=$(sub_index "$s")
		link_up "$s" "b-$s" line0 "10.1.$i.2/24" "10.1.$i.1" \
			"2001:db8:100:$i::2/64" "2001:db8:100:$i::1"
		syn_once "$s"
	done
	for i in 10 11 12 13 14 15 16 17; do
		nsx v6home ip addr add "2001:db8:100:2::$i/64" dev line0 nodad
	done
	link_up relay b-relay eth0 $RELAY4/24 10.2.0.1 $RELAY6/64 2001:db8:200::1
	link_up inet b-inet eth0 192.0.2.25/24 192.0.2.1 \
		2001:db8:300::25/64 2001:db8:300::1
	for a in 26 27; do
		nsx inet ip addr add 192.0.2.$a/24 dev eth0
		nsx inet ip addr add 2001:db8:300::$a/64 dev eth0 nodad
	done
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	mx_start 25
	[ "$relay" = 0 ] || relay_start
	isp_prime "$relay"
}

# isp_prime: one message along every path before any scenario, so every
# program and daemon involved is in the page cache and running (under a
# time-travelling clock, a read from the host would let the guest's clock
# jump to the next timer while a client waits).
isp_prime() {
	local s
	for s in zombie v6home; do
		mail_from "$s" "$(addr4 "$s")" $MX4 25 1 10 >/dev/null
		mail_from "$s" "$(addr6 "$s")" $MX6 25 1 10 >/dev/null
	done
	ctl stats >/dev/null
	if [ "${1:-1}" = 0 ]; then
		[ "$(mx_count 25)" = 4 ] || fail "lab: expected 4 primed messages on the MXs, got $(mx_count 25)"
		pass "lab: mail flows direct to the MXs over v4 and v6 (no relay in this test)"
		return
	fi
	mail_from family "$(addr4 family)" $RELAY4 587 1 10 \
		--auth "$RELAY_USER:$RELAY_PASS" --rcpt user@example.org >/dev/null
	mail_from family "$(addr6 family)" $RELAY6 25 1 10 >/dev/null
	relay_drain
	[ "$(mx_count 25)" = 6 ] || fail "lab: expected 6 primed messages on the MXs, got $(mx_count 25)"
	pass "lab: mail flows on every path (direct v4/v6, relay 587 with AUTH, relay 25)"
}

isp_down() {
	[ -n "${E2E_TICKER:-}" ] && kill -9 "$E2E_TICKER" 2>/dev/null
	[ -d "$RELAY_DIR/etc" ] &&
		nsx relay postfix -c "$RELAY_DIR/etc" stop >/dev/null 2>&1
	topology_down
	local s
	for s in $SUBSCRIBERS relay inet; do
		ip link del "b-$s" 2>/dev/null || true
	done
}

# The ISP's relay: a real Postfix. Port 587 takes mail from anyone who logs
# in (SMTP AUTH, Cyrus SASL with a sasldb); port 25 from the subscriber
# prefixes (the classic ISP smarthost). Mail for example.net/.com/.org
# goes out on port 25 to the MXs on the "internet" side, across the BRAS.
relay_start() {
	local d=$RELAY_DIR
	mkdir -p "$d/etc/sasl" "$d/spool" "$d/lib"
	chown postfix "$d/lib"
	cat >"$d/etc/main.cf" <<-EOF
		compatibility_level = 3.6
		queue_directory = $d/spool
		data_directory = $d/lib
		maillog_file = $d/maillog
		maillog_file_prefixes = $d
		myhostname = relay.isp.example
		mydomain = isp.example
		mydestination =
		local_recipient_maps =
		alias_maps =
		alias_database =
		inet_protocols = all
		mynetworks = 127.0.0.0/8, $SCOPE4, [${SCOPE6%/*}]/${SCOPE6#*/}
		smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
		transport_maps = inline:{example.net=smtp:[192.0.2.25], example.com=smtp:[192.0.2.26], example.org=smtp:[ipv6:2001:db8:300::27]}
		smtp_tls_security_level = none
		smtpd_tls_security_level = none
		smtputf8_enable = no
		smtpd_peername_lookup = no
		max_idle = 30d
		max_use = 1000000
		smtp_dns_support_level = disabled
		biff = no
		cyrus_sasl_config_path = $d/etc/sasl
		smtpd_sasl_security_options = noanonymous
	EOF
	# Postfix's own daemons, none chrooted (the lab root is read-only).
	cat >"$d/etc/master.cf" <<-'EOF'
		smtp       inet  n - n - - smtpd
		submission inet  n - n - - smtpd
		  -o smtpd_sasl_auth_enable=yes
		  -o smtpd_client_restrictions=permit_sasl_authenticated,reject
		  -o smtpd_relay_restrictions=permit_sasl_authenticated,reject
		pickup     unix  n - n 60 1 pickup
		cleanup    unix  n - n - 0 cleanup
		qmgr       unix  n - n 300 1 qmgr
		rewrite    unix  - - n - - trivial-rewrite
		bounce     unix  - - n - 0 bounce
		defer      unix  - - n - 0 bounce
		trace      unix  - - n - 0 bounce
		verify     unix  - - n - 1 verify
		flush      unix  n - n 1000? 0 flush
		proxymap   unix  - - n - - proxymap
		smtp       unix  - - n - - smtp
		relay      unix  - - n - - smtp
		showq      unix  n - n - - showq
		error      unix  - - n - - error
		retry      unix  - - n - - error
		discard    unix  - - n - - discard
		anvil      unix  - - n - 1 anvil
		scache     unix  - - n - 1 scache
		postlog    unix-dgram n - n - 1 postlogd
	EOF
	cat >"$d/etc/sasl/smtpd.conf" <<-EOF
		pwcheck_method: auxprop
		auxprop_plugin: sasldb
		sasldb_path: $d/etc/sasldb2
		mech_list: PLAIN LOGIN
	EOF
	echo "$RELAY_PASS" | saslpasswd2 -p -c -f "$d/etc/sasldb2" \
		-u "${RELAY_USER#*@}" "${RELAY_USER%@*}"
	chown root:postfix "$d/etc/sasldb2"
	chmod 640 "$d/etc/sasldb2"
	nsx relay postfix -c "$d/etc" start >"$d/start.log" 2>&1 ||
		fail "relay: postfix did not start: $(cat "$d/start.log" "$d/maillog" 2>/dev/null)"
	wait_port relay 587
	wait_port relay 25
}

# relay_drain: wait until the relay has handed every message on.
relay_drain() {
	local i
	for i in $(seq 600); do
		nsx relay postqueue -c "$RELAY_DIR/etc" -p 2>/dev/null |
			grep -q 'Mail queue is empty' && return 0
		nsx relay postqueue -c "$RELAY_DIR/etc" -f 2>/dev/null
		sleep 1
	done
	fail "relay queue not empty: $(nsx relay postqueue -c "$RELAY_DIR/etc" -p)"
}

# mail_from NS SRC DST[,DST...] PORT COUNT [mail.py options]: real SMTP sessions
# from a subscriber line; the summary line goes to stdout, the per-mail log
# to $E2E_TMP/mail.log.
mail_from() {
	local ns=$1
	shift
	local out rc=0
	out=$(mktemp "$E2E_TMP/mail.XXXXXX")
	nsx "$ns" /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/mail.py" "$@" \
		>"$out" || rc=$?
	cat "$out" >>"$E2E_TMP/mail.log"
	tail -n 1 "$out"
	rm -f "$out"
	# mail.py's status: it fails only when it could not run at all.
	return "$rc"
}

# delivered/refused/timeout SUMMARY: one count of a mail summary line.
outcome() { sed -n "s/.*\\<$1=\\([0-9]*\\).*/\\1/p" <<<"$2"; }

# In a control run (no module) configuration fails quietly, so that each
# scenario fails on what the subscribers' mail did, not on smtprlctl.
ctl() {
	"$SMTPRL_TOP/userspace/smtprlctl" "$@" ||
		{ [ "${SMTPRL_CONTROL:-0}" = 1 ] && return 0; }
}

# isp_fresh [POLICY...]: smtprl as an ISP would configure it on this BRAS:
# a fresh module, the subscriber prefixes as scope, the relay allowlisted,
# then "policy set POLICY".
isp_fresh() {
	smtprl_reload
	ctl scope add $SCOPE4
	ctl scope add $SCOPE6
	ctl relay add $RELAY4
	ctl relay add $RELAY6
	[ $# = 0 ] || ctl policy set "$@"
}

# scenario NAME FUNCTION: run one scenario in a subshell; a failure is
# recorded and the next scenario still runs.
E2E_SCEN_PASSED=0 E2E_SCEN_FAILED=0
scenario() {
	local name=$1 fn=$2 status
	printf '\n=== scenario: %s\n' "$name"
	: >"$E2E_TMP/mail.log"
	set +e
	(set -e; "$fn")
	status=$?
	set -e
	if [ "$status" = 0 ]; then
		E2E_SCEN_PASSED=$((E2E_SCEN_PASSED + 1))
		echo "=== PASS $name"
	else
		E2E_SCEN_FAILED=$((E2E_SCEN_FAILED + 1))
		echo "=== FAIL $name"
		# Everything the scenario's mail saw, and what the kernel
		# counted, to tell a flaw of the test from one of smtprl.
		sed 's/^/    mail: /' "$E2E_TMP/mail.log" | tail -n 300
		sed 's/^/    stats: /' /proc/net/smtprl/stats 2>/dev/null | tr '\n' ' '
		echo
		sed 's/^/    sources: /' /proc/net/smtprl/sources 2>/dev/null | head -n 20
	fi
}

scenarios_done() {
	echo
	echo "scenarios: $E2E_SCEN_PASSED passed, $E2E_SCEN_FAILED failed"
	[ "$E2E_SCEN_FAILED" = 0 ]
}
