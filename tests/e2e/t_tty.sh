#!/bin/bash
# `sentry run -t`: an interactive bash on the sandbox's pseudo-terminal,
# driven through a pty this test makes (python3's pty module) the way a
# person at a terminal would: prompt and echo, line editing, ^C interrupting
# `sleep 100` (the shell survives, $? is 130), ^Z and fg, a window resize
# seen by stty and tput, exit; then the caller's terminal settings must be
# what they were before (stty -g), also after the sentry inside was killed.
# Without -t, a terminal on stdin is enough (the fds that are not the
# terminal stay what they are); with stdin not a terminal the guest has no
# terminal at all (/dev/tty is ENXIO), unless -t gives it one anyway.
. "$(dirname -- "$0")/lib.sh"
T=$E2E_TMP

if ! command -v python3 >/dev/null || [ ! -x /bin/bash ]; then
	fail "python3 and /bin/bash are needed on the host"
	exit 1
fi

cat >"$T/drive.py" <<'EOF'
import errno, fcntl, os, re, select, signal, struct, subprocess, sys, termios, time

sentry = sys.argv[1]
results = []

def check(desc, ok, detail=""):
    results.append((desc, ok, detail))

def stty_g(fd):
    return subprocess.run(["stty", "-g"], stdin=fd, capture_output=True, text=True).stdout.strip()

def spawn(argv, rows=24, cols=80):
    """argv on a new pty, as the leader of a session it controls; also the
    pty's settings before anything ran on it."""
    m, s = os.openpty()
    fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    saved = (stty_g(s), termios.tcgetattr(s))
    pid = os.fork()
    if pid == 0:
        os.close(m)
        os.setsid()
        fcntl.ioctl(s, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(s, fd)
        if s > 2:
            os.close(s)
        env = dict(os.environ, PS1="PROMPT> ", TERM="xterm", HISTFILE="/dev/null")
        os.execve(argv[0], argv, env)
    return pid, m, s, saved

class Term:
    def __init__(self, m):
        self.m, self.buf = m, b""

    def expect(self, pattern, timeout=10):
        """Reads until pattern (bytes regex) matches what came since the last
        match; returns the text up to the match's end, or None."""
        end = time.time() + timeout
        rx = re.compile(pattern, re.S)
        while True:
            hit = rx.search(self.buf)
            if hit:
                text, self.buf = self.buf[:hit.end()], self.buf[hit.end():]
                return text
            left = end - time.time()
            if left <= 0:
                return None
            r, _, _ = select.select([self.m], [], [], left)
            if not r:
                continue
            try:
                data = os.read(self.m, 4096)
            except OSError as e:
                if e.errno != errno.EIO:
                    raise
                data = b""
            if not data:
                hit = rx.search(self.buf)
                return None if not hit else self.expect(pattern, 0)
            self.buf += data

    def send(self, data):
        os.write(self.m, data)

def waitpid_timeout(pid, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        r, st = os.waitpid(pid, os.WNOHANG)
        if r == pid:
            return st
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return os.waitpid(pid, 0)[1]

PROMPT = rb"PROMPT> "

# --- an interactive shell ------------------------------------------------------
pid, m, s, (before, attrs_before) = spawn([sentry, "run", "-t", "--", "/bin/bash", "--norc",
                                           "--noprofile", "-i"])
t = Term(m)
check("bash prints its prompt", t.expect(PROMPT) is not None)

t.send(b"echo hello $((6*7))\r")
out = t.expect(PROMPT)
check("typed text is echoed", out is not None and b"echo hello $((6*7))" in out, repr(out))
check("the command's output comes back", out is not None and b"\rhello 42\r\n" in out, repr(out))

# The sentry's terminal is the caller's in raw mode, the guest's is a pty.
while_running = termios.tcgetattr(s)
check("the caller's terminal is raw while the sandbox runs",
      not (while_running[3] & (termios.ICANON | termios.ECHO | termios.ISIG)), str(while_running[3]))
t.send(b"tty; readlink /proc/self/fd/2; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo all-terminals\r")
out = t.expect(PROMPT)
check("stdin, stdout and stderr are /dev/pts/0",
      out is not None and b"/dev/pts/0\r\n/dev/pts/0\r\n" in out and b"all-terminals" in out, repr(out))

# Line editing (readline): DEL erases the character before the cursor,
# ^A goes to the start of the line.
t.send(b"echo abX\x7fc\r")
out = t.expect(PROMPT)
check("DEL erases a typed character", out is not None and b"\rabc\r\n" in out, repr(out))
t.send(b"cho edited\x01e\r")
out = t.expect(PROMPT)
check("^A moves to the start of the line", out is not None and b"\redited\r\n" in out, repr(out))

# ^C interrupts the foreground job, not the shell.
t.send(b"sleep 100\r")
time.sleep(0.5)
t0 = time.time()
t.send(b"\x03")
out = t.expect(PROMPT, 10)
check("^C interrupts sleep 100 and the shell prompts again", out is not None and time.time() - t0 < 5,
      repr(out))
t.send(b"echo status=$?\r")
out = t.expect(PROMPT)
check("$? after ^C is 130", out is not None and b"status=130" in out, repr(out))

# ^Z stops the job, fg continues it in the foreground.
t.send(b"sleep 100\r")
time.sleep(0.5)
t.send(b"\x1a")
out = t.expect(PROMPT, 10)
check("^Z stops sleep 100", out is not None and b"Stopped" in out, repr(out))
t.send(b"jobs\r")
out = t.expect(PROMPT)
check("jobs lists it as stopped", out is not None and re.search(rb"\[1\]\+ +Stopped +sleep 100", out),
      repr(out))
t.send(b"fg\r")
out = t.expect(rb"sleep 100\r\n", 10)
check("fg brings it back", out is not None, repr(t.buf))
time.sleep(0.3)
t.send(b"\x03")
out = t.expect(PROMPT, 10)
check("...in the foreground, where ^C ends it", out is not None, repr(t.buf))
t.send(b"echo status=$?\r")
out = t.expect(PROMPT)
check("$? is 130 again", out is not None and b"status=130" in out, repr(out))

# The window grows: the outer sentry gets SIGWINCH, the guest sees the size.
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
os.kill(pid, signal.SIGWINCH)
time.sleep(0.5)
t.send(b"stty size; tput cols; tput lines\r")
out = t.expect(rb"[\r\n]40 120\r\n120\r\n40\r\n", 10)   # readline redraws on SIGWINCH first
check("stty size and tput see the new window size", out is not None, repr(t.buf))
t.expect(PROMPT)
t.send(b"trap 'echo got-winch' WINCH\r")
t.expect(PROMPT)
fcntl.ioctl(m, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
os.kill(pid, signal.SIGWINCH)
out = t.expect(rb"got-winch", 5)
check("a resize reaches the guest as SIGWINCH", out is not None, repr(t.buf))
t.send(b"\r")
t.expect(PROMPT)

t.send(b"exit\r")
st = waitpid_timeout(pid)
check("exit ends the run with status 0", os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, str(st))
check("the caller's terminal settings are restored (stty -g)", stty_g(s) == before,
      before + " / " + stty_g(s))
check("...every termios field", termios.tcgetattr(s) == attrs_before)
os.close(m)
os.close(s)

# --- the same when the sentry inside is killed ----------------------------------
pid, m, s, (before, _) = spawn([sentry, "run", "-t", "--", "/bin/sh", "-c", "echo ready; sleep 100"])
t = Term(m)
check("a second run starts", t.expect(rb"ready\r\n") is not None, repr(t.buf))
inner = None
try:
    with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
        kids = f.read().split()
    inner = int(kids[0]) if kids else None
except OSError:
    pass
check("the sentry inside is found", inner is not None)
if inner:
    os.kill(inner, signal.SIGKILL)
    st = waitpid_timeout(pid)
    check("the run ends with 137 when the sentry is killed",
          os.WIFEXITED(st) and os.WEXITSTATUS(st) == 137, str(st))
    check("the caller's terminal is restored even then", stty_g(s) == before,
          before + " / " + stty_g(s))
else:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
os.close(m)
os.close(s)

# --- without -t: stdin a terminal is enough; fds that are not stay as they are ---
outfile = sys.argv[2]
pid, m, s, (before, _) = spawn(["/bin/sh", "-c", 'exec "$0" run -- /bin/sh -c "tty; echo err >&2" >"$1"',
                                sentry, outfile])
t = Term(m)
out = t.expect(rb"err\r\n", 10)
check("without -t, on a terminal: stderr is the pty (ONLCR)", out is not None, repr(t.buf))
st = waitpid_timeout(pid)
check("...the run ends with status 0", os.WIFEXITED(st) and os.WEXITSTATUS(st) == 0, str(st))
with open(outfile, "rb") as f:
    data = f.read()
check("...stdout redirected to a file stays that file, stdin is the pty",
      data == b"/dev/pts/0\n", repr(data))
check("...and the terminal is restored", stty_g(s) == before, before + " / " + stty_g(s))
os.close(m)
os.close(s)

for desc, ok, detail in results:
    print(("PASS" if ok else "FAIL") + "\t" + desc + "\t" + detail.replace("\n", "\\n"))
EOF

timeout -k 1 50 python3 "$T/drive.py" "$SENTRY" "$T/auto.out" >"$T/results" 2>"$T/err"
rc=$?
if [ $rc -ne 0 ]; then
	fail "the driver ran to its end (exit $rc)" "$(tail -20 "$T/err")"
fi
while IFS=$'\t' read -r verdict desc detail; do
	if [ "$verdict" = PASS ]; then
		pass "$desc"
	else
		fail "$desc" "$detail"
	fi
done <"$T/results"

# Without -t, and with stdin not a terminal: no terminal in the sandbox.
capture bbrun -- /bin/sh -c 'cat /dev/tty; echo "rc=$?"; ls /dev/pts' </dev/null
expect_match "no controlling terminal without -t: /dev/tty is ENXIO" \
	"rc=1" "$OUT"
expect_match "  ...and /dev/pts has only ptmx" "^ptmx$" "$OUT"
expect_nomatch "  ...and no pty" "^0$" "$OUT"
# -t with stdin not a terminal: the guest gets a pty anyway; the end of
# the input is an end of file on it.
capture bbrun -t -- /bin/sh -c 'tty; cat; echo done' < <(printf 'line\n')
expect_eq "-t without a terminal: a pty, input echoed, read by cat, then an end of file" \
	$'line\r\n/dev/pts/0\r\nline\r\ndone\r' "$OUT"
expect_eq "  ...exit status 0" 0 "$RC"
