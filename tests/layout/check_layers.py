#!/usr/bin/env python3
"""check_layers.py - the layout rules of docs/ARCHITECTURE.md: no include cycles between
files or folders, each folder includes only the layers below it, no file over 400 lines."""
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
MAX_LINES = 400
# What each hypervisor folder may include besides itself (docs/ARCHITECTURE.md, "Layers").
ALLOWED = {
    "core/hw": set(),
    "core/paging": {"core/hw"},
    "core": {"core/hw", "core/paging"},
    "svm": {"core", "core/hw", "core/paging"},
    "vmx": {"core", "core/hw", "core/paging"},
    "debug/gdb": {"core/hw"},
    "debug": {"core", "core/hw", "core/paging", "debug/gdb"},
    "guest": {"core", "core/hw", "core/paging"},
    "boot": {"core", "core/hw", "core/paging", "debug", "debug/gdb", "guest", "svm", "vmx"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def tracked():
    out = subprocess.check_output(["git", "-C", ROOT, "ls-files", "-co", "--exclude-standard"],
                                  text=True)
    return [p for p in out.split() if re.search(r"\.(c|h|S)$", p)
            and os.path.dirname(p) in ALLOWED and os.path.exists(os.path.join(ROOT, p))]


def resolve(path, name, files):
    for cand in (os.path.normpath(os.path.join(os.path.dirname(path), name)), name):
        if cand in files:
            return cand
    return None


def find_cycle(graph):
    """Return one cycle (list of nodes) of @graph, or None."""
    state = {}

    def visit(n, stack):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if not state.get(m):
                c = visit(m, stack)
                if c:
                    return c
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if not state.get(n):
            c = visit(n, [])
            if c:
                return c
    return None


def main():
    files = set(tracked())
    problems = []
    fgraph, dgraph = {}, {}
    for p in sorted(files):
        text = open(os.path.join(ROOT, p)).read()
        if text.count("\n") > MAX_LINES:
            problems.append("%s: %d lines (over %d)" % (p, text.count("\n"), MAX_LINES))
        for name in INCLUDE.findall(text):
            t = resolve(p, name, files)
            if t is None:
                continue
            if os.path.splitext(t)[0] != os.path.splitext(p)[0]:
                fgraph.setdefault(p, set()).add(t)
            src, dst = os.path.dirname(p), os.path.dirname(t)
            if src != dst:
                dgraph.setdefault(src, set()).add(dst)
                if dst not in ALLOWED[src]:
                    problems.append("%s includes %s: %s may not use %s" % (p, t, src, dst))
    # A module is foo.c with foo.h. A header with no .c of its own (an interface such as
    # gdb_internal.h or vcpu_hooks.h) is looked through: including it means including what
    # it includes. A module's own header reached that way is no dependency.
    def module(p):
        return os.path.splitext(p)[0]

    def interface_only(p):
        return p.endswith(".h") and module(p) + ".c" not in files and module(p) + ".S" not in files

    def deps(p, seen):
        out = set()
        for t in fgraph.get(p, ()):
            if t in seen:
                continue
            seen.add(t)
            out |= deps(t, seen) if interface_only(t) else {module(t)}
        return out

    unit = {}
    for p in fgraph:
        if not interface_only(p):
            unit.setdefault(module(p), set()).update(deps(p, {p}) - {module(p)})
    for name, cyc in (("file", find_cycle(unit)), ("folder", find_cycle(dgraph))):
        if cyc:
            problems.append("%s include cycle: %s" % (name, " -> ".join(cyc)))
    for p in problems:
        print("layout: " + p)
    print("layout: %d files checked, %d problem(s)" % (len(files), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
