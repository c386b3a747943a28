/* --strace: formatting syscalls the way strace -f prints them.
 *
 * The formatters are pure: they append text to a struct strbuf and read
 * guest memory only through a struct strace_mem, so that they run (and are
 * tested) on host memory as well as on a task's.  strace.c binds them to a
 * task (copy_from_user) and to the sentry's stderr.
 *
 *   struct strbuf b = STRACE_BUF_INIT;
 *   strace_fmt_open_flags(&b, O_RDONLY | O_CLOEXEC);
 *   puts(strbuf_str(&b));                  -> O_RDONLY|O_CLOEXEC
 *   strbuf_free(&b);
 */
#ifndef SENTRY_SYSCALLS_STRACE_H
#define SENTRY_SYSCALLS_STRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"
#include "sentry/syscalls/syscalls.h"

/* Argument kinds that only --strace interprets, stored in
 * syscall_desc.args after enum sysarg's. */
enum sysarg_strace {
	ARGX_PATH_OUT = SYSARG_COUNT + 1, /* NUL-terminated string filled by the call (getcwd) */
	ARGX_SIGSET_OUT,       /* sigset filled by the call (oldset) */
	ARGX_SIGACTION_OUT,    /* struct sigaction filled by the call (oldact) */
	ARGX_TIMESPEC_OUT,     /* struct timespec filled by the call */
	ARGX_WAIT_STATUS,      /* int *: wait status filled by the call */
	ARGX_SOCKADDR_OUT,     /* struct sockaddr filled by the call, socklen_t * next */
	ARGX_RLIMIT,           /* struct rlimit * (input) */
	ARGX_RLIMIT_OUT,
	ARGX_STATX_OUT,
	ARGX_ENVP,             /* envp: address and count */
	ARGX_FCNTL_ARG,        /* fcntl's third argument, shown as its command wants */
	ARGX_OFLAGS,           /* O_CLOEXEC|O_NONBLOCK, no access mode (pipe2, dup3) */
	ARGX_SOCK_FLAGS,       /* SOCK_CLOEXEC|SOCK_NONBLOCK (accept4) */
	ARGX_ACCESS_AT_FLAGS,  /* AT_EACCESS|AT_SYMLINK_NOFOLLOW (faccessat2) */
	ARGX_MREMAP_FLAGS,
	ARGX_MSYNC_FLAGS,
	ARGX_SHUTDOWN_HOW,
	ARGX_FLOCK_OP,
	ARGX_EPOLL_CTL_OP,
	ARGX_MEMFD_FLAGS,
	ARGX_GETRANDOM_FLAGS,
	ARGX_CLONE3_ARGS,      /* struct clone_args * (size next) */
	ARGX_OPEN_HOW,         /* struct open_how * */
	ARGX_MAX
};

/* Text being built: NUL-terminated, grows on demand up to
 * STRACE_BUF_MAX bytes (guest-controlled input cannot make it larger;
 * past that, or when memory runs out, text is dropped). */
#define STRACE_BUF_MAX (64 * 1024)
#define STRACE_BUF_INIT STRBUF_INIT(STRACE_BUF_MAX)

/* Where guest memory comes from. */
struct strace_mem {
	/* Copies exactly n bytes at guest address addr into dst: 0, or
	 * -EFAULT (then dst's contents are unspecified). */
	int (*read)(void *ctx, void *dst, uint64_t addr, size_t n);
	void *ctx;
};

/* Strings longer than this are cut, with "..." after the closing quote. */
#define STRACE_STRLEN 32

/* --- values ---------------------------------------------------------------
 * Each appends the text for one value; unknown bits are shown as |0x... */
void strace_fmt_open_flags(struct strbuf *b, uint64_t flags);   /* O_RDONLY|O_CLOEXEC */
void strace_fmt_mmap_flags(struct strbuf *b, uint64_t flags);   /* MAP_PRIVATE|... */
void strace_fmt_prot(struct strbuf *b, uint64_t prot);          /* PROT_READ|... */
void strace_fmt_mode(struct strbuf *b, uint64_t mode);          /* S_IFREG|0644 */
void strace_fmt_clone_flags(struct strbuf *b, uint64_t flags);  /* CLONE_VM|SIGCHLD */
void strace_fmt_signal(struct strbuf *b, int64_t sig);          /* SIGINT, SIGRTMIN+3 */
void strace_fmt_sigset(struct strbuf *b, uint64_t mask);        /* [INT TERM], ~[KILL] */
void strace_fmt_wait_status(struct strbuf *b, int status);      /* [{WIFEXITED(s) ...}] */
/* A quoted, escaped string of len bytes; more: the data went on (adds "..."). */
void strace_fmt_string(struct strbuf *b, const void *data, size_t len, bool more);
/* A syscall result, without "= ": 3, 0x7f..., -1 ENOENT (No such file or
 * directory), ? ERESTARTSYS (To be restarted if SA_RESTART is set), ?. */
void strace_fmt_result(struct strbuf *b, enum sysret type, long ret);

/* --- whole syscalls ---------------------------------------------------------
 * strace_format_enter() writes "name(" and every argument known at entry;
 * strace_format_exit() the arguments the call fills in, ") = " and the
 * result.  Both derive the split from nr and args alone, so that the exit
 * half can be formatted without state.  A syscall that does not return
 * (RET_NONE) is complete after the entry half (it ends in ") = ?"); the
 * function returns true then. */
bool strace_format_enter(struct strbuf *b, const struct strace_mem *m, long nr,
			 const uint64_t args[6]);
void strace_format_exit(struct strbuf *b, const struct strace_mem *m, long nr,
			const uint64_t args[6], long ret);
/* Both halves, no prefix or newline: "read(3, \"abc\", 4096) = 3". */
void strace_format_syscall(struct strbuf *b, const struct strace_mem *m, long nr,
			   const uint64_t args[6], long ret);

/* The --report-unimplemented text for counts[SYSCALL_TABLE_SIZE] (by
 * syscall number), most called first; empty when all are 0. */
void strace_format_unimplemented(struct strbuf *b, const unsigned long *counts);

/* A task that goes away with a syscall line pending (it never came back
 * from the call): prints it as "<unfinished ...>" and frees it. */
struct task;
void strace_task_release(struct task *t);

#endif
