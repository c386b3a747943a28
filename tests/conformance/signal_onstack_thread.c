/* SA_ONSTACK and sigaltstack with threads: the alternate stack is per
 * thread, a new thread starts without one (a fork child keeps it), each
 * thread's handler runs on its own alternate stack (SS_ONSTACK inside),
 * a thread without one runs the handler on its normal stack, and
 * SS_AUTODISARM disarms the stack while the handler runs. */
#include "check.h"
#include <pthread.h>
#include <stdatomic.h>

#define ALT_SIZE (64 * 1024)
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)       /* linux/signal.h */
#endif

static __thread char *alt_base;            /* this thread's alt stack, if any */
static __thread volatile int on_alt, flags_inside;

static void handler(int sig)
{
    (void)sig;
    char here;
    stack_t cur;
    on_alt = alt_base && &here >= alt_base && &here < alt_base + ALT_SIZE;
    sigaltstack(NULL, &cur);
    flags_inside = cur.ss_flags;
}

static char *install_alt(int extra_flags)
{
    char *base = malloc(ALT_SIZE);
    CHECK(base != NULL);
    stack_t ss = { .ss_sp = base, .ss_size = ALT_SIZE, .ss_flags = extra_flags };
    CHECK_OK(sigaltstack(&ss, NULL));
    alt_base = base;
    return base;
}

struct result {
    int initial_flags, on_alt, flags_inside, after_flags;
};

static void *with_alt(void *arg)
{
    struct result *r = arg;
    stack_t cur;
    sigaltstack(NULL, &cur);
    r->initial_flags = cur.ss_flags;
    install_alt(0);
    pthread_kill(pthread_self(), SIGUSR1);
    r->on_alt = on_alt;
    r->flags_inside = flags_inside;
    sigaltstack(NULL, &cur);
    r->after_flags = cur.ss_flags;
    return NULL;
}

static void *without_alt(void *arg)
{
    struct result *r = arg;
    stack_t cur;
    sigaltstack(NULL, &cur);
    r->initial_flags = cur.ss_flags;
    on_alt = -1;
    pthread_kill(pthread_self(), SIGUSR1);
    r->on_alt = on_alt;
    r->flags_inside = flags_inside;
    return NULL;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));

    /* The main thread has one... */
    char *main_alt = install_alt(0);
    CHECK_OK(raise(SIGUSR1));
    CHECK(on_alt);
    CHECK_EQ(flags_inside, SS_ONSTACK);

    /* ...threads start without, and get their own. */
    struct result r[2];
    pthread_t th[2];
    memset(r, 0, sizeof r);
    CHECK_RET(pthread_create(&th[0], NULL, with_alt, &r[0]), 0);
    CHECK_RET(pthread_create(&th[1], NULL, without_alt, &r[1]), 0);
    CHECK_RET(pthread_join(th[0], NULL), 0);
    CHECK_RET(pthread_join(th[1], NULL), 0);
    CHECK_EQ(r[0].initial_flags, SS_DISABLE);
    CHECK_EQ(r[0].on_alt, 1);
    CHECK_EQ(r[0].flags_inside, SS_ONSTACK);
    CHECK_EQ(r[0].after_flags, 0);
    CHECK_EQ(r[1].initial_flags, SS_DISABLE);
    CHECK_EQ(r[1].on_alt, 0);                   /* ran on its own stack */
    CHECK_EQ(r[1].flags_inside, SS_DISABLE);

    /* Ours is unchanged by theirs. */
    stack_t cur;
    CHECK_OK(sigaltstack(NULL, &cur));
    CHECK(cur.ss_sp == main_alt);
    CHECK_EQ(cur.ss_size, ALT_SIZE);
    CHECK_EQ(cur.ss_flags, 0);

    /* A fork child keeps the alternate stack and uses it. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        stack_t c;
        sigaltstack(NULL, &c);
        if (c.ss_sp != main_alt || c.ss_flags != 0)
            _exit(1);
        on_alt = 0;
        raise(SIGUSR1);
        _exit(on_alt ? 0 : 2);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* SS_AUTODISARM: disarmed inside the handler, back afterwards. */
    free(main_alt);
    install_alt(SS_AUTODISARM);
    CHECK_OK(raise(SIGUSR1));
    CHECK(on_alt);
    CHECK_EQ(flags_inside, SS_DISABLE);
    CHECK_OK(sigaltstack(NULL, &cur));
    CHECK_EQ((unsigned)cur.ss_flags, SS_AUTODISARM);
    return 0;
}
