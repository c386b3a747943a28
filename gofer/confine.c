/* The gofer's confinement (docs/security.md): a mount namespace whose root
 * is a read-only tmpfs holding only its mounts' roots (bind mounts of the
 * rootfs and of each bind-mount source, /m0, /m1...) and /fd (its own
 * /proc/self/fd, for re-opening O_PATH nodes); file capabilities only; file
 * syscalls only.  A walk that escaped a root with ".." would stop at the
 * bind mount's root, and above that there is nothing. */
#include "gofer/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/confine.h"
#include "common/log.h"

/* Only syscalls on fds the gofer holds, relative to them (openat2 with
 * RESOLVE_BENEATH; re-opening through /fd), and its socket. */
static const struct confine_rule gofer_rules[] = {
	CONFINE_ALLOW("recvmsg"),
	CONFINE_ALLOW("sendmsg"),
	CONFINE_ALLOW("poll"),
	CONFINE_ALLOW("close"),
	CONFINE_ALLOW("openat"),
	CONFINE_ALLOW("openat2"),
	CONFINE_ALLOW("newfstatat"),
	CONFINE_ALLOW("fstat"),
	CONFINE_ALLOW("statx"),
	CONFINE_ALLOW("fstatfs"),
	CONFINE_ALLOW("readlinkat"),
	CONFINE_ALLOW("getdents64"),
	CONFINE_ALLOW("lseek"),
	CONFINE_ALLOW("read"),
	CONFINE_ALLOW("write"),
	CONFINE_ALLOW("fcntl"),
	CONFINE_ALLOW("mkdirat"),
	CONFINE_ALLOW("mknodat"),
	CONFINE_ALLOW("symlinkat"),
	CONFINE_ALLOW("linkat"),
	CONFINE_ALLOW("unlinkat"),
	CONFINE_ALLOW("renameat"),
	CONFINE_ALLOW("renameat2"),
	CONFINE_ALLOW("fchmodat"),
	CONFINE_ALLOW("fchownat"),
	CONFINE_ALLOW("fchown"),
	CONFINE_ALLOW("fchmod"),
	CONFINE_ALLOW("utimensat"),
	CONFINE_ALLOW("ftruncate"),
	CONFINE_ALLOW("fsync"),
	CONFINE_ALLOW("fdatasync"),
	CONFINE_ALLOW("fgetxattr"),
	CONFINE_ALLOW("flistxattr"),
	/* malloc, and the end. */
	CONFINE_ALLOW("mmap"),
	CONFINE_ALLOW("munmap"),
	CONFINE_ALLOW("mremap"),
	CONFINE_ALLOW("madvise"),
	CONFINE_ALLOW("brk"),
	CONFINE_ALLOW("futex"),
	CONFINE_ALLOW("rt_sigreturn"),
	CONFINE_ALLOW("restart_syscall"),
	CONFINE_ALLOW("exit_group"),
	CONFINE_ALLOW("exit"),
};

const struct confine_table confine_gofer_table = {
	.who = "gofer", .rules = gofer_rules,
	.nrules = sizeof gofer_rules / sizeof gofer_rules[0]
};

/* The file capabilities: a guest that is root reads and changes the
 * files of a bind mount as root would (the gofer runs as the sentry's
 * user); nothing else. */
#define GOFER_CAPS ((1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) |          \
		    (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_FOWNER) |      \
		    (1ULL << CAP_FSETID) | (1ULL << CAP_MKNOD))

/* The new root's content: detached copies of each root's mount tree and
 * of /proc/self/fd, made in the host's mount namespace before the gofer
 * leaves it (a bind mount across namespaces is refused), then moved in. */
struct gofer_trees {
	struct gofer_server *s;
	int *tree;     /* per root, or -1 */
	int fd_tree;
};

static int clone_trees(struct gofer_trees *t)
{
	struct gofer_server *s = t->s;
	for (size_t i = 0; i < s->nmounts; i++) {
		t->tree[i] = -1;
		if (s->roots[i] < 0)
			continue;
		t->tree[i] = open_tree(s->roots[i], "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
				       AT_RECURSIVE | AT_EMPTY_PATH);
		if (t->tree[i] < 0)
			return -errno;
		/* The gofer refuses writes to read-only mounts itself; the
		 * host says so too where it can. */
		struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
		if (s->mounts[i].readonly &&
		    mount_setattr(t->tree[i], "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof ro) < 0)
			log_debug("read-only bind of %s: %s", s->mounts[i].host_path, strerror(errno));
	}
	t->fd_tree = open_tree(AT_FDCWD, "/proc/self/fd", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	return t->fd_tree < 0 ? -errno : 0;
}

/* In the new root (the working directory): /mN for each root, /fd. */
static int populate(void *arg)
{
	struct gofer_trees *t = arg;
	struct gofer_server *s = t->s;
	for (size_t i = 0; i < s->nmounts; i++) {
		if (t->tree[i] < 0)
			continue;
		char name[32];
		snprintf(name, sizeof name, "m%zu", i);
		struct stat st;
		if (fstat(s->roots[i], &st) < 0)
			return -errno;
		int r = S_ISDIR(st.st_mode) ? mkdir(name, 0755)
					    : mknod(name, S_IFREG | 0644, 0);
		if (r < 0 || move_mount(t->tree[i], "", AT_FDCWD, name, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return -errno;
	}
	if (mkdir("fd", 0555) < 0 ||
	    move_mount(t->fd_tree, "", AT_FDCWD, "fd", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

static void close_trees(struct gofer_trees *t)
{
	for (size_t i = 0; i < t->s->nmounts; i++)
		if (t->tree[i] >= 0)
			close(t->tree[i]);
	if (t->fd_tree >= 0)
		close(t->fd_tree);
	free(t->tree);
}

/* Re-opens the roots and /proc/self/fd from inside the new root. */
static int reopen(struct gofer_server *s)
{
	for (size_t i = 0; i < s->nmounts; i++) {
		if (s->roots[i] < 0)
			continue;
		char name[32];
		snprintf(name, sizeof name, "/m%zu", i);
		int fd = open(name, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		close(s->roots[i]);
		s->roots[i] = fd;
	}
	int fd = open("/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	close(s->procfd);
	s->procfd = fd;
	return 0;
}

int gofer_confine(struct gofer_server *s)
{
	const char *what = "copying the mounts";
	struct gofer_trees t = { s, calloc(s->nmounts ? s->nmounts : 1, sizeof(int)), -1 };
	if (!t.tree)
		return -ENOMEM;
	int err = clone_trees(&t);
	if (err == 0)
		err = confine_mount_ns(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS, populate, &t,
				       &what);
	close_trees(&t);
	if (err < 0) {
		log_error("cannot confine the gofer (%s: %s)", what, strerror(-err));
		return err;
	}
	if ((err = reopen(s)) < 0) {
		log_error("cannot confine the gofer (re-opening its roots: %s)", strerror(-err));
		return err;
	}
	if ((err = confine_caps(GOFER_CAPS)) < 0) {
		log_error("cannot drop the gofer's capabilities: %s", strerror(-err));
		return err;
	}
	if ((err = confine_seccomp(&confine_gofer_table)) < 0)
		log_error("cannot install the gofer's seccomp filter: %s", strerror(-err));
	return err;
}
