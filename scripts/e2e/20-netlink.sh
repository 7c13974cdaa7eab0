#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The smtprl generic-netlink family, driven by an independent client: the
# kernel's ynl cli.py with our spec. Partial updates keep the rest, bad
# requests name the attribute and change nothing, exemptions, scope and
# relay work on real traffic, dumps list what is there.
. "$(dirname "$0")/lib.sh"
trap topology_down EXIT

# ynl takes an addr4 (u32, network order) as the integer of its address.
v4() {
	local a b c d
	IFS=. read -r a b c d <<<"$1"
	echo $(((a << 24) | (b << 16) | (c << 8) | d))
}
topology_up
mx_start 25
ynl_spec_valid

ynl --do policy-get | grep -q "'rate': 10" || fail "policy-get: $(ynl --do policy-get)"
pass "policy-get shows the module's starting policy"

ynl --do policy-set --json '{"rate": 1, "rate-unit": "day", "burst": 2, "daily": 0}' >/dev/null
got=$(ynl --do policy-get --output-json)
python3 - "$got" <<'PY' || fail "policy after partial set: $got"
import json, sys
p = json.loads(sys.argv[1])
assert p["rate"] == 1 and p["rate-unit"] == "day" and p["burst"] == 2, p
assert p["daily"] == 0 and p["port"] == [25] and p["action"] == "drop", p
assert p["v6-prefix"] == 64 and p["enabled"] == 1, p
PY
pass "policy-set changed rate/burst/daily and kept the rest"
cat /proc/net/smtprl/policy >"$E2E_TMP/policy.before"

# Bad requests: refused, named, nothing changed.
ynl_fails "burst 0" "burst" --do policy-set --json '{"burst": 0}'
ynl_fails "v4-prefix 33" "integer out of range" --do policy-set --json '{"v4-prefix": 33}'
ynl_fails "burst overflowing 1/day" "burst: value too large" \
	--do policy-set --json '{"burst": 4000000000}'
ynl_fails "9 ports" "port: at most 8" \
	--do policy-set --json '{"port": [25, 26, 27, 28, 29, 30, 31, 32, 33]}'
ynl_fails "attribute of another command" "takes no attributes" --do stats-get --json '{"seen": 1}'
diff "$E2E_TMP/policy.before" /proc/net/smtprl/policy || fail "a refused request changed the policy"
pass "refused requests left the policy as it was"

# Exemptions: the customer 10.0.1.3 runs its own mail server.
ynl --do exempt-add --json "{\"addr4\": $(v4 10.0.1.3), \"plen\": 32, \"comment\": \"customer 4711\"}" >/dev/null
expect_eq "exempt customer: 5 connections" "ok=5 refused=0 timeout=0" "$(attempts 5 10.0.1.3 $MX4)"
expect_eq "zombie next door: limited after 2" "ok=2 refused=0 timeout=1" "$(attempts 3 10.0.1.2 $MX4)"
expect_eq "stats exempt" 5 "$(stat exempt)"
ynl --dump exempt-get --output-json | grep -q '"customer 4711"' || fail "exempt dump: $(ynl --dump exempt-get)"
pass "exempt-get dump lists the exemption with its comment"
ynl_fails "duplicate exemption" "already exists" --do exempt-add --json \
	"{\"addr4\": $(v4 10.0.1.3), \"plen\": 32}"
ynl_fails "host bits set" "host bits" --do exempt-add --json \
	"{\"addr4\": $(v4 10.0.1.3), \"plen\": 24}"

# Relay allowlist: the destination is never limited.
ynl --do relay-add --json "{\"addr4\": $(v4 10.0.2.25), \"plen\": 32}" >/dev/null
expect_eq "limited zombie via the relay address" "ok=3 refused=0 timeout=0" "$(attempts 3 10.0.1.2 $MX4)"
expect_eq "stats relay" 3 "$(stat relay)"
ynl --do relay-flush >/dev/null

# Scope: only 10.0.1.4/32 is a subscriber now; 10.0.1.5 is out of scope.
ynl --do scope-add --json "{\"addr4\": $(v4 10.0.1.4), \"plen\": 32}" >/dev/null
ynl --do scope-add --json '{"ifname": "ppp+"}' >/dev/null
expect_eq "out of scope source" "ok=4 refused=0 timeout=0" "$(attempts 4 10.0.1.5 $MX4)"
expect_eq "in scope source" "ok=2 refused=0 timeout=1" "$(attempts 3 10.0.1.4 $MX4)"
expect_eq "scope dump entries" 2 "$(ynl --dump scope-get --output-json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')"
ynl --do scope-flush >/dev/null
# A scope prefix's own grouping length, through the spec alone.
ynl --do scope-add --json "{\"addr4\": $(v4 10.0.8.0), \"plen\": 24, \"group\": 28}" >/dev/null
expect_eq "scope-add group, dumped" "24 28" "$(ynl --dump scope-get --output-json |
	python3 -c 'import json,sys; d = json.load(sys.stdin)[0]; print(d["plen"], d["group"])')"
ynl --do scope-flush >/dev/null

# Sources: get, dump, reset.
# What the clients did: 10.0.1.2 was let through twice and limited once
# (the relay's connections bypass the table, as do the exempt customer's
# and the out-of-scope source's); 10.0.1.4 spent its burst.
out=$(ynl --do source-get --json "{\"addr4\": $(v4 10.0.1.2)}" --output-json)
expect_eq "source-get 10.0.1.2: allowed, limited" "2 1" \
	"$(json '"%d %d" % (d["allowed"], d["limited"])' <<<"$out")"
expect_eq "source dump: the two sources the clients made" "10.0.1.2/32 10.0.1.4/32" \
	"$(ynl --dump source-get --output-json | json \
		'" ".join(sorted("%s/%d" % (__import__("ipaddress").IPv4Address(e["addr4"]), e["plen"]) for e in d))')"
ynl --do source-del --json "{\"addr4\": $(v4 10.0.1.2)}" >/dev/null
expect_eq "reset source gets a fresh bucket" "ok=2 refused=0 timeout=0" "$(attempts 2 10.0.1.2 $MX4)"
ynl --do source-flush >/dev/null
expect_eq "flush empties the table" 0 "$(stat entries)"
expect_eq "after the flush 10.0.1.4's bucket is fresh" "ok=2 refused=0 timeout=0" \
	"$(attempts 2 10.0.1.4 $MX4)"
ynl --do exempt-flush >/dev/null
expect_eq "exempt-flush" 0 "$(stat exemptions)"
expect_eq "after exempt-flush the customer is limited" "ok=2 refused=0 timeout=1" \
	"$(attempts 3 10.0.1.3 $MX4)"
expect_stats_add_up

# Without CAP_NET_ADMIN in the initial user namespace nothing changes:
# root with the capability dropped, root of a fresh user namespace (which
# has every capability, but only over its own namespaces), and that root
# in a network namespace it created and owns (GENL_ADMIN_PERM).
noadmin() {
	ynl_as "$@"
}
ynl_serve capsh capsh --drop=cap_net_admin -- -c 'exec "$@"' capsh
ynl_serve userns unshare -U -r
ynl_serve usernetns unshare -U -r -n
for how in capsh userns usernetns; do
	noadmin "$how" --do stats-get >/dev/null || fail "$how: cannot read stats"
	noadmin "$how" --do policy-get >/dev/null || fail "$how: cannot read the policy"
	for req in "policy-set {\"burst\":9}" "exempt-add {\"addr4\":$(v4 10.0.1.9)}" \
		   "relay-add {\"addr4\":$(v4 10.0.1.9)}" "scope-flush {}" "source-flush {}" \
		   "exempt-flush {}"; do
		op=${req%% *}
		out=$(noadmin "$how" --do "$op" --json "${req#* }" 2>&1) &&
			fail "$how: $op accepted"
		grep -q "Operation not permitted\|error: -1" <<<"$out" || fail "$how: $op: $out"
	done
	out=$(noadmin "$how" --dump source-get 2>&1) && fail "$how: source dump allowed: $out"
	pass "$how: reads of policy/stats allowed, every change and the source list refused"
done
expect_eq "burst unchanged" 2 "$(awk '$1 == "burst" { print $2 }' /proc/net/smtprl/policy)"
expect_eq "no exemption appeared" 0 "$(stat exemptions)"
