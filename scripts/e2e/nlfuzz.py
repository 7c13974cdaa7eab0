#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""nlfuzz.py SEED COUNT NETNS...

A seeded, model-checked fuzzer for the smtprl generic-netlink family, run
as root. One thread per network namespace (a name under /run/netns, or
"init"), each with three sockets, sends COUNT messages in all:

  valid     policy-set (random fields), scope/relay/exempt add, replace,
            del, flush, gets and dumps, from small pools so that adds and
            dels collide; a model predicts each answer (0, EEXIST, ENOENT)
  invalid   a valid request with one thing broken that must be refused:
            unknown attribute type, wrong length, out-of-range value,
            missing address, NLA_F_NESTED on a scalar, an attribute longer
            than the message, trailing garbage, a short genl header, an
            unknown command, a dump of a do-only command
  random    random command, flags and attributes: any answer will do, but
            there must be one; after an accepted one, the kernel's
            configuration may differ from the model only where that
            command could change it (policy-set: the fields it carried,
            an add: one entry more, a del: one fewer, a flush: empty),
            and the model then takes those changes (counted and printed)

Every twentieth batch a dump is started on one socket, read halfway,
mutations sent on another, then read to the end: it must end with
NLMSG_DONE, and unless flagged NLM_F_DUMP_INTR it must hold every
exemption that existed, untouched, for the whole dump, once, and nothing
that never existed during it.
At the start, 20,000 exemptions (NLFUZZ_BULK) are added, dumped in full
(exactly the model's) and flushed;
before an interleaved dump, 1,000 are added if fewer than 500 are left,
so that the dump spans several datagrams.
At the end, each namespace's configuration (policy, scope, relay,
exemptions and their comments) must equal its model exactly. Prints the
seed; the same SEED and COUNT repeat the run message for message (up to
thread interleaving across namespaces).
"""

import ctypes
import errno
import os
import random
import socket
import struct
import sys
import threading
from collections import Counter

from pyroute2.netlink import NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST
from pyroute2.netlink.generic import GenericNetlinkSocket

from nlhostile import CMD, E, NLA_F_NESTED, NLMSG_DONE, NLMSG_ERROR, P, Raw
from nlhostile import addr4, addr6, attr, s, u8, u32, u64

CLONE_NEWNET = 0x40000000
# Exemptions in the bulk dump of each namespace (NLFUZZ_BULK).
BULK = int(os.environ.get("NLFUZZ_BULK", 20000))
DUMP = NLM_F_REQUEST | NLM_F_DUMP
NLM_F_DUMP_INTR = 0x10
DO = NLM_F_REQUEST | NLM_F_ACK
# The ops' request attributes, highest number in the entry set.
E_MAX = max(E.values())
P_MAX = max(P.values())

V4 = [f"10.{i}.0.0/16" for i in range(8)] + [f"10.9.{i}.{j}/32" for i in range(2) for j in range(4)]
V6 = [f"2001:db8:{i + 1:x}::/48" for i in range(8)] + [f"2001:db8:f::{i + 1:x}/128" for i in range(8)]
IFNAMES = ["ppp+", "eth1", "vlan100", "bond0.7"]


def pfx_attrs(p):
    a, plen = p.split("/")
    return (addr6(a) if ":" in a else addr4(a)) + u8(E["plen"], int(plen))


def parse(body):
    """Attributes of one message body (after the genl header): {type: [payload]}."""
    out, off = {}, 0
    while off + 4 <= len(body):
        ln, t = struct.unpack_from("=HH", body, off)
        if ln < 4:
            break
        out.setdefault(t & 0x3FFF, []).append(body[off + 4:off + ln])
        off += (ln + 3) & ~3
    return out


def key_of(a):
    if E["addr4"] in a:
        addr = socket.inet_ntoa(a[E["addr4"]][0])
    elif E["addr6"] in a:
        addr = socket.inet_ntop(socket.AF_INET6, a[E["addr6"]][0])
    else:
        return "dev " + a[E["ifname"]][0].rstrip(b"\0").decode()
    return f"{addr}/{a[E['plen']][0][0]}"


class Conn(Raw):
    def answer(self, data):
        """Send one message; (errno, replies). errno None: no answer."""
        self.send_raw(data)
        try:
            err, _, _, n = self.recv_answer()
        except socket.timeout:
            return None, 0
        return err, n

    def dump(self, cmd):
        """All replies of a dump, as parsed attribute dicts."""
        self.send_raw(self.msg(cmd, b"", DUMP))
        return self.collect()

    def collect(self):
        out = []
        while True:
            data = self.sk.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                ln, typ, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                body = data[off + 20:off + ln]
                off += (ln + 3) & ~3
                if seq != self.seq:
                    continue
                if typ == NLMSG_DONE:
                    return out
                if typ == NLMSG_ERROR:
                    raise RuntimeError("dump refused")
                out.append(parse(body))


class Model:
    def __init__(self):
        self.policy = {}
        self.scope, self.relay, self.exempt = set(), set(), {}

    def read(self, c):
        """The kernel's configuration, in the model's terms."""
        c.send_raw(c.msg(CMD["policy-get"]))
        pol = c.collect_one()
        policy = {n: pol[P[n]][0] for n in P if P[n] in pol}
        scope = {key_of(a) for a in c.dump(CMD["scope-get"])}
        relay = {key_of(a) for a in c.dump(CMD["relay-get"])}
        exempt = {key_of(a): a.get(E["comment"], [b"\0"])[0].rstrip(b"\0").decode()
                  for a in c.dump(CMD["exempt-get"])}
        return policy, scope, relay, exempt


def collect_one(self):
    """The single reply of a do-request without ACK."""
    while True:
        data = self.sk.recv(1 << 20)
        ln, typ, _, seq, _ = struct.unpack_from("=IHHII", data, 0)
        if seq != self.seq:
            continue
        if typ == NLMSG_ERROR:
            raise RuntimeError("get failed")
        return parse(data[20:ln])


Conn.collect_one = collect_one


class Fuzzer(threading.Thread):
    def __init__(self, family, netns, seed, count):
        super().__init__()
        self.rnd = random.Random(seed)
        self.netns, self.count = netns, count
        self.conns = [self.open(family) for _ in range(3)]
        self.model = Model()
        self.stats = {"valid": 0, "invalid": 0, "random": 0, "random-accepted": 0,
                      "random-unanswered": 0, "interleaved-dumps": 0, "bulk": 0}
        self.failures = []
        self.touched = set()    # exemptions changed since it was cleared
        self.intr = False       # the current dump was flagged NLM_F_DUMP_INTR

    def open(self, family):
        if self.netns == "init":
            return Conn(family)
        libc = ctypes.CDLL(None, use_errno=True)
        here = os.open("/proc/self/ns/net", os.O_RDONLY)
        there = os.open(f"/run/netns/{self.netns}", os.O_RDONLY)
        try:
            if libc.setns(there, CLONE_NEWNET):
                raise OSError(ctypes.get_errno(), "setns")
            c = Conn(family)
        finally:
            libc.setns(here, CLONE_NEWNET)
            os.close(here)
            os.close(there)
        return c

    def fail(self, what):
        self.failures.append(f"{self.netns}: {what}")

    def expect(self, c, data, want, what):
        err, _ = c.answer(data)
        if err != want:
            self.fail(f"{what}: errno {err}, expected {want}")
        return err

    # valid requests, with the model's prediction

    def valid(self, c):
        r, m = self.rnd, self.model
        kind = r.choice(["policy"] * 3 + ["scope", "relay"] * 2 + ["exempt"] * 4 +
                        ["get"] * 3 + ["flush"])
        if kind == "policy":
            f = {}
            if r.random() < .5:
                f["rate"], f["rate-unit"] = r.randint(1, 1000), r.randint(0, 3)
            for n, lo, hi in (("burst", 1, 1000), ("daily", 0, 100000), ("action", 0, 2),
                              ("when-full", 0, 1), ("max-sources", 1024, 100000),
                              ("v4-prefix", 8, 32), ("v6-prefix", 32, 128), ("enabled", 0, 1)):
                if r.random() < .3:
                    f[n] = r.randint(lo, hi)
            if not f:
                f["burst"] = r.randint(1, 1000)
            enc = {"v4-prefix": u8, "v6-prefix": u8, "enabled": u8}
            a = b"".join(enc.get(n, u32)(P[n], v) for n, v in f.items())
            if self.expect(c, c.msg(CMD["policy-set"], a), 0, f"policy-set {f}") == 0:
                m.policy.update(f)
        elif kind in ("scope", "relay"):
            st = m.scope if kind == "scope" else m.relay
            pool = V4 + V6 + (IFNAMES if kind == "scope" else [])
            p = r.choice(pool)
            a = s(E["ifname"], p) if "/" not in p else pfx_attrs(p)
            key = p if "/" in p else "dev " + p
            if r.random() < .5:
                want = errno.EEXIST if key in st else 0
                if self.expect(c, c.msg(CMD[f"{kind}-add"], a), want, f"{kind}-add {p}") == 0:
                    st.add(key)
            else:
                want = 0 if key in st else errno.ENOENT
                if self.expect(c, c.msg(CMD[f"{kind}-del"], a), want, f"{kind}-del {p}") == 0:
                    st.discard(key)
        elif kind == "exempt":
            p = r.choice(V4 + V6)
            self.touched.add(p)
            a = pfx_attrs(p)
            op = r.choice(["add", "add", "replace", "del", "get"])
            if op == "del":
                want = 0 if p in m.exempt else errno.ENOENT
                if self.expect(c, c.msg(CMD["exempt-del"], a), want, f"exempt-del {p}") == 0:
                    m.exempt.pop(p, None)
                return
            if op == "get":
                want = 0 if p in m.exempt else errno.ENOENT
                self.expect(c, c.msg(CMD["exempt-get"], a), want, f"exempt-get {p}")
                return
            comment = "".join(r.choice("abc xyz-4711") for _ in range(r.randint(0, 64)))
            if r.random() < .5:
                a += u32(E["rate"], r.randint(1, 1000)) + u32(E["rate-unit"], r.randint(0, 3))
                if r.random() < .5:
                    a += u32(E["burst"], r.randint(1, 100))
            a += u64(E["expires"], r.randint(86400, 30 * 86400)) + s(E["comment"], comment)
            if op == "replace":
                a += attr(E["replace"], b"")
            want = errno.EEXIST if op == "add" and p in m.exempt else 0
            if self.expect(c, c.msg(CMD["exempt-add"], a), want, f"exempt-{op} {p}") == 0:
                m.exempt[p] = comment
        elif kind == "get":
            cmd = r.choice(["policy-get", "stats-get", "scope-get", "relay-get",
                            "exempt-get", "source-get"])
            if cmd in ("policy-get", "stats-get"):
                self.expect(c, c.msg(CMD[cmd]), 0, cmd)
            else:
                self.expect(c, c.msg(CMD[cmd], b"", DUMP | NLM_F_ACK), 0, f"{cmd} dump")
        else:
            what = r.choice(["scope", "relay", "exempt", "source"])
            self.expect(c, c.msg(CMD[f"{what}-flush"]), 0, f"{what}-flush")
            if what == "scope":
                m.scope.clear()
            elif what == "relay":
                m.relay.clear()
            elif what == "exempt":
                self.touched.update(m.exempt)
                m.exempt.clear()

    # requests with one thing broken: each must be refused

    def invalid(self, c):
        r = self.rnd
        cmd = r.choice(["policy-set", "scope-add", "relay-del", "exempt-add",
                        "exempt-del", "source-del", "source-get", "exempt-get"])
        good = u32(P["burst"], 10) if cmd == "policy-set" else pfx_attrs(r.choice(V4 + V6))
        maxattr = P_MAX if cmd == "policy-set" else E_MAX
        how = r.randrange(10)
        flags, genl = DO, None
        if how == 0:
            a = good + attr(r.randint(maxattr + 1, 0x3FFF), os.urandom(r.randint(0, 12)))
        elif how == 1:
            # a fixed-size attribute of the wrong size
            if cmd == "policy-set":
                t = r.choice(["burst", "max-sources", "v4-prefix", "action"])
                right, ids, rest = (1 if t == "v4-prefix" else 4), P, b""
            else:
                t = r.choice(["addr4", "addr6", "plen"])
                right, ids = {"addr4": 4, "addr6": 16, "plen": 1}[t], E
                rest = addr4("10.0.0.0") if t == "plen" else b""
            n = r.choice([x for x in (0, 1, 2, 3, 5, 8, 17) if x != right])
            a = rest + attr(ids[t], os.urandom(n))
        elif how == 2:
            if cmd == "policy-set":
                n, v = r.choice([("burst", 0), ("rate", 0), ("rate-unit", 4 + r.randrange(100)),
                                 ("action", 3 + r.randrange(100)), ("max-sources", 0),
                                 ("max-sources", (1 << 24) + 1 + r.randrange(1000)),
                                 ("hooks", 4 + r.randrange(100))])
                a = u32(P[n], v)
            else:
                a = addr4("10.0.0.0") + u8(E["plen"], 33 + r.randrange(200))
        elif how == 3:
            if cmd == "policy-set":
                a = attr(P["rate"] | NLA_F_NESTED, u32(1, 1))
            else:
                a = u8(E["plen"], 24)          # no address at all
        elif how == 4:
            a = good + struct.pack("=HHI", 64 + r.randrange(100), 1, 0)
        elif how == 5:
            a = good + os.urandom(r.randint(1, 3))
        elif how == 6:
            a, genl = b"", os.urandom(r.randint(0, 3))
        elif how == 7:
            a, cmd = good, r.choice([0] + list(range(len(CMD) + 1, 256)))
        elif how == 8:
            if cmd in ("source-get", "exempt-get"):
                cmd = "policy-set"
            a, flags = good, DUMP | NLM_F_ACK
        else:
            a = good + attr(0, os.urandom(r.randint(0, 8)))   # type 0
        cmdno = CMD.get(cmd, cmd) if isinstance(cmd, str) else cmd
        err, _ = c.answer(c.msg(cmdno, a, flags, genl))
        if err is None or err == 0:
            self.fail(f"invalid request (kind {how}, {cmd}) {'unanswered' if err is None else 'accepted'}")

    def random_msg(self, c):
        r = self.rnd
        cmd = r.randint(0, len(CMD) + 2)
        a = b"".join(attr(r.randint(0, 16) | (NLA_F_NESTED if r.random() < .05 else 0),
                          os.urandom(r.choice([0, 1, 2, 4, 8, 16, r.randint(0, 80)])))
                     for _ in range(r.randint(0, 6)))
        flags = r.choice([DO, DO, DUMP | NLM_F_ACK])
        err, _ = c.answer(c.msg(cmd, a, flags))
        if err is None:
            if flags & NLM_F_ACK:
                self.stats["random-unanswered"] += 1
                self.fail(f"random request unanswered (cmd {cmd})")
        elif err == 0 and not flags & NLM_F_DUMP:
            self.stats["random-accepted"] += 1
            self.accepted(c, cmd, parse(a))

    def accepted(self, c, cmd, attrs):
        """An accepted random request: the kernel may differ from the
        model only where the command could change it; then the model
        takes what it did."""
        names = {v: k for k, v in CMD.items()}
        name = names.get(cmd, "")
        pol, scope, relay, exempt = self.model.read(c)
        m = self.model
        what = f"accepted random {name or cmd}"
        for k, v in m.policy.items():
            got = self.decode(k, pol[k])
            if got != v and not (name == "policy-set" and P[k] in attrs):
                self.fail(f"{what}: policy {k} changed to {got} (model {v})")
        if name == "policy-set":
            m.policy.update({k: self.decode(k, v) for k, v in pol.items()
                             if P[k] in attrs})
        for area, got, want in (("scope", scope, m.scope), ("relay", relay, m.relay),
                                ("exempt", exempt, m.exempt)):
            gone, new = set(want) - set(got), set(got) - set(want)
            if name == f"{area}-flush":
                ok = not got
            elif name == f"{area}-add":
                ok = not gone and len(new) <= 1
                if area == "exempt" and not new:
                    # a replace: at most one comment changed
                    ok = sum(got[k] != want[k] for k in got) <= 1
            elif name == f"{area}-del":
                ok = not new and len(gone) <= 1
            else:
                ok = got == want
            if not ok:
                self.fail(f"{what}: {area} changed: now also {sorted(new)[:5]}, "
                          f"gone {sorted(gone)[:5]}")
            if area == "exempt":
                self.touched.update(gone | new)
        m.scope, m.relay, m.exempt = scope, relay, exempt

    @staticmethod
    def decode(name, raw):
        return raw[0] if len(raw) == 1 else struct.unpack("=I", raw[:4])[0]

    def fill(self, c, n):
        """n exemptions (172.16.0.0/14) in one go, known to the model."""
        for i in range(n):
            a = f"172.{16 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}"
            c.send_raw(c.msg(CMD["exempt-add"], addr4(a) + u8(E["plen"], 32) +
                             attr(E["replace"], b""), NLM_F_REQUEST))
            self.model.exempt[f"{a}/32"] = ""

    def interleaved(self):
        """A dump read one datagram at a time, with changes made on
        another socket in between: it must still end."""
        a, b = self.conns[0], self.conns[1]
        if len(self.model.exempt) < 500:
            self.fill(a, 1000)
        before = dict(self.model.exempt)
        self.touched = set()
        a.send_raw(a.msg(CMD["exempt-get"], b"", DUMP))
        got, self.intr = [], False
        end = self.dgram(a, a.sk.recv(1 << 20), got)
        for _ in range(20):
            self.valid(b)
        self.stats["valid"] += 20
        try:
            while end is None:
                end = self.dgram(a, a.sk.recv(1 << 20), got)
        except socket.timeout:
            self.fail("interleaved dump never ended")
            return
        self.stats["interleaved-dumps"] += 1
        typ, _, err = end
        if typ == NLMSG_ERROR:
            # Only a dump that had sent nothing may be refused (a resize).
            if err != -errno.EBUSY or got:
                self.fail(f"interleaved dump ended with error {err}")
            return
        if self.intr:
            self.stats["interleaved-intr"] = self.stats.get("interleaved-intr", 0) + 1
            return
        keys = [key_of(x) for x in got]
        after = self.model.exempt
        stable = {k for k in before if k in after and k not in self.touched}
        dups = {k for k, n in Counter(keys).items() if n > 1}
        missing = stable - set(keys)
        unknown = set(keys) - set(before) - set(after) - self.touched
        if dups or missing or unknown:
            self.fail(f"interleaved dump: twice {sorted(dups)[:3]}, missing "
                      f"{sorted(missing)[:3]}, never there {sorted(unknown)[:3]}")

    def dgram(self, c, data, got):
        """The messages of c's current request in one datagram: entries go
        to got; the end, if here, is returned: (type, flags, error)."""
        off = 0
        while off + 16 <= len(data):
            ln, typ, flags, seq = struct.unpack_from("=IHHI", data, off)
            if seq == c.seq:
                self.intr |= bool(flags & NLM_F_DUMP_INTR)
                if typ == NLMSG_DONE:
                    return typ, flags, 0
                if typ == NLMSG_ERROR:
                    return typ, flags, struct.unpack_from("=i", data, off + 16)[0]
                got.append(parse(data[off + 20:off + ln]))
            off += (ln + 3) & ~3
        return None

    def bulk(self):
        """A huge dump: BULK exemptions added, dumped whole, flushed."""
        c = self.conns[2]
        self.fill(c, BULK)
        got = [key_of(a) for a in c.dump(CMD["exempt-get"])]
        if sorted(got) != sorted(self.model.exempt):
            self.fail(f"bulk: dumped {len(got)} exemptions ({len(set(got))} different), "
                      f"expected the model's {len(self.model.exempt)}")
        self.expect(c, c.msg(CMD["exempt-flush"]), 0, "bulk flush")
        self.model.exempt.clear()
        self.stats["bulk"] += BULK + 2

    def run(self):
        try:
            self.bulk()
            sent = 0
            while sent < self.count:
                for _ in range(50):
                    c = self.rnd.choice(self.conns)
                    x = self.rnd.random()
                    if x < .45:
                        self.valid(c)
                        self.stats["valid"] += 1
                    elif x < .85:
                        self.invalid(c)
                        self.stats["invalid"] += 1
                    else:
                        self.random_msg(c)
                        self.stats["random"] += 1
                sent += 50
                if sent % 1000 == 0:
                    self.interleaved()
            self.check()
        except Exception as e:  # a harness error is a failure too
            self.fail(f"harness: {e!r}")

    def check(self):
        pol, scope, relay, exempt = self.model.read(self.conns[0])
        m = self.model
        for k, v in m.policy.items():
            got = self.decode(k, pol[k])
            if got != v:
                self.fail(f"policy {k}: kernel {got}, model {v}")
        for what, got, want in (("scope", scope, m.scope), ("relay", relay, m.relay),
                                ("exempt", exempt, m.exempt)):
            if got != want:
                self.fail(f"{what}: kernel and model differ: kernel only "
                          f"{sorted(set(got) - set(want))[:5]}, model only "
                          f"{sorted(set(want) - set(got))[:5]}"
                          + ("" if set(got) != set(want) else ", comments differ"))


def main():
    seed, count, names = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3:] or ["init"]
    print(f"nlfuzz: seed {seed}, {count} messages over {len(names)} namespaces", flush=True)
    gs = GenericNetlinkSocket()
    gs.bind("smtprl", None)
    family = gs.prid
    gs.close()
    threads = [Fuzzer(family, ns, seed * 1000 + i, count // len(names))
               for i, ns in enumerate(names)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = {}
    failures = []
    for t in threads:
        for k, v in t.stats.items():
            total[k] = total.get(k, 0) + v
        failures += t.failures
        print(f"nlfuzz: {t.netns}: policy {len(t.model.policy)} fields set, "
              f"scope {len(t.model.scope)}, relay {len(t.model.relay)}, "
              f"exempt {len(t.model.exempt)} at the end")
    sent = sum(v for k, v in total.items() if k not in ("random-accepted", "random-unanswered"))
    print("nlfuzz: " + ", ".join(f"{k} {v}" for k, v in total.items()) + f"; {sent} in all")
    for f in failures[:30]:
        print("FAIL: " + f)
    print(f"nlfuzz: {len(failures)} failures (seed {seed})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
