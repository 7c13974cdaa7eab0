#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The kernel's ynl cli.py, run many times in one process.

Under TCG, every start of cli.py cost about 4 s: Python's imports and the
parsing of the YAML spec, before the one netlink request it makes. The e2e
tests make dozens. This runs cli.py's own main() for each request, with the
arguments the test gave, on one parsed family (one netlink socket).

    ynl-serve.py KSRC DIR WATCH_PID

Requests arrive on the FIFO DIR/req: the arguments of one cli.py call,
each ended by a NUL, until the writer closes it. The reply goes to the FIFO
DIR/rep: exit status, stdout and stderr, each ended by a NUL. One client at
a time (scripts/e2e/lib.sh: ynl). The server exits when WATCH_PID, the test
script's shell, is gone.
"""

import contextlib
import io
import os
import sys
import threading
import time
import traceback


def watch(pid):
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            os._exit(0)
        time.sleep(1)


def main():
    ksrc, fifo_dir, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
    sys.path.insert(0, os.path.join(ksrc, 'tools/net/ynl'))
    import cli  # pylint: disable=import-outside-toplevel,import-error

    # One YnlFamily per set of constructor arguments: the spec is parsed
    # once, and the family's socket serves every request after.
    families = {}
    family_class = cli.YnlFamily

    def family(*args, **kwargs):
        key = repr((args, sorted(kwargs.items())))
        if key not in families:
            families[key] = family_class(*args, **kwargs)
        return families[key]
    cli.YnlFamily = family

    threading.Thread(target=watch, args=(pid,), daemon=True).start()
    req, rep = os.path.join(fifo_dir, 'req'), os.path.join(fifo_dir, 'rep')
    while True:
        with open(req, 'rb') as f:
            data = f.read()
        if not data:
            continue
        argv = [a.decode() for a in data.split(b'\0')[:-1]]
        out, err = io.StringIO(), io.StringIO()
        status = 0
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            sys.argv = ['cli.py'] + argv
            try:
                cli.main()
            except SystemExit as e:
                if isinstance(e.code, int):
                    status = e.code
                elif e.code is not None:
                    print(e.code, file=sys.stderr)
                    status = 1
            except Exception:  # pylint: disable=broad-except
                # What cli.py would have died with.
                traceback.print_exc()
                status = 1
        with open(rep, 'wb') as f:
            f.write(b'%d\0%s\0%s\0' % (status, out.getvalue().encode(),
                                      err.getvalue().encode()))


if __name__ == '__main__':
    main()
