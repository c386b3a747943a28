/* ENAMETOOLONG: a component over NAME_MAX (255) bytes, a path of PATH_MAX
 * (4096) bytes or more. */
#include "check.h"

int main(void)
{
    enter_tmpdir();
    struct stat st;
    char name[300], path[PATH_MAX + 64];

    /* 255 bytes is the largest valid component (tmpfs, ext4). */
    memset(name, 'n', 255);
    name[255] = '\0';
    int fd = CHECK_OK(open(name, O_CREAT | O_WRONLY, 0644));
    CHECK_OK(close(fd));
    CHECK_OK(stat(name, &st));
    CHECK_OK(unlink(name));
    CHECK_OK(mkdir(name, 0755));
    CHECK_OK(rmdir(name));

    /* 256 bytes: too long, for every kind of call. */
    memset(name, 'n', 256);
    name[256] = '\0';
    CHECK_ERR(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG);
    CHECK_ERR(open(name, O_RDONLY), ENAMETOOLONG);
    CHECK_ERR(stat(name, &st), ENAMETOOLONG);
    CHECK_ERR(lstat(name, &st), ENAMETOOLONG);
    CHECK_ERR(mkdir(name, 0755), ENAMETOOLONG);
    CHECK_ERR(rmdir(name), ENAMETOOLONG);
    CHECK_ERR(unlink(name), ENAMETOOLONG);
    CHECK_ERR(access(name, F_OK), ENAMETOOLONG);
    CHECK_ERR(chdir(name), ENAMETOOLONG);
    CHECK_ERR(symlink("x", name), ENAMETOOLONG);
    write_file("short", "");
    CHECK_ERR(rename("short", name), ENAMETOOLONG);
    CHECK_ERR(link("short", name), ENAMETOOLONG);
    /* ...also as a middle component. */
    snprintf(path, sizeof path, "%s/x", name);
    CHECK_ERR(stat(path, &st), ENAMETOOLONG);

    /* A path of 4096 bytes (no room for the NUL in PATH_MAX) is too long,
     * even if every component is short ("./" repeated). */
    size_t len = 0;
    while (len < PATH_MAX - 5) {
        path[len++] = '.';
        path[len++] = '/';
    }
    strcpy(path + len, "short");
    len = strlen(path);
    CHECK(len >= PATH_MAX);
    CHECK_ERR(stat(path, &st), ENAMETOOLONG);
    CHECK_ERR(open(path, O_RDONLY), ENAMETOOLONG);
    /* Shortened well below PATH_MAX it resolves fine. */
    const char *shorter = path + ((len - 3000) & ~(size_t)1); /* "./.../short" */
    CHECK_EQ(shorter[0], '.');
    CHECK_OK(stat(shorter, &st));

    /* A symlink target of PATH_MAX bytes or more is refused. */
    char *target = malloc(PATH_MAX + 1);
    CHECK(target != NULL);
    memset(target, 'a', PATH_MAX);
    target[PATH_MAX] = '\0';
    CHECK_ERR(symlink(target, "l"), ENAMETOOLONG);
    free(target);
    return 0;
}
