/* Guest address spaces.
 *
 * The host keeps the pages (page tables, copy-on-write, page cache); the
 * sentry decides every change.  struct mm records each mapping of one guest
 * address space, checks every request against it, and asks the platform to
 * apply it through the calling task's context.
 */
#ifndef SENTRY_MM_MM_H
#define SENTRY_MM_MM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/list.h"

struct task;
struct file;

#ifndef PAGE_SIZE   /* <sys/user.h> has it too */
#define PAGE_SIZE 4096UL
#endif
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_DOWN(x)  ((x) & ~(PAGE_SIZE - 1))
#define MMAP_MIN_ADDR 0x10000UL

enum vma_kind { VMA_NORMAL, VMA_HEAP, VMA_STACK, VMA_VDSO, VMA_VVAR, VMA_STUB };

struct vma {
	struct list_head node;          /* mm->vmas, sorted by start */
	uint64_t start, end;
	int prot;                       /* PROT_READ | PROT_WRITE | PROT_EXEC */
	int flags;                      /* MAP_SHARED or MAP_PRIVATE, MAP_ANONYMOUS */
	struct file *file;              /* NULL for anonymous memory */
	uint64_t offset;                /* file offset of start */
	enum vma_kind kind;
	int maxprot;                    /* what mprotect may grant (VM_MAY*) */
	/* MAP_SHARED|MAP_ANONYMOUS memory has an identity of its own (shared
	 * futexes key on it); offset is then relative to that region. */
	struct shared_anon *shared_anon;
};

struct mm {
	atomic_long refcount;
	pthread_mutex_t lock;
	struct list_head vmas;
	uint64_t mmap_base;             /* top-down allocation starts below it */
	uint64_t stack_top;
	uint64_t brk_start, brk;
	uint64_t start_code, end_code, start_data, end_data;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[64];              /* for /proc/[pid]/auxv */
	size_t auxv_len;                /* in uint64_t words */
	uint64_t total_pages;           /* mapped, for /proc statm */
};

/* A new address space record for a fresh context (stub region and vDSO
 * already there). */
struct mm *mm_new(void);
/* A copy for a forked child: the host has copied the pages. */
struct mm *mm_copy(struct mm *src);
void mm_get(struct mm *mm);
void mm_put(struct mm *mm);

/* The mm syscalls, applied through t's platform context to t->mm.  They
 * return the address / 0, or -errno. */
long mm_mmap(struct task *t, uint64_t addr, uint64_t len, int prot, int flags,
	     struct file *file, uint64_t offset);
long mm_munmap(struct task *t, uint64_t addr, uint64_t len);
long mm_mprotect(struct task *t, uint64_t addr, uint64_t len, int prot);
long mm_mremap(struct task *t, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
	       int flags, uint64_t new_addr);
long mm_brk(struct task *t, uint64_t brk);
long mm_madvise(struct task *t, uint64_t addr, uint64_t len, int advice);

/* Where the futex word at addr lives: for shared memory, the object
 * mapped there (a file's inode or a shared anonymous region) and the offset
 * in it, so that every process mapping it agrees; for private memory (or
 * when private is asked), the address space and the address. */
int mm_futex_key(struct mm *mm, uint64_t addr, bool private, const void **object,
		 uint64_t *offset);   /* -EFAULT: nothing mapped there (shared lookups) */

/* The protection of the mapping at addr, or -1 if nothing is mapped. */
int mm_prot_at(struct mm *mm, uint64_t addr);

/* Marks a range created outside mm_mmap (loader) with its kind. */
void mm_set_kind(struct mm *mm, uint64_t start, uint64_t end, enum vma_kind kind);
/* Lowest free gap of len bytes at or below hint, top-down (0 if none). */
uint64_t mm_find_free(struct mm *mm, uint64_t len, uint64_t below);

/* Asks the platform to patch the syscall site that ends at rip, if it lies
 * in the guest's own private code.  1 if patched, 0 if not. */
int mm_patch_syscall_site(struct task *t, uint64_t rip);

/* /proc/[pid]/maps text into buf; returns length. */
size_t mm_format_maps(struct mm *mm, char *buf, size_t size);
/* Sizes for /proc/[pid]/status and statm (in pages). */
void mm_usage(struct mm *mm, uint64_t *total, uint64_t *data, uint64_t *stack,
	      uint64_t *exec);

/* --- guest memory access ---------------------------------------------------
 * The only way the sentry touches guest memory.  Lengths are bounded by the
 * caller; addresses outside the guest's range fail with -EFAULT. */

int copy_from_user(struct task *t, void *dst, uint64_t src, size_t n);
int copy_to_user(struct task *t, uint64_t dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most size-1 bytes; returns its
 * length, -ENAMETOOLONG if longer, -EFAULT. */
long strncpy_from_user(struct task *t, char *dst, uint64_t src, size_t size);
/* Bytes that could be copied before a fault (0..n), for partial I/O. */
size_t copy_to_user_partial(struct task *t, uint64_t dst, const void *src, size_t n);
size_t copy_from_user_partial(struct task *t, void *dst, uint64_t src, size_t n);
/* Copies n bytes at offset off of a host file (host_fd, kept open by the
 * caller meanwhile) to guest memory without passing them through the
 * sentry, when the platform can (platform_ops.copy_file; id names the
 * file's data and is never reused for other data).  Bytes copied (short at
 * a fault), -EFAULT, or -EOPNOTSUPP: then copy another way. */
ssize_t copy_file_to_user(struct task *t, uint64_t dst, int host_fd, uint64_t id, uint64_t off,
			  size_t n);
/* Can this task's platform do copy_file_to_user at all? */
bool copy_file_to_user_possible(struct task *t);
/* The file id was closed in t's address space: what copy_file_to_user kept
 * for it there (a mapping the guest could read) goes. */
void copy_file_to_user_forget(struct task *t, uint64_t id);
/* Zeroes guest memory. */
int clear_user(struct task *t, uint64_t dst, size_t n);

/* Is [addr, addr+len) mapped with at least prot (PROT_READ/PROT_WRITE)?
 * Lets I/O fail with -EFAULT before it consumes any data. */
bool mm_access_ok(struct task *t, uint64_t addr, size_t len, int prot);

/* A path argument: copies it with PATH_MAX bound into a malloc'd string. */
long copy_path_from_user(struct task *t, uint64_t src, char **out);

#endif
