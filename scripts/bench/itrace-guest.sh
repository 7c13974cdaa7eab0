#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side of scripts/bench/itrace.sh: one namespace with smtprl set up as
# compare-guest.sh sets it (MODE pass or limit, strikes-pass or
# strikes-limit with quarantine and fan-out on), SOURCES sources already
# tracked, then the kernel's text symbols for the host, and, once the host's
# debugger is attached, one more smtprl_bench.ko run whose first packets the
# host single-steps.
#   itrace-guest.sh CASE FAMILY SOURCES MODE
set -euo pipefail
bcase=$1 fam=$2 n=$3 lim=$4
. "$(dirname "$0")/lib-guest.sh"

# The host may take a while to attach, and the guest's clock runs on.
echo 86400 >/sys/module/smtprl/parameters/gc_idle
ns_up t smtprl "$(case $lim in *limit) echo limit ;; *) echo pass ;; esac)" \
	$((n * 2 > 1024 ? n * 2 : 1024))
# strikes-pass, strikes-limit: quarantine and fan-out on, as perf-guest.sh.
[ "$lim" = "${lim#strikes-}" ] ||
	"$ctl" -n t policy set strikes 3 strike-window 1d fanout-limit 100
# bound, unbound-next-to-bound: 100,000 subscribers bound to sources 0 ..
# 99,999, as perf-guest.sh; the packets come from bound sources, or from
# the unbound ones after them.
off=0
case $lim in
bound|unbound-next-to-bound)
	bind_subscribers t 100000
	[ "$lim" = bound ] || off=100000 ;;
esac
# Every source tracked first: the traced packets take the steady path.
bench t case=syn family="$fam" sources="$n" iterations=1 offset=$off >/dev/null
awk '$2 ~ /^[tT]$/ { print $1, $3, $4 }' /proc/kallsyms >"$SMTPRL_OUT/kallsyms.txt"
: >"$SMTPRL_OUT/ready"
# The host attaches and sets its breakpoint, then says go. A busy wait:
# with -icount sleep=off a sleep would pass in no real time.
until ls "$SMTPRL_OUT" | grep -qx go; do :; done
bench t case="$bcase" family="$fam" sources="$n" iterations=1 offset=$off
