/* umask: returns the old mask, keeps only 0777 bits, applies to created
 * files and directories (not to chmod or symlinks), inherited by fork. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;

    umask(022);
    CHECK_EQ(umask(027), 022);
    CHECK_EQ(umask(027), 027);
    /* Only the permission bits are kept. */
    CHECK_EQ(umask(07777), 027);
    CHECK_EQ(umask(0), 0777);
    CHECK_EQ(syscall(SYS_umask, 027), 0);
    CHECK_EQ(umask(027), 027);

    /* Applied to open(O_CREAT), creat and mkdir. */
    int fd = CHECK_OK(open("f", O_CREAT | O_WRONLY, 0777));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0750);
    CHECK_OK(close(fd));
    fd = CHECK_OK(creat("g", 0666));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_mode & 07777, 0640);
    CHECK_OK(close(fd));
    CHECK_OK(mkdir("d", 0777));
    CHECK_OK(stat("d", &st));
    CHECK_EQ(st.st_mode & 07777, 0750);
    CHECK_OK(mkdirat(AT_FDCWD, "d2", 0700));
    CHECK_OK(stat("d2", &st));
    CHECK_EQ(st.st_mode & 07777, 0700);

    /* Not applied to chmod. */
    CHECK_OK(chmod("f", 0777));
    CHECK_OK(stat("f", &st));
    CHECK_EQ(st.st_mode & 07777, 0777);
    /* Symlinks are always 0777. */
    CHECK_OK(symlink("f", "l"));
    CHECK_OK(lstat("l", &st));
    CHECK_EQ(st.st_mode & 07777, 0777);

    /* A child inherits the mask; its changes do not affect us. */
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(umask(0), 027);
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(umask(022), 027);
    return 0;
}
