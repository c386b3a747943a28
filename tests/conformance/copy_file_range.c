/* copy_file_range(2): copies between regular files at explicit offsets
 * or the files' own, short at EOF, and the checks: flags, overlapping
 * ranges of one file, access modes, O_APPEND, non-regular files. */
#include "check.h"

int main(void)
{
    make_tmpdir();
    int in = CHECK_OK(open(tpath("in"), O_RDWR | O_CREAT, 0600));
    char data[100000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (char)('a' + i % 26);
    CHECK_EQ(write(in, data, sizeof data), (ssize_t)sizeof data);
    int out = CHECK_OK(open(tpath("out"), O_RDWR | O_CREAT, 0600));

    /* With the files' offsets: both move. */
    CHECK_OK(lseek(in, 10, SEEK_SET));
    CHECK_EQ(copy_file_range(in, NULL, out, NULL, 20, 0), 20);
    CHECK_EQ(lseek(in, 0, SEEK_CUR), 30);
    CHECK_EQ(lseek(out, 0, SEEK_CUR), 20);
    char buf[sizeof data];
    CHECK_EQ(pread(out, buf, 20, 0), 20);
    CHECK_MEMEQ(buf, data + 10, 20);

    /* Explicit offsets are updated, the files' are not. */
    loff_t oi = 1000, oo = 50;
    CHECK_EQ(copy_file_range(in, &oi, out, &oo, 5000, 0), 5000);
    CHECK_EQ(oi, 6000);
    CHECK_EQ(oo, 5050);
    CHECK_EQ(lseek(in, 0, SEEK_CUR), 30);
    CHECK_EQ(lseek(out, 0, SEEK_CUR), 20);
    CHECK_EQ(pread(out, buf, 5000, 50), 5000);
    CHECK_MEMEQ(buf, data + 1000, 5000);
    CHECK_EQ(pread(out, buf, 30, 20), 30);   /* the gap is zeros */
    for (int i = 0; i < 30; i++)
        CHECK_EQ(buf[i], 0);

    /* A big copy, short at EOF, and 0 past it. */
    oi = 0;
    oo = 0;
    CHECK_EQ(copy_file_range(in, &oi, out, &oo, 1 << 20, 0), (ssize_t)sizeof data);
    CHECK_EQ(pread(out, buf, sizeof buf, 0), (ssize_t)sizeof data);
    CHECK_MEMEQ(buf, data, sizeof data);
    CHECK_EQ(copy_file_range(in, &oi, out, &oo, 10, 0), 0);
    CHECK_EQ(copy_file_range(in, NULL, out, NULL, 0, 0), 0);

    /* Within one file, ranges may not overlap. */
    oi = 0;
    oo = 5;
    CHECK_ERR(copy_file_range(in, &oi, in, &oo, 10, 0), EINVAL);
    oo = 200000;
    CHECK_EQ(copy_file_range(in, &oi, in, &oo, 10, 0), 10);
    CHECK_EQ(pread(in, buf, 10, 200000), 10);
    CHECK_MEMEQ(buf, data, 10);

    /* Errors. */
    oi = 0;
    CHECK_ERR(copy_file_range(in, &oi, out, NULL, 1, 1), EINVAL);
    CHECK_ERR(copy_file_range(999, NULL, out, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_file_range(in, NULL, 999, NULL, 1, 0), EBADF);
    int ro = CHECK_OK(open(tpath("out"), O_RDONLY));
    int wo = CHECK_OK(open(tpath("in"), O_WRONLY));
    int app = CHECK_OK(open(tpath("out"), O_WRONLY | O_APPEND));
    CHECK_ERR(copy_file_range(in, &oi, ro, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_file_range(wo, &oi, out, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_file_range(in, &oi, app, NULL, 1, 0), EBADF);
    int dir = CHECK_OK(open(make_tmpdir(), O_RDONLY | O_DIRECTORY));
    CHECK_ERR(copy_file_range(dir, NULL, out, NULL, 1, 0), EISDIR);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(copy_file_range(in, &oi, p[1], NULL, 1, 0), EINVAL);
    CHECK_ERR(copy_file_range(in, BAD_PTR, out, NULL, 1, 0), EFAULT);
    oi = -1;   /* wraps with the length */
    CHECK_ERR(copy_file_range(in, &oi, out, NULL, 1, 0), EOVERFLOW);
    oi = -5;
    CHECK_ERR(copy_file_range(in, &oi, out, NULL, 1, 0), EINVAL);
    return 0;
}
