"""A Python program exercising threads, processes, sockets, files and signals.

Run as `python3 python_prog.py SECTION` by t_prog_python.sh, natively and in
the sentry; its output must not depend on pids, times or where it runs
(scratch files go to a tempfile directory /tmp/prog-XXXXXXXX, normalised by
the test).
"""
import asyncio
import concurrent.futures
import multiprocessing
import os
import shutil
import signal
import stat
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time


def scratch():
    # mkdtemp's own names are /tmp/tmpXXXXXXXX; the test normalises
    # /tmp/prog-XXXXXXXX.
    return tempfile.mkdtemp(prefix="prog-", dir="/tmp")


def chunk_sum(bounds):
    lo, hi = bounds
    return sum(i * i for i in range(lo, hi))


def square(x):
    return x * x


def whoami(_):
    return os.getpid() != os.getppid()


def section_threads():
    chunks = [(i * 10000, (i + 1) * 10000) for i in range(16)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        total = sum(ex.map(chunk_sum, chunks))
    print("threadpool sum of squares:", total, total == chunk_sum((0, 160000)))
    # A shared counter under a lock, from plain threads.
    counter = 0
    lock = threading.Lock()

    def bump(n):
        nonlocal counter
        for _ in range(n):
            with lock:
                counter += 1

    threads = [threading.Thread(target=bump, args=(5000,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("locked counter:", counter)
    # Condition variable ping-pong, an Event, a Barrier, a Queue.
    cond = threading.Condition()
    turn = ["ping"]
    log = []

    def player(me, other):
        for _ in range(50):
            with cond:
                while turn[0] != me:
                    cond.wait()
                log.append(me)
                turn[0] = other
                cond.notify_all()

    a = threading.Thread(target=player, args=("ping", "pong"))
    b = threading.Thread(target=player, args=("pong", "ping"))
    a.start()
    b.start()
    a.join()
    b.join()
    print("ping-pong:", len(log), log[:4], all(log[i] != log[i + 1] for i in range(len(log) - 1)))
    ev = threading.Event()
    threading.Timer(0.05, ev.set).start()
    print("event set by a timer:", ev.wait(5))
    print("event wait timeout:", threading.Event().wait(0.05))
    barrier = threading.Barrier(4)
    ids = []

    def at_barrier(i):
        barrier.wait()
        ids.append(i)

    ts = [threading.Thread(target=at_barrier, args=(i,)) for i in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    print("barrier passed by:", sorted(ids))
    import queue
    q = queue.Queue()
    results = []

    def consumer():
        while (item := q.get()) is not None:
            results.append(item * 2)

    c = threading.Thread(target=consumer)
    c.start()
    for i in range(100):
        q.put(i)
    q.put(None)
    c.join()
    print("queue:", sum(results))
    print("thread ids distinct:", len({threading.get_native_id()} | {
        ex_id for ex_id in concurrent.futures.ThreadPoolExecutor(2).map(
            lambda _: threading.get_native_id(), range(2))}) >= 2)


def section_subprocess():
    r = subprocess.run(["sort"], input="pear\napple\nfig\n", capture_output=True, text=True)
    print("sort:", r.returncode, r.stdout.split())
    r = subprocess.run(["sh", "-c", "echo out; echo err >&2; exit 3"], capture_output=True, text=True)
    print("sh:", r.returncode, repr(r.stdout), repr(r.stderr))
    p1 = subprocess.Popen(["seq", "1", "1000"], stdout=subprocess.PIPE)
    p2 = subprocess.Popen(["wc", "-l"], stdin=p1.stdout, stdout=subprocess.PIPE, text=True)
    p1.stdout.close()
    out, _ = p2.communicate()
    print("seq | wc -l:", out.strip(), p1.wait(), p2.returncode)
    r = subprocess.run(["cat"], input=b"x" * 1000000, capture_output=True)
    print("1 MB through cat:", len(r.stdout))
    try:
        subprocess.run(["sleep", "5"], timeout=0.2)
    except subprocess.TimeoutExpired:
        print("sleep 5: timed out after 0.2 s")
    try:
        subprocess.run(["/nonexistent-prog"])
    except FileNotFoundError as e:
        print("missing program:", e.errno, e.strerror)
    r = subprocess.run(["sh", "-c", "kill -TERM $$"])
    print("killed child:", r.returncode)
    print("check_output:", subprocess.check_output("echo $((6 * 7))", shell=True, text=True).strip())
    env = {"PATH": os.environ["PATH"], "ONLY": "this"}
    print("env:", subprocess.run(["env"], env=env, capture_output=True, text=True).stdout.split())
    print("cwd:", subprocess.run(["pwd"], cwd="/usr/share", capture_output=True, text=True).stdout.strip())
    r = subprocess.run(["sh", "-c", "exec 3<&0; cat <&3"], input=b"via fd 3", capture_output=True)
    print("pass_fds/stdin:", r.stdout)
    rd, wr = os.pipe()
    p = subprocess.Popen(["sh", "-c", f"echo passed fd >&{wr}"], pass_fds=(wr,))
    os.close(wr)
    p.wait()
    print("pass_fds:", os.read(rd, 100))
    os.close(rd)


def pool_section(method):
    ctx = multiprocessing.get_context(method)
    with ctx.Pool(4) as pool:
        print(method, "pool map:", sum(pool.map(square, range(1000))))
        print(method, "pool workers are children:", all(pool.map(whoami, range(8))))
        print(method, "apply_async:", pool.apply_async(square, (12,)).get(timeout=10))
        print(method, "imap_unordered:", sorted(pool.imap_unordered(square, range(10))))
    q = ctx.Queue()
    p = ctx.Process(target=put_result, args=(q, 21))
    p.start()
    print(method, "process via queue:", q.get(timeout=10))
    p.join()
    print(method, "process exit code:", p.exitcode)
    p = ctx.Process(target=os._exit, args=(7,))
    p.start()
    p.join()
    print(method, "exit code 7:", p.exitcode)
    a, b = ctx.Pipe()
    p = ctx.Process(target=echo_pipe, args=(b,))
    p.start()
    a.send({"n": 1, "list": [1, 2, 3]})
    print(method, "pipe round trip:", a.recv())
    p.join()
    v = ctx.Value("i", 0)
    ps = [ctx.Process(target=add_shared, args=(v, 100)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    print(method, "shared value:", v.value)


def put_result(q, x):
    q.put(x * 2)


def echo_pipe(conn):
    conn.send(conn.recv())


def add_shared(v, n):
    for _ in range(n):
        with v.get_lock():
            v.value += 1


def section_mp_fork():
    pool_section("fork")


def section_mp_spawn():
    pool_section("spawn")


async def unix_main(path):
    async def handle(reader, writer):
        while line := await reader.readline():
            writer.write(line.upper())
            await writer.drain()
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_unix_server(handle, path=path, limit=1 << 20)
    print("socket file:", os.path.basename(path), stat.S_ISSOCK(os.stat(path).st_mode))

    async def client(i):
        reader, writer = await asyncio.open_unix_connection(path)
        out = []
        for j in range(3):
            writer.write(f"client {i} line {j}\n".encode())
            await writer.drain()
            out.append((await reader.readline()).decode().strip())
        writer.write_eof()
        rest = await reader.read()
        writer.close()
        await writer.wait_closed()
        return out, rest

    results = await asyncio.gather(*(client(i) for i in range(5)))
    for out, rest in results:
        print(out, rest)
    big_r, big_w = await asyncio.open_unix_connection(path, limit=1 << 20)
    big_w.write(b"a" * 300000 + b"\n")
    got = await big_r.readexactly(300001)
    print("300 kB line echoed:", len(got), got[:3])
    big_w.close()
    await big_w.wait_closed()
    server.close()
    await server.wait_closed()
    # Timers and a subprocess through the event loop.
    t0 = time.monotonic()
    await asyncio.sleep(0.05)
    print("asyncio.sleep waited:", time.monotonic() - t0 >= 0.05)
    proc = await asyncio.create_subprocess_exec("echo", "from a child", stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    print("asyncio subprocess:", out, proc.returncode)
    try:
        await asyncio.wait_for(asyncio.sleep(5), 0.05)
    except asyncio.TimeoutError:
        print("wait_for timed out")


def section_asyncio():
    d = scratch()
    try:
        asyncio.run(unix_main(os.path.join(d, "echo.sock")))
    finally:
        shutil.rmtree(d)


def section_sqlite():
    d = scratch()
    path = os.path.join(d, "test.db")
    con = sqlite3.connect(path)
    con.execute("create table t (id integer primary key, name text, v real)")
    with con:
        con.executemany("insert into t (name, v) values (?, ?)",
                        ((f"name{i % 37}", i * 0.5) for i in range(1000)))
    print("count:", con.execute("select count(*), sum(v), max(id) from t").fetchone())
    print("group:", con.execute(
        "select name, count(*) from t group by name order by name limit 3").fetchall())
    con.execute("create index t_name on t(name)")
    print("indexed:", con.execute("select count(*) from t where name = 'name5'").fetchone())
    # A rolled-back transaction leaves nothing.
    try:
        with con:
            con.execute("delete from t")
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    print("after rollback:", con.execute("select count(*) from t").fetchone())
    con.close()
    # Another connection, in WAL mode, and a second process reading.
    con = sqlite3.connect(path)
    print("wal:", con.execute("pragma journal_mode=wal").fetchone())
    with con:
        con.execute("update t set v = v + 1 where id <= 10")
    out = subprocess.run([sys.executable, "-c",
                          "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                          "print(c.execute('select sum(v) from t where id <= 10').fetchone())", path],
                         capture_output=True, text=True)
    print("read by another process:", out.stdout.strip(), out.stderr.strip())
    con.close()
    print("integrity:", sqlite3.connect(path).execute("pragma integrity_check").fetchone())
    print("files:", sorted(f for f in os.listdir(d) if not f.endswith("-shm") and not f.endswith("-wal")))
    shutil.rmtree(d)


def section_files():
    with tempfile.TemporaryDirectory(prefix="prog-", dir="/tmp") as d:
        print("TemporaryDirectory exists:", os.path.isdir(d), oct(os.stat(d).st_mode & 0o777))
        with tempfile.NamedTemporaryFile("w+", dir=d, suffix=".txt") as f:
            f.write("hello\n")
            f.flush()
            f.seek(0)
            print("NamedTemporaryFile:", f.read().strip(), os.path.exists(f.name), f.name.endswith(".txt"))
        print("deleted on close:", not os.path.exists(f.name))
        fd, name = tempfile.mkstemp(dir=d)
        os.write(fd, b"mkstemp")
        os.close(fd)
        print("mkstemp:", oct(os.stat(name).st_mode & 0o777), open(name).read())
        os.unlink(name)
        with tempfile.TemporaryFile() as tf:
            tf.write(b"anonymous")
            tf.seek(0)
            print("TemporaryFile:", tf.read())
        with tempfile.SpooledTemporaryFile(max_size=10) as sf:
            sf.write(b"x" * 100)
            print("SpooledTemporaryFile rolled over:", sf._rolled)
        src = os.path.join(d, "src")
        os.makedirs(os.path.join(src, "a", "b"))
        for i, p in enumerate(["f1", "a/f2", "a/b/f3"]):
            with open(os.path.join(src, p), "w") as f:
                f.write(str(i) * (i * 1000 + 1))
        os.chmod(os.path.join(src, "a", "f2"), 0o600)
        for i, p in enumerate(["f1", "a/f2", "a/b/f3"]):
            os.utime(os.path.join(src, p), (1000000000 + i, 1000000000 + i))
        os.symlink("f1", os.path.join(src, "link"))
        dst = os.path.join(d, "dst")
        shutil.copytree(src, dst, symlinks=True)

        def listing(root):
            out = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames.sort()
                for n in sorted(dirnames + filenames):
                    p = os.path.join(dirpath, n)
                    st = os.lstat(p)
                    out.append((os.path.relpath(p, root), oct(st.st_mode), st.st_size if not os.path.isdir(p) else 0,
                                int(st.st_mtime) if os.path.isfile(p) and not os.path.islink(p) else 0,
                                os.readlink(p) if os.path.islink(p) else ""))
            return out

        ls = listing(dst)
        for e in ls:
            print("copytree:", e)
        print("copytree same as source:", ls == listing(src))
        shutil.copy2(os.path.join(src, "f1"), os.path.join(d, "f1copy"))
        print("copy2 kept mtime:", os.stat(os.path.join(d, "f1copy")).st_mtime == 1000000000)
        shutil.move(dst, os.path.join(d, "moved"))
        print("moved:", sorted(os.listdir(d)))
        shutil.rmtree(os.path.join(d, "moved"))
        shutil.rmtree(src)
        print("after rmtree:", sorted(os.listdir(d)))
        print("disk_usage works:", shutil.disk_usage(d).total > 0)
        print("which sh:", shutil.which("sh"))
        arch = shutil.make_archive(os.path.join(d, "arch"), "gztar", root_dir="/usr/share/common-licenses",
                                   base_dir=".")
        shutil.unpack_archive(arch, os.path.join(d, "unpacked"))
        print("archive round trip:", sorted(os.listdir(os.path.join(d, "unpacked")))[:3])
    print("TemporaryDirectory removed:", not os.path.exists(d))


def section_signals():
    fired = []

    class Alarm(Exception):
        pass

    def on_alarm(signum, frame):
        fired.append(signum)
        raise Alarm()

    signal.signal(signal.SIGALRM, on_alarm)
    t0 = time.monotonic()
    signal.alarm(1)
    try:
        time.sleep(3)
        print("sleep was not interrupted")
    except Alarm:
        print("alarm(1) interrupted sleep(3) after ~1 s:", 0.9 <= time.monotonic() - t0 < 2.5, fired)
    print("alarm(0) with none pending:", signal.alarm(0))
    signal.alarm(100)
    print("alarm(0) cancels, returns the seconds left:", 98 <= signal.alarm(0) <= 100)
    # A handler that returns: sleep goes on (PEP 475) and finishes.
    ticks = []
    signal.signal(signal.SIGALRM, lambda s, f: ticks.append(s))
    signal.setitimer(signal.ITIMER_REAL, 0.05, 0.05)
    time.sleep(0.3)
    signal.setitimer(signal.ITIMER_REAL, 0)
    print("interval timer ticked several times:", len(ticks) >= 3)
    # Signals to ourselves, blocked and pending, sigwait, SIGCHLD.
    got = []
    signal.signal(signal.SIGUSR1, lambda s, f: got.append("usr1"))
    os.kill(os.getpid(), signal.SIGUSR1)
    print("kill self USR1:", got)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR2})
    os.kill(os.getpid(), signal.SIGUSR2)
    print("pending:", signal.sigpending() == {signal.SIGUSR2})
    print("sigwait:", signal.sigwait({signal.SIGUSR2}) == signal.SIGUSR2)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR2})
    chld = []
    signal.signal(signal.SIGCHLD, lambda s, f: chld.append(s))
    subprocess.run(["true"])
    time.sleep(0.05)
    print("SIGCHLD on child exit:", len(chld) >= 1)
    r, w = os.pipe()
    os.set_blocking(w, False)
    signal.set_wakeup_fd(w)
    os.kill(os.getpid(), signal.SIGUSR1)
    print("wakeup fd byte:", os.read(r, 1) == bytes([signal.SIGUSR1]))
    signal.set_wakeup_fd(-1)
    # A thread is not interrupted: signals go to the main thread.
    t = threading.Thread(target=lambda: time.sleep(0.1))
    t.start()
    os.kill(os.getpid(), signal.SIGUSR1)
    t.join()
    print("handler ran in the main thread:", got.count("usr1") >= 3)
    print("default SIGTERM kills a child:",
          subprocess.run([sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"]).returncode)


if __name__ == "__main__":
    os.chdir("/")
    name = sys.argv[1]
    globals()["section_" + name]()
    sys.stdout.flush()
    print("== end of", name)
