#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Generate the kernel policies/ops and the uAPI header from
# Documentation/netlink/specs/smtprl.yaml with the kernel's own YNL
# generator (linux-source-6.12), plus the ops table for kernels before 6.2,
# the names and ranges (smtprl-names.h) and the API reference
# (Documentation/netlink/smtprl.rst).
#   scripts/ynl/ynl-gen.sh          regenerate in place
#   scripts/ynl/ynl-gen.sh --check  fail if the committed files differ
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

src=$(ksrc_tools_dir)
spec=$SMTPRL_TOP/Documentation/netlink/specs/smtprl.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# ynl-gen-c.py reads <spec dir>/../genetlink.yaml and wants a MAINTAINERS
# file at the top of the tree: give it the kernel's schema in a scratch tree.
mkdir -p "$out/tree/Documentation/netlink/specs"
cp "$spec" "$out/tree/Documentation/netlink/specs/"
cp "$src/Documentation/netlink/genetlink.yaml" "$out/tree/Documentation/netlink/"
touch "$out/tree/MAINTAINERS"
gen() {
	(cd "$out/tree" && python3 "$src/tools/net/ynl/ynl-gen-c.py" \
		--spec Documentation/netlink/specs/smtprl.yaml "$@")
}
mkdir -p "$out/include/uapi/linux" "$out/kmod"
gen --mode uapi --header -o "$out/include/uapi/linux/smtprl.h"
gen --mode kernel --header -o "$out/kmod/netlink-gen.h"
gen --mode kernel --source -o "$out/kmod/netlink-gen.c"
# The generated source includes its header by the spec's name.
sed -i 's|#include "smtprl-nl.h"|#include "netlink-gen.h"|' "$out/kmod/netlink-gen.c"
# ynl-gen-c.py (6.12) drops a multicast group's flags; the events group
# is for admins only (admin-perm in the spec), as the kernel since 6.7 (and
# Debian's 6.1) can enforce.
grep -q 'flags: \[ admin-perm \]' <(sed -n '/^mcast-groups:/,$p' "$spec") ||
	die "the events group must be admin-perm"
sed -i 's|\[SMTPRL_NLGRP_EVENTS\] = { "events", },|[SMTPRL_NLGRP_EVENTS] = { "events", .flags = GENL_MCAST_CAP_NET_ADMIN, },|' \
	"$out/kmod/netlink-gen.c"
python3 "$SMTPRL_TOP/scripts/ynl/ynl-compat.py" "$out/kmod/netlink-gen.c" \
	>"$out/kmod/netlink-gen-compat.c"

# The names and ranges both sides print, parse and check (ynl-names.py).
python3 "$SMTPRL_TOP/scripts/ynl/ynl-names.py" "$spec" >"$out/include/uapi/linux/smtprl-names.h"

# The API reference, from the same docs.
mkdir -p "$out/Documentation/netlink"
python3 "$src/tools/net/ynl/ynl-gen-rst.py" -i "$spec" -o "$out/Documentation/netlink/smtprl.rst"

files="include/uapi/linux/smtprl.h include/uapi/linux/smtprl-names.h kmod/netlink-gen.h kmod/netlink-gen.c kmod/netlink-gen-compat.c
	Documentation/netlink/smtprl.rst"
if [ "${1:-}" = --check ]; then
	rc=0
	for f in $files; do
		diff -u "$SMTPRL_TOP/$f" "$out/$f" || { msg "$f is out of date: run scripts/ynl/ynl-gen.sh"; rc=1; }
	done
	exit $rc
fi
for f in $files; do
	mkdir -p "$(dirname "$SMTPRL_TOP/$f")"
	cp "$out/$f" "$SMTPRL_TOP/$f"
done
