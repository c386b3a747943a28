/* splice, tee, vmsplice and copy_file_range, with the copy loop sendfile
 * shares.  There are no page references to move in the sentry: data is
 * copied through it, and what a pipe end can take is asked first so that
 * nothing read from a pipe is left without a place to go.  The argument
 * checks and their order are fs/splice.c's and fs/read_write.c's. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "common/cleanup.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/util.h"

#define IO_CHUNK     (64 * 1024)
#define MAX_RW_COUNT 0x7ffff000L
#define SPLICE_F_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

static bool is_regular(struct file *f)
{
	return f->inode && S_ISREG(f->inode->mode);
}

long file_copy(struct task *t, struct file *in, int64_t *ipos, struct file *out, int64_t *opos,
	       size_t count)
{
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	size_t chunk = count < IO_CHUNK ? count : IO_CHUNK;
	_cleanup_free_ char *buf = malloc(chunk ? chunk : 1);
	if (!buf)
		return -ENOMEM;
	/* Without an offset of its own, out's offset moves (under its lock,
	 * as write(2) would). */
	bool locked = !opos && out != in && out->fop->llseek;
	if (locked)
		pthread_mutex_lock(&out->pos_lock);
	int64_t pos = opos ? *opos : out->pos;
	size_t done = 0;
	long err = 0;
	while (done < count) {
		size_t n = count - done < chunk ? count - done : chunk;
		ssize_t r = in->fop->read(in, t, buf, n, ipos);
		if (r <= 0) {
			err = r;
			break;
		}
		ssize_t w = out->fop->write(out, t, buf, (size_t)r, &pos);
		if (w < 0) {
			*ipos -= r;
			err = w;
			break;
		}
		done += (size_t)w;
		if (w < r) {
			*ipos -= r - w;   /* what was not written was not consumed */
			break;
		}
		if ((size_t)r < n || !is_regular(in))
			break;
	}
	if (opos)
		*opos = pos;
	else
		out->pos = pos;
	if (locked)
		pthread_mutex_unlock(&out->pos_lock);
	return done ? (long)done : err;
}

/* --- pipes -------------------------------------------------------------------------- */

static bool is_pipe(struct file *f)
{
	struct pipe_info pi;
	return pipe_info(f, &pi) == 0;
}

/* Sleeps until the pipe f may have changed in the way of events. */
static int pipe_wait_event(struct task *t, struct file *f, unsigned events)
{
	struct poll_table pt;
	poll_table_init(&pt, t);
	int err = 0;
	if (!(f->fop->poll(f, &pt) & (events | POLLERR | POLLHUP)))
		err = task_block(t, NULL, pt.hostfds, pt.nhostfds);
	poll_table_free(&pt);
	return err == -EINTR ? -ERESTARTSYS : 0;
}

/* Waits for data in the pipe in (ipipe_prep): its length, 0 when it is
 * empty with no writer, or -EAGAIN / -ERESTARTSYS. */
static long wait_for_data(struct task *t, struct file *in, bool nonblock)
{
	for (;;) {
		struct pipe_info pi;
		pipe_info(in, &pi);
		if (pi.len > 0)
			return (long)pi.len;
		if (pi.writers == 0)
			return 0;
		if (nonblock)
			return -EAGAIN;
		int err = pipe_wait_event(t, in, POLLIN);
		if (err < 0)
			return err;
	}
}

/* Waits for room in the pipe out (opipe_prep): the free bytes, or -EPIPE
 * (with SIGPIPE) / -EAGAIN / -ERESTARTSYS. */
static long wait_for_space(struct task *t, struct file *out, bool nonblock)
{
	for (;;) {
		struct pipe_info pi;
		pipe_info(out, &pi);
		if (pi.readers == 0) {
			task_send_signal_self(t, SIGPIPE);
			return -EPIPE;
		}
		if (pi.cap > pi.len)
			return (long)(pi.cap - pi.len);
		if (nonblock)
			return -EAGAIN;
		int err = pipe_wait_event(t, out, POLLOUT);
		if (err < 0)
			return err;
	}
}

/* Writes all of buf to out (what a pipe was found to have room for). */
static long write_all(struct task *t, struct file *out, const char *buf, size_t len, int64_t *pos)
{
	size_t done = 0;
	while (done < len) {
		ssize_t w = out->fop->write(out, t, buf + done, len - done, pos);
		if (w <= 0)
			return done ? (long)done : (w < 0 ? w : -EIO);
		done += (size_t)w;
	}
	return (long)done;
}

/* Reads up to n bytes that are in the pipe in and writes them to out. */
static long move_from_pipe(struct task *t, struct file *in, size_t n, struct file *out,
			   int64_t *opos)
{
	_cleanup_free_ char *buf = malloc(n ? n : 1);
	if (!buf)
		return -ENOMEM;
	int64_t ipos = 0;
	ssize_t r = in->fop->read(in, t, buf, n, &ipos);
	if (r <= 0)
		return r;
	return write_all(t, out, buf, (size_t)r, opos);
}

static size_t min_size(size_t a, size_t b)
{
	return a < b ? a : b;
}

static long splice_pipe_to_pipe(struct task *t, struct file *in, struct file *out, size_t len,
				bool nonblock)
{
	long avail = wait_for_data(t, in, nonblock);
	if (avail <= 0)
		return avail;
	long space = wait_for_space(t, out, nonblock);
	if (space < 0)
		return space;
	int64_t opos = 0;
	return move_from_pipe(t, in, min_size(len, min_size((size_t)avail, (size_t)space)), out,
			      &opos);
}

static long splice_pipe_to_file(struct task *t, struct file *in, struct file *out, int64_t *opos,
				size_t len, bool nonblock)
{
	long avail = wait_for_data(t, in, nonblock);
	if (avail <= 0)
		return avail;
	return move_from_pipe(t, in, min_size(min_size(len, (size_t)avail), MAX_RW_COUNT), out, opos);
}

static long splice_file_to_pipe(struct task *t, struct file *in, int64_t *ipos, struct file *out,
				size_t len, bool nonblock)
{
	long space = wait_for_space(t, out, nonblock);
	if (space < 0)
		return space;
	int64_t opos = 0;
	return file_copy(t, in, ipos, out, &opos, min_size(len, (size_t)space));
}

/* Reads the guest's loff_t at uoff (when given). */
static long read_off(struct task *t, uint64_t uoff, int64_t *off)
{
	return uoff && copy_from_user(t, off, uoff, sizeof *off) < 0 ? -EFAULT : 0;
}

/* A pipe of the host's (the user's stdio is one when run in a pipeline):
 * it is read and written as it is, without looking inside. */
static bool is_host_fifo(struct file *f)
{
	struct stat st;
	return !f->inode && f->fop->fstat && f->fop->fstat(f, &st) == 0 && S_ISFIFO(st.st_mode);
}

static long do_splice(struct task *t, struct file *in, uint64_t uoff_in, struct file *out,
		      uint64_t uoff_out, size_t len, unsigned flags)
{
	bool ipipe = is_pipe(in), opipe = is_pipe(out);
	bool ihost = !ipipe && is_host_fifo(in), ohost = !opipe && is_host_fifo(out);
	if (((ipipe || ihost) && uoff_in) || ((opipe || ohost) && uoff_out))
		return -ESPIPE;
	int64_t off_in = 0, off_out = 0;
	if (read_off(t, uoff_out, &off_out) < 0 || read_off(t, uoff_in, &off_in) < 0)
		return -EFAULT;
	if (!file_readable(in) || !file_writable(out))
		return -EBADF;
	bool nonblock = flags & SPLICE_F_NONBLOCK;
	if (ipipe && opipe) {
		if (in->inode == out->inode)
			return -EINVAL;   /* the same pipe */
		nonblock |= ((in->flags | out->flags) & O_NONBLOCK) != 0;
		return splice_pipe_to_pipe(t, in, out, len, nonblock);
	}
	if (!ipipe && !opipe && !ihost && !ohost)
		return -EINVAL;
	if ((ipipe || ihost) && (out->flags & O_APPEND))
		return -EINVAL;
	/* The side that is not a pipe has an offset: the guest's, or its
	 * own (moved under its lock). */
	struct file *seek = opipe ? in : ipipe ? out : ihost ? out : in;
	uint64_t uoff = seek == in ? uoff_in : uoff_out;
	int64_t off = seek == in ? off_in : off_out, other = 0;
	if (uoff && (!seek->fop->llseek || off < 0))
		return -EINVAL;
	bool locked = !uoff && seek->fop->llseek;
	if (locked)
		pthread_mutex_lock(&seek->pos_lock);
	if (!uoff)
		off = seek->pos;
	long r;
	if (ipipe)
		r = splice_pipe_to_file(t, in, out, &off, len, nonblock || (in->flags & O_NONBLOCK));
	else if (opipe)
		r = splice_file_to_pipe(t, in, &off, out, len, nonblock || (out->flags & O_NONBLOCK));
	else
		r = file_copy(t, in, seek == in ? &off : &other, out, seek == out ? &off : &other,
			      len);
	if (!uoff)
		seek->pos = off;
	if (locked)
		pthread_mutex_unlock(&seek->pos_lock);
	if (r > 0 && uoff && copy_to_user(t, uoff, &off, sizeof off) < 0)
		return -EFAULT;
	return r;
}

/* The two files of a splice-like call; -EBADF if either is not open (or
 * only O_PATH). */
static long get_two(struct task *t, int fd_in, int fd_out, struct file **in, struct file **out)
{
	*in = fd_get(t->files, fd_in);
	*out = *in ? fd_get(t->files, fd_out) : NULL;
	if (*out && (*in)->fop && (*out)->fop)
		return 0;
	file_put(*in);
	file_put(*out);
	return -EBADF;
}

SYSCALL_DEFINE(splice)
{
	size_t len = (size_t)a4;
	unsigned flags = (unsigned)a5;
	if (len == 0)
		return 0;
	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	struct file *in, *out;
	long r = get_two(t, (int)a0, (int)a2, &in, &out);
	if (r < 0)
		return r;
	r = do_splice(t, in, a1, out, a3, len, flags);
	file_put(in);
	file_put(out);
	return r;
}

SYSCALL_DEFINE(tee)
{
	size_t len = (size_t)a2;
	unsigned flags = (unsigned)a3;
	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	if (len == 0)
		return 0;
	struct file *in, *out;
	long r = get_two(t, (int)a0, (int)a1, &in, &out);
	if (r < 0)
		return r;
	if (!file_readable(in) || !file_writable(out)) {
		r = -EBADF;
	} else if (!is_pipe(in) || !is_pipe(out) || in->inode == out->inode) {
		r = -EINVAL;
	} else {
		bool nonblock = (flags & SPLICE_F_NONBLOCK) || ((in->flags | out->flags) & O_NONBLOCK);
		long avail = wait_for_data(t, in, nonblock);
		long space = avail > 0 ? wait_for_space(t, out, nonblock) : 0;
		r = avail <= 0 ? avail : space;
		if (r > 0) {
			size_t n = min_size(len, min_size((size_t)avail, (size_t)space));
			char *buf = malloc(n);
			r = buf ? pipe_peek(in, buf, n) : -ENOMEM;
			if (r > 0) {
				int64_t opos = 0;
				r = write_all(t, out, buf, (size_t)r, &opos);
			}
			free(buf);
		}
	}
	file_put(in);
	file_put(out);
	return r;
}

/* --- vmsplice ------------------------------------------------------------------------- */

/* Guest memory into the pipe: as much as it has room for once it has
 * some (vmsplice_to_pipe). */
static long vmsplice_to_pipe(struct task *t, struct file *f, const struct iovec *iov,
			     unsigned long n, size_t total, bool nonblock)
{
	long space = wait_for_space(t, f, nonblock);
	if (space < 0)
		return space;
	size_t len = min_size(total, (size_t)space);
	_cleanup_free_ char *buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	size_t got = 0;
	for (unsigned long i = 0; i < n && got < len; i++) {
		size_t part = min_size(iov[i].iov_len, len - got);
		size_t c = copy_from_user_partial(t, buf + got, (uint64_t)iov[i].iov_base, part);
		got += c;
		if (c < part) {
			if (got == 0)
				return -EFAULT;
			break;
		}
	}
	int64_t pos = 0;
	return write_all(t, f, buf, got, &pos);
}

/* The pipe's data into guest memory (vmsplice_to_user). */
static long vmsplice_to_user(struct task *t, struct file *f, const struct iovec *iov,
			     unsigned long n, size_t total, bool nonblock)
{
	for (unsigned long i = 0; i < n; i++)
		if (!mm_access_ok(t, (uint64_t)iov[i].iov_base, iov[i].iov_len, PROT_WRITE))
			return -EFAULT;   /* checked first: nothing is consumed */
	long avail = wait_for_data(t, f, nonblock);
	if (avail <= 0)
		return avail;
	size_t len = min_size(total, (size_t)avail);
	_cleanup_free_ char *buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	int64_t pos = 0;
	ssize_t r = f->fop->read(f, t, buf, len, &pos);
	if (r <= 0)
		return r;
	size_t put = 0;
	for (unsigned long i = 0; i < n && put < (size_t)r; i++) {
		size_t part = min_size(iov[i].iov_len, (size_t)r - put);
		if (copy_to_user(t, (uint64_t)iov[i].iov_base, buf + put, part) < 0)
			break;
		put += part;
	}
	return put ? (long)put : -EFAULT;
}

SYSCALL_DEFINE(vmsplice)
{
	unsigned long nr = (unsigned long)a2;
	unsigned flags = (unsigned)a3;
	if (flags & ~(unsigned)SPLICE_F_ALL)
		return -EINVAL;
	struct file *f = fd_get(t->files, (int)a0);
	if (!f)
		return -EBADF;
	long r = 0;
	struct iovec *iov = NULL;
	size_t total = 0;
	bool to_pipe = file_writable(f);
	if (!f->fop || (!to_pipe && !file_readable(f))) {
		r = -EBADF;
	} else if (nr > IOV_MAX) {
		r = -EINVAL;
	} else if (nr > 0) {
		iov = calloc(nr, sizeof *iov);
		if (!iov)
			r = -ENOMEM;
		else if (copy_from_user(t, iov, a1, nr * sizeof *iov) < 0)
			r = -EFAULT;
		for (unsigned long i = 0; r == 0 && i < nr; i++) {
			if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
				r = -EINVAL;
			else
				total += iov[i].iov_len;
		}
	}
	if (r == 0 && total > 0) {
		bool nonblock = (flags & SPLICE_F_NONBLOCK) || (f->flags & O_NONBLOCK);
		if (!is_pipe(f))
			r = -EBADF;
		else if (to_pipe)
			r = vmsplice_to_pipe(t, f, iov, nr, min_size(total, MAX_RW_COUNT), nonblock);
		else
			r = vmsplice_to_user(t, f, iov, nr, min_size(total, MAX_RW_COUNT), nonblock);
	}
	free(iov);
	file_put(f);
	return r;
}

/* --- copy_file_range ------------------------------------------------------------------ */

/* generic_copy_file_checks: may shorten *count to the end of the input. */
static long copy_checks(struct file *in, int64_t pos_in, struct file *out, int64_t pos_out,
			size_t *count)
{
	struct inode *ii = in->inode, *io = out->inode;
	if (!ii || !io)
		return -EINVAL;
	if (S_ISDIR(ii->mode) || S_ISDIR(io->mode))
		return -EISDIR;
	if (!S_ISREG(ii->mode) || !S_ISREG(io->mode))
		return -EINVAL;
	if (!file_readable(in) || !file_writable(out) || (out->flags & O_APPEND))
		return -EBADF;
	if (ii->sb != io->sb)
		return -EXDEV;
	uint64_t n = *count;
	if ((uint64_t)pos_in + n < (uint64_t)pos_in || (uint64_t)pos_out + n < (uint64_t)pos_out)
		return -EOVERFLOW;
	pthread_mutex_lock(&ii->lock);
	int64_t size_in = ii->size;
	pthread_mutex_unlock(&ii->lock);
	if (pos_in >= size_in)
		n = 0;
	else if (n > (uint64_t)(size_in - pos_in))
		n = (uint64_t)(size_in - pos_in);
	if (ii == io && pos_out + (int64_t)n > pos_in && pos_out < pos_in + (int64_t)n)
		return -EINVAL;   /* overlapping ranges of one file */
	if (pos_in < 0 || pos_out < 0)
		return -EINVAL;
	*count = (size_t)n;
	return 0;
}

/* Reads (set NULL) or sets a file's offset. */
static int64_t file_pos(struct file *f, const int64_t *set)
{
	pthread_mutex_lock(&f->pos_lock);
	if (set)
		f->pos = *set;
	int64_t pos = f->pos;
	pthread_mutex_unlock(&f->pos_lock);
	return pos;
}

SYSCALL_DEFINE(copy_file_range)
{
	uint64_t uoff_in = a1, uoff_out = a3;
	size_t len = (size_t)a4;
	unsigned flags = (unsigned)a5;
	struct file *in, *out;
	long r = get_two(t, (int)a0, (int)a2, &in, &out);
	if (r < 0)
		return r;
	/* The guest's offsets, or the files' own (read and set as Linux
	 * does, without serialising on them). */
	int64_t pos_in = file_pos(in, NULL), pos_out = file_pos(out, NULL);
	if (read_off(t, uoff_in, &pos_in) < 0 || read_off(t, uoff_out, &pos_out) < 0)
		r = -EFAULT;
	else if (flags != 0)
		r = -EINVAL;
	else
		r = copy_checks(in, pos_in, out, pos_out, &len);
	if (r == 0 && len > 0) {
		int64_t pin = pos_in, pout = pos_out;
		r = file_copy(t, in, &pin, out, &pout, len);
	}
	if (r > 0) {
		pos_in += r;
		pos_out += r;
		if (uoff_in && copy_to_user(t, uoff_in, &pos_in, sizeof pos_in) < 0)
			r = -EFAULT;
		else if (uoff_out && copy_to_user(t, uoff_out, &pos_out, sizeof pos_out) < 0)
			r = -EFAULT;
		if (!uoff_in)
			file_pos(in, &pos_in);
		if (!uoff_out)
			file_pos(out, &pos_out);
	}
	file_put(in);
	file_put(out);
	return r;
}
