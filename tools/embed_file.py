#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# embed_file.py IN OUT NAME: write a C header declaring `static const char
# NAME[]` with IN's bytes (the build embeds clients/js/rtcgate.js this way).
import sys

src, out, name = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, "rb").read()
with open(out, "w") as f:
    f.write("/* Generated from %s by tools/embed_file.py: do not edit. */\n" % src.split("/")[-1])
    f.write("static const char %s[] =\n" % name)
    for line in data.splitlines(keepends=True):
        esc = "".join(chr(c) if 32 <= c < 127 and c not in (34, 92, 63) else "\\%03o" % c
                      for c in line)
        f.write('"%s"\n' % esc)
    f.write(";\n")
