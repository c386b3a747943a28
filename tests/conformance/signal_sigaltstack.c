/* sigaltstack: set/query, handlers with SA_ONSTACK run on the alternate
 * stack, SS_ONSTACK/EPERM while on it, size and flag errors, catching a
 * stack overflow. */
#include "check.h"
#include <sys/mman.h>

#define ALT_SIZE (256 * 1024)

static char *alt;
static volatile int on_alt, flags_inside, eperm_inside;

static void handler(int sig)
{
    (void)sig;
    char local;
    on_alt = (&local >= alt && &local < alt + ALT_SIZE);
    stack_t cur, other = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0 };
    sigaltstack(NULL, &cur);
    flags_inside = cur.ss_flags;
    /* Changing the alternate stack while running on it is refused. */
    errno = 0;
    eperm_inside = sigaltstack(&other, NULL) == -1 && errno == EPERM;
}

static void on_segv(int sig)
{
    (void)sig;
    _exit(42);
}

/* Recurses until the stack overflows (the bound is never reached). */
static int depth(long n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    if (n > 1000000000L)
        return 0;
    return depth(n + 1) + pad[0];
}

int main(void)
{
    stack_t ss, old;
    struct sigaction sa;

    /* Initially there is none. */
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags & SS_DISABLE);

    alt = CHECK_OK(mmap(NULL, ALT_SIZE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    ss.ss_sp = alt;
    ss.ss_size = ALT_SIZE;
    ss.ss_flags = 0;
    CHECK_EQ(sigaltstack(&ss, &old), 0);
    CHECK(old.ss_flags & SS_DISABLE);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK_EQ(old.ss_sp, alt);
    CHECK_EQ(old.ss_size, ALT_SIZE);
    CHECK_EQ(old.ss_flags, 0);

    /* SA_ONSTACK: the handler runs on the alternate stack. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sa.sa_flags = SA_ONSTACK;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(raise(SIGUSR1));
    CHECK(on_alt);
    CHECK_EQ(flags_inside, SS_ONSTACK);
    CHECK(eperm_inside);
    /* Back on the normal stack afterwards. */
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK_EQ(old.ss_flags, 0);

    /* Without SA_ONSTACK, the normal stack. */
    sa.sa_flags = 0;
    CHECK_OK(sigaction(SIGUSR2, &sa, NULL));
    CHECK_OK(raise(SIGUSR2));
    CHECK(!on_alt);
    CHECK_EQ(flags_inside, 0);

    /* Errors. */
    stack_t small = { .ss_sp = alt, .ss_size = 1024, .ss_flags = 0 };
    CHECK_ERR(sigaltstack(&small, NULL), ENOMEM);
    stack_t badf = { .ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0x1234 };
    CHECK_ERR(sigaltstack(&badf, NULL), EINVAL);
    CHECK_ERR(sigaltstack(BAD_PTR, NULL), EFAULT);
    CHECK_ERR(sigaltstack(NULL, BAD_PTR), EFAULT);

    /* A forked child inherits the setting. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        stack_t c;
        sigaltstack(NULL, &c);
        _exit(c.ss_sp == alt && c.ss_flags == 0 ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* The classic use: catch SIGSEGV from a stack overflow. */
    pid = CHECK_OK(fork());
    if (pid == 0) {
        no_core_dumps();
        struct rlimit rl = { 1 << 20, 1 << 20 };  /* keep the overflow quick */
        setrlimit(RLIMIT_STACK, &rl);
        struct sigaction s2;
        memset(&s2, 0, sizeof s2);
        s2.sa_handler = on_segv;
        s2.sa_flags = SA_ONSTACK;
        sigaction(SIGSEGV, &s2, NULL);
        depth(0);
        _exit(1);
    }
    CHECK_CHILD_EXIT(pid, 42);

    /* SS_DISABLE turns it off; SA_ONSTACK handlers then use the normal
     * stack. */
    stack_t dis = { .ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE };
    CHECK_EQ(sigaltstack(&dis, NULL), 0);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags & SS_DISABLE);
    sa.sa_flags = SA_ONSTACK;
    CHECK_OK(sigaction(SIGUSR1, &sa, NULL));
    CHECK_OK(raise(SIGUSR1));
    CHECK(!on_alt);
    return 0;
}
