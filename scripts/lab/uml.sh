#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the UML debug kernel used for KUnit and sanitizer runs,
# or (lab/uml.sh bench) the same without the debug options, for benchmarks.
# Prints the build directory (usable as KDIR, holds ./linux).
#
# Built from a copy of linux-source-6.12 with scripts/lab/patches/ applied (UML
# must size its XSTATE buffer by the host's: AMX hosts). Cache key:
# linux-source-6.12 version + config fragments + patches + compiler.
# Before the kernel is handed out, it must start a process on this host
# (once per host boot), or the script fails saying why.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"

if [ "${1:-}" = bench ]; then
	frags=("$SMTPRL_TOP/scripts/lab/kconfig/lab-extra.config"
	       "$SMTPRL_TOP/scripts/lab/kconfig/uml-bench.config")
else
	frags=("$SMTPRL_TOP/scripts/lab/kconfig/uml-debug.config"
	       "$SMTPRL_TOP/scripts/lab/kconfig/lab-extra.config"
	       "$SMTPRL_TOP/scripts/lab/kconfig/uml-faults.config")
fi
# SMTPRL_UML_PATCHES=none builds without them (a kernel of its own cache
# key): the control run that shows the start check failing on AMX hosts.
if [ "${SMTPRL_UML_PATCHES:-}" = none ]; then
	patches=()
else
	patches=("$SMTPRL_TOP"/scripts/lab/patches/linux-6.12-um-*.patch)
fi
ver=$(ksrc_version)
key=$(kconfig_key "${frags[@]}" ${patches[@]+"${patches[@]}"})
out=$SMTPRL_CACHE/uml-${ver//[~:]/_}-$key

# uml_starts: boot the kernel with a two-line init (a shell that runs one
# more process, then powers off). UML's first process is where a host it
# cannot serve shows: an XSAVE area its ptrace buffer does not fit
# (AMX), a host that refuses ptrace, no /dev/shm.
uml_starts() {
	local log=$out/start-check.log init=$out/start-check.init boot
	boot=$(cat /proc/sys/kernel/random/boot_id)
	[ "$(cat "$out/.smtprl-started" 2>/dev/null)" = "$boot" ] && return 0
	printf '#!/bin/sh\n/bin/true && echo smtprl-uml-started\n/bin/busybox poweroff -f\n' >"$init"
	chmod +x "$init"
	timeout -k 5 300 "$out/linux" mem=256M rootfstype=hostfs rootflags=/ ro \
		con=null con0=null,fd:1 panic=-1 init="$init" \
		</dev/null >"$log" 2>&1 || true
	if grep -q '^smtprl-uml-started' "$log" && ! grep -q 'Kernel panic' "$log"; then
		echo "$boot" >"$out/.smtprl-started"
		return 0
	fi
	msg "this host cannot run the UML lab kernel $out/linux:"
	msg "it did not start a process (whole log: $log):"
	# What went wrong, not the checks that passed before it.
	{ grep -E -i 'fail|panic|errno|error|killed|no such' "$log" |
		grep -v 'OK$' | head -5 | grep . || tail -5 "$log"; } | sed 's/^/    /' >&2
	if grep -q 'fp regs' "$log"; then
		msg "UML could not restore a process's FP registers through ptrace:"
		msg "the host's XSAVE area$(grep -q amx_tile /proc/cpuinfo && echo ' (this CPU has AMX)')" \
		    "does not match UML's buffer; is scripts/lab/patches/linux-6.12-um-xstate-size.patch applied?"
	fi
	return 1
}

cache_lock "uml-$key"
if [ -x "$out/linux" ] && [ -e "$out/.smtprl-complete" ]; then
	uml_starts || die "UML kernel unusable on this host"
	echo "$out"
	exit 0
fi

if [ ${#patches[@]} -gt 0 ]; then
	src=$(ksrc_patched_dir "${patches[@]}")
else
	src=$(ksrc_dir)
fi
msg "building UML kernel in $out (cold: ~15 min on 2 cores)"
start=$SECONDS
mkdir -p "$out"
make -s -C "$src" O="$out" ARCH=um defconfig >/dev/null
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >/dev/null
make -s -C "$src" O="$out" ARCH=um olddefconfig >/dev/null

kconfig_check "$out/.config" "${frags[@]}" || die "UML config incomplete"

make -s -C "$src" O="$out" ARCH=um -j"$(nproc)" >"$out/build.log" 2>&1 ||
	{ tail -30 "$out/build.log" >&2; die "UML build failed (see $out/build.log)"; }
# Out-of-tree modules need the prepared tree; modules_prepare is part of the build.
touch "$out/.smtprl-complete"
msg "UML kernel ready after $((SECONDS - start)) s"
uml_starts || die "UML kernel unusable on this host"
echo "$out"
