/* Booting a sandbox: the gofer, the mount table, the first process. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "gofer/gofer.h"
#include "netstack/netstack.h"
#include "sentry/fs/etc_net.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/gofer_client.h"
#include "sentry/kernel/container.h"
#include "sentry/kernel/internal.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

#define DEFAULT_HOSTNAME "sandbox"

/* --- the mount table -------------------------------------------------------- */

static int mount_fs(struct kernel *k, const char *where, int err, struct dentry *root,
		    const char *source, unsigned flags)
{
	if (err < 0)
		return err;
	err = mount_at(k->mounts, where, root, source, flags);
	dentry_put(root);
	if (err < 0)
		log_error("cannot mount %s on %s: %s", source, where, strerror(-err));
	return err;
}

static int setup_mounts(struct kernel *k, const struct sandbox_config *cfg)
{
	gofer_node_t node;
	struct stat st;
	int err = gofer_attach(k->gofer, 0, &node, &st);
	if (err < 0) {
		log_error("rootfs %s: %s", cfg->rootfs, strerror(-err));
		return err;
	}
	struct dentry *root;
	if ((err = overlay_new(k->gofer, node, &root)) < 0)
		return err;
	k->mounts = mount_table_new(root, "overlay", 0);
	dentry_put(root);
	if (!k->mounts)
		return -ENOMEM;
	k->root.mnt = mount_table_root(k->mounts);
	k->root.dentry = k->root.mnt->root;
	path_get(&k->root);

	struct dentry *d = NULL;
	err = procfs_new(k, &d);
	if ((err = mount_fs(k, "/proc", err, d, "proc", MNT_NOSUID | MNT_NODEV | MNT_NOEXEC)) < 0)
		return err;
	err = devfs_new(&d);
	if ((err = mount_fs(k, "/dev", err, d, "tmpfs", MNT_NOSUID)) < 0)
		return err;
	if ((err = devpts_mount(k)) < 0)
		return err;
	err = tmpfs_new(01777, 0, &d);
	if ((err = mount_fs(k, "/dev/shm", err, d, "tmpfs", MNT_NOSUID | MNT_NODEV)) < 0)
		return err;
	err = tmpfs_new(01777, 0, &d);
	if ((err = mount_fs(k, "/tmp", err, d, "tmpfs", MNT_NOSUID | MNT_NODEV)) < 0)
		return err;
	err = sysfs_new(&k->host, &d);
	if ((err = mount_fs(k, "/sys", err, d, "sysfs", MNT_RDONLY | MNT_NOSUID | MNT_NODEV |
			    MNT_NOEXEC)) < 0)
		return err;
	etc_net_setup(k);   /* /etc/hosts, /etc/resolv.conf; user mounts may cover them */

	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct sandbox_mount *m = &cfg->mounts[i];
		if (m->type != SANDBOX_MOUNT_BIND) {   /* (OCI: tmpfs, proc...) */
			if ((err = boot_mount_special(k, k->mounts, &k->root, m)) < 0)
				return err;
			continue;
		}
		err = gofer_attach(k->gofer, (uint32_t)(i + 1), &node, &st);
		if (err < 0) {
			log_error("mount %s: %s", m->host, strerror(-err));
			return err;
		}
		if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
			err = goferfs_new(k->gofer, node, m->readonly, &d);
		} else {
			log_error("mount %s: only directories and files can be mounted", m->host);
			gofer_release(k->gofer, node);
			return -ENOTDIR;
		}
		if ((err = mount_fs(k, m->guest, err, d, m->host,
				    m->flags | (m->readonly ? MNT_RDONLY : 0))) < 0)
			return err;
	}
	return boot_finish_mounts(k->mounts, &k->root, cfg);
}

/* --- the first process ---------------------------------------------------------- */

struct init_start {
	struct task *task;
	char **argv;
	char **envp;
	const char *user;   /* -u/--user, or NULL */
	int (*gate)(void *arg, struct task *t);   /* kernel_spawn_req.gate */
	void *gate_arg;
};

/* Like execvp: a command without a slash is searched in the guest's PATH. */
static int exec_command(struct task *t, char **argv, char **envp)
{
	const char *cmd = argv[0];
	if (strchr(cmd, '/'))
		return (int)task_execve(t, AT_FDCWD, cmd, cmd, argv, envp, 0);
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (char **e = envp; e && *e; e++)
		if (strncmp(*e, "PATH=", 5) == 0)
			path = *e + 5;
	int err = -ENOENT;
	_cleanup_free_ char *copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	for (char *save, *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char full[PATH_MAX];
		if (snprintf(full, sizeof full, "%s/%s", *dir ? dir : ".", cmd) >= (int)sizeof full)
			continue;
		int r = (int)task_execve(t, AT_FDCWD, full, full, argv, envp, 0);
		if (r == 0)
			return 0;
		if (r != -ENOENT && r != -ENOTDIR)
			err = r;   /* remember "permission denied" over "not found" */
	}
	return err;
}

static void *init_main(void *arg)
{
	struct init_start *is = arg;
	struct task *t = is->task;
	int err = is->user ? user_setup_init(t, is->user, &is->envp) : 0;
	if (is->gate && is->gate(is->gate_arg, t) < 0)
		task_exit_group(t, SIGKILL);   /* never started (a pod container's init) */
	else if (err < 0)
		task_exit_thread(t, 2);   /* an unknown user or group: a usage error */
	else if ((err = exec_command(t, is->argv, is->envp)) < 0) {
		log_error("%s: %s", is->argv[0], strerror(-err));
		task_exit_thread(t, err == -ENOENT || err == -ENOTDIR ? 127 : 126);
	}
	free(is);
	task_run(t);
	return NULL;
}

static struct thread_group *init_group(struct kernel *k, const struct sandbox_config *cfg)
{
	struct thread_group *tg = calloc(1, sizeof *tg);
	struct sighand *sh = calloc(1, sizeof *sh);
	if (!tg || !sh) {
		free(tg);
		free(sh);
		return NULL;
	}
	atomic_init(&sh->refcount, 1);
	atomic_init(&tg->refcount, 1);
	tg->k = k;
	tg->tgid = 1;
	tg->pgid = 1;
	tg->sid = 1;
	tg->is_init = true;
	tg->exit_signal = SIGCHLD;
	tg->sighand = sh;
	list_init(&tg->children);
	list_init(&tg->sibling);
	list_init(&tg->threads);
	sigpending_init(&tg->shared_pending);
	waitq_init(&tg->child_wq);
	waitq_init(&tg->signal_wq);
	cred_init(&tg->cred, cfg->uid, cfg->gid);
	tg->seccomp = k->opts.seccomp;   /* (a pod container's: container_attach_locked) */
	for (int r = 0; r < RLIM_NLIMITS; r++)
		getrlimit(r, &tg->rlim[r]);
	/* The guest's own descriptor limit, whatever the sentry raised its own to. */
	tg->rlim[RLIMIT_NOFILE].rlim_cur = 1024;
	if (tg->rlim[RLIMIT_NOFILE].rlim_max < 1024)
		tg->rlim[RLIMIT_NOFILE].rlim_cur = tg->rlim[RLIMIT_NOFILE].rlim_max;
	tg->start_time = ts_now(CLOCK_MONOTONIC);
	return tg;
}

static int install_stdio(struct kernel *k, const struct sandbox_config *cfg,
			 struct fdtable *files)
{
	for (int fd = 0; fd < 3; fd++) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || cfg->stdio_closed[fd])
			continue;   /* closed for the caller: closed for the guest */
		if (cfg->tty_stdio & (1u << fd))
			continue;   /* the pty's slave (tty_bridge_start) */
		k->host_stdio[fd] = fd;
		struct file *f = hostfd_file_new(fd, (unsigned)fl & (O_ACCMODE | O_APPEND));
		if (!f)
			return -ENOMEM;
		int r = fd_install_at(files, fd, f, false, 1024);
		file_put(f);
		if (r < 0)
			return r;
	}
	return 0;
}

/* --preserve-fds: the caller's fds 3.. as the guest's, each a host fd the
 * file owns (so that the guest's close is the last one and the caller sees
 * EOF). */
static int install_preserved(const struct sandbox_config *cfg, struct fdtable *files)
{
	for (int i = 0; i < cfg->npreserved_fds; i++) {
		int fd = cfg->preserved_fds[i];
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			continue;
		struct file *f = file_new(NULL, NULL, NULL, (unsigned)fl & (O_ACCMODE | O_APPEND));
		if (!f)
			return -ENOMEM;
		int r = hostfd_attach(f, fd);
		if (r == 0)
			r = fd_install_at(files, 3 + i, f, false, 1024);
		file_put(f);
		if (r < 0)
			return r;
	}
	return 0;
}

static int start_init(struct kernel *k, const struct sandbox_config *cfg)
{
	struct thread_group *tg = init_group(k, cfg);
	struct task *t = task_alloc(k);
	struct init_start *is = calloc(1, sizeof *is);
	if (!tg || !t || !is)
		return -ENOMEM;
	t->tid = 1;
	t->tg = tg;
	t->state = TASK_RUNNING;
	snprintf(t->comm, sizeof t->comm, "%s", cfg->argv[0]);
	memcpy(tg->comm, t->comm, sizeof tg->comm);
	list_add_tail(&t->tg_node, &tg->threads);
	tg->nr_threads = 1;

	t->files = fdtable_new();
	if (!t->files)
		return -ENOMEM;
	int err = install_stdio(k, cfg, t->files);
	if (err == 0)
		err = install_preserved(cfg, t->files);
	if (err == 0 && cfg->tty_stdio)
		err = tty_bridge_start(k, cfg, tg, t->files);
	if (err < 0)
		return err;
	struct walk_root wr = { k->root, k->root };
	struct path cwd;
	const char *dir = cfg->cwd ? cfg->cwd : "/";
	if ((err = vfs_walk(NULL, &wr, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &cwd)) < 0) {
		log_error("working directory %s: %s", dir, strerror(-err));
		return err;
	}
	t->fs = fs_context_new(&k->root, &cwd);
	path_put(&cwd);
	if (!t->fs)
		return -ENOMEM;
	boot_apply_process(tg, t, k->opts.process, true);   /* OCI: groups, capabilities... */

	pthread_mutex_lock(&k->lock);
	tg_get(tg);
	k->groups[1] = tg;
	k->tasks[1] = t;
	k->nr_tasks = 1;
	tg_get(tg);   /* k->init's own: others look at it while they die after it */
	k->init = tg;
	k->next_pid = 2;
	pthread_mutex_unlock(&k->lock);

	is->task = t;
	is->argv = cfg->argv;
	is->envp = cfg->envp;
	is->user = cfg->user;
	err = task_start_thread(t, init_main, is);
	if (err < 0)
		return err;
	return 0;
}

/* --- signals from outside ---------------------------------------------------------- */

static int signal_pipe[2] = { -1, -1 };

static void on_outside_signal(int sig)
{
	unsigned char b = (unsigned char)sig;
	ssize_t r = write(signal_pipe[1], &b, 1);
	(void)r;
}

void kernel_signal_from_outside(struct kernel *k, int sig)
{
	siginfo_t si = { .si_signo = sig, .si_code = SI_USER };
	pthread_mutex_lock(&k->lock);
	if (k->init && k->init->state == TG_ALIVE)
		send_signal_tg_locked(k->init, sig, &si);
	pthread_mutex_unlock(&k->lock);
}

static void *signal_forwarder(void *arg)
{
	struct kernel *k = arg;
	unsigned char b;
	while (read(signal_pipe[0], &b, 1) == 1)
		kernel_signal_from_outside(k, b);
	return NULL;
}

static int setup_outside_signals(struct kernel *k)
{
	if (pipe2(signal_pipe, O_CLOEXEC) < 0)
		return -errno;
	/* (what `kill` of a container may send; the sentry's own host
	 * signals — SIGCHLD, SIGPIPE, SIGWINCH for the tty bridge — stay its) */
	static const int forwarded[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2,
					 SIGALRM, SIGPWR, SIGVTALRM, SIGPROF, SIGXCPU };
	struct sigaction sa = { .sa_handler = on_outside_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaction(forwarded[i], &sa, NULL);
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&th, &attr, signal_forwarder, k);
	pthread_attr_destroy(&attr);
	return -err;
}

/* --- the gofer's death --------------------------------------------------------------- */

struct gofer_watch {
	struct kernel *k;
	int pidfd;
};

/* "killed by signal 9", "exit status 1", or "" when the status is gone
 * (a stub reaper may have collected it first). */
static void gofer_death_reason(int pidfd, char *buf, size_t size)
{
	siginfo_t si = { 0 };
	buf[0] = '\0';
	if (waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
		return;
	if (si.si_code == CLD_EXITED)
		snprintf(buf, size, " (exit status %d)", si.si_status);
	else
		snprintf(buf, size, " (killed by signal %d)", si.si_status);
}

/* Ends the sandbox as the death of its init would: every guest process
 * is killed and kernel_run returns. */
static void kernel_terminate(struct kernel *k)
{
	pthread_mutex_lock(&k->lock);
	if (k->init && k->init->state == TG_ALIVE)
		exit_group_locked(k->init, SIGKILL, NULL);
	pthread_mutex_unlock(&k->lock);
}

/* Waits for the gofer to die (it only does if something outside killed it
 * or it crashed: it outlives the sentry otherwise).  Without it no file
 * can be looked up, opened or listed, so, as runsc does not keep a
 * sandbox whose gofer is gone: every gofer request fails with EIO at once
 * (files already open keep their host fds and work), one line says why,
 * and after a grace period the sandbox is ended; the run then fails. */
static void *gofer_watcher(void *arg)
{
	struct gofer_watch *w = arg;
	struct kernel *k = w->k;
	struct pollfd p = { .fd = w->pidfd, .events = POLLIN };
	while (poll(&p, 1, -1) < 0)
		;
	if (atomic_load(&k->gofer_retired))
		return NULL;   /* --rusage-file closed its socket: not a death */
	gofer_client_shutdown(k->gofer);
	atomic_store(&k->gofer_died, true);
	char why[64];
	gofer_death_reason(w->pidfd, why, sizeof why);
	log_error("gofer died%s: file operations fail with EIO; ending the sandbox", why);
	struct timespec grace = { GOFER_DEATH_GRACE_MS / 1000, GOFER_DEATH_GRACE_MS % 1000 * 1000000L };
	while (nanosleep(&grace, &grace) < 0)
		;
	kernel_terminate(k);
	return NULL;
}

static int watch_gofer(struct kernel *k, pid_t gofer_pid)
{
	struct gofer_watch *w = malloc(sizeof *w);
	if (!w)
		return -ENOMEM;
	w->k = k;
	w->pidfd = (int)syscall(SYS_pidfd_open, gofer_pid, 0);
	if (w->pidfd < 0) {
		int e = errno;
		free(w);
		return -e;
	}
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);   /* the thread takes no signal */
	pthread_t th;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	int err = pthread_create(&th, &attr, gofer_watcher, w);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		close(w->pidfd);
		free(w);
	}
	return -err;
}

/* --- the kernel ----------------------------------------------------------------------- */

static struct kernel *kernel_new(const struct sandbox_config *cfg)
{
	struct kernel *k = calloc(1, sizeof *k);
	if (!k)
		return NULL;
	k->tasks = calloc(KERNEL_MAX_PID, sizeof *k->tasks);
	k->groups = calloc(KERNEL_MAX_PID, sizeof *k->groups);
	if (!k->tasks || !k->groups || host_facts_read(&k->host) < 0) {
		free(k->tasks);
		free(k->groups);
		free(k);
		return NULL;
	}
	pthread_mutex_init(&k->lock, NULL);
	pthread_cond_init(&k->finished_cond, NULL);
	k->opts = cfg->opts;
	if (sched_getaffinity(0, sizeof k->cpus, &k->cpus) < 0)
		CPU_ZERO(&k->cpus);
	k->next_pid = 1;
	k->host_stdio[0] = k->host_stdio[1] = k->host_stdio[2] = -1;
	k->boot_time = ts_now(CLOCK_REALTIME);
	k->boot_mono = ts_now(CLOCK_MONOTONIC);
	struct utsname host;
	uname(&host);
	strcpy(k->uts.sysname, "Linux");
	snprintf(k->uts.nodename, sizeof k->uts.nodename, "%s",
		 cfg->opts.hostname ? cfg->opts.hostname : DEFAULT_HOSTNAME);
	memcpy(k->uts.release, host.release, sizeof k->uts.release);
	memcpy(k->uts.version, host.version, sizeof k->uts.version);
	memcpy(k->uts.machine, host.machine, sizeof k->uts.machine);
	strcpy(k->uts.domainname, "(none)");
	return k;
}

static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* --- processes started from outside (OCI exec) ------------------------------------------ */

/* An exec with a terminal: its exit is reported once its terminal's
 * bridge has sent the last output to the host. */
struct spawn_tty {
	struct kernel *k;
	struct tty_bridge *bridge;
	void (*on_exit)(void *arg, int wait_status);
	void *arg;
	int status;
};

static void spawn_tty_done(void *arg)
{
	struct spawn_tty *st = arg;
	pthread_mutex_lock(&st->k->lock);
	st->on_exit(st->arg, st->status);
	pthread_mutex_unlock(&st->k->lock);
	free(st);
}

/* The exit hook (k->lock held). */
static void spawn_tty_exited(void *arg, int wait_status)
{
	struct spawn_tty *st = arg;
	st->status = wait_status;
	tty_bridge_release(st->bridge, spawn_tty_done, st);
}

static int spawn_tty_fail(struct spawn_tty *st, int err)
{
	if (st) {
		tty_bridge_release(st->bridge, NULL, NULL);
		free(st);
	}
	return err;
}

int kernel_spawn(struct kernel *k, const struct kernel_spawn_req *req)
{
	struct sandbox_config ids = { .uid = req->uid, .gid = req->gid };
	struct thread_group *tg = init_group(k, &ids);
	struct task *t = task_alloc(k);
	struct init_start *is = calloc(1, sizeof *is);
	if (!tg || !t || !is) {
		free(is);
		return -ENOMEM;   /* (a partial group or task is not reclaimed) */
	}
	tg->is_init = false;
	t->files = fdtable_new();
	if (!t->files)
		return -ENOMEM;
	struct spawn_tty *stty = NULL;
	if (req->tty) {
		struct owner o = { req->uid, req->gid };
		stty = calloc(1, sizeof *stty);
		int r = stty ? tty_bridge_spawn(k, req->stdio[0], &o, t->files, &stty->bridge)
			     : -ENOMEM;
		if (r < 0) {
			free(stty);
			return r;
		}
		*stty = (struct spawn_tty){ k, stty->bridge, req->on_exit, req->arg, 0 };
	}
	for (int fd = 0; fd < 3 && !stty; fd++) {
		int fl = req->stdio[fd] >= 0 ? fcntl(req->stdio[fd], F_GETFL) : -1;
		if (fl < 0)
			continue;
		struct file *f = hostfd_file_new(req->stdio[fd], (unsigned)fl & (O_ACCMODE | O_APPEND));
		if (!f)
			return -ENOMEM;
		int r = fd_install_at(t->files, fd, f, false, 1024);
		file_put(f);
		if (r < 0)
			return r;
	}
	const struct path *root = req->root ? req->root : &k->root;
	struct walk_root wr = { *root, *root };
	struct path cwd;
	int err = vfs_walk(NULL, &wr, req->cwd ? req->cwd : "/", LOOKUP_FOLLOW | LOOKUP_DIRECTORY,
			   &cwd);
	if (err < 0)
		return spawn_tty_fail(stty, err);
	t->fs = fs_context_new(root, &cwd);
	path_put(&cwd);
	if (!t->fs)
		return spawn_tty_fail(stty, -ENOMEM);
	if (req->process)
		boot_apply_process(tg, t, req->process, true);
	else if (!req->container)   /* (a pod container's config is not the sandbox's) */
		boot_apply_process(tg, t, k->opts.process, false);
	snprintf(t->comm, sizeof t->comm, "%s", req->argv[0]);
	memcpy(tg->comm, t->comm, sizeof tg->comm);

	pthread_mutex_lock(&k->lock);
	pid_t pid = k->finished || !k->init || k->init->state != TG_ALIVE ? -ESRCH
									 : kernel_alloc_pid(k);
	if (pid > 0 && req->container)
		pid = container_attach_locked(req->container, tg) < 0 ? -ESRCH : pid;
	if (pid < 0) {
		pthread_mutex_unlock(&k->lock);
		return spawn_tty_fail(stty, pid);
	}
	tg->tgid = tg->pgid = tg->sid = pid;
	tg->exit_hook = stty ? spawn_tty_exited : req->on_exit;
	tg->exit_hook_arg = stty ? (void *)stty : req->arg;
	if (stty)
		tty_bridge_set_ctty_locked(stty->bridge, tg);
	t->tid = pid;
	t->tg = tg;
	t->state = TASK_RUNNING;
	list_add_tail(&t->tg_node, &tg->threads);
	tg->nr_threads = 1;
	tg_get(tg);
	k->groups[pid] = tg;
	k->tasks[pid] = t;
	k->nr_tasks++;
	pthread_mutex_unlock(&k->lock);

	is->task = t;
	is->argv = req->argv;
	is->envp = req->envp;
	is->gate = req->gate;
	is->gate_arg = req->gate_arg;
	if ((err = task_start_thread(t, init_main, is)) < 0)
		return err;
	return pid;
}

/* OCI create: the sandbox is up; say so and wait for `start`.  The fifo
 * (fd, opened without blocking before the sentry confined itself) was
 * opened before "ok" goes out, so that a `start` right after create finds
 * a reader. */
static int wait_for_start(const struct sandbox_config *cfg, int fd)
{
	static const char ok[] = "ok\n";
	ssize_t w = write(cfg->ready_fd, ok, sizeof ok - 1);
	close(cfg->ready_fd);
	if (w != (ssize_t)sizeof ok - 1) {
		close(fd);
		return -EPIPE;
	}
	char c;
	ssize_t n;
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			n = -1;
			break;
		}
		n = read(fd, &c, 1);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		break;
	}
	close(fd);
	return n == 1 ? 0 : -ECANCELED;
}

/* --- the helper processes -------------------------------------------------------------- */

/* The gofer, the egress proxy and the port forwarder live as long as the
 * sandbox: one that dies before it (a seccomp violation, the OOM killer)
 * ends it, with a non-zero status, rather than leave it half-working. */
struct helper_watch {
	struct kernel *k;
	int n;
	int pidfd[3];
	const char *name[3];
};

/* A network helper that exits on its own (a seccomp violation, an error)
 * ends the sandbox; one killed from outside is a fault the netstack rides
 * out (netstack/stack.c: connections out fail), so it is only said.  The
 * gofer has its own watcher (watch_gofer). */
static void *helper_watcher(void *arg)
{
	struct helper_watch *w = arg;
	struct pollfd p[3];
	int left = w->n;
	for (int i = 0; i < w->n; i++)
		p[i] = (struct pollfd){ w->pidfd[i], POLLIN, 0 };
	while (left > 0) {
		if (poll(p, (nfds_t)w->n, -1) < 0)
			continue;
		pthread_mutex_lock(&w->k->lock);
		bool finished = w->k->finished;
		pthread_mutex_unlock(&w->k->lock);
		if (finished)
			return NULL;   /* the run is over: its end is not a failure */
		for (int i = 0; i < w->n; i++) {
			if (!p[i].revents)
				continue;
			siginfo_t si = { 0 };
			waitid(P_PIDFD, (id_t)p[i].fd, &si, WEXITED | WNOWAIT);
			if (si.si_code == CLD_EXITED) {
				log_error("the %s died (status %d): ending the sandbox", w->name[i],
					  si.si_status);
				_exit(125);
			}
			log_debug("the %s was killed (signal %d)", w->name[i], si.si_status);
			p[i].fd = -1;
			left--;
		}
	}
	return NULL;
}

static void watch_add(struct helper_watch *w, pid_t pid, const char *name)
{
	int fd = pid > 0 ? (int)syscall(SYS_pidfd_open, pid, 0) : -1;
	if (fd >= 0) {
		w->pidfd[w->n] = fd;
		w->name[w->n++] = name;
	}
}

static int watch_helpers(struct kernel *k, const struct netstack_helpers *nh)
{
	struct helper_watch *w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->k = k;
	watch_add(w, nh->proxy_pid, "egress proxy");
	watch_add(w, nh->publish_pid, "port forwarder");
	return kernel_service_thread(NULL, helper_watcher, w, true);
}

/* --rusage-file: the sentry's peak RSS, and the gofer's, which exits at
 * EOF on its socket and is then waited for (no /proc to read). */
static void write_rusage(const struct sandbox_config *cfg, int gofer_sock, pid_t gofer)
{
	if (!cfg->has_rusage_fd)
		return;
	struct rusage self, child;
	long sentry_kib = getrusage(RUSAGE_SELF, &self) == 0 ? self.ru_maxrss : -1;
	long gofer_kib = -1;
	shutdown(gofer_sock, SHUT_RDWR);
	if (wait4(gofer, NULL, __WALL, &child) == gofer)
		gofer_kib = child.ru_maxrss;
	dprintf(cfg->rusage_fd, "sentry_peak_rss_kib %ld\ngofer_peak_rss_kib %ld\n", sentry_kib,
		gofer_kib);
	close(cfg->rusage_fd);
}

/* Everything the sentry needs from the host file system is opened or read
 * by now (the rootfs through the gofer, host /proc text for procfs, the
 * control socket bound, the start fifo open): from here on it has an empty
 * root, no host network, no capabilities, and its seccomp filter.  The
 * stubs are made after, so that they get all of it, and then the sentry
 * loads its last filter, which they do not need and do not get. */
static int confine_and_start_platform(const struct sandbox_config *cfg,
				      const struct platform_ops *platform)
{
	platform_stub_oom_open();   /* (its /proc is gone after this) */
	int err = kernel_confine_namespaces();
	if (err == 0)
		err = kernel_confine_syscalls();
	if (err < 0)
		return err;
	err = platform->init(&(struct platform_config){ .patch = !cfg->no_patch });
	if (err < 0) {
		log_error("platform %s: %s", platform->name, strerror(-err));
		return err;
	}
	/* Every stub from now on is a fork of the template the platform just
	 * made: the sentry itself needs no more new processes nor
	 * executable memory. */
	return kernel_confine_late();
}

int kernel_run(const struct sandbox_config *cfg)
{
	const struct platform_ops *platform = platform_lookup(cfg->platform);
	if (!platform) {
		log_error("unknown platform %s", cfg->platform);
		return -EINVAL;
	}
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	int err = platform_vdso_probe();
	if (err < 0) {
		log_error("platform %s: %s", platform->name, strerror(-err));
		return err;
	}

	/* The gofer, while the sentry is still single-threaded. */
	size_t nmounts = 1 + cfg->nmounts;
	struct gofer_mount *gm = calloc(nmounts, sizeof *gm);
	if (!gm)
		return -ENOMEM;
	gm[0].host_path = cfg->rootfs;
	gm[0].readonly = true;
	for (size_t i = 0; i < cfg->nmounts; i++) {
		/* (only bind mounts are the gofer's) */
		gm[i + 1].host_path = cfg->mounts[i].type == SANDBOX_MOUNT_BIND ? cfg->mounts[i].host
									: NULL;
		gm[i + 1].readonly = cfg->mounts[i].readonly;
	}
	int sock;
	pid_t gofer_pid;
	err = gofer_spawn(gm, nmounts, &sock, &gofer_pid);
	free(gm);
	if (err < 0) {
		log_error("cannot start the gofer: %s", strerror(-err));
		return err;
	}
	/* While the gofer confines itself: the sentry's first requests to it
	 * (setup_mounts) wait for that anyway. */
	if (platform->preload)
		platform->preload(&(struct platform_config){ .patch = !cfg->no_patch });

	/* The network's host-side processes, still single-threaded, and
	 * before the sentry leaves the host's network namespace. */
	struct netstack_helpers nh;
	if ((err = netstack_spawn_helpers(&cfg->opts.net, &nh)) < 0)
		return err;

	struct kernel *k = kernel_new(cfg);
	if (!k)
		return -ENOMEM;
	k->platform = platform;
	if ((err = ktimer_base_new(k)) < 0)
		return err;
	if ((err = gofer_client_new(sock, &k->gofer)) < 0)
		return err;
	if ((err = setup_mounts(k, cfg)) < 0)
		return err;
	int ctl_fd = -1, fifo_fd = -1;
	if (cfg->control_socket && (ctl_fd = spawn_server_bind(cfg->control_socket)) < 0) {
		log_error("control socket %s: %s", cfg->control_socket, strerror(-ctl_fd));
		return ctl_fd;
	}
	if (cfg->gated && (fifo_fd = open(cfg->start_fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) < 0) {
		err = -errno;
		close(cfg->ready_fd);
		return err;
	}
	if ((err = confine_and_start_platform(cfg, platform)) < 0)
		return err;
	/* (threads only now: the sentry confined itself single-threaded) */
	if ((err = watch_gofer(k, gofer_pid)) < 0) {
		log_error("cannot watch the gofer: %s", strerror(-err));
		return err;
	}
	if ((err = watch_helpers(k, &nh)) < 0)
		return err;
	if ((err = netstack_start(k, &nh)) < 0) {
		log_error("cannot start the network: %s", strerror(-err));
		return err;
	}
	if ((err = setup_outside_signals(k)) < 0)
		return err;
	if (ctl_fd >= 0 && (err = spawn_server_start(k, ctl_fd)) < 0) {
		log_error("control socket %s: %s", cfg->control_socket, strerror(-err));
		return err;
	}
	if (cfg->gated && (err = wait_for_start(cfg, fifo_fd)) < 0)
		return err;
	if ((err = start_init(k, cfg)) < 0)
		return err;
	int status = kernel_wait_finished(k);
	tty_bridge_finish(k);
	if (k->opts.report_unimplemented) {
		struct task reporter = { .k = k };
		syscall_report_unimplemented(&reporter);
	}
	/* A run that lost its gofer failed, whatever its guest made of it;
	 * asked before write_rusage ends the gofer on purpose. */
	bool gofer_lost = atomic_load(&k->gofer_died);
	atomic_store(&k->gofer_retired, true);
	write_rusage(cfg, sock, gofer_pid);
	return gofer_lost ? -EIO : status;
}
