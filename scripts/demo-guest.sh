#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the lab VM (see scripts/demo.sh). smtprl.ko is loaded.
. "$(dirname "$0")/e2e/lib.sh"
trap topology_down EXIT
ctl=$SMTPRL_TOP/userspace/smtprlctl

say() { printf '\n== %s\n' "$*"; }

say "kernel $(uname -r), module $(cat /sys/module/smtprl/version) loaded"
cat <<'TOPO'

   zombie 10.0.1.2           +------ BRAS ------+          MX 10.0.2.25
   customer 10.0.1.3  [sub]--+ smtprl.ko loaded +--[inet]  (Postfix smtp-sink)
                             +------------------+
TOPO
topology_up
mx_start 25

say "smtprlctl version"
nsx bras "$ctl" version || true

say "the zombie (10.0.1.2) sends 30 mails straight to the MX, one connection each"
nsx sub smtp-source -m 30 -s 1 -f zombie@example.org -t user@example.net \
	$MX4:25 || true
echo "delivered on the MX: $(mx_count 25) of 30"

say "the customer (10.0.1.3) sends 3 mails from its own mail server"
ok=$(send_many 3 10.0.1.3 $MX4)
echo "delivered: $ok of 3"

say "/proc/net/smtprl/ in the BRAS namespace"
nsx bras ls -l /proc/net/smtprl/

say "what this build does"
cat <<'NOTE'
This build of smtprl is the lab skeleton: the module loads, creates its
per-namespace /proc directory and unloads cleanly, but it has no netfilter
hook yet, so it limits nothing: every mail above was delivered. The
enforcement core (token buckets per subscriber) and the smtprlctl control
plane are the next steps; this demo will show them as they land.
NOTE
