/* inotify: the end of a watched file or directory (IN_DELETE_SELF, then
 * IN_IGNORED; for an open file only when the last descriptor closes),
 * IN_ONESHOT, IN_EXCL_UNLINK, blocking reads, epoll on an inotify fd, and
 * the queue's overflow. */
#include "check.h"
#include <sys/epoll.h>
#include <sys/inotify.h>

static int in;

static const char *mask_name(uint32_t m)
{
    switch (m) {
    case IN_ATTRIB: return "ATTRIB";
    case IN_DELETE: return "DELETE";
    case IN_DELETE | IN_ISDIR: return "DELETE,ISDIR";
    case IN_DELETE_SELF: return "DELETE_SELF";
    case IN_IGNORED: return "IGNORED";
    case IN_OPEN: return "OPEN";
    case IN_CLOSE_WRITE: return "CLOSE_WRITE";
    case IN_CLOSE_NOWRITE: return "CLOSE_NOWRITE";
    case IN_MODIFY: return "MODIFY";
    case IN_CREATE: return "CREATE";
    case IN_CREATE | IN_ISDIR: return "CREATE,ISDIR";
    case IN_Q_OVERFLOW: return "Q_OVERFLOW";
    default: return "?";
    }
}

/* The queued events as "wd MASK[ name]|...". */
static const char *events(void)
{
    static char out[2048];
    char buf[4096] __attribute__((aligned(8)));
    out[0] = 0;
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0) {
        CHECK_EQ(errno, EAGAIN);
        return out;
    }
    for (ssize_t off = 0; off < n;) {
        struct inotify_event *e = (struct inotify_event *)(buf + off);
        char one[128];
        snprintf(one, sizeof one, "%s%d %s%s%s", out[0] ? "|" : "", e->wd, mask_name(e->mask),
                 e->len ? " " : "", e->len ? e->name : "");
        strncat(out, one, sizeof out - strlen(out) - 1);
        off += (ssize_t)sizeof *e + e->len;
    }
    return out;
}

#define EXPECT(s) CHECK_STREQ(events(), s)
#define SELF (IN_ATTRIB | IN_DELETE_SELF | IN_CLOSE | IN_MODIFY)

static int max_queued(void)
{
    char buf[32];
    int fd = open("/proc/sys/fs/inotify/max_queued_events", O_RDONLY);
    if (fd < 0)
        return 16384;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return n > 0 ? atoi(buf) : 16384;
}

int main(void)
{
    enter_tmpdir();
    CHECK_OK(mkdir("d", 0755));
    in = CHECK_OK(inotify_init1(IN_NONBLOCK));
    int wd = CHECK_OK(inotify_add_watch(in, "d", IN_DELETE | IN_CREATE));

    /* Unlinking a watched file. */
    write_file("d/f", "f");
    EXPECT("1 CREATE f");
    int wf = CHECK_OK(inotify_add_watch(in, "d/f", SELF));
    CHECK_OK(unlink("d/f"));
    EXPECT("2 ATTRIB|2 DELETE_SELF|2 IGNORED|1 DELETE f");
    CHECK_ERR(inotify_rm_watch(in, wf), EINVAL);

    /* Open, it lives on: IN_DELETE_SELF comes with the last close. */
    write_file("d/g", "g");
    EXPECT("1 CREATE g");
    int wg = CHECK_OK(inotify_add_watch(in, "d/g", SELF));
    int fd = CHECK_OK(open("d/g", O_RDONLY));
    CHECK_OK(unlink("d/g"));
    EXPECT("3 ATTRIB|1 DELETE g");
    int fd2 = CHECK_OK(dup(fd));
    CHECK_OK(close(fd));
    EXPECT("");
    CHECK_OK(close(fd2));
    EXPECT("3 CLOSE_NOWRITE|3 DELETE_SELF|3 IGNORED");
    (void)wg;

    /* Another name left: only the link count changes. */
    write_file("d/h", "h");
    CHECK_OK(link("d/h", "d/h2"));
    EXPECT("1 CREATE h|1 CREATE h2");
    int wh = CHECK_OK(inotify_add_watch(in, "d/h", SELF));
    CHECK_OK(unlink("d/h"));
    EXPECT("4 ATTRIB|1 DELETE h");
    CHECK_OK(unlink("d/h2"));
    EXPECT("4 ATTRIB|4 DELETE_SELF|4 IGNORED|1 DELETE h2");
    (void)wh;

    /* A watched directory removed. */
    CHECK_OK(mkdir("d/sub", 0755));
    EXPECT("1 CREATE,ISDIR sub");
    int ws = CHECK_OK(inotify_add_watch(in, "d/sub", IN_DELETE_SELF));
    CHECK_OK(rmdir("d/sub"));
    EXPECT("5 DELETE_SELF|5 IGNORED|1 DELETE,ISDIR sub");
    (void)ws;

    /* IN_ONESHOT: one event, then IN_IGNORED. */
    write_file("d/o", "");
    events();
    int wo = CHECK_OK(inotify_add_watch(in, "d/o", IN_ATTRIB | IN_ONESHOT));
    CHECK_OK(chmod("d/o", 0600));
    CHECK_OK(chmod("d/o", 0644));
    EXPECT("6 ATTRIB|6 IGNORED");
    CHECK_ERR(inotify_rm_watch(in, wo), EINVAL);

    /* IN_EXCL_UNLINK: no more events about a child once it is unlinked. */
    int in2 = CHECK_OK(inotify_init1(IN_NONBLOCK));
    CHECK_OK(inotify_add_watch(in2, "d", IN_MODIFY | IN_EXCL_UNLINK));
    fd = CHECK_OK(open("d/o", O_WRONLY));
    CHECK_EQ(write(fd, "a", 1), 1);
    CHECK_OK(unlink("d/o"));
    CHECK_EQ(write(fd, "b", 1), 1);
    CHECK_OK(close(fd));
    struct inotify_event ev[4];
    CHECK_EQ(read(in2, ev, sizeof ev), (ssize_t)(sizeof ev[0] + 16));
    CHECK_EQ(ev[0].mask, IN_MODIFY);
    CHECK_ERR(read(in2, ev, sizeof ev), EAGAIN);
    close(in2);
    events();

    /* A blocking read is woken by an event; epoll sees the fd readable. */
    int ep = CHECK_OK(epoll_create1(0));
    struct epoll_event eev = { .events = EPOLLIN, .data.u32 = 99 }, out;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, in, &eev));
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);
    int bl = CHECK_OK(inotify_init());
    CHECK_OK(inotify_add_watch(bl, "d", IN_CREATE));
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        sleep_ms(100);
        write_file("d/late", "");
        _exit(0);
    }
    char buf[256] __attribute__((aligned(8)));
    CHECK_EQ(read(bl, buf, sizeof buf), (ssize_t)(sizeof(struct inotify_event) + 16));
    CHECK_STREQ(((struct inotify_event *)buf)->name, "late");
    CHECK_CHILD_EXIT(pid, 0);
    CHECK_EQ(epoll_wait(ep, &out, 1, 5000), 1);
    CHECK_EQ(out.data.u32, 99);
    EXPECT("1 CREATE late");
    CHECK_EQ(epoll_wait(ep, &out, 1, 0), 0);

    /* Overflow: past the limit one IN_Q_OVERFLOW (wd -1) stands for the
     * rest. */
    int ov = CHECK_OK(inotify_init1(IN_NONBLOCK));
    CHECK_OK(inotify_add_watch(ov, "d", IN_CREATE | IN_DELETE));
    int limit = max_queued();
    for (int i = 0; i < limit / 2 + 2; i++) {
        CHECK_OK(mkdir("d/x", 0755));
        CHECK_OK(rmdir("d/x"));
    }
    int count = 0, overflows = 0;
    char big[65536] __attribute__((aligned(8)));
    ssize_t n;
    while ((n = read(ov, big, sizeof big)) > 0) {
        for (ssize_t off = 0; off < n;) {
            struct inotify_event *e = (struct inotify_event *)(big + off);
            if (e->mask == IN_Q_OVERFLOW) {
                CHECK_EQ(e->wd, -1);
                CHECK_EQ(e->len, 0);
                overflows++;
            } else {
                count++;
            }
            off += (ssize_t)sizeof *e + e->len;
        }
    }
    CHECK_EQ(count, limit);
    CHECK_EQ(overflows, 1);
    (void)wd;
    return 0;
}
