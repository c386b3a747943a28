/* Process timers: the interval timers (setitimer, alarm) and the POSIX
 * timers (timer_create...) of a thread group, on top of the timer service
 * (kernel/time/itimer.c, posix-timers.c and posix-cpu-timers.c are the
 * reference).
 *
 * Wall-clock timers are ktimers whose callbacks queue the signal.  CPU-time
 * timers (ITIMER_VIRTUAL, ITIMER_PROF, timers on CPU clocks) are checked by
 * a sampler ktimer every CPU_SAMPLE_NS while any is armed, against the CPU
 * time rusage.c accounts (the host CPU time of the stubs).  Each CPU timer
 * keeps the CPU time it has left and the clock value it last saw, so that
 * a clock that went back could never fire a timer early.
 *
 * Locking: tg_timers.mutex serialises the syscalls (settings, creation,
 * deletion) and is never taken by a callback, so a syscall may wait for a
 * callback while holding it.  What callbacks touch (CPU timers, overrun
 * counts, the list of POSIX timers) is under k->lock; the list changes
 * under both.  Lock order: tg_timers.mutex, then k->lock or the service.
 *
 * Overruns: a timer queues at most one signal at a time.  An expiry that
 * finds its signal still queued adds to the queued siginfo's si_overrun; one
 * that finds it gone knows it was delivered and keeps its overrun count for
 * timer_getoverrun.  A new setting or deleting the timer discards a signal
 * still queued (as Linux does since 6.13).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "common/log.h"
#include "sentry/kernel/internal.h"

#define NSEC_PER_SEC  1000000000LL
#define NSEC_PER_USEC 1000LL
/* Linux's TICK_NSEC (HZ=250): a CPU itimer starts one tick late. */
#define TICK_NS       4000000LL
/* How often armed CPU-time timers are checked. */
#define CPU_SAMPLE_NS 4000000LL
/* POSIX timers per process (Linux's limit is RLIMIT_SIGPENDING). */
#define MAX_POSIX_TIMERS 4096

/* Clock ids of CPU clocks (include/linux/posix-timers.h). */
#define CPUCLOCK_PERTHREAD_MASK 4
#define CPUCLOCK_CLOCK_MASK     3
#define CPUCLOCK_PID(clock)     ((pid_t) ~((clock) >> 3))

#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif
#ifndef CLOCK_REALTIME_ALARM
#define CLOCK_REALTIME_ALARM 8
#define CLOCK_BOOTTIME_ALARM 9
#endif

struct cpu_timer {
	bool armed;
	int64_t left;                  /* CPU time to the expiry */
	int64_t interval;
	int64_t last;                  /* the clock when last looked at */
};

struct posix_timer {
	struct list_head node;         /* tg_timers.posix */
	struct tg_timers *owner;
	int id;
	clockid_t clock;               /* wall clocks */
	bool cpu;                      /* on a CPU clock: the sampler's */
	pid_t cpu_tid;                 /* ...of this thread (0: the process) */
	int notify;                    /* SIGEV_SIGNAL or SIGEV_NONE */
	pid_t target;                  /* SIGEV_THREAD_ID: the thread; 0: the process */
	int signo;
	uint64_t value;
	struct ktimer kt;              /* wall clocks */
	struct cpu_timer ct;           /* CPU clocks (k->lock) */
	/* k->lock: */
	bool queued;                   /* its signal was queued and maybe still is */
	int overrun;                   /* of the queued signal */
	int overrun_last;              /* of the last delivered one */
};

struct tg_timers {
	pthread_mutex_t mutex;
	struct kernel *k;
	struct thread_group *tg;
	struct ktimer real;            /* ITIMER_REAL */
	struct cpu_timer virt, prof;   /* k->lock */
	struct list_head posix;
	int next_id, count;
	struct ktimer sampler;
	bool sampling;                 /* k->lock: the sampler is (being) armed */
};

/* --- nanoseconds ------------------------------------------------------------------ */

static int64_t ns_of(struct timespec ts)
{
	if (ts.tv_sec >= INT64_MAX / NSEC_PER_SEC)
		return INT64_MAX;
	return ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

static struct timespec ts_of(int64_t ns)
{
	if (ns < 0)
		ns = 0;
	return (struct timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

static int64_t ns_sat_add(int64_t a, int64_t b)
{
	int64_t r;
	return __builtin_add_overflow(a, b, &r) ? INT64_MAX : r;
}

static bool ts_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && (unsigned long)ts->tv_nsec < NSEC_PER_SEC;
}

static bool its_valid(const struct itimerspec *its)
{
	return ts_valid(&its->it_value) && ts_valid(&its->it_interval);
}

static bool ts_zero(struct timespec ts)
{
	return ts.tv_sec == 0 && ts.tv_nsec == 0;
}

/* --- CPU clocks ----------------------------------------------------------------- */

/* CPU time as rusage.c accounts it (k->lock held): user and system time,
 * or user time only (ITIMER_VIRTUAL). */
static int64_t thread_cpu_ns_locked(struct task *t)
{
	struct timespec user, sys;
	task_cputime_locked(t, &user, &sys);
	return ns_of(ts_add(user, sys));
}

static int64_t process_cpu_ns_locked(struct thread_group *tg, bool user_only)
{
	struct timespec user, sys;
	tg_cputime_locked(tg, &user, &sys);
	return ns_of(user_only ? user : ts_add(user, sys));
}

static struct task *thread_of_locked(struct thread_group *tg, pid_t tid)
{
	struct task *o = kernel_find_task(tg->k, tid);
	return o && o->tg == tg && o->state != TASK_EXITED ? o : NULL;
}

/* Which CPU clock a clock id names, for a caller in tg: *tid is the thread
 * (0: the whole process).  -EINVAL if it is no CPU clock of tg. */
static int cpu_clock_target(struct task *t, clockid_t clock, pid_t *tid)
{
	if (clock == CLOCK_PROCESS_CPUTIME_ID) {
		*tid = 0;
		return 0;
	}
	if (clock == CLOCK_THREAD_CPUTIME_ID) {
		*tid = t->tid;
		return 0;
	}
	if (clock >= 0 || (clock & CPUCLOCK_CLOCK_MASK) == CPUCLOCK_CLOCK_MASK)
		return -EINVAL;
	pid_t pid = CPUCLOCK_PID(clock);
	int err = 0;
	pthread_mutex_lock(&t->k->lock);
	if (clock & CPUCLOCK_PERTHREAD_MASK) {
		*tid = pid == 0 ? t->tid : pid;
		if (!thread_of_locked(t->tg, *tid))
			err = -EINVAL;
	} else {
		/* Other processes' clocks are not offered (yet). */
		*tid = 0;
		if (pid != 0 && pid != t->tg->tgid)
			err = -EINVAL;
	}
	pthread_mutex_unlock(&t->k->lock);
	return err;
}

static int64_t cpu_sample_locked(struct thread_group *tg, pid_t tid)
{
	if (!tid)
		return process_cpu_ns_locked(tg, false);
	struct task *o = thread_of_locked(tg, tid);
	return o ? thread_cpu_ns_locked(o) : -1;
}

int task_cpu_clock(struct task *t, clockid_t clock, struct timespec *ts)
{
	pid_t tid;
	int err = cpu_clock_target(t, clock, &tid);
	if (err < 0)
		return err;
	pthread_mutex_lock(&t->k->lock);
	int64_t ns = cpu_sample_locked(t->tg, tid);
	pthread_mutex_unlock(&t->k->lock);
	*ts = ts_of(ns);
	return ns < 0 ? -EINVAL : 0;
}

/* --- CPU timers (k->lock) ------------------------------------------------------ */

/* Counts the CPU time used since the last look.  rusage.c's clocks never
 * go back; if one did, a thread's is taken to have started again and a
 * process's to have lost a thread, so that nothing fires early. */
static void cpu_account(struct cpu_timer *ct, int64_t sample, bool thread)
{
	if (!ct->armed || sample < 0)
		return;
	int64_t delta = sample - ct->last;
	if (delta < 0)
		delta = thread ? sample : 0;
	ct->last = sample;
	ct->left -= delta;
}

/* Expirations now due (0 if none); a periodic timer moves on. */
static uint64_t cpu_expire(struct cpu_timer *ct)
{
	if (!ct->armed || ct->left > 0)
		return 0;
	if (ct->interval <= 0) {
		ct->armed = false;
		ct->left = 0;
		return 1;
	}
	/* n periods bring left back above 0: n * interval <= interval - left. */
	uint64_t n = 1 + (uint64_t)(-ct->left / ct->interval);
	ct->left += ct->interval * (int64_t)n;
	return n;
}

static void cpu_set(struct cpu_timer *ct, int64_t sample, int64_t value, int64_t interval)
{
	ct->armed = value > 0;
	ct->left = value;
	ct->interval = value > 0 ? interval : 0;
	ct->last = sample < 0 ? 0 : sample;
}

/* The setting as getitimer/timer_gettime report it; due is what a timer
 * whose expiry has come but not been acted on reads as. */
static void cpu_report(struct cpu_timer *ct, int64_t sample, bool thread, int64_t due,
		       struct itimerspec *out)
{
	cpu_account(ct, sample, thread);
	int64_t left = 0;
	if (ct->armed)
		left = ct->left > 0 ? ct->left : due;
	out->it_value = ts_of(left);
	out->it_interval = ts_of(ct->interval);
}

/* --- the process's timer set ---------------------------------------------------- */

static void real_fn(struct ktimer *kt, uint64_t n);
static void sampler_fn(struct ktimer *kt, uint64_t n);

static struct tg_timers *timers_of(struct task *t, bool create)
{
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->lock);
	struct tg_timers *tt = t->tg->timers;
	if (!tt && create && (tt = calloc(1, sizeof *tt))) {
		pthread_mutex_init(&tt->mutex, NULL);
		tt->k = k;
		tt->tg = t->tg;
		ktimer_init(&tt->real, k, real_fn);
		ktimer_init(&tt->sampler, k, sampler_fn);
		list_init(&tt->posix);
		t->tg->timers = tt;
	}
	pthread_mutex_unlock(&k->lock);
	return tt;
}

/* SIGALRM, SIGVTALRM, SIGPROF come "from the kernel" (SEND_SIG_PRIV). */
static void itimer_signal_locked(struct thread_group *tg, int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = SI_KERNEL;
	send_signal_tg_locked(tg, sig, &si);
}

static void real_fn(struct ktimer *kt, uint64_t n)
{
	struct tg_timers *tt = container_of(kt, struct tg_timers, real);
	pthread_mutex_lock(&tt->k->lock);
	itimer_signal_locked(tt->tg, SIGALRM);
	pthread_mutex_unlock(&tt->k->lock);
}

static void ptimer_fire_locked(struct posix_timer *pt, uint64_t n);

static void sampler_fn(struct ktimer *kt, uint64_t n)
{
	struct tg_timers *tt = container_of(kt, struct tg_timers, sampler);
	struct thread_group *tg = tt->tg;
	pthread_mutex_lock(&tt->k->lock);
	int64_t proc = process_cpu_ns_locked(tg, false);
	cpu_account(&tt->virt, process_cpu_ns_locked(tg, true), false);
	if (cpu_expire(&tt->virt))
		itimer_signal_locked(tg, SIGVTALRM);
	cpu_account(&tt->prof, proc, false);
	if (cpu_expire(&tt->prof))
		itimer_signal_locked(tg, SIGPROF);
	bool any = tt->virt.armed || tt->prof.armed;
	struct posix_timer *pt;
	list_for_each_entry(pt, &tt->posix, node) {
		if (!pt->cpu || !pt->ct.armed)
			continue;
		cpu_account(&pt->ct, pt->cpu_tid ? cpu_sample_locked(tg, pt->cpu_tid) : proc,
			    pt->cpu_tid != 0);
		uint64_t due = cpu_expire(&pt->ct);
		if (due)
			ptimer_fire_locked(pt, due);
		any |= pt->ct.armed;
	}
	if (!any)
		tt->sampling = false;
	pthread_mutex_unlock(&tt->k->lock);
	if (!any)
		ktimer_cancel(kt);   /* our own: does not wait */
}

/* A CPU timer was armed: make sure the sampler runs (tt->mutex held). */
static void start_sampling(struct tg_timers *tt)
{
	pthread_mutex_lock(&tt->k->lock);
	bool start = !tt->sampling;
	tt->sampling = true;
	pthread_mutex_unlock(&tt->k->lock);
	if (!start)
		return;
	struct timespec period = ts_of(CPU_SAMPLE_NS);
	if (ktimer_arm(&tt->sampler, CLOCK_MONOTONIC, period, false, period) < 0) {
		pthread_mutex_lock(&tt->k->lock);
		tt->sampling = false;
		pthread_mutex_unlock(&tt->k->lock);
	}
}

/* --- interval timers ---------------------------------------------------------------- */

int itimer_get(struct task *t, int which, struct itimerspec *cur)
{
	if (which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	memset(cur, 0, sizeof *cur);
	struct tg_timers *tt = timers_of(t, false);
	if (!tt)
		return 0;
	pthread_mutex_lock(&tt->mutex);
	if (which == ITIMER_REAL) {
		/* A timer that is due but has not fired yet reads as 1 us. */
		if (ktimer_get(&tt->real, &cur->it_value, &cur->it_interval) &&
		    ns_of(cur->it_value) < NSEC_PER_USEC)
			cur->it_value = ts_of(NSEC_PER_USEC);
	} else {
		struct cpu_timer *ct = which == ITIMER_VIRTUAL ? &tt->virt : &tt->prof;
		pthread_mutex_lock(&t->k->lock);
		cpu_report(ct, process_cpu_ns_locked(t->tg, which == ITIMER_VIRTUAL), false,
			   TICK_NS, cur);
		pthread_mutex_unlock(&t->k->lock);
	}
	pthread_mutex_unlock(&tt->mutex);
	return 0;
}

int itimer_set(struct task *t, int which, const struct itimerspec *value,
	       struct itimerspec *old)
{
	if (!its_valid(value) || which < ITIMER_REAL || which > ITIMER_PROF)
		return -EINVAL;
	struct itimerspec dummy;
	if (!old)
		old = &dummy;
	memset(old, 0, sizeof *old);
	bool arm = !ts_zero(value->it_value);
	struct tg_timers *tt = timers_of(t, arm);
	if (!tt)
		return arm ? -ENOMEM : 0;
	int err = 0;
	pthread_mutex_lock(&tt->mutex);
	if (which == ITIMER_REAL) {
		if (ktimer_get(&tt->real, &old->it_value, &old->it_interval) &&
		    ns_of(old->it_value) < NSEC_PER_USEC)
			old->it_value = ts_of(NSEC_PER_USEC);
		if (arm)
			err = ktimer_arm(&tt->real, CLOCK_MONOTONIC, value->it_value, false,
					 value->it_interval);
		else
			ktimer_cancel(&tt->real);
	} else {
		struct cpu_timer *ct = which == ITIMER_VIRTUAL ? &tt->virt : &tt->prof;
		pthread_mutex_lock(&t->k->lock);
		int64_t now = process_cpu_ns_locked(t->tg, which == ITIMER_VIRTUAL);
		cpu_report(ct, now, false, TICK_NS, old);
		int64_t v = arm ? ns_sat_add(ns_of(value->it_value), TICK_NS) : 0;
		cpu_set(ct, now, v, ns_of(value->it_interval));
		pthread_mutex_unlock(&t->k->lock);
		if (arm)
			start_sampling(tt);
	}
	pthread_mutex_unlock(&tt->mutex);
	return err;
}

/* --- POSIX timers: signals ------------------------------------------------------------ */

static struct sigpending *ptimer_pending_locked(struct posix_timer *pt)
{
	struct thread_group *tg = pt->owner->tg;
	if (!pt->target)
		return &tg->shared_pending;
	struct task *o = thread_of_locked(tg, pt->target);
	return o ? &o->pending : NULL;
}

static struct ksiginfo *ptimer_find_signal_locked(struct posix_timer *pt)
{
	struct sigpending *p = ptimer_pending_locked(pt);
	if (!p)
		return NULL;
	struct ksiginfo *q;
	list_for_each_entry(q, &p->queue, node)
		if (q->info.si_signo == pt->signo && q->info.si_code == SI_TIMER &&
		    q->info.si_timerid == pt->id)
			return q;
	return NULL;
}

/* The timer's signal if it is still queued. */
static struct ksiginfo *ptimer_queued_locked(struct posix_timer *pt)
{
	if (!pt->queued)
		return NULL;
	struct ksiginfo *q = ptimer_find_signal_locked(pt);
	if (q)
		return q;
	/* Delivered (or dropped): its overrun is the last one. */
	pt->queued = false;
	pt->overrun_last = pt->overrun;
	return NULL;
}

/* Takes the timer's signal back out of its queue (a new setting, delete). */
static void ptimer_discard_locked(struct posix_timer *pt)
{
	struct ksiginfo *q = ptimer_queued_locked(pt);
	if (!q)
		return;
	struct sigpending *p = ptimer_pending_locked(pt);
	list_del(&q->node);
	ksiginfo_free(q);
	pt->queued = false;
	struct ksiginfo *o;
	list_for_each_entry(o, &p->queue, node)
		if (o->info.si_signo == pt->signo)
			return;
	p->mask &= ~SIGBIT(pt->signo);
}

static void ptimer_fire_locked(struct posix_timer *pt, uint64_t n)
{
	if (pt->notify == SIGEV_NONE)
		return;
	int extra = n - 1 > INT_MAX ? INT_MAX : (int)(n - 1);
	struct ksiginfo *q = ptimer_queued_locked(pt);
	if (q) {
		/* Still pending: one more overrun of the queued signal. */
		pt->overrun = pt->overrun > INT_MAX - 1 - extra ? INT_MAX : pt->overrun + 1 + extra;
		q->info.si_overrun = pt->overrun;
		return;
	}
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = pt->signo;
	si.si_code = SI_TIMER;
	si.si_timerid = pt->id;
	si.si_overrun = extra;
	si.si_value.sival_ptr = (void *)pt->value;
	pt->overrun = extra;
	struct thread_group *tg = pt->owner->tg;
	int err;
	if (pt->target) {
		struct task *o = thread_of_locked(tg, pt->target);
		if (!o)
			return;   /* the thread is gone: nobody to tell */
		err = send_signal_task_locked(o, pt->signo, &si);
	} else {
		err = send_signal_tg_locked(tg, pt->signo, &si);
	}
	/* An ignored signal, or one merged with a pending standard signal,
	 * is not ours to follow. */
	pt->queued = err == 0 && ptimer_find_signal_locked(pt) != NULL;
}

static void posix_fn(struct ktimer *kt, uint64_t n)
{
	struct posix_timer *pt = container_of(kt, struct posix_timer, kt);
	struct kernel *k = pt->owner->k;
	pthread_mutex_lock(&k->lock);
	ptimer_fire_locked(pt, n);
	pthread_mutex_unlock(&k->lock);
}

/* --- POSIX timers: the calls ------------------------------------------------------------ */

/* tt->mutex held. */
static struct posix_timer *ptimer_find(struct tg_timers *tt, int id)
{
	struct posix_timer *pt;
	list_for_each_entry(pt, &tt->posix, node)
		if (pt->id == id)
			return pt;
	return NULL;
}

/* Timer ids count up from 0, skipping ids in use, as Linux hands them out. */
static int ptimer_alloc_id(struct tg_timers *tt)
{
	for (;;) {
		int id = tt->next_id;
		tt->next_id = id == INT_MAX ? 0 : id + 1;
		if (!ptimer_find(tt, id))
			return id;
	}
}

enum { CLOCK_KIND_WALL, CLOCK_KIND_CPU, CLOCK_KIND_ALARM };

/* What kind of clock a timer may be created on, or -errno for clocks that
 * have no timers at all (checked before an id is given out). */
static int ptimer_clock_kind(clockid_t clock)
{
	switch (clock) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
	case CLOCK_TAI:
		return CLOCK_KIND_WALL;
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
		return -EOPNOTSUPP;
	case CLOCK_REALTIME_ALARM:
	case CLOCK_BOOTTIME_ALARM:
		return CLOCK_KIND_ALARM;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		return CLOCK_KIND_CPU;
	default:
		return clock < 0 ? CLOCK_KIND_CPU : -EINVAL;
	}
}

static int check_sigevent(struct task *t, const struct guest_sigevent *ev)
{
	switch (ev->notify) {
	case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
		pthread_mutex_lock(&t->k->lock);
		bool ours = thread_of_locked(t->tg, ev->tid) != NULL;
		pthread_mutex_unlock(&t->k->lock);
		if (!ours)
			return -EINVAL;
	}
		/* fallthrough */
	case SIGEV_SIGNAL:
	case SIGEV_THREAD:
		if (ev->signo <= 0 || ev->signo > GUEST_NSIG)
			return -EINVAL;
		return 0;
	case SIGEV_NONE:
		return 0;
	default:
		return -EINVAL;
	}
}

/* Gives out the next id (tt->count counts it from now on). */
static int ptimer_reserve_id(struct tg_timers *tt)
{
	pthread_mutex_lock(&tt->mutex);
	int id = -EAGAIN;
	if (tt->count < MAX_POSIX_TIMERS) {
		id = ptimer_alloc_id(tt);
		tt->count++;
	}
	pthread_mutex_unlock(&tt->mutex);
	return id;
}

static void ptimer_unreserve_id(struct tg_timers *tt)
{
	pthread_mutex_lock(&tt->mutex);
	tt->count--;
	pthread_mutex_unlock(&tt->mutex);
}

int ptimer_create(struct task *t, clockid_t clock, const struct guest_sigevent *ev)
{
	int kind = ptimer_clock_kind(clock);
	if (kind < 0)
		return kind;
	struct tg_timers *tt = timers_of(t, true);
	struct posix_timer *pt = calloc(1, sizeof *pt);
	if (!tt || !pt) {
		free(pt);
		return -ENOMEM;
	}
	/* Linux gives the id out before it checks the rest: a failure below
	 * uses one up. */
	int id = ptimer_reserve_id(tt);
	if (id < 0) {
		free(pt);
		return id;
	}
	pid_t tid = 0;
	int err = ev ? check_sigevent(t, ev) : 0;
	if (err == 0 && kind == CLOCK_KIND_CPU)
		err = cpu_clock_target(t, clock, &tid);
	if (err == 0 && kind == CLOCK_KIND_ALARM)
		err = -EPERM;   /* the guest has no CAP_WAKE_ALARM */
	if (err < 0) {
		ptimer_unreserve_id(tt);
		free(pt);
		return err;
	}
	pt->id = id;
	pt->owner = tt;
	pt->clock = clock;
	pt->cpu = kind == CLOCK_KIND_CPU;
	pt->cpu_tid = tid;
	if (ev) {
		pt->notify = ev->notify == SIGEV_NONE ? SIGEV_NONE : SIGEV_SIGNAL;
		pt->target = ev->notify == (SIGEV_SIGNAL | SIGEV_THREAD_ID) ? ev->tid : 0;
		pt->signo = ev->signo;
		pt->value = ev->value;
	} else {
		pt->notify = SIGEV_SIGNAL;
		pt->signo = SIGALRM;
	}
	/* A SIGEV_NONE timer is passive: its setting is only read back. */
	ktimer_init(&pt->kt, t->k, pt->notify == SIGEV_NONE ? NULL : posix_fn);

	if (!ev)
		pt->value = (uint64_t)pt->id;
	pthread_mutex_lock(&tt->mutex);
	pthread_mutex_lock(&t->k->lock);
	list_add_tail(&pt->node, &tt->posix);
	pthread_mutex_unlock(&t->k->lock);
	pthread_mutex_unlock(&tt->mutex);
	return pt->id;
}

/* tt->mutex held. */
static void ptimer_read(struct task *t, struct posix_timer *pt, struct itimerspec *cur)
{
	memset(cur, 0, sizeof *cur);
	if (!pt->cpu) {
		ktimer_get(&pt->kt, &cur->it_value, &cur->it_interval);
		return;
	}
	pthread_mutex_lock(&t->k->lock);
	cpu_report(&pt->ct, cpu_sample_locked(pt->owner->tg, pt->cpu_tid), pt->cpu_tid != 0, 1,
		   cur);
	pthread_mutex_unlock(&t->k->lock);
}

/* Looks the timer up and returns with tt->mutex held, or NULL. */
static struct posix_timer *ptimer_get_locked(struct task *t, int id, struct tg_timers **ttp)
{
	struct tg_timers *tt = timers_of(t, false);
	if (!tt || id < 0)
		return NULL;
	pthread_mutex_lock(&tt->mutex);
	struct posix_timer *pt = ptimer_find(tt, id);
	if (!pt) {
		pthread_mutex_unlock(&tt->mutex);
		return NULL;
	}
	*ttp = tt;
	return pt;
}

int ptimer_settime(struct task *t, int id, int flags, const struct itimerspec *value,
		   struct itimerspec *old)
{
	if (!its_valid(value))
		return -EINVAL;
	struct tg_timers *tt;
	struct posix_timer *pt = ptimer_get_locked(t, id, &tt);
	if (!pt)
		return -EINVAL;
	if (old)
		ptimer_read(t, pt, old);
	bool arm = !ts_zero(value->it_value);
	bool abs = flags & TIMER_ABSTIME;
	int err = 0;
	if (!pt->cpu)
		ktimer_cancel(&pt->kt);
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->lock);
	ptimer_discard_locked(pt);
	pt->overrun = pt->overrun_last = 0;
	if (pt->cpu) {
		int64_t now = cpu_sample_locked(tt->tg, pt->cpu_tid);
		int64_t v = ns_of(value->it_value);
		if (arm && abs) {
			int64_t base = now < 0 ? 0 : now;
			v = v > base ? v - base : 1;   /* already past: at the next look */
		}
		cpu_set(&pt->ct, now, arm ? v : 0, ns_of(value->it_interval));
	}
	pthread_mutex_unlock(&k->lock);
	if (arm && pt->cpu)
		start_sampling(tt);
	else if (arm)
		err = ktimer_arm(&pt->kt, pt->clock, value->it_value, abs, value->it_interval);
	pthread_mutex_unlock(&tt->mutex);
	return err;
}

int ptimer_gettime(struct task *t, int id, struct itimerspec *cur)
{
	struct tg_timers *tt;
	struct posix_timer *pt = ptimer_get_locked(t, id, &tt);
	if (!pt)
		return -EINVAL;
	ptimer_read(t, pt, cur);
	pthread_mutex_unlock(&tt->mutex);
	return 0;
}

int ptimer_getoverrun(struct task *t, int id)
{
	struct tg_timers *tt;
	struct posix_timer *pt = ptimer_get_locked(t, id, &tt);
	if (!pt)
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	ptimer_queued_locked(pt);   /* delivered since? then its overrun counts */
	int r = pt->overrun_last;
	pthread_mutex_unlock(&t->k->lock);
	pthread_mutex_unlock(&tt->mutex);
	return r;
}

/* Unlinks pt (tt->mutex held); the caller frees it with ptimer_free(). */
static void ptimer_unlink(struct kernel *k, struct tg_timers *tt, struct posix_timer *pt)
{
	pthread_mutex_lock(&k->lock);
	ptimer_discard_locked(pt);
	list_del(&pt->node);
	tt->count--;
	pthread_mutex_unlock(&k->lock);
}

static void ptimer_free(struct posix_timer *pt)
{
	if (!pt->cpu)
		ktimer_cancel(&pt->kt);   /* waits for a running expiry */
	free(pt);
}

int ptimer_delete(struct task *t, int id)
{
	struct tg_timers *tt;
	struct posix_timer *pt = ptimer_get_locked(t, id, &tt);
	if (!pt)
		return -EINVAL;
	ptimer_unlink(t->k, tt, pt);
	pthread_mutex_unlock(&tt->mutex);
	ptimer_free(pt);
	return 0;
}

/* --- lifetime ------------------------------------------------------------------------- */

void ptimers_exec(struct task *t)
{
	struct tg_timers *tt = timers_of(t, false);
	if (!tt)
		return;
	pthread_mutex_lock(&tt->mutex);
	struct posix_timer *pt, *tmp;
	list_for_each_entry_safe(pt, tmp, &tt->posix, node) {
		ptimer_unlink(t->k, tt, pt);
		ptimer_free(pt);
	}
	pthread_mutex_unlock(&tt->mutex);
}

void ptimers_exit(struct task *t)
{
	struct kernel *k = t->k;
	struct thread_group *tg = t->tg;
	pthread_mutex_lock(&k->lock);
	struct tg_timers *tt = tg->nr_threads == 0 ? tg->timers : NULL;
	if (tt)
		tg->timers = NULL;
	pthread_mutex_unlock(&k->lock);
	if (!tt)
		return;
	/* No thread is left to use them; callbacks may still be running. */
	ktimer_cancel(&tt->real);
	ktimer_cancel(&tt->sampler);
	struct posix_timer *pt, *tmp;
	list_for_each_entry_safe(pt, tmp, &tt->posix, node) {
		list_del(&pt->node);
		ptimer_free(pt);
	}
	pthread_mutex_destroy(&tt->mutex);
	free(tt);
}
