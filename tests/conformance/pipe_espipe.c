/* Pipes are not seekable: lseek, pread, pwrite fail with ESPIPE. */
#include "check.h"

int main(void)
{
    int p[2];
    char buf[8];

    CHECK_OK(pipe(p));
    CHECK_EQ(write(p[1], "data", 4), 4);
    CHECK_ERR(lseek(p[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    CHECK_ERR(lseek(p[1], 0, SEEK_END), ESPIPE);
    CHECK_ERR(pread(p[0], buf, 1, 0), ESPIPE);
    CHECK_ERR(pwrite(p[1], "x", 1, 0), ESPIPE);
    /* The failed calls consumed nothing. */
    CHECK_EQ(read(p[0], buf, sizeof buf), 4);
    CHECK_MEMEQ(buf, "data", 4);
    /* Seeking a closed descriptor is EBADF, which wins over ESPIPE. */
    close(p[0]);
    CHECK_ERR(lseek(p[0], 0, SEEK_SET), EBADF);
    close(p[1]);
    return 0;
}
