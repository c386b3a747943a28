/* FUTEX_WAIT / FUTEX_WAKE basics: value mismatch EAGAIN, relative timeouts
 * (ETIMEDOUT no earlier than asked), waking exactly n of several waiters,
 * the count returned, argument errors (alignment, bad timespec, bad
 * address: a private wake never touches memory, a shared one does), and
 * unknown commands. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts,
                  void *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

/* Wait until thread tid sleeps in the kernel (state S), then a little
 * more so that it is surely queued on the futex. */
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

static uint32_t word;
static atomic_int woken;

struct waiter {
    pthread_t th;
    atomic_int tid;
    long ret;
    int err;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, gettid());
    w->ret = futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
    w->err = errno;
    atomic_fetch_add(&woken, 1);
    return NULL;
}

static void start(struct waiter *w)
{
    memset(w, 0, sizeof *w);
    CHECK_RET(pthread_create(&w->th, NULL, waiter_main, w), 0);
    while (atomic_load(&w->tid) == 0)
        sleep_ms(1);
    wait_blocked(atomic_load(&w->tid));
}

int main(void)
{
    uint32_t v = 5;
    struct timespec ts;

    /* Mismatch: EAGAIN at once, private or shared. */
    CHECK_ERR(futex(&v, FUTEX_WAIT_PRIVATE, 4, NULL, NULL, 0), EAGAIN);
    CHECK_ERR(futex(&v, FUTEX_WAIT, 6, NULL, NULL, 0), EAGAIN);

    /* Relative timeout. */
    ts.tv_sec = 0;
    ts.tv_nsec = 50 * 1000000L;
    long long t0 = now_ns();
    CHECK_ERR(futex(&v, FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), ETIMEDOUT);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    t0 = now_ns();
    CHECK_ERR(futex(&v, FUTEX_WAIT, 5, &ts, NULL, 0), ETIMEDOUT);
    CHECK(now_ns() - t0 >= 50 * 1000000LL);
    ts.tv_nsec = 0;
    CHECK_ERR(futex(&v, FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), ETIMEDOUT);

    /* Bad arguments. */
    ts.tv_nsec = 1000000000L;
    CHECK_ERR(futex(&v, FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), EINVAL);
    ts.tv_sec = -1;
    ts.tv_nsec = 0;
    CHECK_ERR(futex(&v, FUTEX_WAIT_PRIVATE, 5, &ts, NULL, 0), EINVAL);
    CHECK_ERR(futex(&v, FUTEX_WAIT_PRIVATE, 5, BAD_PTR, NULL, 0), EFAULT);
    CHECK_ERR(futex((char *)&v + 1, FUTEX_WAIT_PRIVATE, 5, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex((char *)&v + 2, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERR(futex(&v, 99, 0, NULL, NULL, 0), ENOSYS);
    /* An aligned address with nothing mapped: waiting reads it (EFAULT);
     * a private wake only hashes the address (0 woken); a shared wake
     * must look up the page (EFAULT). */
    char *gone = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_OK(munmap(gone, 4096));
    CHECK_ERR(futex(gone, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR(futex(gone, FUTEX_WAIT, 0, NULL, NULL, 0), EFAULT);
    CHECK_EQ(futex(gone, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
    CHECK_ERR(futex(gone, FUTEX_WAKE, 1, NULL, NULL, 0), EFAULT);

    /* Nobody waiting: 0 woken. */
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0), 0);

    /* Three waiters: wake 1, exactly one returns 0; then the other two. */
    struct waiter w[3];
    for (int i = 0; i < 3; i++)
        start(&w[i]);
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
    for (int i = 0; i < 5000 && atomic_load(&woken) < 1; i++)
        sleep_ms(1);
    sleep_ms(20);
    CHECK_EQ(atomic_load(&woken), 1);
    /* A wake on another word does nothing. */
    uint32_t other = 0;
    CHECK_EQ(futex(&other, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0), 0);
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL, NULL, 0), 2);
    for (int i = 0; i < 3; i++) {
        CHECK_RET(pthread_join(w[i].th, NULL), 0);
        CHECK_EQ(w[i].ret, 0);
    }
    CHECK_EQ(atomic_load(&woken), 3);

    /* nr_wake 0 still wakes one waiter (the kernel's loop counts first). */
    start(&w[0]);
    CHECK_EQ(futex(&word, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0), 1);
    CHECK_RET(pthread_join(w[0].th, NULL), 0);
    CHECK_EQ(w[0].ret, 0);
    return 0;
}
