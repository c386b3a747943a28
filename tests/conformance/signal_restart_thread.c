/* A signal for a thread blocked in a syscall: without SA_RESTART the call
 * fails with EINTR in that thread only, with SA_RESTART it continues
 * transparently; a process-directed signal interrupts the thread that
 * does not block it; a write that already moved data returns the partial
 * count instead of EINTR; wait4 restarts; nanosleep and pause never do. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

static atomic_int hits, hit_tid;
static void on_usr1(int sig)
{
    (void)sig;
    atomic_store(&hit_tid, gettid());
    atomic_fetch_add(&hits, 1);
}

static void set_handler(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
}

static void wait_blocked(pid_t tid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
    for (int i = 0; i < 5000; i++) {
        read_file(path, buf, sizeof buf);
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S') {
            sleep_ms(10);
            return;
        }
        sleep_ms(1);
    }
    FAIL("thread %d never blocked", tid);
}

enum { OP_READ, OP_WRITE, OP_WAIT, OP_NANOSLEEP, OP_PAUSE };

struct job {
    int op, fd;
    pid_t child;
    atomic_int tid;
    long ret;
    int err;
    char buf[80000];
};

static void *run_job(void *arg)
{
    struct job *j = arg;
    atomic_store(&j->tid, gettid());
    errno = 0;
    switch (j->op) {
    case OP_READ: j->ret = read(j->fd, j->buf, 10); break;
    case OP_WRITE: j->ret = write(j->fd, j->buf, sizeof j->buf); break;
    case OP_WAIT: { int st; j->ret = waitpid(j->child, &st, 0); break; }
    case OP_NANOSLEEP: { struct timespec ts = { 5, 0 }; j->ret = nanosleep(&ts, NULL); break; }
    case OP_PAUSE: j->ret = pause(); break;
    }
    j->err = errno;
    return NULL;
}

static pthread_t start(struct job *j)
{
    pthread_t th;
    atomic_store(&j->tid, 0);
    CHECK_RET(pthread_create(&th, NULL, run_job, j), 0);
    while (atomic_load(&j->tid) == 0)
        sleep_ms(1);
    wait_blocked(atomic_load(&j->tid));
    return th;
}

static struct job j;

int main(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);

    /* No SA_RESTART: EINTR, in the targeted thread. */
    set_handler(0);
    j.op = OP_READ;
    j.fd = p[0];
    pthread_t th = start(&j);
    CHECK_RET(pthread_kill(th, SIGUSR1), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(j.ret, -1);
    CHECK_EQ(j.err, EINTR);
    CHECK_EQ(atomic_load(&hits), 1);
    CHECK_EQ(atomic_load(&hit_tid), atomic_load(&j.tid));

    /* SA_RESTART: the read goes on and gets the data written later. */
    set_handler(SA_RESTART);
    th = start(&j);
    CHECK_RET(pthread_kill(th, SIGUSR1), 0);
    for (int i = 0; i < 5000 && atomic_load(&hits) < 2; i++)
        sleep_ms(1);
    wait_blocked(atomic_load(&j.tid));
    CHECK_EQ(write(p[1], "hello", 5), 5);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(j.ret, 5);
    CHECK_MEMEQ(j.buf, "hello", 5);
    CHECK_EQ(atomic_load(&hits), 2);

    /* Process-directed while the main thread blocks it: the reading
     * thread (created before we blocked it) is interrupted. */
    set_handler(0);
    th = start(&j);
    CHECK_OK(sigprocmask(SIG_BLOCK, &usr1, NULL));
    CHECK_OK(kill(getpid(), SIGUSR1));
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(j.ret, -1);
    CHECK_EQ(j.err, EINTR);
    CHECK_EQ(atomic_load(&hits), 3);
    CHECK_EQ(atomic_load(&hit_tid), atomic_load(&j.tid));
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &usr1, NULL));

    /* A write that filled the pipe and then blocked: the signal ends it
     * with the partial count, not EINTR. */
    j.op = OP_WRITE;
    j.fd = p[1];
    th = start(&j);
    CHECK_RET(pthread_kill(th, SIGUSR1), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK(j.ret > 0);
    CHECK(j.ret < (long)sizeof j.buf);
    long drained = 0;
    CHECK_OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    for (;;) {
        char tmp[4096];
        ssize_t r = read(p[0], tmp, sizeof tmp);
        if (r <= 0)
            break;
        drained += r;
    }
    CHECK_EQ(drained, j.ret);
    CHECK_OK(fcntl(p[0], F_SETFL, 0));

    /* wait4: restarted with SA_RESTART, EINTR without. */
    int q[2];
    CHECK_OK(pipe(q));
    pid_t kid = CHECK_OK(fork());
    if (kid == 0) {
        char c;
        close(q[1]);
        _exit(read(q[0], &c, 1) == 1 ? 3 : 4);
    }
    close(q[0]);
    j.op = OP_WAIT;
    j.child = kid;
    th = start(&j);
    CHECK_RET(pthread_kill(th, SIGUSR1), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(j.ret, -1);
    CHECK_EQ(j.err, EINTR);
    set_handler(SA_RESTART);
    int before = atomic_load(&hits);
    th = start(&j);
    CHECK_RET(pthread_kill(th, SIGUSR1), 0);
    for (int i = 0; i < 5000 && atomic_load(&hits) == before; i++)
        sleep_ms(1);
    wait_blocked(atomic_load(&j.tid));
    CHECK_EQ(write(q[1], "x", 1), 1);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(j.ret, kid);
    close(q[1]);

    /* nanosleep and pause fail with EINTR even with SA_RESTART. */
    j.op = OP_NANOSLEEP;
    th = start(&j);
    CHECK_RET(pthread_kill(th, SIGUSR1), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(j.ret, -1);
    CHECK_EQ(j.err, EINTR);
    j.op = OP_PAUSE;
    th = start(&j);
    CHECK_RET(pthread_kill(th, SIGUSR1), 0);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(j.ret, -1);
    CHECK_EQ(j.err, EINTR);
    return 0;
}
