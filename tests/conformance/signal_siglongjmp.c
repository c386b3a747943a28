/* Leaving a handler with siglongjmp: sigsetjmp(env, 1) restores the mask
 * saved at sigsetjmp (the handled signal is unblocked again), with
 * sigsetjmp(env, 0) the handler's mask stays (signal still blocked, a new
 * instance waits pending); jumping out of nested handlers; jumping out of
 * a handler on the alternate stack leaves it (SS_ONSTACK cleared), and
 * the stack serves the next signal. */
#include "check.h"
#include <setjmp.h>

static sigjmp_buf env;
static volatile int hits, depth;
static char altstack[64 * 1024];

static void jumper(int sig)
{
    (void)sig;
    hits++;
    siglongjmp(env, hits);
}

static void outer(int sig)
{
    (void)sig;
    depth = 1;
    raise(SIGUSR2);             /* inner handler jumps out of both */
    depth = 99;
}

static volatile int on_alt;
static void alt_jumper(int sig)
{
    (void)sig;
    stack_t cur;
    char here;
    sigaltstack(NULL, &cur);
    on_alt = (cur.ss_flags & SS_ONSTACK) && &here >= altstack &&
             &here < altstack + sizeof altstack;
    hits++;
    siglongjmp(env, 1);
}

static int blocked(int sig)
{
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    return sigismember(&cur, sig);
}

static void set(int sig, void (*h)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sa.sa_flags = flags;
    CHECK_OK(sigaction(sig, &sa, NULL));
}

int main(void)
{
    set(SIGUSR1, jumper, 0);

    /* savemask 1: unblocked after the jump. */
    volatile int rounds = 0;
    if (sigsetjmp(env, 1) < 3) {
        rounds++;
        raise(SIGUSR1);
        FAIL("handler did not jump");
    }
    CHECK_EQ(rounds, 3);
    CHECK_EQ(hits, 3);
    CHECK(!blocked(SIGUSR1));

    /* savemask 0: still blocked as inside the handler. */
    hits = 0;
    if (sigsetjmp(env, 0) == 0) {
        raise(SIGUSR1);
        FAIL("handler did not jump");
    }
    CHECK_EQ(hits, 1);
    CHECK(blocked(SIGUSR1));
    raise(SIGUSR1);                 /* waits */
    CHECK_EQ(hits, 1);
    sigset_t pend;
    CHECK_OK(sigpending(&pend));
    CHECK(sigismember(&pend, SIGUSR1));
    /* Unblocking runs it, and it jumps to the same place. */
    if (sigsetjmp(env, 1) == 0) {
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR1);
        sigprocmask(SIG_UNBLOCK, &s, NULL);
        FAIL("pending signal not delivered on unblock");
    }
    CHECK_EQ(hits, 2);
    /* The mask saved by that sigsetjmp had SIGUSR1 blocked: it is again. */
    CHECK(blocked(SIGUSR1));
    sigset_t none;
    sigemptyset(&none);
    CHECK_OK(sigprocmask(SIG_SETMASK, &none, NULL));
    CHECK_EQ(hits, 2);

    /* Out of two nested handlers at once. */
    set(SIGUSR1, outer, 0);
    set(SIGUSR2, jumper, 0);
    hits = 0;
    if (sigsetjmp(env, 1) == 0) {
        raise(SIGUSR1);
        FAIL("no jump");
    }
    CHECK_EQ(depth, 1);
    CHECK(!blocked(SIGUSR1));
    CHECK(!blocked(SIGUSR2));

    /* Out of a handler on the alternate stack. */
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 };
    CHECK_OK(sigaltstack(&ss, NULL));
    set(SIGUSR1, alt_jumper, SA_ONSTACK);
    for (int i = 0; i < 3; i++) {
        on_alt = 0;
        if (sigsetjmp(env, 1) == 0) {
            raise(SIGUSR1);
            FAIL("no jump");
        }
        CHECK(on_alt);
        stack_t cur;
        CHECK_OK(sigaltstack(NULL, &cur));
        CHECK_EQ(cur.ss_flags, 0);          /* no longer on it */
    }
    return 0;
}
