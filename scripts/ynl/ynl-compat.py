#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""ynl-compat.py NETLINK-GEN.C > NETLINK-GEN-COMPAT.C

Kernels before 6.2 (Debian's 6.1) have no split ops: one struct genl_ops
per command carries doit, dumpit, policy and maxattr. Rewrite the ops table
and family that ynl-gen-c.py generated into that form; the policies above
them are kept verbatim, so the spec stays the single source of truth.
"""
import re
import sys

src = open(sys.argv[1]).read()
head, sep, rest = src.partition("/* Ops table for ")
if not sep:
    sys.exit("ynl-compat.py: no ops table in " + sys.argv[1])
table = rest[rest.index("static const struct genl_split_ops"):]
table = table[:table.index("};")]

ops = {}
order = []
for body in re.findall(r"\{(.*?)\n\t\}", table, re.S):
    fields = dict(re.findall(r"\.(\w+)\s*=\s*([^,]+),", body))
    cmd = fields.pop("cmd")
    flags = [f.strip() for f in fields.pop("flags").split("|")]
    fields["flags"] = " | ".join(f for f in flags if not f.startswith("GENL_CMD_CAP_")) or "0"
    if cmd not in ops:
        ops[cmd] = {}
        order.append(cmd)
    merged = ops[cmd]
    if merged.get("flags", fields["flags"]) != fields["flags"]:
        sys.exit(f"ynl-compat.py: {cmd}: do and dump differ in flags")
    merged.update(fields)

# Before 6.2, struct nla_policy points to a non-const range.
head = head.replace("static const struct netlink_range_validation",
                    "static struct netlink_range_validation")
out = [head.replace("/* YNL-GEN kernel source */",
                    "/* YNL-GEN kernel source, rewritten by scripts/ynl/ynl-compat.py for < 6.2 */"),
       "/* Ops table for smtprl: one entry per command (no split ops before 6.2) */\n",
       "static const struct genl_ops smtprl_nl_ops[] = {\n"]
for cmd in order:
    out.append("\t{\n")
    out.append(f"\t\t.cmd\t\t= {cmd},\n")
    for k in ("doit", "dumpit", "policy", "maxattr", "flags"):
        if k in ops[cmd]:
            out.append(f"\t\t.{k}{chr(9) * (2 if len(k) < 7 else 1)}= {ops[cmd][k]},\n")
    out.append("\t},\n")
out.append("};\n\n")

tail = rest[rest.index("static const struct genl_multicast_group"):]
tail = tail.replace("\t.split_ops\t= smtprl_nl_ops,\n\t.n_split_ops\t= ARRAY_SIZE(smtprl_nl_ops),\n",
                    "\t.ops\t\t= smtprl_nl_ops,\n\t.n_ops\t\t= ARRAY_SIZE(smtprl_nl_ops),\n"
                    f"\t.resv_start_op\t= {order[-1]} + 1,\n")
if ".split_ops" in tail:
    sys.exit("ynl-compat.py: unexpected family layout")
out.append(tail)
sys.stdout.write("".join(out))
