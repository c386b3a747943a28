/* The egress proxy's event loop on io_uring (see internal.h, "pollset.c"). */
#include "netstack/proxy/internal.h"
#include "netstack/proxy.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* user_data: kind in the top byte, round generation in the next 24 bits,
 * slot index in the low 32. */
enum { K_IGNORE = 0, K_SLIRP = 1, K_LINK = 2, K_NL = 3 };
#define GEN_MASK 0xffffffu

static uint64_t tag(unsigned kind, unsigned gen, uint32_t idx)
{
	return (uint64_t)kind << 56 | (uint64_t)(gen & GEN_MASK) << 32 | idx;
}

int ps_init(struct pollset *ps, int link_fd, int nl_fd)
{
	memset(ps, 0, sizeof *ps);
	ps->link_fd = link_fd;
	ps->nl_fd = nl_fd;
	struct io_uring_params params = {
		.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER,
		.cq_entries = 4096,
	};
	int r = netstack_uring_setup(256, &ps->ring, &params, "netproxy");
	if (r == -EINVAL) { /* an older kernel: without the optimisation flags */
		memset(&params, 0, sizeof params);
		params.flags = IORING_SETUP_CQSIZE;
		params.cq_entries = 4096;
		r = netstack_uring_setup(256, &ps->ring, &params, "netproxy");
	}
	if (r < 0)
		return r;
	ps->skip_cqe = params.features & IORING_FEAT_CQE_SKIP;
	/* What the loop submits: one-shot polls and their removal (with
	 * CQE_SKIP_SUCCESS where the kernel has it); without EXT_ARG (before
	 * 5.11) liburing waits with a timeout by submitting a TIMEOUT. */
	unsigned char ops[] = { IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE, IORING_OP_TIMEOUT };
	size_t nops = params.features & IORING_FEAT_EXT_ARG ? 2 : 3;
	return netstack_uring_restrict(&ps->ring, ops, nops,
				       ps->skip_cqe ? IOSQE_CQE_SKIP_SUCCESS : 0, "netproxy");
}

/* A free SQE, flushing the queue to the kernel when it is full. */
static struct io_uring_sqe *get_sqe(struct pollset *ps)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&ps->ring);
	if (!sqe && io_uring_submit(&ps->ring) >= 0)
		sqe = io_uring_get_sqe(&ps->ring);
	return sqe;
}

void ps_begin(struct pollset *ps)
{
	ps->nslots = 0;
}

int ps_add(struct pollset *ps, int fd, short events)
{
	if (ps->nslots == ps->cap) {
		size_t cap = ps->cap ? ps->cap * 2 : 64;
		struct ps_slot *n = realloc(ps->slots, cap * sizeof *n);
		if (!n)
			return -1;
		ps->slots = n;
		ps->cap = cap;
	}
	ps->slots[ps->nslots] = (struct ps_slot){ .fd = fd, .events = events };
	return (int)ps->nslots++;
}

static void arm_oneshot(struct pollset *ps, int fd, unsigned events, uint64_t data, bool *armed)
{
	struct io_uring_sqe *sqe = get_sqe(ps);
	if (!sqe)
		return;
	io_uring_prep_poll_add(sqe, fd, events);
	io_uring_sqe_set_data64(sqe, data);
	*armed = true;
}

/* Collects completions; returns how many concern this round (a poll of
 * this generation, the link, netlink).  The others (polls of earlier
 * rounds, cancelled by ps_end) must not end the wait: they would wake every
 * round, and each woken round would cancel polls again. */
static unsigned reap(struct pollset *ps)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0, relevant = 0;
	io_uring_for_each_cqe(&ps->ring, head, cqe) {
		n++;
		uint64_t d = cqe->user_data;
		unsigned kind = (unsigned)(d >> 56);
		short rev = cqe->res < 0 ? POLLERR : (short)cqe->res;
		if (kind == K_SLIRP) {
			uint32_t idx = (uint32_t)d;
			if (((d >> 32) & GEN_MASK) != (ps->gen & GEN_MASK) || idx >= ps->nslots)
				continue; /* a stale round's poll */
			ps->slots[idx].fired = true;
			ps->slots[idx].revents = cqe->res == -ECANCELED ? 0 : rev;
			relevant++;
		} else if (kind == K_LINK) {
			ps->link_armed = false;
			ps->link_ready = true;
			relevant++;
		} else if (kind == K_NL) {
			ps->nl_armed = false;
			ps->nl_ready = true;
			relevant++;
		}
	}
	io_uring_cq_advance(&ps->ring, n);
	return relevant;
}

static int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ps_wait(struct pollset *ps, int timeout_ms)
{
	for (size_t i = 0; i < ps->nslots; i++) {
		struct ps_slot *s = &ps->slots[i];
		bool armed = false; /* a slot left unarmed is never "removed" */
		arm_oneshot(ps, s->fd, (unsigned)s->events, tag(K_SLIRP, ps->gen, (uint32_t)i), &armed);
		s->fired = !armed;
	}
	if (!ps->link_armed)
		arm_oneshot(ps, ps->link_fd, POLLIN, tag(K_LINK, 0, 0), &ps->link_armed);
	if (ps->nl_fd >= 0 && !ps->nl_armed)
		arm_oneshot(ps, ps->nl_fd, POLLIN, tag(K_NL, 0, 0), &ps->nl_armed);

	/* Submit and wait in one call; then wait on until something of this
	 * round completes (see reap). */
	int64_t deadline = timeout_ms > 0 ? mono_ms() + timeout_ms : 0;
	struct io_uring_cqe *cqe;
	int r;
	if (timeout_ms == 0) {
		r = io_uring_submit(&ps->ring);
	} else if (timeout_ms < 0) {
		r = io_uring_submit_and_wait(&ps->ring, 1);
	} else {
		struct __kernel_timespec ts = { .tv_sec = timeout_ms / 1000,
						.tv_nsec = (long long)(timeout_ms % 1000) * 1000000 };
		r = io_uring_submit_and_wait_timeout(&ps->ring, &cqe, 1, &ts, NULL);
	}
	for (;;) {
		if (r < 0 && r != -ETIME && r != -EINTR && r != -EAGAIN && r != -EBUSY)
			return r;
		if (reap(ps) > 0 || timeout_ms == 0 || r == -ETIME)
			return 0;
		if (timeout_ms < 0) {
			r = io_uring_wait_cqe(&ps->ring, &cqe);
			continue;
		}
		int64_t left = deadline - mono_ms();
		if (left <= 0)
			return 0;
		struct __kernel_timespec ts = { .tv_sec = left / 1000,
						.tv_nsec = (left % 1000) * 1000000 };
		r = io_uring_wait_cqe_timeout(&ps->ring, &cqe, &ts);
	}
}

short ps_revents(const struct pollset *ps, int idx)
{
	if (idx < 0 || (size_t)idx >= ps->nslots)
		return 0;
	return ps->slots[idx].revents;
}

void ps_end(struct pollset *ps)
{
	for (size_t i = 0; i < ps->nslots; i++) {
		if (ps->slots[i].fired)
			continue;
		struct io_uring_sqe *sqe = get_sqe(ps);
		if (!sqe)
			break; /* it fires later, into an older generation: ignored */
		io_uring_prep_poll_remove(sqe, tag(K_SLIRP, ps->gen, (uint32_t)i));
		io_uring_sqe_set_data64(sqe, tag(K_IGNORE, 0, 0));
		if (ps->skip_cqe)
			io_uring_sqe_set_flags(sqe, IOSQE_CQE_SKIP_SUCCESS);
	}
	ps->gen++;
}

void ps_destroy(struct pollset *ps)
{
	io_uring_queue_exit(&ps->ring);
	free(ps->slots);
	ps->slots = NULL;
	ps->nslots = ps->cap = 0;
}
