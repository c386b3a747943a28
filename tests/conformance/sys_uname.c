/* uname: NUL-terminated fields with the expected fixed values. */
#include "check.h"
#include <sys/utsname.h>

static int terminated(const char *s, size_t n)
{
    return memchr(s, '\0', n) != NULL;
}

int main(void)
{
    struct utsname u;
    memset(&u, 0xff, sizeof u);
    CHECK_EQ(uname(&u), 0);
    CHECK(terminated(u.sysname, sizeof u.sysname));
    CHECK(terminated(u.nodename, sizeof u.nodename));
    CHECK(terminated(u.release, sizeof u.release));
    CHECK(terminated(u.version, sizeof u.version));
    CHECK(terminated(u.machine, sizeof u.machine));
    CHECK(terminated(u.domainname, sizeof u.domainname));
    CHECK_STREQ(u.sysname, "Linux");
    CHECK_STREQ(u.machine, "x86_64");
    /* The release looks like "X.Y..." with X >= 3 (glibc needs that). */
    CHECK(strlen(u.release) >= 3);
    CHECK(u.release[0] >= '3' && u.release[0] <= '9');
    CHECK(strchr(u.release, '.') != NULL);
    CHECK(strlen(u.version) > 0);

    /* Stable across calls and the same in a child. */
    struct utsname v;
    CHECK_EQ(syscall(SYS_uname, &v), 0);
    CHECK_STREQ(v.release, u.release);
    CHECK_STREQ(v.nodename, u.nodename);
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        struct utsname w;
        uname(&w);
        _exit(strcmp(w.release, u.release) == 0 && strcmp(w.nodename, u.nodename) == 0 ? 0 : 1);
    }
    CHECK_CHILD_EXIT(pid, 0);

    CHECK_ERR(uname(BAD_PTR), EFAULT);
    return 0;
}
