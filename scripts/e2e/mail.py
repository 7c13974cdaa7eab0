#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mail.py SRC DST[,DST...] PORT COUNT [TIMEOUT] [--auth USER:PASSWORD]
                                          [--rcpt ADDR[,ADDR...]] [-q]

Send COUNT mails from SRC to the SMTP servers DST:PORT (taking the
destinations in turn), one SMTP session (one new TCP connection) each, with
Python's smtplib, in one process (perl swaks costs seconds per start under
emulation). --auth logs in first (SMTP AUTH, as a mail client does on the
submission port). Prints one line per mail ("delivered" or the error,
unless -q) and a last line
"delivered=N failed=N refused=N timeout=N rejected=N error=N"
(failed is the sum of the last four).

The TCP connect waits at most 0.9 s, under the kernel's initial SYN
retransmission time: a dropped attempt is exactly one SYN. TIMEOUT (default
10 s) bounds the rest of the session.
"""
import argparse
import smtplib
import socket

CONNECT_TIMEOUT = 0.9


class SMTP(smtplib.SMTP):
    def _get_socket(self, host, port, timeout):
        sock = socket.create_connection((host, port), CONNECT_TIMEOUT,
                                        self.source_address)
        sock.settimeout(timeout)
        return sock


p = argparse.ArgumentParser()
p.add_argument("src")
p.add_argument("dst")
p.add_argument("port", type=int)
p.add_argument("count", type=int)
p.add_argument("timeout", type=float, nargs="?", default=10)
p.add_argument("--auth")
p.add_argument("--rcpt", default="user@example.net")
p.add_argument("-q", action="store_true")
a = p.parse_args()

dsts = a.dst.split(",")
rcpts = a.rcpt.split(",")
res = {"delivered": 0, "failed": 0, "refused": 0, "timeout": 0, "rejected": 0,
       "error": 0}
for i in range(a.count):
    dst, rcpt = dsts[i % len(dsts)], rcpts[i % len(rcpts)]
    try:
        with SMTP(dst, a.port, local_hostname="subscriber.example",
                  timeout=a.timeout, source_address=(a.src, 0)) as s:
            if a.auth:
                s.login(*a.auth.split(":", 1))
            s.sendmail("sender@example.org", [rcpt],
                       f"Subject: smtprl lab {i + 1}\r\n\r\nlab message\r\n")
        outcome, text = "delivered", "delivered"
    except ConnectionRefusedError:
        outcome, text = "refused", "connection refused"
    except (socket.timeout, TimeoutError):
        outcome, text = "timeout", "timed out"
    except smtplib.SMTPException as e:
        outcome, text = "rejected", f"rejected by the server: {e}"
    except OSError as e:
        outcome, text = "error", f"failed: {e}"
    res[outcome] += 1
    if outcome != "delivered":
        res["failed"] += 1
    if not a.q:
        print(f"mail {i + 1:2d} to {dst}: {text}", flush=True)
print(" ".join(f"{k}={v}" for k, v in res.items()))
