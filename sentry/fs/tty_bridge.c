/* `sentry run -t`: the guest's terminal is a pty of the sandbox, and a
 * sentry thread carries bytes between its master and the caller's terminal
 * (host fds), like a terminal emulator would.
 *
 * The thread belongs to no task: it waits in poll() on the host input fd,
 * an eventfd that the pty's wait queues poke, and a pipe the SIGWINCH
 * handler writes to (the outer `sentry` process forwards the caller's
 * window changes; the new size is read from the caller's terminal).  When
 * the host input ends, a terminal hangs up the pty; a pipe or file gives
 * the guest one VEOF, as typing ^D would.  The outer process, not this
 * one, puts the caller's terminal in raw mode and restores it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/fs/tty.h"

struct tty_bridge {
	struct kernel *k;
	struct tty *tty;
	int in_fd;               /* host input (-1: none) */
	int out_fd;              /* host output (-1: dropped) */
	int term_fd;             /* the caller's terminal, for its size (-1: none) */
	bool in_is_tty;
	bool master_closed;      /* the host terminal went away: pty hung up */
	int event_fd;
	struct waitq_entry in_e, out_e;
	pthread_t thread;
	atomic_bool stopping;
	uint8_t pending[4096];   /* host input the pty has not taken yet */
	size_t npending, poff;
	bool in_done;
	/* An exec's bridge (tty_bridge_spawn): it owns in_fd, polls no
	 * SIGWINCH pipe, and at its stop calls done and frees itself. */
	bool detached;
	void (*done)(void *arg);
	void *done_arg;
};

static int winch_pipe[2] = { -1, -1 };

static void on_winch(int sig)
{
	int saved = errno;
	ssize_t r = write(winch_pipe[1], "w", 1);
	(void)r;
	errno = saved;
}

static void poke(struct waitq_entry *e, unsigned events)
{
	struct tty_bridge *b = e->priv;
	uint64_t one = 1;
	ssize_t r = write(b->event_fd, &one, sizeof one);
	(void)r;
}

/* Writes all of buf to the host, waiting while the fd is full; on an error
 * the output is dropped from then on. */
static void write_host(struct tty_bridge *b, const uint8_t *buf, size_t len)
{
	while (len > 0 && b->out_fd >= 0) {
		ssize_t r = write(b->out_fd, buf, len);
		if (r > 0) {
			buf += r;
			len -= (size_t)r;
		} else if (r < 0 && errno == EAGAIN) {
			struct pollfd p = { b->out_fd, POLLOUT, 0 };
			poll(&p, 1, -1);
		} else if (r < 0 && errno != EINTR) {
			b->out_fd = -1;
		}
	}
}

static void drain_output(struct tty_bridge *b)
{
	uint8_t buf[4096];
	ssize_t n;
	while ((n = tty_master_read_buf(b->tty, buf, sizeof buf)) > 0)
		write_host(b, buf, (size_t)n);
}

static void resize(struct tty_bridge *b)
{
	struct winsize ws;
	if (b->term_fd >= 0 && ioctl(b->term_fd, TIOCGWINSZ, &ws) == 0)
		tty_set_winsize(b->tty, &ws);
}

static void input_ended(struct tty_bridge *b)
{
	b->in_done = true;
	if (b->in_is_tty) {
		/* The terminal is gone: as if its emulator had closed the master. */
		b->master_closed = true;
		tty_master_close(b->tty);
		return;
	}
	uint8_t eof = tty_eof_char(b->tty);
	if (eof)
		tty_master_write_buf(b->tty, &eof, 1);
}

static void read_input(struct tty_bridge *b)
{
	ssize_t r = read(b->in_fd, b->pending, sizeof b->pending);
	if (r > 0) {
		b->npending = (size_t)r;
		b->poff = 0;
	} else if (r == 0 || (errno != EINTR && errno != EAGAIN)) {
		input_ended(b);
	}
}

static void spawn_bridge_end(struct tty_bridge *b);

static void *bridge_main(void *arg)
{
	struct tty_bridge *b = arg;
	for (;;) {
		/* Stopping is read before the last drain: everything the guest
		 * wrote before it ended is out before the thread goes. */
		bool stopping = atomic_load(&b->stopping);
		drain_output(b);
		if (stopping)
			break;
		if (b->npending > 0 && !b->master_closed) {
			ssize_t r = tty_master_write_buf(b->tty, b->pending + b->poff, b->npending);
			if (r > 0) {
				b->poff += (size_t)r;
				b->npending -= (size_t)r;
			}
		}
		struct pollfd p[3] = {
			{ b->event_fd, POLLIN, 0 },
			{ b->detached ? -1 : winch_pipe[0], POLLIN, 0 },
			{ b->in_fd, POLLIN, 0 },
		};
		nfds_t n = b->in_fd >= 0 && !b->in_done && b->npending == 0 ? 3 : 2;
		if (poll(p, n, -1) < 0)
			continue;
		if (p[0].revents) {
			uint64_t v;
			ssize_t r = read(b->event_fd, &v, sizeof v);
			(void)r;
		}
		if (p[1].revents) {
			char c[64];
			ssize_t r = read(winch_pipe[0], c, sizeof c);
			(void)r;
			resize(b);
		}
		if (n == 3 && p[2].revents)
			read_input(b);
	}
	if (b->detached)
		spawn_bridge_end(b);
	return NULL;
}

/* The host fds: input is fd 0; output goes to the first terminal among
 * fds 1, 2 and 0 (or fd 1 when none is one). */
static void pick_host_fds(struct tty_bridge *b, const struct sandbox_config *cfg)
{
	b->in_fd = b->out_fd = b->term_fd = -1;
	if (!cfg->stdio_closed[0]) {
		b->in_fd = 0;
		b->in_is_tty = isatty(0);
	}
	static const int order[] = { 1, 2, 0 };
	for (int i = 0; i < 3 && b->out_fd < 0; i++)
		if (!cfg->stdio_closed[order[i]] && isatty(order[i]))
			b->out_fd = order[i];
	if (b->out_fd < 0 && !cfg->stdio_closed[1])
		b->out_fd = 1;
	for (int fd = 0; fd < 3 && b->term_fd < 0; fd++)
		if (!cfg->stdio_closed[fd] && isatty(fd))
			b->term_fd = fd;
}

/* The slave end as the guest's stdio, opened by the sentry (no task). */
static int install_slave(struct kernel *k, struct tty *tty, unsigned mask,
			 struct fdtable *files)
{
	struct path p = { 0 };
	int err = devpts_slave_path(k->devpts, tty, &p);
	if (err < 0)
		return err;
	struct file *f = file_new(tty->inode, &p, NULL, O_RDWR | O_LARGEFILE);
	path_put(&p);
	if (!f)
		return -ENOMEM;
	err = tty_slave_file_init(NULL, tty, f, true);
	for (int fd = 0; fd < 3 && err >= 0; fd++)
		if (mask & (1u << fd))
			err = fd_install_at(files, fd, f, false, 1024);   /* the fd */
	file_put(f);
	return err < 0 ? err : 0;
}

int tty_bridge_start(struct kernel *k, const struct sandbox_config *cfg,
		     struct thread_group *init, struct fdtable *files)
{
	if (!k->devpts)
		return -ENODEV;
	struct tty_bridge *b = calloc(1, sizeof *b);
	if (!b)
		return -ENOMEM;
	b->k = k;
	b->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (b->event_fd < 0 || (winch_pipe[0] < 0 && pipe2(winch_pipe, O_CLOEXEC | O_NONBLOCK) < 0)) {
		int err = -errno;
		if (b->event_fd >= 0)
			close(b->event_fd);
		free(b);
		return err;
	}
	pick_host_fds(b, cfg);

	struct owner o = { cfg->uid, cfg->gid };
	int err = devpts_new_pty(k->devpts, &o, &b->tty);
	if (err < 0) {
		close(b->event_fd);
		free(b);
		return err;
	}
	struct tty *tty = b->tty;
	tty->locked = false;
	resize(b);
	if ((err = install_slave(k, tty, cfg->tty_stdio, files)) < 0) {
		tty_master_close(tty);
		tty_put(tty);
		close(b->event_fd);
		free(b);
		return err;
	}
	/* init leads session 1, of which this is the controlling terminal. */
	pthread_mutex_lock(&k->lock);
	tty_set_ctty_locked(init, tty);
	pthread_mutex_unlock(&k->lock);

	waitq_add_callback(&tty->in_wq, &b->in_e, 0, poke, b);
	waitq_add_callback(&tty->out_wq, &b->out_e, 0, poke, b);
	struct sigaction sa = { .sa_handler = on_winch, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGWINCH, &sa, NULL);
	k->tty_bridge = b;
	err = -pthread_create(&b->thread, NULL, bridge_main, b);
	if (err < 0) {
		k->tty_bridge = NULL;
		log_error("terminal bridge: %s", strerror(-err));
		return err;   /* start-up fails; the process goes */
	}
	return 0;
}

/* The bridge's hold on its terminal, let go (its thread is over). */
static void bridge_release_tty(struct tty_bridge *b)
{
	waitq_del(&b->tty->in_wq, &b->in_e);
	waitq_del(&b->tty->out_wq, &b->out_e);
	if (!b->master_closed)
		tty_master_close(b->tty);
	tty_put(b->tty);
	close(b->event_fd);
}

void tty_bridge_finish(struct kernel *k)
{
	struct tty_bridge *b = k->tty_bridge;
	if (!b)
		return;
	k->tty_bridge = NULL;
	atomic_store(&b->stopping, true);
	uint64_t one = 1;
	ssize_t r = write(b->event_fd, &one, sizeof one);
	(void)r;
	pthread_join(b->thread, NULL);
	signal(SIGWINCH, SIG_IGN);
	bridge_release_tty(b);
	free(b);
}

/* --- OCI exec with a terminal -------------------------------------------------------- */

/* The bridge's thread, stopped: lets everything go, then says so. */
static void spawn_bridge_end(struct tty_bridge *b)
{
	pthread_detach(pthread_self());
	bridge_release_tty(b);
	close(b->in_fd);
	if (b->done)
		b->done(b->done_arg);
	free(b);
}

int tty_bridge_spawn(struct kernel *k, int host_fd, const struct owner *o,
		     struct fdtable *files, struct tty_bridge **out)
{
	if (!k->devpts)
		return -ENODEV;
	struct tty_bridge *b = calloc(1, sizeof *b);
	if (!b)
		return -ENOMEM;
	b->k = k;
	b->detached = true;
	b->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	b->in_fd = fcntl(host_fd, F_DUPFD_CLOEXEC, 3);
	int err = b->event_fd < 0 || b->in_fd < 0 ? -errno : 0;
	if (err == 0)
		err = devpts_new_pty(k->devpts, o, &b->tty);
	if (err < 0) {
		if (b->event_fd >= 0)
			close(b->event_fd);
		if (b->in_fd >= 0)
			close(b->in_fd);
		free(b);
		return err;
	}
	b->out_fd = b->term_fd = b->in_fd;
	b->in_is_tty = isatty(b->in_fd);
	b->tty->locked = false;
	resize(b);
	if ((err = install_slave(k, b->tty, 7, files)) < 0) {
		tty_master_close(b->tty);
		tty_put(b->tty);
		close(b->event_fd);
		close(b->in_fd);
		free(b);
		return err;
	}
	waitq_add_callback(&b->tty->in_wq, &b->in_e, 0, poke, b);
	waitq_add_callback(&b->tty->out_wq, &b->out_e, 0, poke, b);
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = -pthread_create(&b->thread, NULL, bridge_main, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err < 0) {
		waitq_del(&b->tty->in_wq, &b->in_e);
		waitq_del(&b->tty->out_wq, &b->out_e);
		tty_master_close(b->tty);
		tty_put(b->tty);
		close(b->event_fd);
		close(b->in_fd);
		free(b);
		return err;
	}
	*out = b;
	return 0;
}

void tty_bridge_set_ctty_locked(struct tty_bridge *b, struct thread_group *tg)
{
	tty_set_ctty_locked(tg, b->tty);
}

void tty_bridge_release(struct tty_bridge *b, void (*done)(void *arg), void *arg)
{
	b->done = done;
	b->done_arg = arg;
	atomic_store(&b->stopping, true);
	uint64_t one = 1;
	ssize_t r = write(b->event_fd, &one, sizeof one);
	(void)r;
}
