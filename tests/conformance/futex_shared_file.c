/* Shared futexes on a MAP_SHARED file mapping are keyed by (file, offset):
 * two mappings of the same file at different addresses meet, also across
 * processes that opened and mapped the file on their own; another offset
 * or another file does not. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* Wait until <dir>/<id>/stat shows state S, then a little more. */
static void wait_blocked(const char *dir, pid_t id)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "%s/%d/stat", dir, id);
    for (int i = 0; i < 5000; i++) {
        read_file(path, buf, sizeof buf);
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S') {
            sleep_ms(10);
            return;
        }
        sleep_ms(1);
    }
    FAIL("%d never blocked", id);
}

static uint32_t *map_file(const char *path, size_t len)
{
    int fd = CHECK_OK(open(path, O_RDWR));
    uint32_t *p = CHECK_OK(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
    close(fd);
    return p;
}

struct waiter {
    pthread_t th;
    uint32_t *addr;
    atomic_int tid, done;
    long ret;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, gettid());
    w->ret = futex(w->addr, FUTEX_WAIT, 0, NULL);
    atomic_store(&w->done, 1);
    return NULL;
}

static void start(struct waiter *w, uint32_t *addr)
{
    memset(w, 0, sizeof *w);
    w->addr = addr;
    CHECK_RET(pthread_create(&w->th, NULL, waiter_main, w), 0);
    while (atomic_load(&w->tid) == 0)
        sleep_ms(1);
    wait_blocked("/proc/self/task", atomic_load(&w->tid));
}

int main(void)
{
    make_tmpdir();
    const char *f1 = tpath("futex1"), *f2 = tpath("futex2");
    int fd = CHECK_OK(open(f1, O_RDWR | O_CREAT, 0600));
    CHECK_OK(ftruncate(fd, 8192));
    close(fd);
    fd = CHECK_OK(open(f2, O_RDWR | O_CREAT, 0600));
    CHECK_OK(ftruncate(fd, 8192));
    close(fd);

    /* Two mappings of one file in one process. */
    uint32_t *a = map_file(f1, 8192), *b = map_file(f1, 8192), *c = map_file(f2, 8192);
    CHECK(a != b);
    struct waiter w;
    start(&w, a + 1024 + 3);                         /* page 1, word 3 */
    CHECK_EQ(futex(b + 3, FUTEX_WAKE, 1, NULL), 0);          /* other page */
    CHECK_EQ(futex(b + 1024 + 4, FUTEX_WAKE, 1, NULL), 0);   /* other word */
    CHECK_EQ(futex(c + 1024 + 3, FUTEX_WAKE, 1, NULL), 0);   /* other file */
    CHECK_EQ(futex(b + 1024 + 3, FUTEX_WAKE_PRIVATE, 1, NULL), 0);
    sleep_ms(10);
    CHECK_EQ(atomic_load(&w.done), 0);
    CHECK_EQ(futex(b + 1024 + 3, FUTEX_WAKE, 1, NULL), 1);
    CHECK_RET(pthread_join(w.th, NULL), 0);
    CHECK_EQ(w.ret, 0);

    /* A child maps the file itself (after fork) and waits; the parent
     * wakes it through its own mapping. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        uint32_t *m = map_file(f1, 8192);
        _exit(futex(m + 17, FUTEX_WAIT, 0, NULL) == 0 ? 0 : 1);
    }
    wait_blocked("/proc", pid);
    CHECK_EQ(futex(c + 17, FUTEX_WAKE, 1, NULL), 0);
    CHECK_EQ(futex(a + 17, FUTEX_WAKE, 1, NULL), 1);
    CHECK_CHILD_EXIT(pid, 0);

    /* And the other way: the child wakes the parent; the word's new value
     * is seen through every mapping. */
    pid_t me = getpid();
    pid = CHECK_OK(fork());
    if (pid == 0) {
        uint32_t *m = map_file(f1, 8192);
        wait_blocked("/proc", me);
        m[100] = 42;
        _exit(futex(m + 100, FUTEX_WAKE, 1, NULL) == 1 ? 0 : 1);
    }
    struct timespec ts = { 5, 0 };
    long r = futex(b + 100, FUTEX_WAIT, 0, &ts);
    CHECK(r == 0 || errno == EAGAIN);
    CHECK_EQ(a[100], 42);
    CHECK_EQ(b[100], 42);
    CHECK_CHILD_EXIT(pid, 0);
    munmap(a, 8192);
    munmap(b, 8192);
    munmap(c, 8192);
    return 0;
}
