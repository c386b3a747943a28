/* Self-confinement of the runtime's own processes (docs/security.md).
 *
 * Each confined process (the sentry, the gofer, the egress proxy, the port
 * forwarder) calls these once, at the end of its start-up:
 *   confine_mount_ns   a new mount namespace whose root is a fresh,
 *                      read-only tmpfs (empty, or what populate put there);
 *   confine_caps       every capability dropped but those it keeps, the
 *                      bounding and ambient sets emptied, securebits locked;
 *   confine_seccomp    a libseccomp filter built from the process's table
 *                      (its exact list of host syscalls), no_new_privs.
 * A syscall outside the table traps (SIGSYS): the handler writes one line,
 * "NAME: seccomp violation: syscall SYSCALL(NR) ...", and the process
 * exits with status CONFINE_VIOLATION_STATUS. */
#ifndef COMMON_CONFINE_H
#define COMMON_CONFINE_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFINE_VIOLATION_STATUS 159   /* 128 + SIGSYS */

/* One entry of a table: the syscall, allowed when every comparison holds
 * (several entries for one syscall: any of them).  errno_ret > 0: the
 * syscall fails with that errno instead of being allowed.  In a deny
 * table (below) an entry is what traps instead. */
struct confine_rule {
	const char *name;
	int errno_ret;
	unsigned ncmp;
	struct scmp_arg_cmp cmp[3];
};

/* Comparisons: argument n equals v (the low 32 bits: int arguments), or
 * (argument n & mask) == v over 64 bits. */
#define CONFINE_EQ32(n, v)      { (n), SCMP_CMP_MASKED_EQ, 0xffffffffULL, (uint64_t)(uint32_t)(v) }
#define CONFINE_MASKED(n, m, v) { (n), SCMP_CMP_MASKED_EQ, (uint64_t)(m), (uint64_t)(v) }
#define CONFINE_ALLOW(nm)                 { .name = (nm) }
#define CONFINE_ALLOW_IF(nm, ...)         { .name = (nm), .ncmp = sizeof((struct scmp_arg_cmp[]){ __VA_ARGS__ }) / sizeof(struct scmp_arg_cmp), .cmp = { __VA_ARGS__ } }
#define CONFINE_ERRNO(nm, e)              { .name = (nm), .errno_ret = (e) }
/* (a deny table's entries) */
#define CONFINE_TRAP(nm)                  CONFINE_ALLOW(nm)
#define CONFINE_TRAP_IF(nm, ...)          CONFINE_ALLOW_IF(nm, __VA_ARGS__)

/* A process's table (the lists live next to each process's code).  A
 * deny table is a second filter on top of the first: it allows everything
 * but its rules, which trap as a syscall outside the first one's list
 * does (the sentry's last filter, once its stubs' templates exist). */
struct confine_table {
	const char *who;                  /* "sentry", "gofer", ...: names the violation */
	const struct confine_rule *rules;
	size_t nrules;
	const char *list;                 /* docs/security.md's block, when not who */
	bool deny;
};

extern const struct confine_table confine_sentry_table;
extern const struct confine_table confine_gofer_table;
extern const struct confine_table confine_proxy_table;
extern const struct confine_table confine_forwarder_table;
extern const struct confine_table confine_sentry_late_table;

/* Builds and loads the table's filter (default action: trap), after
 * installing the violation handler.  0 or -errno (the table names a
 * syscall libseccomp does not know: -EINVAL). */
int confine_seccomp(const struct confine_table *t);

/* Builds the table's filter without loading it (tests): 0 or -errno. */
int confine_check_table(const struct confine_table *t);

/* Capabilities: keep (a mask of CAP_* bits) stays effective and permitted,
 * everything else goes, from the bounding and ambient sets too.  A process
 * without CAP_SETPCAP cannot empty its bounding set: that is not an error
 * (no_new_privs makes it moot).  0 or -errno. */
int confine_caps(uint64_t keep);

/* Unshares the mount namespace (plus extra CLONE_NEW* flags), makes every
 * mount private, mounts a tmpfs, runs populate(arg) with the tmpfs as the
 * working directory (NULL: it stays empty), makes it read-only and pivots
 * into it, detaching the old root.  Must run while single-threaded.
 * 0 or -errno, with *what naming the step that failed. */
int confine_mount_ns(int extra_unshare, int (*populate)(void *arg), void *arg,
		     const char **what);

#endif
