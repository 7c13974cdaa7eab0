#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""badpkt.py IFNAME DSTMAC SRC4 DST4 SRC6 DST6 [REPEAT]

Hostile traffic from a subscriber line: malformed and unusual IPv4/IPv6/TCP
packets, built byte by byte and sent as Ethernet frames on IFNAME (an
AF_PACKET socket, so nothing in the sender's stack fixes them up). After
each kind, smtprl's "seen" counter in the initial network namespace (the
BRAS: /proc/1/net/smtprl/stats) must have grown by exactly what a new
connection count would be: a well-formed SYN to port 25 counts, nothing
malformed does. Prints one line per kind and exits 1 on any mismatch.

The counter is read once the BRAS has handled every frame of a kind: the
frames are queued to the BRAS in order on one CPU (this process is pinned
to it), so a ping to the BRAS sent after them is answered only after they
went through smtprl.
"""
import os
import socket
import struct
import subprocess
import sys
import time

ifname, dstmac, src4, dst4, src6, dst6 = sys.argv[1:7]
repeat = int(sys.argv[7]) if len(sys.argv) > 7 else 3

SYN, FIN, RST, ACK = 0x02, 0x01, 0x04, 0x10
TCP, UDP, FRAG6, DSTOPTS, HOPOPTS, NONE6 = 6, 17, 44, 60, 0, 59


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp(src, dst, fam, flags=SYN, dport=25, doff=5, opts=b"", data=b""):
    hdr = struct.pack("!HHIIBBHHH", 40000, dport, 1, 0, doff << 4, flags,
                      64240, 0, 0) + opts
    if fam == 4:
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
            struct.pack("!BBH", 0, TCP, len(hdr) + len(data))
    else:
        pseudo = socket.inet_pton(socket.AF_INET6, src) + \
            socket.inet_pton(socket.AF_INET6, dst) + \
            struct.pack("!IxxxB", len(hdr) + len(data), TCP)
    c = csum(pseudo + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def ip4(payload, proto=TCP, ihl=5, opts=b"", tot=None, frag=0, bad_csum=False):
    tot = 20 + len(opts) + len(payload) if tot is None else tot
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, tot, 1, frag, 64, proto,
                    0, socket.inet_aton(src4), socket.inet_aton(dst4)) + opts
    c = csum(h) ^ (0xFFFF if bad_csum else 0)
    return 0x0800, h[:10] + struct.pack("!H", c) + h[12:] + payload


def ip6(payload, nexthdr=TCP, plen=None):
    plen = len(payload) if plen is None else plen
    h = struct.pack("!IHBB16s16s", 6 << 28, plen, nexthdr, 64,
                    socket.inet_pton(socket.AF_INET6, src6),
                    socket.inet_pton(socket.AF_INET6, dst6))
    return 0x86DD, h + payload


def opt6(nexthdr, length=8):
    """An extension header of LENGTH bytes (a multiple of 8), padded with PadN."""
    pad = length - 2
    return struct.pack("!BB", nexthdr, length // 8 - 1) + \
        (struct.pack("!BB", 1, pad - 2) + b"\0" * (pad - 2) if pad >= 2 else b"")


def frag6(nexthdr, offset, more):
    return struct.pack("!BxHI", nexthdr, offset << 3 | more, 0x1234)


t4 = tcp(src4, dst4, 4)
t6 = tcp(src6, dst6, 6)
NOP4 = b"\x01\x01\x01\x00"
KINDS = [
    # (what, counts as a new connection, (ethertype, packet))
    ("v4 SYN to 25 (well-formed)", 1, ip4(t4)),
    ("v4 SYN+FIN", 0, ip4(tcp(src4, dst4, 4, SYN | FIN))),
    ("v4 SYN+RST", 0, ip4(tcp(src4, dst4, 4, SYN | RST))),
    ("v4 SYN+ACK", 0, ip4(tcp(src4, dst4, 4, SYN | ACK))),
    ("v4 SYN with data (Fast Open)", 1, ip4(tcp(src4, dst4, 4, data=b"x" * 64))),
    ("v4 SYN with options", 1, ip4(tcp(src4, dst4, 4, doff=7, opts=b"\x02\x04\x05\xb4\x01\x01\x04\x02"))),
    ("v4 TCP data offset 4", 0, ip4(tcp(src4, dst4, 4, doff=4))),
    ("v4 TCP options cut short (offset 15)", 0, ip4(tcp(src4, dst4, 4, doff=15))),
    ("v4 TCP header cut short", 0, ip4(t4[:12])),
    ("v4 IP options, then SYN", 1, ip4(t4, ihl=6, opts=NOP4)),
    ("v4 IHL 4", 0, ip4(t4, ihl=4)),
    ("v4 IHL 15 past the packet", 0, ip4(b"", ihl=15)),
    ("v4 total length past the frame", 0, ip4(t4, tot=1400)),
    ("v4 total length cutting the TCP header", 0, ip4(t4, tot=30)),
    ("v4 bad header checksum", 0, ip4(t4, bad_csum=True)),
    ("v4 first fragment with the SYN", 1, ip4(t4, frag=0x2000)),
    ("v4 later fragment that looks like a SYN", 0, ip4(t4, frag=0x0003)),
    ("v4 SYN to 587", 0, ip4(tcp(src4, dst4, 4, dport=587))),
    ("v4 UDP to 25", 0, ip4(struct.pack("!HHHH", 40000, 25, 8, 0), proto=UDP)),
    ("v6 SYN to 25 (well-formed)", 1, ip6(t6)),
    ("v6 SYN+FIN", 0, ip6(tcp(src6, dst6, 6, SYN | FIN))),
    ("v6 SYN with data (Fast Open)", 1, ip6(tcp(src6, dst6, 6, data=b"x" * 64))),
    ("v6 TCP options cut short (offset 15)", 0, ip6(tcp(src6, dst6, 6, doff=15))),
    ("v6 hop-by-hop + destination options, then SYN", 1,
     ip6(opt6(DSTOPTS) + opt6(TCP, 16) + t6, nexthdr=HOPOPTS)),
    ("v6 chain of 12 destination options, then SYN", 1,
     ip6(b"".join(opt6(DSTOPTS) for _ in range(11)) + opt6(TCP) + t6, nexthdr=DSTOPTS)),
    ("v6 extension header longer than the packet", 0,
     ip6(opt6(TCP, 64)[:24], nexthdr=DSTOPTS)),
    ("v6 first fragment with the SYN", 1, ip6(frag6(TCP, 0, 1) + t6, nexthdr=FRAG6)),
    ("v6 later fragment that looks like a SYN", 0, ip6(frag6(TCP, 3, 0) + t6, nexthdr=FRAG6)),
    ("v6 no next header", 0, ip6(t6, nexthdr=NONE6)),
    ("v6 payload length past the frame", 0, ip6(t6, plen=1000)),
    ("v6 SYN to 587", 0, ip6(tcp(src6, dst6, 6, dport=587))),
]


def seen():
    with open("/proc/1/net/smtprl/stats") as f:
        for line in f:
            k, v = line.split()
            if k == "seen":
                return int(v)
    raise SystemExit("no seen counter")


def barrier(seq):
    """Ping the BRAS (the default gateway) and wait for its answer."""
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0xba, seq) + b"barrier"
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq, 0, 64, 1, 0,
                    socket.inet_aton(src4), socket.inet_aton(gw4))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    s.send(mac + smac + struct.pack("!H", 0x0800) + h + icmp)
    end = time.monotonic() + 10
    while time.monotonic() < end:
        s.settimeout(end - time.monotonic())
        try:
            frame, addr = s.recvfrom(2048)
        except socket.timeout:
            break
        ip = frame[14:]
        if addr[2] != socket.PACKET_OUTGOING and frame[12:14] == b"\x08\x00" and \
                ip[9] == 1 and ip[12:16] == socket.inet_aton(gw4):
            rest = ip[(ip[0] & 15) * 4:]
            if rest[0] == 0 and struct.unpack("!HH", rest[4:8]) == (0xba, seq):
                return
    raise SystemExit(f"the BRAS ({gw4}) did not answer barrier ping {seq}")


# One CPU, so the frames reach the BRAS in the order they were sent.
os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
gw4 = subprocess.run(["ip", "-4", "route", "show", "default"], capture_output=True,
                     text=True, check=True).stdout.split()[2]
mac = bytes.fromhex(dstmac.replace(":", ""))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
s.bind((ifname, 0))
smac = s.getsockname()[4]
bad = 0
for seq, (what, counts, (etype, pkt)) in enumerate(KINDS, 1):
    before = seen()
    for _ in range(repeat):
        s.send(mac + smac + struct.pack("!H", etype) + pkt)
    barrier(seq)
    got = seen() - before
    ok = got == counts * repeat
    bad += not ok
    print(f"{'ok' if ok else 'FAIL'}: {what}: {got} of {repeat} counted, "
          f"expected {counts * repeat}", flush=True)
print(f"badpkt: {len(KINDS)} kinds x {repeat}, {bad} wrong")
sys.exit(1 if bad else 0)
