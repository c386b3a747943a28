/* Scheduling: yield, policies and priorities (recorded, not applied: every
 * guest thread runs as SCHED_OTHER on the host), CPU affinity (applied to
 * the host threads that run and serve the task), getcpu, NUMA policies
 * (one node: accepted and reported as the default). */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

/* The task with that tid (0: the caller), referenced; NULL if none. */
static struct task *find_task_ref(struct task *t, pid_t pid)
{
	if (pid == 0) {
		task_get(t);
		return t;
	}
	pthread_mutex_lock(&t->k->lock);
	struct task *target = kernel_find_task(t->k, pid);
	if (target && target->state == TASK_EXITED)
		target = NULL;
	if (target)
		task_get(target);
	pthread_mutex_unlock(&t->k->lock);
	return target;
}

SYSCALL_DEFINE(sched_yield)
{
	sched_yield();
	return 0;
}

/* --- policies ------------------------------------------------------------------- */

static bool policy_valid(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_FIFO || policy == SCHED_RR ||
	       policy == SCHED_BATCH || policy == SCHED_IDLE;
}

static bool realtime(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

SYSCALL_DEFINE(sched_get_priority_max)
{
	int policy = (int)a0;
	if (!policy_valid(policy))
		return -EINVAL;
	return realtime(policy) ? 99 : 0;
}

SYSCALL_DEFINE(sched_get_priority_min)
{
	int policy = (int)a0;
	if (!policy_valid(policy))
		return -EINVAL;
	return realtime(policy) ? 1 : 0;
}

SYSCALL_DEFINE(sched_getscheduler)
{
	if ((pid_t)a0 < 0)
		return -EINVAL;
	struct task *target = find_task_ref(t, (pid_t)a0);
	if (!target)
		return -ESRCH;
	long r = target->sched_policy;
	task_put(target);
	return r;
}

SYSCALL_DEFINE(sched_getparam)
{
	if ((pid_t)a0 < 0 || !a1)
		return -EINVAL;
	struct task *target = find_task_ref(t, (pid_t)a0);
	if (!target)
		return -ESRCH;
	struct sched_param sp = { .sched_priority = target->sched_priority };
	task_put(target);
	return copy_to_user(t, a1, &sp, sizeof sp);
}

static long set_scheduler(struct task *t, pid_t pid, int policy, uint64_t uparam, bool keep)
{
	if (pid < 0 || !uparam)
		return -EINVAL;
	struct sched_param sp;
	if (copy_from_user(t, &sp, uparam, sizeof sp) < 0)
		return -EFAULT;
	struct task *target = find_task_ref(t, pid);
	if (!target)
		return -ESRCH;
	if (keep)
		policy = target->sched_policy;
	long r = 0;
	policy &= ~SCHED_RESET_ON_FORK;
	if (!policy_valid(policy))
		r = -EINVAL;
	else if (realtime(policy) ? sp.sched_priority < 1 || sp.sched_priority > 99
				  : sp.sched_priority != 0)
		r = -EINVAL;
	else if (realtime(policy) && !cred_capable(&t->tg->cred, CAP_SYS_NICE))
		r = -EPERM;
	if (r == 0) {
		target->sched_policy = policy;
		target->sched_priority = sp.sched_priority;
	}
	task_put(target);
	return r;
}

SYSCALL_DEFINE(sched_setscheduler)
{
	return set_scheduler(t, (pid_t)a0, (int)a1, a2, false);
}

SYSCALL_DEFINE(sched_setparam)
{
	return set_scheduler(t, (pid_t)a0, 0, a1, true);
}

SYSCALL_DEFINE(sched_rr_get_interval)
{
	if ((pid_t)a0 < 0)
		return -EINVAL;
	struct task *target = find_task_ref(t, (pid_t)a0);
	if (!target)
		return -ESRCH;
	bool rr = target->sched_policy == SCHED_RR;
	task_put(target);
	/* SCHED_RR's quantum; 0 for the others, as CFS answers. */
	struct timespec ts = { 0, rr ? 100000000L : 0 };
	return copy_to_user(t, a1, &ts, sizeof ts);
}

/* --- affinity ---------------------------------------------------------------------- */

/* The kernel's cpumask size in bytes (what sched_getaffinity returns). */
#define CPUMASK_BYTES 8

SYSCALL_DEFINE(sched_getaffinity)
{
	size_t len = (size_t)a1;
	if (len < CPUMASK_BYTES || (len & (sizeof(long) - 1)))
		return -EINVAL;
	struct task *target = find_task_ref(t, (pid_t)a0);
	if (!target)
		return -ESRCH;
	cpu_set_t set = target->affinity;
	task_put(target);
	if (copy_to_user(t, a2, &set, CPUMASK_BYTES) < 0)
		return -EFAULT;
	return CPUMASK_BYTES;
}

SYSCALL_DEFINE(sched_setaffinity)
{
	size_t len = (size_t)a1;
	cpu_set_t want;
	CPU_ZERO(&want);
	if (copy_from_user(t, &want, a2, len < sizeof want ? len : sizeof want) < 0)
		return -EFAULT;
	/* Only CPUs the sandbox may use count. */
	CPU_AND(&want, &want, &t->k->cpus);
	if (CPU_COUNT(&want) == 0)
		return -EINVAL;
	struct task *target = find_task_ref(t, (pid_t)a0);
	if (!target)
		return -ESRCH;
	long r = 0;
	pthread_mutex_lock(&t->k->lock);
	/* The host thread that runs the guest code (getcpu in the vDSO reads
	 * where it runs) and the sentry thread that serves it. */
	if (target->ctx &&
	    sched_setaffinity(target->platform->host_tid(target->ctx), sizeof want, &want) < 0)
		r = -errno;
	if (r == 0) {
		pthread_setaffinity_np(target->thread, sizeof want, &want);
		target->affinity = want;
	}
	pthread_mutex_unlock(&t->k->lock);
	task_put(target);
	return r;
}

SYSCALL_DEFINE(getcpu)
{
	/* The serving thread shares the task's affinity, so the CPU it is on
	 * is one the task may run on (and the one, when pinned). */
	unsigned cpu = (unsigned)sched_getcpu(), node = 0;
	if (a0 && copy_to_user(t, a0, &cpu, sizeof cpu) < 0)
		return -EFAULT;
	if (a1 && copy_to_user(t, a1, &node, sizeof node) < 0)
		return -EFAULT;
	return 0;
}

/* --- NUMA: one node ------------------------------------------------------------------ */

#define MPOL_DEFAULT_ 0
#define MPOL_MAX_     7
#define MPOL_F_NODE_  1
#define MPOL_F_ADDR_  2
#define MPOL_F_MEMS_ALLOWED_ 4

SYSCALL_DEFINE(get_mempolicy)
{
	unsigned long flags = (unsigned long)a4;
	if (flags & ~(unsigned long)(MPOL_F_NODE_ | MPOL_F_ADDR_ | MPOL_F_MEMS_ALLOWED_))
		return -EINVAL;
	if ((flags & MPOL_F_MEMS_ALLOWED_) && (flags & (MPOL_F_NODE_ | MPOL_F_ADDR_)))
		return -EINVAL;
	if ((flags & MPOL_F_ADDR_) && !mm_access_ok(t, a3, 1, 0))
		return -EFAULT;
	int mode = MPOL_DEFAULT_;
	if (a0 && copy_to_user(t, a0, &mode, sizeof mode) < 0)
		return -EFAULT;
	if (a1 && a2) {
		/* node 0 allowed/used, in a mask of maxnode bits */
		unsigned long mask = (flags & MPOL_F_MEMS_ALLOWED_) ? 1 : 0;
		if (copy_to_user(t, a1, &mask, sizeof mask) < 0)
			return -EFAULT;
	}
	return 0;
}

SYSCALL_DEFINE(set_mempolicy)
{
	int mode = (int)a0 & 0xffff;
	if (mode < 0 || mode > MPOL_MAX_)
		return -EINVAL;
	return 0;
}

SYSCALL_DEFINE(mbind)
{
	if (a0 & (PAGE_SIZE - 1))
		return -EINVAL;
	int mode = (int)a2 & 0xffff;
	if (mode < 0 || mode > MPOL_MAX_)
		return -EINVAL;
	return 0;
}
