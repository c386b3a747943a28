/* Rootless runs (common/userns.h). */
#include "common/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"

/* Whether this process is in a user namespace other than the host's: its
 * uid map is not the identity over every id (a rootless container
 * engine's namespace, `unshare -U`). */
static bool in_child_userns(void)
{
	FILE *f = fopen("/proc/self/uid_map", "re");
	if (!f)
		return false;
	unsigned long inner, outer, count;
	int n = fscanf(f, "%lu %lu %lu", &inner, &outer, &count);
	fclose(f);
	return n == 3 && !(inner == 0 && outer == 0 && count == 4294967295UL);
}

bool userns_rootless(bool asked)
{
	return asked || geteuid() != 0 || in_child_userns();
}

/* --- id maps ------------------------------------------------------------------------- */

/* The first range /etc/subuid (or subgid) gives the user (by name or by
 * number): 0, or -1 when there is none. */
static int subid_range(const char *file, unsigned id, const char *name, unsigned long *start,
		       unsigned long *count)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return -1;
	char line[512], idstr[16];
	snprintf(idstr, sizeof idstr, "%u", id);
	int found = -1;
	while (found < 0 && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':');
		if (!c1)
			continue;
		*c1 = 0;
		if (strcmp(line, idstr) != 0 && (!name || strcmp(line, name) != 0))
			continue;
		char *end;
		errno = 0;
		*count = 0;
		*start = strtoul(c1 + 1, &end, 10);
		if (*end == ':' && !errno)
			*count = strtoul(end + 1, &end, 10);
		if (!errno && *count > 0 && *count < (1UL << 31) && *start > 0 &&
		    *start < (1UL << 31))
			found = 0;
	}
	fclose(f);
	return found;
}

/* newuidmap/newgidmap PID 0 ID 1 1 START COUNT: the caller's id as 0, the
 * subordinate range as 1..COUNT.  Its own messages are not shown: on
 * failure the caller falls back to the one-id map. */
static int run_idmap_tool(const char *tool, pid_t pid, unsigned id, unsigned long start,
			  unsigned long count)
{
	char spid[16], sid[16], sstart[24], scount[24];
	snprintf(spid, sizeof spid, "%d", (int)pid);
	snprintf(sid, sizeof sid, "%u", id);
	snprintf(sstart, sizeof sstart, "%lu", start);
	snprintf(scount, sizeof scount, "%lu", count);
	pid_t child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		execlp(tool, tool, spid, "0", sid, "1", "1", sstart, scount, (char *)NULL);
		_exit(127);
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPERM;
}

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, text, strlen(text));
	int e = n < 0 ? -errno : (size_t)n == strlen(text) ? 0 : -EIO;
	close(fd);
	return e;
}

/* The subordinate range of the caller in file, if the tool can map it:
 * only for a user who is not root (root writes any map itself, and maps
 * just itself: see docs/architecture.md). */
static bool want_range(const char *file, unsigned id, unsigned long *start, unsigned long *count)
{
	if (geteuid() == 0)
		return false;
	struct passwd *pw = getpwuid(getuid());
	return subid_range(file, id, pw ? pw->pw_name : NULL, start, count) == 0;
}

/* Writes the child's uid and gid maps: the subordinate ranges through
 * newuidmap/newgidmap where there are some, else the caller's own ids
 * alone (setgroups denied first, as the kernel asks of an unprivileged
 * writer).  0 or -errno with why. */
static int write_maps(pid_t pid, char *why, size_t whysize)
{
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
	unsigned long start, count;
	char map[64];
	int e = -1;
	if (want_range("/etc/subuid", uid, &start, &count))
		e = run_idmap_tool("newuidmap", pid, uid, start, count);
	if (e < 0) {
		snprintf(map, sizeof map, "0 %u 1\n", uid);
		if ((e = write_proc(pid, "uid_map", map)) < 0) {
			snprintf(why, whysize, "cannot write the sandbox's uid map: %s",
				 strerror(-e));
			return e;
		}
	}
	e = -1;
	if (want_range("/etc/subgid", gid, &start, &count))
		e = run_idmap_tool("newgidmap", pid, gid, start, count);
	if (e < 0) {
		snprintf(map, sizeof map, "0 %u 1\n", gid);
		/* (setgroups may be "deny" already; only the gid map matters) */
		write_proc(pid, "setgroups", "deny");
		if ((e = write_proc(pid, "gid_map", map)) < 0) {
			snprintf(why, whysize, "cannot write the sandbox's gid map: %s",
				 strerror(-e));
			return e;
		}
	}
	return 0;
}

/* --- starting the sandbox ------------------------------------------------------------- */

static pid_t clone_flags(unsigned long flags)
{
	return (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
}

/* The kernel refuses a namespace to this caller (as opposed to running
 * out of memory or processes). */
static bool refused(int e)
{
	return e == EPERM || e == EINVAL || e == ENOSPC || e == EUSERS || e == EACCES;
}

static pid_t fork_in_userns(char *warn, size_t warnsize)
{
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) < 0)
		return -errno;
	/* A mount namespace of the user namespace's own too: the gofer's and
	 * the sentry's confinement (open_tree, pivot_root) need CAP_SYS_ADMIN
	 * over the mount namespace they start from, which the host's is not. */
	pid_t pid = clone_flags(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS);
	if (pid == 0) {
		/* Nothing is ours to do before our ids exist: wait for them. */
		close(sync[1]);
		char c;
		ssize_t n;
		while ((n = read(sync[0], &c, 1)) < 0 && errno == EINTR)
			;
		if (n != 1)
			_exit(125);
		close(sync[0]);
		return 0;
	}
	int e = errno;
	close(sync[0]);
	if (pid < 0) {
		close(sync[1]);
		if (!refused(e))
			return -e;
		snprintf(warn, warnsize, "warning: no user namespace (%s): the sandbox runs "
			 "without namespaces of its own, as the calling user", strerror(e));
		pid = fork();
		return pid < 0 ? -errno : pid;
	}
	if ((e = write_maps(pid, warn, warnsize)) < 0) {
		close(sync[1]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return e;
	}
	ssize_t n;
	while ((n = write(sync[1], "1", 1)) < 0 && errno == EINTR)
		;
	close(sync[1]);
	return pid;
}

pid_t userns_fork_sandbox(bool rootless, char *warn, size_t warnsize)
{
	warn[0] = 0;
	if (rootless)
		return fork_in_userns(warn, warnsize);
	/* A new pid namespace when we may; plain fork otherwise. */
	pid_t pid = clone_flags(CLONE_NEWPID);
	if (pid < 0 && (errno == EPERM || errno == EINVAL)) {
		log_debug("no pid namespace (%s): falling back to fork", strerror(errno));
		pid = fork();
	}
	return pid < 0 ? -errno : pid;
}

int userns_unprivileged_port_start(void)
{
	int port = 1024;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	if (f) {
		if (fscanf(f, "%d", &port) != 1 || port < 0)
			port = 1024;
		fclose(f);
	}
	return port;
}
