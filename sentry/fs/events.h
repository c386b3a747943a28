/* Event files: epoll, eventfd, signalfd and inotify.  Each is an anonymous
 * open file (anon_file_new) whose file_ops implement the object; the
 * syscalls (sentry/syscalls/sys_{epoll,eventfd,signalfd,inotify}.c) check
 * the guest's arguments and call these. */
#ifndef SENTRY_FS_EVENTS_H
#define SENTRY_FS_EVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/vfs/vfs.h"

/* --- epoll (epoll.c) ---------------------------------------------------------
 * An epoll set holds items keyed by (open file, fd number); an item holds no
 * reference to its file and goes when the file's last reference does. */

/* Linux's EP_MAX_EVENTS: the most maxevents may be. */
#define EPOLL_MAX_EVENTS ((int)(INT32_MAX / sizeof(struct epoll_event)))

/* epoll_create1: flags O_CLOEXEC only (checked by the caller). */
int epoll_file_new(unsigned flags, struct file **out);
bool file_is_epoll(const struct file *f);
/* EPOLL_CTL_ADD/MOD/DEL of target (open as fd) in ep, for t; ev is NULL
 * for DEL.  0 or -errno (EEXIST, ENOENT, EINVAL, ELOOP, EPERM). */
int epoll_ctl_file(struct task *t, struct file *ep, int op, int fd, struct file *target,
		   const struct epoll_event *ev);
/* Waits for events (deadline NULL: forever; a past deadline: just looks)
 * and writes up to maxevents of them to the guest at uevents.  Returns the
 * number written, 0 on timeout, -EINTR, -EFAULT. */
int epoll_wait_file(struct task *t, struct file *ep, uint64_t uevents, int maxevents,
		    const struct timespec *deadline);

/* --- eventfd (eventfd.c) ------------------------------------------------------ */

/* flags: EFD_SEMAPHORE, EFD_NONBLOCK (checked by the caller). */
int eventfd_file_new(uint64_t count, unsigned flags, struct file **out);

/* --- signalfd (signalfd.c) ---------------------------------------------------- */

/* A signalfd reading the signals in mask (SIGKILL/SIGSTOP already out);
 * flags: O_NONBLOCK. */
int signalfd_file_new(sigmask_t mask, unsigned flags, struct file **out);
/* signalfd(fd, ...) on an existing one: replaces its mask; -EINVAL if f is
 * not a signalfd. */
int signalfd_set_mask(struct task *t, struct file *f, sigmask_t mask);

/* --- inotify (inotify.c) ------------------------------------------------------ */

/* flags: O_NONBLOCK.  -EMFILE past the instance limit. */
int inotify_file_new(unsigned flags, struct file **out);
bool file_is_inotify(const struct file *f);
/* inotify_add_watch on an already resolved inode (mask checked by the
 * caller); returns the watch descriptor. */
int inotify_watch(struct file *f, struct inode *inode, uint32_t mask);
/* inotify_rm_watch: -EINVAL if wd is not a watch of f. */
int inotify_unwatch(struct file *f, int wd);

#endif
