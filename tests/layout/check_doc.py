#!/usr/bin/env python3
"""check_doc.py - every function docs/ARCHITECTURE.md names as `name()` is defined in the tree,
and every file or folder it names as `path/` or `path.c` exists."""
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
DOC = "docs/ARCHITECTURE.md"
CALL = re.compile(r"`([A-Za-z_][A-Za-z0-9_]*)\(\)`")
PATH = re.compile(r"`((?:boot|core|debug|guest|svm|vmx|tests|docs)/[A-Za-z0-9_./-]*)`")


def sources():
    out = subprocess.check_output(["git", "-C", ROOT, "ls-files", "-co", "--exclude-standard"],
                                  text=True)
    return [p for p in out.split() if re.search(r"\.(c|h|S)$", p)]


def defined(names):
    """The names with a definition: a C function (name, parameters, then its body's brace),
    an assembly label or global, or a function-like macro."""
    texts = [open(os.path.join(ROOT, p), encoding="utf-8", errors="replace").read()
             for p in sources()]
    found = set()
    for n in names:
        e = re.escape(n)
        pat = re.compile(r"^[A-Za-z_][^;{}()]*\b%s\([^;{}]*\)\s*\{|^%s:|^\s*\.globl\s+%s\b|"
                         r"#define\s+%s\(" % (e, e, e, e), re.M)
        if any(pat.search(t) for t in texts):
            found.add(n)
    return found


def main():
    doc = open(os.path.join(ROOT, DOC), encoding="utf-8").read()
    names = sorted(set(CALL.findall(doc)))
    paths = sorted(set(PATH.findall(doc)))
    missing = sorted(set(names) - defined(names))
    gone = [p for p in paths if not os.path.exists(os.path.join(ROOT, p.rstrip("/")))]
    for n in missing:
        print("doc: %s names %s(), which no source file defines" % (DOC, n))
    for p in gone:
        print("doc: %s names %s, which does not exist" % (DOC, p))
    print("doc: %d functions and %d paths checked, %d problem(s)"
          % (len(names), len(paths), len(missing) + len(gone)))
    return 1 if missing or gone else 0


if __name__ == "__main__":
    sys.exit(main())
