/* The end of tasks and processes: exit, exit_group, zombies, reaping,
 * reparenting to init, and wait4/waitid. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/log.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/container.h"
#include "sentry/kernel/internal.h"
#include "sentry/kernel/ipc.h"
#include "sentry/mm/mm.h"

bool task_should_exit(struct task *t)
{
	pthread_mutex_lock(&t->k->lock);
	bool r = t->exiting || t->tg->group_exiting;
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

void task_exit_thread(struct task *t, int code)
{
	pthread_mutex_lock(&t->k->lock);
	t->exiting = true;
	t->exit_code = code & 0xff;
	if (t->tg->nr_threads == 1 && !t->tg->group_exiting) {
		t->tg->group_exiting = true;
		t->tg->exit_code = (code & 0xff) << 8;
	}
	pthread_mutex_unlock(&t->k->lock);
}

void exit_group_locked(struct thread_group *tg, int status, struct task *except)
{
	if (tg->group_exiting)
		return;
	tg->group_exiting = true;
	tg->exit_code = status;
	struct task *o;
	list_for_each_entry(o, &tg->threads, tg_node)
		if (o != except)
			task_interrupt(o);
}

void task_exit_group(struct task *t, int status)
{
	pthread_mutex_lock(&t->k->lock);
	exit_group_locked(t->tg, status, t);
	pthread_mutex_unlock(&t->k->lock);
}

/* --- reaping --------------------------------------------------------------------- */

static void tg_reap_locked(struct thread_group *tg)
{
	struct kernel *k = tg->k;
	if (tg->parent) {
		tg->parent->cutime = ts_add(tg->parent->cutime, ts_add(tg->utime, tg->cutime));
		tg->parent->cstime = ts_add(tg->parent->cstime, ts_add(tg->stime, tg->cstime));
		list_del(&tg->sibling);
		tg->parent = NULL;
	}
	if (tg->state == TG_ZOMBIE)
		k->nr_zombies--;
	tg->state = TG_REAPED;
	if (k->groups[tg->tgid] == tg) {
		k->groups[tg->tgid] = NULL;
		tg_put(tg);   /* the pid table's reference */
	}
}

/* Does the parent want zombies of its children?  Not if it ignores SIGCHLD
 * or set SA_NOCLDWAIT. */
static bool parent_reaps(struct thread_group *parent)
{
	const struct guest_sigaction *sa = &parent->sighand->action[SIGCHLD - 1];
	return sa->handler != (uint64_t)SIG_IGN && !(sa->flags & SA_NOCLDWAIT);
}

static void child_siginfo(struct thread_group *tg, int code, int status, siginfo_t *si)
{
	memset(si, 0, sizeof *si);
	si->si_signo = SIGCHLD;
	si->si_code = code;
	si->si_pid = tg->tgid;
	si->si_uid = tg->cred.uid;
	si->si_status = status;
	si->si_utime = tg->utime.tv_sec * 100 + tg->utime.tv_nsec / 10000000;
	si->si_stime = tg->stime.tv_sec * 100 + tg->stime.tv_nsec / 10000000;
}

static void exit_code_to_cld(int exit_code, int *code, int *status)
{
	if (WIFSIGNALED(exit_code)) {
		*code = WCOREDUMP(exit_code) ? CLD_DUMPED : CLD_KILLED;
		*status = WTERMSIG(exit_code);
	} else {
		*code = CLD_EXITED;
		*status = WEXITSTATUS(exit_code);
	}
}

/* Tells the parent of tg, a new zombie or one it just adopted, with tg's
 * exit signal (do_notify_parent); a parent that wants no zombies (SIGCHLD
 * ignored, SA_NOCLDWAIT) has it reaped at once. */
static void notify_parent_locked(struct thread_group *tg)
{
	if (tg->exit_hook) {
		void (*hook)(void *, int) = tg->exit_hook;
		tg->exit_hook = NULL;
		hook(tg->exit_hook_arg, tg->exit_code);
	}
	struct thread_group *parent = tg->parent;
	if (!parent || parent->state != TG_ALIVE) {
		tg_reap_locked(tg);
		return;
	}
	int code, status;
	exit_code_to_cld(tg->exit_code, &code, &status);
	bool reaps = parent_reaps(parent);
	if (tg->exit_signal > 0 && (reaps || tg->exit_signal != SIGCHLD)) {
		siginfo_t si;
		child_siginfo(tg, code, status, &si);
		si.si_signo = tg->exit_signal;
		send_signal_tg_locked(parent, tg->exit_signal, &si);
	}
	if (!reaps)
		tg_reap_locked(tg);
	waitq_wake(&parent->child_wq, 0);
}

/* Who adopts the children of tg (find_new_reaper): the nearest live
 * ancestor that is a child subreaper, else init; nobody when init itself
 * is the one dying. */
static struct thread_group *find_new_reaper_locked(struct thread_group *tg)
{
	for (struct thread_group *a = tg->parent; a && !a->is_init; a = a->parent)
		if (a->child_subreaper && a->state == TG_ALIVE && !a->group_exiting)
			return a;
	if (tg->container)
		return container_reaper_locked(tg);   /* as a pid namespace's init */
	struct thread_group *init = tg->k->init;
	return init && init != tg && init->state == TG_ALIVE ? init : NULL;
}

/* PR_SET_PDEATHSIG: the threads of c that asked get their signal when
 * its parent process, father, dies (sent to c as a whole, as Linux). */
static void send_pdeath_signals_locked(struct thread_group *father, struct thread_group *c)
{
	struct task *o;
	list_for_each_entry(o, &c->threads, tg_node) {
		if (!o->pdeath_signal)
			continue;
		siginfo_t si;
		memset(&si, 0, sizeof si);
		si.si_signo = o->pdeath_signal;
		si.si_code = SI_USER;
		si.si_pid = father->tgid;
		si.si_uid = father->cred.uid;
		send_signal_tg_locked(c, o->pdeath_signal, &si);
	}
}

/* Children of a dying process go to their new reaper, which is told of
 * those that are zombies already (when there is none, because init itself
 * dies, they are killed and reaped as they go). */
static void reparent_children_locked(struct thread_group *tg)
{
	struct thread_group *reaper = find_new_reaper_locked(tg);
	struct thread_group *c, *tmp;
	list_for_each_entry_safe(c, tmp, &tg->children, sibling) {
		list_del(&c->sibling);
		c->parent = reaper;
		if (!reaper) {
			if (c->state == TG_ZOMBIE)
				tg_reap_locked(c);
			continue;
		}
		c->exit_signal = SIGCHLD;
		list_add_tail(&c->sibling, &reaper->children);
		if (c->state == TG_ZOMBIE)
			notify_parent_locked(c);
		else
			send_pdeath_signals_locked(tg, c);
	}
	if (reaper)
		waitq_wake(&reaper->child_wq, 0);
}

static void kill_everyone_locked(struct kernel *k, struct thread_group *except)
{
	for (pid_t i = 1; i < KERNEL_MAX_PID; i++) {
		struct thread_group *g = k->groups[i];
		if (g && g != except && g->state == TG_ALIVE)
			exit_group_locked(g, SIGKILL, NULL);
	}
}

void tg_exit_notify_locked(struct thread_group *tg)
{
	struct kernel *k = tg->k;
	vfork_release_locked(tg);
	tty_exit_locked(tg);   /* a session leader's exit hangs up its terminal */
	/* Its program is no longer running: it may be written again. */
	if (tg->exe.dentry)
		inode_allow_write(tg->exe.dentry->inode);
	path_put(&tg->exe);
	reparent_children_locked(tg);
	tg->state = TG_ZOMBIE;
	k->nr_zombies++;
	container_exit_locked(tg);

	if (tg->is_init) {
		/* Like the init of a pid namespace: its death ends everything. */
		kill_everyone_locked(k, tg);
		k->init_status = tg->exit_code;
		k->finished = true;
		tg_reap_locked(tg);
		pthread_cond_broadcast(&k->finished_cond);
		return;
	}
	notify_parent_locked(tg);
}

/* Robust futexes (kernel/futex/core.c exit_robust_list): every lock on
 * the list the dying thread still holds is marked FUTEX_OWNER_DIED and one
 * waiter woken.  Bounded, like Linux, so a looping list cannot hang us. */
#define ROBUST_LIST_LIMIT 2048
#define FUTEX_TID_MASK_   0x3fffffffu
#define FUTEX_OWNER_DIED_ 0x40000000u
#define FUTEX_WAITERS_    0x80000000u

static void release_robust_futex(struct task *t, uint64_t addr)
{
	uint32_t val;
	if (copy_from_user(t, &val, addr, sizeof val) < 0)
		return;
	if ((val & FUTEX_TID_MASK_) != (uint32_t)t->tid)
		return;
	uint32_t nval = (val & FUTEX_WAITERS_) | FUTEX_OWNER_DIED_;
	if (copy_to_user(t, addr, &nval, sizeof nval) < 0)
		return;
	if (val & FUTEX_WAITERS_)
		futex_wake_address(t, addr, 1);
}

static void exit_robust_list(struct task *t)
{
	struct {
		uint64_t next;
		int64_t futex_offset;
		uint64_t pending;
	} head;
	if (!t->robust_list || copy_from_user(t, &head, t->robust_list, sizeof head) < 0)
		return;
	uint64_t entry = head.next;
	for (int i = 0; entry != t->robust_list && i < ROBUST_LIST_LIMIT; i++) {
		uint64_t next;
		if (copy_from_user(t, &next, entry & ~1ULL, sizeof next) < 0)
			break;
		if (entry != head.pending)
			release_robust_futex(t, (entry & ~1ULL) + (uint64_t)head.futex_offset);
		entry = next;
	}
	if (head.pending)
		release_robust_futex(t, (head.pending & ~1ULL) + (uint64_t)head.futex_offset);
}

void task_exit_final(struct task *t)
{
	struct kernel *k = t->k;

	if (t->ctx)
		exit_robust_list(t);

	/* The stub's CPU time, before the parent can see the exit. */
	if (t->ctx)
		task_account_stub(t, t->ctx);

	struct fdtable *files = t->files;
	struct fs_context *fs = t->fs;
	pthread_mutex_lock(&k->lock);
	t->files = NULL;
	t->fs = NULL;
	pthread_mutex_unlock(&k->lock);
	fdtable_put(files);   /* may wake pipe peers */
	fs_context_put(fs);

	pthread_mutex_lock(&k->lock);
	struct thread_group *tg = t->tg;
	list_del(&t->tg_node);
	tg->nr_threads--;
	if (k->tasks[t->tid] == t)
		k->tasks[t->tid] = NULL;
	t->state = TASK_EXITED;
	bool last = tg->nr_threads == 0;
	if (!tg->group_exiting && last) {
		tg->group_exiting = true;
		tg->exit_code = t->exit_code << 8;
	}
	if (!last && tg->exec_waiter)
		task_wake(tg->exec_waiter);
	pthread_mutex_unlock(&k->lock);

	/* CLONE_CHILD_CLEARTID: cleared, and the joiner woken, only now that
	 * this thread no longer counts in its process (pthread_join returns
	 * as soon as it sees the word cleared). */
	if (t->clear_child_tid && t->ctx) {
		uint32_t zero = 0;
		if (copy_to_user(t, t->clear_child_tid, &zero, sizeof zero) == 0)
			futex_wake_address(t, t->clear_child_tid, 1);
	}
	pthread_mutex_lock(&k->lock);
	struct platform_ctx *ctx = t->ctx;
	t->ctx = NULL;
	pthread_mutex_unlock(&k->lock);
	if (ctx)
		t->platform->destroy(ctx);

	/* The address space goes before the parent hears of the exit, as in
	 * Linux's do_exit: what its mappings held (a System V attach, a file)
	 * is released by the time wait() returns. */
	pthread_mutex_lock(&k->lock);
	struct mm *mm = t->mm;
	t->mm = NULL;
	pthread_mutex_unlock(&k->lock);
	mm_put(mm);

	ptimers_exit(t);   /* the process's timers go with its last thread */
	if (last) {
		pthread_mutex_lock(&k->lock);
		ipc_exit(tg->tgid);   /* SEM_UNDO, before the parent can see the exit */
		tg_exit_notify_locked(tg);
		pthread_mutex_unlock(&k->lock);
	}

	pthread_mutex_lock(&k->lock);
	k->nr_tasks--;
	if (k->nr_tasks == 0)
		pthread_cond_broadcast(&k->finished_cond);
	pthread_mutex_unlock(&k->lock);
	task_put(t);
}

/* --- wait4 / waitid ----------------------------------------------------------------- */

static bool wait_matches(struct task *t, struct thread_group *parent, struct thread_group *c,
			 const struct wait_request *req)
{
	/* __WNOTHREAD: only the children this thread forked itself. */
	if ((req->options & __WNOTHREAD) && c->creator_tid != t->tid)
		return false;
	switch (req->idtype) {
	case P_PID:
		if (c->tgid != req->id)
			return false;
		break;
	case P_PGID:
		if (c->pgid != (req->id ? req->id : parent->pgid))
			return false;
		break;
	default:
		break;
	}
	if (req->options & __WALL)
		return true;
	bool clone_child = c->exit_signal != SIGCHLD;
	return clone_child == !!(req->options & __WCLONE);
}

static void fill_result(struct thread_group *c, int code, int status, int wstatus,
			struct wait_result *res)
{
	res->pid = c->tgid;
	res->uid = c->cred.uid;
	res->code = code;
	res->status = status;
	res->wstatus = wstatus;
	res->utime = c->utime;
	res->stime = c->stime;
}

/* One pass over the children; returns 1 with a result, 0 if some child may
 * still change, -ECHILD if none can. */
static int wait_scan_locked(struct task *t, const struct wait_request *req,
			    struct wait_result *res)
{
	struct thread_group *tg = t->tg;
	bool any = false;
	struct thread_group *c, *tmp;
	list_for_each_entry_safe(c, tmp, &tg->children, sibling) {
		if (!wait_matches(t, tg, c, req))
			continue;
		any = true;
		if ((req->options & WEXITED) && c->state == TG_ZOMBIE) {
			int code, status;
			exit_code_to_cld(c->exit_code, &code, &status);
			fill_result(c, code, status, c->exit_code, res);
			if (!(req->options & WNOWAIT))
				tg_reap_locked(c);
			return 1;
		}
		if ((req->options & WSTOPPED) && c->stopped && c->stop_report) {
			fill_result(c, CLD_STOPPED, c->stop_signal, (c->stop_signal << 8) | 0x7f, res);
			if (!(req->options & WNOWAIT))
				c->stop_report = false;
			return 1;
		}
		if ((req->options & WCONTINUED) && c->continue_report) {
			fill_result(c, CLD_CONTINUED, SIGCONT, 0xffff, res);
			if (!(req->options & WNOWAIT))
				c->continue_report = false;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

int task_wait(struct task *t, const struct wait_request *req, struct wait_result *res)
{
	struct kernel *k = t->k;
	memset(res, 0, sizeof *res);
	for (;;) {
		struct waitq_entry e;
		pthread_mutex_lock(&k->lock);
		int r = wait_scan_locked(t, req, res);
		if (r != 0 || (req->options & WNOHANG)) {
			pthread_mutex_unlock(&k->lock);
			return r < 0 ? r : (r ? res->pid : 0);
		}
		waitq_add(&t->tg->child_wq, &e, t, 0);
		pthread_mutex_unlock(&k->lock);
		int err = task_block(t, NULL, NULL, 0);
		waitq_del(&t->tg->child_wq, &e);
		if (err == -EINTR)
			return -ERESTARTSYS;
	}
}
