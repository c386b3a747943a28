/* Containers of a pod, in the pod's sandbox (pod.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "gofer/gofer.h"
#include "common/cgroup.h"
#include "runsc-compat/control.h"
#include "runsc-compat/pod.h"
#include "runsc-compat/sandbox_spec.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp_filter.h"

#define POD_REQ_MAX 65536

static void sleep_ms(int ms)
{
	struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000 * 1000 };
	nanosleep(&t, NULL);
}

/* --- <root>/<id>/pod: "SANDBOX-ID GUEST-PID" --------------------------------------------- */

static int pod_file_read(const struct runsc_globals *g, const char *id, char *sandbox,
			 size_t size, long *guest)
{
	char path[PATH_MAX + 16], buf[512];
	if (container_file(g, id, "pod", path, sizeof path) < 0)
		return -ENOENT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	char *sp = strchr(buf, ' ');
	if (!sp || (size_t)(sp - buf) >= size)
		return -EIO;
	*sp = 0;
	memcpy(sandbox, buf, (size_t)(sp - buf) + 1);
	*guest = strtol(sp + 1, NULL, 10);
	return 0;
}

static int pod_file_write(const struct runsc_globals *g, const char *id, const char *sandbox,
			  long guest)
{
	char path[PATH_MAX + 16];
	if (container_file(g, id, "pod", path, sizeof path) < 0)
		return -ENAMETOOLONG;
	FILE *f = fopen(path, "we");
	if (!f)
		return -errno;
	int ok = fprintf(f, "%s %ld\n", sandbox, guest) > 0;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

int pod_sandbox_id(const struct runsc_globals *g, const char *id, char *out, size_t size)
{
	long guest;
	return pod_file_read(g, id, out, size, &guest);
}

bool pod_member(const struct runsc_globals *g, const char *id)
{
	char path[PATH_MAX + 16];
	return container_file(g, id, "pod", path, sizeof path) == 0 && access(path, F_OK) == 0;
}

/* --- finding the pod ------------------------------------------------------------------- */

/* The pid in "/proc/<pid>/ns/<type>", or -1. */
static pid_t ns_path_pid(const char *path)
{
	if (strncmp(path, "/proc/", 6) != 0)
		return -1;
	char *end;
	long pid = strtol(path + 6, &end, 10);
	if (end == path + 6 || strncmp(end, "/ns/", 4) != 0 || pid <= 0 || pid > INT_MAX)
		return -1;
	return (pid_t)pid;
}

/* The running container under --root whose monitor (or proxy) is pid. */
static int container_of_pid(const struct runsc_globals *g, pid_t pid, struct container_state *out)
{
	DIR *d = opendir(g->root);
	if (!d)
		return 0;
	int found = 0;
	struct dirent *e;
	while (!found && (e = readdir(d))) {
		if (e->d_name[0] == '.' || container_load(g, e->d_name, out) < 0)
			continue;
		found = out->pid == pid && container_status(g, out) != CS_STOPPED;
	}
	closedir(d);
	return found;
}

int pod_find(const struct runsc_globals *g, const struct oci_config *c,
	     struct container_state *pod)
{
	for (size_t i = 0; i < c->nnamespaces; i++) {
		const struct oci_namespace *ns = &c->namespaces[i];
		if (!ns->path || (ns->type != OCI_NS_NETWORK && ns->type != OCI_NS_IPC &&
				  ns->type != OCI_NS_PID && ns->type != OCI_NS_UTS))
			continue;
		pid_t pid = ns_path_pid(ns->path);
		if (pid <= 0 || !container_of_pid(g, pid, pod))
			continue;
		/* A container of the pod (CRI's TARGET mode): its pod's sandbox. */
		char sandbox[256];
		long guest;
		if (pod_file_read(g, pod->id, sandbox, sizeof sandbox, &guest) == 0 &&
		    (container_load(g, sandbox, pod) < 0 || container_status(g, pod) == CS_STOPPED))
			continue;
		return 1;
	}
	return 0;
}

/* --- the request ------------------------------------------------------------------------ */

/* One field with its NUL (the buffer's cap, POD_REQ_MAX, keeps the text
 * below what the sandbox reads: MAX - 1). */
static void put(struct strbuf *b, const char *s)
{
	strbuf_append(b, s, strlen(s) + 1);
}

static void putu(struct strbuf *b, unsigned long long v)
{
	char num[32];
	snprintf(num, sizeof num, "%llu", v);
	put(b, num);
}

/* Does the container ask for a pid namespace of its own (CRI's default,
 * NamespaceMode CONTAINER), rather than joining the pod's by path? */
static bool own_pid_namespace(const struct oci_config *c)
{
	for (size_t i = 0; i < c->nnamespaces; i++)
		if (c->namespaces[i].type == OCI_NS_PID)
			return c->namespaces[i].path == NULL;
	return false;
}

static void put_list(struct strbuf *b, const char *const *v, size_t n)
{
	putu(b, n);
	for (size_t i = 0; i < n; i++)
		put(b, v[i]);
}

/* The CONTAINER request (sentry/kernel/container.h); NULL if too large. */
static char *container_request(const struct pod_create_req *r, const struct oci_config *c,
			       const struct sandbox_config *cfg, size_t *len)
{
	struct strbuf b = STRBUF_INIT(POD_REQ_MAX);
	char *proc = sandbox_process_encode(cfg->opts.process);
	char *filter = cfg->opts.seccomp ? seccomp_filter_encode(cfg->opts.seccomp) : strdup("");
	if (!proc || !filter) {
		free(proc);
		free(filter);
		return NULL;
	}
	const struct oci_process *p = &c->process;
	put(&b, "CONTAINER");
	put(&b, r->id);
	putu(&b, p->uid);
	putu(&b, p->gid);
	put(&b, p->cwd ? p->cwd : "/");
	putu(&b, r->tty >= 0);
	putu(&b, c->root_readonly);
	putu(&b, own_pid_namespace(c));
	putu(&b, p->nargs);
	for (size_t i = 0; i < p->nargs; i++)
		put(&b, p->args[i]);
	putu(&b, p->nenv);
	for (size_t i = 0; i < p->nenv; i++)
		put(&b, p->env[i]);
	put(&b, proc);     /* groups, umask, rlimits, no_new_privs, capabilities */
	put(&b, filter);   /* the seccomp profile, compiled */
	free(proc);
	free(filter);
	putu(&b, cfg->nmounts);
	for (size_t i = 0; i < cfg->nmounts; i++) {
		const struct sandbox_mount *m = &cfg->mounts[i];
		putu(&b, m->type);
		put(&b, m->guest);
		putu(&b, m->readonly);
		putu(&b, m->flags);
		putu(&b, m->mode & 07777);
		putu(&b, m->size);
		putu(&b, m->uid);
		putu(&b, m->gid);
	}
	put_list(&b, cfg->readonly_paths, cfg->nreadonly_paths);
	put_list(&b, cfg->masked_paths, cfg->nmasked_paths);
	if (b.full) {
		strbuf_free(&b);
		return NULL;
	}
	*len = b.len;
	return b.s;
}

/* --- the proxy -------------------------------------------------------------------------- */

struct proxy_args {
	const char *dir;            /* the container's */
	const char *pod_ctl;        /* the pod sandbox's control socket */
	const char *ctl;            /* the container's own */
	const char *fifo;
	int listen_fd;              /* the container's control socket, listening */
	int tty;                    /* or -1 */
	int report;                 /* create's pipe: an int32, the guest pid or -errno */
	const char *req;
	size_t len;
	struct gofer_mount *gofer_mounts;
	size_t ngofer_mounts;
};

/* The proxy's end: the status recorded, its gofer gone (the sandbox has
 * let it go), then the exit with the container's status. */
static _Noreturn void proxy_exit(const struct proxy_args *a, pid_t gofer, int code)
{
	container_record_exit(a->dir, code);
	if (gofer > 0)
		waitpid(gofer, NULL, 0);
	_exit(code);
}

static _Noreturn void proxy_main(const struct proxy_args *a)
{
	setsid();
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	/* The container's stdio goes to the sandbox; the proxy (and its
	 * gofer) keep none of it, so that the caller sees EOF when the
	 * container is done with it. */
	int io[3];
	for (int i = 0; i < 3; i++)
		io[i] = fcntl(a->tty >= 0 ? a->tty : i, F_DUPFD_CLOEXEC, 3);
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3 && null >= 0; i++)
		dup2(null, i);
	if (a->tty >= 0)
		close(a->tty);
	int fifo = open(a->fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int gsock = -1;
	pid_t gofer = -1;
	int32_t r = gofer_spawn(a->gofer_mounts, a->ngofer_mounts, &gsock, &gofer);
	int s = r < 0 ? r : control_connect(a->pod_ctl, 0);
	if (r == 0 && s < 0)
		r = s;
	if (r == 0 && fifo < 0)
		r = -errno;
	if (r == 0) {
		int fds[5] = { io[0], io[1], io[2], gsock, a->listen_fd };
		r = control_request(s, a->req, a->len, fds, 5);
	}
	for (int i = 0; i < 3; i++)
		if (io[i] >= 0)
			close(io[i]);
	if (gsock >= 0)
		close(gsock);
	close(a->listen_fd);
	ssize_t w = write(a->report, &r, sizeof r);
	(void)w;
	close(a->report);
	if (r < 0)
		proxy_exit(a, gofer, 255);

	pid_t guest = (pid_t)r;
	sigdelset(&all, SIGCHLD);
	int sfd = signalfd(-1, &all, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[3] = { { s, POLLIN, 0 }, { sfd, POLLIN, 0 }, { fifo, POLLIN, 0 } };
		if (poll(p, 3, -1) < 0)
			continue;
		if (p[2].revents) {
			char c;
			ssize_t n = read(fifo, &c, 1);
			if (n == 1 && send(s, "START", 5, MSG_NOSIGNAL) != 5)
				proxy_exit(a, gofer, 128 + SIGKILL);
			if (n >= 0 || errno != EAGAIN) {
				close(fifo);   /* started (or nobody will start it) */
				fifo = -1;
			}
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == sizeof si)
				control_signal(a->ctl, guest, (int)si.ssi_signo);
		}
		if (p[0].revents) {
			int32_t status;
			/* EOF: the sandbox is gone, and the container with it. */
			if (recv(s, &status, sizeof status, 0) != sizeof status)
				proxy_exit(a, gofer, 128 + SIGKILL);
			proxy_exit(a, gofer, exit_code_of(status));
		}
	}
}

/* --- create ------------------------------------------------------------------------------- */

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path) >= (int)sizeof sa.sun_path)
		return -ENAMETOOLONG;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	unlink(path);
	if (bind(s, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(s, 16) < 0) {
		int e = errno;
		close(s);
		return -e;
	}
	return s;
}

/* The gofer's mounts: the rootfs (read-only: the sandbox writes to memory),
 * then each bind mount, in the order the request lists them. */
static struct gofer_mount *gofer_mounts(const char *rootfs, const struct sandbox_config *cfg,
					size_t *n)
{
	struct gofer_mount *gm = calloc(cfg->nmounts + 1, sizeof *gm);
	if (!gm)
		return NULL;
	gm[0] = (struct gofer_mount){ rootfs, true };
	*n = 1;
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (cfg->mounts[i].type == SANDBOX_MOUNT_BIND)
			gm[(*n)++] = (struct gofer_mount){ cfg->mounts[i].host,
							   cfg->mounts[i].readonly };
	return gm;
}

static int create_failed(const struct runsc_globals *g, const char *id, int tty, const char *fmt,
			 ...) __attribute__((format(printf, 4, 5)));

/* Undoes create: the message reported, the container's directory gone. */
static int create_failed(const struct runsc_globals *g, const char *id, int tty, const char *fmt,
			 ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (tty >= 0)
		close(tty);
	container_remove_dir(g, id);
	return runsc_error(g, "%s", msg);
}

int pod_create(const struct runsc_globals *g, const struct pod_create_req *r,
	       struct oci_config *c, const struct container_state *pod, pid_t *proxy)
{
	char why[512], dir[PATH_MAX], fifo[PATH_MAX + 16], ctl[PATH_MAX + 16];
	char pod_ctl[PATH_MAX + 16];
	struct sandbox_config cfg;
	memset(&cfg, 0, sizeof cfg);
	if (sandbox_spec_apply(c, r->bundle, &cfg, why, sizeof why) < 0) {
		if (r->tty >= 0)
			close(r->tty);
		return runsc_error(g, "%s", why);
	}
	size_t len = 0, ngm = 0;
	char *req = container_request(r, c, &cfg, &len);
	struct gofer_mount *gm = gofer_mounts(r->rootfs, &cfg, &ngm);
	if (!req || !gm) {
		if (r->tty >= 0)
			close(r->tty);
		return runsc_error(g, "container %s: its process, mounts and seccomp profile are too "
				   "large", r->id);
	}
	container_dir(g, r->id, dir, sizeof dir);
	if (mkdir(dir, 0711) < 0) {
		if (r->tty >= 0)
			close(r->tty);
		return runsc_error(g, errno == EEXIST ? "container with id %s already exists"
				   : "cannot create the container's directory %s", r->id);
	}
	snprintf(fifo, sizeof fifo, "%s/start.fifo", dir);
	snprintf(ctl, sizeof ctl, "%s/control.sock", dir);
	container_file(g, pod->id, "control.sock", pod_ctl, sizeof pod_ctl);
	/* The proxy (the pid the shim's metrics look at) and the container's
	 * gofer go in its cgroup.  Its limits are not written: its processes
	 * run in the pod's sandbox, under the pod's cgroup and limits. */
	char *cgroups = NULL;
	if (c->cgroups_path && c->cgroups_path[0] && !g->ignore_cgroups &&
	    !(cgroups = container_cgroup_create(g, c, dir, false)) && !g->rootless) {
		if (r->tty >= 0)
			close(r->tty);
		container_remove_dir(g, r->id);
		return 1;   /* reported */
	}
	if (mkfifo(fifo, 0600) < 0)
		return create_failed(g, r->id, r->tty, "container %s: mkfifo: %s", r->id,
				     strerror(errno));
	int lfd = listen_on(ctl);
	if (lfd < 0)
		return create_failed(g, r->id, r->tty, "container %s: its control socket: %s",
				     r->id, strerror(-lfd));
	int rep[2];
	if (pipe2(rep, O_CLOEXEC) < 0) {
		close(lfd);
		return create_failed(g, r->id, r->tty, "container %s: pipe: %s", r->id,
				     strerror(errno));
	}
	struct proxy_args a = { dir, pod_ctl, ctl, fifo, lfd, r->tty, rep[1], req, len, gm, ngm };
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		close(rep[0]);
		if (cgroups && cgroup_join(cgroups, why, sizeof why) < 0) {
			int32_t err = -EIO;
			fprintf(stderr, "runsc: %s\n", why);
			ssize_t w = write(rep[1], &err, sizeof err);
			(void)w;
			_exit(125);
		}
		proxy_main(&a);
	}
	free(cgroups);
	close(rep[1]);
	close(lfd);
	if (r->tty >= 0)
		close(r->tty);
	if (pid < 0) {
		close(rep[0]);
		return create_failed(g, r->id, -1, "container %s: fork: %s", r->id, strerror(errno));
	}
	int32_t guest = -EIO;
	if (read(rep[0], &guest, sizeof guest) != sizeof guest)
		guest = -EIO;
	close(rep[0]);
	if (guest < 0) {
		waitpid(pid, NULL, 0);
		return create_failed(g, r->id, -1, "runsc create failed: container %s: the pod's "
				     "sandbox cannot start it: %s (see the sandbox's log)", r->id,
				     strerror(-guest));
	}
	struct container_state s = { .pid = pid, .pid_start = proc_start_time(pid) };
	snprintf(s.id, sizeof s.id, "%s", r->id);
	snprintf(s.bundle, sizeof s.bundle, "%s", r->bundle);
	snprintf(s.rootfs, sizeof s.rootfs, "%s", r->rootfs);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(s.created, sizeof s.created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	int e;
	if ((e = pod_file_write(g, r->id, pod->id, guest)) < 0 || (e = container_save(g, &s)) < 0 ||
	    (r->pid_file && (e = write_pid_file(r->pid_file, pid)) < 0)) {
		kill(pid, SIGKILL);   /* the sandbox ends the container at the EOF */
		waitpid(pid, NULL, 0);
		return create_failed(g, r->id, -1, "container %s: cannot record it: %s", r->id,
				     strerror(-e));
	}
	*proxy = pid;
	return 0;
}

/* --- kill, delete ----------------------------------------------------------------------- */

int pod_kill(const struct runsc_globals *g, const struct container_state *st, int sig, bool all)
{
	if (container_status(g, st) == CS_STOPPED) {
		/* runc too: kill --all of a stopped container is no error (the
		 * shim sends it once the init is gone). */
		return all ? 0 : runsc_error(g, "cannot signal container %s: container not running",
					     st->id);
	}
	char sandbox[256], ctl[PATH_MAX + 16];
	long guest = -1;
	if (pod_file_read(g, st->id, sandbox, sizeof sandbox, &guest) < 0 || guest <= 0)
		return runsc_error(g, "container %s: unreadable pod state", st->id);
	container_file(g, st->id, "control.sock", ctl, sizeof ctl);
	int e = control_signal(ctl, all ? -1 : guest, sig);
	if (e == -ESRCH)
		e = 0;   /* on its way out */
	if (e < 0 && sig == SIGKILL && kill(st->pid, SIGKILL) == 0)
		e = 0;   /* the sandbox does not answer: the proxy's end ends it */
	return e < 0 ? runsc_error(g, "kill %s: %s", st->id, strerror(-e)) : 0;
}

static bool gone(const struct container_state *st)
{
	return proc_start_time(st->pid) != st->pid_start;
}

/* Until the sandbox has closed the container's control socket, which it
 * does once it has let go of the container's files. */
static void wait_released(const char *ctl, int ms)
{
	for (int i = 0; i < ms; i += 10) {
		int s = control_connect(ctl, SOCK_NONBLOCK);
		if (s < 0 && s != -EAGAIN)
			return;
		if (s >= 0)
			close(s);
		sleep_ms(10);
	}
}

int pod_delete(const struct runsc_globals *g, const struct container_state *st, bool force)
{
	if (container_status(g, st) != CS_STOPPED) {
		if (!force)
			return runsc_error(g, "cannot delete container %s that is not stopped: %s",
					   st->id, container_status_name(container_status(g, st)));
		pod_kill(g, st, SIGKILL, true);
		for (int i = 0; i < 500 && !gone(st); i++)
			sleep_ms(10);
		if (!gone(st))
			kill(st->pid, SIGKILL);
	}
	char ctl[PATH_MAX + 16];
	if (container_file(g, st->id, "control.sock", ctl, sizeof ctl) == 0)
		wait_released(ctl, 5000);
	container_remove_dir(g, st->id);
	return 0;
}
