/* Thread-local storage: each thread gets a fresh copy of the TLS image
 * (initialised and zero parts), its own errno, and its own %fs base
 * (ARCH_GET_FS, which glibc makes equal to pthread_self()). */
#include "check.h"
#include <asm/prctl.h>
#include <pthread.h>

static __thread int tls_init = 42;
static __thread long tls_zero;
static __thread char tls_buf[256] = "template";

struct result {
    int init_seen, zero_seen, buf_ok, errno_after;
    void *addr_init;
    unsigned long fs;
    unsigned long self;
    int final_value;
};

static pthread_barrier_t bar;

static void *worker(void *arg)
{
    struct result *r = arg;
    r->init_seen = tls_init;
    r->zero_seen = (int)tls_zero;
    r->buf_ok = strcmp(tls_buf, "template") == 0;
    r->addr_init = &tls_init;
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &r->fs), 0);
    r->self = (unsigned long)pthread_self();
    /* Our own errno: set it here, others must not see it. */
    errno = 0;
    close(-1);
    r->errno_after = errno;
    /* Change the copies, then meet the others: each keeps its own. */
    tls_init = (int)gettid();
    tls_zero = gettid() * 2L;
    snprintf(tls_buf, sizeof tls_buf, "t%d", gettid());
    pthread_barrier_wait(&bar);
    r->final_value = tls_init == gettid() && tls_zero == gettid() * 2L;
    char want[32];
    snprintf(want, sizeof want, "t%d", gettid());
    r->final_value &= strcmp(tls_buf, want) == 0;
    return NULL;
}

int main(void)
{
    /* Change the main thread's copies first: new threads still start
     * from the image. */
    tls_init = 7;
    tls_zero = 9;
    strcpy(tls_buf, "main");
    errno = ENOENT;

    enum { N = 4 };
    struct result r[N];
    pthread_t th[N];
    memset(r, 0, sizeof r);
    CHECK_RET(pthread_barrier_init(&bar, NULL, N), 0);
    for (int i = 0; i < N; i++)
        CHECK_RET(pthread_create(&th[i], NULL, worker, &r[i]), 0);
    for (int i = 0; i < N; i++)
        CHECK_RET(pthread_join(th[i], NULL), 0);

    unsigned long main_fs;
    CHECK_EQ(syscall(SYS_arch_prctl, ARCH_GET_FS, &main_fs), 0);
    CHECK_EQ(main_fs, (unsigned long)pthread_self());
    for (int i = 0; i < N; i++) {
        CHECK_EQ(r[i].init_seen, 42);
        CHECK_EQ(r[i].zero_seen, 0);
        CHECK(r[i].buf_ok);
        CHECK_EQ(r[i].errno_after, EBADF);
        CHECK(r[i].final_value);
        CHECK(r[i].addr_init != (void *)&tls_init);
        CHECK_EQ(r[i].fs, r[i].self);
        CHECK_NE(r[i].fs, main_fs);
        for (int j = 0; j < i; j++) {
            CHECK(r[i].addr_init != r[j].addr_init);
            CHECK_NE(r[i].fs, r[j].fs);
        }
    }
    /* The main thread's copies are untouched. */
    CHECK_EQ(tls_init, 7);
    CHECK_EQ(tls_zero, 9);
    CHECK_STREQ(tls_buf, "main");
    CHECK_EQ(errno, ENOENT);
    pthread_barrier_destroy(&bar);
    return 0;
}
