# gdb_bench.py - sourced by gdb: stepi rate and 'g' round trip of whichever stub gdb talks to.
# Stops at gdb_marker first, so both stubs are measured on the same guest code.
import time

import gdb

STEPS = 1000
G_PACKETS = 300

gdb.execute("hbreak gdb_marker", to_string=True)
gdb.execute("continue", to_string=True)
gdb.execute("delete", to_string=True)
start = time.monotonic()
gdb.execute("stepi %d" % STEPS, to_string=True)
step_s = time.monotonic() - start
start = time.monotonic()
for _ in range(G_PACKETS):
    gdb.execute("maint packet g", to_string=True)
g_s = (time.monotonic() - start) / G_PACKETS
print("BENCH stepi/s %.0f g-rtt-us %.0f" % (STEPS / step_s, g_s * 1e6))
gdb.execute("kill", to_string=True)
