#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""failnth.py SMTPRLCTL

All or nothing, allocation by allocation. For each configuration request
below (raw generic netlink, in the initial namespace), run it once to learn
what it changes; then again and again from the same starting point with
/proc/thread-self/fail-nth set to 1, 2, 3...: the N-th slab allocation of
the request fails (failslab, the UML debug kernel). Every run must end
either refused with the configuration exactly as before (`smtprlctl save`,
plus the enabled state and hooks of /proc/net/smtprl/policy), or accepted
with exactly the change of the clean run. A run in which no allocation
failed ends the request's loop. Needs CONFIG_FAILSLAB and
CONFIG_FAULT_INJECTION_DEBUG_FS; prints one line per request.
"""

import os
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pyroute2.netlink.generic import GenericNetlinkSocket  # noqa: E402

from nlhostile import CMD, E, P, PolicyMsg, Raw, addr4, addr6, attr, s, u8, u32  # noqa: E402

CTL = sys.argv[1]
FAILSLAB = "/sys/kernel/debug/failslab"

# The state every run starts from, as a batch for smtprlctl -b.
BASELINE = """exempt flush
scope flush
relay flush
source flush
policy set rate 10/minute burst 5 daily 500 action drop hooks prerouting enabled no strikes 0 fanout-limit 0
exempt add 10.77.0.0/16 rate 5/hour burst 2 comment "existing"
scope add 10.0.0.0/8
relay add 192.0.2.0/24
"""


def ctl(*args, stdin=None):
    return subprocess.run([CTL, *args], input=stdin, capture_output=True,
                          text=True, check=True).stdout


def config():
    """What a refused request must leave unchanged, without ticking times."""
    save = [line for line in ctl("save").splitlines()]
    save = [" ".join(w for w in line.split() if not w.endswith("s") or
                     not w[:-1].isdigit()) for line in save]
    with open("/proc/net/smtprl/policy") as f:
        pol = [line for line in f if line.split()[0] in ("enabled", "hooks")]
    with open("/proc/net/smtprl/sources") as f:
        rows = [line.split() for line in f]
    col = {name: i for i, name in enumerate(rows[0])} if rows else {}
    src = sorted(f"source {r[0]} {r[col['state']]}" for r in rows[1:])
    return "\n".join(sorted(save) + pol + src)


def baseline():
    ctl("-b", "-", stdin=BASELINE)


def setup_failslab():
    for name, val in (("ignore-gfp-wait", "N"), ("verbose", "0"),
                      ("probability", "0"), ("times", "-1")):
        path = os.path.join(FAILSLAB, name)
        if not os.path.exists(path):
            sys.exit(f"FAIL: {path} missing (a kernel without failslab?)")
        with open(path, "w") as f:
            f.write(val)


def main():
    gs = GenericNetlinkSocket()
    gs.bind("smtprl", PolicyMsg)
    family = gs.prid
    gs.close()
    conn = Raw(family)
    setup_failslab()
    nth = os.open("/proc/thread-self/fail-nth", os.O_RDWR)

    requests = [
        ("policy-set: enable with both hooks, new rate",
         CMD["policy-set"], u32(P["rate"], 7) + u32(P["burst"], 3) +
         u32(P["hooks"], 3) + u8(P["enabled"], 1)),
        ("policy-set: quarantine and fan-out on",
         CMD["policy-set"], u32(P["strikes"], 3) + u32(P["fanout-limit"], 20)),
        ("exempt-add with a limit and a comment",
         CMD["exempt-add"], addr4("10.78.0.0") + u8(E["plen"], 16) +
         u32(E["rate"], 3) + u32(E["burst"], 2) + u32(E["daily"], 10) +
         s(E["comment"], "customer 4711")),
        ("exempt-add replace",
         CMD["exempt-add"], addr4("10.77.0.0") + u8(E["plen"], 16) +
         u32(E["rate"], 9) + attr(E["replace"], b"") + s(E["comment"], "new")),
        ("exempt-add IPv6 for 30 days",
         CMD["exempt-add"], addr6("2001:db8:77::") + u8(E["plen"], 48) +
         struct.pack("=HHQ", 12, E["expires"], 30 * 86400)),
        ("scope-add prefix", CMD["scope-add"],
         addr6("2001:db8::") + u8(E["plen"], 32)),
        ("scope-add device", CMD["scope-add"], s(E["ifname"], "ppp+")),
        ("relay-add", CMD["relay-add"], addr4("198.51.100.0") + u8(E["plen"], 24)),
        ("source-quarantine", CMD["source-quarantine"],
         addr4("10.1.2.3")),
        ("exempt-del", CMD["exempt-del"], addr4("10.77.0.0") + u8(E["plen"], 16)),
    ]
    failed = 0
    for what, cmd, attrs in requests:
        baseline()
        before = config()
        err, text, _, _ = conn.request(cmd, attrs)
        if err:
            print(f"FAIL: {what}: refused without faults: {err} {text}")
            failed += 1
            continue
        after = config()
        if after == before:
            print(f"FAIL: {what}: changes nothing")
            failed += 1
            continue
        n, refused, noanswer, bad = 0, 0, 0, []
        while True:
            n += 1
            baseline()
            data = conn.msg(cmd, attrs)
            os.pwrite(nth, str(n).encode(), 0)
            try:
                conn.send_raw(data)
                sent = True
            except OSError:
                sent = False
            left = int(os.pread(nth, 32, 0))
            os.pwrite(nth, b"0", 0)
            fired = left == 0
            if sent:
                try:
                    err, text, _, _ = conn.recv_answer()
                except OSError as e:
                    # ENOBUFS: the kernel could not allocate the answer
                    # itself; the request is done or not, never halfway.
                    err, text = None, e.strerror
            else:
                err, text = -1, "send failed"
            got = config()
            if err is None:
                noanswer += 1
                if got not in (before, after):
                    bad.append(f"n={n}: no answer ({text}) and half applied")
            elif err == 0 and got != after:
                bad.append(f"n={n}: accepted but did not apply exactly")
            elif err and got != before:
                diff = sorted(set(got.splitlines()) ^ set(before.splitlines()))
                bad.append(f"n={n}: refused ({err} {text}) but changed the configuration: {diff}")
            elif err and not fired:
                bad.append(f"n={n}: refused ({err} {text}) with no fault injected")
            refused += bool(err) and err is not None
            if not fired or n >= 400:
                break
        if bad:
            failed += 1
            print(f"FAIL: {what}: " + "; ".join(bad[:5]))
        else:
            print(f"ok: {what}: {n - 1} allocations failed in turn: "
                  f"{refused} refused cleanly, {noanswer} unanswered (ENOBUFS) "
                  f"and whole, the rest applied exactly")
    baseline()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
