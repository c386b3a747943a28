/* The platform: how guest code runs and how it enters the sentry.
 *
 * A platform context (struct platform_ctx) is one host thread that executes
 * guest instructions for one guest task.  It belongs to the sentry thread that
 * created or adopted it: only that thread may switch into it, read or write
 * its registers or run host syscalls in it (ptrace is per tracer thread).
 * Contexts that share a guest address space (CLONE_VM) are separate host
 * threads sharing one host mm; a new address space is either fresh (exec) or
 * a copy-on-write copy made by the host (fork).
 *
 * Every function returns 0 (or a non-negative value) or -errno.
 */
#ifndef PLATFORM_PLATFORM_H
#define PLATFORM_PLATFORM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* The stub region: a fixed range in every guest address space that holds the
 * stub's code, scratch page and (systrap) the per-thread slots.  The guest
 * cannot map over it, unmap it or change its protection.  It lies 1 TiB
 * below the top of the address space, out of reach of the host's own mmap
 * randomisation (28 bits of pages below the stack), so that neither the
 * sentry's libraries nor the host vDSO can be there. */
#define STUB_REGION_START 0x7e0000000000UL
#define STUB_REGION_END   0x7e0060000000UL
/* First address above the guest's usable range (x86-64, 4-level paging). */
#define GUEST_TASK_SIZE   0x7ffffffff000UL

struct platform_ctx;

/* Why platform_switch() returned. */
enum platform_event_kind {
	PLATFORM_SYSCALL,   /* the guest made a syscall; regs hold it, rip is past it */
	PLATFORM_FAULT,     /* a synchronous fault; info describes it */
	PLATFORM_INTERRUPT, /* platform_kick() or a stray host signal: check for work */
	PLATFORM_EXITED,    /* the host thread is gone (killed); the context is dead */
	/* The guest thread was running 32-bit code (a far jump to the
	 * compatibility-mode code segment, or the host's sysenter entry, which
	 * returns there) when it stopped: its registers are not a 64-bit state
	 * the sentry can deliver a signal to or resume (systrap cannot return
	 * to 32-bit code at all), so the kernel kills the process: with the
	 * fault's signal if info holds one (si_signo non-zero), else SIGSEGV. */
	PLATFORM_COMPAT_MODE,
};

/* The code segment selectors of x86-64 Linux: 64-bit user code, and the
 * 32-bit (compatibility mode) one. */
#define PLATFORM_USER_CS   0x33
#define PLATFORM_USER32_CS 0x23

struct platform_event {
	enum platform_event_kind kind;
	siginfo_t info;         /* PLATFORM_FAULT: si_signo, si_code, si_addr... */
	/* PLATFORM_SYSCALL: non-zero when the syscall instruction that ends here
	 * could be patched (see platform_ops.patch). */
	uint64_t patch_rip;
};

/* Handed from the creating sentry thread to the thread that will own a new
 * context (see platform_clone / platform_adopt). */
struct platform_handoff {
	pid_t host_tid;
	struct user_regs_struct regs;   /* initial guest registers */
	bool share_vm;
	void *priv, *priv2, *priv3;     /* the platform's own */
};

/* Options of the platform, from the command line. */
struct platform_config {
	bool patch;                     /* systrap: patch hot syscall sites */
};

enum platform_atomic {
	PLATFORM_ATOMIC_SET,
	PLATFORM_ATOMIC_ADD,
	PLATFORM_ATOMIC_OR,
	PLATFORM_ATOMIC_ANDN,
	PLATFORM_ATOMIC_XOR,
};

struct platform_ops {
	const char *name;
	/* One-time set-up in the sentry process, before any context exists. */
	int (*init)(const struct platform_config *cfg);
	/* Optional, before init and before the sentry confines itself (its
	 * root is then empty, and it may map no more code): loads what init
	 * will need from the host's files.  boot.c calls it while the gofer
	 * starts, so that it costs start-up little. */
	void (*preload)(const struct platform_config *cfg);

	/* A new context with a fresh, empty address space (for execve), owned by
	 * the calling thread.  Only the stub region (and the host vDSO, reported
	 * by platform_vdso) is mapped. */
	int (*create)(struct platform_ctx **out);

	/* Optional: empties ctx's address space in place for execve, as fresh
	 * as create's (every guest mapping gone, no patches, initial
	 * registers), when no other context shares it: the work of a create
	 * and a destroy without making or ending a host process.  On failure
	 * the old contents may be partly gone. */
	int (*reset)(struct platform_ctx *ctx);

	/* Called by the owner of parent: creates a new host thread, either
	 * sharing parent's address space or in a copy-on-write copy of it.  The
	 * new thread waits, stopped, until another sentry thread adopts it. */
	int (*clone)(struct platform_ctx *parent, bool share_vm, struct platform_handoff *out);
	/* Called by the new owner thread: takes over the handed-off thread. */
	int (*adopt)(const struct platform_handoff *h, struct platform_ctx **out);
	/* Disposes of a handed-off thread that will never be adopted. */
	void (*abandon)(const struct platform_handoff *h);

	/* Runs guest code until it makes a syscall, faults, is kicked or dies. */
	int (*run)(struct platform_ctx *ctx, struct platform_event *ev);

	/* The guest registers, valid after run() returned; changes made through
	 * the pointer take effect at the next run(). */
	struct user_regs_struct *(*regs)(struct platform_ctx *ctx);
	/* FPU/SSE state in fxsave format (512 bytes). */
	int (*get_fpregs)(struct platform_ctx *ctx, struct user_fpregs_struct *fp);
	int (*set_fpregs)(struct platform_ctx *ctx, const struct user_fpregs_struct *fp);

	/* Runs a memory-management syscall (mmap, munmap, mprotect, mremap,
	 * madvise) inside the address space; returns its result. */
	long (*host_syscall)(struct platform_ctx *ctx, long nr, uint64_t a0, uint64_t a1,
			     uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5);
	/* mmap of a host file descriptor of the sentry into the address space. */
	long (*mmap_fd)(struct platform_ctx *ctx, uint64_t addr, uint64_t len, int prot,
			int flags, int host_fd, uint64_t offset);

	/* Atomically applies op (PLATFORM_ATOMIC_*) with operand to the 32-bit
	 * guest word at addr, as guest code would with a locked instruction;
	 * returns the old value (0..UINT32_MAX) or -EFAULT. */
	long (*atomic_op)(struct platform_ctx *ctx, uint64_t addr, int op, uint32_t operand);

	/* Guest memory access; return bytes copied (may be short at an
	 * unmapped or protected page) or -EFAULT. */
	ssize_t (*read_mem)(struct platform_ctx *ctx, void *dst, uint64_t src, size_t n);
	ssize_t (*write_mem)(struct platform_ctx *ctx, uint64_t dst, const void *src, size_t n);
	/* Optional: copies n bytes at offset off of the host file host_fd
	 * (a regular file or memfd the caller keeps open meanwhile) to guest
	 * memory at dst, without the data passing through the sentry.  id
	 * names the file's data for the platform to cache what it needs for
	 * it (a mapping): the same id must always mean the same data, so ids
	 * are never reused.  Returns bytes copied (short at a guest fault, or
	 * rarely when the platform runs out of room), -EFAULT when nothing
	 * could be copied for a fault, -EOPNOTSUPP when it cannot do it. */
	ssize_t (*copy_file)(struct platform_ctx *ctx, uint64_t dst, int host_fd, uint64_t id,
			     uint64_t off, size_t n);
	/* With copy_file: drops what it keeps for id in this address space
	 * (the file was closed here: its data must not stay visible). */
	void (*forget_file)(struct platform_ctx *ctx, uint64_t id);

	/* From any thread: make run() return PLATFORM_INTERRUPT soon. */
	void (*kick)(struct platform_ctx *ctx);

	/* Kills the host thread and frees the context; owner only. */
	void (*destroy)(struct platform_ctx *ctx);

	/* The host thread id (for /proc and diagnostics). */
	pid_t (*host_tid)(struct platform_ctx *ctx);

	/* Optional: rewrites the syscall site ending at rip (from
	 * platform_event.patch_rip) to enter the sentry faster.  The caller
	 * holds the address space's lock and has checked that the site is in
	 * a private executable mapping with protection prot; single says no
	 * other thread can run in the address space meanwhile.  Returns 1 if
	 * patched, 0 if not, -errno. */
	int (*patch)(struct platform_ctx *ctx, uint64_t rip, int prot, bool single);

	/* Optional, for the syscall path: the number and arguments of the
	 * syscall that was just reported, and its return value, without the
	 * cost of the full registers. */
	long (*syscall_args)(struct platform_ctx *ctx, uint64_t args[6]);
	void (*set_return)(struct platform_ctx *ctx, uint64_t rax);
	/* Optional hint from the owner thread: the syscall being served is
	 * about to sleep, so the guest thread's host side should not spin for
	 * its answer. */
	void (*will_block)(struct platform_ctx *ctx);
};

/* Host vDSO and vvar pages that stay mapped in every address space; the
 * loader passes vdso_base to the guest as AT_SYSINFO_EHDR. */
struct platform_vdso {
	uint64_t vdso_start, vdso_end;
	uint64_t vvar_start, vvar_end;   /* every [vvar*] mapping, as one range */
};

const struct platform_ops *platform_lookup(const char *name);

/* For the platforms: the guest ran `int $0x80` (the i386 syscall entry) from
 * 64-bit code, and regs are as the host's syscall entry left them (rip past
 * the instruction, the number in orig_nr).  The sentry has no i386 syscall
 * table, so the guest sees what Linux without IA32 emulation gives
 * (ia32_emulation=0: the vector is not installed, a #GP): SIGSEGV, SI_KERNEL,
 * rip back at the instruction, rax as it was (its low 32 bits: the host
 * truncated it).  Fills ev in as that fault. */
void platform_int80_fault(struct user_regs_struct *regs, uint64_t orig_nr,
			  struct platform_event *ev);
const struct platform_vdso *platform_vdso(void);
/* Fills in the vDSO layout of this process (called once at start-up). */
int platform_vdso_probe(void);

/* Stubs run with oom_score_adj 1000 (platform_clone_stub): opens the
 * sentry's own /proc/self/oom_score_adj, before the sentry confines itself
 * (best effort: without it stubs keep the sentry's score). */
void platform_stub_oom_open(void);
/* clone(SIGCHLD) of the sentry for a new stub process, as fork() returns
 * (the child gets 0; -1 and errno on failure); the child has oom_score_adj
 * 1000, stubs cloned from it inherit that. */
pid_t platform_clone_stub(void);

#endif
