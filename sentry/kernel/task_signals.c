/* POSIX signals: sending, queueing, default actions, handler frames,
 * rt_sigreturn and syscall restart (kernel/signal.c and
 * arch/x86/kernel/signal.c are the reference). */
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "common/log.h"
#include "sentry/kernel/container.h"
#include "sentry/kernel/internal.h"
#include "sentry/mm/mm.h"

#define SIG_KILL_STOP (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
#define SYNC_SIGNALS  (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | \
		       SIGBIT(SIGFPE) | SIGBIT(SIGSYS))
#define STOP_SIGNALS  (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))
#define IGNORE_SIGNALS (SIGBIT(SIGCHLD) | SIGBIT(SIGURG) | SIGBIT(SIGWINCH) | SIGBIT(SIGCONT))

/* x86-64 signal frame, as the kernel lays it out. */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};

struct k_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	sigmask_t uc_sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;
	struct k_ucontext uc;
	siginfo_t info;
};

#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4
#define FPSTATE_SIZE         512
/* Flags the guest may change through a signal frame (the kernel's
 * FIX_EFLAGS): CF PF AF ZF SF TF DF OF NT RF AC ID. */
#define FIX_EFLAGS 0x254dd5UL

/* --- pending sets ---------------------------------------------------------- */

void sigpending_init(struct sigpending *p)
{
	p->mask = 0;
	list_init(&p->queue);
}

void sigpending_flush(struct sigpending *p)
{
	struct ksiginfo *q, *tmp;
	list_for_each_entry_safe(q, tmp, &p->queue, node) {
		list_del(&q->node);
		ksiginfo_free(q);
	}
	p->mask = 0;
}

static void sigpending_remove(struct sigpending *p, int sig)
{
	struct ksiginfo *q, *tmp;
	list_for_each_entry_safe(q, tmp, &p->queue, node) {
		if (q->info.si_signo == sig) {
			list_del(&q->node);
			ksiginfo_free(q);
		}
	}
	p->mask &= ~SIGBIT(sig);
}

/* Takes one instance of sig out of p into info. */
static void sigpending_take(struct sigpending *p, int sig, siginfo_t *info)
{
	struct ksiginfo *q, *found = NULL;
	bool more = false;
	list_for_each_entry(q, &p->queue, node) {
		if (q->info.si_signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		found = q;
	}
	if (found) {
		*info = found->info;
		list_del(&found->node);
		ksiginfo_free(found);
	} else {
		memset(info, 0, sizeof *info);
		info->si_signo = sig;
		info->si_code = SI_KERNEL;
	}
	if (!more)
		p->mask &= ~SIGBIT(sig);
}

bool sig_default_ignored(int sig)
{
	return sig < 32 && (IGNORE_SIGNALS & SIGBIT(sig));
}

static bool sig_default_stops(int sig)
{
	return sig < 32 && (STOP_SIGNALS & SIGBIT(sig));
}

static const struct guest_sigaction *action_of(struct thread_group *tg, int sig)
{
	return &tg->sighand->action[sig - 1];
}

static bool sig_ignored(struct thread_group *tg, int sig)
{
	const struct guest_sigaction *sa = action_of(tg, sig);
	if (sa->handler == (uint64_t)SIG_IGN)
		return true;
	return sa->handler == (uint64_t)SIG_DFL && sig_default_ignored(sig);
}

/* --- sending ----------------------------------------------------------------- */

/* Blocked, or waited for by sigtimedwait (which unblocks what it waits
 * for only while it waits: Linux's real_blocked). */
static bool task_blocks(struct task *t, int sig)
{
	return ((t->blocked | t->real_blocked) & SIGBIT(sig)) != 0;
}

static bool all_threads_block(struct thread_group *tg, int sig)
{
	struct task *t;
	list_for_each_entry(t, &tg->threads, tg_node)
		if (!task_blocks(t, sig))
			return false;
	return true;
}

/* Wakes the tasks of tg that could take sig now. */
void signal_wake_tg_locked(struct thread_group *tg, int sig)
{
	struct task *t;
	bool done = false;
	list_for_each_entry(t, &tg->threads, tg_node) {
		if (sig == SIGKILL || !(t->blocked & SIGBIT(sig))) {
			task_interrupt(t);
			done = true;
			if (sig != SIGKILL)
				break;
		}
	}
	if (!done && sig == SIGCONT) {
		list_for_each_entry(t, &tg->threads, tg_node)
			task_wake(t);
	}
}

static void do_continue_locked(struct thread_group *tg)
{
	/* SIGCONT resumes a stopped process and discards pending stops. */
	struct task *t;
	list_for_each_entry(t, &tg->threads, tg_node)
		for (int s = 1; s < 32; s++)
			if (STOP_SIGNALS & SIGBIT(s))
				sigpending_remove(&t->pending, s);
	for (int s = 1; s < 32; s++)
		if (STOP_SIGNALS & SIGBIT(s))
			sigpending_remove(&tg->shared_pending, s);
	if (tg->stopped) {
		tg->stopped = false;
		tg->stop_report = false;
		tg->continue_report = true;
		if (tg->parent && tg->parent->state == TG_ALIVE) {
			const struct guest_sigaction *sa = action_of(tg->parent, SIGCHLD);
			if (!(sa->flags & SA_NOCLDSTOP)) {
				siginfo_t si = { .si_signo = SIGCHLD, .si_code = CLD_CONTINUED };
				si.si_pid = tg->tgid;
				si.si_uid = tg->cred.uid;
				si.si_status = SIGCONT;
				send_signal_tg_locked(tg->parent, SIGCHLD, &si);
			}
			waitq_wake(&tg->parent->child_wq, 0);
		}
		list_for_each_entry(t, &tg->threads, tg_node)
			task_wake(t);
	}
}

void ksiginfo_free(struct ksiginfo *q)
{
	if (q->charged)
		atomic_fetch_sub(&q->charged->count, 1);
	free(q);
}

static struct sigq_user *sigq_user_locked(struct kernel *k, uid_t uid)
{
	struct sigq_user *u;
	for (u = k->sigq_users; u; u = u->next)
		if (u->uid == uid)
			return u;
	u = calloc(1, sizeof *u);
	if (u) {
		u->uid = uid;
		u->next = k->sigq_users;
		k->sigq_users = u;
	}
	return u;
}

/* Queues sig with its information on p (k->lock held).  Past the receiving
 * user's RLIMIT_SIGPENDING a real-time signal from a process fails with
 * EAGAIN; a standard one is still marked pending, without its information,
 * as on Linux. */
static int queue_signal(struct thread_group *tg, struct sigpending *p, int sig,
			const siginfo_t *info)
{
	/* Standard signals do not queue: one pending instance is enough. */
	if (sig < SIGRTMIN && (p->mask & SIGBIT(sig)))
		return 0;
	bool override = sig < SIGRTMIN && (!info || info->si_code >= 0);
	struct sigq_user *u = sigq_user_locked(tg->k, tg->cred.uid);
	rlim_t limit = tg->rlim[RLIMIT_SIGPENDING].rlim_cur;
	bool over = u && limit != RLIM_INFINITY && (rlim_t)atomic_load(&u->count) >= limit;
	struct ksiginfo *q = !over || override ? calloc(1, sizeof *q) : NULL;
	if (!q) {
		if (sig >= SIGRTMIN && (!info || info->si_code != SI_USER))
			return -EAGAIN;
		p->mask |= SIGBIT(sig);
		return 0;
	}
	if (info) {
		q->info = *info;
	} else {
		q->info.si_code = SI_KERNEL;
	}
	q->info.si_signo = sig;
	if (u) {
		q->charged = u;
		atomic_fetch_add(&u->count, 1);
	}
	list_add_tail(&q->node, &p->queue);
	p->mask |= SIGBIT(sig);
	return 0;
}

/* Common part: checks what the target does with sig.  target_task is NULL
 * for a process-directed signal. */
static int send_locked(struct thread_group *tg, struct task *target_task, int sig,
		       const siginfo_t *info, bool forced)
{
	if (sig < 1 || sig > GUEST_NSIG)
		return -EINVAL;
	if (tg->state != TG_ALIVE || tg->group_exiting)
		return 0;
	if (sig == SIGCONT)
		do_continue_locked(tg);
	if (sig_default_stops(sig)) {
		/* A stop signal discards a pending SIGCONT. */
		struct task *t;
		list_for_each_entry(t, &tg->threads, tg_node)
			sigpending_remove(&t->pending, SIGCONT);
		sigpending_remove(&tg->shared_pending, SIGCONT);
	}
	const struct guest_sigaction *sa = action_of(tg, sig);
	bool blocked = target_task ? task_blocks(target_task, sig) : all_threads_block(tg, sig);
	/* A pid-namespace init only takes signals it has a handler for, SIGKILL
	 * included, unless the kernel forces a fault on it.  A blocked one is
	 * queued all the same (Linux's sig_ignored(): signalfd and sigwaitinfo
	 * may take it; delivery drops it if it is still SIG_DFL then).  A pod
	 * container's init with its own pid namespace is one too, but SIGKILL
	 * and SIGSTOP from outside the sandbox (the runtime's kill: SI_USER
	 * with no sender) come from an ancestor namespace and reach it. */
	bool ns_init = tg->is_init || container_ns_init_locked(tg);
	if (ns_init && !tg->is_init && (sig == SIGKILL || sig == SIGSTOP) && info &&
	    info->si_code == SI_USER && info->si_pid == 0)
		ns_init = false;
	if (ns_init && !forced && sa->handler == (uint64_t)SIG_DFL && !blocked)
		return 0;
	if (!forced && sig_ignored(tg, sig) && sig != SIGKILL && !blocked)
		return 0;
	if (sig == SIGKILL) {
		/* Nothing stops it: the whole process dies now. */
		if (!tg->group_exiting) {
			tg->group_exiting = true;
			tg->exit_code = SIGKILL;
			tg->stopped = false;
		}
		struct task *t;
		list_for_each_entry(t, &tg->threads, tg_node)
			task_interrupt(t);
		return 0;
	}
	int err = queue_signal(tg, target_task ? &target_task->pending : &tg->shared_pending, sig,
			       info);
	if (err < 0)
		return err;
	waitq_wake(&tg->signal_wq, 0);
	if (target_task) {
		if (!(target_task->blocked & SIGBIT(sig)))
			task_interrupt(target_task);
	} else {
		signal_wake_tg_locked(tg, sig);
	}
	return 0;
}

int send_signal_tg_locked(struct thread_group *tg, int sig, const siginfo_t *info)
{
	return send_locked(tg, NULL, sig, info, false);
}

int send_signal_task_locked(struct task *t, int sig, const siginfo_t *info)
{
	return send_locked(t->tg, t, sig, info, false);
}

void task_send_signal_self(struct task *t, int sig)
{
	siginfo_t si = { .si_signo = sig, .si_code = SI_USER };
	si.si_pid = t->tg->tgid;
	si.si_uid = t->tg->cred.uid;
	pthread_mutex_lock(&t->k->lock);
	send_signal_task_locked(t, sig, &si);
	pthread_mutex_unlock(&t->k->lock);
}

/* What the CPU reported for the fault, as the frame's sigcontext has it:
 * ptrace does not show the trap number or the page-fault error code, so
 * they are worked out from the signal, the address and the mapping there
 * (a write is only known when the page is readable but not writable). */
static void record_fault(struct task *t, const siginfo_t *info)
{
	int sig = info->si_signo;
	uint64_t addr = (uint64_t)info->si_addr;
	uint64_t rip = t->platform->regs(t->ctx)->rip;
	t->fault.sig = sig;
	t->fault.err = 0;
	t->fault.cr2 = 0;
	switch (sig) {
	case SIGILL:
		t->fault.trapno = 6;   /* #UD */
		break;
	case SIGTRAP:
		t->fault.trapno = info->si_code == TRAP_TRACE ? 1 : 3;   /* #DB, #BP */
		break;
	case SIGFPE:
		t->fault.trapno = info->si_code == FPE_INTDIV || info->si_code == FPE_INTOVF ? 0 : 19;
		break;
	case SIGSEGV:
	case SIGBUS:
		if (info->si_code == SI_KERNEL) {
			t->fault.trapno = 13;   /* #GP: no address */
			break;
		}
		t->fault.trapno = 14;   /* #PF */
		t->fault.cr2 = addr;
		t->fault.err = 4;       /* from user mode */
		if (info->si_code == SEGV_ACCERR)
			t->fault.err |= 1;   /* the page was there */
		if (addr == rip) {
			t->fault.err |= 0x10;   /* instruction fetch */
		} else {
			int prot = mm_prot_at(t->mm, addr);
			if (info->si_code == SEGV_ACCERR && prot >= 0 && (prot & PROT_READ) &&
			    !(prot & PROT_WRITE))
				t->fault.err |= 2;   /* a write */
		}
		break;
	default:
		t->fault.trapno = 0;
	}
}

void task_force_fault_signal(struct task *t, const siginfo_t *hostinfo)
{
	int sig = hostinfo->si_signo;
	if (sig < 1 || sig > GUEST_NSIG)
		sig = SIGSEGV;
	if (t->ctx && hostinfo->si_code > 0)
		record_fault(t, hostinfo);
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = sig;
	si.si_code = hostinfo->si_code;
	si.si_addr = hostinfo->si_addr;
	task_force_signal_info(t, &si);
}

void task_force_signal_info(struct task *t, const siginfo_t *info)
{
	int sig = info->si_signo;
	if (sig < 1 || sig > GUEST_NSIG)
		return;
	pthread_mutex_lock(&t->k->lock);
	struct guest_sigaction *sa = &t->tg->sighand->action[sig - 1];
	/* A signal that cannot be handled kills, whatever the mask says. */
	if ((t->blocked & SIGBIT(sig)) || sa->handler == (uint64_t)SIG_IGN) {
		sa->handler = (uint64_t)SIG_DFL;
		t->blocked &= ~SIGBIT(sig);
	}
	t->forced |= SIGBIT(sig);
	send_locked(t->tg, t, sig, info, true);
	pthread_mutex_unlock(&t->k->lock);
}

void task_force_fatal_signal(struct task *t, const siginfo_t *info)
{
	int sig = info->si_signo;
	if (sig < 1 || sig > GUEST_NSIG)
		return;
	pthread_mutex_lock(&t->k->lock);
	t->tg->sighand->action[sig - 1].handler = (uint64_t)SIG_DFL;
	pthread_mutex_unlock(&t->k->lock);
	task_force_fault_signal(t, info);
}

static int check_kill_permission(struct task *t, struct thread_group *target)
{
	const struct cred *c = &t->tg->cred, *tc = &target->cred;
	if (cred_capable(c, CAP_KILL))
		return 0;
	if (c->euid == tc->uid || c->euid == tc->suid || c->uid == tc->uid || c->uid == tc->suid)
		return 0;
	return -EPERM;
}

static void user_siginfo(struct task *t, int sig, int code, siginfo_t *si)
{
	memset(si, 0, sizeof *si);
	si->si_signo = sig;
	si->si_code = code;
	si->si_pid = t->tg->tgid;
	si->si_uid = t->tg->cred.uid;
}

static int kill_one_locked(struct task *t, struct thread_group *tg, int sig, const siginfo_t *si)
{
	int err = check_kill_permission(t, tg);
	if (err < 0 || sig == 0)
		return err;
	return send_signal_tg_locked(tg, sig, si);
}

int kill_pid(struct task *t, pid_t pid, int sig)
{
	siginfo_t si;
	user_siginfo(t, sig, SI_USER, &si);
	return kill_process_info(t, pid, sig, &si);
}

int kill_process_info(struct task *t, pid_t pid, int sig, const siginfo_t *si)
{
	if (sig < 0 || sig > GUEST_NSIG)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;   /* -pid is no pid (Linux's kill_something_info) */
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->lock);
	int err;
	if (pid > 0) {
		struct thread_group *tg = kernel_find_tg(k, pid);
		err = tg && tg->state == TG_ALIVE ? kill_one_locked(t, tg, sig, si) : -ESRCH;
		if (tg && tg->state == TG_ZOMBIE)
			err = 0;   /* a zombie exists; the signal is just lost */
	} else {
		/* A process group, or every process we may signal (-1). */
		pid_t pgid = pid == 0 ? t->tg->pgid : -pid;
		bool any = false, ok = false;
		err = -ESRCH;
		for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
			struct thread_group *tg = k->groups[i];
			if (!tg || tg->state != TG_ALIVE)
				continue;
			if (pid == -1 ? (tg == t->tg || tg->is_init) : tg->pgid != pgid)
				continue;
			any = true;
			int r = kill_one_locked(t, tg, sig, si);
			if (r == 0)
				ok = true;
			else
				err = r;
		}
		if (ok)
			err = 0;
		else if (!any)
			err = -ESRCH;
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

int kill_thread(struct task *t, pid_t tgid, pid_t tid, int sig, const siginfo_t *info)
{
	if (tid <= 0 || tgid < 0 || sig < 0 || sig > GUEST_NSIG)
		return -EINVAL;
	siginfo_t si;
	if (info)
		si = *info;
	else
		user_siginfo(t, sig, SI_TKILL, &si);
	struct kernel *k = t->k;
	pthread_mutex_lock(&k->lock);
	struct task *target = kernel_find_task(k, tid);
	int err = -ESRCH;
	if (target && target->state != TASK_EXITED && (tgid == 0 || target->tg->tgid == tgid)) {
		err = check_kill_permission(t, target->tg);
		if (err == 0 && sig != 0)
			err = send_signal_task_locked(target, sig, &si);
	}
	pthread_mutex_unlock(&k->lock);
	return err;
}

/* --- state queries -------------------------------------------------------------- */

static sigmask_t deliverable_locked(struct task *t)
{
	return (t->pending.mask | t->tg->shared_pending.mask) & ~t->blocked;
}

bool task_signal_pending(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	bool r = t->exiting || t->tg->group_exiting || deliverable_locked(t) != 0 ||
		 t->tg->stopped;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

sigmask_t task_sigpending(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	sigmask_t m = (t->pending.mask | t->tg->shared_pending.mask) & t->blocked;
	pthread_mutex_unlock(&t->k->lock);
	return m;
}

/* Takes the next signal in mask, as Linux's dequeue_signal: the thread's
 * own pending ones before the process's, and in each the synchronous
 * signals (faults) before the lowest-numbered.  k->lock held. */
static int dequeue_locked(struct task *t, sigmask_t mask, siginfo_t *info)
{
	struct sigpending *sets[2] = { &t->pending, &t->tg->shared_pending };
	for (int i = 0; i < 2; i++) {
		sigmask_t x = sets[i]->mask & mask;
		if (!x)
			continue;
		if (x & SYNC_SIGNALS)
			x &= SYNC_SIGNALS;
		int sig = __builtin_ctzll(x) + 1;
		sigpending_take(sets[i], sig, info);
		return sig;
	}
	return 0;
}

int task_dequeue_signal(struct task *t, sigmask_t set, siginfo_t *info)
{
	pthread_mutex_lock(&t->k->lock);
	int sig = dequeue_locked(t, set, info);
	pthread_mutex_unlock(&t->k->lock);
	return sig;
}

int task_sigaction(struct task *t, int sig, const struct guest_sigaction *act,
		   struct guest_sigaction *old)
{
	if (sig < 1 || sig > GUEST_NSIG)
		return -EINVAL;
	if (act && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	pthread_mutex_lock(&t->k->lock);
	struct guest_sigaction *sa = &t->tg->sighand->action[sig - 1];
	if (old)
		*old = *sa;
	if (act) {
		*sa = *act;
		sa->mask &= ~SIG_KILL_STOP;
		/* POSIX: setting a pending signal to ignored discards it. */
		if (sig_ignored(t->tg, sig)) {
			sigpending_remove(&t->tg->shared_pending, sig);
			struct task *o;
			list_for_each_entry(o, &t->tg->threads, tg_node)
				sigpending_remove(&o->pending, sig);
		}
	}
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}

int task_sigprocmask(struct task *t, int how, const sigmask_t *set, sigmask_t *old)
{
	pthread_mutex_lock(&t->k->lock);
	if (old)
		*old = t->blocked;
	int err = 0;
	if (set) {
		switch (how) {
		case SIG_BLOCK:
			t->blocked |= *set;
			break;
		case SIG_UNBLOCK:
			t->blocked &= ~*set;
			break;
		case SIG_SETMASK:
			t->blocked = *set;
			break;
		default:
			err = -EINVAL;
		}
		t->blocked &= ~SIG_KILL_STOP;
	}
	pthread_mutex_unlock(&t->k->lock);
	return err;
}

void signals_reset_for_exec(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	struct sighand *sh = t->tg->sighand;
	if (atomic_load(&sh->refcount) > 1) {
		/* Shared with a process we no longer belong to after exec. */
		struct sighand *copy = malloc(sizeof *copy);
		if (copy) {
			*copy = *sh;
			atomic_init(&copy->refcount, 1);
			atomic_fetch_sub(&sh->refcount, 1);
			t->tg->sighand = sh = copy;
		}
	}
	for (int i = 0; i < GUEST_NSIG; i++) {
		if (sh->action[i].handler != (uint64_t)SIG_IGN) {
			memset(&sh->action[i], 0, sizeof sh->action[i]);
		} else {
			sh->action[i].flags = 0;
			sh->action[i].mask = 0;
			sh->action[i].restorer = 0;
		}
	}
	t->altstack.ss_sp = NULL;
	t->altstack.ss_size = 0;
	t->altstack.ss_flags = SS_DISABLE;
	pthread_mutex_unlock(&t->k->lock);
}

/* --- syscall restart ------------------------------------------------------------ */

void task_set_syscall_result(struct task *t, long ret)
{
	if (t->platform->set_return)
		t->platform->set_return(t->ctx, (uint64_t)ret);
	else
		t->platform->regs(t->ctx)->rax = (uint64_t)ret;
	t->syscall_ret = ret;
	t->syscall_done = true;
}

static bool is_restart_code(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOINTR || ret == -ERESTARTNOHAND ||
	       ret == -ERESTART_RESTARTBLOCK;
}

/* Decides what an interrupted syscall returns, given whether a handler is
 * about to run (and with which flags). */
static void fix_syscall_restart(struct task *t, bool handler, uint64_t sa_flags)
{
	if (!t->syscall_done)
		return;
	t->syscall_done = false;
	long ret = t->syscall_ret;
	if (!is_restart_code(ret))
		return;
	struct user_regs_struct *r = t->platform->regs(t->ctx);
	bool restart;
	if (!handler)
		restart = true;
	else if (ret == -ERESTARTNOINTR)
		restart = true;
	else if (ret == -ERESTARTSYS)
		restart = sa_flags & SA_RESTART;
	else
		restart = false;
	if (restart) {
		/* A restart block resumes through restart_syscall(2) (with the
		 * time left, for a sleep); anything else runs again as it was. */
		bool block = ret == -ERESTART_RESTARTBLOCK && t->restart.fn;
		r->rax = block ? (uint64_t)SYS_restart_syscall : (uint64_t)t->syscall_nr;
		r->rip -= 2;   /* back onto the syscall instruction */
	} else {
		r->rax = (uint64_t)-EINTR;
		t->restart.fn = NULL;
	}
}

/* --- delivery ------------------------------------------------------------------ */

static bool on_altstack(struct task *t, uint64_t sp)
{
	uint64_t base = (uint64_t)t->altstack.ss_sp;
	return !(t->altstack.ss_flags & SS_DISABLE) && sp > base &&
	       sp - base <= t->altstack.ss_size;
}

/* Builds the frame for a handler and points the registers at it.  Returns
 * false if the frame could not be written (the caller kills with SIGSEGV). */
static bool setup_frame(struct task *t, int sig, const struct guest_sigaction *sa,
			const siginfo_t *info, sigmask_t saved_mask)
{
	struct user_regs_struct *r = t->platform->regs(t->ctx);
	if (!(sa->flags & SA_RESTORER))
		return false;   /* x86-64 has no default trampoline */
	uint64_t sp = r->rsp;
	struct k_stack saved_stack = {
		(uint64_t)t->altstack.ss_sp, t->altstack.ss_flags, 0, t->altstack.ss_size
	};
	if (on_altstack(t, sp))
		saved_stack.ss_flags = SS_ONSTACK;
	if ((sa->flags & SA_ONSTACK) && !(t->altstack.ss_flags & SS_DISABLE) && !on_altstack(t, sp)) {
		sp = (uint64_t)t->altstack.ss_sp + t->altstack.ss_size;
		if (t->altstack.ss_flags & SS_AUTODISARM) {
			t->altstack.ss_sp = NULL;
			t->altstack.ss_size = 0;
			t->altstack.ss_flags = SS_DISABLE;
		}
	} else {
		sp -= 128;   /* the red zone */
	}
	sp = (sp - FPSTATE_SIZE) & ~63UL;
	uint64_t fpstate = sp;
	sp -= sizeof(struct k_rt_sigframe);
	sp = (sp & ~15UL) - 8;   /* as if the handler had been called */

	struct user_fpregs_struct fp;
	if (t->platform->get_fpregs(t->ctx, &fp) < 0)
		return false;
	memset(fp.padding, 0, sizeof fp.padding);   /* no xstate follows */

	struct k_rt_sigframe frame;
	memset(&frame, 0, sizeof frame);
	frame.pretcode = sa->restorer;
	frame.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	frame.uc.uc_stack = saved_stack;
	struct k_sigcontext *sc = &frame.uc.uc_mcontext;
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip; sc->eflags = r->eflags;
	sc->cs = (uint16_t)r->cs;
	sc->ss = (uint16_t)r->ss;
	if (t->fault.sig == sig) {
		sc->trapno = (uint64_t)t->fault.trapno;
		sc->err = t->fault.err;
		sc->cr2 = t->fault.cr2;
		t->fault.sig = 0;
	}
	sc->oldmask = saved_mask;
	sc->fpstate = fpstate;
	frame.uc.uc_sigmask = saved_mask;
	frame.info = *info;

	if (copy_to_user(t, fpstate, &fp, sizeof fp) < 0 ||
	    copy_to_user(t, sp, &frame, sizeof frame) < 0)
		return false;

	r->rsp = sp;
	r->rip = sa->handler;
	r->rdi = (uint64_t)sig;
	r->rsi = sp + offsetof(struct k_rt_sigframe, info);
	r->rdx = sp + offsetof(struct k_rt_sigframe, uc);
	r->rax = 0;
	r->eflags &= ~(0x100UL | 0x400UL | 0x10000UL);   /* TF, DF, RF */
	r->orig_rax = (uint64_t)-1;
	return true;
}

long task_sigreturn(struct task *t)
{
	struct user_regs_struct *r = t->platform->regs(t->ctx);
	uint64_t frame_addr = r->rsp - 8;   /* the handler's ret popped pretcode */
	struct k_rt_sigframe frame;
	struct user_fpregs_struct fp;
	if (copy_from_user(t, &frame, frame_addr, sizeof frame) < 0)
		goto bad;
	const struct k_sigcontext *sc = &frame.uc.uc_mcontext;
	if (sc->fpstate) {
		if (copy_from_user(t, &fp, sc->fpstate, sizeof fp) < 0)
			goto bad;
		fp.mxcsr &= 0xffff;   /* reserved bits would make the host refuse it */
		if (t->platform->set_fpregs(t->ctx, &fp) < 0)
			goto bad;
	}
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	r->eflags = (r->eflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	r->orig_rax = (uint64_t)-1;   /* no restart of whatever rax says */

	pthread_mutex_lock(&t->k->lock);
	t->blocked = frame.uc.uc_sigmask & ~SIG_KILL_STOP;
	/* sigaltstack as saved in the frame (restore_altstack). */
	const struct k_stack *ss = &frame.uc.uc_stack;
	if (!on_altstack(t, r->rsp) && !(ss->ss_flags & ~(SS_DISABLE | SS_ONSTACK | SS_AUTODISARM))) {
		if (ss->ss_flags & SS_DISABLE) {
			t->altstack.ss_sp = NULL;
			t->altstack.ss_size = 0;
			t->altstack.ss_flags = SS_DISABLE;
		} else if (ss->ss_size >= (uint64_t)MINSIGSTKSZ) {
			t->altstack.ss_sp = (void *)ss->ss_sp;
			t->altstack.ss_size = ss->ss_size;
			t->altstack.ss_flags = ss->ss_flags & SS_AUTODISARM;
		}
	}
	pthread_mutex_unlock(&t->k->lock);
	t->syscall_nr = -1;   /* not a restartable syscall result */
	return (long)sc->rax;
bad:
	task_force_fault_signal(t, &(siginfo_t){ .si_signo = SIGSEGV, .si_code = SI_KERNEL });
	return (long)r->rax;
}

static int next_signal_locked(struct task *t, siginfo_t *info)
{
	return dequeue_locked(t, ~t->blocked, info);
}

/* A default action that stops: the whole process waits for SIGCONT. */
static void do_stop_locked(struct task *t, int sig)
{
	struct thread_group *tg = t->tg;
	if (!tg->stopped) {
		tg->stopped = true;
		tg->stop_signal = sig;
		tg->stop_report = true;
		tg->continue_report = false;
		/* Every thread stops, wherever it is. */
		struct task *o;
		list_for_each_entry(o, &tg->threads, tg_node)
			if (o != t)
				task_interrupt(o);
		if (tg->parent && tg->parent->state == TG_ALIVE) {
			const struct guest_sigaction *sa = action_of(tg->parent, SIGCHLD);
			if (!(sa->flags & SA_NOCLDSTOP)) {
				siginfo_t si = { .si_signo = SIGCHLD, .si_code = CLD_STOPPED };
				si.si_pid = tg->tgid;
				si.si_uid = tg->cred.uid;
				si.si_status = sig;
				send_signal_tg_locked(tg->parent, SIGCHLD, &si);
			}
			waitq_wake(&tg->parent->child_wq, 0);
		}
	}
}

#define PEEK(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

/* Could there be anything for task_deliver_signals to do: a pending signal
 * (blocked or not), a stop, an exit, a mask to restore?  A look without
 * k->lock, which would cost most of what the sentry does for a patched
 * syscall.  It cannot miss work for long: whoever makes work for a task
 * also interrupts it (task_interrupt: the flag first, then a kick if the
 * task runs guest code), run_guest() checks the flag after setting in_guest
 * (sequentially consistent), so the task either sees the flag and comes back
 * here, or is kicked out of guest code and comes back here; and a task that
 * is not interrupted (the signal is blocked) has nothing to do until its own
 * syscall changes the mask, after which it comes here. */
static bool signal_work_maybe(struct task *t)
{
	const struct thread_group *tg = t->tg;
	return t->restore_blocked || PEEK(t->pending.mask) || PEEK(tg->shared_pending.mask) ||
	       PEEK(t->forced) || PEEK(t->exiting) || PEEK(tg->group_exiting) ||
	       PEEK(tg->stopped);
}

/* Blocks while the process is stopped (called without k->lock). */
bool task_deliver_signals(struct task *t)
{
	struct kernel *k = t->k;
	bool handled = false;
	if (!signal_work_maybe(t)) {
		fix_syscall_restart(t, false, 0);
		return false;
	}
	for (;;) {
		/* One lock round per syscall in the common case: this runs before
		 * every return to guest code. */
		pthread_mutex_lock(&k->lock);
		if (t->exiting || t->tg->group_exiting) {
			pthread_mutex_unlock(&k->lock);
			return true;
		}
		if (t->tg->stopped) {
			pthread_mutex_unlock(&k->lock);
			task_block_uninterruptible(t, NULL);
			continue;
		}
		siginfo_t info;
		int sig = next_signal_locked(t, &info);
		if (!sig) {
			if (t->restore_blocked) {
				t->blocked = t->saved_blocked;
				t->restore_blocked = false;
			}
			pthread_mutex_unlock(&k->lock);
			break;
		}
		bool forced = t->forced & SIGBIT(sig);
		t->forced &= ~SIGBIT(sig);
		struct guest_sigaction sa = *action_of(t->tg, sig);
		if (sa.handler == (uint64_t)SIG_IGN) {
			pthread_mutex_unlock(&k->lock);
			continue;
		}
		if (sa.handler == (uint64_t)SIG_DFL) {
			/* (SIGKILL and SIGSTOP queued for an init came from an
			 * ancestor namespace: they act, as sig_kernel_only.) */
			if (sig_default_ignored(sig) ||
			    ((t->tg->is_init || container_ns_init_locked(t->tg)) && !forced &&
			     sig != SIGKILL && sig != SIGSTOP)) {
				pthread_mutex_unlock(&k->lock);
				continue;
			}
			if (sig_default_stops(sig)) {
				do_stop_locked(t, sig);
				pthread_mutex_unlock(&k->lock);
				continue;
			}
			/* Terminate the whole process with this signal. */
			exit_group_locked(t->tg, sig, t);
			pthread_mutex_unlock(&k->lock);
			return true;
		}
		/* Run the handler: the frame saves the mask to restore. */
		sigmask_t saved = t->restore_blocked ? t->saved_blocked : t->blocked;
		t->restore_blocked = false;
		sigmask_t newmask = t->blocked | sa.mask;
		if (!(sa.flags & SA_NODEFER))
			newmask |= SIGBIT(sig);
		if (sa.flags & SA_RESETHAND)
			t->tg->sighand->action[sig - 1].handler = (uint64_t)SIG_DFL;
		pthread_mutex_unlock(&k->lock);

		if (!handled)
			fix_syscall_restart(t, true, sa.flags);
		handled = true;
		if (!setup_frame(t, sig, &sa, &info, saved)) {
			/* Linux's force_sigsegv: SIGSEGV for the lost handler;
			 * if that was SIGSEGV's own, it is fatal (its handler
			 * would fail the same way again, forever). */
			siginfo_t segv = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
			if (sig == SIGSEGV)
				task_force_fatal_signal(t, &segv);
			else
				task_force_fault_signal(t, &segv);
			continue;
		}
		pthread_mutex_lock(&k->lock);
		t->blocked = newmask & ~SIG_KILL_STOP;
		pthread_mutex_unlock(&k->lock);
	}
	if (!handled)
		fix_syscall_restart(t, false, 0);
	return false;
}
