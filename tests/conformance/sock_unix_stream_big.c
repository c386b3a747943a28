/* A 1 MiB stream transfer between two processes in odd-sized pieces (the
 * bytes arrive complete and in order), MSG_WAITALL, MSG_PEEK across
 * writes, and the SIOCINQ/SIOCOUTQ counters while data is in flight. */
#include "check.h"
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define TOTAL (1 << 20)

static unsigned char pattern(size_t i)
{
    return (unsigned char)(i * 131 + (i >> 9));
}

int main(void)
{
    int sv[2];
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        close(sv[1]);
        static unsigned char out[TOTAL];
        for (size_t i = 0; i < TOTAL; i++)
            out[i] = pattern(i);
        size_t off = 0, step = 1;
        while (off < TOTAL) {
            size_t n = step < TOTAL - off ? step : TOTAL - off;
            /* Alternate write, send and a two-piece writev. */
            ssize_t w;
            if (step % 3 == 0) {
                struct iovec v[2] = { { out + off, n / 2 }, { out + off + n / 2, n - n / 2 } };
                w = writev(sv[0], v, 2);
            } else if (step % 3 == 1) {
                w = write(sv[0], out + off, n);
            } else {
                w = send(sv[0], out + off, n, 0);
            }
            CHECK(w > 0);
            off += (size_t)w;
            step = step * 7 % 100003 + 1;
        }
        _exit(0);
    }
    CHECK_OK(close(sv[0]));
    static unsigned char in[TOTAL + 1];
    size_t got = 0;
    while (got < TOTAL) {
        ssize_t r = read(sv[1], in + got, 65536 - (got % 1000));
        CHECK(r > 0);
        got += (size_t)r;
    }
    CHECK_EQ(read(sv[1], in + got, 1), 0);        /* end of file after exactly 1 MiB */
    CHECK_CHILD_EXIT(pid, 0);
    for (size_t i = 0; i < TOTAL; i++)
        if (in[i] != pattern(i))
            FAIL("byte %zu: %u != %u", i, in[i], pattern(i));
    CHECK_OK(close(sv[1]));

    /* MSG_WAITALL collects writes made over time; without it a read
     * returns what is there. */
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    pid = CHECK_OK(fork());
    if (pid == 0) {
        for (int i = 0; i < 4; i++) {
            sleep_ms(20);
            CHECK_EQ(send(sv[0], "abcd", 4, 0), 4);
        }
        _exit(0);
    }
    char buf[64];
    CHECK_EQ(recv(sv[1], buf, 16, MSG_WAITALL), 16);
    CHECK_MEMEQ(buf, "abcdabcdabcdabcd", 16);
    CHECK_CHILD_EXIT(pid, 0);

    /* Peeking sees across separate writes; the counters follow. */
    CHECK_EQ(send(sv[0], "12", 2, 0), 2);
    CHECK_EQ(send(sv[0], "345", 3, 0), 3);
    int inq = -1, outq = -1;
    CHECK_OK(ioctl(sv[1], SIOCINQ, &inq));
    CHECK_EQ(inq, 5);
    CHECK_OK(ioctl(sv[0], SIOCOUTQ, &outq));
    CHECK(outq >= 5);                              /* bytes plus bookkeeping */
    CHECK_EQ(recv(sv[1], buf, sizeof buf, MSG_PEEK), 5);
    CHECK_MEMEQ(buf, "12345", 5);
    CHECK_EQ(recv(sv[1], buf, 3, 0), 3);
    CHECK_OK(ioctl(sv[1], SIOCINQ, &inq));
    CHECK_EQ(inq, 2);
    CHECK_EQ(recv(sv[1], buf, sizeof buf, MSG_WAITALL | MSG_DONTWAIT), 2);
    CHECK_MEMEQ(buf, "45", 2);
    CHECK_OK(ioctl(sv[0], SIOCOUTQ, &outq));
    CHECK_EQ(outq, 0);
    /* MSG_WAITALL stops at end of file. */
    CHECK_EQ(send(sv[0], "xy", 2, 0), 2);
    CHECK_OK(shutdown(sv[0], SHUT_WR));
    CHECK_EQ(recv(sv[1], buf, sizeof buf, MSG_WAITALL), 2);
    CHECK_OK(close(sv[0]));
    CHECK_OK(close(sv[1]));
    return 0;
}
