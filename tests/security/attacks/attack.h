/*
 * attack.h - shared by the adversarial programs of tests/security/attacks/.
 *
 * Each program runs inside the sandbox and makes a series of attempts to
 * break out.  Every attempt prints exactly one line:
 *
 *     attempt NAME: refused (WHY)       the attack failed, as it must
 *     attempt NAME: ESCAPED: DETAILS    the attack worked: a hole
 *
 * "refused" also covers an attempt that the sandbox lets run but confines
 * (a file created in the sandbox's memory instead of on the host, a host
 * name changed only in the sandbox): WHY then says so, and where the proof
 * lives on the host side, tests/security/run.sh checks it.
 *
 * attack_end() prints "summary AREA attempts N refused M" and returns the
 * exit status: 0 when every attempt was refused (and every control(), a
 * thing that must work for the refusals to mean anything, worked), 1
 * otherwise.  Include this
 * header first: it defines _GNU_SOURCE.
 */
#ifndef SECURITY_ATTACK_H
#define SECURITY_ATTACK_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *attack_area_ = "?";
static int attack_attempts_;
static int attack_refused_;
static int attack_controls_failed_;

static inline void attack_begin(const char *area)
{
    attack_area_ = area;
    setvbuf(stdout, NULL, _IOLBF, 0);
}

static inline const char *attack_errname(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "errno?";
}

static inline __attribute__((format(printf, 2, 3))) void
refused(const char *name, const char *fmt, ...)
{
    va_list ap;

    attack_attempts_++;
    attack_refused_++;
    printf("attempt %s: refused (", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(")\n");
}

static inline __attribute__((format(printf, 2, 3))) void
escaped(const char *name, const char *fmt, ...)
{
    va_list ap;

    attack_attempts_++;
    printf("attempt %s: ESCAPED: ", name);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
}

/* A positive control: something that must work, or the refusals around it
 * prove nothing (the allowed host is reachable, loopback works).  Not an
 * attempt; a failed control fails the program (attack_end). */
static inline __attribute__((format(printf, 3, 4))) void
control(const char *name, int ok, const char *fmt, ...)
{
    va_list ap;

    if (!ok)
        attack_controls_failed_++;
    printf("control %s: %s (", name, ok ? "ok" : "FAILED");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf(")\n");
}

/* expect_fail(NAME, RET): a call that must fail (RET < 0, errno set). */
static inline void expect_fail(const char *name, long ret)
{
    int e = errno;

    if (ret < 0)
        refused(name, "%s", attack_errname(e));
    else
        escaped(name, "succeeded, returned %ld", ret);
}

/* expect_errno(NAME, RET, E): a call that must fail with exactly E (a
 * different failure is still refused, but reported so it can be looked at). */
static inline void expect_errno(const char *name, long ret, int want)
{
    int e = errno;

    if (ret >= 0)
        escaped(name, "succeeded, returned %ld (expected %s)", ret,
                attack_errname(want));
    else if (e == want)
        refused(name, "%s", attack_errname(e));
    else
        refused(name, "%s, expected %s", attack_errname(e), attack_errname(want));
}

/* Runs FN in a forked child (pid 1 has init semantics in the sandbox);
 * returns its wait status, or -1. */
static inline int in_child(void (*fn)(void *), void *arg)
{
    int st;
    pid_t p = fork();

    if (p < 0)
        return -1;
    if (p == 0) {
        fn(arg);
        _exit(0);
    }
    if (waitpid(p, &st, 0) != p)
        return -1;
    return st;
}

/* read_small(PATH, BUF, N): reads up to N-1 bytes of PATH; -1 on error. */
static inline ssize_t read_small(const char *path, char *buf, size_t n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    ssize_t r;

    if (fd < 0)
        return -1;
    r = read(fd, buf, n - 1);
    close(fd);
    if (r >= 0)
        buf[r] = 0;
    return r;
}

static inline double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline int attack_end(void)
{
    printf("summary %s attempts %d refused %d\n", attack_area_, attack_attempts_,
           attack_refused_);
    return attack_attempts_ == attack_refused_ && attack_attempts_ > 0 &&
                   attack_controls_failed_ == 0
               ? 0
               : 1;
}

#endif
