/* inotify: the events of a directory and of the files in it, in order:
 * create, open, access, modify, attrib, close-write/nowrite, link, delete,
 * directories with IN_ISDIR, identical events merged, file and directory
 * watches both reporting. */
#include "check.h"
#include <dirent.h>
#include <sys/inotify.h>
#include <sys/time.h>

static int in;

/* Every queued event as "wd MASK name" lines joined by '|'. */
static const char *events(void)
{
    static char out[4096];
    char buf[4096] __attribute__((aligned(8)));
    out[0] = 0;
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) {
        CHECK_EQ(errno, EAGAIN);
        return out;
    }
    static const struct { uint32_t bit; const char *name; } names[] = {
        { IN_ACCESS, "ACCESS" }, { IN_MODIFY, "MODIFY" }, { IN_ATTRIB, "ATTRIB" },
        { IN_CLOSE_WRITE, "CLOSE_WRITE" }, { IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" },
        { IN_OPEN, "OPEN" }, { IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" },
        { IN_CREATE, "CREATE" }, { IN_DELETE, "DELETE" }, { IN_DELETE_SELF, "DELETE_SELF" },
        { IN_MOVE_SELF, "MOVE_SELF" }, { IN_IGNORED, "IGNORED" }, { IN_ISDIR, "ISDIR" },
    };
    for (ssize_t off = 0; off < n;) {
        struct inotify_event *e = (struct inotify_event *)(buf + off);
        char one[512];
        int len = snprintf(one, sizeof one, "%s%d ", out[0] ? "|" : "", e->wd);
        uint32_t m = e->mask;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            if (m & names[i].bit) {
                len += snprintf(one + len, sizeof one - (size_t)len, "%s%s",
                                m != e->mask ? "," : "", names[i].name);
                m &= ~names[i].bit;
            }
        }
        if (m)
            len += snprintf(one + len, sizeof one - (size_t)len, ",0x%x", m);
        if (e->len)
            snprintf(one + len, sizeof one - (size_t)len, " %s", e->name);
        strncat(out, one, sizeof out - strlen(out) - 1);
        off += (ssize_t)sizeof *e + e->len;
    }
    return out;
}

#define EXPECT(s) CHECK_STREQ(events(), s)

int main(void)
{
    enter_tmpdir();
    CHECK_OK(mkdir("d", 0755));
    in = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wd = CHECK_OK(inotify_add_watch(in, "d", IN_ALL_EVENTS));
    CHECK_EQ(wd, 1);

    /* Create, write, close. */
    int fd = CHECK_OK(open("d/a", O_WRONLY | O_CREAT | O_EXCL, 0644));
    EXPECT("1 CREATE a|1 OPEN a");
    CHECK_EQ(write(fd, "hello", 5), 5);
    CHECK_EQ(write(fd, "hello", 5), 5);
    CHECK_EQ(write(fd, "hello", 5), 5);
    EXPECT("1 MODIFY a");   /* identical events in a row merge */
    CHECK_OK(close(fd));
    EXPECT("1 CLOSE_WRITE a");
    /* Read: open, access, close-nowrite. */
    char buf[64];
    fd = CHECK_OK(open("d/a", O_RDONLY));
    CHECK_EQ(read(fd, buf, sizeof buf), 15);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);   /* nothing read: no event */
    CHECK_OK(close(fd));
    EXPECT("1 OPEN a|1 ACCESS a|1 CLOSE_NOWRITE a");
    /* A descriptor open for writing closes with CLOSE_WRITE even unwritten;
     * closing a dup does nothing until the last one. */
    fd = CHECK_OK(open("d/a", O_RDWR));
    int fd2 = CHECK_OK(dup(fd));
    CHECK_OK(close(fd));
    EXPECT("1 OPEN a");
    CHECK_OK(close(fd2));
    EXPECT("1 CLOSE_WRITE a");
    /* Attributes: chmod, chown, utimes; truncate is a modification. */
    CHECK_OK(chmod("d/a", 0600));
    EXPECT("1 ATTRIB a");
    CHECK_OK(chown("d/a", getuid(), getgid()));
    EXPECT("1 ATTRIB a");
    CHECK_OK(utimes("d/a", NULL));
    EXPECT("1 ATTRIB a");
    CHECK_OK(truncate("d/a", 3));
    EXPECT("1 MODIFY a");
    fd = CHECK_OK(open("d/a", O_WRONLY));
    CHECK_OK(ftruncate(fd, 1));
    CHECK_OK(close(fd));
    EXPECT("1 OPEN a|1 MODIFY a|1 CLOSE_WRITE a");
    /* O_PATH opens make no events. */
    fd = CHECK_OK(open("d/a", O_PATH));
    CHECK_OK(close(fd));
    EXPECT("");

    /* Hard link: a name was created (the inode's IN_ATTRIB goes only to
     * a watch on the file itself). */
    CHECK_OK(link("d/a", "d/b"));
    EXPECT("1 CREATE b");
    /* Other kinds of files. */
    CHECK_OK(symlink("a", "d/sym"));
    CHECK_OK(mkfifo("d/fifo", 0644));
    EXPECT("1 CREATE sym|1 CREATE fifo");
    /* Deletion. */
    CHECK_OK(unlink("d/b"));
    CHECK_OK(unlink("d/sym"));
    CHECK_OK(unlink("d/fifo"));
    EXPECT("1 DELETE b|1 DELETE sym|1 DELETE fifo");

    /* Directories: IN_ISDIR. */
    CHECK_OK(mkdir("d/sub", 0755));
    EXPECT("1 CREATE,ISDIR sub");
    DIR *dir = opendir("d/sub");
    CHECK(dir != NULL);
    while (readdir(dir))
        ;
    closedir(dir);
    EXPECT("1 OPEN,ISDIR sub|1 ACCESS,ISDIR sub|1 CLOSE_NOWRITE,ISDIR sub");
    /* The watched directory itself: events without a name. */
    dir = opendir("d");
    CHECK(dir != NULL);
    closedir(dir);
    EXPECT("1 OPEN,ISDIR|1 CLOSE_NOWRITE,ISDIR");
    CHECK_OK(chmod("d/sub", 0700));
    EXPECT("1 ATTRIB,ISDIR sub");
    CHECK_OK(rmdir("d/sub"));
    EXPECT("1 DELETE,ISDIR sub");

    /* A file watched on its own too: the directory's event first (with
     * the name), then the file's (without). */
    int wa = CHECK_OK(inotify_add_watch(in, "d/a", IN_MODIFY | IN_ATTRIB));
    CHECK_EQ(wa, 2);
    CHECK_OK(chmod("d/a", 0644));
    EXPECT("1 ATTRIB a|2 ATTRIB");
    fd = CHECK_OK(open("d/a", O_WRONLY | O_APPEND));
    CHECK_EQ(write(fd, "x", 1), 1);
    CHECK_OK(close(fd));
    EXPECT("1 OPEN a|1 MODIFY a|2 MODIFY|1 CLOSE_WRITE a");
    /* A watch for a subset of events only sees those. */
    CHECK_EQ(inotify_add_watch(in, "d", IN_DELETE), wd);
    write_file("d/c", "c");
    EXPECT("");
    CHECK_OK(unlink("d/c"));
    EXPECT("1 DELETE c");
    /* Unlinking a name of the watched file: IN_ATTRIB (its link count). */
    CHECK_OK(link("d/a", "d/e"));
    EXPECT("2 ATTRIB");
    CHECK_OK(unlink("d/e"));
    EXPECT("2 ATTRIB|1 DELETE e");

    /* Files outside the watched directory make no events. */
    write_file("outside", "o");
    CHECK_OK(unlink("outside"));
    EXPECT("");
    return 0;
}
