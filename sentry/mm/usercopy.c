/* Guest memory access: the only functions that read or write guest memory.
 * Every access is bounded by its caller's length and checked against the
 * guest's address range before the platform is asked. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"

static bool user_range_ok(uint64_t addr, size_t n)
{
	return addr < GUEST_TASK_SIZE && n <= GUEST_TASK_SIZE - addr;
}

size_t copy_from_user_partial(struct task *t, void *dst, uint64_t src, size_t n)
{
	if (n == 0 || !user_range_ok(src, n))
		return 0;
	size_t done = 0;
	while (done < n) {
		ssize_t r = t->platform->read_mem(t->ctx, (char *)dst + done, src + done, n - done);
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return done;
}

size_t copy_to_user_partial(struct task *t, uint64_t dst, const void *src, size_t n)
{
	if (n == 0 || !user_range_ok(dst, n))
		return 0;
	size_t done = 0;
	while (done < n) {
		ssize_t r = t->platform->write_mem(t->ctx, dst + done, (const char *)src + done,
						   n - done);
		if (r <= 0)
			break;
		done += (size_t)r;
	}
	return done;
}

ssize_t copy_file_to_user(struct task *t, uint64_t dst, int host_fd, uint64_t id, uint64_t off,
			  size_t n)
{
	if (!copy_file_to_user_possible(t))
		return -EOPNOTSUPP;
	if (n == 0 || !user_range_ok(dst, n))
		return -EFAULT;
	return t->platform->copy_file(t->ctx, dst, host_fd, id, off, n);
}

bool copy_file_to_user_possible(struct task *t)
{
	return t->platform->copy_file != NULL;
}

void copy_file_to_user_forget(struct task *t, uint64_t id)
{
	/* An exiting task closes its fds after dropping its table (files is
	 * NULL then; only the task itself changes it): its address space goes
	 * anyway, and its stub may be gone already. */
	if (t->platform->forget_file && t->ctx && t->files)
		t->platform->forget_file(t->ctx, id);
}

int copy_from_user(struct task *t, void *dst, uint64_t src, size_t n)
{
	if (n == 0)
		return 0;
	return copy_from_user_partial(t, dst, src, n) == n ? 0 : -EFAULT;
}

int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	return copy_to_user_partial(t, dst, src, n) == n ? 0 : -EFAULT;
}

int clear_user(struct task *t, uint64_t dst, size_t n)
{
	static const char zeros[4096];
	while (n > 0) {
		size_t chunk = n < sizeof zeros ? n : sizeof zeros;
		if (copy_to_user(t, dst, zeros, chunk) < 0)
			return -EFAULT;
		dst += chunk;
		n -= chunk;
	}
	return 0;
}

long strncpy_from_user(struct task *t, char *dst, uint64_t src, size_t size)
{
	/* Read page by page so that a string ending just before an unmapped
	 * page is not reported as a fault. */
	size_t done = 0;
	while (done < size) {
		uint64_t addr = src + done;
		if (!user_range_ok(addr, 1))
			return -EFAULT;
		size_t chunk = 4096 - (addr & 4095);
		if (chunk > size - done)
			chunk = size - done;
		if (copy_from_user(t, dst + done, addr, chunk) < 0)
			return -EFAULT;
		char *nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

long copy_path_from_user(struct task *t, uint64_t src, char **out)
{
	char *buf = malloc(PATH_MAX);
	if (!buf)
		return -ENOMEM;
	long len = strncpy_from_user(t, buf, src, PATH_MAX);
	if (len < 0) {
		free(buf);
		return len;
	}
	*out = buf;
	return len;
}
