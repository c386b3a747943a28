/* Containers of a pod: more containers in a running sandbox (container.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/fs/etc_net.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/gofer_client.h"
#include "sentry/kernel/container.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/seccomp_filter.h"

#define CONTAINER_MAX_ARGS   4096
#define CONTAINER_MAX_MOUNTS 1024

/* The fds of a CONTAINER request, in order. */
enum { FD_STDIN, FD_STDOUT, FD_STDERR, FD_GOFER, FD_CONTROL, FD_COUNT };

struct kcontainer {
	struct kernel *k;
	char *buf;                   /* the request: every string below points into it */
	const char *id, *cwd;
	char **argv, **envp;
	uid_t uid;
	gid_t gid;
	bool tty, root_readonly;
	bool own_pidns;              /* its init behaves as a pid namespace's */
	struct sandbox_process *process;   /* its init's groups, umask, rlimits... */
	struct seccomp_filter *seccomp;    /* its processes' profile, or NULL */
	char **readonly_paths, **masked_paths;   /* point into buf */
	size_t nreadonly_paths, nmasked_paths;
	int conn;                    /* the proxy's connection */
	int fds[FD_COUNT];           /* -1 once closed or handed over */
	struct gofer_client *gofer;
	struct mount_table *mounts;
	struct path root;
	struct dentry *devpts;       /* the sandbox's /dev/pts, mounted here too */
	/* The file systems served by the container's gofer (a reference each):
	 * when only ours are left at the end, nothing uses the gofer any more. */
	struct super_block **gofer_sbs;
	size_t ngofer_sbs;
	bool gofer_dead;             /* its socket hung up (container_main's) */
	int wake_fd;                 /* eventfd: the container's state changed */
	int stop_fd;                 /* eventfd: the control socket's thread ends */
	pthread_t control_thread;
	bool control_started;
	/* Under k->lock. */
	struct thread_group *init;
	int nr_procs;                /* its live processes (not yet zombies) */
	bool started;                /* START came: the init may exec */
	bool cancelled;              /* the proxy is gone: nothing may run */
	bool dying;                  /* its processes are being killed: no new ones */
	bool init_exited;
	int init_status;
	pthread_cond_t gate;         /* started or cancelled (with k->lock) */
};

/* --- the request ---------------------------------------------------------------------- */

static int parse_process(struct kcontainer *c, size_t len, size_t *pos)
{
	unsigned long long uid, gid, tty, ro, pidns;
	c->id = ctl_field(c->buf, len, pos);
	if (!c->id || !*c->id || !ctl_uint(c->buf, len, pos, 0xfffffffeULL, &uid) ||
	    !ctl_uint(c->buf, len, pos, 0xfffffffeULL, &gid))
		return -EINVAL;
	c->cwd = ctl_field(c->buf, len, pos);
	if (!c->cwd || c->cwd[0] != '/' || !ctl_uint(c->buf, len, pos, 1, &tty) ||
	    !ctl_uint(c->buf, len, pos, 1, &ro) || !ctl_uint(c->buf, len, pos, 1, &pidns))
		return -EINVAL;
	if (!(c->argv = ctl_list(c->buf, len, pos, CONTAINER_MAX_ARGS)) || !c->argv[0] ||
	    !(c->envp = ctl_list(c->buf, len, pos, CONTAINER_MAX_ARGS)))
		return -EINVAL;
	const char *proc = ctl_field(c->buf, len, pos), *filter = NULL;
	if (!proc || !(filter = ctl_field(c->buf, len, pos)))
		return -EINVAL;
	int err = sandbox_process_decode(proc, strlen(proc), &c->process);
	if (err == 0 && *filter)
		err = seccomp_filter_decode(filter, strlen(filter), &c->seccomp);
	if (err < 0) {
		log_error("container %s: malformed %s in the request", c->id,
			  c->process ? "seccomp filter" : "process settings");
		return err;
	}
	c->uid = (uid_t)uid;
	c->gid = (gid_t)gid;
	c->tty = tty;
	c->root_readonly = ro;
	c->own_pidns = pidns;
	return 0;
}

/* --- the file systems --------------------------------------------------------------------- */

/* Mounts root (consumed) at where in the container's table. */
static int mount_here(struct kcontainer *c, const char *where, int err, struct dentry *root,
		      const char *source, unsigned flags)
{
	if (err < 0) {
		log_error("container %s: cannot make %s for %s: %s", c->id, source, where,
			  strerror(-err));
		return err;
	}
	return boot_mount_dentry(c->mounts, &c->root, where, root, source, flags);
}

static int keep_gofer_sb(struct kcontainer *c, struct super_block *sb)
{
	struct super_block **v = realloc(c->gofer_sbs, (c->ngofer_sbs + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	c->gofer_sbs = v;
	sb_get(sb);
	v[c->ngofer_sbs++] = sb;
	return 0;
}

/* The root: the gofer's mount 0 under an in-memory upper layer. */
static int mount_root(struct kcontainer *c)
{
	gofer_node_t node;
	struct stat st;
	struct dentry *root;
	int err = gofer_attach(c->gofer, 0, &node, &st);
	if (err == 0 && (err = overlay_new(c->gofer, node, &root)) < 0)
		gofer_release(c->gofer, node);
	if (err < 0) {
		log_error("container %s: its root file system: %s", c->id, strerror(-err));
		return err;
	}
	c->mounts = mount_table_new(root, "overlay", 0);
	err = c->mounts ? keep_gofer_sb(c, root->sb) : -ENOMEM;
	dentry_put(root);
	if (err < 0)
		return err;
	c->root.mnt = mount_table_root(c->mounts);
	c->root.dentry = c->root.mnt->root;
	path_get(&c->root);
	return 0;
}

/* What every sandbox has: as boot.c mounts them for the sandbox's root,
 * with the sandbox's own /dev/pts (one devpts per sandbox). */
static int standard_mounts(struct kcontainer *c)
{
	struct kernel *k = c->k;
	struct dentry *d = NULL;
	int err = procfs_new(k, &d);
	if ((err = mount_here(c, "/proc", err, d, "proc", MNT_NOSUID | MNT_NODEV | MNT_NOEXEC)) < 0)
		return err;
	err = devfs_new(&d);
	if ((err = mount_here(c, "/dev", err, d, "tmpfs", MNT_NOSUID)) < 0)
		return err;
	struct walk_root wr = { k->root, k->root };
	struct path pts;
	if (vfs_walk(NULL, &wr, "/dev/pts", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &pts) == 0) {
		c->devpts = pts.dentry;
		dentry_get(c->devpts);
		path_put(&pts);
		dentry_get(c->devpts);
		if ((err = mount_here(c, "/dev/pts", 0, c->devpts, "devpts",
				      MNT_NOSUID | MNT_NOEXEC)) < 0)
			return err;
	}
	err = tmpfs_new(01777, 0, &d);
	if ((err = mount_here(c, "/dev/shm", err, d, "tmpfs", MNT_NOSUID | MNT_NODEV)) < 0)
		return err;
	err = tmpfs_new(01777, 0, &d);
	if ((err = mount_here(c, "/tmp", err, d, "tmpfs", MNT_NOSUID | MNT_NODEV)) < 0)
		return err;
	err = sysfs_new(&k->host, &d);
	return mount_here(c, "/sys", err, d, "sysfs",
			  MNT_RDONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC);
}

/* A bind mount: the gofer's mount number index, a directory or a file. */
static int bind_dentry(struct kcontainer *c, uint32_t index, bool readonly, struct dentry **out)
{
	gofer_node_t node;
	struct stat st;
	int err = gofer_attach(c->gofer, index, &node, &st);
	if (err < 0)
		return err;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) {
		gofer_release(c->gofer, node);
		return -ENOTDIR;
	}
	if ((err = goferfs_new(c->gofer, node, readonly, out)) < 0)
		return err;
	return keep_gofer_sb(c, (*out)->sb);
}

/* One mount of the request: a bind mount of the gofer's next mount, or
 * what boot_oci.c makes of the others for a sandbox. */
static int config_mount(struct kcontainer *c, char *buf, size_t len, size_t *pos,
			uint32_t *bind_index)
{
	unsigned long long type, ro, flags, mode, size, uid, gid;
	if (!ctl_uint(buf, len, pos, SANDBOX_MOUNT_CGROUP, &type))
		return -EINVAL;
	const char *guest = ctl_field(buf, len, pos);
	if (!guest || guest[0] != '/' || !ctl_uint(buf, len, pos, 1, &ro) ||
	    !ctl_uint(buf, len, pos, MNT_RDONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC, &flags) ||
	    !ctl_uint(buf, len, pos, 07777, &mode) ||
	    !ctl_uint(buf, len, pos, UINT64_MAX, &size) ||
	    !ctl_uint(buf, len, pos, 0xfffffffeULL, &uid) ||
	    !ctl_uint(buf, len, pos, 0xfffffffeULL, &gid))
		return -EINVAL;
	struct sandbox_mount m = {
		.host = "bind", .guest = guest, .readonly = ro, .type = (enum sandbox_mount_type)type,
		.flags = (unsigned)flags, .mode = (mode_t)mode, .size = size, .uid = (uid_t)uid,
		.gid = (gid_t)gid,
	};
	static const char *const sources[] = {
		[SANDBOX_MOUNT_TMPFS] = "tmpfs",   [SANDBOX_MOUNT_PROC] = "proc",
		[SANDBOX_MOUNT_SYSFS] = "sysfs",   [SANDBOX_MOUNT_DEVPTS] = "devpts",
		[SANDBOX_MOUNT_MQUEUE] = "mqueue", [SANDBOX_MOUNT_CGROUP] = "cgroup",
	};
	if (m.type != SANDBOX_MOUNT_BIND) {
		m.host = sources[m.type];
		return boot_mount_special(c->k, c->mounts, &c->root, &m);
	}
	struct dentry *d = NULL;
	int err = bind_dentry(c, ++*bind_index, ro, &d);
	return mount_here(c, guest, err, d, "bind", m.flags | (ro ? MNT_RDONLY : 0));
}

/* readonlyPaths or maskedPaths: a count, then absolute paths. */
static int path_list(struct kcontainer *c, size_t len, size_t *pos, char ***out, size_t *n)
{
	unsigned long long count;
	if (!ctl_uint(c->buf, len, pos, CONTAINER_MAX_MOUNTS, &count) ||
	    !(*out = calloc(count + 1, sizeof **out)))
		return -EINVAL;
	for (unsigned long long i = 0; i < count; i++)
		if (!((*out)[i] = ctl_field(c->buf, len, pos)) || (*out)[i][0] != '/')
			return -EINVAL;
	*n = (size_t)count;
	return 0;
}

/* After the mounts, as for a sandbox: read-only paths, masked paths, a
 * read-only root. */
static int finish_mounts(struct kcontainer *c)
{
	struct sandbox_config cfg = {
		.root_readonly = c->root_readonly,
		.readonly_paths = (const char *const *)c->readonly_paths,
		.nreadonly_paths = c->nreadonly_paths,
		.masked_paths = (const char *const *)c->masked_paths,
		.nmasked_paths = c->nmasked_paths,
	};
	return boot_finish_mounts(c->mounts, &c->root, &cfg);
}

static int setup_fs(struct kcontainer *c, size_t len, size_t *pos)
{
	int err = gofer_client_new(c->fds[FD_GOFER], &c->gofer);
	if (err < 0)
		return err;
	c->fds[FD_GOFER] = -1;   /* the client's now */
	if ((err = mount_root(c)) < 0 || (err = standard_mounts(c)) < 0)
		return err;
	etc_net_setup_root(c->k, &c->root);
	unsigned long long n;
	if (!ctl_uint(c->buf, len, pos, CONTAINER_MAX_MOUNTS, &n))
		return -EINVAL;
	uint32_t bind_index = 0;
	for (unsigned long long i = 0; i < n; i++)
		if ((err = config_mount(c, c->buf, len, pos, &bind_index)) < 0)
			return err;
	if ((err = path_list(c, len, pos, &c->readonly_paths, &c->nreadonly_paths)) < 0 ||
	    (err = path_list(c, len, pos, &c->masked_paths, &c->nmasked_paths)) < 0)
		return err;
	if (*pos != len)
		return -EINVAL;
	return finish_mounts(c);
}

static bool owned_by_container(struct dentry *root, void *arg)
{
	struct kcontainer *c = arg;
	return root != c->devpts;
}

/* Everything of the container's file systems goes, and with it every host
 * fd of its rootfs; the gofer exits.  If something still uses them (a file
 * passed to a process of the sandbox), the gofer is cut off instead: its
 * socket shut down, the client kept for whatever still refers to it. */
static void release_fs(struct kcontainer *c)
{
	bool unused = true;
	if (c->root.mnt)
		path_put(&c->root);
	if (c->mounts && mount_table_destroy(c->mounts, owned_by_container, c) < 0) {
		log_warn("container %s: its mounts are still in use", c->id);
		unused = false;
	}
	if (c->devpts)
		dentry_put(c->devpts);
	for (size_t i = 0; i < c->ngofer_sbs; i++)
		unused &= atomic_load(&c->gofer_sbs[i]->refcount) == 1;
	for (size_t i = 0; i < c->ngofer_sbs; i++)
		sb_put(c->gofer_sbs[i]);
	free(c->gofer_sbs);
	if (unused) {
		gofer_client_free(c->gofer);
	} else {
		log_warn("container %s: files of its rootfs are still in use", c->id);
		gofer_client_shutdown(c->gofer);
	}
}

/* --- processes ---------------------------------------------------------------------------- */

/* Every process of the container is killed (k->lock held). */
static void kill_all_locked(struct kcontainer *c)
{
	c->dying = true;
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = c->k->groups[i];
		if (g && g->container == c && g->state == TG_ALIVE)
			exit_group_locked(g, SIGKILL, NULL);
	}
	pthread_cond_broadcast(&c->gate);
}

static void wake_locked(struct kcontainer *c)
{
	uint64_t one = 1;
	ssize_t w = write(c->wake_fd, &one, sizeof one);   /* an eventfd: never blocks */
	(void)w;
}

void container_fork_locked(struct thread_group *parent, struct thread_group *child)
{
	struct kcontainer *c = parent->container;
	if (!c)
		return;
	child->container = c;
	c->nr_procs++;   /* (child->seccomp: its parent's, c's) */
	if (c->dying)
		exit_group_locked(child, SIGKILL, NULL);
}

int container_attach_locked(struct kcontainer *c, struct thread_group *tg)
{
	if (c->dying)
		return -ESRCH;
	tg->container = c;
	tg->seccomp = c->seccomp;
	c->nr_procs++;
	if (!c->init)
		c->init = tg;   /* the first: the request's own process */
	return 0;
}

bool container_ns_init_locked(const struct thread_group *tg)
{
	const struct kcontainer *c = tg->container;
	return c && c->own_pidns && c->init == tg;
}

void container_exit_locked(struct thread_group *tg)
{
	struct kcontainer *c = tg->container;
	if (!c)
		return;
	tg->container = NULL;
	tg->seccomp = NULL;   /* (its threads are gone; the filter goes with c) */
	c->nr_procs--;
	if (tg == c->init) {
		/* As when a pid namespace's init dies: the rest is killed. */
		c->init = NULL;
		c->init_exited = true;
		c->init_status = tg->exit_code;
		kill_all_locked(c);
	}
	if (c->init_exited && c->nr_procs == 0)
		wake_locked(c);
}

struct thread_group *container_reaper_locked(struct thread_group *tg)
{
	struct kcontainer *c = tg->container;
	struct thread_group *init = c ? c->init : NULL;
	return init && init != tg && init->state == TG_ALIVE && !init->group_exiting ? init : NULL;
}

const struct path *container_root(struct kcontainer *c)
{
	return &c->root;
}

/* The init waits here (on its own thread, before its exec) for START. */
static int gate(void *arg, struct task *t)
{
	struct kcontainer *c = arg;
	struct kernel *k = c->k;
	pthread_mutex_lock(&k->lock);
	while (!c->started && !c->cancelled && !t->tg->group_exiting) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 100 * 1000 * 1000;   /* a SIGKILL does not signal the condition */
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&c->gate, &k->lock, &ts);
	}
	bool go = c->started && !c->cancelled && !t->tg->group_exiting;
	pthread_mutex_unlock(&k->lock);
	return go ? 0 : -ECANCELED;
}

static void init_exited(void *arg, int wait_status)
{
	/* (the container learns it in container_exit_locked) */
}

static int start_init(struct kcontainer *c)
{
	struct kernel_spawn_req req = {
		.argv = c->argv, .envp = c->envp, .cwd = c->cwd, .uid = c->uid, .gid = c->gid,
		.stdio = { c->fds[FD_STDIN], c->fds[FD_STDOUT], c->fds[FD_STDERR] },
		.tty = c->tty, .on_exit = init_exited, .arg = c,
		.root = &c->root, .container = c, .gate = gate, .gate_arg = c,
		.process = c->process,
	};
	return kernel_spawn(c->k, &req);
}

/* --- the threads ------------------------------------------------------------------------ */

/* The container's control socket: EXEC and SIGNAL for it alone. */
static void *control_main(void *arg)
{
	struct kcontainer *c = arg;
	for (;;) {
		struct pollfd p[2] = { { c->fds[FD_CONTROL], POLLIN, 0 }, { c->stop_fd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		if (p[1].revents)
			return NULL;
		if (p[0].revents & POLLIN) {
			int fd = accept4(c->fds[FD_CONTROL], NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				spawn_serve_conn(c->k, c, fd);
		}
	}
}

static void container_free(struct kcontainer *c)
{
	if (c->control_started) {
		uint64_t one = 1;
		ssize_t w = write(c->stop_fd, &one, sizeof one);
		(void)w;
		pthread_join(c->control_thread, NULL);
	}
	release_fs(c);
	for (int i = 0; i < FD_COUNT; i++)
		if (c->fds[i] >= 0)
			close(c->fds[i]);
	if (c->conn >= 0)
		close(c->conn);
	if (c->wake_fd >= 0)
		close(c->wake_fd);
	if (c->stop_fd >= 0)
		close(c->stop_fd);
	pthread_cond_destroy(&c->gate);
	free(c->argv);
	free(c->envp);
	free(c->readonly_paths);
	free(c->masked_paths);
	sandbox_process_free(c->process);
	seccomp_filter_free(c->seccomp);
	free(c->buf);
	free(c);
}

static int64_t now_ms(void)
{
	struct timespec ts = ts_now(CLOCK_MONOTONIC);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The container's gofer hung up: it died (killed from outside, crashed).
 * As runsc's gofer monitor ends the container whose gofer is gone, and as
 * the sandbox's own gofer's death ends the sandbox (boot.c): every file
 * request fails with EIO at once, one line says why, and after the grace
 * period its processes are killed (the container's status: 137).  Returns
 * when that is due, or -1 if they are being killed already.  Nothing is
 * said when the proxy is gone: its gofer, a child of it, goes with it. */
static int64_t gofer_died(struct kcontainer *c)
{
	c->gofer_dead = true;
	gofer_client_shutdown(c->gofer);
	pthread_mutex_lock(&c->k->lock);
	bool cancelled = c->cancelled, dying = c->dying;
	pthread_mutex_unlock(&c->k->lock);
	if (!cancelled)
		log_error("container %s: its gofer died: file operations fail with EIO; ending "
			  "the container", c->id);
	return cancelled || dying ? -1 : now_ms() + GOFER_DEATH_GRACE_MS;
}

/* The connection to the proxy: START, EOF; the gofer's death; then the end. */
static void *container_main(void *arg)
{
	struct kcontainer *c = arg;
	struct kernel *k = c->k;
	bool proxy = true;
	int64_t kill_at = -1;   /* the gofer died: when its processes go */
	for (;;) {
		int gofer = c->gofer_dead ? -1 : gofer_client_sock(c->gofer);
		struct pollfd p[3] = { { c->wake_fd, POLLIN, 0 }, { proxy ? c->conn : -1, POLLIN, 0 },
				       { gofer, POLLRDHUP, 0 } };
		int timeout = -1;
		if (kill_at >= 0) {
			int64_t left = kill_at - now_ms();
			timeout = left > 0 ? (int)left : 0;
		}
		if (poll(p, 3, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			uint64_t v;
			ssize_t r = read(c->wake_fd, &v, sizeof v);
			(void)r;
		}
		if (p[1].revents) {
			char msg[16];
			ssize_t n = recv(c->conn, msg, sizeof msg, MSG_DONTWAIT);
			pthread_mutex_lock(&k->lock);
			if (n == 5 && memcmp(msg, "START", 5) == 0) {
				c->started = true;
				pthread_cond_broadcast(&c->gate);
			} else if (n >= 0 || (errno != EAGAIN && errno != EINTR)) {
				/* EOF (or nonsense): the proxy is gone, so is the container. */
				proxy = false;
				c->cancelled = true;
				kill_all_locked(c);
			}
			pthread_mutex_unlock(&k->lock);
		}
		if (p[2].revents)
			kill_at = gofer_died(c);
		if (kill_at >= 0 && now_ms() >= kill_at) {
			kill_at = -1;
			pthread_mutex_lock(&k->lock);
			kill_all_locked(c);
			pthread_mutex_unlock(&k->lock);
		}
		pthread_mutex_lock(&k->lock);
		bool over = c->init_exited && c->nr_procs == 0;
		int status = c->init_status;
		pthread_mutex_unlock(&k->lock);
		if (over) {
			/* Its files first: the status tells the runtime all is released. */
			int conn = c->conn;
			c->conn = -1;
			container_free(c);
			if (proxy) {
				int32_t st = status;
				ssize_t w = send(conn, &st, sizeof st, MSG_NOSIGNAL);
				(void)w;
			}
			close(conn);
			return NULL;
		}
	}
	return NULL;
}

void container_request(struct kernel *k, int conn, char *buf, size_t len, int *fds, int nfds)
{
	struct kcontainer *c = calloc(1, sizeof *c);
	if (!c) {
		int32_t r = -ENOMEM;
		ssize_t w = send(conn, &r, sizeof r, MSG_NOSIGNAL);
		(void)w;
		close(conn);
		for (int i = 0; i < nfds; i++)
			close(fds[i]);
		free(buf);
		return;
	}
	c->k = k;
	c->conn = conn;
	c->buf = buf;
	c->id = "?";
	for (int i = 0; i < FD_COUNT; i++)
		c->fds[i] = i < nfds ? fds[i] : -1;
	for (int i = FD_COUNT; i < nfds; i++)
		close(fds[i]);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->gate, &ca);
	pthread_condattr_destroy(&ca);
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	size_t pos = 0;
	ctl_field(buf, len, &pos);   /* "CONTAINER" */
	int err = nfds == FD_COUNT && c->wake_fd >= 0 && c->stop_fd >= 0 ? 0 : -EINVAL;
	if (err == 0)
		err = parse_process(c, len, &pos);
	if (err == 0 && fcntl(c->fds[FD_CONTROL], F_SETFL, O_NONBLOCK) < 0)
		err = -errno;
	if (err == 0)
		err = setup_fs(c, len, &pos);
	pid_t pid = err < 0 ? err : start_init(c);
	int32_t reply = pid;
	if (pid < 0) {
		log_error("container %s: cannot start it: %s", c->id, strerror(-pid));
		ssize_t w = send(conn, &reply, sizeof reply, MSG_NOSIGNAL);
		(void)w;
		container_free(c);
		return;
	}
	/* The init exists (gated): from here the container ends only through
	 * container_main, once its processes have exited, which may free it
	 * at once: the reply goes out first. */
	pthread_t th;
	err = kernel_service_thread(&c->control_thread, control_main, c, false);
	c->control_started = err == 0;
	if (err < 0)
		reply = err;
	ssize_t w = send(conn, &reply, sizeof reply, MSG_NOSIGNAL);
	(void)w;
	if (err == 0)
		err = kernel_service_thread(&th, container_main, c, true);
	if (err < 0) {
		/* No way to watch it: cancel it (its gate fails), tell the
		 * proxy (EOF), and leak it. */
		pthread_mutex_lock(&k->lock);
		c->cancelled = true;
		kill_all_locked(c);
		pthread_mutex_unlock(&k->lock);
		shutdown(conn, SHUT_RDWR);
	}
}
