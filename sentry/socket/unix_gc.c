/* Garbage collection of unix sockets that only messages in flight keep
 * alive: a socket sent over itself, or two sockets sent over each other,
 * hold references to their own files that no process can ever receive.
 *
 * The classic algorithm (net/unix/garbage.c before 6.10): a socket whose
 * file is referenced only from queues (file references == times in
 * flight) is a candidate; references from candidates' queues are taken
 * off; a candidate with any left is reachable from outside, and so is
 * everything reachable from it.  The rest is garbage: the buffers of its
 * queue are freed, which releases the files and breaks the cycles.
 *
 * A reference taken while the GC runs cannot make garbage reachable: files
 * enter and leave queues (unix_inflight/unix_notinflight) under the GC
 * lock, fds are installed only after they left, and MSG_PEEK's extra
 * references make a socket no candidate.  */
#include <stdlib.h>

#include "sentry/socket/unix_internal.h"

static pthread_mutex_t gc_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_head inflight_list = LIST_HEAD_INIT(inflight_list);
static atomic_long total_inflight;
static atomic_bool gc_running;

void unix_inflight(struct file **fp, int n)
{
	pthread_mutex_lock(&gc_lock);
	for (int i = 0; i < n; i++) {
		struct unix_sock *u = unix_sock_from_file(fp[i]);
		if (!u)
			continue;
		if (u->inflight++ == 0)
			list_add_tail(&u->gc_node, &inflight_list);
		atomic_fetch_add(&total_inflight, 1);
	}
	pthread_mutex_unlock(&gc_lock);
}

void unix_notinflight(struct file **fp, int n)
{
	pthread_mutex_lock(&gc_lock);
	for (int i = 0; i < n; i++) {
		struct unix_sock *u = unix_sock_from_file(fp[i]);
		if (!u)
			continue;
		if (--u->inflight == 0)
			list_del(&u->gc_node);
		atomic_fetch_sub(&total_inflight, 1);
	}
	pthread_mutex_unlock(&gc_lock);
}

/* A collection looks at every socket in flight: run on a release only
 * once the releases since the last one have paid for it (n/64 of them),
 * so that many sockets in flight do not make each release cost O(n). */
bool unix_gc_needed(void)
{
	static atomic_long releases;
	long n = atomic_load(&total_inflight);
	if (n == 0)
		return false;
	if ((atomic_fetch_add(&releases, 1) + 1) * 64 < n)
		return false;
	atomic_store(&releases, 0);
	return true;
}

/* Sockets closed while in flight (the classic cycle: a pair sent over
 * itself, then closed) become garbage without a release, so the release
 * path above never collects them, and a loop of such cycles would grow
 * the sentry without bound.  As Linux (wait_for_unix_gc), a send that
 * passes fds collects first once this many sockets are in flight. */
#define UNIX_INFLIGHT_TRIGGER_GC 16000

void unix_gc_before_send(const struct scm_cookie *scm)
{
	if (scm->nfp > 0 && atomic_load(&total_inflight) > UNIX_INFLIGHT_TRIGGER_GC)
		unix_gc();
}

/* Calls fn on every candidate whose file is in u's queue (and in the
 * queues of the connections waiting on a listener). */
static void scan_queue(struct unix_sock *u, void (*fn)(struct unix_sock *v, void *arg),
		       void *arg)
{
	struct unix_skb *skb;
	list_for_each_entry(skb, &u->recvq, node) {
		for (int i = 0; i < skb->nfp; i++) {
			struct unix_sock *v = unix_sock_from_file(skb->fp[i]);
			if (v && v->gc_candidate)
				fn(v, arg);
		}
	}
}

static void scan_children(struct unix_sock *u, void (*fn)(struct unix_sock *v, void *arg),
			  void *arg)
{
	pthread_mutex_lock(&u->lock);
	scan_queue(u, fn, arg);
	struct unix_skb *skb;
	list_for_each_entry(skb, &u->recvq, node) {
		if (!skb->embryo)
			continue;
		pthread_mutex_lock(&skb->embryo->lock);
		scan_queue(skb->embryo, fn, arg);
		pthread_mutex_unlock(&skb->embryo->lock);
	}
	pthread_mutex_unlock(&u->lock);
}

static void dec_refs(struct unix_sock *v, void *arg)
{
	v->gc_refs--;
}

struct worklist {
	struct unix_sock **v;
	size_t n, cap;
	bool failed;   /* out of memory: nothing is collected this time */
};

static void mark_alive(struct unix_sock *v, void *arg)
{
	struct worklist *w = arg;
	if (v->gc_alive)
		return;
	v->gc_alive = true;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 16;
		struct unix_sock **nv = realloc(w->v, cap * sizeof *nv);
		if (!nv) {
			w->failed = true;
			return;
		}
		w->v = nv;
		w->cap = cap;
	}
	w->v[w->n++] = v;
}

/* Moves every buffer of a garbage socket (and of its unaccepted
 * connections) to hitlist. */
static void collect(struct unix_sock *u, struct list_head *hitlist)
{
	pthread_mutex_lock(&u->lock);
	while (!list_empty(&u->recvq)) {
		struct list_head *n = u->recvq.next;
		list_del(n);
		list_add_tail(n, hitlist);
	}
	u->qlen = 0;
	pthread_mutex_unlock(&u->lock);
}

void unix_gc(void)
{
	if (atomic_exchange(&gc_running, true))
		return;   /* a release inside the collection: the running one does it */
	struct list_head hitlist;
	list_init(&hitlist);
	struct worklist w = { 0 };
	pthread_mutex_lock(&gc_lock);
	struct unix_sock *u;
	list_for_each_entry(u, &inflight_list, gc_node) {
		struct file *f = u->sock.file;
		u->gc_candidate = f && atomic_load(&f->refcount) == u->inflight;
		u->gc_alive = false;
		u->gc_refs = u->inflight;
	}
	list_for_each_entry(u, &inflight_list, gc_node)
		if (u->gc_candidate)
			scan_children(u, dec_refs, NULL);
	list_for_each_entry(u, &inflight_list, gc_node)
		if (u->gc_candidate && u->gc_refs > 0)
			mark_alive(u, &w);
	while (w.n > 0) {
		struct unix_sock *v = w.v[--w.n];
		scan_children(v, mark_alive, &w);
	}
	list_for_each_entry(u, &inflight_list, gc_node) {
		if (u->gc_candidate && !u->gc_alive && !w.failed)
			collect(u, &hitlist);
		u->gc_candidate = false;
	}
	pthread_mutex_unlock(&gc_lock);
	free(w.v);
	unix_skb_free_list(&hitlist);
	atomic_store(&gc_running, false);
}
