#!/usr/bin/python3
# ptyrun.py CMD...: CMD with a new terminal as its stdin, stdout and stderr
# (`ctr run -t`, `podman run -t` want one); prints what it writes there as
# it comes, CRs dropped; exits with CMD's status (128+N: killed by signal N).
# With PTY_INPUT set, types that once PTY_WAIT has been printed.
import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out, typed = b'', False
want = os.environ.get('PTY_WAIT', '').encode()
text = os.environ.get('PTY_INPUT', '').encode()
while True:
    try:
        d = os.read(fd, 4096)
    except OSError:
        break
    if not d:
        break
    out += d
    sys.stdout.buffer.write(d.replace(b'\r', b''))
    sys.stdout.flush()
    if text and not typed and want in out:
        os.write(fd, text)
        typed = True
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st))
