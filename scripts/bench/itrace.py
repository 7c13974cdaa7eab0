# SPDX-License-Identifier: GPL-2.0
"""Run inside gdb (scripts/bench/itrace.sh): single-step the first PACKETS
calls of FUNC in a qemu guest and count the instructions each kernel
function executes in them.

Instructions are counted as qemu -icount counts them, one per step; the
stepping masks interrupts and timers, so nothing but the call is traced.
Settings come from the environment: ITRACE_PORT, ITRACE_SYMS (the guest's
text symbols: address, name [module]), ITRACE_GO (a file to create
once the breakpoint is set), ITRACE_FUNC, ITRACE_PACKETS, ITRACE_OUT.
"""
import bisect
import collections
import os

import gdb  # pylint: disable=import-error


def symbols(path):
    syms = []
    with open(path, encoding="ascii") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 2:
                continue
            name = " ".join(parts[1:])
            syms.append((int(parts[0], 16), name))
    syms.sort()
    return [a for a, _ in syms], [n for _, n in syms]


def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & 0xFFFFFFFFFFFFFFFF


def main():
    addrs, names = symbols(os.environ["ITRACE_SYMS"])
    func = os.environ.get("ITRACE_FUNC", "smtprl_hook")
    packets = int(os.environ.get("ITRACE_PACKETS", "3"))
    try:
        entry = addrs[names.index(func + " [smtprl]")]
    except ValueError:
        entry = addrs[names.index(func)]
    gdb.execute("set pagination off")
    gdb.execute("set confirm off")
    gdb.execute("target remote 127.0.0.1:%s" % os.environ["ITRACE_PORT"])
    gdb.execute("hbreak *0x%x" % entry)
    open(os.environ["ITRACE_GO"], "w", encoding="ascii").close()
    runs = []
    for _ in range(packets):
        gdb.execute("continue", to_string=True)
        top = reg("rsp")	# the return address: deeper frames are below
        per = collections.Counter()
        order = []
        trace = []
        steps = 0
        while True:
            pc = reg("pc")
            i = bisect.bisect_right(addrs, pc) - 1
            name = names[i] if i >= 0 else hex(pc)
            if name not in per:
                order.append(name)
            per[name] += 1
            trace.append("%s+0x%x" % (name, pc - addrs[i]) if i >= 0 else name)
            steps += 1
            gdb.execute("stepi", to_string=True)
            if reg("rsp") > top:
                break
        runs.append((steps, per, order))
        last_trace = trace
    gdb.execute("delete")
    gdb.execute("detach")
    with open(os.environ["ITRACE_OUT"], "w", encoding="ascii") as out:
        out.write("# instructions per call of %s, packets traced: %s\n"
                  % (func, " ".join(str(s) for s, _, _ in runs)))
        steps, per, order = runs[-1]
        out.write("# the last one, by function in order of first entry:\n")
        for name in order:
            out.write("%6d  %s\n" % (per[name], name))
        out.write("%6d  total\n" % steps)
    with open(os.environ["ITRACE_OUT"] + ".trace", "w", encoding="ascii") as out:
        out.write("\n".join(last_trace) + "\n")


main()
