/* FUTEX_WAKE_OP: every operation (SET, ADD, OR, ANDN, XOR, with and
 * without OPARG_SHIFT, 12-bit signed operands) applied atomically to the
 * second word, every comparison (EQ NE LT LE GT GE, signed) of its old
 * value deciding whether waiters on the second word are woken; the return
 * value counts the woken of both words; unknown op/cmp ENOSYS; a
 * read-only second word EFAULT. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

static long futex(void *uaddr, int op, unsigned val, unsigned long val2,
                  void *uaddr2, unsigned val3)
{
    return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
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

#define OP(op, oparg, cmp, cmparg) \
    ((unsigned)FUTEX_OP((op), (oparg) & 0xfff, (cmp), (cmparg) & 0xfff))

static int32_t w1, w2;

struct waiter {
    pthread_t th;
    int32_t *addr;
    int32_t val;
    atomic_int tid, done;
    long ret;
};

static void *waiter_main(void *arg)
{
    struct waiter *w = arg;
    atomic_store(&w->tid, gettid());
    w->ret = futex(w->addr, FUTEX_WAIT_PRIVATE, (unsigned)w->val, 0, NULL, 0);
    atomic_store(&w->done, 1);
    return NULL;
}

static void start(struct waiter *w, int32_t *addr)
{
    memset(w, 0, sizeof *w);
    w->addr = addr;
    w->val = *addr;
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

/* The operation alone (nobody waits): returns 0, check the new value. */
static void check_op(int op, int oparg, int32_t before, int32_t after)
{
    w2 = before;
    CHECK_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
                   OP(op, oparg, FUTEX_OP_CMP_EQ, 0)), 0);
    if (w2 != after)
        FAIL("op %d oparg %d on %d: got %d, want %d", op, oparg, before, w2, after);
}

/* One waiter on w2: woken iff cmp(old value, cmparg) holds. */
static void check_cmp(int cmp, int32_t old, int cmparg, int expect)
{
    struct waiter w;
    w2 = old;
    start(&w, &w2);
    long r = futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
                   OP(FUTEX_OP_ADD, 1, cmp, cmparg));
    if (r != expect)
        FAIL("cmp %d: old %d vs %d woke %ld, want %d", cmp, old, cmparg, r, expect);
    CHECK_EQ(w2, old + 1);
    if (!expect) {
        sleep_ms(10);
        CHECK_EQ(atomic_load(&w.done), 0);
        CHECK_EQ(futex(&w2, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 1);
    }
    finish(&w);
}

int main(void)
{
    check_op(FUTEX_OP_SET, 5, 100, 5);
    check_op(FUTEX_OP_SET, -1, 100, -1);            /* 12-bit sign extension */
    check_op(FUTEX_OP_ADD, 7, 100, 107);
    check_op(FUTEX_OP_ADD, -2048, 0, -2048);
    check_op(FUTEX_OP_OR, 0x0f0, 0x00f, 0x0ff);
    check_op(FUTEX_OP_ANDN, 0x0f0, 0x0ff, 0x00f);
    check_op(FUTEX_OP_XOR, 0x0ff, 0x0f0, 0x00f);
    /* OPARG_SHIFT: the operand is 1 << oparg. */
    check_op(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 31, 0, INT32_MIN);
    check_op(FUTEX_OP_ADD | FUTEX_OP_OPARG_SHIFT, 4, 1, 17);
    check_op(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 8, 1, 0x101);
    check_op(FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT, 0, 3, 2);
    check_op(FUTEX_OP_XOR | FUTEX_OP_OPARG_SHIFT, 1, 3, 1);

    /* Comparisons, signed, on the old value. */
    check_cmp(FUTEX_OP_CMP_EQ, 5, 5, 1);
    check_cmp(FUTEX_OP_CMP_EQ, 5, 6, 0);
    check_cmp(FUTEX_OP_CMP_NE, 5, 6, 1);
    check_cmp(FUTEX_OP_CMP_NE, 5, 5, 0);
    check_cmp(FUTEX_OP_CMP_LT, -5, -1, 1);
    check_cmp(FUTEX_OP_CMP_LT, 3, 3, 0);
    check_cmp(FUTEX_OP_CMP_LE, 3, 3, 1);
    check_cmp(FUTEX_OP_CMP_LE, 4, 3, 0);
    check_cmp(FUTEX_OP_CMP_GT, 4, 3, 1);
    check_cmp(FUTEX_OP_CMP_GT, -4, 3, 0);
    check_cmp(FUTEX_OP_CMP_GE, 3, 3, 1);
    check_cmp(FUTEX_OP_CMP_GE, 2, 3, 0);

    /* Waiters on both words, condition true: 1 + 1; the first word's
     * waiters are woken whatever the comparison says. */
    struct waiter a, b;
    w1 = 0;
    w2 = 0;
    start(&a, &w1);
    start(&b, &w2);
    CHECK_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
                   OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)), 2);
    finish(&a);
    finish(&b);
    start(&a, &w1);
    start(&b, &w2);
    CHECK_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2,
                   OP(FUTEX_OP_SET, 2, FUTEX_OP_CMP_EQ, 0)), 1);
    finish(&a);
    CHECK_EQ(futex(&w2, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 1);
    finish(&b);

    /* Errors. */
    CHECK_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(5, 0, 0, 0)), ENOSYS);
    /* An unknown comparison is found only after the operation is done. */
    w2 = 9;
    CHECK_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, &w2, OP(0, 0, 6, 0)), ENOSYS);
    CHECK_EQ(w2, 0);
    CHECK_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, (char *)&w2 + 2, OP(0, 0, 0, 0)),
              EINVAL);
    int32_t *ro = CHECK_OK(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, ro, OP(0, 1, 0, 0)), EFAULT);
    CHECK_EQ(*ro, 0);
    CHECK_ERR(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 1, BAD_PTR, OP(0, 1, 0, 0)), EINVAL);
    munmap(ro, 4096);
    /* nr_wake2 0 with the condition true still wakes one on the second
     * word, as FUTEX_WAKE's 0 does (the kernel counts before comparing). */
    w2 = 2;
    start(&b, &w2);
    CHECK_EQ(futex(&w1, FUTEX_WAKE_OP_PRIVATE, 1, 0, &w2,
                   OP(FUTEX_OP_SET, 3, FUTEX_OP_CMP_EQ, 2)), 1);
    CHECK_EQ(w2, 3);
    finish(&b);
    CHECK_EQ(futex(&w2, FUTEX_WAKE_PRIVATE, 1, 0, NULL, 0), 0);
    return 0;
}
