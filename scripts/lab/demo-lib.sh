# SPDX-License-Identifier: GPL-2.0
#
# What the demo's guest scripts (demo-guest.sh, demo-bras-guest.sh) share:
# a heading, and an smtprlctl command shown before its output.

say() { printf '\n== %s\n' "$*"; }

# run ctl ARGS...: show the smtprlctl command line, then its output.
run() {
	local a line=smtprlctl
	for a in "${@:2}"; do
		[[ $a == *" "* ]] && a="\"$a\""
		line+=" $a"
	done
	printf '  # %s\n' "$line"
	"$@" | sed 's/^/  /'
}
