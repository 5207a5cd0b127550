#!/usr/bin/env python3
# ctrlc.py - Ctrl-C latency through dbgvisor's stub: a bare remote-protocol client that attaches,
# continues the guest, sends the interrupt byte (0x03) and times the stop reply, ROUNDS times.
# usage: ctrlc.py PORT [ROUNDS]; prints "CTRLC ms MEDIAN MAX N" (milliseconds, wall clock).
import socket
import statistics
import sys
import time

INTERRUPT = b"\x03"
RUN_BEFORE_INTERRUPT = 0.2  # seconds the guest spins before each Ctrl-C
TIMEOUT = 20


def packet(body):
    return b"$%s#%02x" % (body, sum(body) & 0xFF)


class Link:
    def __init__(self, port):
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def reply(self):
        """The next packet's body from the stub (acked); acks and noise before it skipped."""
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                body = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                self.sock.sendall(b"+")
                return body
            data = self.sock.recv(4096)
            if not data:
                raise EOFError("the stub closed the line")
            self.buf += data

    def send(self, body):
        self.sock.sendall(packet(body))


def main():
    port = int(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    link = Link(port)
    link.send(b"?")  # the first packet stops a running guest (attach)
    stop = link.reply()
    if not stop.startswith((b"T", b"S")):
        sys.exit("ctrlc: no stop reply to '?': %r" % stop)
    times = []
    for _ in range(rounds):
        link.send(b"c")
        time.sleep(RUN_BEFORE_INTERRUPT)
        link.buf = b""  # the ack of 'c'
        t0 = time.monotonic()
        link.sock.sendall(INTERRUPT)
        stop = link.reply()
        while stop.startswith(b"O"):  # console output (a notice), not the stop
            stop = link.reply()
        times.append((time.monotonic() - t0) * 1000)
        if not stop.startswith((b"T", b"S")):
            sys.exit("ctrlc: not a stop reply after Ctrl-C: %r" % stop)
    print("CTRLC ms %.2f %.2f %d" % (statistics.median(times), max(times), rounds))


if __name__ == "__main__":
    main()
