#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The file graph of kmod/: who calls whom, who includes whom.

Usage: kmod-graph.py OBJDIR [SRCDIR]

Calls come from the objects, not from reading C: an edge a -> b means
that a.o has an undefined symbol that b.o defines (nm), functions and
data alike. The generated op table (netlink-gen*.o) names the request
handlers as callbacks for the genetlink core; those are entry points, not
calls, so no edge leaves it. Includes come from the '#include "..."'
lines of SRCDIR (default: kmod/ next to this script's folder).

Prints both graphs, one line per file, and exits 1 if either has a
circle (a strongly connected component of more than one file, or a file
that includes itself), naming the files in it.
"""

import os
import re
import subprocess
import sys

ENTRY_TABLES = ("netlink-gen", "netlink-gen-compat")


def nm(path, *flags):
    out = subprocess.run(["nm", *flags, path], check=True, text=True,
                         capture_output=True).stdout
    return [line.split()[-1] for line in out.splitlines() if line.strip()]


def call_graph(objdir):
    objs = sorted(f[:-2] for f in os.listdir(objdir) if f.endswith(".o"))
    if not objs:
        sys.exit(f"kmod-graph: no objects in {objdir}")
    defined = {}
    for o in objs:
        out = subprocess.run(["nm", "--defined-only", "-g",
                              os.path.join(objdir, o + ".o")],
                             check=True, text=True, capture_output=True).stdout
        for line in out.splitlines():
            defined[line.split()[-1]] = o
    graph = {o: set() for o in objs}
    for o in objs:
        if o in ENTRY_TABLES:
            continue
        for sym in nm(os.path.join(objdir, o + ".o"), "-u"):
            if sym in defined and defined[sym] != o:
                graph[o].add(defined[sym])
    return graph


def include_graph(srcdir):
    graph = {}
    for f in sorted(os.listdir(srcdir)):
        if not f.endswith((".c", ".h")):
            continue
        with open(os.path.join(srcdir, f)) as fh:
            inc = re.findall(r'^#include\s+"([^"/]+)"', fh.read(), re.M)
        graph[f] = {i for i in inc if os.path.exists(os.path.join(srcdir, i))}
    return graph


def circles(graph):
    """Tarjan's strongly connected components of more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph.get(v, ()):
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def show(title, graph):
    print(f"{title}:")
    for v in sorted(graph):
        print(f"  {v:22} -> {' '.join(sorted(graph[v])) or '-'}")


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    here = os.path.dirname(os.path.abspath(__file__))
    srcdir = sys.argv[2] if len(sys.argv) == 3 else os.path.join(here, "..", "kmod")
    calls = call_graph(sys.argv[1])
    incs = include_graph(srcdir)
    show("calls (nm: undefined here, defined there)", calls)
    show("includes", incs)
    bad = [("call", c) for c in circles(calls)] + \
          [("include", c) for c in circles(incs)]
    for kind, comp in bad:
        print(f"kmod-graph: {kind} circle: {' '.join(comp)}")
    if bad:
        return 1
    print(f"kmod-graph: no circle among {len(calls)} objects and "
          f"{len(incs)} sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
