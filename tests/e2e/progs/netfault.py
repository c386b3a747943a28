#!/usr/bin/python3
"""The guest side of tests/e2e/t_faults_net.sh.

    netfault.py HOST PORT FLAGFILE

Opens a TCP connection to HOST:PORT (a test host's server, kept open by an
upload it announces), listens on 127.0.0.1:9000 and on port 9001 (published
by the test, answering "pong"), prints "ready", and waits for FLAGFILE (the
test kills the egress proxy and the port forwarder first).  Then it prints
what the guest sees: the error of the open connection's next sends, of a
new connection to HOST:PORT, and whether loopback still works.  Every wait
is bounded (10 s)."""
import errno
import os
import socket
import sys
import threading
import time

host, port, flag = sys.argv[1], int(sys.argv[2]), sys.argv[3]


def name(e):
    return errno.errorcode.get(e.errno, str(e)) if isinstance(e, OSError) and e.errno else repr(e)


def pong(srv):
    while True:
        c, _ = srv.accept()
        c.sendall(b"pong\n")
        c.close()


c = socket.create_connection((host, port), timeout=10)
c.sendall(b"sha256 1000000000\n" + b"x" * 1000)
lo = socket.socket()
lo.bind(("127.0.0.1", 9000))
lo.listen(4)
pub = socket.socket()
pub.bind(("0.0.0.0", 9001))
pub.listen(4)
threading.Thread(target=pong, args=(pub,), daemon=True).start()
print("ready", flush=True)

end = time.time() + 20
while not os.path.exists(flag) and time.time() < end:
    time.sleep(0.05)

what = "still works after 10 s"
end = time.time() + 10
try:
    while time.time() < end:
        c.sendall(b"x" * 1000)
        time.sleep(0.02)
except OSError as e:
    what = name(e)
print("existing connection:", what, flush=True)

try:
    socket.create_connection((host, port), timeout=10).close()
    print("new connection: connected", flush=True)
except OSError as e:
    print("new connection:", name(e), flush=True)

a = socket.create_connection(("127.0.0.1", 9000), timeout=10)
b, _ = lo.accept()
a.sendall(b"over loopback")
print("loopback:", b.recv(100).decode(), flush=True)
