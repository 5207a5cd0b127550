# profile.py - gdb script for make profile: count the hypervisor's instructions per function
# over one VM exit (from the #VMEXIT landing to the next VMRUN), stepping QEMU's gdbstub.
# Environment: PROFILE_SITE (guest RIP of the exit to pick), PROFILE_SKIP (matching exits
# to let pass first, so the profiled one is a steady-state one), PROFILE_ELF (symbols).
import bisect
import os
import subprocess

import gdb

site = int(os.environ["PROFILE_SITE"], 16)
skip = int(os.environ.get("PROFILE_SKIP", "3"))
elf = os.environ["PROFILE_ELF"]

# Function symbols sorted by address: the function a pc is in, inlined code or not.
syms = []
for line in subprocess.run(["nm", "-n", elf], capture_output=True, text=True).stdout.splitlines():
    parts = line.split()
    if len(parts) == 3 and parts[1] in "tTwW":
        syms.append((int(parts[0], 16), parts[2]))
addrs = [a for a, _ in syms]
sym_at = {name: a for a, name in syms}


def func_of(pc):
    i = bisect.bisect_right(addrs, pc) - 1
    return syms[i][1] if i >= 0 else "?"


def sym_addr(name):
    return int(gdb.parse_and_eval("(unsigned long)&%s" % name))


def reg(name):
    return int(gdb.parse_and_eval("(unsigned long)$%s" % name)) & (2**64 - 1)


exit_landing = sym_addr("svm_vmexit")
vmrun = sym_addr("svm_vmrun_insn")
gdb.execute("set pagination off")
gdb.execute("set scheduler-locking step")
gdb.execute("hbreak *0x%x" % exit_landing)
seen = 0
exits = 0
while True:
    gdb.execute("continue", to_string=True)
    exits += 1
    # RAX holds the VMCB's physical address; the guest RIP is in the save area (APM B-2).
    rip = int(gdb.parse_and_eval("svm_state.vmcb->save.rip"))
    code = int(gdb.parse_and_eval("svm_state.vmcb->control.exitcode"))
    if rip == site:
        seen += 1
        if seen > skip:
            break
gdb.execute("delete")
trace = []
pc = reg("pc")
while pc != vmrun:
    trace.append(pc)
    gdb.execute("stepi", to_string=True)
    pc = reg("pc")
    if len(trace) > 200000:
        print("PROFILE gave up: no VMRUN after 200000 instructions")
        break


def inlined_names(pcs):
    """The innermost function at each pc, inlined ones included: addr2line -a -f -i prints each
    address, then its inlined chain innermost first as (function, file:line) pairs."""
    uniq = sorted(set(pcs))
    out = subprocess.run(["addr2line", "-a", "-f", "-i", "-e", elf] + ["0x%x" % a for a in uniq],
                         capture_output=True, text=True).stdout.splitlines()
    names = {}
    cur = None
    for line in out:
        if line.startswith("0x"):
            cur = int(line, 16)
        elif cur is not None and cur not in names:
            names[cur] = line if line != "??" else func_of(cur)
    return names


inner = inlined_names(trace)
counts = {}
order = []
for pc in trace:
    outer = func_of(pc)
    f = inner.get(pc, outer)
    # Two labels at one address (svm_vmexit, svm_vmrun_exit) are one function, not inlining.
    if f != outer and sym_at.get(f) != sym_at.get(outer):
        f = "%s (in %s)" % (f, outer)
    else:
        f = outer
    if f not in counts:
        counts[f] = 0
        order.append(f)
    counts[f] += 1
steps = len(trace)
print("PROFILE exit code 0x%x at guest RIP 0x%x (exit %d of the run)" % (code, site, exits))
print("PROFILE total %d instructions from #VMEXIT to VMRUN" % steps)
for f in sorted(order, key=lambda f: -counts[f]):
    print("PROFILE %6d %5.1f%%  %s" % (counts[f], 100.0 * counts[f] / max(steps, 1), f))
print("PROFILE call order: " + " > ".join(order))
gdb.execute("kill")
