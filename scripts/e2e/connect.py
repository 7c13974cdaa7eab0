#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""connect.py SRC DST PORT COUNT [TIMEOUT]

Open COUNT TCP connections from SRC to DST:PORT, one after the other, and
print "ok=N refused=N timeout=N". A TIMEOUT under the kernel's initial SYN
retransmission time (1 s) means each attempt sends exactly one SYN.
"""
import socket
import sys

src, dst, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 0.9
family = socket.AF_INET6 if ":" in dst else socket.AF_INET
res = {"ok": 0, "refused": 0, "timeout": 0}
for _ in range(count):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.bind((src, 0))
    try:
        s.connect((dst, port))
        res["ok"] += 1
    except ConnectionRefusedError:
        res["refused"] += 1
    except (socket.timeout, TimeoutError):
        res["timeout"] += 1
    finally:
        s.close()
print(" ".join(f"{k}={v}" for k, v in res.items()))
