#!/usr/bin/python3
"""Connection probes for the network e2e tests, run in the sandbox.

    netprobe.py PROBE...      PROBE: PROTO/HOST/PORT[/TIMEOUT]

PROTO is tcp, udp, or udpb (udp with SO_BROADCAST set); TIMEOUT is in
seconds (default 3).  sha/HOST/PORT/SIZE uploads SIZE pseudo-random bytes to
a progs/testhost_server.py ("sha256 SIZE\n" + the bytes) and compares the
SHA-256 it sends back: RESULT ok:sha256-match, or sha256-mismatch:... (with
how many bytes arrived), or timeout (5 s) or an errno name.

One line per probe: "tcp HOST PORT RESULT SECONDS", RESULT being
  ok:REPLY      TCP: connected, sent "ping\\n" and read the first line back;
                UDP: sendto went out and a reply came (its text)
  timeout       no answer within TIMEOUT (connect, or UDP reply)
  ERRNONAME     the call failed: ECONNREFUSED, ENETUNREACH, ...
SECONDS is how long the connect (TCP) or the sendto and the wait for the
reply (UDP) took.
"""
import errno
import hashlib
import random
import socket
import sys
import time


def errname(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    if e.errno:
        return errno.errorcode.get(e.errno, "errno%d" % e.errno)
    return type(e).__name__


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def tcp(host, port, timeout, _):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(timeout)
    t = time.monotonic()
    try:
        s.connect((host, port))
    except OSError as e:
        return errname(e), time.monotonic() - t
    took = time.monotonic() - t
    try:
        s.sendall(b"ping\n")
        reply = s.makefile("rb").readline().decode().strip()
        return "ok:" + reply, took
    except OSError as e:
        return "connected-then-" + errname(e), took
    finally:
        s.close()


def udp(host, port, timeout, broadcast):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(timeout)
    if broadcast:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    t = time.monotonic()
    try:
        s.sendto(b"ping", (host, port))
        reply, _ = s.recvfrom(4096)
        return "ok:" + reply.decode().strip(), time.monotonic() - t
    except OSError as e:
        return errname(e), time.monotonic() - t
    finally:
        s.close()


def sha(host, port, size):
    data = random.Random(size).randbytes(size)
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.settimeout(5)
    t = time.monotonic()
    try:
        s.connect((host, port))
        s.sendall(b"sha256 %d\n" % size + data)
        reply = s.makefile("rb").readline().decode().split()
    except OSError as e:
        return errname(e), time.monotonic() - t
    finally:
        s.close()
    if reply == [hashlib.sha256(data).hexdigest(), str(size)]:
        return "ok:sha256-match", time.monotonic() - t
    if len(reply) == 2 and reply[1] != str(size):
        return "sha256-mismatch:got-%s-of-%d-bytes" % (reply[1], size), time.monotonic() - t
    return "sha256-mismatch:" + " ".join(reply), time.monotonic() - t


for probe in sys.argv[1:]:
    proto, host, port, *rest = probe.split("/")
    if proto == "sha":
        res, took = sha(host, int(port), int(rest[0]))
        print("%s %s %s %s %.3f" % (proto, host, port, res, took), flush=True)
        continue
    timeout = float(rest[0]) if rest else 3.0
    res, took = (tcp if proto == "tcp" else udp)(host, int(port), timeout,
                                                  proto == "udpb")
    print("%s %s %s %s %.3f" % (proto, host, port, res, took), flush=True)
