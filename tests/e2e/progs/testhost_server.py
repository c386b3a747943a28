#!/usr/bin/python3
"""A test host's server for the network e2e tests (tests/e2e/netns.sh).

    testhost_server.py PORT STATEFILE NAME [ADDR]

Listens on PORT, TCP and UDP, IPv4 and IPv6 (one dual-stack socket each;
only on ADDR if given, e.g. 127.0.0.1 for a server on the host's own
loopback), and counts what arrives: every accepted TCP connection and every UDP
datagram.  STATEFILE always holds "tcp N udp M" (rewritten atomically after
each event; written first once both sockets are bound, which is how the
caller knows it is ready).

A TCP client that sends an HTTP request gets "HTTP/1.0 200 OK" with the body
"testhost NAME from PEER\n"; any other line gets "hello NAME from PEER\n"
back (PEER: the client's address as the server sees it, IPv4-mapped
addresses shown as IPv4); "sha256 N\n" followed by N bytes gets the
SHA-256 of those bytes back, in hex, and how many came (an upload check; if
they stop coming for 3 s, of what came so far).  A datagram gets "udp NAME " + its own bytes back,
to its sender.
"""
import hashlib
import os
import selectors
import socket
import sys
import threading

port, state, name = int(sys.argv[1]), sys.argv[2], sys.argv[3]
addr = sys.argv[4] if len(sys.argv) > 4 else "::"
counts = {"tcp": 0, "udp": 0}
lock = threading.Lock()


def save():
    tmp = state + ".tmp"
    with open(tmp, "w") as f:
        f.write("tcp %d udp %d\n" % (counts["tcp"], counts["udp"]))
    os.replace(tmp, state)


def bump(what):
    with lock:
        counts[what] += 1
        save()


def peer_of(conn):
    host = conn.getpeername()[0]
    return host[7:] if host.startswith("::ffff:") else host


def serve(conn):
    conn.settimeout(3)
    data = b""
    try:
        while b"\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
        if data.startswith(b"GET ") or data.startswith(b"HEAD "):
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = conn.recv(4096)
                if not chunk:
                    break
                data += chunk
            body = ("testhost %s from %s\n" % (name, peer_of(conn))).encode()
            conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
                         b"Content-Length: %d\r\n\r\n" % len(body) + body)
        elif data.startswith(b"sha256 "):
            line, _, rest = data.partition(b"\n")
            want = int(line.split()[1])
            got = len(rest)
            h = hashlib.sha256(rest)
            try:
                while got < want:
                    chunk = conn.recv(min(want - got, 1 << 16))
                    if not chunk:
                        break
                    h.update(chunk)
                    got += len(chunk)
            except socket.timeout:
                pass
            conn.sendall(("%s %d\n" % (h.hexdigest(), got)).encode())
        elif data:
            conn.sendall(("hello %s from %s\n" % (name, peer_of(conn))).encode())
    except OSError:
        pass
    finally:
        conn.close()


def dual(kind):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if addr == "::":
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind((addr, port))
    return s


tcp = dual(socket.SOCK_STREAM)
tcp.listen(64)
udp = dual(socket.SOCK_DGRAM)
with lock:
    save()

sel = selectors.DefaultSelector()
sel.register(tcp, selectors.EVENT_READ)
sel.register(udp, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is tcp:
            conn, _ = tcp.accept()
            bump("tcp")
            threading.Thread(target=serve, args=(conn,), daemon=True).start()
        else:
            data, peer = udp.recvfrom(65536)
            bump("udp")
            udp.sendto(("udp %s " % name).encode() + data, peer)
