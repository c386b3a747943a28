/* --preserve-fds (common/fds.c): the count parsed and bounded; the fds
 * moved to close-on-exec copies at FDS_PRESERVE_MIN and above, in order,
 * the originals closed, and with close_others every other fd above 2. */
#include "common/fds.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

/* The fd tests run in a child with only fds 0-2 (criterion's own fds,
 * above 2, are not theirs to move or close); it exits with the line of
 * the first check that failed, 0 if none. */
#define CHECK(cond) do { if (!(cond)) _exit(__LINE__ % 250 + 1); } while (0)

static void in_child(void (*body)(void))
{
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		close_range(3, ~0u, 0);
		body();
		_exit(0);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(WIFEXITED(st), "the child died");
	cr_assert_eq(WEXITSTATUS(st), 0, "the check at line %d (mod 250) failed",
		     WEXITSTATUS(st) - 1);
}

Test(fds, parse_count)
{
	cr_assert_eq(fds_parse_count("0"), 0);
	cr_assert_eq(fds_parse_count("3"), 3);
	cr_assert_eq(fds_parse_count("64"), FDS_PRESERVE_MAX);
	cr_assert_eq(fds_parse_count("65"), -1);
	cr_assert_eq(fds_parse_count("-1"), -1);
	cr_assert_eq(fds_parse_count(""), -1);
	cr_assert_eq(fds_parse_count("2x"), -1);
	cr_assert_eq(fds_parse_count(NULL), -1);
}

static void moves_in_order(void)
{
	int p[2];
	CHECK(pipe(p) == 0 && p[0] == 3 && p[1] == 4);
	CHECK(dup(0) == 5);                    /* a stray fd, not preserved */
	int out[2];
	CHECK(fds_preserve(2, out, true) == 0);
	CHECK(out[0] >= FDS_PRESERVE_MIN && out[1] > out[0]);
	CHECK(!is_open(3) && !is_open(4));     /* the originals are closed */
	CHECK(!is_open(5));                    /* close_others: the stray fd too */
	CHECK((fcntl(out[0], F_GETFD) & FD_CLOEXEC) == FD_CLOEXEC);
	/* out[1] is the pipe's write end, out[0] its read end. */
	char c;
	CHECK(write(out[1], "x", 1) == 1 && read(out[0], &c, 1) == 1 && c == 'x');
}

Test(fds, moves_in_order)
{
	in_child(moves_in_order);
}

static void keeps_others(void)
{
	CHECK(dup(0) == 3 && dup(0) == 4);
	int out[1];
	CHECK(fds_preserve(1, out, false) == 0);
	CHECK(!is_open(3));
	CHECK(is_open(4));                     /* not the preserved fds' to close */
}

Test(fds, keeps_others_without_close_others)
{
	in_child(keeps_others);
}

static void refuses(void)
{
	int out[FDS_PRESERVE_MAX];
	CHECK(dup(0) == 3);
	CHECK(fds_preserve(2, out, true) == -EBADF);   /* fd 4 is not open */
	CHECK(is_open(3));                             /* nothing touched */
	CHECK(fds_preserve(FDS_PRESERVE_MAX + 1, out, true) == -EINVAL);
	CHECK(fds_preserve(0, out, true) == 0);
	CHECK(!is_open(3));                    /* n = 0, close_others: all above 2 */
}

Test(fds, refuses_closed_or_too_many)
{
	in_child(refuses);
}
