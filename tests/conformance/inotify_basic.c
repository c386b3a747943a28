/* inotify: init flags, inotify_add_watch/rm_watch and their errors, watch
 * descriptors, IN_IGNORED, the record format (names padded), FIONREAD,
 * EAGAIN, a buffer too small. */
#include "check.h"
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#ifndef IN_MASK_CREATE
#define IN_MASK_CREATE 0x10000000
#endif

int main(void)
{
    enter_tmpdir();
    CHECK_OK(mkdir("d", 0755));
    write_file("f", "x");
    CHECK_OK(symlink("f", "link"));

    CHECK_ERR(inotify_init1(0x1234), EINVAL);
    CHECK_ERR(inotify_init1(O_RDWR), EINVAL);
    int in = CHECK_OK(inotify_init1(IN_NONBLOCK));
    CHECK_EQ(fcntl(in, F_GETFD), 0);
    CHECK_EQ(fcntl(in, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
    int in2 = CHECK_OK(inotify_init1(IN_CLOEXEC));
    CHECK_EQ(fcntl(in2, F_GETFD), FD_CLOEXEC);
    int in3 = CHECK_OK(inotify_init());
    CHECK_EQ(fcntl(in3, F_GETFL) & O_NONBLOCK, 0);

    /* Errors of inotify_add_watch. */
    CHECK_ERR(inotify_add_watch(9999, "d", IN_CREATE), EBADF);
    int p[2];
    CHECK_OK(pipe(p));
    CHECK_ERR(inotify_add_watch(p[0], "d", IN_CREATE), EINVAL);
    CHECK_ERR(inotify_add_watch(in, "d", 0), EINVAL);
    CHECK_ERR(inotify_add_watch(in, "d", 0x00800000), EINVAL);   /* unknown bit */
    CHECK_ERR(inotify_add_watch(in, "nonexistent", IN_CREATE), ENOENT);
    CHECK_ERR(inotify_add_watch(in, "f", IN_CREATE | IN_ONLYDIR), ENOTDIR);
    CHECK_ERR(inotify_add_watch(in, "d", IN_CREATE | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
    CHECK_ERR(inotify_add_watch(in, BAD_PTR, IN_CREATE), EFAULT);

    /* Watch descriptors: one per inode, counting up. */
    int wd = CHECK_OK(inotify_add_watch(in, "d", IN_CREATE));
    CHECK(wd >= 1);
    CHECK_EQ(inotify_add_watch(in, "d", IN_DELETE), wd);
    CHECK_EQ(inotify_add_watch(in, "./d/", IN_CREATE | IN_ONLYDIR), wd);
    CHECK_ERR(inotify_add_watch(in, "d", IN_CREATE | IN_MASK_CREATE), EEXIST);
    int wf = CHECK_OK(inotify_add_watch(in, "f", IN_ATTRIB));
    CHECK_NE(wf, wd);
    /* Through the symlink: the file; with IN_DONT_FOLLOW: the link. */
    CHECK_EQ(inotify_add_watch(in, "link", IN_ATTRIB), wf);
    int wl = CHECK_OK(inotify_add_watch(in, "link", IN_ATTRIB | IN_DONT_FOLLOW));
    CHECK_NE(wl, wf);
    /* Other instances have their own numbering. */
    CHECK_EQ(inotify_add_watch(in2, "d", IN_CREATE), 1);

    /* Nothing yet. */
    char buf[4096] __attribute__((aligned(8)));
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);
    int avail = -1;
    CHECK_OK(ioctl(in, FIONREAD, &avail));
    CHECK_EQ(avail, 0);
    struct pollfd pfd = { .fd = in, .events = POLLIN };
    CHECK_EQ(poll(&pfd, 1, 0), 0);

    /* One event with a name: the record is padded to a multiple of 16. */
    write_file("d/abcdefghijklmnopq", "");   /* 17 characters */
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    CHECK_OK(ioctl(in, FIONREAD, &avail));
    CHECK_EQ(avail, (int)sizeof(struct inotify_event) + 32);
    /* A buffer that cannot hold it. */
    CHECK_ERR(read(in, buf, sizeof(struct inotify_event) + 17), EINVAL);
    ssize_t n = CHECK_OK(read(in, buf, sizeof buf));
    CHECK_EQ(n, (ssize_t)sizeof(struct inotify_event) + 32);
    struct inotify_event *e = (struct inotify_event *)buf;
    CHECK_EQ(e->wd, wd);
    CHECK_EQ(e->mask, IN_CREATE);
    CHECK_EQ(e->cookie, 0);
    CHECK_EQ(e->len, 32);
    CHECK_STREQ(e->name, "abcdefghijklmnopq");
    for (int i = 17; i < 32; i++)
        CHECK_EQ(e->name[i], 0);
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);

    /* An event about the watched file itself has no name. */
    CHECK_OK(chmod("f", 0600));
    n = CHECK_OK(read(in, buf, sizeof buf));
    CHECK_EQ(n, (ssize_t)sizeof(struct inotify_event));
    CHECK_EQ(e->wd, wf);
    CHECK_EQ(e->mask, IN_ATTRIB);
    CHECK_EQ(e->len, 0);
    /* The link's own attributes: lchown on it (via its own watch). */
    CHECK_OK(lchown("link", getuid(), getgid()));
    n = CHECK_OK(read(in, buf, sizeof buf));
    CHECK_EQ(n, (ssize_t)sizeof(struct inotify_event));
    CHECK_EQ(e->wd, wl);
    CHECK_EQ(e->mask, IN_ATTRIB);

    /* Replacing the mask: IN_CREATE is no longer watched. */
    CHECK_EQ(inotify_add_watch(in, "d", IN_DELETE), wd);
    write_file("d/g", "");
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);
    CHECK_OK(unlink("d/g"));
    n = CHECK_OK(read(in, buf, sizeof buf));
    CHECK_EQ(e->mask, IN_DELETE);
    CHECK_STREQ(e->name, "g");
    /* IN_MASK_ADD adds to it. */
    CHECK_EQ(inotify_add_watch(in, "d", IN_CREATE | IN_MASK_ADD), wd);
    write_file("d/h", "");
    CHECK_OK(unlink("d/h"));
    n = CHECK_OK(read(in, buf, sizeof buf));
    CHECK_EQ(n, 2 * ((ssize_t)sizeof(struct inotify_event) + 16));
    CHECK_EQ(e->mask, IN_CREATE);
    e = (struct inotify_event *)(buf + sizeof *e + e->len);
    CHECK_EQ(e->mask, IN_DELETE);
    CHECK_STREQ(e->name, "h");
    e = (struct inotify_event *)buf;

    /* rm_watch: IN_IGNORED, then the wd is gone. */
    CHECK_OK(inotify_rm_watch(in, wd));
    n = CHECK_OK(read(in, buf, sizeof buf));
    CHECK_EQ(n, (ssize_t)sizeof(struct inotify_event));
    CHECK_EQ(e->wd, wd);
    CHECK_EQ(e->mask, IN_IGNORED);
    CHECK_ERR(inotify_rm_watch(in, wd), EINVAL);
    CHECK_ERR(inotify_rm_watch(in, 12345), EINVAL);
    CHECK_ERR(inotify_rm_watch(in, -1), EINVAL);
    CHECK_ERR(inotify_rm_watch(p[0], wf), EINVAL);
    CHECK_ERR(inotify_rm_watch(9999, wf), EBADF);
    write_file("d/i", "");
    CHECK_ERR(read(in, buf, sizeof buf), EAGAIN);
    /* A new watch gets a new number, not the freed one. */
    int wd2 = CHECK_OK(inotify_add_watch(in, "d", IN_CREATE));
    CHECK(wd2 > wl);

    /* Not writable. */
    CHECK_ERR(write(in, buf, 16), EBADF);
    close(in);
    close(in2);
    close(in3);
    return 0;
}
