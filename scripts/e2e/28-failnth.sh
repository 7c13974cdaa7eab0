#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# lab: kernels uml
#
# Every configuration request is all or nothing, whichever of its
# allocations fails (scripts/e2e/failnth.py: failslab's fail-nth, in the
# UML debug kernel, which has fault injection): refused with nothing
# changed, or applied exactly. KASAN and kmemleak watch the error paths.
. "$(dirname "$0")/lib.sh"
trap 'rm -rf "$E2E_TMP"' EXIT
[ "${SMTPRL_CONTROL:-0}" = 1 ] && fail "needs the module"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
/usr/bin/python3 "$SMTPRL_TOP/scripts/e2e/failnth.py" "$SMTPRL_TOP/userspace/smtprlctl"
