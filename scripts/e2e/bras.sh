# SPDX-License-Identifier: GPL-2.0
# A PPPoE BRAS in the lab; sourced after lib.sh, inside a lab VM.
#
#   [sub-NAME] eth0 ----- acc-NAME
#   [sub-NAME] eth0 ----- acc-NAME [BRAS] bras-inet ----- inet0 [inet]
#   ...                   pppoe-server, pppd   10.0.2.1    10.0.2.25 (MX)
#                     (radius, radattr),                    2001:db8:2::25
#                     FreeRADIUS, smtprl
#
# Every subscriber dials in from its own namespace with pppd's PPPoE
# plugin and the account name as its PPP user name; the BRAS (the lab
# VM's initial namespace) runs rp-pppoe's pppoe-server (user mode: the
# Debian build has no kernel mode), whose pppd sessions authenticate by PAP against a real FreeRADIUS and
# write the reply with the radattr plugin. Addresses come from
# pppoe-server's pool of four, 100.64.0.10 to .13: a freed one goes to
# the end of its list of free ones, so the next session gets the one
# freed longest ago. smtprl
# and its session hooks are installed as an operator installs them
# (make install, onto writable copies of /etc and /usr/local/sbin): pppd runs
# Debian's /etc/ppp/ip-up, which runs /etc/ppp/ip-up.d/smtprl.
#
# pppd has no IPv6 prefix delegation of its own. The lab's ipv6-up.d
# stands in for the DHCPv6-PD server of a pppd BRAS: it routes a /64 per
# session (from the session's IPv4 address) and tells smtprl-session as
# accel-ppp does (IPV6_DELEGATED_PREFIX).

BRAS_POOL=100.64.0.10
BRAS_USERS=
RADIUS_PID=
PPPOE_PID=

# bras_install: smtprl's tools, hooks and example configuration, where
# "make install" puts them, on writable copies of /etc and /usr/local.
bras_install() {
	local d inst=$E2E_TMP/inst
	make -s -C "$SMTPRL_TOP/userspace" install PREFIX=/usr/local DESTDIR="$inst" \
		>/dev/null || fail "make install"
	# What /etc and /usr/local/sbin hold, and what make install added.
	for d in /etc /usr/local/sbin; do
		mkdir -p "$E2E_TMP/root$d"
		cp -a "$d/." "$E2E_TMP/root$d/"
		cp -a "$inst$d/." "$E2E_TMP/root$d/"
		mount --bind "$E2E_TMP/root$d" "$d"
	done
	# pppd's RADIUS client resolves the host's name for NAS-IP-Address.
	echo "127.0.1.1 $(hostname)" >>/etc/hosts
	# The lab's stand-in for DHCPv6-PD (see above).
	cat >/etc/ppp/ipv6-up.d/lab-pd <<-'EOF'
		#!/bin/sh
		# The BRAS's sessions only (subscribers' pppd run this too).
		[ -z "$(ip netns identify)" ] || exit 0
		# IPCP and IPV6CP come up in either order.
		for i in 1 2 3 4 5 6 7 8 9 10; do
			v4=$(cat "/run/lab-pd/$1" 2>/dev/null)
			[ -n "$v4" ] && break
			sleep 0.5
		done
		[ -n "$v4" ] || exit 0
		pfx=2001:db8:1:$(printf %x "${v4##*.}")::/64
		ip -6 route replace "$pfx" dev "$1"
		echo "$pfx" >"/run/lab-pd/$1.v6"
		IPV6_DELEGATED_PREFIX=$pfx exec smtprl-session up "$@"
	EOF
	cat >/etc/ppp/ipv6-down.d/lab-pd <<-'EOF'
		#!/bin/sh
		[ -z "$(ip netns identify)" ] || exit 0
		pfx=$(cat "/run/lab-pd/$1.v6" 2>/dev/null) || exit 0
		rm -f "/run/lab-pd/$1.v6"
		IPV6_DELEGATED_PREFIX=$pfx exec smtprl-session down "$@"
	EOF
	chmod +x /etc/ppp/ipv6-up.d/lab-pd /etc/ppp/ipv6-down.d/lab-pd
	mkdir -p /run/lab-pd
	# ip-up runs before ipv6-up: remember the session's IPv4 address.
	cat >/etc/ppp/ip-up.d/00-lab-pd <<-'EOF'
		#!/bin/sh
		[ -z "$(ip netns identify)" ] || exit 0
		echo "$5" >"/run/lab-pd/$1"
	EOF
	cat >/etc/ppp/ip-down.d/00-lab-pd <<-'EOF'
		#!/bin/sh
		[ -z "$(ip netns identify)" ] || exit 0
		rm -f "/run/lab-pd/$1"
	EOF
	chmod +x /etc/ppp/ip-up.d/00-lab-pd /etc/ppp/ip-down.d/00-lab-pd
	[ -x /etc/ppp/ip-up.d/smtprl ] && command -v smtprl-session >/dev/null ||
		fail "make install did not install the session hooks"
	pass "smtprl installed with make install (hooks in /etc/ppp/ip-up.d, ip-down.d)"
}

# radius_start USER:PASSWORD[:ATTRIBUTE=VALUE]...: FreeRADIUS on the BRAS
# with these users, from a copy of Debian's configuration.
radius_start() {
	local dir=$E2E_TMP/raddb u name pw attr
	cp -a /etc/freeradius/3.0 "$dir"
	: >"$dir/mods-config/files/authorize"
	for u in "$@"; do
		IFS=: read -r name pw attr <<<"$u"
		printf '"%s" Cleartext-Password := "%s"\n' "$name" "$pw" \
			>>"$dir/mods-config/files/authorize"
		[ -z "$attr" ] || printf '\t%s = "%s"\n' "${attr%%=*}" "${attr#*=}" \
			>>"$dir/mods-config/files/authorize"
		BRAS_USERS="$BRAS_USERS $name"
	done
	chown -R freerad:freerad "$dir"
	freeradius -f -d "$dir" -l "$E2E_TMP/radius.log" &
	RADIUS_PID=$!
	wait_port_udp 1812
	pass "FreeRADIUS up with users:$BRAS_USERS"
}

wait_port_udp() {
	local i
	for i in $(seq 100); do
		ss -Hlun "sport = :$1" | grep -q . && return 0
		kill -0 "$RADIUS_PID" 2>/dev/null ||
			fail "freeradius died: $(tail -20 "$E2E_TMP/radius.log")"
		sleep 0.2
	done
	fail "nothing listens on udp port $1: $(tail -20 "$E2E_TMP/radius.log")"
}

# bras_up: the access bridge, the internet side and its MX, RADIUS
# clients' configuration, pppoe-server.
bras_up() {
	local rc=$E2E_TMP/radiusclient
	modprobe -q ppp_generic 2>/dev/null || true
	modprobe -q pppoe 2>/dev/null || true
	ip netns add inet
	nsx inet ip link set lo up
	ip link add bras-inet type veth peer name inet0 netns inet
	ip addr add 10.0.2.1/24 dev bras-inet
	ip addr add 2001:db8:2::1/64 dev bras-inet nodad
	ip link set bras-inet up
	sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	nsx inet ip addr add $MX4/24 dev inet0
	nsx inet ip addr add $MX6/64 dev inet0 nodad
	nsx inet ip link set inet0 up
	nsx inet ip route add default via 10.0.2.1
	nsx inet ip -6 route add default via 2001:db8:2::1
	E2E_NS=inet

	mkdir -p "$rc"
	cat >"$rc/radiusclient.conf" <<-EOF
		auth_order radius
		login_tries 4
		login_timeout 60
		nologin /etc/nologin
		issue /etc/issue
		authserver 127.0.0.1:1812
		acctserver 127.0.0.1:1813
		servers $rc/servers
		dictionary $SMTPRL_TOP/scripts/e2e/radius-dictionary
		login_radius /bin/false
		seqfile $rc/radius.seq
		mapfile $rc/port-id-map
		default_realm
		radius_timeout 5
		radius_retries 3
		login_local /bin/false
	EOF
	echo "127.0.0.1 testing123" >"$rc/servers"
	: >"$rc/port-id-map"
	chmod 600 "$rc/servers"
	cat >"$E2E_TMP/pppoe-server.options" <<-EOF
		require-pap
		plugin radius.so
		plugin radattr.so
		radius-config-file $rc/radiusclient.conf
		+ipv6
		lcp-echo-interval 0
		noaccomp
		nopcomp
		noccp
		novj
		nodefaultroute
		logfile $E2E_TMP/pppd-bras.log
		debug
	EOF
}

# pppoe_start: rp-pppoe's user-mode server (pppd over a pty running
# pppoe(8)) on every subscriber's line, after sub_ns made them.
pppoe_start() {
	local ifs=() l
	for l in /sys/class/net/acc-*; do
		ifs+=(-I "${l##*/}")
	done
	pppoe-server "${ifs[@]}" -L 100.64.0.1 -R $BRAS_POOL -N 4 \
		-X "$E2E_TMP/pppoe-server.pid" -O "$E2E_TMP/pppoe-server.options" \
		>"$E2E_TMP/pppoe-server.log" 2>&1 || fail "pppoe-server: $(cat "$E2E_TMP/pppoe-server.log")"
	PPPOE_PID=$(cat "$E2E_TMP/pppoe-server.pid")
	pass "pppoe-server up on $((${#ifs[@]} / 2)) lines (pool $BRAS_POOL + 4)"
}

# sub_ns NAME: a subscriber's namespace, its eth0 a line to the BRAS.
sub_ns() {
	local ns=sub-$1 mac
	ip netns add "$ns"
	nsx "$ns" ip link set lo up
	ip link add "acc-$1" type veth peer name eth0 netns "$ns"
	ip link set "acc-$1" up
	nsx "$ns" ip link set eth0 up
	syn_once "$ns"
	E2E_NS="$E2E_NS $ns"
}

# v6_of ADDR: the /64 the lab delegates to the session with IPv4 ADDR.
v6_of() { printf '2001:db8:1:%x::' "${1##*.}"; }

# dial NAME [PASSWORD]: NAME dials in (pppd returns once IPCP is up) and
# prints its IPv4 address; waits until smtprl bound it, IPv6 prefix too,
# and gives the subscriber its IPv6 address, v6_of(ADDR)2.
dial() {
	local ns=sub-$1 pw=${2:-$1} addr v6 i
	nsx "$ns" pppd plugin pppoe.so eth0 user "$1" password "$pw" noauth \
		updetach linkname "$1" defaultroute +ipv6 ipv6cp-accept-local \
		ip-up-script /bin/true ip-down-script /bin/true \
		lcp-echo-interval 0 noaccomp nopcomp noccp novj \
		logfile "$E2E_TMP/pppd-$1.log" >/dev/null 2>&1 ||
		fail "$1 could not dial: $(tail -5 "$E2E_TMP/pppd-$1.log")
--- BRAS pppd: $(tail -15 "$E2E_TMP/pppd-bras.log" 2>/dev/null)
--- FreeRADIUS: $(tail -15 "$E2E_TMP/radius.log")"
	addr=$(nsx "$ns" ip -4 -o addr show dev ppp0 | awk '{ print $4 }')
	addr=${addr%/*}
	v6=$(v6_of "$addr")
	for i in $(seq 200); do
		"$SMTPRL_TOP/userspace/smtprlctl" -j subscriber show "$1" 2>/dev/null |
			grep -q "\"$addr/32\".*\"$v6/64\"\|\"$v6/64\".*\"$addr/32\"" && break
		sleep 0.1
	done
	[ "$i" -lt 200 ] || fail "$1 ($addr) not bound with $v6/64: $(
		"$SMTPRL_TOP/userspace/smtprlctl" subscriber show "$1" 2>&1)"
	nsx "$ns" ip -6 addr add "${v6}2/64" dev ppp0 nodad
	nsx "$ns" ip -6 route add default dev ppp0
	echo "$addr"
}

# hangup NAME: NAME hangs up; returns once smtprl unbound it and
# pppoe-server reaped the session's pppd (its child; until then the
# session slot is taken, and a dial-up finding all four taken is refused
# with "No client slots available").
hangup() {
	local pid i kids
	pid=$(head -1 "/run/ppp-$1.pid" 2>/dev/null) || fail "$1 is not dialled in"
	kill "$pid"
	for i in $(seq 100); do
		kill -0 "$pid" 2>/dev/null && { sleep 0.1; continue; }
		kids=$(ps --ppid "$PPPOE_PID" -o stat=,args=) || true
		"$SMTPRL_TOP/userspace/smtprlctl" -j subscriber show "$1" 2>/dev/null |
			grep -q '"binds":\[\]' &&
			! grep -q "^Z\|-I acc-$1 " <<<"$kids" &&
			return 0
		sleep 0.1
	done
	fail "$1's session did not end in smtprl and pppoe-server: $(
		"$SMTPRL_TOP/userspace/smtprlctl" subscriber show "$1" 2>&1)
--- pppoe-server's children: $(ps --ppid "$PPPOE_PID" -o pid=,stat=,args=)
--- BRAS pppd: $(tail -15 "$E2E_TMP/pppd-bras.log" 2>/dev/null)"
}

bras_down() {
	local ns
	[ -n "$PPPOE_PID" ] && kill "$PPPOE_PID" 2>/dev/null
	pkill -x pppd 2>/dev/null
	[ -n "$RADIUS_PID" ] && kill "$RADIUS_PID" 2>/dev/null
	[ -n "${E2E_SINK_PIDS:-}" ] && kill $E2E_SINK_PIDS 2>/dev/null
	wait 2>/dev/null || true
	for ns in $E2E_NS; do
		ip netns del "$ns" 2>/dev/null || true
	done
	ip link del bras-inet 2>/dev/null || true
	umount /usr/local/sbin /etc 2>/dev/null || true
	rm -rf "$E2E_TMP"
}
