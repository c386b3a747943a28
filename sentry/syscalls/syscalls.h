/* The syscall table and the handlers' common interface.
 *
 * One table, indexed by x86-64 syscall number, gives each syscall its name,
 * its argument types (for --strace) and its handler.  Handlers live one
 * family per file (sys_file.c, sys_mm.c, sys_signal.c, ...), take the task
 * and the six raw argument registers, and return a value or -errno.
 */
#ifndef SENTRY_SYSCALLS_SYSCALLS_H
#define SENTRY_SYSCALLS_SYSCALLS_H

#include <stdint.h>

struct task;

#define SYSCALL_ARGS                                                                       \
	struct task *t, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, \
		uint64_t a5
#define SYSCALL_DEFINE(name) long sys_##name(SYSCALL_ARGS)

typedef long (*syscall_fn)(SYSCALL_ARGS);

/* How --strace shows an argument. */
enum sysarg {
	ARG_NONE,
	ARG_INT,          /* signed decimal */
	ARG_UINT,         /* unsigned decimal */
	ARG_HEX,          /* 0x... */
	ARG_PTR,          /* address, NULL */
	ARG_FD,           /* int, AT_FDCWD */
	ARG_PATH,         /* NUL-terminated string */
	ARG_STR_IN,       /* buffer of length (next argument), printed at entry */
	ARG_STR_OUT,      /* buffer filled by the call, length = return value */
	ARG_IOV_IN,       /* struct iovec[] (count in next argument), written */
	ARG_IOV_OUT,      /* struct iovec[] read into, length = return value */
	ARG_SIZE,         /* size_t */
	ARG_OFF,          /* off_t */
	ARG_OPEN_FLAGS,   /* O_RDONLY|O_CREAT... */
	ARG_MODE,         /* 0644 */
	ARG_AT_FLAGS,     /* AT_SYMLINK_NOFOLLOW|... */
	ARG_PROT,         /* PROT_READ|... */
	ARG_MMAP_FLAGS,   /* MAP_PRIVATE|... */
	ARG_SIGNUM,       /* SIGTERM */
	ARG_SIGSET,       /* pointer to a sigset: [INT TERM] */
	ARG_SIGACTION,    /* pointer to struct sigaction */
	ARG_SIGPROCMASK_HOW,
	ARG_CLONE_FLAGS,
	ARG_WAIT_OPTIONS,
	ARG_WHENCE,       /* SEEK_SET... */
	ARG_FCNTL_CMD,
	ARG_IOCTL_CMD,
	ARG_STRV,         /* argv/envp array of strings */
	ARG_TIMESPEC,     /* pointer to struct timespec (input) */
	ARG_STAT_OUT,     /* pointer to struct stat filled by the call */
	ARG_STATFS_OUT,
	ARG_INT_PTR_OUT,  /* int[2] for pipe, socketpair */
	ARG_CLOCKID,
	ARG_ACCESS_MODE,  /* R_OK|W_OK... */
	ARG_MADVISE,
	ARG_ARCH_PRCTL,
	ARG_RLIMIT_RES,
	ARG_POLLFD,       /* struct pollfd[] (count in next argument) */
	ARG_UNAME_OUT,
	ARG_RENAME_FLAGS,
	ARG_SOCKADDR,     /* struct sockaddr * (length in next argument) */
	ARG_SOCK_FAMILY,
	ARG_SOCK_TYPE,
	ARG_FUTEX_OP,
	ARG_PRCTL_OP,
	SYSARG_COUNT
};

/* How --strace shows the result. */
enum sysret {
	RET_INT,          /* decimal, or -1 ERRNO (message) */
	RET_HEX,          /* addresses: mmap, brk */
	RET_NONE,         /* does not return: exit, exit_group */
};

struct syscall_desc {
	const char *name;
	syscall_fn fn;           /* NULL: not implemented, -ENOSYS */
	uint8_t nargs;
	uint8_t args[6];         /* enum sysarg */
	uint8_t ret;             /* enum sysret */
};

#define SYSCALL_TABLE_SIZE 512
extern const struct syscall_desc syscall_table[SYSCALL_TABLE_SIZE];

/* Runs the syscall the task is stopped at (number and arguments from its
 * registers), with --strace output and unimplemented counting; returns the
 * result, which may be a restart code for the signal code to act on. */
long syscall_dispatch(struct task *t, long nr, const uint64_t args[6]);

/* --strace: called before and after the handler. */
void strace_syscall_enter(struct task *t, long nr, const uint64_t args[6]);
void strace_syscall_exit(struct task *t, long nr, const uint64_t args[6], long ret);

/* --report-unimplemented: prints the counts to stderr. */
void syscall_report_unimplemented(const struct task *t);

/* Every handler, by family. */
#include "sentry/syscalls/handlers.h"

#endif
