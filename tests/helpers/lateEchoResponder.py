#!/usr/bin/env python3
"""A late ICMP echo responder for tests: answers every IPv4 echo request after DELAY_MS milliseconds.

Usage (as root, inside a test network namespace):
    ip netns exec NS sysctl -w net.ipv4.icmp_echo_ignore_all=1   # else the kernel answers first
    ip netns exec NS python3 lateEchoResponder.py DELAY_MS

It opens a raw ICMP socket, prints "ready" on stdout once the socket is open, and from then on answers each echo
request (type 8) received in the namespace with an echo reply (type 0, same identifier, sequence and payload)
DELAY_MS after it arrived, so ping measures DELAY_MS plus the link's own time. Several requests may be waiting at
once (a request every 10 ms, a delay of 30 ms); each is answered on its own schedule.

It exits with 0 on SIGTERM or SIGINT, and also when its stdin reaches end of file, so that it never outlives the
test process that started it with a pipe on stdin (even if that process crashes).
"""
import heapq
import os
import select
import signal
import socket
import struct
import sys
import time


def checksum(data: bytes) -> int:
    """The Internet checksum (RFC 1071) of data."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def echo_reply(request: bytes) -> bytes:
    """The echo reply to an ICMP echo request message (without IP header): type 0, checksum recomputed."""
    body = b"\x00\x00\x00\x00" + request[4:]
    return body[:2] + struct.pack("!H", checksum(body)) + body[4:]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: lateEchoResponder.py DELAY_MS", file=sys.stderr)
        return 2
    try:
        delay_s = float(sys.argv[1]) / 1000
    except ValueError:
        delay_s = -1.0
    if not 0 <= delay_s <= 60:
        print(f"lateEchoResponder: DELAY_MS must be a number from 0 to 60000, not {sys.argv[1]!r}", file=sys.stderr)
        return 2

    def stop(_signum, _frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setblocking(False)
    stdin_fd = sys.stdin.fileno()
    print("ready", flush=True)

    # Replies waiting for their time: (due on the monotonic clock, arrival order, reply message, destination).
    pending: list[tuple[float, int, bytes, str]] = []
    arrivals = 0
    while True:
        timeout = max(0.0, pending[0][0] - time.monotonic()) if pending else None
        readable, _, _ = select.select([sock, stdin_fd], [], [], timeout)
        if stdin_fd in readable and os.read(stdin_fd, 4096) == b"":
            return 0
        if sock in readable:
            while True:
                try:
                    packet, (source, _) = sock.recvfrom(65535)
                except BlockingIOError:
                    break
                header_bytes = (packet[0] & 0x0F) * 4
                message = packet[header_bytes:]
                if len(message) >= 8 and message[0] == 8 and message[1] == 0:
                    arrivals += 1
                    heapq.heappush(pending, (time.monotonic() + delay_s, arrivals, echo_reply(message), source))
        now = time.monotonic()
        while pending and pending[0][0] <= now:
            _, _, reply, destination = heapq.heappop(pending)
            try:
                sock.sendto(reply, (destination, 0))
            except OSError as err:
                # A link taken down mid-test: that reply is lost, like any other on a dead link.
                print(f"lateEchoResponder: reply to {destination} not sent: {err}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
