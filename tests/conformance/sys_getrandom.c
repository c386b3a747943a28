/* getrandom: full reads for small sizes, different results, flags. */
#include "check.h"
#include <sys/random.h>

int main(void)
{
    unsigned char a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);

    /* Requests of up to 256 bytes are never short. */
    CHECK_EQ(getrandom(a, sizeof a, 0), sizeof a);
    CHECK_EQ(getrandom(b, sizeof b, 0), sizeof b);
    /* Two 512-bit draws are (overwhelmingly likely) different and not 0. */
    CHECK(memcmp(a, b, sizeof a) != 0);
    static const unsigned char zero[64];
    CHECK(memcmp(a, zero, sizeof a) != 0);

    unsigned char big[256];
    CHECK_EQ(getrandom(big, sizeof big, 0), 256);
    /* Flags. */
    CHECK_EQ(getrandom(a, 16, GRND_NONBLOCK), 16);
    CHECK_EQ(getrandom(a, 16, GRND_RANDOM), 16);
    CHECK_EQ(getrandom(a, 16, GRND_RANDOM | GRND_NONBLOCK), 16);
    CHECK_EQ(getrandom(a, 0, 0), 0);

    /* Roughly uniform bytes: over 64 KiB every value should appear. */
    static unsigned char buf[65536];
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = CHECK_OK(getrandom(buf + got, sizeof buf - got, 0));
        CHECK(n > 0);
        got += n;
    }
    int seen[256] = { 0 };
    for (size_t i = 0; i < sizeof buf; i++)
        seen[buf[i]]++;
    for (int i = 0; i < 256; i++)
        CHECK(seen[i] > 0);

    /* A child gets different bytes (the state is not simply copied). */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        unsigned char c[32];
        if (getrandom(c, sizeof c, 0) != sizeof c || write(p[1], c, sizeof c) != sizeof c)
            _exit(1);
        _exit(0);
    }
    unsigned char mine[32], theirs[32];
    CHECK_EQ(getrandom(mine, sizeof mine, 0), sizeof mine);
    CHECK_EQ(read(p[0], theirs, sizeof theirs), sizeof theirs);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK(memcmp(mine, theirs, sizeof mine) != 0);

    /* Errors. */
    CHECK_ERR(getrandom(a, 16, 0x1000), EINVAL);
    CHECK_ERR(syscall(SYS_getrandom, BAD_PTR, 16, 0), EFAULT);
    return 0;
}
