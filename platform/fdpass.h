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

/* How to make a stub run recvmsg/close and to reach its scratch memory. */
struct fdpass_stub {
	void *arg;
	long (*syscall3)(void *arg, long nr, uint64_t a0, uint64_t a1, uint64_t a2);
	ssize_t (*write_mem)(void *arg, uint64_t dst, const void *src, size_t n);
	ssize_t (*read_mem)(void *arg, void *dst, uint64_t src, size_t n);
	uint64_t scratch;    /* 256 bytes of stub memory for the message */
	int sock_fd;         /* the stub's end of the socket */
};

int fdpass_init(struct fdpass *fp);
/* Sends host_fd; returns the stub's new descriptor for it, or -errno. */
long fdpass_send(struct fdpass *fp, const struct fdpass_stub *stub, int host_fd);

/* process_vm_readv/writev: bytes copied (maybe short) or -EFAULT. */
ssize_t platform_vm_read(pid_t pid, void *dst, uint64_t src, size_t n);
ssize_t platform_vm_write(pid_t pid, uint64_t dst, const void *src, size_t n);

/* Keeps the sentry's own mappings out of the stub region, so that a stub
 * forked from the sentry can map it without clobbering what it runs. */
int platform_reserve_stub_region(void);
/* The ranges a fresh stub unmaps: everything below GUEST_TASK_SIZE but the
 * stub region and the host vDSO/vvar pages.  Returns how many. */
size_t platform_unmap_list(uint64_t (*ranges)[2], size_t max);

#endif
