/* The sentry's confinement (docs/security.md): an empty root, a network,
 * IPC and UTS namespace of its own, no capabilities, and the host syscalls
 * below and nothing else.  The systrap and ptrace stubs are forked from the
 * sentry after this, so they inherit all of it (and add their own filter). */
#include "sentry/kernel/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <asm/prctl.h>
#include <linux/seccomp.h>

#include "common/confine.h"
#include "common/log.h"

/* pthread_create's clone flags (glibc), and the stubs' forks. */
#define THREAD_FLAGS (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | \
		      CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID)

/* The hot ones first (futex, the stubs' turn-taking; reads and writes of
 * guest memory); libseccomp's binary tree makes the order matter little. */
static const struct confine_rule sentry_rules[] = {
	/* Threads, turn-taking, signals. */
	CONFINE_ALLOW("futex"),
	CONFINE_ALLOW("process_vm_readv"),
	CONFINE_ALLOW("process_vm_writev"),
	CONFINE_ALLOW("ppoll"),
	CONFINE_ALLOW("poll"),
	CONFINE_ALLOW("read"),
	CONFINE_ALLOW("write"),
	CONFINE_ALLOW("readv"),
	CONFINE_ALLOW("writev"),
	CONFINE_ALLOW("pread64"),
	CONFINE_ALLOW("pwrite64"),
	CONFINE_ALLOW("preadv"),
	CONFINE_ALLOW("pwritev"),
	CONFINE_ALLOW("lseek"),
	CONFINE_ALLOW("close"),
	CONFINE_ALLOW("close_range"),
	CONFINE_ALLOW("dup"),
	CONFINE_ALLOW("dup2"),
	CONFINE_ALLOW("dup3"),
	CONFINE_ALLOW("fcntl"),
	CONFINE_ALLOW("fstat"),
	/* fstat(2) as glibc makes it: on an fd, no path. */
	CONFINE_ALLOW_IF("newfstatat", CONFINE_MASKED(3, AT_EMPTY_PATH, AT_EMPTY_PATH)),
	CONFINE_ALLOW("ftruncate"),
	CONFINE_ALLOW("fallocate"),
	CONFINE_ALLOW("fsync"),
	CONFINE_ALLOW("fdatasync"),
	CONFINE_ALLOW("sendfile"),
	CONFINE_ALLOW("splice"),
	CONFINE_ALLOW("copy_file_range"),
	CONFINE_ALLOW("tee"),
	CONFINE_ALLOW("fstatfs"),
	CONFINE_ALLOW("getdents64"),
	/* Host terminals and pipes the guest was given (stdio, the tty bridge). */
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TCGETS)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TCSETS)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TCSETSW)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TCSETSF)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TIOCGWINSZ)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TIOCSWINSZ)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, FIONREAD)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, FIONBIO)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TIOCGPGRP)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TCFLSH)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TCXONC)),
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, TCSBRK)),

	/* Memory: the sentry's own and, from the stubs, the guest's. */
	CONFINE_ALLOW("mmap"),
	CONFINE_ALLOW("munmap"),
	CONFINE_ALLOW("mprotect"),
	CONFINE_ALLOW("mremap"),
	CONFINE_ALLOW("madvise"),
	CONFINE_ALLOW("brk"),
	CONFINE_ALLOW("mincore"),
	CONFINE_ALLOW_IF("memfd_create", CONFINE_MASKED(1, ~(uint64_t)(MFD_CLOEXEC |
								      MFD_ALLOW_SEALING), 0)),

	/* Waiting. */
	CONFINE_ALLOW("epoll_create1"),
	CONFINE_ALLOW("epoll_ctl"),
	CONFINE_ALLOW("epoll_wait"),
	CONFINE_ALLOW("epoll_pwait"),
	CONFINE_ALLOW("eventfd2"),
	CONFINE_ALLOW("pipe2"),
	CONFINE_ALLOW("timerfd_create"),
	CONFINE_ALLOW("timerfd_settime"),
	CONFINE_ALLOW("timerfd_gettime"),
	CONFINE_ALLOW("nanosleep"),
	CONFINE_ALLOW("clock_nanosleep"),
	CONFINE_ALLOW("clock_gettime"),
	CONFINE_ALLOW("clock_getres"),
	CONFINE_ALLOW("gettimeofday"),
	CONFINE_ALLOW("sched_yield"),

	/* Sockets: only AF_UNIX ones can be made (the control socket's
	 * connections, fd passing); the network is lwIP's. */
	CONFINE_ALLOW_IF("socket", CONFINE_EQ32(0, AF_UNIX)),
	CONFINE_ALLOW_IF("socketpair", CONFINE_EQ32(0, AF_UNIX)),
	CONFINE_ALLOW("sendmsg"),
	CONFINE_ALLOW("recvmsg"),
	CONFINE_ALLOW("recvmmsg"),
	CONFINE_ALLOW("sendto"),
	CONFINE_ALLOW("recvfrom"),
	CONFINE_ALLOW("accept4"),
	CONFINE_ALLOW("shutdown"),
	CONFINE_ALLOW("getsockopt"),
	CONFINE_ALLOW("setsockopt"),
	CONFINE_ALLOW("getsockname"),
	CONFINE_ALLOW("getpeername"),

	/* Threads and stub processes. */
	CONFINE_ALLOW_IF("clone", CONFINE_MASKED(0, ~0ULL, THREAD_FLAGS)),
	CONFINE_ALLOW_IF("clone", CONFINE_MASKED(0, ~0ULL, SIGCHLD)),
	CONFINE_ALLOW_IF("clone", CONFINE_MASKED(0, ~0ULL, CLONE_VM | SIGCHLD)),
	/* Flags in memory cannot be checked: glibc falls back to clone. */
	CONFINE_ERRNO("clone3", ENOSYS),
	CONFINE_ALLOW("set_robust_list"),
	CONFINE_ALLOW("rseq"),
	CONFINE_ALLOW("exit"),
	CONFINE_ALLOW("exit_group"),
	CONFINE_ALLOW("gettid"),
	CONFINE_ALLOW("getpid"),
	CONFINE_ALLOW("getppid"),
	CONFINE_ALLOW("kill"),
	CONFINE_ALLOW("tgkill"),
	CONFINE_ALLOW("rt_sigaction"),
	CONFINE_ALLOW("rt_sigprocmask"),
	CONFINE_ALLOW("rt_sigreturn"),
	CONFINE_ALLOW("restart_syscall"),
	CONFINE_ALLOW("rt_sigtimedwait"),
	CONFINE_ALLOW("sigaltstack"),
	CONFINE_ALLOW("wait4"),
	CONFINE_ALLOW("waitid"),
	CONFINE_ALLOW("pidfd_open"),
	CONFINE_ALLOW("ptrace"),
	CONFINE_ALLOW("sched_getaffinity"),
	CONFINE_ALLOW("sched_setaffinity"),
	/* A stub's set-up (systrap: its %gs; both: its own filter). */
	CONFINE_ALLOW_IF("arch_prctl", CONFINE_EQ32(0, ARCH_SET_GS)),
	CONFINE_ALLOW_IF("prctl", CONFINE_EQ32(0, PR_SET_PDEATHSIG)),
	CONFINE_ALLOW_IF("prctl", CONFINE_EQ32(0, PR_SET_NO_NEW_PRIVS)),
	CONFINE_ALLOW_IF("prctl", CONFINE_EQ32(0, PR_SET_SECCOMP)),
	/* The sentry's last filter (libseccomp loads it so, for TSYNC). */
	CONFINE_ALLOW_IF("seccomp", CONFINE_EQ32(0, SECCOMP_SET_MODE_FILTER)),
	CONFINE_ALLOW_IF("prctl", CONFINE_EQ32(0, PR_SET_NAME)),
	CONFINE_ALLOW_IF("prctl", CONFINE_EQ32(0, PR_GET_NAME)),

	/* Facts for the guest. */
	CONFINE_ALLOW("getrandom"),
	CONFINE_ALLOW("getrlimit"),
	CONFINE_ALLOW("prlimit64"),
	CONFINE_ALLOW("getrusage"),
	CONFINE_ALLOW("sysinfo"),
	CONFINE_ALLOW("uname"),
	CONFINE_ALLOW("getuid"),
	CONFINE_ALLOW("geteuid"),
	CONFINE_ALLOW("getgid"),
	CONFINE_ALLOW("getegid"),

	/* The root is empty: library code that looks for a host file (glibc's
	 * sysconf reads /sys/devices/system/cpu/online) finds nothing, as it
	 * would in an empty directory. */
	CONFINE_ERRNO("openat", ENOENT),
	CONFINE_ERRNO("open", ENOENT),
};

const struct confine_table confine_sentry_table = {
	.who = "sentry", .rules = sentry_rules,
	.nrules = sizeof sentry_rules / sizeof sentry_rules[0]
};

/* The sentry's last filter, on top of the first once the platform has made
 * its stub template (the stubs are forks of the template, so they never
 * carry this one): what only the stubs' set-up needs, and what would let a
 * sentry taken over run code it wrote.  Its own code, glibc's and its
 * libraries' are mapped by then; threads need no executable stack
 * (PT_GNU_STACK is RW); dlopen finds no file in the empty root. */
static const struct confine_rule sentry_late_rules[] = {
	/* No executable memory: the guest's mappings are made in the stubs. */
	CONFINE_TRAP_IF("mmap", CONFINE_MASKED(2, PROT_EXEC, PROT_EXEC)),
	CONFINE_TRAP_IF("mprotect", CONFINE_MASKED(2, PROT_EXEC, PROT_EXEC)),
	/* Threads only: a process sharing the sentry's memory (CLONE_VM
	 * without CLONE_THREAD) could be ptraced to write into its code, and
	 * new stubs are forks of the template, not of the sentry. */
	CONFINE_TRAP_IF("clone", CONFINE_MASKED(0, CLONE_THREAD, 0)),
	/* A systrap stub's %gs; glibc set the sentry's own FS long before. */
	CONFINE_TRAP("arch_prctl"),
	/* Filters: this is the last (the stubs' own is the template's). */
	CONFINE_TRAP("seccomp"),
	CONFINE_TRAP_IF("prctl", CONFINE_EQ32(0, PR_SET_SECCOMP)),
};

const struct confine_table confine_sentry_late_table = {
	.who = "sentry", .rules = sentry_late_rules,
	.nrules = sizeof sentry_late_rules / sizeof sentry_late_rules[0],
	.list = "sentry-late", .deny = true,
};

int kernel_confine_namespaces(void)
{
	const char *what = "";
	int err = confine_mount_ns(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS, NULL, NULL, &what);
	if (err < 0) {
		log_error("cannot confine the sentry (%s: %s): it needs CAP_SYS_ADMIN, as root "
			  "or in a user namespace", what, strerror(-err));
		return err;
	}
	if ((err = confine_caps(0)) < 0) {
		log_error("cannot drop the sentry's capabilities: %s", strerror(-err));
		return err;
	}
	return 0;
}

int kernel_confine_syscalls(void)
{
	int err = confine_seccomp(&confine_sentry_table);
	if (err < 0)
		log_error("cannot install the sentry's seccomp filter: %s", strerror(-err));
	return err;
}

int kernel_confine_late(void)
{
	int err = confine_seccomp(&confine_sentry_late_table);
	if (err < 0)
		log_error("cannot install the sentry's last seccomp filter: %s", strerror(-err));
	return err;
}
