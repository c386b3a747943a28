/* The sandbox's control socket (OCI exec): a unix SOCK_SEQPACKET socket
 * whose every connection asks for one process to be started in the running
 * sandbox, and is told its pid, then its wait status when it has exited.
 *
 * Request: one message, with the process's stdin, stdout and stderr as
 * three fds (SCM_RIGHTS), and a text of NUL-terminated fields:
 *   "EXEC", uid, gid, cwd, nargs, args..., nenv, env... [, settings]
 * settings (optional): the process's groups, umask, rlimits, no_new_privs
 * and capabilities (OCI process.json), one field as sandbox_process_encode
 * (kernel.h) writes it; without it the process gets those of the sandbox's
 * config but its groups (a pod container's: the defaults).  It keeps the
 * seccomp profile of where it runs (the sandbox's, or the container's).
 * ("EXECTTY": the stdin fd is a host terminal; the process gets a terminal
 * of the sandbox bridged to it, see kernel_spawn_req.tty.)
 * Replies: an int32 (the pid, or -errno), later an int32 (the wait status).
 * A malformed request is answered -EINVAL and the connection closed.
 *
 * Or a signal from outside: "SIGNAL", pid (-1: every process), signal;
 * answered with an int32 0 or -errno (ESRCH: no such process).
 *
 * Or "PS": answered with one message, an int32 count and that many int32
 * host pids (in the sentry's pid namespace) of the stubs that run the
 * threads of every process (`runsc ps` of a pod's container).
 *
 * Or "CONTAINER": a pod container joins the sandbox (container.h).  Each
 * pod container has a control socket of its own, served here too: there
 * EXEC starts a process of that container, in its root, and SIGNAL and PS
 * reach only its processes. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/kernel/container.h"
#include "sentry/kernel/internal.h"

#define SPAWN_MSG_MAX 65536
#define SPAWN_MAX_ARGS 4096

struct spawn_conn {
	int fd;                    /* the connection */
	int stdio[3];
	char *buf;                 /* the request text: argv and envp point into it */
	char **argv, **envp;
	/* Under k->lock: the pid went out; the process exited first. */
	bool replied, exited;
	int status;
};

static void conn_free(struct spawn_conn *c)
{
	for (int i = 0; i < 3; i++)
		if (c->stdio[i] >= 0)
			close(c->stdio[i]);
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c->argv);
	free(c->envp);
	free(c);
}

/* k->lock held: tell the waiter and let everything go. */
static void spawn_exited(void *arg, int wait_status)
{
	struct spawn_conn *c = arg;
	if (!c->replied) {   /* the pid is not out yet: serve_one sends both */
		c->exited = true;
		c->status = wait_status;
		return;
	}
	int32_t st = wait_status;
	ssize_t w = send(c->fd, &st, sizeof st, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)w;
	conn_free(c);
}

/* --- the requests' text: NUL-terminated fields (internal.h) --------------------------- */

char *ctl_field(char *buf, size_t len, size_t *pos)
{
	if (*pos >= len)
		return NULL;
	char *s = buf + *pos;
	char *end = memchr(s, 0, len - *pos);
	if (!end)
		return NULL;
	*pos = (size_t)(end - buf) + 1;
	return s;
}

bool ctl_uint(char *buf, size_t len, size_t *pos, unsigned long long max,
	      unsigned long long *out)
{
	const char *s = ctl_field(buf, len, pos);
	if (!s || !*s || *s == '-')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (*end || errno || v > max)
		return false;
	*out = v;
	return true;
}

char **ctl_list(char *buf, size_t len, size_t *pos, unsigned long long max)
{
	unsigned long long n;
	if (!ctl_uint(buf, len, pos, max, &n))
		return NULL;
	char **v = calloc(n + 1, sizeof *v);
	if (!v)
		return NULL;
	for (unsigned long long i = 0; i < n; i++)
		if (!(v[i] = ctl_field(buf, len, pos))) {
			free(v);
			return NULL;
		}
	return v;
}

static int handle(struct kernel *k, struct kcontainer *ctr, struct spawn_conn *c, size_t len)
{
	size_t pos = 0;
	unsigned long long uid, gid;
	const char *magic = ctl_field(c->buf, len, &pos);
	bool tty = magic && strcmp(magic, "EXECTTY") == 0;
	if (!magic || (strcmp(magic, "EXEC") != 0 && !tty) ||
	    !ctl_uint(c->buf, len, &pos, 0xfffffffeULL, &uid) ||
	    !ctl_uint(c->buf, len, &pos, 0xfffffffeULL, &gid))
		return -EINVAL;
	const char *cwd = ctl_field(c->buf, len, &pos);
	if (!cwd || cwd[0] != '/')
		return -EINVAL;
	if (!(c->argv = ctl_list(c->buf, len, &pos, SPAWN_MAX_ARGS)) || !c->argv[0] ||
	    !(c->envp = ctl_list(c->buf, len, &pos, SPAWN_MAX_ARGS)))
		return -EINVAL;
	struct sandbox_process *proc = NULL;
	const char *settings = pos < len ? ctl_field(c->buf, len, &pos) : NULL;
	if (pos < len)
		return -EINVAL;   /* trailing fields */
	if (settings) {
		int err = sandbox_process_decode(settings, strlen(settings), &proc);
		if (err < 0)
			return err;
	}
	struct kernel_spawn_req req = {
		.argv = c->argv, .envp = c->envp, .cwd = cwd, .uid = (uid_t)uid, .gid = (gid_t)gid,
		.stdio = { c->stdio[0], c->stdio[1], c->stdio[2] },
		.tty = tty, .on_exit = spawn_exited, .arg = c,
		.root = ctr ? container_root(ctr) : NULL, .container = ctr, .process = proc,
	};
	int r = kernel_spawn(k, &req);   /* (the settings are applied by now) */
	sandbox_process_free(proc);
	return r;
}

/* SIGNAL: as a signal from outside the sandbox (SI_USER, no sender). */
static int handle_signal(struct kernel *k, struct kcontainer *ctr, char *buf, size_t len,
			 size_t pos)
{
	const char *ps = ctl_field(buf, len, &pos);
	unsigned long long sig;
	if (!ps || !ctl_uint(buf, len, &pos, 64, &sig) || sig == 0)
		return -EINVAL;
	long pid = strcmp(ps, "-1") == 0 ? -1 : strtol(ps, NULL, 10);
	if (pid == 0 || pid < -1 || pid >= KERNEL_MAX_PID)
		return -EINVAL;
	siginfo_t si = { .si_signo = (int)sig, .si_code = SI_USER };
	int err = -ESRCH;
	pthread_mutex_lock(&k->lock);
	for (pid_t p = pid > 0 ? (pid_t)pid : 1; p < KERNEL_MAX_PID; p++) {
		struct thread_group *tg = kernel_find_tg(k, p);
		if (tg && tg->state == TG_ALIVE && (!ctr || tg->container == ctr)) {
			send_signal_tg_locked(tg, (int)sig, &si);
			err = 0;
		}
		if (pid > 0)
			break;
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

/* PS: the host pids of the stubs that run the processes' threads. */
static void handle_ps(struct kernel *k, struct kcontainer *ctr, int fd)
{
	enum { PS_MAX = SPAWN_MSG_MAX / sizeof(int32_t) - 1 };
	int32_t *r = malloc((PS_MAX + 1) * sizeof *r), n = 0;
	if (!r) {
		int32_t e = -ENOMEM;
		ssize_t w = send(fd, &e, sizeof e, MSG_NOSIGNAL);
		(void)w;
		return;
	}
	pthread_mutex_lock(&k->lock);
	for (pid_t p = 1; p < KERNEL_MAX_PID && n < PS_MAX; p++) {
		struct thread_group *tg = kernel_find_tg(k, p);
		if (!tg || tg->tgid != p || tg->state != TG_ALIVE || (ctr && tg->container != ctr))
			continue;
		struct task *t;
		list_for_each_entry(t, &tg->threads, tg_node)
			if (t->ctx && n < PS_MAX)   /* (t->ctx changes under k->lock only) */
				r[1 + n++] = (int32_t)t->platform->host_tid(t->ctx);
	}
	pthread_mutex_unlock(&k->lock);
	r[0] = n;
	ssize_t w = send(fd, r, (size_t)(n + 1) * sizeof *r, MSG_NOSIGNAL);
	(void)w;
	free(r);
}

#define SPAWN_MAX_FDS 8   /* CONTAINER's five, with room to refuse more */

void spawn_serve_conn(struct kernel *k, struct kcontainer *ctr, int fd)
{
	struct spawn_conn *c = calloc(1, sizeof *c);
	char *buf = malloc(SPAWN_MSG_MAX);
	if (!c || !buf) {
		free(c);
		free(buf);
		close(fd);
		return;
	}
	c->fd = fd;
	c->buf = buf;
	c->stdio[0] = c->stdio[1] = c->stdio[2] = -1;
	union { struct cmsghdr h; char b[CMSG_SPACE(SPAWN_MAX_FDS * sizeof(int))]; } u;
	struct iovec iov = { buf, SPAWN_MSG_MAX - 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b,
			    .msg_controllen = sizeof u.b };
	ssize_t n = recvmsg(fd, &m, MSG_CMSG_CLOEXEC);
	int err = n > 0 && !(m.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) ? 0 : -EINVAL;
	int fds[SPAWN_MAX_FDS], nfds = 0;
	for (struct cmsghdr *h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			size_t nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < nfd; i++) {
				int x;
				memcpy(&x, CMSG_DATA(h) + i * sizeof(int), sizeof x);
				if (nfds < SPAWN_MAX_FDS)
					fds[nfds++] = x;
				else
					close(x);
			}
		}
	if (err == 0) {
		buf[n] = 0;
		size_t pos = 0;
		const char *magic = ctl_field(buf, (size_t)n, &pos);
		if (magic && strcmp(magic, "CONTAINER") == 0 && !ctr) {
			free(c);   /* the connection, the text and the fds are the container's */
			container_request(k, fd, buf, (size_t)n, fds, nfds);
			return;
		}
	}
	for (int i = 0; i < nfds; i++) {
		if (i < 3)
			c->stdio[i] = fds[i];
		else
			close(fds[i]);
	}
	if (err == 0) {
		size_t pos = 0;
		const char *magic = ctl_field(buf, (size_t)n, &pos);
		if (magic && strcmp(magic, "SIGNAL") == 0) {
			int32_t r = handle_signal(k, ctr, buf, (size_t)n, pos);
			ssize_t w = send(fd, &r, sizeof r, MSG_NOSIGNAL);
			(void)w;
			conn_free(c);
			return;
		}
		if (magic && strcmp(magic, "PS") == 0) {
			handle_ps(k, ctr, fd);
			conn_free(c);
			return;
		}
		err = handle(k, ctr, c, (size_t)n);
	}
	int32_t reply = err;   /* the pid, or -errno */
	ssize_t w = send(fd, &reply, sizeof reply, MSG_NOSIGNAL);
	(void)w;
	if (err < 0) {
		conn_free(c);
		return;
	}
	/* From here spawn_exited frees it, unless it already ran. */
	pthread_mutex_lock(&k->lock);
	c->replied = true;
	bool exited = c->exited;
	pthread_mutex_unlock(&k->lock);
	if (exited) {
		c->replied = true;
		spawn_exited(c, c->status);
	}
}

struct spawn_server {
	struct kernel *k;
	int fd;
};

static void *server_main(void *arg)
{
	struct spawn_server *s = arg;
	for (;;) {
		int fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			log_error("control socket: %s", strerror(errno));
			return NULL;
		}
		spawn_serve_conn(s->k, NULL, fd);
	}
}

int spawn_server_bind(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof sa.sun_path)
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return -e;
	}
	return fd;
}

int spawn_server_start(struct kernel *k, int fd)
{
	struct spawn_server *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	s->k = k;
	s->fd = fd;
	return kernel_service_thread(NULL, server_main, s, true);
}
