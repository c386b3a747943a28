/* Helpers shared by the platforms (see fdpass.h). */
#include "platform/fdpass.h"

#include <errno.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "platform/platform.h"

int fdpass_chan_new(struct fdpass_chan *ch, int *stub_end)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	ch->sentry_fd = sv[0];
	ch->seq = 0;
	*stub_end = sv[1];
	return 0;
}

/* The message as the stub sees it, in its scratch memory. */
struct remote_msg {
	struct msghdr msg;
	struct iovec iov;
	char byte;
	char pad[7];
	char control[CMSG_SPACE(sizeof(int))];
};

/* Sends host_fd with seq as the data byte. */
static long send_one(struct fdpass_chan *ch, int host_fd, uint8_t seq)
{
	struct iovec iov = { &seq, 1 };
	union {
		struct cmsghdr hdr;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	memset(&control, 0, sizeof control);
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
			      .msg_controllen = sizeof control.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &host_fd, sizeof(int));
	return sendmsg(ch->sentry_fd, &msg, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Has the stub receive one message: its data byte in *byte and the fd it
 * carried, or -EAGAIN (none queued), -EIO (no fd in it), -errno. */
static long receive_one(const struct fdpass_stub *stub, uint8_t *byte)
{
	struct remote_msg remote;
	uint64_t base = stub->scratch;
	memset(&remote, 0, sizeof remote);
	remote.iov.iov_base = (void *)(base + offsetof(struct remote_msg, byte));
	remote.iov.iov_len = 1;
	remote.msg.msg_iov = (void *)(base + offsetof(struct remote_msg, iov));
	remote.msg.msg_iovlen = 1;
	remote.msg.msg_control = (void *)(base + offsetof(struct remote_msg, control));
	remote.msg.msg_controllen = sizeof remote.control;

	const struct platform_ops *ops = stub->ops;
	if (ops->write_mem(stub->ctx, base, &remote, sizeof remote) != (ssize_t)sizeof remote)
		return -EFAULT;
	long r = ops->host_syscall(stub->ctx, __NR_recvmsg, (uint64_t)stub->sock_fd, base,
				   MSG_DONTWAIT, 0, 0, 0);
	if (r < 0)
		return r;
	if (r != 1 ||
	    ops->read_mem(stub->ctx, &remote, base, sizeof remote) != (ssize_t)sizeof remote)
		return -EIO;
	struct cmsghdr *rc = (struct cmsghdr *)remote.control;
	int fd;
	memcpy(&fd, CMSG_DATA(rc), sizeof fd);
	if (remote.msg.msg_controllen < CMSG_LEN(sizeof(int)) || rc->cmsg_level != SOL_SOCKET ||
	    rc->cmsg_type != SCM_RIGHTS || fd < 0)
		return -EIO;
	*byte = (uint8_t)remote.byte;
	return fd;
}

long fdpass_send(struct fdpass_chan *ch, const struct fdpass_stub *stub, int host_fd)
{
	uint8_t seq = ++ch->seq;
	long r = send_one(ch, host_fd, seq);
	/* Messages of transfers the stub did not take come first: closed and
	 * skipped (a few at most; a bound all the same). */
	for (int tries = 0; r == 0 && tries < 8; tries++) {
		uint8_t got = 0;
		long fd = receive_one(stub, &got);
		if (fd < 0 || got == seq)
			return fd;
		stub->ops->host_syscall(stub->ctx, __NR_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	}
	return r < 0 ? r : -EIO;
}

long fdpass_mmap(struct fdpass_chan *ch, const struct fdpass_stub *stub, uint64_t addr,
		 uint64_t len, int prot, int flags, int host_fd, uint64_t offset)
{
	long stub_fd = fdpass_send(ch, stub, host_fd);
	if (stub_fd < 0)
		return stub_fd;
	const struct platform_ops *ops = stub->ops;
	long r = ops->host_syscall(stub->ctx, __NR_mmap, addr, len, (uint64_t)prot, (uint64_t)flags,
				   (uint64_t)stub_fd, offset);
	ops->host_syscall(stub->ctx, __NR_close, (uint64_t)stub_fd, 0, 0, 0, 0, 0);
	return r;
}

ssize_t platform_vm_read(pid_t pid, void *dst, uint64_t src, size_t n)
{
	struct iovec local = { dst, n };
	struct iovec remote = { (void *)src, n };
	ssize_t r = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return r < 0 ? -EFAULT : r;
}

ssize_t platform_vm_write(pid_t pid, uint64_t dst, const void *src, size_t n)
{
	struct iovec local = { (void *)src, n };
	struct iovec remote = { (void *)dst, n };
	ssize_t r = process_vm_writev(pid, &local, 1, &remote, 1, 0);
	return r < 0 ? -EFAULT : r;
}

void platform_stub_child_start(int stub_end, pid_t sentry_pid, int sock_fd)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != sentry_pid)
		_exit(127);
	prctl(PR_SET_NAME, "sentry-stub");   /* (for ps; tests/e2e/t_confine.sh) */
	/* glibc registered an rseq area in the sentry thread's TLS; once that is
	 * unmapped the kernel would fault the stub on every return to it.  It
	 * registers the original 32-byte area whatever __rseq_size says. */
	if (__rseq_size > 0)
		syscall(SYS_rseq, (char *)__builtin_thread_pointer() + __rseq_offset,
			__rseq_size < 32 ? 32 : __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
	if (dup2(stub_end, sock_fd) < 0)
		_exit(127);
	close_range(0, (unsigned)sock_fd - 1, 0);
	close_range((unsigned)sock_fd + 1, ~0U, 0);
}

int platform_reserve_stub_region(void)
{
	void *reserve = mmap((void *)STUB_REGION_START, STUB_REGION_END - STUB_REGION_START,
			     PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			     MAP_FIXED_NOREPLACE, -1, 0);
	if (reserve == MAP_FAILED)
		return -errno;   /* EEXIST: something of the sentry's is there */
	return 0;
}

size_t platform_unmap_list(uint64_t (*ranges)[2], size_t max)
{
	const struct platform_vdso *v = platform_vdso();
	uint64_t keep[3][2] = {
		{ STUB_REGION_START, STUB_REGION_END },
		{ v->vdso_start, v->vdso_end },
		{ v->vvar_start, v->vvar_end },
	};
	/* Sort the kept ranges by start (three elements). */
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (keep[j][0] < keep[i][0]) {
				uint64_t t0 = keep[i][0], t1 = keep[i][1];
				keep[i][0] = keep[j][0];
				keep[i][1] = keep[j][1];
				keep[j][0] = t0;
				keep[j][1] = t1;
			}
	uint64_t cursor = 0;
	size_t n = 0;
	for (int i = 0; i < 3 && n < max; i++) {
		if (keep[i][0] == keep[i][1])
			continue;   /* absent */
		if (keep[i][0] > cursor) {
			ranges[n][0] = cursor;
			ranges[n][1] = keep[i][0] - cursor;
			n++;
		}
		if (keep[i][1] > cursor)
			cursor = keep[i][1];
	}
	if (cursor < GUEST_TASK_SIZE && n < max) {
		ranges[n][0] = cursor;
		ranges[n][1] = GUEST_TASK_SIZE - cursor;
		n++;
	}
	return n;
}
