#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/compare.sh: the SYN path of smtprl, iptables
# hashlimit and an nftables set with per-element limits, side by side in
# one boot. Each competitor lives in its own network namespace, configured
# to the same limit (per source address, same rate and burst) at the same
# place (PREROUTING, ahead of conntrack); smtprl_bench.ko pushes the same
# prepared packets through each. Runs are interleaved; the median is kept.
# Prints "result ..." and "memory ..." lines for compare.sh to tabulate;
# a SYN result's other="..." says, run by run (|), what else ran during
# the timed pass (lib-guest.sh's interference()).
#   compare-guest.sh MODE REPS ITERATIONS SOURCES...
# MODE (icount, tcg, uml) as compare.sh: full dumps are timed in real time
# only (uml); under emulation they would take hours and mean little.
set -euo pipefail
mode=$1 reps=$2 iters=$3
shift 3
counts=("$@")
. "$(dirname "$0")/lib-guest.sh"

# First, in the fresh boot: memory per tracked source at the largest count
# (kernel slab and vmalloc before the rules, and after every source has its
# entry), and how long a full dump of them takes.
n=${counts[-1]}
for kind in smtprl hashlimit nft; do
	# The rules themselves count: hashlimit sizes its table up front.
	ns_up "m-$kind" base pass 0
	settle
	before=$(mem_kib)
	ns_config "m-$kind" "$kind" pass $((n * 2))
	bench "m-$kind" case=syn family=4 sources="$n" iterations=1 >/dev/null
	settle	# old bucket arrays of each resize go after a grace period
	after=$(mem_kib)
	case $kind in
	smtprl)    entries=$(ip netns exec "m-$kind" awk '$1 == "entries" { print $2 }' /proc/net/smtprl/stats) ;;
	hashlimit) entries=$(ip netns exec "m-$kind" sh -c 'wc -l </proc/net/ipt_hashlimit/smtp') ;;
	nft)       entries=$n ;;
	esac
	echo "memory kind=$kind sources=$n entries=$entries kib=$((after - before))" \
		"bytes_per_source=$(((after - before) * 1024 / n))"
	if [ "$mode" != uml ]; then
		ns_down "m-$kind"
		continue
	fi
	# Dumping every tracked source (nft is given two minutes at most).
	t0=$(date +%s%N)
	case $kind in
	smtprl)    ip netns exec "m-$kind" cat /proc/net/smtprl/sources >/dev/null ;;
	hashlimit) ip netns exec "m-$kind" cat /proc/net/ipt_hashlimit/smtp >/dev/null ;;
	nft)       if ! timeout 120 ip netns exec "m-$kind" nft list set inet bench src4 >/dev/null; then
			echo "dump kind=nft sources=$n did-not-finish-in-120s"
			ns_down "m-$kind"
			continue
		   fi ;;
	esac
	t2=$(date +%s%N)
	# The kernel's own text; smtprlctl's dumps are control.sh's.
	if [ "$kind" = smtprl ]; then
		echo "dump kind=smtprl-proc sources=$n ms=$(((t2 - t0) / 1000000))"
	else
		echo "dump kind=$kind sources=$n ms=$(((t2 - t0) / 1000000))"
	fi
	ns_down "m-$kind"
done
settle
trace_on

# The SYN path: no rules, smtprl, hashlimit, nft; IPv4 and IPv6; nothing
# limited, then every packet limited. Each family gets fresh namespaces:
# in the ones the other family just filled, every competitor's garbage
# collector would forget those idle sources during the runs, and the
# timed loop would count that work too.
for lim in pass limit; do
	for n in "${counts[@]}"; do
		max=$((n * 2 > 1024 ? n * 2 : 1024))
		for fam in 4 6; do
			for kind in base smtprl hashlimit nft; do
				ns_up "b-$kind" "$kind" "$lim" "$max"
			done
			declare -A v=() d=() o=()
			for kind in base smtprl hashlimit nft; do
				# The first run also creates every source's entry.
				bench "b-$kind" case=syn family=$fam sources="$n" iterations=1 >/dev/null
			done
			for r in $(seq "$reps"); do
				for kind in base smtprl hashlimit nft; do
					read -r ns dr < <(bench "b-$kind" case=syn family=$fam \
						sources="$n" iterations="$iters")
					v[$kind]+="$ns "
					d[$kind]=$dr
					o[$kind]+="$(cat "$bench_other")|"
				done
			done
			for kind in base smtprl hashlimit nft; do
				# shellcheck disable=SC2086
				echo "result path=syn mode=$lim family=$fam sources=$n kind=$kind" \
					"ns_per_pkt=$(median ${v[$kind]}) runs=\"${v[$kind]% }\"" \
					"dropped=${d[$kind]} of=$((iters)) other=\"${o[$kind]%|}\""
			done
			unset v d o
			for kind in base smtprl hashlimit nft; do
				ns_down "b-$kind"
			done
			settle
		done
	done
done

# Non-SMTP packets: UDP and TCP ACK to port 25, smtprl loaded and enabled
# vs no module at all in that namespace's path.
for kind in base smtprl; do
	ns_up "f-$kind" "$kind" pass 1024
done
for c in udp ack; do
	declare -A v=()
	for r in $(seq "$reps"); do
		for kind in base smtprl; do
			read -r ns _ < <(bench "f-$kind" case=$c family=4 sources=1 iterations="$iters")
			v[$kind]+="$ns "
		done
	done
	for kind in base smtprl; do
		# shellcheck disable=SC2086
		echo "result path=$c mode=pass family=4 sources=1 kind=$kind" \
			"ns_per_pkt=$(median ${v[$kind]}) runs=\"${v[$kind]% }\" dropped=0 of=$iters"
	done
	unset v
done
for kind in base smtprl; do
	ns_down "f-$kind"
done
settle

# The whole receive path: pktgen sends UDP over a
# veth into a namespace that forwards them to a blackhole route, with
# smtprl enabled there or not. Under -icount, pktgen's elapsed time is the
# instruction count of everything the guest did for those packets.
modprobe -q pktgen || true	# built in, on UML
pg() { echo "$2" >"/proc/net/pktgen/$1"; }
for kind in base smtprl; do
	ns_up "p-$kind" "$kind" pass 1024
	ip link add "pg-$kind" type veth peer name rx netns "p-$kind"
	ip link set "pg-$kind" up
	ip netns exec "p-$kind" sh -c 'ip link set rx up && ip addr add 10.9.0.2/24 dev rx &&
		ip route add blackhole 198.51.100.0/24 && sysctl -qw net.ipv4.ip_forward=1'
done
# (pktgen sends UDP only; TCP ACKs to port 25 are covered by smtprl_bench.)
declare -A v=()
for r in $(seq "$reps"); do
	for kind in base smtprl; do
		dev=pg-$kind
		pg kpktgend_0 rem_device_all
		pg kpktgend_0 "add_device $dev"
		for c in "count $iters" "pkt_size 64" "clone_skb 0" "dst 198.51.100.1" \
			 "src_min 10.9.0.1" "src_max 10.9.0.1" "udp_dst_min 53" "udp_dst_max 53" \
			 "dst_mac $(ip netns exec "p-$kind" cat /sys/class/net/rx/address)"; do
			pg "$dev" "$c"
		done
		echo start >/proc/net/pktgen/pgctrl
		us=$(sed -n 's/.*OK: \([0-9]*\)(c.*/\1/p' "/proc/net/pktgen/$dev")
		[ -n "$us" ] || { cat "/proc/net/pktgen/$dev" >&2; exit 1; }
		v[$kind]+="$((us * 1000 / iters)) "
	done
done
for kind in base smtprl; do
	# shellcheck disable=SC2086
	echo "result path=pktgen-udp mode=pass family=4 sources=1 kind=$kind" \
		"ns_per_pkt=$(median ${v[$kind]}) runs=\"${v[$kind]% }\" dropped=0 of=$iters"
done
unset v
pg kpktgend_0 rem_device_all
for kind in base smtprl; do
	ip link del "pg-$kind"
	ns_down "p-$kind"
done
settle

