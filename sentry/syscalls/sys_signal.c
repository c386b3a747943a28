/* Signal syscalls. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"
#include "sentry/syscalls/syscalls.h"

#define KSIGSET_SIZE 8
#define SIG_KILL_STOP (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

SYSCALL_DEFINE(rt_sigaction)
{
	int sig = (int)a0;
	if (a3 != KSIGSET_SIZE)
		return -EINVAL;
	struct guest_sigaction act, old;
	if (a1 && copy_from_user(t, &act, a1, sizeof act) < 0)
		return -EFAULT;
	long r = task_sigaction(t, sig, a1 ? &act : NULL, &old);
	if (r == 0 && a2 && copy_to_user(t, a2, &old, sizeof old) < 0)
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE(rt_sigprocmask)
{
	int how = (int)a0;
	if (a3 != KSIGSET_SIZE)
		return -EINVAL;
	sigmask_t set, old;
	if (a1) {
		if (copy_from_user(t, &set, a1, sizeof set) < 0)
			return -EFAULT;
		if (how != SIG_BLOCK && how != SIG_UNBLOCK && how != SIG_SETMASK)
			return -EINVAL;
	}
	long r = task_sigprocmask(t, how, a1 ? &set : NULL, &old);
	if (r == 0 && a2 && copy_to_user(t, a2, &old, sizeof old) < 0)
		return -EFAULT;
	return r;
}

SYSCALL_DEFINE(rt_sigreturn)
{
	return task_sigreturn(t);
}

SYSCALL_DEFINE(rt_sigpending)
{
	if (a1 > KSIGSET_SIZE)
		return -EINVAL;
	sigmask_t set = task_sigpending(t);
	return copy_to_user(t, a0, &set, (size_t)a1);
}

SYSCALL_DEFINE(kill)
{
	return kill_pid(t, (pid_t)a0, (int)a1);
}

SYSCALL_DEFINE(tgkill)
{
	if ((pid_t)a0 <= 0)
		return -EINVAL;
	return kill_thread(t, (pid_t)a0, (pid_t)a1, (int)a2, NULL);
}

SYSCALL_DEFINE(tkill)
{
	return kill_thread(t, 0, (pid_t)a0, (int)a1, NULL);
}

/* A sender may only pick si_code for a signal to itself, or a negative one
 * other than SI_TKILL (as Linux checks: "itself" is the calling thread's
 * own id, not its process's). */
static long check_queue_info(struct task *t, pid_t target, siginfo_t *info, int sig)
{
	if ((info->si_code >= 0 || info->si_code == SI_TKILL) && target != t->tid)
		return -EPERM;
	info->si_signo = sig;
	return 0;
}

SYSCALL_DEFINE(rt_sigqueueinfo)
{
	siginfo_t info;
	if (copy_from_user(t, &info, a2, sizeof info) < 0)
		return -EFAULT;
	long r = check_queue_info(t, (pid_t)a0, &info, (int)a1);
	if (r < 0)
		return r;
	if ((pid_t)a0 <= 0)
		return -ESRCH;
	return kill_process_info(t, (pid_t)a0, (int)a1, &info);
}

SYSCALL_DEFINE(rt_tgsigqueueinfo)
{
	if ((pid_t)a0 <= 0 || (pid_t)a1 <= 0)
		return -EINVAL;
	siginfo_t info;
	if (copy_from_user(t, &info, a3, sizeof info) < 0)
		return -EFAULT;
	long r = check_queue_info(t, (pid_t)a1, &info, (int)a2);
	if (r < 0)
		return r;
	return kill_thread(t, (pid_t)a0, (pid_t)a1, (int)a2, &info);
}

SYSCALL_DEFINE(sigaltstack)
{
	uint64_t uss = a0, uoss = a1;
	struct user_regs_struct *r = t->platform->regs(t->ctx);
	pthread_mutex_lock(&t->k->lock);
	stack_t cur = t->altstack;
	pthread_mutex_unlock(&t->k->lock);
	uint64_t sp = r->rsp, base = (uint64_t)cur.ss_sp;
	bool on = !(cur.ss_flags & SS_DISABLE) && sp > base && sp - base <= cur.ss_size;
	if (uss) {
		stack_t ss;
		if (copy_from_user(t, &ss, uss, sizeof ss) < 0)
			return -EFAULT;
		if (on)
			return -EPERM;
		int mode = ss.ss_flags & ~SS_AUTODISARM;
		if (mode != 0 && mode != SS_DISABLE && mode != SS_ONSTACK)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			ss.ss_sp = NULL;
			ss.ss_size = 0;
			ss.ss_flags = SS_DISABLE;
		} else {
			if (ss.ss_size < (size_t)MINSIGSTKSZ)
				return -ENOMEM;
			ss.ss_flags &= SS_AUTODISARM;
		}
		pthread_mutex_lock(&t->k->lock);
		t->altstack = ss;
		pthread_mutex_unlock(&t->k->lock);
	}
	if (uoss) {
		stack_t o = cur;
		if (cur.ss_flags & SS_DISABLE) {
			o.ss_flags = SS_DISABLE;
		} else {
			o.ss_flags = (on ? SS_ONSTACK : 0) | (cur.ss_flags & SS_AUTODISARM);
		}
		if (copy_to_user(t, uoss, &o, sizeof o) < 0)
			return -EFAULT;
	}
	return 0;
}

/* Waits until a signal is delivered (with the mask already in place). */
static long wait_for_signal(struct task *t)
{
	while (task_block(t, NULL, NULL, 0) != -EINTR)
		;
	return -ERESTARTNOHAND;
}

SYSCALL_DEFINE(rt_sigsuspend)
{
	if (a1 != KSIGSET_SIZE)
		return -EINVAL;
	sigmask_t mask;
	if (copy_from_user(t, &mask, a0, sizeof mask) < 0)
		return -EFAULT;
	pthread_mutex_lock(&t->k->lock);
	t->saved_blocked = t->blocked;
	t->restore_blocked = true;
	t->blocked = mask & ~SIG_KILL_STOP;
	pthread_mutex_unlock(&t->k->lock);
	return wait_for_signal(t);
}

SYSCALL_DEFINE(pause)
{
	return wait_for_signal(t);
}

SYSCALL_DEFINE(rt_sigtimedwait)
{
	if (a3 != KSIGSET_SIZE)
		return -EINVAL;
	sigmask_t set;
	if (copy_from_user(t, &set, a0, sizeof set) < 0)
		return -EFAULT;
	set &= ~SIG_KILL_STOP;
	struct timespec deadline, *dl = NULL;
	if (a2) {
		struct timespec ts;
		if (copy_from_user(t, &ts, a2, sizeof ts) < 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
		deadline = ts_add(ts_now(CLOCK_MONOTONIC), ts);
		dl = &deadline;
	}
	siginfo_t info;
	int sig = task_dequeue_signal(t, set, &info);
	while (!sig) {
		if (dl && ts_cmp(*dl, ts_now(CLOCK_MONOTONIC)) <= 0)
			return -EAGAIN;
		/* Let the waited-for signals wake us while we sleep (Linux's
		 * real_blocked). */
		pthread_mutex_lock(&t->k->lock);
		sigmask_t saved = t->blocked;
		t->real_blocked = saved;
		t->blocked &= ~set;
		pthread_mutex_unlock(&t->k->lock);
		long err = task_block(t, dl, NULL, 0);
		sig = task_dequeue_signal(t, set, &info);
		pthread_mutex_lock(&t->k->lock);
		t->blocked = saved;
		t->real_blocked = 0;
		pthread_mutex_unlock(&t->k->lock);
		if (sig)
			break;
		if (err == -ETIMEDOUT)
			return -EAGAIN;
		if (err == -EINTR && task_signal_pending(t))
			return -EINTR;   /* another signal, to be handled */
		/* a stray wake-up: wait on */
	}
	if (a1 && copy_to_user(t, a1, &info, sizeof info) < 0)
		return -EFAULT;
	return sig;
}
