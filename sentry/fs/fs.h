/* The file systems of the sentry: what the rest of the kernel may call. */
#ifndef SENTRY_FS_FS_H
#define SENTRY_FS_FS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "sentry/vfs/vfs.h"

struct kernel;
struct gofer_client;

/* tmpfs: a new, empty file system; its root directory is returned.
 * max_bytes 0 means unlimited. */
int tmpfs_new(mode_t root_mode, uint64_t max_bytes, struct dentry **root);
/* `sentry run --overlay-size`: the bytes that the overlay's upper layer
 * and every tmpfs of the sandbox may hold together (file data, plus a
 * nominal cost per file made, so that empty files are bounded too); past
 * it, ENOSPC.  0 (the default): no quota.  Set before the sandbox boots. */
void tmpfs_set_quota(uint64_t max_bytes);

/* The sandbox's root: a read-only lower layer served by the gofer (the
 * node is the gofer's root of that mount) under an in-memory upper layer. */
int overlay_new(struct gofer_client *g, uint64_t lower_root, struct dentry **root);

/* A bind mount served by the gofer, written through unless readonly. */
int goferfs_new(struct gofer_client *g, uint64_t root_node, bool readonly, struct dentry **root);

/* /dev: a tmpfs with null, zero, full, random, urandom, tty, ptmx and the
 * std{in,out,err} and fd links. */
int devfs_new(struct dentry **root);
/* The file operations of a character device, by number (NULL if none),
 * and the open of a device node. */
const struct file_ops *chrdev_fops(dev_t rdev);
int chrdev_open(struct task *t, struct inode *inode, struct file *f);

/* What procfs and sysfs show of the host (host_facts.c), read while the
 * sentry can still open host paths: every instance, the first and any
 * made after the sentry confined itself (a pod container's), uses it. */
#define HOST_MAX_CPUS 8192   /* CONFIG_NR_CPUS's largest */
struct host_facts {
	char *cpuinfo;           /* /proc/cpuinfo's text; NULL: not readable */
	size_t cpuinfo_len;
	/* /sys/devices/system/cpu's lists, "0-3,6\n" */
	char *cpu_online, *cpu_possible, *cpu_present;
	int ncpus;               /* CPUs in cpu_online, at least 1 */
};
/* 0, or -ENOMEM (nothing then to free). */
int host_facts_read(struct host_facts *h);
void host_facts_free(struct host_facts *h);

/* /proc for the kernel k (its host facts: k->host). */
int procfs_new(struct kernel *k, struct dentry **root);

/* /sys: a small read-only sysfs (the CPU lists of h, an empty fs/cgroup). */
int sysfs_new(const struct host_facts *h, struct dentry **root);

/* An open file on a host fd the sentry was given (the user's stdio).  The
 * fd is used as it is: its offset and flags are shared with the caller. */
struct file *hostfd_file_new(int fd, unsigned flags);
/* Makes f an open file on host fd (which it then owns). */
int hostfd_attach(struct file *f, int fd);

/* An open file in no directory (eventfd, epoll, timerfd, signalfd...), on a
 * pseudo file system called fstype, Linux's name for it ("[eventfd]",
 * "[eventpoll]", "inotify"...: /proc/self/fd shows "anon_inode:" + it); f->priv
 * is priv.  NULL when out of memory. */
struct file *anon_file_new(const char *fstype, const struct file_ops *fops, unsigned flags,
			   void *priv);

/* timerfd (fs/timerfd.c): a new timerfd on clock (CLOCK_REALTIME,
 * CLOCK_MONOTONIC or CLOCK_BOOTTIME; checked by the caller), flags O_NONBLOCK.
 * settime/gettime return -EINVAL if f is not a timerfd; flags TFD_TIMER_*. */
struct file *timerfd_new(struct kernel *k, clockid_t clock, unsigned flags);
int timerfd_settime_file(struct file *f, int flags, const struct itimerspec *value,
			 struct itimerspec *old);
int timerfd_gettime_file(struct file *f, struct itimerspec *cur);

/* pipe2(): a connected pair of open files. */
int pipe_create(unsigned flags, struct file **rd, struct file **wr);
/* F_SETPIPE_SZ / F_GETPIPE_SZ (-EBADF if f is not a pipe). */
long pipe_set_size(struct file *f, unsigned long size);
long pipe_get_size(struct file *f);
/* splice/tee/vmsplice: what is in the pipe behind f (-EBADF if f is not
 * a pipe), and a copy of its first bytes without consuming them (tee). */
struct pipe_info {
	size_t len, cap;
	int readers, writers;
};
int pipe_info(struct file *f, struct pipe_info *pi);
long pipe_peek(struct file *f, void *buf, size_t len);
/* Opens the pipe behind a FIFO inode (blocking for a peer as open(2)
 * does); the pipe is kept in *slot, guarded by inode->lock. */
int fifo_open(struct task *t, struct inode *inode, void **slot, struct file *f);

/* memfd_create(2): a new memfd called "memfd:" name, with MFD_* flags
 * (checked by the caller), owned by o. */
int memfd_new(const char *name, unsigned flags, const struct owner *o, struct file **out);
/* fcntl F_ADD_SEALS / F_GET_SEALS (-EINVAL if f is not a memfd). */
long memfd_fcntl(struct task *t, struct file *f, int cmd, uint64_t arg);
/* An unlinked regular file of size bytes on the private tmpfs of memfds,
 * its data in a host memfd from the start (SysV shared memory): *out is
 * its path ("/name (deleted)", as Linux shows "/SYSV%08x (deleted)"). */
int shmem_file_new(const char *name, uint64_t size, mode_t mode, const struct owner *o,
		   struct path *out);

/* --- terminals (tty.c, tty_jobctrl.c, devpts.c, tty_bridge.c) --------------
 * Pseudo-terminal pairs, the controlling terminals of sessions, /dev/pts,
 * /dev/ptmx and /dev/tty. */
struct sandbox_config;
struct thread_group;
struct fdtable;

/* Mounts the sandbox's devpts at /dev/pts (k->devpts). */
int devpts_mount(struct kernel *k);
/* The open of /dev/tty (5:0), /dev/ptmx (5:2) and /dev/pts/N (136:N) nodes
 * (O_NOCTTY is still in f->flags). */
int tty_chrdev_open(struct task *t, struct inode *inode, struct file *f);
/* -t: a pty whose slave is init's fds in cfg->tty_stdio and init's
 * controlling terminal (init leads session 1); a sentry thread copies bytes
 * between its master and the caller's terminal (k->tty_bridge). */
int tty_bridge_start(struct kernel *k, const struct sandbox_config *cfg,
		     struct thread_group *init, struct fdtable *files);
/* After the guest ended: the last output goes out, the bridge stops. */
void tty_bridge_finish(struct kernel *k);
/* OCI exec with a terminal: a new pty whose slave is fds 0-2 of files,
 * bridged by a sentry thread to host_fd (a host terminal, for input and
 * output; the bridge keeps a dup of it). */
struct tty_bridge;
int tty_bridge_spawn(struct kernel *k, int host_fd, const struct owner *o,
		     struct fdtable *files, struct tty_bridge **out);
/* k->lock held: the pty becomes tg's controlling terminal (tg leads its
 * session). */
void tty_bridge_set_ctty_locked(struct tty_bridge *b, struct thread_group *tg);
/* Stops a tty_bridge_spawn bridge (may be called under k->lock): once the
 * last output is out, its thread calls done(arg) and frees it. */
void tty_bridge_release(struct tty_bridge *b, void (*done)(void *arg), void *arg);
/* The kernel's hooks, k->lock held: fork copies the controlling terminal,
 * setsid drops it, the exit of a session leader hangs up its session. */
void tty_fork_locked(struct thread_group *child, struct thread_group *parent);
void tty_setsid_locked(struct thread_group *tg);
void tty_exit_locked(struct thread_group *tg);
/* For /proc/[pid]/stat: tty_nr and tpgid (0 and -1 without a terminal). */
void tty_proc_stat_locked(struct thread_group *tg, int *tty_nr, pid_t *tpgid);

#endif
