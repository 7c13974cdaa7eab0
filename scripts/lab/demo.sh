#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot Debian's stock 6.12 kernel in the lab (qemu, TCG), load
# smtprl.ko on a BRAS between subscribers, the ISP's relay and the internet
# (scripts/e2e/isp.sh), send real mail and show what happened; then, in a
# second boot, the redial story on a PPPoE BRAS (scripts/e2e/bras.sh).
# Everything printed is read from the running lab.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

kernel=${KERNEL:-6.12}
echo "smtprl demo: preparing the $kernel lab kernel and building the module..."
"$SMTPRL_TOP/scripts/lab/build-module.sh" "$kernel" >/dev/null
make -s -C "$SMTPRL_TOP/userspace" >/dev/null
mkdir -p "$SMTPRL_TOP/build"
cc -O2 -o "$SMTPRL_TOP/build/synflood" "$SMTPRL_TOP/scripts/e2e/synflood.c"
echo "smtprl demo: booting (qemu, software emulation: about a minute)..."
"$SMTPRL_TOP/scripts/lab/vm-run.sh" -l -t 600 -o "$SMTPRL_TOP/build/demo" \
	"$kernel" "$SMTPRL_TOP/scripts/lab/demo-guest.sh"
echo "smtprl demo: part two, a PPPoE BRAS; booting again..."
exec "$SMTPRL_TOP/scripts/lab/vm-run.sh" -l -t 600 -o "$SMTPRL_TOP/build/demo-bras" \
	"$kernel" "$SMTPRL_TOP/scripts/lab/demo-bras-guest.sh"
