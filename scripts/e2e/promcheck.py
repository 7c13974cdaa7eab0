#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""promcheck.py PROM STATS_JSON NETNS: smtprlctl's Prometheus output (the
file PROM), parsed by prometheus_client's own text parser, against -j
stats (STATS_JSON): every sample labelled netns=NETNS and by nothing else
but the outcome (no per-subscriber labels), every value that of -j stats,
the outcomes adding up to seen, gauges typed gauge. Prints the number of
samples; fails by assert."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

prom, js, netns = open(sys.argv[1]).read(), json.load(open(sys.argv[2])), sys.argv[3]
got, kinds = {}, {}
for fam in text_string_to_metric_families(prom):
    for s in fam.samples:
        assert s.labels.get("netns") == netns, s
        assert set(s.labels) <= {"netns", "outcome"}, s
        key = s.name + ("/" + s.labels["outcome"] if "outcome" in s.labels else "")
        got[key], kinds[s.name] = s.value, fam.type
outcomes = "allowed limited would_limit exempt relay out_of_scope table_full".split()
gauges = {"entries": "smtprl_sources", "exemptions": "smtprl_exemptions",
          "memory_bytes": "smtprl_memory_bytes",
          "quarantined_now": "smtprl_quarantined_sources",
          "subscribers": "smtprl_subscribers", "bindings": "smtprl_bindings",
          "lingering": "smtprl_lingering_subscribers"}
want = {}
for k, v in js.items():
    if k in outcomes:
        want["smtprl_connections_total/" + k] = v
    elif k in gauges:
        want[gauges[k]] = v
        assert kinds[gauges[k]] == "gauge", (k, kinds[gauges[k]])
    else:
        want["smtprl_" + k + "_total"] = v
assert got == want, {k: (got.get(k), want.get(k)) for k in set(got) | set(want)
                     if got.get(k) != want.get(k)}
assert sum(got["smtprl_connections_total/" + o] for o in outcomes) == js["seen"]
assert js["seen"] > 0
print(len(got), "samples")
