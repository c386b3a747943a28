/* Platform selection and the host vDSO layout shared by all platforms. */
#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"

extern const struct platform_ops ptrace_platform_ops;
extern const struct platform_ops systrap_platform_ops;

static struct platform_vdso host_vdso;

const struct platform_ops *platform_lookup(const char *name)
{
	if (strcmp(name, "ptrace") == 0)
		return &ptrace_platform_ops;
	if (strcmp(name, "systrap") == 0)
		return &systrap_platform_ops;
	return NULL;
}

const struct platform_vdso *platform_vdso(void)
{
	return &host_vdso;
}

/* Finds [vdso] and the [vvar...] pages of this process.  Stubs are forked
 * from the sentry, so they have them at the same addresses; they stay mapped
 * so that the guest can read the time without a syscall. */
int platform_vdso_probe(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	char line[512];
	memset(&host_vdso, 0, sizeof host_vdso);
	while (fgets(line, sizeof line, f)) {
		unsigned long start, end;
		char name[64] = "";
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %63s", &start, &end, name) < 2)
			continue;
		if (strcmp(name, "[vdso]") == 0) {
			host_vdso.vdso_start = start;
			host_vdso.vdso_end = end;
		} else if (strncmp(name, "[vvar", 5) == 0) {
			if (!host_vdso.vvar_start || start < host_vdso.vvar_start)
				host_vdso.vvar_start = start;
			if (end > host_vdso.vvar_end)
				host_vdso.vvar_end = end;
		}
	}
	fclose(f);
	/* The stub region must not collide with them. */
	if ((host_vdso.vdso_start < STUB_REGION_END && host_vdso.vdso_end > STUB_REGION_START) ||
	    (host_vdso.vvar_start < STUB_REGION_END && host_vdso.vvar_end > STUB_REGION_START))
		return -EADDRINUSE;
	return 0;
}

/* --- the stubs' OOM score ---------------------------------------------------------- */

/* Under a memory limit (a cgroup holding the whole sandbox) the host's OOM
 * killer picks the largest process.  What the guest makes the sentry hold
 * (pipe and socket buffers, files in memory) would make that the sentry, and
 * with it the whole sandbox would go; on Linux such kernel memory is never
 * the victim, a process is.  So stubs, the guest's processes, score 1000 and
 * go first.  The sentry raises its own score around the clone of a stub from
 * itself (the child keeps it; stubs cloned from stubs inherit it) and puts
 * it back, which an unprivileged process may do down to its starting value.
 * The lock keeps concurrent clones (ptrace: one per exec) from putting it
 * back under each other. */
static struct {
	pthread_mutex_t lock;
	int fd;          /* /proc/self/oom_score_adj, or -1 */
	char own[16];    /* the sentry's score, to go back to */
} stub_oom = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

void platform_stub_oom_open(void)
{
	int fd = open("/proc/self/oom_score_adj", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = pread(fd, stub_oom.own, sizeof stub_oom.own - 1, 0);
	if (n <= 0) {
		close(fd);
		return;
	}
	stub_oom.own[n] = '\0';
	stub_oom.fd = fd;
}

pid_t platform_clone_stub(void)
{
	pthread_mutex_lock(&stub_oom.lock);
	bool raised = stub_oom.fd >= 0 && pwrite(stub_oom.fd, "1000", 4, 0) == 4;
	pid_t pid = (pid_t)syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (pid == 0)
		return 0;   /* (the child's copy of the lock is never used) */
	int e = errno;
	if (raised && pwrite(stub_oom.fd, stub_oom.own, strlen(stub_oom.own), 0) < 0)
		log_warn("cannot put back the sentry's oom_score_adj: %s", strerror(errno));
	pthread_mutex_unlock(&stub_oom.lock);
	errno = e;
	return pid;
}
