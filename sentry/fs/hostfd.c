/* Open files on host fds given to the sentry: the user's stdin, stdout and
 * stderr, and the terminal behind /dev/tty.  They are used as they are: a
 * regular file keeps the offset it shares with the caller, so output lands
 * after what the caller already wrote. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"

struct hostfd {
	int fd;
	bool owned;       /* close it on release */
	bool pollable;    /* pipe, socket, tty: wait with poll before I/O */
	bool seekable;
};

static struct hostfd *hf(struct file *f)
{
	return f->priv;
}

/* Waits until fd is ready for events, interruptibly; -EAGAIN for a
 * non-blocking file. */
static int wait_ready(struct file *f, struct task *t, short events)
{
	struct hostfd *h = hf(f);
	if (!h->pollable)
		return 0;
	struct pollfd pfd = { h->fd, events, 0 };
	if (f->flags & O_NONBLOCK) {
		int r = poll(&pfd, 1, 0);
		return r > 0 ? 0 : (r == 0 ? -EAGAIN : -errno);
	}
	for (;;) {
		int err = task_block(t, NULL, &pfd, 1);
		if (err == -EINTR)
			return -ERESTARTSYS;
		if (err < 0)
			return err;
		if (pfd.revents)
			return 0;
	}
}

static ssize_t hostfd_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	int err = wait_ready(f, t, POLLIN);
	if (err < 0)
		return err;
	ssize_t r = read(hf(f)->fd, buf, len);
	return r < 0 ? -errno : r;
}

static ssize_t hostfd_write(struct file *f, struct task *t, const void *buf, size_t len,
			    int64_t *pos)
{
	int err = wait_ready(f, t, POLLOUT);
	if (err < 0)
		return err;
	ssize_t r = write(hf(f)->fd, buf, len);
	if (r < 0 && errno == EPIPE)
		task_send_signal_self(t, SIGPIPE);
	return r < 0 ? -errno : r;
}

static int64_t hostfd_llseek(struct file *f, int64_t off, int whence)
{
	off_t r = lseek(hf(f)->fd, off, whence);
	return r < 0 ? -errno : r;
}

static unsigned hostfd_poll(struct file *f, struct poll_table *pt)
{
	struct hostfd *h = hf(f);
	if (!h->pollable)
		return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
	struct pollfd pfd = { h->fd, POLLIN | POLLOUT | POLLPRI, 0 };
	if (poll(&pfd, 1, 0) < 0)
		return POLLERR;
	if (pt)
		poll_wait_hostfd(pt, h->fd, POLLIN | POLLOUT | POLLPRI);
	return (unsigned)pfd.revents;
}

static long hostfd_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	int fd = hf(f)->fd;
	switch (cmd) {
	case TCGETS: {
		struct termios tio;   /* glibc's is larger than the kernel's 36 bytes */
		if (ioctl(fd, TCGETS, &tio) < 0)
			return -errno;
		return copy_to_user(t, arg, &tio, 36);
	}
	case TCSETS:
	case TCSETSW:
	case TCSETSF: {
		struct termios tio = { 0 };
		if (copy_from_user(t, &tio, arg, 36) < 0)
			return -EFAULT;
		return ioctl(fd, cmd, &tio) < 0 ? -errno : 0;
	}
	case TIOCGWINSZ: {
		struct winsize ws;
		if (ioctl(fd, TIOCGWINSZ, &ws) < 0)
			return -errno;
		return copy_to_user(t, arg, &ws, sizeof ws);
	}
	case TIOCSWINSZ: {
		struct winsize ws;
		if (copy_from_user(t, &ws, arg, sizeof ws) < 0)
			return -EFAULT;
		return ioctl(fd, TIOCSWINSZ, &ws) < 0 ? -errno : 0;
	}
	case FIONREAD: {
		int n;
		if (ioctl(fd, FIONREAD, &n) < 0)
			return -errno;
		return copy_to_user(t, arg, &n, sizeof n);
	}
	case TIOCGPGRP: {
		/* The guest's foreground group: the group of its first process. */
		if (!isatty(fd))
			return -ENOTTY;
		pthread_mutex_lock(&t->k->lock);
		pid_t pgrp = t->k->init ? t->k->init->pgid : 1;
		pthread_mutex_unlock(&t->k->lock);
		return copy_to_user(t, arg, &pgrp, sizeof pgrp);
	}
	case TIOCSPGRP:
		return isatty(fd) ? 0 : -ENOTTY;
	default:
		return -ENOTTY;
	}
}

static int hostfd_fstat(struct file *f, struct stat *st)
{
	return fstat(hf(f)->fd, st) < 0 ? -errno : 0;
}

static void hostfd_release(struct file *f)
{
	struct hostfd *h = hf(f);
	if (h->owned)
		close(h->fd);
	free(h);
}

static const struct file_ops hostfd_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.llseek = hostfd_llseek,
	.poll = hostfd_poll,
	.ioctl = hostfd_ioctl,
	.fstat = hostfd_fstat,
	.release = hostfd_release,
};

/* Without llseek: pipes, ttys and sockets are not seekable. */
static const struct file_ops hostfd_stream_fops = {
	.read = hostfd_read,
	.write = hostfd_write,
	.poll = hostfd_poll,
	.ioctl = hostfd_ioctl,
	.fstat = hostfd_fstat,
	.release = hostfd_release,
};

static int setup(struct file *f, int fd, bool owned)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	struct hostfd *h = calloc(1, sizeof *h);
	if (!h)
		return -ENOMEM;
	h->fd = fd;
	h->owned = owned;
	h->seekable = S_ISREG(st.st_mode) || S_ISBLK(st.st_mode) ||
		      (S_ISCHR(st.st_mode) && !isatty(fd));
	h->pollable = !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
	f->priv = h;
	f->fop = h->seekable ? &hostfd_fops : &hostfd_stream_fops;
	return 0;
}

int hostfd_attach(struct file *f, int fd)
{
	int err = setup(f, fd, true);
	if (err < 0)
		close(fd);
	return err;
}

struct file *hostfd_file_new(int fd, unsigned flags)
{
	struct file *f = file_new(NULL, NULL, NULL, flags);
	if (!f)
		return NULL;
	if (setup(f, fd, false) < 0) {
		file_put(f);
		return NULL;
	}
	return f;
}
