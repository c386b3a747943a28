/* Robust futex lists at thread exit (the process lives on): every lock on
 * the dying thread's list that it owns gets FUTEX_OWNER_DIED (keeping
 * FUTEX_WAITERS) and one waiter is woken by a shared-futex wake; locks of
 * other owners are untouched; list_op_pending is handled like an entry;
 * a negative futex_offset works; get_robust_list reads another thread's
 * registration; a process killed by SIGKILL is walked too. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/mman.h>

/* The word sits before the link: futex_offset is negative. */
struct lock {
    uint32_t futex;
    uint32_t pad;
    struct robust_list link;
};

static struct lock locks[4];
static struct robust_list_head head;
static atomic_int thread_tid;
static pid_t main_tid;

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
    syscall(SYS_exit_group, 50);
}

static void *owner(void *arg)
{
    (void)arg;
    uint32_t me = (uint32_t)gettid();
    locks[0].futex = me | FUTEX_WAITERS;    /* ours, with a waiter */
    locks[1].futex = 12345;                 /* someone else's */
    locks[2].futex = me;                    /* ours, being taken (pending) */
    locks[3].futex = me;                    /* ours, no waiters */
    head.list.next = &locks[0].link;
    locks[0].link.next = &locks[1].link;
    locks[1].link.next = &locks[3].link;
    locks[3].link.next = &head.list;
    head.futex_offset = (long)offsetof(struct lock, futex) - (long)offsetof(struct lock, link);
    head.list_op_pending = &locks[2].link;
    if (syscall(SYS_set_robust_list, &head, sizeof head) != 0)
        syscall(SYS_exit_group, 51);
    atomic_store(&thread_tid, (int)me);
    /* Die once the main thread sleeps on locks[0]; it also looks at our
     * registration meanwhile. */
    wait_blocked(main_tid);
    syscall(SYS_exit, 0);
    return NULL;
}

int main(void)
{
    main_tid = gettid();

    /* Our own (glibc's) registration. */
    struct robust_list_head *h = NULL;
    size_t len = 0;
    CHECK_EQ(syscall(SYS_get_robust_list, 0, &h, &len), 0);
    CHECK_EQ(len, sizeof(struct robust_list_head));
    CHECK(h != NULL);
    CHECK_ERR(syscall(SYS_get_robust_list, 999999, &h, &len), ESRCH);
    CHECK_ERR(syscall(SYS_get_robust_list, 0, BAD_PTR, &len), EFAULT);

    pthread_t th;
    CHECK_RET(pthread_create(&th, NULL, owner, NULL), 0);
    while (atomic_load(&thread_tid) == 0)
        sleep_ms(1);
    uint32_t tid = (uint32_t)atomic_load(&thread_tid);
    CHECK_EQ(syscall(SYS_get_robust_list, tid, &h, &len), 0);
    CHECK(h == &head);
    CHECK_EQ(len, sizeof head);

    /* Sleep on the lock it holds: its death wakes us (a shared wake, so a
     * shared wait). */
    struct timespec ts = { 5, 0 };
    long long t0 = now_ns();
    long r = syscall(SYS_futex, &locks[0].futex, FUTEX_WAIT, tid | FUTEX_WAITERS, &ts,
                     NULL, 0);
    CHECK_EQ(r, 0);
    CHECK(now_ns() - t0 < 4000000000LL);
    CHECK_RET(pthread_join(th, NULL), 0);
    CHECK_EQ(locks[0].futex, FUTEX_WAITERS | FUTEX_OWNER_DIED);
    CHECK_EQ(locks[1].futex, 12345);
    CHECK_EQ(locks[2].futex, FUTEX_OWNER_DIED);
    CHECK_EQ(locks[3].futex, FUTEX_OWNER_DIED);

    /* A process killed by SIGKILL while owning a lock. */
    struct lock *sl = CHECK_OK(mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                    MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        static struct robust_list_head ch;
        sl->futex = (uint32_t)getpid();
        ch.list.next = &sl->link;
        sl->link.next = &ch.list;
        ch.futex_offset = head.futex_offset;
        ch.list_op_pending = NULL;
        if (syscall(SYS_set_robust_list, &ch, sizeof ch) != 0)
            _exit(2);
        (void)!write(p[1], "x", 1);
        for (;;)
            pause();
    }
    char c;
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    CHECK_EQ(sl->futex, FUTEX_OWNER_DIED);
    munmap(sl, 4096);
    return 0;
}
