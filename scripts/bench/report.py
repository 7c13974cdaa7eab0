#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the benchmark outputs in build/bench/ into Documentation/performance.md
and its plot (gnuplot). Run by `make bench` after the measurements:

  build/bench/compare-icount.txt  instructions/packet (qemu -icount shift=0)
  build/bench/compare-uml.txt     ns/packet, real time, UML without debug options
  build/bench/compare-tcg.txt     wall-clock ns/packet under emulation
  build/bench/compare-smp.txt     1 CPU vs 2 CPUs at once
  build/bench/control-6.12.txt    control plane (scripts/bench/control.sh)
  build/bench/vm-perf/output.log  the perf tier (scripts/bench/perf.sh)

report.py --subscribers rewrites only the Subscribers section, from the perf
tier's output alone (after `make check-perf`).
"""

import os
import re
import shlex
import subprocess
import sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
args = [a for a in sys.argv[1:] if not a.startswith("--")]
bench = args[0] if args else os.path.join(top, "build", "bench")
doc = os.path.join(top, "Documentation", "performance.md")
png = os.path.join(top, "Documentation", "images", "syn-path.png")
KINDS = ("base", "smtprl", "hashlimit", "nft")
NAMES = {"base": "no rules", "smtprl": "smtprl", "hashlimit": "iptables hashlimit",
         "nft": "nft set + limit"}


def parse(name, least=False):
    """Lines "WORD key=value ..." -> list of (word, dict). @least: the
    figures are instruction counts, where noise only adds (a timer, a worker
    or a garbage collector running during a run), so a case's smallest run is its own
    cost; otherwise (real time) the median the guest printed is."""
    path = os.path.join(bench, name)
    if not os.path.exists(path):
        return []
    out = []
    for line in open(path):
        if not re.match(r"^(result|memory|dump) ", line):
            continue
        words = shlex.split(line)
        r = dict(w.split("=", 1) if "=" in w else (w, "") for w in words[1:])
        if least and r.get("runs"):
            r["ns_per_pkt"] = str(min(int(x) for x in r["runs"].split()))
        out.append((words[0], r))
    return out


def results(rows, **want):
    return [r for w, r in rows if w == "result" and
            all(r.get(k) == str(v) for k, v in want.items())]


def one(rows, **want):
    r = results(rows, **want)
    return int(r[0]["ns_per_pkt"]) if r else None


def fmt(v):
    return "—" if v is None else f"{v:,}"


def ratio(a, b):
    return "—" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def explain(r):
    """What ran beside the packets in @r's slow runs (other=, one run per
    "|": NAME:COUNT:NS ...), per packet, when it accounts for at least 80%
    of each slow run's excess over the least run; else ""."""
    runs = [int(x) for x in r.get("runs", "").split()]
    other = r.get("other")
    if not runs or other is None or len(other.split("|")) != len(runs):
        return ""
    least, of, out = min(runs), int(r["of"]), []
    for i, (v, o) in enumerate(zip(runs, other.split("|"))):
        if v <= 1.5 * least:
            continue
        work = [w.rsplit(":", 2) for w in o.split()]
        per = sum(int(ns) for _, _, ns in work) / of
        if per < 0.8 * (v - least):
            return ""
        out.append(f"run {i + 1}, +{v - least:,}: " + ", ".join(
            f"{name} {int(c)}× {int(ns) / of:,.0f}" for name, c, ns in work[:3]))
    return "; ".join(out)


def syn_table(rows, unit, mode, fam, least=False):
    counts = sorted({int(r["sources"]) for r in results(rows, path="syn", mode=mode,
                                                         family=fam)})
    if not counts:
        return []
    out = [f"| sources | {' | '.join(NAMES[k] for k in KINDS)} | smtprl ÷ hashlimit | "
           f"smtprl ÷ nft | smtprl ÷ hashlimit, net of no-rules | smtprl ÷ nft, net |",
           "|---:|" + "---:|" * (len(KINDS) + 4)]
    for n in counts:
        v = {k: one(rows, path="syn", mode=mode, family=fam, sources=n, kind=k)
             for k in KINDS}
        net = {k: (v[k] - v["base"]) if v[k] is not None and v["base"] is not None
               else None for k in KINDS}
        out.append(f"| {n:,} | " + " | ".join(fmt(v[k]) for k in KINDS) +
                   f" | {ratio(v['smtprl'], v['hashlimit'])} | {ratio(v['smtprl'], v['nft'])}"
                   f" | {ratio(net['smtprl'], net['hashlimit'])} | {ratio(net['smtprl'], net['nft'])} |")
    out.append("")
    how = "smallest" if least else "median"
    out.append(f"({unit} per packet; the {how} of interleaved runs. \"Net\" subtracts the "
               "no-rules namespace, i.e. compares what each rule set itself costs.)")
    return out


def plot(rows):
    data = os.path.join(bench, "syn-path.dat")
    counts = sorted({int(r["sources"]) for r in results(rows, path="syn", mode="pass",
                                                         family=4)})
    if not counts:
        return False
    with open(data, "w") as f:
        for n in counts:
            f.write(f"{n} " + " ".join(str(one(rows, path="syn", mode="pass", family=4,
                                               sources=n, kind=k) or 0) for k in KINDS) + "\n")
    os.makedirs(os.path.dirname(png), exist_ok=True)
    script = f"""
set terminal png size 800,480
set output '{png}'
set title 'New-connection (SYN) path, IPv4, nothing limited'
set xlabel 'distinct sources'
set ylabel 'guest instructions per packet'
set logscale x
set xrange [500:2000000]
set key left top
set grid
set xtics ({', '.join(f'"{n:,}" {n}' for n in counts)})
plot '{data}' using 1:3 with linespoints lw 2 title 'smtprl', \\
     '' using 1:4 with linespoints lw 2 title 'iptables hashlimit', \\
     '' using 1:5 with linespoints lw 2 title 'nft set + limit', \\
     '' using 1:2 with linespoints lw 1 title 'no rules'
"""
    subprocess.run(["gnuplot"], input=script.encode(), check=True)
    return True


def figure(lines, label):
    """The value of the first line naming @label: what follows its last ": "."""
    for line in lines:
        if label in line:
            return line.rsplit(": ", 1)[-1].strip()
    return "not measured"


def control_rows(lines):
    """Table rows from control.sh's "figure: WHAT: VALUE" lines."""
    rows = []
    for line in lines:
        if line.startswith("figure: "):
            what, _, val = line[8:].rpartition(": ")
            rows.append(f"| {what} | {val} |" if what else f"| {val} | |")
    return rows


# What issue 17 measured on main when it was filed (the same commands), for
# the before/after table: net of no rules, 1,000 sources.
BEFORE = {
    "syn-pass-v4": 975, "syn-pass-v6": 1097, "ack-v4": 226, "memory": 124,
    "json-dump": "3.9 s", "top-n": "16 s, 296 MB RSS",
}


def perf_tier():
    """The perf tier's figures (scripts/bench/perf.sh, run by make bench too)."""
    path = os.path.join(bench, "vm-perf", "output.log")
    out = {}
    if os.path.exists(path):
        for line in open(path):
            m = re.match(r"^perf (\S+) (-?\d+)$", line)
            if m:
                out[m.group(1)] = int(m.group(2))
    return out


def perf_memory(kind):
    """The perf tier's "memory kind=KIND ..." line as a dict, or {}."""
    path = os.path.join(bench, "vm-perf", "output.log")
    if os.path.exists(path):
        for line in open(path):
            if line.startswith(f"memory kind={kind} "):
                return dict(f.split("=", 1) for f in line.split()[1:])
    return {}


def subscribers_section(alone=False):
    """SYN cost with 100,000 bound subscribers, next to unbound sources:
    the perf tier's figures (scripts/bench/perf-guest.sh). @alone: written
    without the rest of the report."""
    pt, mem = perf_tier(), perf_memory("subscribers")
    n = int(mem.get("subscribers", 0))
    o = ["## Subscribers", "",
         f"`make check-perf` (`scripts/bench/perf.sh`, qemu `-icount`, Debian's stock "
         f"6.12): {n:,} subscribers, each bound to one IPv4 address and one IPv6 /64 "
         "(the bench's sources), charged by the policy; the bench's 1,000 SYNs come "
         "from bound addresses, or from unbound sources while those subscribers are "
         "bound. Instructions per packet, net of no rules, beside the same SYN with "
         "nothing bound (the budget's `syn-pass` figures). A SYN from a bound address "
         "pays one longest-prefix lookup in the bindings and skips the exemption "
         "lookup; one from an unbound address pays the lookup's miss.", "",
         "| SYN from | IPv4 | IPv6 |", "|---|---:|---:|"]
    for label, fig in (("a source, nothing bound", "syn-pass-v{}"),
                       (f"an unbound source, {n:,} subscribers bound",
                        "syn-pass-v{}-unbound-next-to-bound"),
                       ("a bound address (the subscriber's one state)",
                        "syn-pass-v{}-bound")):
        v4, v6 = pt.get(fig.format(4)), pt.get(fig.format(6))
        o.append(f"| {label} | {fmt(v4)} | {fmt(v6)} |")
    if mem:
        o += ["", f"Memory: {int(mem['kib']):,} KiB for {n:,} subscribers with "
              f"{int(mem['bindings']):,} bindings, "
              f"{int(mem['bytes_per_subscriber']):,} bytes per subscriber (slab and "
              "vmalloc before and after `smtprlctl -b` of the subscribers; the state "
              "of a subscriber that sends is a source entry, counted above)."]
    if alone:
        o += ["", "This section was written from a later `make check-perf` than the rest "
              "of the report (`scripts/bench/report.py --subscribers`); its `syn-pass` "
              "row is that run's, and may differ by a few instructions from the "
              "tables above."]
    return o


def update_subscribers():
    """Splice a fresh Subscribers section into performance.md (the perf
    tier alone: make check-perf), leaving the rest of the report as it is."""
    old = open(doc).read().split("\n")
    new = subscribers_section(alone=True)
    if "## Subscribers" in old:
        a = old.index("## Subscribers")
        b = next((i for i in range(a + 1, len(old)) if old[i].startswith("## ")), len(old))
    else:
        a = b = old.index("## Control plane")
    old[a:b] = new + [""]
    with open(doc, "w") as f:
        f.write("\n".join(old))
    print(f"report.py: updated the Subscribers section of {os.path.relpath(doc, top)}")


def timed(lines, label):
    """(seconds, peak RSS KiB) of control.sh's line for @label, or Nones."""
    m = re.match(r"([0-9.]+) s .*peak RSS (\d+) KiB", figure(lines, label))
    return (float(m.group(1)), int(m.group(2))) if m else (None, None)


def goals(ic, uml, ctl_rt):
    """The goal table of issue 17 and the before/after table."""
    counts = sorted({int(r["sources"]) for r in results(ic, path="syn", mode="pass",
                                                         family=4)})
    n_hi = counts[-1]
    o = ["", "## Goals", "",
         "Net of no rules means the same packet through a namespace without any "
         "rule subtracted: what smtprl itself costs, netfilter's dispatch to its "
         "hook included.", "",
         "| goal | measured | |", "|---|---|---|"]

    def row(goal, measured, ok):
        o.append(f"| {goal} | {measured} | {'met' if ok else '**missed**'} |")

    def net(rows, mode, fam, n, kind="smtprl"):
        a = one(rows, path="syn", mode=mode, family=fam, sources=n, kind=kind)
        b = one(rows, path="syn", mode=mode, family=fam, sources=n, kind="base")
        return a - b if a is not None and b is not None else None

    for mode, cap, what in (("pass", 400, "SYN"), ("limit", 450, "SYN, every packet limited")):
        for fam in (4, 6):
            v = [net(ic, mode, fam, n) for n in counts]
            hl = [net(ic, mode, fam, n, "hashlimit") for n in counts]
            nf = [net(ic, mode, fam, n, "nft") for n in counts]
            r_hl = [a / b if a and b else None for a, b in zip(v, hl)]
            r_nf = [a / b if a and b else None for a, b in zip(v, nf)]
            ok = all(x is not None and x <= cap for x in v)
            extra = ""
            if mode == "pass":
                extra = ("; ÷ hashlimit " + " / ".join(f"{x:.2f}×" if x else "—" for x in r_hl) +
                         " (≤ 0.5×), ÷ nft " + " / ".join(f"{x:.2f}×" if x else "—" for x in r_nf) +
                         " (≤ 0.3×)")
                ok = ok and all(x is not None and x <= 0.5 for x in r_hl) and \
                    all(x is not None and x <= 0.3 for x in r_nf)
            row(f"{what}, IPv{fam}, net of no rules, at {', '.join(f'{n:,}' for n in counts)} "
                f"sources ≤ {cap} instructions",
                " / ".join(fmt(x) for x in v) + extra, ok)
    for fam in (4, 6):
        a, b = net(ic, "pass", fam, counts[0]), net(ic, "pass", fam, n_hi)
        row(f"growth {counts[0]:,} → {n_hi:,} sources, IPv{fam}, ≤ 1.1×",
            f"{ratio(b, a)} in instructions", a is not None and b is not None and b <= 1.1 * a)
    a, b = one(ic, path="ack", kind="smtprl"), one(ic, path="ack", kind="base")
    ack = a - b if a is not None and b is not None else None
    row("any non-SYN TCP packet (ACK to port 25), net of no hooks, ≤ 100 instructions",
        fmt(ack), ack is not None and ack <= 100)
    slow, slow_runs = [], []
    for mode in ("pass", "limit"):
        for fam in (4, 6):
            for n in counts:
                s = one(uml, path="syn", mode=mode, family=fam, sources=n, kind="smtprl")
                for k in ("hashlimit", "nft"):
                    c = one(uml, path="syn", mode=mode, family=fam, sources=n, kind=k)
                    if s is None or c is None:
                        continue
                    if s >= c:
                        slow.append(f"{mode} IPv{fam} {n:,}: {s} ns vs {NAMES[k]} {c} ns")
                        r = results(uml, path="syn", mode=mode, family=fam, sources=n,
                                    kind="smtprl")[0]
                        if r.get("runs") and r not in slow_runs:
                            slow_runs.append(r)
    measured = uml and results(uml, path="syn")
    row("UML real time: faster than hashlimit and nft at every size, pass and limited, "
        "IPv4 and IPv6 (median of interleaved runs)",
        ("not measured" if not measured else
         "faster in every case" if not slow else "slower in: " + "; ".join(slow)),
        bool(measured) and not slow)
    mem = {r["kind"]: int(r["bytes_per_source"]) for w, r in ic if w == "memory"}
    row("memory per tracked source ≤ 104 bytes", f"{mem.get('smtprl', '—')} B",
        mem.get("smtprl", 999) <= 104)
    pt = perf_tier()
    q = []
    for case in ("syn-pass-v4", "syn-pass-v6", "syn-limit-v4", "syn-limit-v6"):
        if case in pt and case + "-strikes" in pt:
            q.append((case, pt[case + "-strikes"] - pt[case]))
    row("quarantine and fan-out on (strikes 3, fanout-limit 100): their cost, "
        "separately, ≤ +60 instructions",
        ", ".join(f"{c} +{d}" for c, d in q) + " (`make check-perf`, 1,000 sources)"
        if q else "not measured", bool(q) and all(d <= 60 for _, d in q))
    js, _ = timed(ctl_rt, f"smtprlctl -j source list ({n_hi})")
    jp, _ = timed(ctl_rt, f"smtprlctl -j source list into a pipe ({n_hi})")
    row(f"JSON dump of {n_hi:,} sources ≤ 3 s in UML real time",
        f"{js} s into a file, {jp} s into a pipe (`smtprlctl -j source list`, "
        "`control.sh uml-bench`)" if js else "not measured",
        js is not None and js <= 3)
    top, rss = timed(ctl_rt, f"smtprlctl source list top 10 sort limited ({n_hi})")
    full, _ = timed(ctl_rt, f"smtprlctl source list ({n_hi}, text)")
    row(f"`source list top 10` of {n_hi:,}: ≤ 10 MB RSS, no slower than a full dump",
        f"{top} s, peak RSS {rss:,} KiB; the full text dump {full} s"
        if top and rss and full else "not measured",
        top is not None and rss is not None and full is not None and rss <= 10240 and
        top <= full * 1.05)

    # Where a goal is missed: the measured floor and its reason.
    bullets = []
    v6 = [net(ic, "pass", 6, n) for n in counts]
    v4 = [net(ic, "pass", 4, n) for n in counts]
    if any(x is None or x > 400 for x in v6):
        bullets.append(
            f"- **IPv6 SYN ({' / '.join(fmt(x) for x in v6)}, goal 400).** The same path "
            f"as IPv4 ({' / '.join(fmt(x) for x in v4)}) plus what a 128-bit address "
            "costs: the source's keyed hash covers two words of a /64, which takes "
            "hsiphash one compression round more than one IPv4 word (`scripts/bench/"
            "itrace.sh syn 6` shows the hash function alone), and the addresses are "
            "read, masked and compared as wider keys. The remaining way down is a "
            "keyless hash such as hashlimit's and conncount's jhash; smtprl keeps a "
            "keyed one, as conntrack (siphash) and WireGuard's ratelimiter (hsiphash) "
            "do, because whoever picks source addresses (any host on a CPE's LAN, a "
            "spoofer where uRPF is off) could otherwise aim every new source at one "
            "hash chain.")
    lim6 = [net(ic, "limit", 6, n) for n in counts]
    if any(x is None or x > 450 for x in lim6):
        bullets.append(
            f"- **IPv6 SYN, every packet limited ({' / '.join(fmt(x) for x in lim6)}, "
            "goal 450).** The same cost of a 128-bit source as above, plus the limited "
            "path's (the drop, the limited counter, the source's last-limited time).")
    scattered = [r for r in results(ic, path="syn", kind="smtprl")
                 if r.get("runs") and
                 max(map(int, r["runs"].split())) > 1.5 * min(map(int, r["runs"].split()))]
    if scattered:
        why = [explain(r) for r in scattered]
        bullets.append(
            "- **Runs that scatter.** Instruction counts only grow with noise, so "
            "each case's smallest run is taken as its cost. smtprl's runs scattered "
            "in: " + "; ".join(
                f"{r['mode']}, IPv{r['family']}, {int(r['sources']):,} sources "
                f"({r['runs']}{': ' + w if w else ''})" for r, w in zip(scattered, why)) +
            ". Each family runs in fresh namespaces and the competitors' collectors "
            "are off, so no other table's garbage collector is at work there. " +
            ("What else ran during each slow run's timed pass is traced (workqueue "
             "and softirq tracepoints, `lib-guest.sh`'s `interference()`): per "
             "packet, it is the excess over the least run, so the excess is that "
             "background work, not the packet path." if all(why) else
             "The excess is work the guest did beside the packets (it comes and "
             "goes between runs of the same packets); the trace of what ran "
             "(`other=` in compare-icount.txt) does not account for all of it."))
    if slow:
        bullets.append(
            "- **Real time (UML).** Where smtprl is not the fastest, the listed cases "
            "above; UML runs kernel code natively but every figure is one CPU's, "
            "median of interleaved runs, on a shared lab host. smtprl's runs there: " +
            "; ".join(f"{r['mode']}, IPv{r['family']}, {int(r['sources']):,} sources: "
                      f"{r['runs']} ns" for r in slow_runs) +
            ". Where they scatter, a median of three with two slow runs is probably the same "
            "background work as in the instruction counts above landing in the "
            "timed runs; at a million sources no competitor's table fits the CPU "
            "caches either, and a cache miss or two per new connection counts.")
    if js is not None and (js > 3 or (jp or 0) > 3):
        bullets.append(
            f"- **JSON dump ({js} s into a file, {jp} s into a pipe; goal 3 s).** The "
            f"kernel's dump and libnl's parse of a million sources take about {top} s "
            "(`source list top 10` reads the same dump and prints ten); the rest is "
            "formatting a million JSON objects and writing them out. Into a file "
            "that is written once (a dump that starts over truncates it); into a "
            "pipe it is written twice, held in memory until the dump is known "
            "whole and then copied, and UML charges for every system call and "
            "page of that. For scale: the kernel's own text of the same sources "
            "(`cat /proc/net/smtprl/sources`) took "
            f"{timed(ctl_rt, 'cat /proc/net/smtprl/sources')[0]} s in the same run.")
    if bullets:
        o += ["", "### Where a goal is missed, and why", ""] + bullets
    pass4, pass6 = net(ic, "pass", 4, counts[0]), net(ic, "pass", 6, counts[0])
    o += ["", "### Before and after", "",
          "Before: what the performance issue measured on main when it was filed, "
          "with the same commands. After: this run.", "",
          "| figure | before | after |", "|---|---:|---:|",
          f"| SYN IPv4, 1,000 sources, instructions net of no rules | "
          f"{BEFORE['syn-pass-v4']:,} | {fmt(pass4)} |",
          f"| SYN IPv6 | {BEFORE['syn-pass-v6']:,} | {fmt(pass6)} |",
          f"| ACK to port 25, net of no hooks | {BEFORE['ack-v4']} | {fmt(ack)} |",
          f"| memory per tracked source, bytes | {BEFORE['memory']} | {mem.get('smtprl', '—')} |",
          f"| JSON dump of {n_hi:,} sources, UML | {BEFORE['json-dump']} | "
          f"{f'{js} s' if js else '—'} |",
          f"| `source list top 10` of {n_hi:,}, UML | {BEFORE['top-n']} | "
          f"{f'{top} s, {rss / 1024:.1f} MB RSS' if top and rss else '—'} |"]
    return o


def main():
    ic = parse("compare-icount.txt", least=True)
    tcg = parse("compare-tcg.txt")
    uml = parse("compare-uml.txt")
    smp = parse("compare-smp.txt")
    ctl_path = os.path.join(bench, "control-6.12.txt")
    ctl = open(ctl_path).read().splitlines() if os.path.exists(ctl_path) else []
    rt_path = os.path.join(bench, "control-uml-bench.txt")
    ctl_rt = open(rt_path).read().splitlines() if os.path.exists(rt_path) else []
    if not ic:
        sys.exit("report.py: no build/bench/compare-icount.txt; run make bench")
    o = ["# smtprl performance, side by side",
         "",
         "Generated by `make bench` (`scripts/bench/report.py`); every figure below "
         "comes from one run of the commands named with it, on Debian's stock 6.12 "
         "kernel under qemu or on a 6.12 UML kernel, all competitors in the same "
         "boot. Regenerate with:",
         "",
         "    make bench",
         "",
         "**How to read it.** KVM does not work on the lab machines, so the guest is "
         "emulated (qemu TCG). The main measure is *instructions per "
         "packet* under `qemu -icount shift=0`, where one guest nanosecond is one "
         "guest instruction, so counts are deterministic. Real time "
         "(ns per packet) comes from UML: the same 6.12 "
         "source built as User-Mode Linux without any debug option "
         "(`scripts/lab/kconfig/uml-bench.config`; the lab's UML for tests is a "
         "KASAN/lockdep build and is never used for timing), where kernel code "
         "runs natively on the host CPU; one CPU.",
         "",
         "**Method.** `smtprl_bench.ko` builds one TCP SYN to port 25 (or IPv6, UDP, "
         "ACK) and pushes it through `nf_hook()` at PREROUTING of a chosen network "
         "namespace, rewriting the source address each time (sources cycled from a "
         "scrambled set of 1,000 / 100,000 / 1,000,000 distinct IPv4 addresses or "
         "IPv6 /64s). One namespace per competitor, configured to the same limit: "
         "per-source token bucket, same rate and burst, at the same place (before "
         "conntrack): smtprl (`smtprlctl policy set`), `iptables-legacy -t raw ... -m "
         "hashlimit --hashlimit-mode srcip --hashlimit-above` (given one hash bucket "
         "per source, its best case: it never resizes), and an nft dynamic set "
         "`update @src { ip saddr limit rate over ... } drop` at priority raw - 1. "
         "hashlimit's and the set's garbage collectors are set to an hour (their "
         "entries expire after one): by default each walks its whole table every "
         "second, and, traced, that work landed in the timed passes of whichever "
         "competitor ran meanwhile. smtprl's collector stays on (it looks at a "
         "quarter of its table each second). "
         "A first pass creates every source's entry; then the measured pass; runs "
         "interleaved across namespaces. What else ran during each timed pass "
         "(workqueue items and softirqs, traced) is in `other=` of "
         "`build/bench/compare-icount.txt`. Sources: "
         "`scripts/bench/compare-guest.sh`, `kmod/bench/smtprl_bench.c`.",
         ""]

    o += ["## New connections (SYN), nothing limited", "",
          "![SYN path](images/syn-path.png)" if plot(ic) else ""]
    icount = ("instructions", True)
    real = ("ns", False)
    for heading, rows, (unit, least), mode, fam in (
            ("### IPv4, instructions per packet (`scripts/bench/compare.sh icount`)",
             ic, icount, "pass", 4),
            ("### IPv6 (sources are distinct /64s)", ic, icount, "pass", 6),
            ("### IPv4, real time, ns per packet (UML, `scripts/bench/compare.sh uml`)",
             uml, real, "pass", 4),
            ("### IPv6, real time (UML)", uml, real, "pass", 6),
            ("### IPv4, wall-clock ns under TCG (`scripts/bench/compare.sh tcg`)",
             tcg, ("emulated ns", False), "pass", 4),
            ("## Every packet limited\n\nRate 1/day, burst 1: after the first pass "
             "every packet is over the limit and dropped (the `dropped` count of every "
             "run equals its packets).\n\nIPv4:", ic, icount, "limit", 4),
            ("IPv6:", ic, icount, "limit", 6),
            ("Real time (UML), IPv4:", uml, real, "limit", 4)):
        if rows is tcg and not tcg:
            continue
        o += ["", heading, ""]
        o += syn_table(rows, unit, mode, fam, least) or ["not measured"]

    o += ["", "## Packets that are not new SMTP connections", "",
          "What every other packet pays for smtprl being loaded and enforcing in "
          "the namespace, against no hooks at all. `smtprl_bench` measures the "
          "netfilter hook alone; pktgen measures a whole path — UDP from pktgen "
          "over a veth into a namespace that forwards it to a blackhole route — "
          "where one guest ns is one instruction, tx side included.", "",
          "| packet | no smtprl | smtprl enforcing | extra | extra, % of the whole path |",
          "|---|---:|---:|---:|---:|"]
    pk = {k: one(ic, path="pktgen-udp", kind=k) for k in ("base", "smtprl")}
    for p, label in (("udp", "UDP, hook only"), ("ack", "TCP ACK to port 25, hook only"),
                     ("pktgen-udp", "UDP, whole path (pktgen)")):
        b, s = one(ic, path=p, kind="base"), one(ic, path=p, kind="smtprl")
        extra = s - b if s is not None and b is not None else None
        whole = pk["base"]
        pct = f"{100 * extra / whole:.1f} %" if extra is not None and whole else "—"
        o.append(f"| {label} | {fmt(b)} | {fmt(s)} | {fmt(extra)} | {pct} |")

    o += ["", "## Memory per tracked source", "",
          "Memory in use (MemTotal - MemFree, caches dropped) before the rules were "
          "installed and after every source had its entry, divided by the sources; "
          "so each competitor's tables count, however allocated.", "",
          "| | sources | entries | bytes per source |", "|---|---:|---:|---:|"]
    for w, r in ic:
        if w == "memory":
            o.append(f"| {NAMES[r['kind']]} | {int(r['sources']):,} | {int(r['entries']):,} "
                     f"| {r['bytes_per_source']} |")

    o += [""] + subscribers_section()

    o += ["", "## Control plane", "",
          "`scripts/bench/control.sh` (same kernel, same emulation; the script also "
          "runs one CPU-bound job on the host and in the guest to show how much "
          "slower the emulation is: " + figure(ctl, "host calibration") + " on the "
          "host, " + figure(ctl, "guest calibration") + " in the guest).", "",
          "| operation | wall time, peak RSS |", "|---|---|"]
    o += control_rows(ctl)
    dumps = [r for w, r in uml if w == "dump"]
    how = "real time, UML"
    if not dumps:
        dumps = [r for w, r in ic if w == "dump"]
        how = "wall clock under emulation"
    if ctl_rt:
        o += ["", "The same in real time, on the UML kernel without debug options "
              "(`scripts/bench/control.sh uml-bench`; UML makes every system call "
              "expensive, so these are upper bounds for hardware):", "",
              "| operation | wall time, peak RSS |", "|---|---|"]
        o += control_rows(ctl_rt)
    o += ["", f"Full dumps of every tracked source at the largest count "
          f"(`compare-guest.sh`, {how}), each in its kernel's own text: "
          "`/proc/net/smtprl/sources`, hashlimit's /proc file, `nft list set`; "
          "smtprlctl's dumps are in the control tables above:", "",
          "| dump | sources | ms |", "|---|---:|---:|"]
    for r in dumps:
        if r["kind"] == "smtprl-json":
            continue  # older runs timed smtprlctl here too
        ms = f"{int(r['ms']):,}" if "ms" in r else "did not finish in 120 s"
        o.append(f"| {r['kind']} | {int(r['sources']):,} | {ms} |")

    o += ["", "## Two CPUs at once", "",
          "`scripts/bench/compare.sh smp`: qemu `-smp 2` with multi-threaded TCG (one "
          "host thread per vCPU; the lab host has two cores); the SYN path from one "
          "CPU, then from both at once, each over its own half of 100,000 sources. "
          "ns per packet of aggregate throughput; emulated, so only the ratio "
          "counts.", "",
          "| | 1 CPU | 2 CPUs | speed-up |", "|---|---:|---:|---:|"]
    for k in KINDS:
        a = one(smp, path="syn-smp", kind=k, threads=1)
        b = one(smp, path="syn-smp", kind=k, threads=2)
        o.append(f"| {NAMES[k]} | {fmt(a)} | {fmt(b)} | {ratio(a, b)} |")

    o += goals(ic, uml, ctl_rt)
    with open(doc, "w") as f:
        f.write("\n".join(o).replace("\n\n\n", "\n\n") + "\n")
    print(f"report.py: wrote {os.path.relpath(doc, top)}")


if __name__ == "__main__":
    if "--subscribers" in sys.argv[1:]:
        update_subscribers()
    else:
        main()
