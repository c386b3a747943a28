/*
 * neighbour: a fixed amount of ordinary work, run by tests/security/run.sh in
 * a sandbox of its own while an exhaustion attack (exh_*) holds another at
 * its limits.  Other sandboxes on the machine must be unaffected: every
 * result is checked, and the program prints one line,
 *
 *     neighbour: ok (files 200, forks 50, pipe 4194304, tcp 1048576)
 *
 * and exits 0, or says what went wrong and exits 1.  No timing is judged
 * (the runner bounds the whole run with a generous timeout only).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define NFILES 200
#define NFORKS 50
#define PIPE_BYTES (4 << 20)
#define TCP_BYTES (1 << 20)

static bool failed;

static void bad(const char *what)
{
    printf("neighbour: FAILED: %s (%s)\n", what, strerrordesc_np(errno));
    failed = true;
}

/* The byte at offset i of stream s: a pattern that shows a lost, doubled or
 * reordered chunk. */
static unsigned char pattern(unsigned s, size_t i)
{
    return (unsigned char)((i * 131 + s * 7 + i / 4096) & 0xff);
}

static bool write_all(int fd, const unsigned char *b, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        b += w;
        n -= (size_t)w;
    }
    return true;
}

/* Reads n bytes of stream s from fd and checks them; the count read. */
static size_t read_check(int fd, unsigned s, size_t n)
{
    static unsigned char b[65536];
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, b, sizeof b);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r; i++)
            if (b[i] != pattern(s, got + (size_t)i))
                return got + (size_t)i;
        got += (size_t)r;
    }
    return got;
}

/* Sends n bytes of stream s to fd in chunks. */
static bool send_stream(int fd, unsigned s, size_t n)
{
    static unsigned char b[65536];
    for (size_t off = 0; off < n; off += sizeof b) {
        size_t c = n - off < sizeof b ? n - off : sizeof b;
        for (size_t i = 0; i < c; i++)
            b[i] = pattern(s, off + i);
        if (!write_all(fd, b, c))
            return false;
    }
    return true;
}

/* NFILES files of different sizes in /tmp, read back and compared. */
static int files(void)
{
    static unsigned char b[70000];
    char p[64];
    int ok = 0;
    if (mkdir("/tmp/nb", 0755) < 0 && errno != EEXIST) {
        bad("mkdir /tmp/nb");
        return 0;
    }
    for (unsigned i = 0; i < NFILES; i++) {
        size_t n = (i * 347) % sizeof b;
        for (size_t j = 0; j < n; j++)
            b[j] = pattern(i, j);
        snprintf(p, sizeof p, "/tmp/nb/f%u", i);
        int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0 || !write_all(fd, b, n) || close(fd) < 0) {
            bad("writing a file");
            return ok;
        }
    }
    for (unsigned i = 0; i < NFILES; i++) {
        size_t n = (i * 347) % sizeof b;
        snprintf(p, sizeof p, "/tmp/nb/f%u", i);
        int fd = open(p, O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0 || (size_t)st.st_size != n ||
            read_check(fd, i, n + 1) != n) {
            bad("a file read back differs");
            if (fd >= 0)
                close(fd);
            return ok;
        }
        close(fd);
        unlink(p);
        ok++;
    }
    rmdir("/tmp/nb");
    return ok;
}

/* NFORKS children, each exiting with its own status. */
static int forks(void)
{
    int ok = 0;
    for (int i = 0; i < NFORKS; i++) {
        pid_t p = fork();
        if (p < 0) {
            bad("fork");
            return ok;
        }
        if (p == 0)
            _exit(i + 1);
        int st;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != i + 1) {
            bad("a child's status");
            return ok;
        }
        ok++;
    }
    return ok;
}

/* PIPE_BYTES from a child through a pipe. */
static size_t through_pipe(void)
{
    int fd[2];
    if (pipe(fd) < 0) {
        bad("pipe");
        return 0;
    }
    pid_t p = fork();
    if (p == 0) {
        close(fd[0]);
        _exit(send_stream(fd[1], 1, PIPE_BYTES) ? 0 : 1);
    }
    close(fd[1]);
    size_t got = p > 0 ? read_check(fd[0], 1, PIPE_BYTES) : 0;
    close(fd[0]);
    int st = 0;
    if (p < 0 || waitpid(p, &st, 0) != p || st != 0 || got != PIPE_BYTES)
        bad("the pipe's data");
    return got;
}

/* TCP_BYTES from a child over loopback TCP, echoed back by it. */
static size_t over_tcp(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t al = sizeof a;
    int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 1) < 0 ||
        getsockname(l, (struct sockaddr *)&a, &al) < 0) {
        bad("a loopback listener");
        return 0;
    }
    pid_t p = fork();
    if (p == 0) {
        int c = socket(AF_INET, SOCK_STREAM, 0);
        if (c < 0 || connect(c, (struct sockaddr *)&a, sizeof a) < 0)
            _exit(1);
        /* One process sends while this one reads the echo (the buffers
         * do not hold the whole stream). */
        pid_t w = fork();
        if (w == 0)
            _exit(send_stream(c, 2, TCP_BYTES) && shutdown(c, SHUT_WR) == 0 ? 0 : 1);
        bool ok = w > 0 && read_check(c, 2, TCP_BYTES + 1) == TCP_BYTES;
        int wst = 1;
        ok = ok && waitpid(w, &wst, 0) == w && wst == 0;
        _exit(ok ? 0 : 1);
    }
    int s = p > 0 ? accept(l, NULL, NULL) : -1;
    close(l);
    static unsigned char b[65536];
    size_t got = 0;
    bool ok = s >= 0;
    while (ok) {
        ssize_t r = read(s, b, sizeof b);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        for (ssize_t i = 0; i < r && ok; i++)
            ok = b[i] == pattern(2, got + (size_t)i);
        ok = ok && write_all(s, b, (size_t)r);
        got += (size_t)r;
    }
    if (s >= 0)
        close(s);
    int st = 0;
    if (p < 0 || waitpid(p, &st, 0) != p || st != 0 || !ok || got != TCP_BYTES) {
        bad("the loopback TCP echo");
        return 0;
    }
    return got;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    int nf = files();
    int nk = forks();
    size_t np = through_pipe();
    size_t nt = over_tcp();
    if (failed || nf != NFILES || nk != NFORKS || np != PIPE_BYTES || nt != TCP_BYTES) {
        printf("neighbour: FAILED (files %d, forks %d, pipe %zu, tcp %zu)\n", nf, nk, np, nt);
        return 1;
    }
    printf("neighbour: ok (files %d, forks %d, pipe %zu, tcp %zu)\n", nf, nk, np, nt);
    return 0;
}
