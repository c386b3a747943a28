/* --preserve-fds (common/fds.h). */
#include "common/fds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int fds_parse_count(const char *s)
{
	char *end;
	long n = s && *s ? strtol(s, &end, 10) : -1;
	if (!s || !*s || *end || n < 0 || n > FDS_PRESERVE_MAX)
		return -1;
	return (int)n;
}

/* Closes the fds in [lo, hi] (hi < lo: none). */
static void close_between(int lo, int hi)
{
	if (hi >= lo)
		close_range((unsigned)lo, (unsigned)hi, 0);
}

int fds_preserve(int n, int *out, bool close_others)
{
	if (n < 0 || n > FDS_PRESERVE_MAX)
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (fcntl(3 + i, F_GETFD) < 0)
			return -EBADF;
	for (int i = 0; i < n; i++) {
		/* Each takes the lowest free number at MIN or above: ascending. */
		out[i] = fcntl(3 + i, F_DUPFD_CLOEXEC, FDS_PRESERVE_MIN);
		if (out[i] < 0) {
			int e = errno;
			for (int j = 0; j < i; j++)
				close(out[j]);
			return -e;
		}
	}
	if (!close_others) {
		close_between(3, 3 + n - 1);
		return 0;
	}
	int lo = 3;
	for (int i = 0; i < n; i++) {
		close_between(lo, out[i] - 1);
		lo = out[i] + 1;
	}
	close_range((unsigned)lo, ~0u, 0);
	return 0;
}
