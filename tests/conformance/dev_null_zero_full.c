/* /dev/null, /dev/zero, /dev/full: device numbers and semantics. */
#include "check.h"
#include <sys/mman.h>
#include <sys/sysmacros.h>

static void check_dev(const char *path, unsigned maj, unsigned min)
{
    struct stat st;
    CHECK_OK(stat(path, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_EQ(major(st.st_rdev), maj);
    CHECK_EQ(minor(st.st_rdev), min);
}

int main(void)
{
    char buf[4096];

    /* Memory devices, major 1 (Documentation/admin-guide/devices.txt). */
    check_dev("/dev/null", 1, 3);
    check_dev("/dev/zero", 1, 5);
    check_dev("/dev/full", 1, 7);
    check_dev("/dev/urandom", 1, 9);

    /* /dev/null: reads hit EOF, writes vanish but "succeed". */
    int n = CHECK_OK(open("/dev/null", O_RDWR));
    CHECK_EQ(read(n, buf, sizeof buf), 0);
    CHECK_EQ(write(n, buf, sizeof buf), sizeof buf);
    CHECK_EQ(write(n, "x", 1), 1);
    CHECK_EQ(read(n, buf, sizeof buf), 0);
    /* Seeking is allowed and a no-op. */
    CHECK_EQ(lseek(n, 100, SEEK_SET), 0);
    CHECK_EQ(pread(n, buf, 10, 0), 0);

    /* /dev/zero: endless zeros; writes are accepted. */
    int z = CHECK_OK(open("/dev/zero", O_RDWR));
    memset(buf, 0xff, sizeof buf);
    CHECK_EQ(read(z, buf, sizeof buf), sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        CHECK_EQ(buf[i], 0);
    CHECK_EQ(write(z, "abc", 3), 3);
    memset(buf, 0xff, 10);
    CHECK_EQ(read(z, buf, 10), 10);
    CHECK_EQ(buf[9], 0);
    /* A private mapping of /dev/zero is zeroed anonymous memory. */
    char *m = CHECK_OK(mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, z, 0));
    CHECK_EQ(m[0], 0);
    CHECK_EQ(m[8191], 0);
    m[5] = 'q';
    CHECK_EQ(m[5], 'q');

    /* /dev/full: writes fail with ENOSPC, reads give zeros. */
    int f = CHECK_OK(open("/dev/full", O_RDWR));
    CHECK_ERR(write(f, "x", 1), ENOSPC);
    CHECK_ERR(write(f, buf, sizeof buf), ENOSPC);
    memset(buf, 0xff, 16);
    CHECK_EQ(read(f, buf, 16), 16);
    CHECK_EQ(buf[0], 0);
    CHECK_EQ(buf[15], 0);

    /* Device files are not directories. */
    CHECK_ERR(open("/dev/null/x", O_RDONLY), ENOTDIR);
    return 0;
}
