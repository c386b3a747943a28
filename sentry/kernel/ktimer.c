/* The timer service: one thread per kernel that sleeps until the next
 * expiry and runs the expired timers' callbacks (kernel/time/hrtimer.c is
 * the model, with a thread instead of an interrupt).
 *
 * Armed timers sit in one queue sorted by the time they are to run.  The
 * thread takes the first due timer off the queue, puts a periodic one back
 * at its next period, and runs the callback with the lock dropped; `running`
 * names the timer whose callback runs, so that arming, cancelling or
 * destroying that timer from elsewhere can wait for it (or, for destroy,
 * leave the release to the thread).
 *
 * Times are int64 nanoseconds of CLOCK_MONOTONIC, saturated at INT64_MAX
 * ("never").  A timer armed at an absolute CLOCK_REALTIME time remembers
 * that time; while such timers exist the thread checks at least every
 * second whether the realtime clock moved against the monotonic one, and
 * converts them again when it did.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "sentry/kernel/kernel.h"

#define NSEC_PER_SEC 1000000000LL
/* A periodic timer runs at most this often; the expirations in between are
 * counted, not lost (a 1 ns period must not keep the thread spinning). */
#define MIN_RUN_GAP_NS 100000LL
/* While realtime timers exist, how often the realtime offset is checked,
 * and how far it may move before they are converted again. */
#define RT_CHECK_NS    NSEC_PER_SEC
#define RT_SLACK_NS    1000000LL

struct ktimer_base {
	pthread_mutex_t lock;
	pthread_cond_t wake;           /* the thread: the queue changed */
	pthread_cond_t done;           /* a callback returned */
	struct list_head queue;        /* armed timers by `when` */
	struct ktimer *running;        /* whose callback runs now */
	pthread_t thread;
	bool started;
	int nrealtime;                 /* armed realtime_abs timers */
	int64_t rt_offset;             /* CLOCK_REALTIME - CLOCK_MONOTONIC */
};

/* --- time in nanoseconds ------------------------------------------------------ */

static int64_t ns_add(int64_t a, int64_t b)
{
	int64_t r;
	if (__builtin_add_overflow(a, b, &r))
		return b > 0 ? INT64_MAX : INT64_MIN;
	return r;
}

static int64_t ns_mul(int64_t a, uint64_t n)
{
	int64_t r;
	if (n > INT64_MAX || __builtin_mul_overflow(a, (int64_t)n, &r))
		return INT64_MAX;
	return r;
}

static int64_t ts_to_ns(struct timespec ts)
{
	if (ts.tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	if (ts.tv_sec <= INT64_MIN / NSEC_PER_SEC)
		return INT64_MIN;
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static struct timespec ns_to_ts(int64_t ns)
{
	return (struct timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

static int64_t clock_ns(clockid_t clock)
{
	return ts_to_ns(ts_now(clock));
}

/* --- the queue ------------------------------------------------------------------- */

static void enqueue_locked(struct ktimer_base *b, struct ktimer *kt)
{
	struct ktimer *o;
	list_for_each_entry(o, &b->queue, node) {
		if (o->when > kt->when) {
			list_insert_between(&kt->node, o->node.prev, &o->node);
			return;
		}
	}
	list_add_tail(&kt->node, &b->queue);
}

static void disarm_locked(struct ktimer_base *b, struct ktimer *kt)
{
	if (!kt->armed)
		return;
	if (kt->fn)
		list_del(&kt->node);
	if (kt->realtime_abs)
		b->nrealtime--;
	kt->armed = false;
	kt->realtime_abs = false;
}

/* The realtime clock moved against the monotonic one (the host's time was
 * set): realtime timers get new monotonic expiries. */
static void rt_check_locked(struct ktimer_base *b)
{
	int64_t offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	int64_t moved = offset - b->rt_offset;
	if (moved > -RT_SLACK_NS && moved < RT_SLACK_NS)
		return;
	b->rt_offset = offset;
	struct list_head moving;
	list_init(&moving);
	struct ktimer *kt, *tmp;
	list_for_each_entry_safe(kt, tmp, &b->queue, node) {
		if (kt->realtime_abs) {
			list_del(&kt->node);
			list_add_tail(&kt->node, &moving);
		}
	}
	list_for_each_entry_safe(kt, tmp, &moving, node) {
		list_del(&kt->node);
		kt->expires = kt->when = ns_add(kt->rt_expires, -offset);
		enqueue_locked(b, kt);
	}
}

/* --- the thread ------------------------------------------------------------------- */

static void wait_until_locked(struct ktimer_base *b, int64_t until)
{
	if (until == INT64_MAX) {
		pthread_cond_wait(&b->wake, &b->lock);
		return;
	}
	struct timespec ts = ns_to_ts(until);
	pthread_cond_timedwait(&b->wake, &b->lock, &ts);
}

/* Takes the due timer kt off the queue (a periodic one goes back at its
 * next period) and returns how many expirations passed. */
static uint64_t expire_locked(struct ktimer_base *b, struct ktimer *kt, int64_t now)
{
	list_del(&kt->node);
	if (kt->interval <= 0) {
		kt->armed = false;
		if (kt->realtime_abs)
			b->nrealtime--;
		kt->realtime_abs = false;
		return 1;
	}
	uint64_t n = 1;
	if (now > kt->expires)
		n += (uint64_t)((now - kt->expires) / kt->interval);
	int64_t advance = ns_mul(kt->interval, n);
	kt->expires = ns_add(kt->expires, advance);
	if (kt->realtime_abs)
		kt->rt_expires = ns_add(kt->rt_expires, advance);
	kt->when = kt->expires;
	if (kt->when < now + MIN_RUN_GAP_NS)
		kt->when = now + MIN_RUN_GAP_NS;
	enqueue_locked(b, kt);
	return n;
}

static void *ktimer_thread(void *arg)
{
	struct ktimer_base *b = arg;
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);   /* host signals are for others */

	pthread_mutex_lock(&b->lock);
	for (;;) {
		if (b->nrealtime)
			rt_check_locked(b);
		int64_t now = clock_ns(CLOCK_MONOTONIC);
		struct ktimer *kt = list_empty(&b->queue) ? NULL
			: list_entry(b->queue.next, struct ktimer, node);
		if (!kt || kt->when > now) {
			int64_t until = kt ? kt->when : INT64_MAX;
			if (b->nrealtime && until > now + RT_CHECK_NS)
				until = now + RT_CHECK_NS;
			wait_until_locked(b, until);
			continue;
		}
		uint64_t n = expire_locked(b, kt, now);
		b->running = kt;
		pthread_mutex_unlock(&b->lock);
		kt->fn(kt, n);
		pthread_mutex_lock(&b->lock);
		b->running = NULL;
		pthread_cond_broadcast(&b->done);
		if (kt->release) {
			/* Destroyed while its callback ran: ours to release. */
			void (*release)(struct ktimer *) = kt->release;
			pthread_mutex_unlock(&b->lock);
			release(kt);
			pthread_mutex_lock(&b->lock);
		}
	}
	return NULL;
}

static int start_locked(struct ktimer_base *b)
{
	if (b->started)
		return 0;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 << 10);
	int err = pthread_create(&b->thread, &attr, ktimer_thread, b);
	pthread_attr_destroy(&attr);
	if (err) {
		log_warn("cannot start the timer thread: %s", strerror(err));
		return -err;
	}
	b->started = true;
	return 0;
}

static bool on_service_thread(struct ktimer_base *b)
{
	return b->started && pthread_equal(pthread_self(), b->thread);
}

/* Disarms kt and waits until its callback is not running (unless we are
 * that callback). */
static void cancel_sync_locked(struct ktimer_base *b, struct ktimer *kt)
{
	for (;;) {
		disarm_locked(b, kt);
		if (b->running != kt || on_service_thread(b))
			return;
		pthread_cond_wait(&b->done, &b->lock);
	}
}

/* --- the interface -------------------------------------------------------------------- */

int ktimer_base_new(struct kernel *k)
{
	struct ktimer_base *b = calloc(1, sizeof *b);
	if (!b)
		return -ENOMEM;
	pthread_mutex_init(&b->lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&b->done, NULL);
	list_init(&b->queue);
	b->rt_offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	k->timers = b;
	return 0;
}

void ktimer_init(struct ktimer *kt, struct kernel *k, void (*fn)(struct ktimer *kt, uint64_t n))
{
	*kt = (struct ktimer){ .base = k->timers, .fn = fn };
	list_init(&kt->node);
}

/* The monotonic time of value on clock (absolute), or value from now. */
static int64_t to_monotonic(clockid_t clock, int64_t value, bool abs, int64_t now)
{
	if (!abs)
		return ns_add(now, value);
	if (clock == CLOCK_MONOTONIC || clock == CLOCK_MONOTONIC_RAW ||
	    clock == CLOCK_MONOTONIC_COARSE)
		return value;
	/* REALTIME, BOOTTIME, TAI: by their current offset. */
	return ns_add(value, now - clock_ns(clock));
}

int ktimer_arm(struct ktimer *kt, clockid_t clock, struct timespec value, bool abs,
	       struct timespec interval)
{
	struct ktimer_base *b = kt->base;
	pthread_mutex_lock(&b->lock);
	cancel_sync_locked(b, kt);
	int err = kt->fn ? start_locked(b) : 0;
	if (err == 0) {
		int64_t now = clock_ns(CLOCK_MONOTONIC);
		int64_t v = ts_to_ns(value);
		kt->expires = kt->when = to_monotonic(clock, v, abs, now);
		kt->interval = ts_to_ns(interval);
		kt->realtime_abs = abs && (clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE);
		kt->rt_expires = v;
		kt->release = NULL;
		kt->armed = true;
		if (kt->realtime_abs)
			b->nrealtime++;
		if (kt->fn) {
			enqueue_locked(b, kt);
			pthread_cond_signal(&b->wake);
		}
	}
	pthread_mutex_unlock(&b->lock);
	return err;
}

void ktimer_cancel(struct ktimer *kt)
{
	struct ktimer_base *b = kt->base;
	pthread_mutex_lock(&b->lock);
	cancel_sync_locked(b, kt);
	pthread_mutex_unlock(&b->lock);
}

void ktimer_destroy(struct ktimer *kt, void (*release)(struct ktimer *kt))
{
	struct ktimer_base *b = kt->base;
	pthread_mutex_lock(&b->lock);
	disarm_locked(b, kt);
	bool later = b->running == kt && !on_service_thread(b);
	if (later)
		kt->release = release;
	pthread_mutex_unlock(&b->lock);
	if (!later)
		release(kt);
}

bool ktimer_get(struct ktimer *kt, struct timespec *left, struct timespec *interval)
{
	struct ktimer_base *b = kt->base;
	pthread_mutex_lock(&b->lock);
	int64_t now = clock_ns(CLOCK_MONOTONIC);
	int64_t rem = 0, period = 0;
	bool armed = kt->armed;
	if (armed) {
		period = kt->interval;
		rem = kt->expires - now;
		if (rem <= 0 && period > 0) {
			/* Periods the thread (or nobody, if passive) has not
			 * counted yet: the time to the next one. */
			rem = period - (now - kt->expires) % period;
		} else if (rem <= 0 && kt->fn) {
			rem = 1;   /* due, about to run */
		} else if (rem <= 0) {
			/* A passive one-shot timer that has expired. */
			disarm_locked(b, kt);
			armed = false;
			rem = 0;
			period = 0;
		}
	}
	pthread_mutex_unlock(&b->lock);
	*left = ns_to_ts(rem);
	*interval = ns_to_ts(period);
	return armed;
}
