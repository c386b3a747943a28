/* Rootless runs (common/userns.c): the sandbox's first process in a user
 * namespace of its own, as 0 there, pid 1 of a new pid namespace, with
 * every capability there and the caller's ids on the host. */
#include "common/userns.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child: exits with the line of the first check that failed. */
#define CHECK(cond) do { if (!(cond)) _exit(__LINE__ % 250 + 1); } while (0)

static void wait_ok(pid_t pid)
{
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "the child died");
	cr_assert_eq(WEXITSTATUS(st), 0, "the check at line %d (mod 250) failed",
		     WEXITSTATUS(st) - 1);
}

/* The first line of /proc/self/FILE, fields squeezed: "0 1000 1". */
static void read_map(const char *file, char *out, size_t size)
{
	char path[64], raw[128] = "";
	snprintf(path, sizeof path, "/proc/self/%s", file);
	FILE *f = fopen(path, "re");
	if (f) {
		if (!fgets(raw, sizeof raw, f))
			raw[0] = 0;
		fclose(f);
	}
	unsigned long a = 0, b = 0, c = 0;
	sscanf(raw, "%lu %lu %lu", &a, &b, &c);
	snprintf(out, size, "%lu %lu %lu", a, b, c);
}

Test(userns, rootless_when_asked_or_not_root)
{
	cr_assert(userns_rootless(true));
	if (geteuid() != 0)
		cr_assert(userns_rootless(false));
}

Test(userns, child_is_root_of_its_own_namespaces)
{
	unsigned uid = (unsigned)geteuid(), gid = (unsigned)getegid();
	char warn[256];
	fflush(NULL);
	pid_t pid = userns_fork_sandbox(true, warn, sizeof warn);
	if (pid == 0) {
		CHECK(!warn[0]);
		CHECK(getpid() == 1);
		CHECK(getuid() == 0 && geteuid() == 0 && getgid() == 0);
		char map[64], want[64];
		read_map("uid_map", map, sizeof map);
		snprintf(want, sizeof want, "0 %u 1", uid);
		/* (a subordinate range adds a second line; the first is ours) */
		CHECK(strcmp(map, want) == 0);
		read_map("gid_map", map, sizeof map);
		snprintf(want, sizeof want, "0 %u 1", gid);
		CHECK(strcmp(map, want) == 0);
		/* Its own pid namespace's: a child of it is pid 2. */
		pid_t c = fork();
		if (c == 0)
			_exit(getpid() == 2 ? 0 : 1);
		int st;
		CHECK(c == 2 && waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
		_exit(0);
	}
	if (pid < 0 && warn[0])
		cr_skip_test("no user namespace here: %s", warn);
	cr_assert_gt(pid, 0, "%s", strerror((int)-pid));
	wait_ok(pid);
}

Test(userns, not_rootless_is_a_pid_namespace_or_a_fork)
{
	char warn[256];
	fflush(NULL);
	pid_t pid = userns_fork_sandbox(false, warn, sizeof warn);
	if (pid == 0) {
		CHECK(!warn[0]);
		CHECK(geteuid() != 0 || getpid() == 1);
		_exit(0);
	}
	cr_assert_gt(pid, 0);
	wait_ok(pid);
}

Test(userns, unprivileged_port_start_is_a_port)
{
	int p = userns_unprivileged_port_start();
	cr_assert(p >= 0 && p <= 65536, "%d", p);
}
