/* Helpers shared by the platforms: handing a host file descriptor to a stub
 * process (for mmap of a file), guest memory access, and the layout of a
 * fresh stub's address space. */
#ifndef PLATFORM_FDPASS_H
#define PLATFORM_FDPASS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A socket for handing fds to a stub: the sentry sends on sentry_fd, the
 * stub holding the other end receives on it at its fd sock_fd.  seq numbers
 * the transfers (the one data byte), so that one a stub did not take is
 * never mistaken for the next.  Transfers on one channel must not overlap:
 * the caller serialises them.  (systrap: one channel per stub process, see
 * docs/security.md; ptrace: one for all, under a lock.) */
struct fdpass_chan {
	int sentry_fd;
	uint8_t seq;
};

/* A socketpair: the sentry's channel end, and *stub_end for a stub (both
 * CLOEXEC).  0 or -errno. */
int fdpass_chan_new(struct fdpass_chan *ch, int *stub_end);

struct platform_ops;
struct platform_ctx;

/* A stub, driven through its platform's own host_syscall/read_mem/write_mem. */
struct fdpass_stub {
	const struct platform_ops *ops;
	struct platform_ctx *ctx;
	uint64_t scratch;    /* 256 bytes of stub memory for the message */
	int sock_fd;         /* the stub's end of the socket */
};

/* Hands host_fd (the sentry's) to the stub: the fd number it has there
 * (the stub closes it), or -errno. */
long fdpass_send(struct fdpass_chan *ch, const struct fdpass_stub *stub, int host_fd);
/* mmap of a host fd of the sentry into the stub's address space: hands the
 * fd over, maps it there and closes the stub's copy.  Returns the address or
 * -errno (platform_ops.mmap_fd). */
long fdpass_mmap(struct fdpass_chan *ch, const struct fdpass_stub *stub, uint64_t addr,
		 uint64_t len, int prot, int flags, int host_fd, uint64_t offset);

/* process_vm_readv/writev: bytes copied (maybe short) or -EFAULT. */
ssize_t platform_vm_read(pid_t pid, void *dst, uint64_t src, size_t n);
ssize_t platform_vm_write(pid_t pid, uint64_t dst, const void *src, size_t n);

/* First steps of a stub forked from the sentry (raw syscalls only): die
 * with the sentry (checked against sentry_pid), drop glibc's rseq
 * registration, keep only stub_end, as sock_fd.  Exits the child on
 * failure. */
void platform_stub_child_start(int stub_end, pid_t sentry_pid, int sock_fd);

/* Keeps the sentry's own mappings out of the stub region, so that a stub
 * forked from the sentry can map it without clobbering what it runs. */
int platform_reserve_stub_region(void);
/* The ranges a fresh stub unmaps: everything below GUEST_TASK_SIZE but the
 * stub region and the host vDSO/vvar pages.  Returns how many. */
size_t platform_unmap_list(uint64_t (*ranges)[2], size_t max);

#endif
