#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""mail.py SRC DST PORT COUNT [TIMEOUT]

Send COUNT mails from SRC to the SMTP server DST:PORT, one SMTP session
(one new TCP connection) each, with Python's smtplib, in one process (perl
swaks costs seconds per start under emulation). Prints one line per mail
("delivered" or the error) and a last line "delivered=N failed=N".
"""
import smtplib
import socket
import sys

src, dst, port, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
timeout = float(sys.argv[5]) if len(sys.argv) > 5 else 3
ok = 0
for i in range(1, count + 1):
    try:
        with smtplib.SMTP(dst, port, local_hostname="subscriber.example",
                          timeout=timeout, source_address=(src, 0)) as s:
            s.sendmail("zombie@example.org", ["user@example.net"],
                       f"Subject: smtprl lab {i}\r\n\r\nlab message\r\n")
        ok += 1
        print(f"mail {i:2d}: delivered", flush=True)
    except ConnectionRefusedError:
        print(f"mail {i:2d}: connection refused", flush=True)
    except (socket.timeout, TimeoutError):
        print(f"mail {i:2d}: timed out", flush=True)
    except (smtplib.SMTPException, OSError) as e:
        print(f"mail {i:2d}: failed: {e}", flush=True)
print(f"delivered={ok} failed={count - ok}")
