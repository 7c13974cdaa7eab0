#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# smtprl-session with hostile and missing input, against a stand-in
# smtprlctl that records its arguments (the lab, 90-bras.sh, runs it with
# the real one under pppd): names with spaces, quotes and shell syntax
# reach smtprlctl as one argument and nothing runs them; no name, no
# attribute file, a refusing, failing or wedged smtprlctl: exit 0, logged.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
session=$here/smtprl-session
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

# The stand-in: one line per call, arguments between < >; exit $CTL_RC.
cat >"$tmp/ctl" <<'EOF'
#!/bin/sh
{ for a in "$@"; do printf '<%s>' "$a"; done; echo; } >>"$CTL_LOG"
[ "${CTL_SLEEP:-0}" = 0 ] || sleep "$CTL_SLEEP"
[ "${CTL_RC:-0}" = 0 ] || echo "smtprl: refused" >&2
exit "${CTL_RC:-0}"
EOF
chmod +x "$tmp/ctl"
cat >"$tmp/session.conf" <<EOF
# test configuration
radattr $tmp/radattr
map Filter-Id smtp-open exempt
map Filter-Id smtp-business rate 100/hour burst 20
EOF

# run VERB [VAR=VALUE...]: the script as pppd runs it for ppp0.
run() {
	local verb=$1 rc
	shift
	: >"$tmp/log"
	env -i PATH="$PATH" SMTPRLCTL="$tmp/ctl" CTL_LOG="$tmp/log" \
		SMTPRL_SESSION_CONF="$tmp/session.conf" SMTPRL_SESSION_TIMEOUT=1 "$@" \
		"$session" "$verb" ppp0 /dev/pts/1 0 10.0.0.1 100.64.0.7 ipparam \
		>"$tmp/out" 2>&1
	rc=$?
	[ "$rc" = 0 ] || fail "$verb $*: exit $rc"
}

expect_log() {
	local got
	got=$(cat "$tmp/log")
	[ "$got" = "$2" ] && ok "$1" || fail "$1: got [$got], want [$2]"
}

rm -f "$tmp/radattr.ppp0"
run up PEERNAME="o'brien \"the\" \$(touch $tmp/pwned) \`id\`; rm -rf /"
expect_log "hostile name is one argument; no attribute file: policy" \
	"<subscriber><add><o'brien \"the\" \$(touch $tmp/pwned) \`id\`; rm -rf /><100.64.0.7><policy>"
[ -e "$tmp/pwned" ] && fail "a name was run by a shell" || ok "nothing ran the name"

run up
expect_log "no PEERNAME: smtprlctl not called" ""

printf 'Filter-Id smtp-open\nFramed-IPv6-Prefix 2001:db8:7::/64\nClass $(touch %s/pwned2)\n' \
	"$tmp" >"$tmp/radattr.ppp0"
run up PEERNAME=alice
expect_log "opt-in from RADIUS, and its IPv6 prefix" \
	"<subscriber><add><alice><100.64.0.7><2001:db8:7::/64><exempt>"
[ -e "$tmp/pwned2" ] && fail "an attribute was run by a shell" || ok "nothing ran an attribute"

printf 'Filter-Id smtp-business\nDelegated-IPv6-Prefix 2001:db8:100::/56\n' >"$tmp/radattr.ppp0"
run up PEERNAME=shop IPV6_PREFIX=2001:db8:7::1234/64
expect_log "own rate from RADIUS; accel-ppp's prefixes" \
	"<subscriber><add><shop><100.64.0.7><2001:db8:7::1234/64><2001:db8:100::/56><rate><100/hour><burst><20>"

printf 'Filter-Id smtp-open; reboot\n' >"$tmp/radattr.ppp0"
run up PEERNAME=mallory
expect_log "a value that only starts like a mapped one maps to nothing" \
	"<subscriber><add><mallory><100.64.0.7><policy>"

rm -f "$tmp/radattr.ppp0"
run down PEERNAME=alice IPV6_DELEGATED_PREFIX=2001:db8:200::/56
expect_log "down unbinds the session's addresses" \
	"<subscriber><del><alice><100.64.0.7><2001:db8:200::/56>"

run down PEERNAME=alice IPV6_DELEGATED_PREFIX=2001:db8:200::/56 CTL_RC=1
expect_log "refused down retries address by address" \
	"<subscriber><del><alice><100.64.0.7><2001:db8:200::/56>
<subscriber><del><alice><100.64.0.7>
<subscriber><del><alice><2001:db8:200::/56>"

run up PEERNAME=bob CTL_RC=1
expect_log "smtprl not loaded (smtprlctl fails): tried once, exit 0" \
	"<subscriber><add><bob><100.64.0.7><policy>"

start=$SECONDS
run pre-up PEERNAME=bob CTL_SLEEP=5
[ $((SECONDS - start)) -le 3 ] && ok "a wedged smtprlctl is given up after the timeout" ||
	fail "a wedged smtprlctl held the session for $((SECONDS - start)) s"

# From pppd's ipv6-up (a DHCPv6-PD hook passing the prefix, say): the
# peer's address there is a link-local one, never bound.
: >"$tmp/log"
env -i PATH="$PATH" SMTPRLCTL="$tmp/ctl" CTL_LOG="$tmp/log" PEERNAME=dora \
	IPV6_DELEGATED_PREFIX=2001:db8:9::/56 SMTPRL_SESSION_CONF="$tmp/session.conf" \
	"$session" up ppp4 /dev/pts/2 0 fe80::1 fe80::2 >/dev/null 2>&1 || fail "ipv6-up: exit $?"
expect_log "ipv6-up: the delegated prefix, no link-local address" \
	"<subscriber><add><dora><2001:db8:9::/56><policy>"

# accel-ppp calls it by name, with no verb.
ln -s "$session" "$tmp/ip-down"
: >"$tmp/log"
env -i PATH="$PATH" SMTPRLCTL="$tmp/ctl" CTL_LOG="$tmp/log" PEERNAME=carol \
	SMTPRL_SESSION_CONF="$tmp/session.conf" \
	"$tmp/ip-down" ppp3 none 0 10.0.0.1 0.0.0.0 >/dev/null 2>&1 ||
	fail "ip-down by name: exit $?"
expect_log "called as ip-down; no IPv4 address (0.0.0.0), nothing to unbind" ""

exit $failed
