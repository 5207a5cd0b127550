# gdb_bench.py - sourced by gdb: stepi rate and 'g' round trip of whichever stub gdb talks to.
# Stops at gdb_marker first, so both stubs are measured on the same guest code. With
# BENCH_WIRE=1 in the environment (dbgvisor's stub), also the bytes on the line per stepi, from
# "monitor wire" before and after the steps (the first monitor exchange is counted in; 2 bytes
# per stepi at most).
import os
import re
import time

import gdb

STEPS = 1000
G_PACKETS = 300


def wire():
    text = gdb.execute("monitor wire", to_string=True)
    m = re.search(r"(\d+) bytes in, (\d+) bytes out, (\d+) polls", text)
    return tuple(int(x) for x in m.groups()) if m else (0, 0, 0)


gdb.execute("hbreak gdb_marker", to_string=True)
gdb.execute("continue", to_string=True)
gdb.execute("delete", to_string=True)
measure_wire = os.environ.get("BENCH_WIRE") == "1"
before = wire() if measure_wire else (0, 0, 0)
start = time.monotonic()
gdb.execute("stepi %d" % STEPS, to_string=True)
step_s = time.monotonic() - start
after = wire() if measure_wire else (0, 0, 0)
start = time.monotonic()
for _ in range(G_PACKETS):
    gdb.execute("maint packet g", to_string=True)
g_s = (time.monotonic() - start) / G_PACKETS
print("BENCH stepi/s %.0f g-rtt-us %.0f wire-in %.1f wire-out %.1f idle-polls %.0f" % (
    STEPS / step_s, g_s * 1e6, (after[0] - before[0]) / STEPS, (after[1] - before[1]) / STEPS,
    (after[2] - before[2]) / STEPS))
gdb.execute("kill", to_string=True)
