/* open error paths: ENOENT, ENOTDIR, EISDIR, EEXIST, EFAULT; O_DIRECTORY. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    write_file("file", "data");
    CHECK_OK(mkdir("dir", 0755));
    /* The descriptor number the next successful open will return. */
    int next = CHECK_OK(open("file", O_RDONLY));
    CHECK_OK(close(next));

    /* ENOENT: missing file, missing parent (even with O_CREAT), "". */
    CHECK_ERR(open("missing", O_RDONLY), ENOENT);
    CHECK_ERR(open("nodir/x", O_RDONLY), ENOENT);
    CHECK_ERR(open("nodir/x", O_CREAT | O_WRONLY, 0644), ENOENT);
    CHECK_ERR(open("", O_RDONLY), ENOENT);
    CHECK_ERR(open("", O_CREAT | O_WRONLY, 0644), ENOENT);

    /* ENOTDIR: a regular file used as a directory. */
    CHECK_ERR(open("file/x", O_RDONLY), ENOTDIR);
    CHECK_ERR(open("file/x", O_CREAT | O_WRONLY, 0644), ENOTDIR);
    CHECK_ERR(open("file/", O_RDONLY), ENOTDIR);      /* trailing slash */
    CHECK_ERR(open("file", O_RDONLY | O_DIRECTORY), ENOTDIR);

    /* Directories can be opened read-only, with or without O_DIRECTORY. */
    int fd = CHECK_OK(open("dir", O_RDONLY));
    CHECK_OK(close(fd));
    fd = CHECK_OK(open("dir", O_RDONLY | O_DIRECTORY));
    CHECK_OK(close(fd));
    fd = CHECK_OK(open("dir/", O_RDONLY));
    CHECK_OK(close(fd));
    fd = CHECK_OK(open(".", O_RDONLY | O_DIRECTORY));
    CHECK_OK(close(fd));

    /* ...but not for writing: EISDIR. */
    CHECK_ERR(open("dir", O_WRONLY), EISDIR);
    CHECK_ERR(open("dir", O_RDWR), EISDIR);
    CHECK_ERR(open("dir", O_RDWR | O_TRUNC), EISDIR);
    /* O_CREAT naming an existing directory: EISDIR; with O_EXCL: EEXIST. */
    CHECK_ERR(open("dir", O_CREAT | O_WRONLY, 0644), EISDIR);
    CHECK_ERR(open("dir", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);

    /* Bad path pointer. */
    CHECK_ERR(open(BAD_PTR, O_RDONLY), EFAULT);
    CHECK_ERR(open(BAD_PTR, O_CREAT | O_WRONLY, 0644), EFAULT);

    /* Failed opens created nothing and consumed no descriptor. */
    CHECK_ERR(access("nodir", F_OK), ENOENT);
    CHECK_EQ(open("file", O_RDONLY), next);
    return 0;
}
