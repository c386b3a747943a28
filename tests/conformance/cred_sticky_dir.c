/* The sticky bit of a world-writable directory (as /tmp): anyone may
 * create there, but only the owner of an entry (or of the directory, or
 * root) may remove or rename it. */
#include "check.h"
#include <grp.h>

static pid_t as_user(uid_t uid)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        CHECK_EQ(setgroups(0, NULL), 0);
        CHECK_EQ(setgid(uid), 0);
        CHECK_EQ(setuid(uid), 0);
    }
    return pid;
}

int main(void)
{
    const char *dir = make_tmpdir();
    CHECK_OK(chmod(dir, 0755));
    CHECK_OK(mkdir(tpath("t"), 0777));
    CHECK_OK(chmod(tpath("t"), 01777));
    struct stat st;
    CHECK_OK(stat(tpath("t"), &st));
    CHECK_EQ(st.st_mode & 07777, 01777);

    /* uid 1001 creates a file and a directory. */
    pid_t pid = as_user(1001);
    if (pid == 0) {
        write_file(tpath("t/his"), "1001");
        CHECK_OK(chmod(tpath("t/his"), 0666));   /* even world-writable */
        CHECK_OK(mkdir(tpath("t/hisdir"), 0777));
        CHECK_OK(chmod(tpath("t/hisdir"), 0777));
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* uid 1000 may write the file, but not remove or rename it. */
    pid = as_user(1000);
    if (pid == 0) {
        int fd = CHECK_OK(open(tpath("t/his"), O_WRONLY));
        close(fd);
        CHECK_ERR(unlink(tpath("t/his")), EPERM);
        CHECK_ERR(rename(tpath("t/his"), tpath("t/stolen")), EPERM);
        CHECK_ERR(rmdir(tpath("t/hisdir")), EPERM);
        /* Nor replace it by renaming its own file over it. */
        write_file(tpath("t/mine"), "1000");
        CHECK_ERR(rename(tpath("t/mine"), tpath("t/his")), EPERM);
        /* Its own file it may rename and remove. */
        CHECK_OK(rename(tpath("t/mine"), tpath("t/mine2")));
        CHECK_OK(unlink(tpath("t/mine2")));
        /* Inside his (non-sticky, world-writable) directory, anything goes. */
        write_file(tpath("t/hisdir/x"), "x");
        CHECK_OK(unlink(tpath("t/hisdir/x")));
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_OK(stat(tpath("t/his"), &st));
    CHECK_EQ(st.st_uid, 1001);

    /* The owner of the directory may remove anything in it. */
    CHECK_OK(chown(tpath("t"), 1000, 1000));
    pid = as_user(1000);
    if (pid == 0) {
        CHECK_OK(unlink(tpath("t/his")));
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Without the sticky bit, write permission on the directory is enough. */
    CHECK_OK(chmod(tpath("t"), 0777));
    pid = as_user(1001);
    if (pid == 0) {
        write_file(tpath("t/again"), "1001");
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);
    pid = as_user(1002);
    if (pid == 0) {
        CHECK_OK(rename(tpath("t/again"), tpath("t/moved")));
        CHECK_OK(unlink(tpath("t/moved")));
        _exit(0);
    }
    CHECK_CHILD_EXIT(pid, 0);

    /* Root (CAP_FOWNER) ignores the sticky bit. */
    CHECK_OK(chmod(tpath("t"), 01777));
    CHECK_OK(chown(tpath("t"), 0, 0));
    CHECK_OK(rmdir(tpath("t/hisdir")));
    return 0;
}
