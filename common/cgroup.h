/* A cgroup for a sandbox: runsc-compat's container cgroup, and the one
 * `sentry run --memory/--pids/--cpus` makes for its run.
 *
 * The container's cgroup (linux.cgroupsPath), as runc's cgroupfs driver
 * lays it out: the same path in every mounted hierarchy (cgroup v1, one per
 * controller, and the unified v2 one), absolute paths from each
 * hierarchy's root, relative ones under the caller's own cgroup there.
 * The container's monitor joins it before it starts the sandbox, so that
 * every host process of the container (the sentry, the gofer, the network
 * helpers, the stubs running guest code) is in it: containerd's shim reads
 * the init pid's cgroup for `ctr task metrics`, and the memory and pids
 * limits of linux.resources apply to the whole sandbox. */
#ifndef COMMON_CGROUP_H
#define COMMON_CGROUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cgroup_limits {
	bool has_memory;
	int64_t memory;            /* bytes; -1 unlimited */
	bool has_pids;
	int64_t pids;              /* -1 unlimited */
	/* CPU bandwidth: quota microseconds of CPU time per period (v1
	 * cpu.cfs_quota_us/cfs_period_us, v2 cpu.max); 0: none set. */
	int64_t cpu_quota_us, cpu_period_us;
	/* v2: an OOM kill takes every process of the cgroup (memory.oom.group). */
	bool oom_group;
};

/* The cgroup path runc would use for cgroupsPath (with --systemd-cgroup,
 * "slice:prefix:name" is systemd's layout, /slice/prefix-name.scope).
 * 0, or -1 with why (a path with ".." components, or too long). */
int cgroup_path(const char *cgroups_path, bool systemd, char *out, size_t size, char *why,
		size_t whysize);

/* Creates the cgroup in every hierarchy and sets the limits.  Returns the
 * cgroup's directories, one per line, then the parents it had to make,
 * "-DIR" (malloc'd; what cgroup_join and cgroup_remove take), or NULL with
 * why.  (runc leaves such parents behind; they go with the container here,
 * when no other container is in them.) */
char *cgroup_create(const char *path, const struct cgroup_limits *l, char *why, size_t whysize);

/* The number of OOM kills in dirs' memory cgroup so far (v1
 * memory.oom_control's oom_kill, v2 memory.events' oom_kill), or -1 if
 * none of them says. */
long cgroup_oom_kills(const char *dirs);

/* SIGKILLs every process in dirs (v2 cgroup.kill where there is one,
 * else each pid of cgroup.procs, twice to catch forks in between). */
void cgroup_kill(const char *dirs);

/* Moves the calling process into each of dirs.  0, or -1 with why. */
int cgroup_join(const char *dirs, char *why, size_t whysize);

/* Removes each of dirs (once their processes are gone: retries for a
 * second while the last ones exit), then the parents made for them that
 * are empty. */
void cgroup_remove(const char *dirs);

#endif
