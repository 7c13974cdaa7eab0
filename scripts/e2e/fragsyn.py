#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""fragsyn.py sniff OUTFILE | send IFNAME DSTMAC SRC DST KIND COUNT

SYNs to port 25 split into IP fragments, built byte by byte and sent as
Ethernet frames from a subscriber line (AF_PACKET: nothing in the
sender's stack reassembles or fixes them), and a counter of the SYNs the
mail server's stack delivers after reassembly.

  sniff OUTFILE   in the MX's namespace: raw TCP sockets (v4 and v6) see
                  every segment delivered, reassembled; rewrites OUTFILE
                  with "syn4=N syn6=N" (SYNs without ACK to port 25) as
                  they come, until killed
  send ...        KIND (SRC and DST of either family):
    whole         a SYN with 24 bytes of options, split after 24 bytes of
                  TCP: the first fragment has the whole header (legitimate)
    tiny          the first fragment has 8 bytes of TCP (ports, sequence
                  number), the second the flags (RFC 1858's tiny fragment)
    overlap       a whole first fragment without SYN, then a fragment at
                  offset 8 bytes that rewrites the flags to SYN
"""
import os
import select
import socket
import struct
import sys
import time

SYN, ACK = 0x02, 0x10
TCP, FRAG6 = 6, 44


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def tcp(src, dst, v6, sport, flags, opts=b""):
    """A TCP header whose checksum is right for the reassembled segment."""
    doff = 5 + len(opts) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, 25, 1000, 0, doff << 4, flags,
                      64240, 0, 0) + opts
    if v6:
        pseudo = socket.inet_pton(socket.AF_INET6, src) + \
            socket.inet_pton(socket.AF_INET6, dst) + struct.pack("!IxxxB", len(hdr), TCP)
    else:
        pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + \
            struct.pack("!BBH", 0, TCP, len(hdr))
    return hdr[:16] + struct.pack("!H", csum(pseudo + hdr)) + hdr[18:]


def frag4(src, dst, ident, off8, more, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                    (0x2000 if more else 0) | off8, 64, TCP, 0,
                    socket.inet_aton(src), socket.inet_aton(dst))
    return 0x0800, h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def frag6(src, dst, ident, off8, more, payload):
    fh = struct.pack("!BBHI", TCP, 0, off8 << 3 | more, ident)
    h = struct.pack("!IHBB16s16s", 6 << 28, len(fh) + len(payload), FRAG6, 64,
                    socket.inet_pton(socket.AF_INET6, src),
                    socket.inet_pton(socket.AF_INET6, dst))
    return 0x86DD, h + fh + payload


def fragments(kind, src, dst, sport, ident):
    v6 = ":" in src
    frag = frag6 if v6 else frag4
    if kind == "whole":
        seg = tcp(src, dst, v6, sport, SYN, b"\x01" * 24)
        return [frag(src, dst, ident, 0, 1, seg[:24]),
                frag(src, dst, ident, 3, 0, seg[24:])]
    if kind == "tiny":
        seg = tcp(src, dst, v6, sport, SYN)
        return [frag(src, dst, ident, 0, 1, seg[:8]),
                frag(src, dst, ident, 1, 0, seg[8:])]
    if kind == "overlap":
        seg = tcp(src, dst, v6, sport, SYN)
        decoy = seg[:13] + bytes([ACK]) + seg[14:]
        return [frag(src, dst, ident, 0, 1, decoy),
                frag(src, dst, ident, 1, 0, seg[8:])]
    sys.exit(f"unknown kind {kind}")


def send(ifname, dstmac, src, dst, kind, count):
    sk = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sk.bind((ifname, 0))
    mac = bytes.fromhex(dstmac.replace(":", ""))
    with open(f"/sys/class/net/{ifname}/address") as f:
        own = bytes.fromhex(f.read().strip().replace(":", ""))
    for i in range(count):
        for etype, pkt in fragments(kind, src, dst, 41000 + i, 0x5000 + i):
            sk.send(mac + own + struct.pack("!H", etype) + pkt)
        time.sleep(0.01)


def sniff(outfile):
    s4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, TCP)
    s6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, TCP)
    n = {s4: 0, s6: 0}

    def write():
        with open(outfile + ".new", "w") as f:
            f.write(f"syn4={n[s4]} syn6={n[s6]}\n")
        os.rename(outfile + ".new", outfile)

    write()
    while True:
        for sk in select.select([s4, s6], [], [])[0]:
            data = sk.recv(65535)
            if sk is s4:
                data = data[(data[0] & 0xF) * 4:]	# v4 raw sockets get the IP header
            if len(data) >= 14:
                dport, flags = struct.unpack_from("!H", data, 2)[0], data[13]
                if dport == 25 and flags & SYN and not flags & ACK:
                    n[sk] += 1
                    write()


if __name__ == "__main__":
    if sys.argv[1] == "sniff":
        sniff(sys.argv[2])
    else:
        send(*sys.argv[2:7], int(sys.argv[7]))
