/* Self-confinement of the runtime's processes (common/confine.h). */
#include "common/confine.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <ucontext.h>

#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1   /* si_code of a seccomp SIGSYS */
#endif
#include <unistd.h>

#ifndef SECBIT_NOROOT
#define SECBIT_NOROOT               (1 << 0)
#define SECBIT_NOROOT_LOCKED        (1 << 1)
#define SECBIT_NO_SETUID_FIXUP      (1 << 2)
#define SECBIT_NO_SETUID_FIXUP_LOCKED (1 << 3)
#define SECBIT_KEEP_CAPS_LOCKED     (1 << 5)
#define SECBIT_NO_CAP_AMBIENT_RAISE (1 << 6)
#define SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED (1 << 7)
#endif

/* --- the violation handler -------------------------------------------------- */

/* What the handler needs, filled once before the filter is loaded (the
 * handler may not allocate: the violation may come from inside malloc).
 * Set once per process and only read afterwards. */
#define CONFINE_NAMES 512
#ifdef CONFINE_LOG   /* (a build that finds what a table misses: see docs/security.md) */
#define CONFINE_DEFAULT SCMP_ACT_LOG
#else
#define CONFINE_DEFAULT SCMP_ACT_TRAP
#endif
static struct {
	const char *who;
	char *names[CONFINE_NAMES];
} violation;

static void on_violation(int sig, siginfo_t *si, void *ucv)
{
	if (si->si_code != SYS_SECCOMP)
		return;   /* a SIGSYS someone sent: not ours to act on */
	ucontext_t *uc = ucv;
	int nr = si->si_syscall;
	const char *name = nr >= 0 && nr < CONFINE_NAMES && violation.names[nr]
				   ? violation.names[nr] : "?";
	const greg_t *r = uc->uc_mcontext.gregs;
	char line[320];
	int n = snprintf(line, sizeof line,
			 "%s: seccomp violation: syscall %s(%d) args %#llx %#llx %#llx at %#llx: "
			 "killed\n", violation.who ? violation.who : "runtime", name, nr,
			 (unsigned long long)r[REG_RDI], (unsigned long long)r[REG_RSI],
			 (unsigned long long)r[REG_RDX], (unsigned long long)r[REG_RIP]);
	if (n > 0) {
		ssize_t w = write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n
									 : sizeof line - 1);
		(void)w;
	}
	syscall(SYS_exit_group, CONFINE_VIOLATION_STATUS);
}

static int install_handler(const char *who)
{
	violation.who = who;
	for (int nr = 0; nr < CONFINE_NAMES; nr++)
		if (!violation.names[nr])
			violation.names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
	struct sigaction sa = { .sa_sigaction = on_violation, .sa_flags = SA_SIGINFO };
	sigfillset(&sa.sa_mask);
	return sigaction(SIGSYS, &sa, NULL) < 0 ? -errno : 0;
}

/* --- the filter --------------------------------------------------------------- */

static int add_rule(scmp_filter_ctx ctx, const struct confine_rule *r, bool deny)
{
	int nr = seccomp_syscall_resolve_name(r->name);
	if (nr == __NR_SCMP_ERROR) {
		fprintf(stderr, "confine: unknown syscall %s\n", r->name);
		return -EINVAL;
	}
	uint32_t action = deny ? CONFINE_DEFAULT
			  : r->errno_ret > 0 ? SCMP_ACT_ERRNO((uint32_t)r->errno_ret) : SCMP_ACT_ALLOW;
	int e = seccomp_rule_add_exact_array(ctx, action, nr, r->ncmp, r->cmp);
	if (e < 0)
		fprintf(stderr, "confine: rule for %s: %s\n", r->name, strerror(-e));
	return e;
}

/* Builds with AddressSanitizer (the unit tests, the conformance suite's
 * third sentry): its runtime makes a few syscalls of its own (its
 * alternate signal stack at thread exit, its reports).  Never in a
 * production build; not in docs/security.md's lists. */
#if defined(__SANITIZE_ADDRESS__)
static const char *const sanitizer_syscalls[] = {
	"sigaltstack", "sched_yield", "getpid", "gettid", "tgkill", "rt_sigprocmask",
	"rt_sigaction", "write",
};
#else
static const char *const sanitizer_syscalls[] = { NULL };
#endif

static bool in_table(const struct confine_table *t, const char *name)
{
	for (size_t i = 0; i < t->nrules; i++)
		if (strcmp(t->rules[i].name, name) == 0)
			return true;
	return false;
}

static int add_sanitizer_rules(scmp_filter_ctx ctx, const struct confine_table *t)
{
	int e = 0;
	for (size_t i = 0; e == 0 && i < sizeof sanitizer_syscalls / sizeof sanitizer_syscalls[0];
	     i++) {
		const char *name = sanitizer_syscalls[i];
		if (name && !in_table(t, name))
			e = add_rule(ctx, &(struct confine_rule){ .name = name }, false);
	}
	return e;
}

/* The table's filter, not loaded; NULL on error (logged). */
static scmp_filter_ctx build_filter(const struct confine_table *t, int *err)
{
	/* Trap, not kill, by default: the systrap stubs inherit the sentry's
	 * filter, and a guest's syscall must reach its stub's SIGSYS handler
	 * (the most restrictive action of all filters wins, and TRAP is what
	 * the stub's own filter says for guest code). */
	scmp_filter_ctx ctx = seccomp_init(t->deny ? SCMP_ACT_ALLOW : CONFINE_DEFAULT);
	if (!ctx) {
		*err = -ENOMEM;
		return NULL;
	}
	/* (x32 syscall numbers count as a foreign architecture: trapped too,
	 * so that a guest's reaches its stub as any other) */
	int e = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, CONFINE_DEFAULT);
	if (e == 0)
		e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (e == 0)   /* every thread, should there be any */
		e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	/* A binary tree of syscall numbers: a few comparisons per syscall
	 * instead of one per rule (libseccomp 2.5). */
	if (e == 0)
		e = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (size_t i = 0; e == 0 && i < t->nrules; i++)
		e = add_rule(ctx, &t->rules[i], t->deny);
	if (e == 0 && !t->deny)
		e = add_sanitizer_rules(ctx, t);
	if (e < 0) {
		seccomp_release(ctx);
		*err = e;
		return NULL;
	}
	return ctx;
}

int confine_check_table(const struct confine_table *t)
{
	int err = 0;
	scmp_filter_ctx ctx = build_filter(t, &err);
	if (ctx)
		seccomp_release(ctx);
	return err;
}

int confine_seccomp(const struct confine_table *t)
{
	int err = install_handler(t->who);
	if (err < 0)
		return err;
	scmp_filter_ctx ctx = build_filter(t, &err);
	if (!ctx)
		return err;
	err = seccomp_load(ctx);
	seccomp_release(ctx);
	return err;
}

/* --- capabilities -------------------------------------------------------------- */

int confine_caps(uint64_t keep)
{
	/* Root stays without privileges across anything (execve is not
	 * allowed anyway): needs CAP_SETPCAP, as does the bounding set. */
	prctl(PR_SET_SECUREBITS, SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP |
	      SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
	      SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED, 0, 0, 0);
	for (int cap = 0; cap < 64; cap++) {
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 1)
			continue;   /* past the last, or gone */
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EPERM)
			return -errno;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -errno;
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	for (int i = 0; i < 2; i++) {
		uint32_t k = (uint32_t)(keep >> (32 * i));
		d[i].effective &= k;
		d[i].permitted &= k;
		d[i].inheritable = 0;
	}
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* --- the mount namespace --------------------------------------------------------- */

/* Where the new root is mounted before the pivot: any directory will do
 * (the mount namespace is ours), but not /proc, through which populate
 * may still reach fds it holds. */
static const char *pick_mountpoint(void)
{
	static const char *const candidates[] = { "/tmp", "/mnt", "/dev", "/run", "/var" };
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		struct stat st;
		if (stat(candidates[i], &st) == 0 && S_ISDIR(st.st_mode))
			return candidates[i];
	}
	return NULL;
}

#define STEP(expr, name)                 \
	do {                             \
		if ((expr) < 0) {        \
			*what = (name);  \
			return -errno;   \
		}                        \
	} while (0)

int confine_mount_ns(int extra_unshare, int (*populate)(void *arg), void *arg,
		     const char **what)
{
	STEP(unshare(CLONE_NEWNS | extra_unshare), "unshare");
	/* Nothing we do here may propagate to the host, nor the host's
	 * mounts to us. */
	STEP(mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "making / private");
	const char *dir = pick_mountpoint();
	if (!dir) {
		*what = "no directory to mount the new root on";
		return -ENOENT;
	}
	STEP(mount("confine", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		   "mode=0755,size=64k,nr_inodes=64"), "mounting a tmpfs");
	STEP(chdir(dir), "chdir");
	if (populate) {
		int r = populate(arg);
		if (r < 0) {
			*what = "populating the new root";
			return r;
		}
	}
	STEP(mount(NULL, ".", NULL, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
		   NULL), "making the new root read-only");
	/* pivot_root(".", "."): the old root ends up stacked under the new
	 * one, and is detached at once. */
	STEP(syscall(SYS_pivot_root, ".", "."), "pivot_root");
	STEP(umount2(".", MNT_DETACH), "detaching the old root");
	STEP(chdir("/"), "chdir /");
	return 0;
}
