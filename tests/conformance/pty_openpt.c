/* posix_openpt/grantpt/unlockpt/ptsname: a new pair per open of /dev/ptmx,
 * the slave locked until unlockpt, /dev/pts/N a character device 136:N
 * owned by the opener, gone once the master is closed. */
#include "check.h"
#include <dirent.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

static int listed(const char *name)
{
    DIR *d = opendir("/dev/pts");
    CHECK(d != NULL);
    int found = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, name) == 0)
            found = 1;
    closedir(d);
    return found;
}

int main(void)
{
    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK(isatty(m));
    struct stat st;
    CHECK_OK(fstat(m, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_EQ(major(st.st_rdev), 5);
    CHECK_EQ(minor(st.st_rdev), 2);

    unsigned n = 9999;
    CHECK_EQ(ioctl(m, TIOCGPTN, &n), 0);
    char name[64], want[64];
    snprintf(want, sizeof want, "/dev/pts/%u", n);
    CHECK_EQ(ptsname_r(m, name, sizeof name), 0);
    CHECK_STREQ(name, want);
    CHECK_EQ(ptsname_r(m, name, 5), ERANGE);

    /* Locked until unlockpt: the slave cannot be opened. */
    int locked = -1;
    CHECK_EQ(ioctl(m, TIOCGPTLCK, &locked), 0);
    CHECK_EQ(locked, 1);
    CHECK_ERR(open(want, O_RDWR | O_NOCTTY), EIO);
    CHECK_EQ(grantpt(m), 0);
    CHECK_EQ(unlockpt(m), 0);
    CHECK_EQ(ioctl(m, TIOCGPTLCK, &locked), 0);
    CHECK_EQ(locked, 0);

    /* The slave node: 136:N, the opener's, listed in /dev/pts. */
    CHECK_OK(stat(want, &st));
    CHECK(S_ISCHR(st.st_mode));
    CHECK_EQ(major(st.st_rdev), 136);
    CHECK_EQ(minor(st.st_rdev), n);
    CHECK_EQ(st.st_uid, getuid());
    snprintf(name, sizeof name, "%u", n);
    CHECK(listed(name));
    CHECK(listed("ptmx"));

    int s = CHECK_OK(open(want, O_RDWR | O_NOCTTY));
    CHECK(isatty(s));
    CHECK_STREQ(ttyname(s), want);
    struct stat sst;
    CHECK_OK(fstat(s, &sst));
    CHECK_EQ(sst.st_rdev, st.st_rdev);
    CHECK_EQ(sst.st_ino, st.st_ino);
    /* TIOCGPTN is the master's: ENOTTY on the slave and on a non-tty. */
    CHECK_ERR(ioctl(s, TIOCGPTN, &n), ENOTTY);
    int nul = CHECK_OK(open("/dev/null", O_RDWR));
    CHECK_EQ(ptsname_r(nul, name, sizeof name), ENOTTY);
    CHECK_EQ(unlockpt(nul), -1);
    CHECK(!isatty(nul));

    /* Each open of /dev/ptmx is a new pair with another number. */
    int m2 = CHECK_OK(open("/dev/ptmx", O_RDWR | O_NOCTTY));
    unsigned n2;
    CHECK_EQ(ioctl(m2, TIOCGPTN, &n2), 0);
    CHECK_NE(n2, n);
    char want2[64];
    snprintf(want2, sizeof want2, "/dev/pts/%u", n2);
    CHECK_ERR(open(want2, O_RDWR | O_NOCTTY), EIO);   /* still locked */

    /* Closing the master takes the slave's node away. */
    CHECK_OK(close(m2));
    CHECK_ERR(stat(want2, &st), ENOENT);
    CHECK_OK(close(s));
    CHECK_OK(close(m));
    CHECK_ERR(open(want, O_RDWR | O_NOCTTY), ENOENT);
    CHECK(!listed(name));
    /* A number nobody has. */
    CHECK_ERR(open("/dev/pts/4000", O_RDWR | O_NOCTTY), ENOENT);
    return 0;
}
