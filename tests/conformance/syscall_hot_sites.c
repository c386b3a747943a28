/* Syscall sites that run many times (which a runtime may rewrite, as the
 * sentry's systrap platform does after a few traps) keep their meaning:
 * results, errno, restart after a signal handler (SA_RESTART), EINTR
 * without it, the registers a syscall must not touch (callee-saved and SSE
 * and AVX registers, the FS base of TLS), from several threads at once, and
 * in a forked child. */
#include "check.h"
#include <pthread.h>
#include <sys/time.h>

static __thread int tls_word = 7;

static void *spin_getppid(void *arg)
{
    pid_t want = *(pid_t *)arg;
    for (int i = 0; i < 20000; i++)
        if (getppid() != want || tls_word != 7)
            return (void *)1;
    return NULL;
}

static void on_alarm(int sig) { (void)sig; }

/* xmm0..xmm15 (and ymm on AVX machines) survive a syscall. */
__attribute__((target("avx"))) static int avx_survives(void)
{
    static const uint64_t pat[4] = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL,
                                     0x1111222233334444ULL, 0x5555666677778888ULL };
    uint64_t out[4] = { 0 };
    __asm__ volatile("vmovdqu %0, %%ymm7\n\t"
                     "vmovdqu %0, %%ymm15\n\t"
                     :
                     : "m"(*(const uint64_t(*)[4])pat)
                     : "xmm7", "xmm15");
    for (int i = 0; i < 8; i++)
        (void)getpid();
    __asm__ volatile("vmovdqu %%ymm15, %0" : "=m"(*(uint64_t(*)[4])out));
    if (memcmp(out, pat, sizeof out) != 0)
        return 0;
    __asm__ volatile("vmovdqu %%ymm7, %0" : "=m"(*(uint64_t(*)[4])out));
    return memcmp(out, pat, sizeof out) == 0;
}

static int sse_survives(void)
{
    static const uint64_t pat[2] = { 0xdeadbeefcafebabeULL, 0x0badf00d12345678ULL };
    uint64_t out[2] = { 0 };
    __asm__ volatile("movdqu %0, %%xmm9" : : "m"(*(const uint64_t(*)[2])pat) : "xmm9");
    for (int i = 0; i < 8; i++)
        (void)getpid();
    __asm__ volatile("movdqu %%xmm9, %0" : "=m"(*(uint64_t(*)[2])out));
    return memcmp(out, pat, sizeof out) == 0;
}

int main(void)
{
    /* The same site, many times: the same answer. */
    pid_t me = getpid();
    for (int i = 0; i < 10000; i++)
        CHECK_EQ(getpid(), me);

    /* errno from a hot site. */
    for (int i = 0; i < 100; i++)
        CHECK_ERR(close(-1), EBADF);

    /* Several threads on one site at once. */
    pid_t parent = getppid();
    pthread_t th[3];
    for (int i = 0; i < 3; i++)
        CHECK_RET(pthread_create(&th[i], NULL, spin_getppid, &parent), 0);
    for (int i = 0; i < 10000; i++)
        CHECK_EQ(getppid(), parent);
    for (int i = 0; i < 3; i++) {
        void *r;
        CHECK_RET(pthread_join(th[i], &r), 0);
        CHECK(r == NULL);
    }

    /* Registers a syscall leaves alone. */
    CHECK(sse_survives());
    unsigned a, b, c, d;
    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
    if ((c & (1u << 28)) && (c & (1u << 27)))   /* AVX, OSXSAVE */
        CHECK(avx_survives());
    CHECK_EQ(tls_word, 7);

    /* A hot wait4 site, interrupted by handled signals: with SA_RESTART
     * the wait goes on and returns the child. */
    for (int i = 0; i < 5; i++)
        CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
    struct sigaction sa = { .sa_handler = on_alarm, .sa_flags = SA_RESTART };
    sigemptyset(&sa.sa_mask);
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        /* The child's copy of the sites works too. */
        for (int i = 0; i < 1000; i++)
            if (getpid() != getpid())
                _exit(2);
        usleep(150 * 1000);
        _exit(5);
    }
    struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
    CHECK_OK(setitimer(ITIMER_REAL, &it, NULL));
    int st;
    CHECK_EQ(waitpid(child, &st, 0), child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 5);

    /* Without SA_RESTART the same site returns EINTR. */
    sa.sa_flags = 0;
    CHECK_OK(sigaction(SIGALRM, &sa, NULL));
    child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        usleep(300 * 1000);
        _exit(0);
    }
    CHECK_ERR(waitpid(child, &st, 0), EINTR);
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    CHECK_OK(setitimer(ITIMER_REAL, &off, NULL));
    CHECK_EQ(waitpid(child, &st, 0), child);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    return 0;
}
