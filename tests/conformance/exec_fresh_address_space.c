/* execve gives the program an address space of its own: nothing the old
 * program mapped is there any more, not even at an address the new one
 * knows (touching it faults), whether the caller forked first or not, and
 * a vfork parent's memory is untouched by its child's exec. */
#include "check.h"
#include <setjmp.h>
#include <sys/mman.h>

#define MARK_ADDR ((void *)0x230000000UL)
#define MARK_BYTE 0x5a

static sigjmp_buf jb;

static void on_segv(int sig)
{
    siglongjmp(jb, sig);
}

/* The new program: the old program's page must be gone. */
static int check_gone(void)
{
    struct sigaction sa = { .sa_handler = on_segv };
    CHECK_OK(sigaction(SIGSEGV, &sa, NULL));
    if (sigsetjmp(jb, 1) == 0) {
        volatile unsigned char *p = MARK_ADDR;
        unsigned char v = *p;
        FAIL("the old program's page is still mapped (reads %#x)", v);
    }
    /* And the address is free for the new program's own mapping. */
    void *q = mmap(MARK_ADDR, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(q == MARK_ADDR);
    CHECK_EQ(*(volatile unsigned char *)q, 0);
    return 0;
}

static void exec_self(const char *self)
{
    char *argv[] = { (char *)self, "--check", NULL };
    execv(self, argv);
    _exit(127);
}

/* The child c (which exec_self'd) found the page gone. */
static void expect_checked(pid_t c)
{
    int st;
    CHECK(c >= 0);
    CHECK_EQ(waitpid(c, &st, 0), c);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--check") == 0)
        return check_gone();

    void *p = mmap(MARK_ADDR, 4096, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(p == MARK_ADDR);
    memset(p, MARK_BYTE, 4096);

    /* A forked child that execs. */
    for (int i = 0; i < 3; i++) {
        pid_t c = fork();
        if (c == 0)
            exec_self(argv[0]);
        expect_checked(c);
    }

    /* A vforked child that execs: the parent's memory stays as it was. */
    pid_t v = vfork();
    if (v == 0)
        exec_self(argv[0]);
    expect_checked(v);
    CHECK_EQ(((volatile unsigned char *)p)[100], MARK_BYTE);

    /* This very process execs (no fork: its address space is its own). */
    exec_self(argv[0]);
    FAIL("execv");
}
