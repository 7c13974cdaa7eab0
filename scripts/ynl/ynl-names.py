#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Names and ranges from the netlink spec, for the kernel and smtprlctl.

Usage: ynl-names.py SPEC > include/uapi/linux/smtprl-names.h

The kernel's YNL generator writes the uAPI header (ids) and the kernel's
policies; this writes what both sides print and parse, so that no C file
spells a name the spec already has:

  SMTPRL_<ENUM>_NAMES          { "second", "minute", ... } by value
                               (flags: by bit)
  SMTPRL_<SET>_KEYS            { [SMTPRL_A_<SET>_<ATTR>] = "name_with_underscores" }
                               for every attribute of a set but pads, as
                               /proc and smtprlctl's show and JSON spell them
  SMTPRL_STATS_DOCS            { [SMTPRL_A_STATS_<ATTR>] = "its doc, one line" }
  SMTPRL_<SET>_<ATTR>_NAME     the attribute's name (policy only, as below)
  SMTPRL_<SET>_<ATTR>_KEY      the same with underscores, as /proc spells it
  SMTPRL_<SET>_<ATTR>_WIDTH    its size on the wire, in bytes
  SMTPRL_<SET>_<ATTR>_MIN/_MAX its range: the spec's checks, else its type's
  SMTPRL_<SET>_<ATTR>_RANGE    "name: must be MIN to MAX", for refusals
"""

import sys

import yaml

WIDTH = {"u8": 1, "u16": 2, "u32": 4, "u64": 8}
TYPE_MAX = {"u8": 0xff, "u16": 0xffff, "u32": 0xffffffff,
            "u64": 0xffffffffffffffff}


def c_name(name):
    return name.upper().replace("-", "_")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        spec = yaml.safe_load(f)
    fam = c_name(spec["name"])
    out = [
        "/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */",
        "/* Do not edit directly, auto-generated from: */",
        "/*\tDocumentation/netlink/specs/smtprl.yaml */",
        "/* by scripts/ynl/ynl-names.py: names and ranges for kmod/ and userspace/ */",
        "/* (include <linux/smtprl.h> first) */",
        "",
        f"#ifndef _{fam}_NAMES_H",
        f"#define _{fam}_NAMES_H",
        "",
    ]
    for d in spec.get("definitions", []):
        if d["type"] not in ("enum", "flags"):
            continue
        start = d.get("value-start", 0) if d["type"] == "enum" else 0
        names = [e if isinstance(e, str) else e["name"] for e in d["entries"]]
        if start:
            sys.exit(f"ynl-names: {d['name']}: value-start is not supported")
        out.append(f"#define {fam}_{c_name(d['name'])}_NAMES \\")
        out.append("\t{ " + ", ".join(f'"{n}"' for n in names) + " }")
        out.append(f"#define {fam}_{c_name(d['name'])}_COUNT {len(names)}")
        out.append("")
    enums = {d["name"]: len(d["entries"]) for d in spec.get("definitions", [])
             if d["type"] == "enum"}
    flags = {d["name"]: len(d["entries"]) for d in spec.get("definitions", [])
             if d["type"] == "flags"}
    for s in spec["attribute-sets"]:
        if "subset-of" in s:
            continue	# its names are its superset's
        attrs = [a for a in s["attributes"] if a["type"] != "pad"]
        sname = f"{fam}_{c_name(s['name'])}"
        aname = f"{fam}_A_{c_name(s['name'])}"
        out.append(f"#define {sname}_KEYS {{ \\")
        for a in attrs:
            out.append(f"\t[{aname}_{c_name(a['name'])}] = "
                       f"\"{a['name'].replace('-', '_')}\", \\")
        out.append("}")
        out.append("")
        if s["name"] == "stats":
            # Each counter's doc, one line: the help of smtprlctl's metrics.
            out.append(f"#define {sname}_DOCS {{ \\")
            for a in attrs:
                doc = " ".join(a.get("doc", a["name"]).split())
                doc = doc.replace("\\", "\\\\").replace('"', '\\"')
                out.append(f"\t[{aname}_{c_name(a['name'])}] = \"{doc}\", \\")
            out.append("}")
            out.append("")
        if s["name"] != "policy":
            continue
        for a in attrs:
            if a["type"] not in TYPE_MAX:
                continue
            checks = a.get("checks", {})
            lo = checks.get("min", 0)
            hi = checks.get("max", TYPE_MAX[a["type"]])
            if a.get("enum") in flags:
                lo, hi = 1, (1 << flags[a["enum"]]) - 1
            elif a.get("enum") in enums:
                hi = enums[a["enum"]] - 1
            pre = f"{sname}_{c_name(a['name'])}"
            out.append(f"#define {pre}_NAME \"{a['name']}\"")
            out.append(f"#define {pre}_KEY \"{a['name'].replace('-', '_')}\"")
            out.append(f"#define {pre}_WIDTH {WIDTH[a['type']]}")
            out.append(f"#define {pre}_MIN {lo}U")
            out.append(f"#define {pre}_MAX {hi}U")
            out.append(f"#define {pre}_RANGE \"{a['name']}: must be {lo} to {hi}\"")
        out.append("")
    out.append(f"#endif /* _{fam}_NAMES_H */")
    print("\n".join(out))


if __name__ == "__main__":
    main()
