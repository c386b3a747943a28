/* Shared futexes between processes on a MAP_SHARED anonymous mapping: a
 * fork()ed child waits, the parent wakes (and the other way round), wake
 * counts across several children; a private wake does not reach them; a
 * MAP_PRIVATE word is each process's own after fork. */
#include "check.h"
#include <linux/futex.h>
#include <sys/mman.h>

static long futex(void *uaddr, int op, unsigned val, const struct timespec *ts)
{
    return syscall(SYS_futex, uaddr, op, val, ts, NULL, 0);
}

/* Wait until process pid sleeps (state S), then a little more. */
static void wait_blocked(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    for (int i = 0; i < 5000; i++) {
        read_file(path, buf, sizeof buf);
        char *p = strrchr(buf, ')');
        if (p && p[1] == ' ' && p[2] == 'S') {
            sleep_ms(10);
            return;
        }
        sleep_ms(1);
    }
    FAIL("process %d never blocked", pid);
}

/* A child that waits on *w (expecting 0) and exits 0 if woken. */
static pid_t waiter(uint32_t *w, const struct timespec *ts)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        long r = futex(w, FUTEX_WAIT, 0, ts);
        if (r == 0)
            _exit(0);
        _exit(errno == ETIMEDOUT ? 3 : 10);
    }
    wait_blocked(pid);
    return pid;
}

int main(void)
{
    uint32_t *shm = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                  MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    uint32_t *w = shm + 10;

    /* Child waits, parent wakes. */
    pid_t pid = waiter(w, NULL);
    CHECK_EQ(futex(w, FUTEX_WAKE_PRIVATE, 1, NULL), 0);     /* other key */
    CHECK_EQ(futex(w, FUTEX_WAKE, 1, NULL), 1);
    CHECK_CHILD_EXIT(pid, 0);

    /* Three children; wake 2, then the rest. */
    pid_t kids[3];
    for (int i = 0; i < 3; i++)
        kids[i] = waiter(w, NULL);
    CHECK_EQ(futex(w, FUTEX_WAKE, 2, NULL), 2);
    int done = 0, st;
    for (int i = 0; i < 200 && done < 2; i++) {
        for (int k = 0; k < 3; k++) {
            if (kids[k] > 0 && waitpid(kids[k], &st, WNOHANG) == kids[k]) {
                CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
                kids[k] = 0;
                done++;
            }
        }
        sleep_ms(5);
    }
    CHECK_EQ(done, 2);
    sleep_ms(20);
    for (int k = 0; k < 3; k++)
        if (kids[k] > 0)
            CHECK_EQ(waitpid(kids[k], &st, WNOHANG), 0);   /* still waiting */
    CHECK_EQ(futex(w, FUTEX_WAKE, INT32_MAX, NULL), 1);
    for (int k = 0; k < 3; k++)
        if (kids[k] > 0)
            CHECK_CHILD_EXIT(kids[k], 0);

    /* Parent waits, child changes the word and wakes. */
    *w = 0;
    pid_t me = getpid();
    pid = CHECK_OK(fork());
    if (pid == 0) {
        wait_blocked(me);
        *w = 1;
        _exit(futex(w, FUTEX_WAKE, 1, NULL) == 1 ? 0 : 1);
    }
    struct timespec ts = { 5, 0 };
    long r = futex(w, FUTEX_WAIT, 0, &ts);
    CHECK(r == 0 || errno == EAGAIN);       /* EAGAIN if the store won */
    CHECK_EQ(*w, 1);
    CHECK_CHILD_EXIT(pid, 0);

    /* A MAP_PRIVATE word is copied by fork: the parent's wake on "the
     * same address" is not the child's futex. */
    uint32_t *priv = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    struct timespec short_ts = { 0, 300 * 1000000L };
    pid = waiter(priv, &short_ts);
    CHECK_EQ(futex(priv, FUTEX_WAKE, INT32_MAX, NULL), 0);
    CHECK_CHILD_EXIT(pid, 3);
    munmap(priv, 4096);
    munmap(shm, 4096);
    return 0;
}
