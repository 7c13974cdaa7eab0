#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hostile requests to the smtprl generic-netlink family.

An independent client: python3-pyroute2 resolves the family and decodes
policy-get with its own message class; everything malformed is built byte
by byte here, since no well-behaved library will send it. Every request
must be answered with an error, and where the kernel can point at the
offending attribute (extack NLMSGERR_ATTR_OFFS) it must point at the one
we broke. The caller compares the module's state before and after.

  nlhostile.py root     malformed, out-of-range, unknown, missing, nested
  nlhostile.py unpriv WHO   (as an unprivileged user, or root of a user
                        namespace) reads of the policy and counters work;
                        every change and every per-subscriber read is
                        refused with EPERM
"""

import errno
import os
import socket
import struct
import sys

from pyroute2.netlink import NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST, genlmsg
from pyroute2.netlink.generic import GenericNetlinkSocket

SOL_NETLINK = 270
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GENERIC = 16
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_ACK_TLVS = 0x200
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
NLA_F_NESTED = 0x8000
HDR = 16 + 4  # nlmsghdr + genlmsghdr

# Numbers from the spec's lists, written out: unprivileged runs read this
# script from stdin and may not reach the tree. A root run checks them
# against Documentation/netlink/specs/smtprl.yaml (spec_check()).
CMD = {n: i + 1 for i, n in enumerate(
    "policy-get policy-set stats-get scope-add scope-del scope-get "
    "scope-flush relay-add relay-del relay-get relay-flush exempt-add "
    "exempt-del exempt-get exempt-flush source-get source-del "
    "source-flush source-quarantine source-release limited-ntf "
    "quarantined-ntf released-ntf exempt-expired-ntf table-full-ntf "
    "subscriber-add subscriber-del subscriber-get subscriber-flush".split())}
# attribute numbers, from the spec's attribute sets
P = {n: i + 1 for i, n in enumerate(
    "rate rate-unit burst daily port action when-full v4-prefix v6-prefix "
    "max-sources hooks enabled strikes strike-window release-after "
    "quarantine-max fanout-limit event-interval max-subscribers "
    "subscriber-linger".split())}
E = {n: i + 1 for i, n in enumerate(
    "addr4 addr6 plen ifname rate rate-unit burst daily expires comment "
    "replace allowed limited tokens daily-tokens age idle last-limited pad "
    "state strikes fanout cause quarantined remaining refused release time "
    "suppressed name mode bind linger group".split())}


def spec_check(path):
    """The tables above are the spec's: a new attribute or command is
    added here too, or this run fails."""
    import yaml
    spec = yaml.safe_load(open(path))
    sets = {a["name"]: [x["name"] for x in a["attributes"]]
            for a in spec["attribute-sets"]}
    ops = [o["name"] for o in spec["operations"]["list"]]
    for what, mine, theirs in (("commands", list(CMD), ops),
                               ("policy attributes", list(P), sets["policy"]),
                               ("entry attributes", list(E), sets["entry"])):
        if mine != theirs:
            bad(f"nlhostile.py's {what} are not the spec's: {mine} != {theirs}")
            return
    ok("nlhostile.py's commands and attributes are the spec's")


class PolicyMsg(genlmsg):
    """policy-get's reply, as pyroute2 decodes it."""
    nla_map = (("UNSPEC", "none"), ("rate", "uint32"),
               ("rate-unit", "uint32"), ("burst", "uint32"),
               ("daily", "uint32"), ("port", "uint16"),
               ("action", "uint32"), ("when-full", "uint32"),
               ("v4-prefix", "uint8"), ("v6-prefix", "uint8"),
               ("max-sources", "uint32"), ("hooks", "uint32"),
               ("enabled", "uint8"), ("strikes", "uint32"),
               ("strike-window", "uint32"), ("release-after", "uint32"),
               ("quarantine-max", "uint32"), ("fanout-limit", "uint32"),
               ("event-interval", "uint32"), ("max-subscribers", "uint32"),
               ("subscriber-linger", "uint32"))


failures = 0


def ok(what):
    print("ok: " + what)


def bad(what):
    global failures
    failures += 1
    print("FAIL: " + what)


def attr(atype, payload):
    """One attribute, padded to 4 bytes."""
    a = struct.pack("=HH", 4 + len(payload), atype) + payload
    return a + b"\0" * (-len(a) % 4)


def u8(t, v): return attr(t, struct.pack("=B", v))
def u16(t, v): return attr(t, struct.pack("=H", v))
def u32(t, v): return attr(t, struct.pack("=I", v))
def u64(t, v): return attr(t, struct.pack("=Q", v))
def s(t, v): return attr(t, v.encode() + b"\0")
def addr4(a): return attr(E["addr4"], socket.inet_aton(a))
def addr6(a): return attr(E["addr6"], socket.inet_pton(socket.AF_INET6, a))


class Raw:
    """A bare generic-netlink socket with extended acks."""

    def __init__(self, family):
        self.family = family
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                NETLINK_GENERIC)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.sk.bind((0, 0))
        self.sk.settimeout(5)
        self.seq = 0

    def send_raw(self, data):
        self.sk.send(data)

    def msg(self, cmd, attrs=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
            genlhdr=None):
        self.seq += 1
        g = genlhdr if genlhdr is not None else struct.pack("=BBH", cmd, 1, 0)
        body = g + attrs
        return struct.pack("=IHHII", 16 + len(body), self.family, flags,
                           self.seq, 0) + body

    def recv_answer(self):
        """(errno, extack message, extack offset, data replies) for the
        last request: the NLMSG_ERROR/NLMSG_DONE that ends it."""
        replies = 0
        while True:
            data = self.sk.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                ln, typ, flags, seq, _ = struct.unpack_from("=IHHII", data, off)
                if ln < 16:
                    raise RuntimeError("kernel sent a short message")
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if seq != self.seq:
                    continue
                if typ not in (NLMSG_DONE, NLMSG_ERROR):
                    replies += 1
                    continue
                err = -struct.unpack_from("=i", body)[0] if body else 0
                text, aoff = None, None
                if flags & NLM_F_ACK_TLVS:
                    # the error, then (NLMSG_ERROR only) the capped request
                    p = 4 if typ == NLMSG_DONE else 4 + 16
                    while p + 4 <= len(body):
                        alen, atype = struct.unpack_from("=HH", body, p)
                        if alen < 4:
                            break
                        val = body[p + 4:p + alen]
                        if atype == NLMSGERR_ATTR_MSG:
                            text = val.rstrip(b"\0").decode()
                        elif atype == NLMSGERR_ATTR_OFFS:
                            aoff = struct.unpack("=I", val)[0]
                        p += (alen + 3) & ~3
                return err, text, aoff, replies

    def request(self, cmd, attrs=b"", flags=NLM_F_REQUEST | NLM_F_ACK,
                genlhdr=None):
        self.send_raw(self.msg(cmd, attrs, flags, genlhdr))
        return self.recv_answer()


def refused(raw, what, cmd, attrs, bad_index=None, text=None,
            code=None, flags=NLM_F_REQUEST | NLM_F_ACK, genlhdr=None):
    """attrs is a list of encoded attributes; bad_index the one the kernel
    must point at; text a substring its message must contain."""
    err, msg, aoff, _ = raw.request(CMD.get(cmd, cmd) if isinstance(cmd, str)
                                    else cmd, b"".join(attrs), flags, genlhdr)
    detail = f"errno {err} msg {msg!r} offset {aoff}"
    if err == 0:
        return bad(f"{what}: accepted")
    if code is not None and err != code:
        return bad(f"{what}: expected errno {code}, got {detail}")
    texts = (text,) if isinstance(text, str) else text
    if text is not None and (msg is None or not any(t in msg for t in texts)):
        return bad(f"{what}: expected message with {text!r}, got {detail}")
    if bad_index is not None:
        want = HDR + sum(len(a) for a in attrs[:bad_index])
        if aoff != want:
            return bad(f"{what}: extack offset {aoff}, the bad attribute is at {want}; {detail}")
    ok(f"{what}: refused ({errno.errorcode.get(err, err)}"
       f"{', ' + repr(msg) if msg else ''})")


def accepted(raw, what, cmd, attrs=(), flags=NLM_F_REQUEST | NLM_F_ACK):
    err, msg, _, n = raw.request(CMD[cmd], b"".join(attrs), flags)
    if err:
        bad(f"{what}: refused, errno {err} {msg!r}")
    else:
        ok(what)
    return n


def hostile(raw):
    R = E["rate"]
    # The builder itself is sound: well-formed requests go through.
    accepted(raw, "control: well-formed exempt-add", "exempt-add",
             [addr4("10.0.1.9"), u8(E["plen"], 32), s(E["comment"], "probe")])
    accepted(raw, "control: well-formed exempt-del", "exempt-del",
             [addr4("10.0.1.9"), u8(E["plen"], 32)])
    accepted(raw, "control: source dump", "source-get", [],
             NLM_F_REQUEST | NLM_F_DUMP)

    # Wrong types, short and oversized attributes.
    for n, payload in ((1, b"\1"), (2, b"\1\0"), (8, b"\1" * 8), (0, b"")):
        refused(raw, f"policy rate as {n} bytes", "policy-set",
                [u32(P["burst"], 5), attr(P["rate"], payload)], 1,
                "invalid attribute length")
    refused(raw, "v4-prefix (u8) as u32", "policy-set",
            [u32(P["v4-prefix"], 24)], 0, "invalid attribute length")
    refused(raw, "port (u16) as u32", "policy-set",
            [u32(P["port"], 25)], 0, "invalid attribute length")
    refused(raw, "addr6 as 4 bytes", "exempt-add",
            [attr(E["addr6"], b"\x20\x01\x0d\xb8")], 0)
    refused(raw, "addr6 as 17 bytes", "relay-add",
            [attr(E["addr6"], b"\1" * 17)], 0)
    refused(raw, "addr4 as 16 bytes", "source-get",
            [attr(E["addr4"], b"\1" * 16)], 0, "invalid attribute length")
    refused(raw, "expires (u64) as u32", "exempt-add",
            [addr4("10.0.1.9"), u32(E["expires"], 60)], 1,
            "invalid attribute length")
    refused(raw, "replace flag with a payload", "exempt-add",
            [addr4("10.0.1.9"), u32(E["replace"], 1)], 1)
    refused(raw, "ifname without NUL", "scope-add",
            [attr(E["ifname"], b"ppp+")], 0)
    refused(raw, "ifname of 16 characters", "scope-add",
            [s(E["ifname"], "p" * 16)], 0)
    refused(raw, "comment of 65 characters", "exempt-add",
            [addr4("10.0.1.9"), s(E["comment"], "c" * 65)], 1)
    refused(raw, "comment without NUL", "exempt-add",
            [addr4("10.0.1.9"), attr(E["comment"], b"abc")], 1)

    # Out of range.
    for name, v in (("rate", 0), ("rate-unit", 4), ("burst", 0),
                    ("action", 3), ("when-full", 2), ("max-sources", 0),
                    ("max-sources", (1 << 24) + 1), ("hooks", 4)):
        refused(raw, f"policy {name} {v}", "policy-set",
                [u32(P["rate"], 7), u32(P[name], v)], 1)
    for name, v in (("strikes", 33), ("strike-window", 31),
                    ("strike-window", 2592001), ("release-after", 0),
                    ("quarantine-max", 0), ("quarantine-max", 31536001),
                    ("fanout-limit", 266), ("event-interval", 0),
                    ("event-interval", 86401)):
        refused(raw, f"policy {name} {v}", "policy-set",
                [u32(P["rate"], 7), u32(P[name], v)], 1)
    refused(raw, "source-quarantine: expires (u64) as u32", "source-quarantine",
            [addr4("10.0.1.9"), u32(E["expires"], 60)], 1,
            "invalid attribute length")
    refused(raw, "source-quarantine: no address", "source-quarantine", [])
    refused(raw, "source-release: not tracked", "source-release",
            [addr4("10.0.1.99")], None, "source not tracked", errno.ENOENT)
    for name, v in (("v4-prefix", 0), ("v4-prefix", 33), ("v6-prefix", 0),
                    ("v6-prefix", 129), ("enabled", 2)):
        refused(raw, f"policy {name} {v}", "policy-set", [u8(P[name], v)], 0)
    refused(raw, "policy port 0", "policy-set", [u16(P["port"], 0)], 0)
    refused(raw, "nine ports", "policy-set",
            [u16(P["port"], 25 + i) for i in range(9)], None, "port: at most 8")
    refused(raw, "burst overflowing at 1/day", "policy-set",
            [u32(P["rate"], 1), u32(P["rate-unit"], 3),
             u32(P["burst"], 4000000000)], 2, "burst: value too large")
    refused(raw, "duplicate port", "policy-set",
            [u16(P["port"], 25), u16(P["port"], 587), u16(P["port"], 25)], 2,
            "port: duplicate")
    refused(raw, "exemption burst overflowing at 1/day", "exempt-add",
            [addr4("10.0.1.9"), u32(R, 1), u32(E["rate-unit"], 3),
             u32(E["burst"], 4000000000)], 3, "burst: value too large")
    refused(raw, "plen 129", "exempt-add",
            [addr6("2001:db8:1::"), u8(E["plen"], 129)], 1)
    refused(raw, "plen 33 on IPv4", "exempt-add",
            [addr4("10.0.1.0"), u8(E["plen"], 33)], 1, "plen")
    refused(raw, "host bits set", "scope-add",
            [addr4("10.0.1.1"), u8(E["plen"], 24)], None, "host bits")
    refused(raw, "expires 0", "exempt-add",
            [addr4("10.0.1.9"), u64(E["expires"], 0)], 1)
    refused(raw, "scope group shorter than the prefix", "scope-add",
            [addr6("2001:db8::"), u8(E["plen"], 32), u8(E["group"], 31)], 2,
            "group: shorter than the prefix")
    refused(raw, "scope group 33 on IPv4", "scope-add",
            [addr4("10.0.0.0"), u8(E["plen"], 8), u8(E["group"], 33)], 2,
            "group: longer than the address")
    refused(raw, "scope group 129", "scope-add",
            [addr6("2001:db8::"), u8(E["plen"], 32), u8(E["group"], 129)], 2)
    refused(raw, "scope group on an interface", "scope-add",
            [s(E["ifname"], "ppp+"), u8(E["group"], 56)], 1, "group and replace")
    refused(raw, "group in relay-add", "relay-add",
            [addr4("10.0.1.9"), u8(E["group"], 32)], 1, "Unknown attribute type")
    refused(raw, "group in scope-del", "scope-del",
            [addr4("10.0.1.0"), u8(E["plen"], 24), u8(E["group"], 32)], 2,
            "Unknown attribute type")
    refused(raw, "exemption rate 0", "exempt-add",
            [addr4("10.0.1.9"), u32(R, 0)], 1)
    refused(raw, "exemption daily 0", "exempt-add",
            [addr4("10.0.1.9"), u32(E["daily"], 0)], 1)

    # Unknown attributes, and attributes of another command.
    unknown = max(P.values()) + 1
    refused(raw, f"unknown attribute {unknown} in policy-set", "policy-set",
            [u32(P["rate"], 7), u32(unknown, 1)], 1, "Unknown attribute type")
    refused(raw, "attribute type 0", "policy-set", [u32(0, 1)], 0,
            "Unknown attribute type")
    refused(raw, "attribute type 0x3fff", "exempt-add",
            [addr4("10.0.1.9"), u32(0x3fff, 1)], 1, "Unknown attribute type")
    # An attribute of the set the op has no policy for: "Unknown" above its
    # maxattr, "Unsupported" below it (source-get takes name, after plen).
    refused(raw, "plen in source-get", "source-get",
            [addr4("10.0.1.2"), u8(E["plen"], 24)], 1,
            ("Unknown attribute type", "Unsupported attribute"))
    refused(raw, "ifname in relay-add", "relay-add",
            [addr4("10.0.1.9"), s(E["ifname"], "eth0")], 1,
            "Unknown attribute type")
    refused(raw, "rate in exempt-del", "exempt-del",
            [addr4("10.0.1.9"), u32(R, 1)], 1, "Unknown attribute type")
    for cmd in ("policy-get", "stats-get", "scope-flush", "relay-flush",
                "exempt-flush", "source-flush", "subscriber-flush"):
        refused(raw, f"attribute in {cmd}", cmd, [u32(1, 1)], None,
                "takes no attributes")
    # Kernels before 6.2 have one policy per command (netlink-gen-compat.c):
    # where the do takes attributes, the dump's are checked against it
    # first, and one the do has no slot for is "Unsupported".
    for cmd in ("scope-get", "relay-get", "exempt-get", "source-get",
                "subscriber-get"):
        refused(raw, f"attribute in {cmd} dump", cmd, [u32(1, 1)], None,
                ("takes no attributes", "Unsupported attribute"),
                flags=NLM_F_REQUEST | NLM_F_DUMP)

    # Missing required attributes.
    for cmd in ("scope-add", "scope-del", "relay-add", "relay-del",
                "exempt-add", "exempt-del", "exempt-get", "source-get",
                "source-del"):
        refused(raw, f"{cmd} without an address", cmd, [], None, "missing")
    refused(raw, "exempt-add with plen only", "exempt-add",
            [u8(E["plen"], 24)], None, "missing")
    refused(raw, "addr4 and addr6 together", "exempt-add",
            [addr4("10.0.1.9"), addr6("2001:db8:1::9")], 1, "not both")

    # Nested garbage.
    refused(raw, "rate marked nested", "policy-set",
            [attr(P["rate"] | NLA_F_NESTED, attr(1, b""))], 0,
            "NLA_F_NESTED not expected")
    refused(raw, "addr4 holding a nest of garbage", "exempt-add",
            [attr(E["addr4"] | NLA_F_NESTED,
                  attr(1, b"\xff" * 7) + b"\xde\xad")], 0)
    refused(raw, "comment holding nested attributes", "exempt-add",
            [addr4("10.0.1.9"),
             attr(E["comment"] | NLA_F_NESTED, attr(99, b"x" * 40))], 1)

    # Broken framing.
    refused(raw, "attribute longer than the message", "policy-set",
            [struct.pack("=HHI", 64, P["rate"], 5)])
    refused(raw, "attribute length below its header", "policy-set",
            [struct.pack("=HH", 2, P["rate"]) + b"\0\0" + u32(P["burst"], 5)])
    refused(raw, "trailing bytes after the attributes", "policy-set",
            [u32(P["rate"], 5), b"\1\2"])
    refused(raw, "truncated genl header", "policy-set", [], None, None,
            errno.EINVAL, genlhdr=b"\2\1")
    refused(raw, "unknown command 0", 0, [], None, None, errno.EOPNOTSUPP)
    refused(raw, "unknown command 99", 99, [u32(1, 1)], None, None,
            errno.EOPNOTSUPP)
    refused(raw, "dump of a do-only command", "policy-set",
            [u32(P["rate"], 5)], None, None, errno.EOPNOTSUPP,
            flags=NLM_F_REQUEST | NLM_F_DUMP)
    # Shorter than a netlink header: af_netlink drops it before any family
    # sees it; the socket must stay usable.
    raw.send_raw(struct.pack("=IHH", 8, raw.family, NLM_F_REQUEST))
    raw.send_raw(struct.pack("=IHHII", 12, raw.family,
                             NLM_F_REQUEST | NLM_F_ACK, 1, 0))
    accepted(raw, "socket usable after runt messages", "stats-get")

    # Many refusals on one socket, interleaved with a dump.
    for i in range(200):
        raw.send_raw(raw.msg(CMD["policy-set"], u32(P["rate"], 0)))
        if raw.recv_answer()[0] != errno.ERANGE:
            bad(f"repeat {i}: rate 0 not refused with ERANGE")
            break
    else:
        ok("200 refusals in a row on one socket, each answered")


def unpriv(raw, who):
    """Run by an unprivileged user, or by root of a user namespace that
    does not own the network namespace."""
    init_root = ["0", "0", "4294967295"]
    if os.geteuid() == 0 and open("/proc/self/uid_map").read().split() == init_root:
        bad("unpriv mode must not run as the real root")
        return
    uid = who  # the label of every line
    accepted(raw, f"{uid}: policy-get", "policy-get")
    accepted(raw, f"{uid}: stats-get", "stats-get")
    changes = {
        "policy-set": [u32(P["burst"], 9)],
        "scope-add": [addr4("10.0.1.0"), u8(E["plen"], 24)],
        "scope-del": [addr4("10.0.1.4")],
        "scope-flush": [],
        "relay-add": [addr4("10.0.2.26")],
        "relay-del": [addr4("10.0.2.25")],
        "relay-flush": [],
        "exempt-add": [addr4("10.0.1.9")],
        "exempt-del": [addr4("10.0.1.3")],
        "exempt-flush": [],
        "source-del": [addr4("10.0.1.2")],
        "source-flush": [],
        "source-quarantine": [addr4("10.0.1.2")],
        "source-release": [addr4("10.0.1.2")],
        "subscriber-add": [s(E["name"], "acc-x")],
        "subscriber-del": [s(E["name"], "acc-x")],
        "subscriber-flush": [],
        # per-subscriber data is not for everyone either
        "exempt-get": [addr4("10.0.1.3")],
        "source-get": [addr4("10.0.1.2")],
        "subscriber-get": [s(E["name"], "acc-x")],
    }
    for cmd, attrs in changes.items():
        refused(raw, f"{uid}: {cmd}", cmd, attrs, None, None, errno.EPERM)
    for cmd in ("scope-get", "relay-get", "exempt-get", "source-get",
                "subscriber-get"):
        refused(raw, f"{uid}: {cmd} dump", cmd, [], None, None,
                errno.EPERM, flags=NLM_F_REQUEST | NLM_F_DUMP)
    # Events name subscribers: joining their group needs CAP_NET_ADMIN.
    gs = GenericNetlinkSocket()
    gs.bind("smtprl", PolicyMsg)
    try:
        gs.add_membership("events")
        bad(f"{uid}: joined the events group")
    except OSError as e:
        if e.errno == errno.EPERM:
            ok(f"{uid}: events group refused (EPERM)")
        else:
            bad(f"{uid}: events group: {e}")
    finally:
        gs.close()


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "root"
    gs = GenericNetlinkSocket()
    gs.bind("smtprl", PolicyMsg)
    # pyroute2's view of the policy must match what /proc says.
    m = PolicyMsg()
    m["cmd"] = CMD["policy-get"]
    m["version"] = 1
    reply = gs.nlm_request(m, msg_type=gs.prid, msg_flags=NLM_F_REQUEST)[0]
    proc = dict(line.split(None, 1) for line in
                open("/proc/net/smtprl/policy").read().splitlines()[1:])
    got = (reply.get_attr("burst"), reply.get_attr("v4-prefix"),
           reply.get_attr("max-sources"),
           ",".join(str(p) for p in reply.get_attrs("port")))
    want = (int(proc["burst"]), int(proc["v4_prefix"]),
            int(proc["max_sources"]), proc["ports"].strip())
    if got != want:
        bad(f"pyroute2 policy-get {got} != /proc {want}")
    else:
        ok(f"pyroute2 decodes policy-get as /proc shows it {got}")
    raw = Raw(gs.prid)
    gs.close()
    if mode == "root":
        spec_check(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "../../Documentation/netlink/specs/smtprl.yaml"))
        hostile(raw)
    else:
        unpriv(raw, sys.argv[2] if len(sys.argv) > 2 else str(os.geteuid()))
    print(f"{failures} failures")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
