#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the lab VM (see scripts/demo.sh). The VM is the BRAS.
. "$(dirname "$0")/e2e/lib.sh"
trap topology_down EXIT

say() { printf '\n== %s\n' "$*"; }

cat <<'TOPO'

   zombie   10.0.1.2  \          +--------- BRAS ---------+
   customer 10.0.1.3   [sub]-----+  smtprl.ko, PREROUTING  +-----[inet] MX 10.0.2.25
   (IPv6 2001:db8:1::/64)        +-------------------------+      (Postfix smtp-sink)
TOPO
topology_up
mx_start 25

say "loading smtprl: burst of 5 new port-25 connections, then 2 an hour; reject beyond"
smtprl_reload rate=2/hour burst=5 daily=100 action=reject
echo "kernel $(uname -r), smtprl $(cat /sys/module/smtprl/version)"
column -t /proc/net/smtprl/policy

mail() { nsx sub /usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/mail.py" "$@" | sed 's/^/  /'; }

say "the zombie (10.0.1.2) sends 12 mails straight to the MX"
mail 10.0.1.2 $MX4 25 12

say "the customer next door (10.0.1.3) runs its own mail server: exempt it"
ctl=$SMTPRL_TOP/userspace/smtprlctl
echo "  # smtprlctl exempt add 10.0.1.3 expires 30d comment \"customer 4711, own MX\""
$ctl exempt add 10.0.1.3 expires 30d comment "customer 4711, own MX"
mail 10.0.1.3 $MX4 25 8 | tail -1

say "an IPv6 zombie rotating through its /64 (::2, ::3, ::4, 3 mails each)"
for a in 2 3 4; do mail 2001:db8:1::$a $MX6 25 3 | tail -1; done

say "the zombie's mail on the submission port 587 is not smtprl's business"
mx_start 587
mail 10.0.1.2 $MX4 587 3 | tail -1

say "messages the MX received: $(mx_count 25) on port 25, $(mx_count 587) on 587"

say "/proc/net/smtprl/sources (the same, without any tool)"
column -t /proc/net/smtprl/sources
say "smtprlctl exempt list"
$ctl exempt list
say "smtprlctl source list"
$ctl source list
say "/proc/net/smtprl/stats"
column -t /proc/net/smtprl/stats

say "not shown yet"
cat <<'NOTE'
smtprlctl batch mode (-b), save and monitor; events and quarantine.
NOTE
