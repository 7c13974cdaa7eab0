# SPDX-License-Identifier: GPL-2.0
# Helpers for end-to-end scripts; sourced inside a lab VM (scripts/lab/vm-run.sh).
#
# The lab topology, in network namespaces:
#
#   [sub] sub0 ----- bras-sub [BRAS] bras-inet ----- inet0 [inet]
#   10.0.1.2-9/24            10.0.1.1      10.0.2.1           10.0.2.25 (MX, smtp-sink)
#   2001:db8:1::2-9/64       2001:db8:1::1 2001:db8:2::1      2001:db8:2::25
#
# "sub" is a subscriber line (several addresses, so one namespace can play
# several hosts), the BRAS is the lab VM itself (the initial namespace,
# where smtprl.ko enforces from load), "inet" the world's mail servers.

set -euo pipefail

E2E_NS="sub inet"
MX4=10.0.2.25
MX6=2001:db8:2::25
E2E_TMP=$(mktemp -d /tmp/e2e.XXXXXX)
chmod 755 "$E2E_TMP"

# nsx NS CMD...: run CMD in namespace NS; "bras" is the initial namespace.
nsx() {
	local ns=$1
	shift
	if [ "$ns" = bras ]; then
		"$@"
	else
		ip netns exec "$ns" "$@"
	fi
}

fail() {
	echo "FAIL: $*" >&2
	if [ -s "$E2E_TMP/swaks.log" ]; then
		echo "--- last SMTP client errors:" >&2
		tail -5 "$E2E_TMP/swaks.log" >&2
	fi
	exit 1
}
pass() { echo "ok: $*"; }

# nl_sock PID FIELD: the Groups (the first 32 multicast groups, hex) or
# Drops column of /proc/net/netlink for PID's generic netlink socket.
nl_sock() {
	local inodes
	inodes=" $(for fd in /proc/"$1"/fd/*; do readlink "$fd"; done 2>/dev/null |
		sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')"
	awk -v ino="$inodes" -v f="$2" \
		'NR > 1 && $2 == 16 && index(ino, " " $10 " ") { print (f == "groups" ? $4 : $9) }' \
		/proc/net/netlink
}

# monitor_joined PID: wait until "smtprlctl monitor" at PID has joined
# the events group (an event sent before that reaches nobody).
monitor_joined() {
	local i
	for i in $(seq 100); do
		case $(nl_sock "$1" groups) in
		'' | 00000000) sleep 0.1 ;;
		*) return 0 ;;
		esac
	done
	fail "monitor $1 did not join the events group in 10 s"
}

# monitor_start: "smtprlctl -j monitor" into $E2E_TMP/events.json, joined
# before this returns; monitor_stop ends it (a stopped one too). A script
# that uses them traps monitor_stop on EXIT.
MON_PID=
monitor_start() {
	"$SMTPRL_TOP/userspace/smtprlctl" -j monitor >"$E2E_TMP/events.json" \
		2>"$E2E_TMP/monitor.err" &
	MON_PID=$!
	monitor_joined "$MON_PID"
}
monitor_stop() {
	[ -n "$MON_PID" ] || return 0
	kill "$MON_PID" 2>/dev/null || true
	kill -CONT "$MON_PID" 2>/dev/null || true
	wait "$MON_PID" 2>/dev/null || true
	MON_PID=
}

# event_fields KIND FIELD: that field of every KIND event the monitor
# printed, in order.
event_fields() {
	/usr/bin/python3 - "$E2E_TMP/events.json" "$1" "$2" <<'EOF'
import json, sys
print(" ".join(str(e.get(sys.argv[3], "")) for e in map(json.loads, open(sys.argv[1]))
               if e.get("event") == sys.argv[2]))
EOF
}

# sub_json NAME EXPR: EXPR (json's d) on "smtprlctl -j subscriber show NAME".
sub_json() { "$SMTPRL_TOP/userspace/smtprlctl" -j subscriber show "$1" | json "$2"; }

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: expected $2, got $3"
	pass "$1 = $3"
}

topology_up() {
	local ns i
	for ns in $E2E_NS; do
		ip netns add "$ns"
		nsx "$ns" ip link set lo up
	done
	ip link add sub0 netns sub type veth peer name bras-sub
	ip link add bras-inet type veth peer name inet0 netns inet

	for i in 2 3 4 5 6 7 8 9; do
		nsx sub ip addr add 10.0.1.$i/24 dev sub0
		nsx sub ip addr add 2001:db8:1::$i/64 dev sub0 nodad
	done
	nsx sub ip link set sub0 up
	nsx sub ip route add default via 10.0.1.1
	nsx sub ip -6 route add default via 2001:db8:1::1

	nsx bras ip addr add 10.0.1.1/24 dev bras-sub
	nsx bras ip addr add 2001:db8:1::1/64 dev bras-sub nodad
	nsx bras ip addr add 10.0.2.1/24 dev bras-inet
	nsx bras ip addr add 2001:db8:2::1/64 dev bras-inet nodad
	nsx bras ip link set bras-sub up
	nsx bras ip link set bras-inet up
	nsx bras sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

	nsx inet ip addr add $MX4/24 dev inet0
	nsx inet ip addr add $MX6/64 dev inet0 nodad
	nsx inet ip link set inet0 up
	nsx inet ip route add default via 10.0.2.1
	nsx inet ip -6 route add default via 2001:db8:2::1
	syn_once sub
	syn_once bras
}

# syn_once NS: SYNs leaving NS are never retransmitted. The clients tell
# a dropped connection by a 0.9 s connect timeout, under the kernel's
# 1 s initial SYN retransmission; a client held up past 1 s (TCG, two
# guests on two cores) would send a second SYN, which the hook counts
# again. A SYN that went out in the last 10 s is dropped here, before
# smtprl's LOCAL_OUT hook (priority raw - 1): one attempt, one SYN. A
# retransmission repeats the source address, port and sequence number;
# a new attempt has a new sequence number, even when the kernel gives it
# the port of the attempt before (keyed on address and port alone, such
# a SYN was dropped here: a mail "timed out" that smtprl never saw, once
# in uml/40-isp). The test of retransmissions (10-limit.sh) turns this
# off.
syn_once() {
	nsx "$1" nft -f - <<-'EOF'
		table inet syn_once {
			set v4 { typeof ip saddr . tcp sport . tcp sequence; flags dynamic; timeout 10s; }
			set v6 { typeof ip6 saddr . tcp sport . tcp sequence; flags dynamic; timeout 10s; }
			chain out {
				type filter hook output priority -500; policy accept;
				tcp flags & (syn | ack) != syn accept
				ip saddr . tcp sport . tcp sequence @v4 counter drop
				ip6 saddr . tcp sport . tcp sequence @v6 counter drop
				meta nfproto ipv4 add @v4 { ip saddr . tcp sport . tcp sequence }
				meta nfproto ipv6 add @v6 { ip6 saddr . tcp sport . tcp sequence }
			}
		}
	EOF
}

topology_down() {
	local ns
	[ -n "${E2E_SINK_PIDS:-}" ] && kill $E2E_SINK_PIDS 2>/dev/null
	ynl_stop
	wait 2>/dev/null || true
	for ns in $E2E_NS; do
		ip netns del "$ns" 2>/dev/null || true
	done
	ip link del bras-sub 2>/dev/null || true
	ip link del bras-inet 2>/dev/null || true
	rm -rf "$E2E_TMP"
}

# mx_start PORT: a real SMTP server (Postfix's smtp-sink) on the "internet"
# side, v4 and v6, that keeps each delivered message as a file.
mx_start() {
	local port=${1:-25} dir
	dir=$E2E_TMP/mail-$port
	mkdir -p "$dir"
	chmod 1777 "$dir"
	# Postfix sets IPV6_V6ONLY: one listener per family.
	nsx inet smtp-sink -u nobody -d "$dir/%H%M%S." "0.0.0.0:$port" 256 &
	E2E_SINK_PIDS="${E2E_SINK_PIDS:-} $!"
	nsx inet smtp-sink -u nobody -d "$dir/%H%M%S." "[::]:$port" 256 &
	E2E_SINK_PIDS="$E2E_SINK_PIDS $!"
	wait_port inet "$port"
}

# Delivered message count on the MX for PORT.
mx_count() {
	find "$E2E_TMP/mail-${1:-25}" -type f | wc -l
}

wait_port() {
	local ns=$1 port=$2 i
	for i in $(seq 50); do
		nsx "$ns" ss -Hltn "sport = :$port" | grep -q . && return 0
		sleep 0.1
	done
	fail "nothing listens on $ns port $port"
}

# send_mail FROM_ADDR SERVER [PORT [TIMEOUT]]: one real SMTP transaction from
# the subscriber namespace with swaks, bound to FROM_ADDR. Returns swaks'
# status: 0 delivered, non-zero refused or timed out.
send_mail() {
	local from=$1 server=$2 port=${3:-25} timeout=${4:-5}
	nsx sub swaks --silent 2 --timeout "$timeout" --local-interface "$from" \
		--helo subscriber.example \
		--server "$server" --port "$port" \
		--from zombie@example.org --to user@example.net \
		--header "Subject: smtprl lab" --body "lab message" \
		>>"$E2E_TMP/swaks.log" 2>&1
}

# send_many N FROM SERVER [PORT [TIMEOUT]]: N mails, one SMTP session each,
# from one Python process (smtplib); prints how many were delivered.
send_many() {
	local n=$1 from=$2 server=$3 port=${4:-25} timeout=${5:-3}
	nsx sub /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/mail.py" \
		"$from" "$server" "$port" "$n" "$timeout" >"$E2E_TMP/mail.out"
	sed -n 's/^delivered=\([0-9]*\) .*/\1/p' "$E2E_TMP/mail.out"
}

# attempts N FROM DST [PORT [TIMEOUT]]: N TCP connects from the subscriber
# side; prints "ok=N refused=N timeout=N".
attempts() {
	local n=$1 from=$2 dst=$3 port=${4:-25} timeout=${5:-0.9}
	nsx sub /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/connect.py" \
		"$from" "$dst" "$port" "$n" "$timeout"
}

# smtprl_reload [PARAM=VALUE...]: reload the module with init_net's policy.
# In a control run (vm-run.sh -c) the module stays out.
smtprl_reload() {
	[ "${SMTPRL_CONTROL:-0}" = 1 ] && return 0
	rmmod smtprl 2>/dev/null || true
	insmod "$SMTPRL_KO" "$@"
}

# json EXPR: evaluate EXPR on the JSON document on stdin, bound to d.
json() { /usr/bin/python3 -c "import json, sys; d = json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# stat NAME [NS]: a counter from /proc/net/smtprl/stats.
stat() {
	nsx "${2:-bras}" awk -v k="$1" '$1 == k { print $2 }' /proc/net/smtprl/stats
}

# source_field SOURCE COLUMN: a column of /proc/net/smtprl/sources.
source_field() {
	awk -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 == s { print $col[c] }' /proc/net/smtprl/sources
}

# Every counted connection has exactly one outcome.
expect_stats_add_up() {
	local sum=0 k
	for k in allowed limited would_limit exempt relay out_of_scope table_full; do
		sum=$((sum + $(stat "$k")))
	done
	expect_eq "seen = sum of outcomes" "$(stat seen)" "$sum"
}

# ynl OP-ARGS...: the kernel's own generic YNL client (tools/net/ynl/cli.py
# from linux-source-6.12) driving smtprl through our spec, as an
# independent client. --process-unknown: the 6.12 ynl library cannot
# decode "pad" attributes, which kernels without efficient unaligned
# access (UML, MIPS) put before 64-bit values. --no-schema: validating the
# spec against the kernel's genetlink.yaml took about 10 s of every call
# under TCG; ynl_spec_valid does it once (the static tier's generator
# validates it too). cli.py runs in ynl-serve.py: each start of it took
# another 4 s under TCG.
ynl() {
	ynl_serve root
	ynl_as root "$@"
}

# ynl_serve NAME [CMD...]: start the ynl server NAME, under CMD (capsh
# dropping a capability, say), unless it runs.
ynl_serve() {
	local dir=$E2E_TMP/ynl-$1
	shift
	[ -p "$dir/req" ] && return
	mkdir -p "$dir"
	mkfifo "$dir/req" "$dir/rep"
	"$@" /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/ynl-serve.py" "$SMTPRL_KSRC" \
		"$dir" $$ >"$dir/log" 2>&1 </dev/null &
	echo $! >"$dir/pid"
	# It ends with the test's shell: a "wait" there must not wait for it.
	disown
}

ynl_stop() {
	local f
	for f in "$E2E_TMP"/ynl-*/pid; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# ynl_as NAME OP-ARGS...: one cli.py call by the server NAME; its exit
# status, stdout and stderr are ynl_as's.
ynl_as() {
	local dir=$E2E_TMP/ynl-$1 rc out err
	shift
	kill -0 "$(cat "$dir/pid")" 2>/dev/null || fail "ynl server ${dir##*-} died: $(cat "$dir/log")"
	printf '%s\0' --process-unknown --no-schema \
		--spec "$SMTPRL_TOP/Documentation/netlink/specs/smtprl.yaml" "$@" >"$dir/req"
	{ IFS= read -r -d '' rc; IFS= read -r -d '' out; IFS= read -r -d '' err; } <"$dir/rep"
	printf '%s' "$out"
	printf '%s' "$err" >&2
	return "${rc:-1}"
}

# ynl_spec_valid: our spec against the kernel's schema, genetlink.yaml.
ynl_spec_valid() {
	python3 "$SMTPRL_KSRC/tools/net/ynl/cli.py" --process-unknown \
		--spec "$SMTPRL_TOP/Documentation/netlink/specs/smtprl.yaml" \
		--schema "$SMTPRL_KSRC/Documentation/netlink/genetlink.yaml" --list-ops >/dev/null ||
		fail "the spec does not validate against genetlink.yaml"
	pass "the spec validates against the kernel's genetlink.yaml"
}

# ynl_fails WHAT ERRTEXT OP-ARGS...: the request must be refused with an
# extack message containing ERRTEXT.
ynl_fails() {
	local what=$1 text=$2 out
	shift 2
	[ -n "$text" ] || fail "$what: ynl_fails needs the refusal's text"
	if out=$(ynl "$@" 2>&1); then
		fail "$what: accepted: $out"
	fi
	# Refused by the kernel, not by the client (a Python exception).
	grep -q "Netlink error" <<<"$out" || fail "$what: not a kernel refusal: $out"
	grep -q -- "$text" <<<"$out" || fail "$what: refused without \"$text\": $out"
	pass "$what: refused ($text)"
}
