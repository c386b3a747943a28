/* /dev/urandom: full reads of any size, varying data, writable. */
#include "check.h"

int main(void)
{
    int fd = CHECK_OK(open("/dev/urandom", O_RDONLY));
    unsigned char a[64], b[64];
    CHECK_EQ(read(fd, a, sizeof a), sizeof a);
    CHECK_EQ(read(fd, b, sizeof b), sizeof b);
    CHECK(memcmp(a, b, sizeof a) != 0);

    /* Large reads are satisfied in full. */
    static unsigned char big[1 << 16];
    CHECK_EQ(read(fd, big, sizeof big), sizeof big);
    int seen[256] = { 0 };
    for (size_t i = 0; i < sizeof big; i++)
        seen[big[i]]++;
    for (int i = 0; i < 256; i++)
        CHECK(seen[i] > 0);

    /* Writing (mixing entropy in) is allowed for root. */
    int w = CHECK_OK(open("/dev/urandom", O_WRONLY));
    CHECK_EQ(write(w, "entropy?", 8), 8);

    /* A forked child reading the same descriptor gets different data. */
    int p[2];
    CHECK_OK(pipe(p));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        unsigned char c[32];
        if (read(fd, c, sizeof c) != sizeof c || write(p[1], c, sizeof c) != sizeof c)
            _exit(1);
        _exit(0);
    }
    unsigned char mine[32], theirs[32];
    CHECK_EQ(read(fd, mine, sizeof mine), sizeof mine);
    CHECK_EQ(read(p[0], theirs, sizeof theirs), sizeof theirs);
    CHECK_CHILD_EXIT(pid, 0);
    CHECK(memcmp(mine, theirs, sizeof mine) != 0);
    return 0;
}
