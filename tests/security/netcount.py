#!/usr/bin/python3
"""The network area's listeners (tests/security/run.sh): count what arrives.

    netcount.py STATEFILE NAME SPEC...

SPEC is one of
    tcp:PORT  udp:PORT        on every address (dual-stack ::, IPv6 only
                              if the host has no IPv4... always both here)
    unix:PATH  useq:PATH  udgram:PATH      a unix socket at PATH
    abstract:NAME  aseq:NAME  adgram:NAME  the same in the abstract namespace

Every accepted connection and every datagram counts one for its SPEC.
STATEFILE holds one line "SPEC N" per SPEC, rewritten atomically after
each event and first written once everything is bound (which is how the
caller knows the listeners are ready).  A TCP or stream connection gets
"hello NAME\\n" at once; a datagram gets "udp NAME " + its bytes back, so a
guest that reached a listener can tell.
"""
import os
import selectors
import socket
import sys

state, name, specs = sys.argv[1], sys.argv[2], sys.argv[3:]
counts = {s: 0 for s in specs}


def save():
    tmp = state + ".tmp"
    with open(tmp, "w") as f:
        for s in specs:
            f.write("%s %d\n" % (s, counts[s]))
    os.replace(tmp, state)


def open_spec(spec):
    kind, _, arg = spec.partition(":")
    if kind in ("tcp", "udp"):
        s = socket.socket(socket.AF_INET6,
                          socket.SOCK_STREAM if kind == "tcp" else socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        s.bind(("::", int(arg)))
        stream = kind == "tcp"
    else:
        types = {"unix": socket.SOCK_STREAM, "useq": socket.SOCK_SEQPACKET,
                 "udgram": socket.SOCK_DGRAM, "abstract": socket.SOCK_STREAM,
                 "aseq": socket.SOCK_SEQPACKET, "adgram": socket.SOCK_DGRAM}
        s = socket.socket(socket.AF_UNIX, types[kind])
        s.bind("\0" + arg if kind.startswith("a") else arg)
        stream = types[kind] != socket.SOCK_DGRAM
    if stream:
        s.listen(64)
    return s, stream


sel = selectors.DefaultSelector()
for spec in specs:
    sock, stream = open_spec(spec)
    sel.register(sock, selectors.EVENT_READ, (spec, stream))
save()
while True:
    for key, _ in sel.select():
        spec, stream = key.data
        try:
            if stream:
                conn, _ = key.fileobj.accept()
                counts[spec] += 1
                save()
                try:
                    conn.send(("hello %s\n" % name).encode())
                except OSError:
                    pass
                conn.close()
            else:
                data, peer = key.fileobj.recvfrom(65536)
                counts[spec] += 1
                save()
                if peer:
                    key.fileobj.sendto(("udp %s " % name).encode() + data, peer)
        except OSError:
            pass
