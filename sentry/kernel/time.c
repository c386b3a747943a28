/* timespec arithmetic. */
#include <stdint.h>

#include "sentry/kernel/kernel.h"

struct timespec ts_now(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts;
}

struct timespec ts_add(struct timespec a, struct timespec b)
{
	/* Saturates: a huge guest timeout means "never". */
	if (b.tv_sec > 0 && a.tv_sec > INT64_MAX / 2 - b.tv_sec)
		return (struct timespec){ INT64_MAX / 2, 0 };
	struct timespec r = { a.tv_sec + b.tv_sec, a.tv_nsec + b.tv_nsec };
	if (r.tv_nsec >= 1000000000L) {
		r.tv_sec++;
		r.tv_nsec -= 1000000000L;
	}
	return r;
}

struct timespec ts_sub(struct timespec a, struct timespec b)
{
	struct timespec r = { a.tv_sec - b.tv_sec, a.tv_nsec - b.tv_nsec };
	if (r.tv_nsec < 0) {
		r.tv_sec--;
		r.tv_nsec += 1000000000L;
	}
	return r;
}

int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	if (a.tv_nsec != b.tv_nsec)
		return a.tv_nsec < b.tv_nsec ? -1 : 1;
	return 0;
}
