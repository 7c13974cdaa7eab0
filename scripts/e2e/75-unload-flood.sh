#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels x86dbg
#
# Unload and load smtprl.ko again and again while both CPUs forward a
# spoofed SYN flood through its hook. nf_unregister_net_hook() does not wait
# for CPUs still inside the hook: freeing the namespace's state right after
# it is a use-after-free that KASAN reports (the x86_64 SMP debug kernel;
# scripts/lab/vm-run.sh fails the run on any splat). Every cycle must also have
# seen SYNs, or the flood was not there to race.
#
#   75-unload-flood.sh [CYCLES]     (make check: 20; make stress: 300)
#
# About 5 s a cycle on x86dbg under TCG (insmod, RCU grace periods, rmmod
# with KASAN); the senders are niced, or they starve the loop.
. "$(dirname "$0")/lib.sh"
trap 'touch "$E2E_TMP/stop"; [ -z "$pids" ] || wait $pids; nft delete table inet keep 2>/dev/null; topology_down' EXIT
pids=

cycles=${1:-20}
[ "$(nproc)" -ge 2 ] || fail "needs two CPUs to race (this kernel has $(nproc))"

topology_up
# Keep another netfilter hook registered all along, so loading and
# unloading ours never toggles the nf_hooks_needed static key: under qemu
# TCG with two vCPUs, live-patching that jump label while the other vCPU
# runs ip_rcv died with a stale int3 (an emulation artefact,
# ../Documentation/testing.md).
nft -f - <<'EOF'
table inet keep {
	chain pre { type filter hook prerouting priority 0; policy accept; }
}
EOF

# flood CPU: spoofed SYNs from the subscriber line, sent (and so forwarded
# by the BRAS, in the sender's softirq) on one CPU, until told to stop.
flood() {
	local mac seed=$((1000 + $1))
	mac=$(cat /sys/class/net/bras-sub/address)
	while [ ! -e "$E2E_TMP/stop" ]; do
		# niced: under TCG the senders would starve the loop below.
		nsx sub taskset -c "$1" nice -n 19 "$SMTPRL_TOP/build/synflood" \
			sub0 "$mac" $MX4 2048 "$seed" 10.0.0.0/8 >/dev/null || exit 1
		seed=$((seed + 2))
	done
}

# The vm-init loaded instance is the first of the cycles.
rmmod smtprl
flood 0 &
pids="$pids $!"
flood 1 &
pids="$pids $!"
total=0
start=$SECONDS
for i in $(seq "$cycles"); do
	[ $((i % 10)) = 0 ] && echo "cycle $i after $((SECONDS - start)) s"
	insmod "$SMTPRL_KO" max_sources=4096 || fail "load $i under the flood"
	# Until this instance has seen SYNs from the flood (both senders run
	# all along; seen counts per instance).
	for _ in $(seq 200); do
		[ "$(stat seen)" -gt 0 ] && break
		sleep 0.01
	done
	seen=$(stat seen)
	[ "$seen" -gt 0 ] || fail "cycle $i: no SYN reached the hook"
	total=$((total + seen))
	rmmod smtprl || fail "unload $i under the flood"
done
touch "$E2E_TMP/stop"
wait $pids || fail "a flood sender failed"
pids=
pass "$cycles unloads under a two-CPU SYN flood, $total SYNs seen by the hook"
# vm-init.sh unloads the module after the script: load it once more.
insmod "$SMTPRL_KO"
