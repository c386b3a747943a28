/* Helpers shared by the platforms: handing a host file descriptor to a stub
 * process (for mmap of a file), guest memory access, and the layout of a
 * fresh stub's address space. */
#ifndef PLATFORM_FDPASS_H
#define PLATFORM_FDPASS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One socketpair for all stubs: the sentry sends on sentry_fd, a stub
 * receives on its copy of stub_fd.  Transfers are serialised by lock. */
struct fdpass {
	int sentry_fd;
	int stub_fd;
	pthread_mutex_t lock;
};

struct platform_ops;
struct platform_ctx;

/* A stub, driven through its platform's own host_syscall/read_mem/write_mem. */
struct fdpass_stub {
	const struct platform_ops *ops;
	struct platform_ctx *ctx;
	uint64_t scratch;    /* 256 bytes of stub memory for the message */
	int sock_fd;         /* the stub's end of the socket */
};

int fdpass_init(struct fdpass *fp);
/* mmap of a host fd of the sentry into the stub's address space: hands the
 * fd over, maps it there and closes the stub's copy.  Returns the address or
 * -errno (platform_ops.mmap_fd). */
long fdpass_mmap(struct fdpass *fp, const struct fdpass_stub *stub, uint64_t addr,
		 uint64_t len, int prot, int flags, int host_fd, uint64_t offset);

/* process_vm_readv/writev: bytes copied (maybe short) or -EFAULT. */
ssize_t platform_vm_read(pid_t pid, void *dst, uint64_t src, size_t n);
ssize_t platform_vm_write(pid_t pid, uint64_t dst, const void *src, size_t n);

/* First steps of a stub forked from the multithreaded sentry (raw syscalls
 * only): die with the sentry (checked against sentry_pid), drop glibc's rseq
 * registration, keep only the stubs' end of fp as sock_fd.  Exits the child
 * on failure. */
void platform_stub_child_start(const struct fdpass *fp, pid_t sentry_pid, int sock_fd);

/* Keeps the sentry's own mappings out of the stub region, so that a stub
 * forked from the sentry can map it without clobbering what it runs. */
int platform_reserve_stub_region(void);
/* The ranges a fresh stub unmaps: everything below GUEST_TASK_SIZE but the
 * stub region and the host vDSO/vvar pages.  Returns how many. */
size_t platform_unmap_list(uint64_t (*ranges)[2], size_t max);

#endif
