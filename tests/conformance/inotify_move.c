/* inotify: renames as IN_MOVED_FROM/IN_MOVED_TO sharing a cookie, within a
 * directory and across two, IN_MOVE_SELF, renaming over a watched file
 * (IN_ATTRIB, IN_DELETE_SELF, IN_IGNORED), RENAME_EXCHANGE. */
#include "check.h"
#include <sys/inotify.h>

struct ev {
    int wd;
    uint32_t mask, cookie;
    char name[64];
};

static int in;

/* Reads the queued events into evs; returns how many. */
static int get(struct ev *evs, int max)
{
    char buf[4096] __attribute__((aligned(8)));
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) {
        CHECK_EQ(errno, EAGAIN);
        return 0;
    }
    int count = 0;
    for (ssize_t off = 0; off < n && count < max; count++) {
        struct inotify_event *e = (struct inotify_event *)(buf + off);
        evs[count].wd = e->wd;
        evs[count].mask = e->mask;
        evs[count].cookie = e->cookie;
        snprintf(evs[count].name, sizeof evs[count].name, "%s", e->len ? e->name : "");
        off += (ssize_t)sizeof *e + e->len;
    }
    return count;
}

static void check_ev(const struct ev *e, int wd, uint32_t mask, const char *name)
{
    CHECK_EQ(e->wd, wd);
    CHECK_EQ(e->mask, mask);
    CHECK_STREQ(e->name, name);
}

int main(void)
{
    enter_tmpdir();
    CHECK_OK(mkdir("a", 0755));
    CHECK_OK(mkdir("b", 0755));
    write_file("a/f", "f");
    in = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wa = CHECK_OK(inotify_add_watch(in, "a", IN_ALL_EVENTS));
    int wb = CHECK_OK(inotify_add_watch(in, "b", IN_ALL_EVENTS));
    int wf = CHECK_OK(inotify_add_watch(in, "a/f", IN_MOVE_SELF | IN_ATTRIB | IN_DELETE_SELF));
    struct ev e[8];

    /* Within one directory. */
    CHECK_OK(rename("a/f", "a/g"));
    CHECK_EQ(get(e, 8), 3);
    check_ev(&e[0], wa, IN_MOVED_FROM, "f");
    check_ev(&e[1], wa, IN_MOVED_TO, "g");
    CHECK_NE(e[0].cookie, 0);
    CHECK_EQ(e[1].cookie, e[0].cookie);
    check_ev(&e[2], wf, IN_MOVE_SELF, "");
    CHECK_EQ(e[2].cookie, 0);
    uint32_t first_cookie = e[0].cookie;

    /* Across directories: each directory its half, a new cookie. */
    CHECK_OK(rename("a/g", "b/h"));
    CHECK_EQ(get(e, 8), 3);
    check_ev(&e[0], wa, IN_MOVED_FROM, "g");
    check_ev(&e[1], wb, IN_MOVED_TO, "h");
    CHECK_EQ(e[1].cookie, e[0].cookie);
    CHECK_NE(e[0].cookie, first_cookie);
    check_ev(&e[2], wf, IN_MOVE_SELF, "");
    /* The watch follows the inode, not the name. */
    CHECK_OK(chmod("b/h", 0600));
    CHECK_EQ(get(e, 8), 2);
    check_ev(&e[0], wb, IN_ATTRIB, "h");
    check_ev(&e[1], wf, IN_ATTRIB, "");

    /* A directory moving: IN_ISDIR on both halves. */
    CHECK_OK(mkdir("a/sub", 0755));
    CHECK_EQ(get(e, 8), 1);
    CHECK_OK(rename("a/sub", "b/sub"));
    CHECK_EQ(get(e, 8), 2);
    check_ev(&e[0], wa, IN_MOVED_FROM | IN_ISDIR, "sub");
    check_ev(&e[1], wb, IN_MOVED_TO | IN_ISDIR, "sub");
    CHECK_EQ(e[1].cookie, e[0].cookie);

    /* Renaming over a watched file: the victim's link count changes
     * (IN_ATTRIB), and as it has no name left, IN_DELETE_SELF and the end
     * of its watch. */
    write_file("a/x", "x");
    CHECK_EQ(get(e, 8), 4);   /* CREATE OPEN MODIFY CLOSE_WRITE */
    CHECK_OK(rename("a/x", "b/h"));
    CHECK_EQ(get(e, 8), 5);
    check_ev(&e[0], wa, IN_MOVED_FROM, "x");
    check_ev(&e[1], wb, IN_MOVED_TO, "h");
    check_ev(&e[2], wf, IN_ATTRIB, "");
    check_ev(&e[3], wf, IN_DELETE_SELF, "");
    check_ev(&e[4], wf, IN_IGNORED, "");
    CHECK_ERR(inotify_rm_watch(in, wf), EINVAL);

    /* RENAME_EXCHANGE: two moves, each with its own cookie. */
    write_file("a/p", "p");
    write_file("b/q", "q");
    get(e, 8);
    if (syscall(SYS_renameat2, AT_FDCWD, "a/p", AT_FDCWD, "b/q", RENAME_EXCHANGE) == 0) {
        CHECK_EQ(get(e, 8), 4);
        check_ev(&e[0], wa, IN_MOVED_FROM, "p");
        check_ev(&e[1], wb, IN_MOVED_TO, "q");
        check_ev(&e[2], wb, IN_MOVED_FROM, "q");
        check_ev(&e[3], wa, IN_MOVED_TO, "p");
        CHECK_EQ(e[1].cookie, e[0].cookie);
        CHECK_EQ(e[3].cookie, e[2].cookie);
        CHECK_NE(e[2].cookie, e[0].cookie);
    } else {
        CHECK_EQ(errno, EINVAL);   /* a file system without it */
    }

    /* The watched directory itself moving: IN_MOVE_SELF on its watch. */
    CHECK_OK(rename("b", "c"));
    CHECK_EQ(get(e, 8), 1);
    check_ev(&e[0], wb, IN_MOVE_SELF, "");
    write_file("c/new", "");
    CHECK_EQ(get(e, 8), 3);   /* CREATE OPEN CLOSE_WRITE: nothing written */
    check_ev(&e[0], wb, IN_CREATE, "new");
    return 0;
}
