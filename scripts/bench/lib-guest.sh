# SPDX-License-Identifier: GPL-2.0
# Helpers for the guest side of the comparison benchmarks (compare-guest.sh,
# smp-guest.sh): one network namespace per competitor, smtprl_bench.ko
# pushing packets into it.
ctl=$SMTPRL_TOP/userspace/smtprlctl
bench_ko=$(dirname "$SMTPRL_KO")/smtprl_bench.ko
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

rmmod smtprl 2>/dev/null || true
insmod "$SMTPRL_KO" enable=N
modprobe -q xt_hashlimit || true
modprobe -q iptable_raw || true
modprobe -q nft_limit || true

declare -A pid_of
# ns_up NAME KIND MODE MAX: a namespace holding one competitor.
#   KIND: base | smtprl | hashlimit | nft;  MODE: pass (nothing limited)
#   or limit (every packet after the first of each source is limited).
ns_up() {
	ip netns add "$1"
	ip netns exec "$1" ip link set lo up
	ip netns exec "$1" sleep 1000000 &
	pids+=($!)
	pid_of[$1]=$!
	ns_config "$@"
}

ns_config() {
	local name=$1 kind=$2 mode=$3 max=$4 rate burst hl nft
	if [ "$mode" = pass ]; then
		rate=1000000/second burst=10000 hl=1000000/sec nft=1000000/second
	else
		rate=1/day burst=1 hl=1/day nft=1/day
	fi
	case $kind in
	smtprl)
		"$ctl" -n "$name" policy set rate "$rate" burst "$burst" daily off \
			max-sources "$max" enabled yes ;;
	hashlimit)
		# The classic x_tables path (iptables-legacy): Debian's default
		# iptables-nft would add nft_compat's cost on top. Its best case:
		# one hash bucket per source (it never resizes), and no garbage
		# collection during the runs. Its collector walks every entry each
		# gc-interval (1 s by default): traced, that landed in the timed
		# passes of whichever competitor ran meanwhile (15 to 25 million
		# instructions at 100,000 sources). Entries expire after an hour
		# anyway; the nft set likewise. smtprl's collector stays on: it
		# looks at a quarter of its table each second.
		ip netns exec "$name" iptables-legacy -t raw -A PREROUTING -p tcp --dport 25 \
			--tcp-flags SYN,ACK,RST,FIN SYN -m hashlimit --hashlimit-name smtp \
			--hashlimit-mode srcip --hashlimit-above "$hl" --hashlimit-burst "$burst" \
			--hashlimit-htable-size "$max" --hashlimit-htable-max "$max" \
			--hashlimit-htable-expire 3600000 --hashlimit-htable-gcinterval 3600000 -j DROP
		ip netns exec "$name" ip6tables-legacy -t raw -A PREROUTING -p tcp --dport 25 \
			--tcp-flags SYN,ACK,RST,FIN SYN -m hashlimit --hashlimit-name smtp6 \
			--hashlimit-mode srcip --hashlimit-above "$hl" --hashlimit-burst "$burst" \
			--hashlimit-htable-size "$max" --hashlimit-htable-max "$max" \
			--hashlimit-htable-expire 3600000 --hashlimit-htable-gcinterval 3600000 -j DROP ;;
	nft)
		ip netns exec "$name" nft -f - <<-EOF
		table inet bench {
			set src4 { type ipv4_addr; size $max; flags dynamic,timeout; timeout 1h; gc-interval 1h; }
			set src6 { type ipv6_addr; size $max; flags dynamic,timeout; timeout 1h; gc-interval 1h; }
			chain pre {
				type filter hook prerouting priority raw - 1; policy accept;
				tcp dport 25 tcp flags & (syn | ack | rst | fin) == syn meta nfproto ipv4 update @src4 { ip saddr limit rate over $nft burst $burst packets } drop
				tcp dport 25 tcp flags & (syn | ack | rst | fin) == syn meta nfproto ipv6 update @src6 { ip6 saddr limit rate over $nft burst $burst packets } drop
			}
		}
		EOF
		;;
	esac
}

ns_down() {
	kill "${pid_of[$1]}" 2>/dev/null || true
	ip netns del "$1"
}

# Namespaces are torn down by a kernel worker, later: a million entries
# take a while to free, and that work would be counted against whatever
# runs next. Wait until kernel memory stops moving.
settle() {
	local prev=0 cur stable=0 i
	for i in $(seq 120); do
		cur=$(mem_kib)
		if [ $((cur > prev ? cur - prev : prev - cur)) -lt 256 ]; then
			stable=$((stable + 1))
			[ $stable -ge 2 ] && return 0
		else
			stable=0
		fi
		prev=$cur
		sleep 1
	done
	echo "settle: memory still moving after 120 s" >&2
}

# bench NAME PARAMS...: one run; prints "ns_per_pkt dropped".
bench() {
	local name=$1 out
	shift
	dmesg -C
	[ ! -w "$trace/trace" ] || : >"$trace/trace"
	insmod "$bench_ko" netns_pid="${pid_of[$name]}" "$@" 2>/dev/null || true
	out=$(dmesg | sed -n 's/.*ns_per_pkt=\([0-9]*\) dropped=\([0-9]*\)$/\1 \2/p' | tail -1)
	[ -n "$out" ] || { dmesg | tail -5 >&2; echo "bench: run in $name failed: $*" >&2; exit 1; }
	interference >"$bench_other"
	echo "$out"
}

# What else ran on the CPU during the last bench run's timed pass: the
# loop lets workqueue items and softirqs in (cond_resched(), BH enabled
# every 1,024 packets), and their time counts in its figure. A garbage
# collector or a table resize is the usual culprit of a run that
# scatters; under -icount a guest ns is an instruction. Tracepoints only
# (workqueue and softirq), clocked on CLOCK_MONOTONIC as the bench's own
# t0_ns..t1_ns. Kernels without tracing report nothing.
trace=/sys/kernel/debug/tracing
bench_other=/tmp/bench-other
: >"$bench_other"
trace_on() {
	local e
	[ -w "$trace/trace_clock" ] && echo mono >"$trace/trace_clock" || return 0
	echo 0 >"$trace/tracing_on"
	echo 4096 >"$trace/buffer_size_kb"
	for e in workqueue/workqueue_execute_start workqueue/workqueue_execute_end \
		irq/softirq_entry irq/softirq_exit; do
		echo 1 >"$trace/events/$e/enable"
	done
	echo 1 >"$trace/tracing_on"
}
# interference: "NAME:COUNT:NS ..." for what ran in the last timed pass,
# 100,000 ns or more in all, the most first (workqueue items by function,
# softirqs by vector).
interference() {
	local t0 t1
	[ -r "$trace/trace" ] || return 0
	read -r t0 t1 < <(dmesg | sed -n 's/.* t0_ns=\([0-9]*\) t1_ns=\([0-9]*\) .*/\1 \2/p' | tail -1) ||
		return 0
	awk -v t0="$t0" -v t1="$t1" '
	function ns(s) { sub(/:$/, "", s); return s * 1e9 }
	function add(what, a, b) {
		if (a < t0) a = t0
		if (b > t1) b = t1
		if (b <= a) return
		n[what]++; d[what] += b - a
	}
	{
		for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\.[0-9]+:$/) break
		if (i > NF) next
		t = ns($i); ev = $(i + 1)
	}
	ev == "workqueue_execute_start:" {
		w = $(i + 4); start[w] = t
		for (j = i + 5; j < NF && $j != "function"; j++) ;
		fn[w] = $(j + 1)	# "function gc_work [smtprl]": gc_work
	}
	ev == "workqueue_execute_end:" { w = $(i + 4); if (w in start) add(fn[w], start[w], t); delete start[w] }
	ev == "softirq_entry:" { v = $NF; gsub(/[][]|action=/, "", v); s[v] = t }
	ev == "softirq_exit:" { v = $NF; gsub(/[][]|action=/, "", v); if (v in s) add("softirq-" v, s[v], t); delete s[v] }
	END { for (w in d) if (d[w] >= 100000) printf "%d %s:%d:%d\n", d[w], w, n[w], d[w] }
	' "$trace/trace" | sort -rn | awk '{ printf "%s%s", sep, $2; sep = " " } END { print "" }'
}

median() { printf '%s\n' "$@" | sort -n | sed -n "$((($# + 1) / 2))p"; }

# Kernel memory of the kind the competitors' tables use, KiB: slab (the
# entries) and vmalloc (big bucket arrays; at a million sources every
# competitor's is one).
mem_kib() {
	awk '$1 == "Slab:" || $1 == "VmallocUsed:" { s += $2 } END { print s }' /proc/meminfo
}

# bind_subscribers NS N: N subscribers in NS, subscriber i bound to bench
# source i's IPv4 address and IPv6 /64 (smtprl_bench.c's set_source()),
# charged by the policy.
bind_subscribers() {
	/usr/bin/python3 - "$2" >/tmp/subscribers.batch <<'EOF'
import sys
for i in range(int(sys.argv[1])):
    a = 0x0a000000 ^ (i * 2654435761 & 0xffffffff)
    print(f"subscriber add s{i} {a >> 24}.{a >> 16 & 255}.{a >> 8 & 255}.{a & 255}"
          f" 2001:db8:{a >> 16:x}:{a & 0xffff:x}::/64")
EOF
	"$ctl" -n "$1" -b /tmp/subscribers.batch
}
