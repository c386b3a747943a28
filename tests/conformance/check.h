/*
 * check.h - tiny assertion helpers shared by the conformance test programs.
 *
 * Include this header FIRST in every test: it defines _GNU_SOURCE before any
 * system header is pulled in.
 *
 * Every CHECK* macro prints "file:line: ..." with the failing expression,
 * the values involved and errno, then exits with status 1.  A test passes by
 * exiting 0 and prints nothing (or one line) on success.
 *
 * Forked children may use the macros too: a failing child exits 1, which the
 * parent then sees through CHECK_CHILD_EXIT(pid, 0).  The temp-dir cleanup
 * only ever runs in the process that created the directory.
 */
#ifndef CONFORMANCE_CHECK_H
#define CONFORMANCE_CHECK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------------ */
/* failure reporting                                                         */

static inline __attribute__((noreturn, format(printf, 3, 4))) void
check_fail_(const char *file, int line, const char *fmt, ...)
{
    int saved = errno;
    va_list ap;

    fflush(stdout);
    fprintf(stderr, "%s:%d: CHECK failed: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " [errno=%d (%s), pid=%ld]\n", saved, strerror(saved),
            (long)getpid());
    fflush(stderr);
    exit(1);
}

#define FAIL(...) check_fail_(__FILE__, __LINE__, __VA_ARGS__)

static inline const char *check_errname_(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "?";
}

/* CHECK(cond): cond must be true. */
#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond))                                                        \
            check_fail_(__FILE__, __LINE__, "%s", #cond);                   \
    } while (0)

/* CHECK_EQ(a, b): both are compared (and printed) as long long. */
#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        long long ca_ = (long long)(a), cb_ = (long long)(b);               \
        if (ca_ != cb_)                                                     \
            check_fail_(__FILE__, __LINE__, "%s == %s (%lld != %lld)",      \
                        #a, #b, ca_, cb_);                                  \
    } while (0)

#define CHECK_NE(a, b)                                                      \
    do {                                                                    \
        long long ca_ = (long long)(a), cb_ = (long long)(b);               \
        if (ca_ == cb_)                                                     \
            check_fail_(__FILE__, __LINE__, "%s != %s (both %lld)",         \
                        #a, #b, ca_);                                       \
    } while (0)

/* CHECK_STREQ(a, b): C strings must be equal. */
#define CHECK_STREQ(a, b)                                                   \
    do {                                                                    \
        const char *sa_ = (a), *sb_ = (b);                                  \
        if (sa_ == NULL || sb_ == NULL || strcmp(sa_, sb_) != 0)            \
            check_fail_(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")",  \
                        #a, #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); \
    } while (0)

/* CHECK_MEMEQ(a, b, n): n bytes must be equal. */
#define CHECK_MEMEQ(a, b, n)                                                \
    do {                                                                    \
        if (memcmp((a), (b), (n)) != 0)                                     \
            check_fail_(__FILE__, __LINE__, "memcmp(%s, %s, %s) == 0",      \
                        #a, #b, #n);                                        \
    } while (0)

/*
 * CHECK_OK(expr): expr must not return -1 (nor MAP_FAILED).  Evaluates to the
 * value of expr, so it can be used as   int fd = CHECK_OK(open(...));
 */
#define CHECK_OK(expr)                                                      \
    ({                                                                      \
        errno = 0;                                                          \
        __typeof__(expr) ok_ = (expr);                                      \
        if ((long)ok_ == -1L)                                               \
            check_fail_(__FILE__, __LINE__, "%s succeeds (returned -1)",    \
                        #expr);                                             \
        ok_;                                                                \
    })

/* CHECK_ERR(expr, E): expr must return -1 and set errno to E. */
#define CHECK_ERR(expr, E)                                                  \
    do {                                                                    \
        errno = 0;                                                          \
        long er_ = (long)(expr);                                            \
        int ee_ = errno;                                                    \
        if (er_ != -1L || ee_ != (E)) {                                     \
            errno = ee_;                                                    \
            check_fail_(__FILE__, __LINE__,                                 \
                        "%s fails with %s (returned %ld, errno %s)",        \
                        #expr, #E, er_, check_errname_(ee_));                \
        }                                                                   \
    } while (0)

/*
 * For calls that return an error number instead of setting errno
 * (clock_nanosleep, posix_* functions): CHECK_RET(expr, E).
 */
#define CHECK_RET(expr, E)                                                  \
    do {                                                                    \
        long rr_ = (long)(expr);                                            \
        if (rr_ != (long)(E))                                               \
            check_fail_(__FILE__, __LINE__, "%s returns %s (got %ld)",      \
                        #expr, #E, rr_);                                    \
    } while (0)

/* ------------------------------------------------------------------------ */
/* temp directory                                                            */

static char check_tmpdir_[PATH_MAX];
static pid_t check_tmpdir_owner_;

static inline int check_rm_cb_(const char *path, const struct stat *sb,
                               int type, struct FTW *ftw)
{
    (void)sb; (void)ftw;
    if (type == FTW_DP || type == FTW_D)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static inline void check_rm_tmpdir_(void)
{
    /* Only the creator cleans up: forked children also run atexit handlers. */
    if (check_tmpdir_[0] == '\0' || getpid() != check_tmpdir_owner_)
        return;
    if (chdir("/") != 0) { /* best effort */ }
    nftw(check_tmpdir_, check_rm_cb_, 16, FTW_DEPTH | FTW_PHYS);
    check_tmpdir_[0] = '\0';
}

/*
 * make_tmpdir(): create a fresh private directory /tmp/conf.XXXXXX and
 * arrange for it to be removed recursively at exit().  Returns its path.
 */
static inline const char *make_tmpdir(void)
{
    if (check_tmpdir_[0] != '\0')
        return check_tmpdir_;
    strcpy(check_tmpdir_, "/tmp/conf.XXXXXX");
    if (mkdtemp(check_tmpdir_) == NULL)
        FAIL("mkdtemp(/tmp/conf.XXXXXX)");
    check_tmpdir_owner_ = getpid();
    atexit(check_rm_tmpdir_);
    return check_tmpdir_;
}

/* make_tmpdir() and chdir() into it, so tests can use relative names. */
static inline const char *enter_tmpdir(void)
{
    const char *d = make_tmpdir();
    if (chdir(d) != 0)
        FAIL("chdir(%s)", d);
    return d;
}

/*
 * tpath("name"): absolute path of "name" inside the temp dir.  Returns one of
 * 8 rotating static buffers, so a few can be used in one expression.
 */
static inline const char *tpath(const char *name)
{
    static char bufs[8][PATH_MAX];
    static int next;
    char *b = bufs[next++ & 7];
    snprintf(b, PATH_MAX, "%s/%s", make_tmpdir(), name);
    return b;
}

/* ------------------------------------------------------------------------ */
/* small helpers                                                             */

/* Create (or truncate) path with the given contents. */
static inline void write_file(const char *path, const char *data)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        FAIL("open(%s) for writing", path);
    size_t n = strlen(data);
    if (write(fd, data, n) != (ssize_t)n)
        FAIL("write(%s)", path);
    close(fd);
}

/* Read up to cap-1 bytes of path into buf, NUL-terminate; returns length. */
static inline ssize_t read_file(const char *path, char *buf, size_t cap)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        FAIL("open(%s) for reading", path);
    size_t off = 0;
    for (;;) {
        ssize_t r = read(fd, buf + off, cap - 1 - off);
        if (r < 0)
            FAIL("read(%s)", path);
        if (r == 0 || off + (size_t)r >= cap - 1) {
            off += (size_t)r;
            break;
        }
        off += (size_t)r;
    }
    buf[off] = '\0';
    close(fd);
    return (ssize_t)off;
}

/* Wait for pid (retrying on EINTR) and return its raw wait status. */
static inline int wait_status(pid_t pid)
{
    int st;
    pid_t r;
    do {
        r = waitpid(pid, &st, __WALL);
    } while (r == -1 && errno == EINTR);
    if (r != pid)
        FAIL("waitpid(%ld) returned %ld", (long)pid, (long)r);
    return st;
}

/* The child must have exited normally with the given code. */
#define CHECK_CHILD_EXIT(pid, code)                                         \
    do {                                                                    \
        int cs_ = wait_status(pid);                                         \
        if (!WIFEXITED(cs_) || WEXITSTATUS(cs_) != (code))                  \
            check_fail_(__FILE__, __LINE__,                                 \
                        "child %ld exits with %d (status 0x%x: %s %d)",     \
                        (long)(pid), (code), cs_,                           \
                        WIFEXITED(cs_) ? "exited" : "signalled",            \
                        WIFEXITED(cs_) ? WEXITSTATUS(cs_) : WTERMSIG(cs_)); \
    } while (0)

/* The child must have been killed by the given signal. */
#define CHECK_CHILD_SIGNALED(pid, sig)                                      \
    do {                                                                    \
        int cs_ = wait_status(pid);                                         \
        if (!WIFSIGNALED(cs_) || WTERMSIG(cs_) != (sig))                    \
            check_fail_(__FILE__, __LINE__,                                 \
                        "child %ld killed by %s (status 0x%x: %s %d)",      \
                        (long)(pid), #sig, cs_,                             \
                        WIFEXITED(cs_) ? "exited" : "signalled",            \
                        WIFEXITED(cs_) ? WEXITSTATUS(cs_) : WTERMSIG(cs_)); \
    } while (0)

/*
 * Fork a child whose fd 5 is the write end of a pipe, for a child that
 * reports what ran (a handler, the code after a signal) before it dies.
 * Returns 0 in the child; in the parent the child's pid, with *rfd the
 * pipe's read end (EOF once the child is gone).
 */
static inline pid_t fork_reporting(int *rfd)
{
    int p[2];
    if (pipe(p) < 0)
        FAIL("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        FAIL("fork: %s", strerror(errno));
    if (pid == 0) {
        close(p[0]);
        if (dup2(p[1], 5) < 0)
            _exit(99);
        return 0;
    }
    close(p[1]);
    *rfd = p[0];
    return pid;
}

/*
 * Call in a child that is about to die from SIGSEGV/SIGBUS/SIGABRT on
 * purpose, so no core file is written.  Errors are ignored on purpose.
 */
static inline void no_core_dumps(void)
{
    struct rlimit rl = { 0, 0 };
    setrlimit(RLIMIT_CORE, &rl);
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * Touch one byte at addr (read, or write if `write`) in a forked child.
 * Returns 0 if the access worked, otherwise the signal that killed the
 * child (SIGSEGV, SIGBUS, ...).  The child restores default handlers first.
 */
static inline int probe_access(void *addr, int write)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        FAIL("fork");
    if (pid == 0) {
        no_core_dumps();
        signal(SIGSEGV, SIG_DFL);
        signal(SIGBUS, SIG_DFL);
        volatile char *p = addr;
        if (write)
            *p = 1;
        else
            (void)*p;
        _exit(0);
    }
    int st = wait_status(pid);
    if (WIFSIGNALED(st))
        return WTERMSIG(st);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    FAIL("probe_access child: unexpected status 0x%x", st);
}

/* Monotonic time in nanoseconds. */
static inline long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Sleep ms milliseconds, resuming after signal interruptions. */
static inline void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/*
 * Absolute path of this test binary, for re-exec'ing itself.  The runner
 * passes an absolute argv[0]; a relative one (run by hand) is resolved.
 */
static inline const char *self_path(char **argv)
{
    static char buf[PATH_MAX];
    if (argv[0][0] == '/')
        return argv[0];
    if (realpath(argv[0], buf) == NULL)
        FAIL("realpath(%s)", argv[0]);
    return buf;
}

/*
 * A pointer the kernel must reject with EFAULT.  Read through a volatile so
 * the compiler cannot see (and warn about) the bogus constant.
 */
static void *volatile check_bad_ptr_ __attribute__((unused)) = (void *)1;
#define BAD_PTR ((void *)check_bad_ptr_)

#endif /* CONFORMANCE_CHECK_H */
