/* Shared between the files of sentry/kernel/ only. */
#ifndef SENTRY_KERNEL_INTERNAL_H
#define SENTRY_KERNEL_INTERNAL_H

#include "sentry/kernel/kernel.h"

/* task.c */
struct task *task_alloc(struct kernel *k);

/* task_exit.c: makes tg a zombie and tells its parent (k->lock held). */
void tg_exit_notify_locked(struct thread_group *tg);
/* Starts the exit of every thread of tg but except (k->lock held). */
void exit_group_locked(struct thread_group *tg, int status, struct task *except);

/* task_signals.c */
void sigpending_init(struct sigpending *p);
void sigpending_flush(struct sigpending *p);
/* Default disposition of sig: true if it terminates (or stops) the process. */
bool sig_default_ignored(int sig);
/* Resets handlers for execve: caught signals go back to SIG_DFL. */
void signals_reset_for_exec(struct task *t);
/* Wakes tasks of tg that may take sig (k->lock held). */
void signal_wake_tg_locked(struct thread_group *tg, int sig);

/* task_clone.c: the vfork parent waits until the child execs or exits. */
void vfork_release_locked(struct thread_group *tg);

/* spawn.c: serves the OCI exec control socket at path (a thread). */
/* The control socket: bound (a host path) before the sentry confines
 * itself, served by a thread after; fd or -errno, then 0 or -errno. */
int spawn_server_bind(const char *path);
int spawn_server_start(struct kernel *k, int fd);

/* The sentry's confinement (confine.c): namespaces and capabilities while
 * single-threaded, once nothing on the host is left to open; then the
 * seccomp filter, before the first stub.  0 or -errno (logged). */
int kernel_confine_namespaces(void);
int kernel_confine_syscalls(void);
/* The last filter, once the platform has made its stub template: no
 * executable memory, no process but threads, no arch_prctl, no further
 * filter.  0 or -errno (logged). */
int kernel_confine_late(void);
/* A sentry thread of its own (not a task's) with every host signal blocked;
 * th may be NULL for a detached one (task.c). */
int kernel_service_thread(pthread_t *th, void *(*fn)(void *), void *arg, bool detached);
/* spawn.c: the fields of a control-socket request (NUL-terminated text,
 * spawn.c's header): the next field at *pos within len (NULL past the
 * end); a decimal number at most max; a count (at most max) then that many
 * fields, as a malloc'd NULL-terminated array of pointers into buf. */
char *ctl_field(char *buf, size_t len, size_t *pos);
bool ctl_uint(char *buf, size_t len, size_t *pos, unsigned long long max,
	      unsigned long long *out);
char **ctl_list(char *buf, size_t len, size_t *pos, unsigned long long max);

/* boot_oci.c: OCI mounts in the mount table mt whose root is root (the
 * sandbox's, or a pod container's).  Mounts d (consumed) at where, which
 * is first resolved within root (symlinks); an OCI mount other than a bind
 * mount (proc, sysfs, devpts where there is none of its own; tmpfs,
 * mqueue, cgroup); after the mounts: cfg's read-only paths, masked paths
 * and read-only root. */
int boot_mount_dentry(struct mount_table *mt, const struct path *root, const char *where, struct dentry *d, const char *source, unsigned flags);
int boot_mount_special(struct kernel *k, struct mount_table *mt, const struct path *root,
		       const struct sandbox_mount *m);
int boot_finish_mounts(struct mount_table *mt, const struct path *root,
		       const struct sandbox_config *cfg);
/* p (NULL: nothing) applied to a new process before its first exec; its
 * supplementary groups only with groups (init, whose ids are the config's,
 * and processes whose settings came with them). */
void boot_apply_process(struct thread_group *tg, struct task *t, const struct sandbox_process *p,
			bool groups);

#endif
