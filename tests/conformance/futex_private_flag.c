/* FUTEX_PRIVATE_FLAG: private and shared waits work alike within one
 * process, but they are different keys: a private wake does not wake a
 * shared waiter and vice versa (on private and on MAP_SHARED memory). */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

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

struct waiter {
    pthread_t th;
    uint32_t *addr;
    int op;
    atomic_int tid, done;
    long ret;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, gettid());
    w->ret = futex(w->addr, w->op, 0, NULL);
    atomic_store(&w->done, 1);
    return NULL;
}

static void start(struct waiter *w, uint32_t *addr, int op)
{
    memset(w, 0, sizeof *w);
    w->addr = addr;
    w->op = op;
    CHECK_RET(pthread_create(&w->th, NULL, waiter_main, w), 0);
    while (atomic_load(&w->tid) == 0)
        sleep_ms(1);
    wait_blocked(atomic_load(&w->tid));
}

static void finish(struct waiter *w)
{
    CHECK_RET(pthread_join(w->th, NULL), 0);
    CHECK_EQ(w->ret, 0);
}

static void check_word(uint32_t *addr)
{
    struct waiter w;

    /* Matching kinds wake. */
    start(&w, addr, FUTEX_WAIT_PRIVATE);
    CHECK_EQ(futex(addr, FUTEX_WAKE_PRIVATE, 1, NULL), 1);
    finish(&w);
    start(&w, addr, FUTEX_WAIT);
    CHECK_EQ(futex(addr, FUTEX_WAKE, 1, NULL), 1);
    finish(&w);

    /* Mixed kinds do not. */
    start(&w, addr, FUTEX_WAIT);
    CHECK_EQ(futex(addr, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL), 0);
    sleep_ms(10);
    CHECK_EQ(atomic_load(&w.done), 0);
    CHECK_EQ(futex(addr, FUTEX_WAKE, INT32_MAX, NULL), 1);
    finish(&w);
    start(&w, addr, FUTEX_WAIT_PRIVATE);
    CHECK_EQ(futex(addr, FUTEX_WAKE, INT32_MAX, NULL), 0);
    sleep_ms(10);
    CHECK_EQ(atomic_load(&w.done), 0);
    CHECK_EQ(futex(addr, FUTEX_WAKE_PRIVATE, INT32_MAX, NULL), 1);
    finish(&w);
}

int main(void)
{
    static uint32_t in_data;
    check_word(&in_data);
    uint32_t *priv = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    check_word(priv + 5);
    uint32_t *shared = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                     MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    check_word(shared + 7);

    /* A shared wait on a MAP_SHARED page is found through another mapping
     * of the same page (mremap keeping the old one). */
    uint32_t *alias = CHECK_OK(mremap(shared, 0, 4096, MREMAP_MAYMOVE));
    CHECK(alias != shared);
    struct waiter w;
    start(&w, shared + 7, FUTEX_WAIT);
    CHECK_EQ(futex(alias + 7, FUTEX_WAKE, 1, NULL), 1);
    finish(&w);
    /* ...but a private one is keyed by address: the alias misses it. */
    start(&w, shared + 7, FUTEX_WAIT_PRIVATE);
    CHECK_EQ(futex(alias + 7, FUTEX_WAKE_PRIVATE, 1, NULL), 0);
    CHECK_EQ(futex(shared + 7, FUTEX_WAKE_PRIVATE, 1, NULL), 1);
    finish(&w);
    return 0;
}
