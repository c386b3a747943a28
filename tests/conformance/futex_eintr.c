/* FUTEX_WAIT and signals: a caught signal without SA_RESTART ends the wait
 * with EINTR; with SA_RESTART an untimed wait is restarted transparently
 * (it still waits for the wake), a timed one still fails with EINTR (the
 * kernel restarts it only through restart_syscall, which a handler
 * turns into EINTR); a stop and continue does not end a timed wait. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
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

static atomic_int hits;
static void on_usr1(int sig) { (void)sig; atomic_fetch_add(&hits, 1); }

static uint32_t word;
static pid_t main_tid;
static atomic_int wake_after;     /* also FUTEX_WAKE after the signal */

static void *poker(void *arg)
{
    (void)arg;
    wait_blocked(main_tid);
    syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
    if (atomic_load(&wake_after)) {
        /* The handler has run and the wait was restarted: blocked again. */
        for (int i = 0; i < 5000 && atomic_load(&hits) == 0; i++)
            sleep_ms(1);
        wait_blocked(main_tid);
        word = 1;
        futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL);
    }
    return NULL;
}

static void set_handler(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = flags;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
}

static long wait_with_poker(int wake, const struct timespec *ts)
{
    pthread_t th;
    word = 0;
    atomic_store(&hits, 0);
    atomic_store(&wake_after, wake);
    CHECK_RET(pthread_create(&th, NULL, poker, NULL), 0);
    errno = 0;
    long r = futex(&word, FUTEX_WAIT_PRIVATE, 0, ts);
    int e = errno;
    CHECK_RET(pthread_join(th, NULL), 0);
    errno = e;
    return r;
}

int main(void)
{
    main_tid = gettid();
    struct timespec ts = { 3, 0 };

    set_handler(0);
    CHECK_ERR(wait_with_poker(0, NULL), EINTR);
    CHECK_EQ(atomic_load(&hits), 1);
    CHECK_ERR(wait_with_poker(0, &ts), EINTR);
    CHECK_EQ(atomic_load(&hits), 1);

    set_handler(SA_RESTART);
    long long t0 = now_ns();
    CHECK_EQ(wait_with_poker(1, NULL), 0);       /* restarted, then woken */
    CHECK_EQ(atomic_load(&hits), 1);
    CHECK_EQ(word, 1);
    CHECK(now_ns() - t0 < 5000000000LL);
    CHECK_ERR(wait_with_poker(0, &ts), EINTR);
    CHECK_EQ(atomic_load(&hits), 1);

    /* A stopped and continued child keeps waiting until its timeout. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct timespec t = { 0, 300 * 1000000L };
        uint32_t w = 0;
        close(p[0]);
        long long s = now_ns();
        (void)!write(p[1], "x", 1);
        long r = futex(&w, FUTEX_WAIT_PRIVATE, 0, &t);
        if (r != -1 || errno != ETIMEDOUT)
            _exit(10 + (errno & 63));
        _exit(now_ns() - s >= 300 * 1000000LL ? 0 : 2);
    }
    close(p[1]);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    close(p[0]);
    sleep_ms(50);
    CHECK_OK(kill(pid, SIGSTOP));
    int st;
    CHECK_EQ(waitpid(pid, &st, WUNTRACED), pid);
    CHECK(WIFSTOPPED(st));
    sleep_ms(20);
    CHECK_OK(kill(pid, SIGCONT));
    CHECK_CHILD_EXIT(pid, 0);
    return 0;
}
