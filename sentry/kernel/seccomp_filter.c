/* The container's seccomp profile, evaluated before each guest syscall
 * (see seccomp_filter.h).  Linux's kernel/seccomp.c is the reference for
 * what each action does to the calling thread. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/user.h>

#include "common/log.h"
#include "platform/platform.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp_filter.h"

#define AUDIT_ARCH_X86_64_ 0xc000003eu   /* linux/audit.h's AUDIT_ARCH_X86_64 */
#define SYS_SECCOMP_ 1                   /* si_code of a SECCOMP_RET_TRAP SIGSYS */

struct seccomp_rule {
	uint32_t action;
	unsigned nargs;
	struct seccomp_arg_cmp args[6];
};

struct seccomp_entry {
	uint32_t action;             /* without rules: what the syscall gets */
	bool unconditional;          /* action came from a rule without arguments */
	unsigned nrules;             /* rules with arguments */
	struct seccomp_rule *rules;
};

struct seccomp_filter {
	uint32_t default_action;
	struct seccomp_entry nr[SECCOMP_FILTER_NR];
};

/* Linux ranks actions by their signed value: lower is stricter. */
bool seccomp_action_stricter(uint32_t a, uint32_t b)
{
	return (int32_t)(a & SECCOMP_ACT_MASK) <= (int32_t)(b & SECCOMP_ACT_MASK);
}

struct seccomp_filter *seccomp_filter_new(uint32_t default_action)
{
	struct seccomp_filter *f = calloc(1, sizeof *f);
	if (!f)
		return NULL;
	f->default_action = default_action;
	for (size_t i = 0; i < SECCOMP_FILTER_NR; i++)
		f->nr[i].action = default_action;
	return f;
}

void seccomp_filter_free(struct seccomp_filter *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < SECCOMP_FILTER_NR; i++)
		free(f->nr[i].rules);
	free(f);
}

int seccomp_filter_add(struct seccomp_filter *f, long nr, uint32_t action,
		       const struct seccomp_arg_cmp *args, size_t nargs)
{
	if (nr < 0 || nr >= SECCOMP_FILTER_NR || nargs > 6)
		return -EINVAL;
	for (size_t i = 0; i < nargs; i++)
		if (args[i].index > 5 || args[i].op < SECCOMP_CMP_NE ||
		    args[i].op > SECCOMP_CMP_MASKED_EQ)
			return -EINVAL;
	struct seccomp_entry *e = &f->nr[nr];
	if (nargs == 0) {
		/* Several unconditional rules: the strictest stands. */
		if (!e->unconditional || !seccomp_action_stricter(e->action, action))
			e->action = action;
		e->unconditional = true;
		return 0;
	}
	struct seccomp_rule *r = realloc(e->rules, (e->nrules + 1) * sizeof *r);
	if (!r)
		return -ENOMEM;
	e->rules = r;
	r = &e->rules[e->nrules++];
	memset(r, 0, sizeof *r);
	r->action = action;
	r->nargs = (unsigned)nargs;
	memcpy(r->args, args, nargs * sizeof *args);
	return 0;
}

static bool cmp_holds(const struct seccomp_arg_cmp *c, const uint64_t args[6])
{
	uint64_t a = args[c->index];
	switch (c->op) {
	case SECCOMP_CMP_NE:        return a != c->value;
	case SECCOMP_CMP_LT:        return a < c->value;
	case SECCOMP_CMP_LE:        return a <= c->value;
	case SECCOMP_CMP_EQ:        return a == c->value;
	case SECCOMP_CMP_GE:        return a >= c->value;
	case SECCOMP_CMP_GT:        return a > c->value;
	case SECCOMP_CMP_MASKED_EQ: return (a & c->value) == c->value_two;
	}
	return false;
}

static bool rule_matches(const struct seccomp_rule *r, const uint64_t args[6])
{
	for (unsigned i = 0; i < r->nargs; i++)
		if (!cmp_holds(&r->args[i], args))
			return false;
	return true;
}

uint32_t seccomp_filter_eval(const struct seccomp_filter *f, long nr, const uint64_t args[6])
{
	if (nr < 0 || nr >= SECCOMP_FILTER_NR)
		return f->default_action;
	const struct seccomp_entry *e = &f->nr[nr];
	if (!e->nrules)
		return e->action;
	bool matched = e->unconditional;
	uint32_t best = e->action;
	for (unsigned i = 0; i < e->nrules; i++) {
		const struct seccomp_rule *r = &e->rules[i];
		if (!rule_matches(r, args))
			continue;
		/* (strictly stricter: among equals the first one stays) */
		if (!matched || (seccomp_action_stricter(r->action, best) &&
				 (r->action & SECCOMP_ACT_MASK) != (best & SECCOMP_ACT_MASK)))
			best = r->action;
		matched = true;
	}
	return matched ? best : f->default_action;
}

/* SECCOMP_RET_TRAP: a SIGSYS that cannot be blocked or ignored away, with
 * the syscall's number and address; the syscall returns its own number
 * (Linux rolls rax back to orig_rax), which a handler may change. */
static long trap(struct task *t, long nr, uint32_t data)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGSYS;
	si.si_code = SYS_SECCOMP_;
	si.si_errno = (int)data;
	si.si_call_addr = t->ctx ? (void *)t->platform->regs(t->ctx)->rip : NULL;
	si.si_syscall = (int)nr;
	si.si_arch = AUDIT_ARCH_X86_64_;
	task_force_signal_info(t, &si);
	return nr;
}

/* KILL_THREAD kills only the thread unless it is the last one; KILL_PROCESS
 * the whole process, as SIGSYS (the core dump Linux attempts is not made). */
static void kill_for(struct task *t, uint32_t action)
{
	pthread_mutex_lock(&t->k->lock);
	bool last = t->tg->nr_threads <= 1;
	pthread_mutex_unlock(&t->k->lock);
	if (action == SECCOMP_ACT_KILL_THREAD && !last)
		task_exit_thread(t, SIGSYS);
	else
		task_exit_group(t, SIGSYS);
}

bool seccomp_check(struct task *t, long nr, const uint64_t args[6], long *ret)
{
	const struct seccomp_filter *f = t->tg->seccomp;
	if (!f)
		return true;
	uint32_t action = seccomp_filter_eval(f, nr, args);
	uint32_t data = action & SECCOMP_ACT_DATA;
	switch (action & SECCOMP_ACT_MASK) {
	case SECCOMP_ACT_ALLOW:
		return true;
	case SECCOMP_ACT_LOG:
		log_info("seccomp: pid %d: syscall %ld allowed and logged", t->tg->tgid, nr);
		return true;
	case SECCOMP_ACT_ERRNO:
		*ret = -(long)(data > 4095 ? 4095 : data);
		return false;
	case SECCOMP_ACT_TRACE:
		*ret = -ENOSYS;   /* no tracer */
		return false;
	case SECCOMP_ACT_TRAP:
		*ret = trap(t, nr, data);
		return false;
	default:   /* KILL_THREAD, KILL_PROCESS, and anything unknown */
		kill_for(t, action & SECCOMP_ACT_MASK);
		*ret = -ENOSYS;
		return false;
	}
}

/* --- the text form ------------------------------------------------------------ */

#define SECCOMP_MAX_RULES 4096   /* per syscall, in a decoded filter */

char *seccomp_filter_encode(const struct seccomp_filter *f)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *m = open_memstream(&buf, &size);
	if (!m)
		return NULL;
	size_t n = 0;
	for (size_t i = 0; i < SECCOMP_FILTER_NR; i++)
		n += f->nr[i].unconditional || f->nr[i].nrules;
	fprintf(m, "SF1 %x %zx", f->default_action, n);
	for (size_t i = 0; i < SECCOMP_FILTER_NR; i++) {
		const struct seccomp_entry *e = &f->nr[i];
		if (!e->unconditional && !e->nrules)
			continue;
		fprintf(m, " %zx %x %x %x", i, e->unconditional, e->action, e->nrules);
		for (unsigned r = 0; r < e->nrules; r++) {
			const struct seccomp_rule *rule = &e->rules[r];
			fprintf(m, " %x %x", rule->action, rule->nargs);
			for (unsigned a = 0; a < rule->nargs; a++) {
				const struct seccomp_arg_cmp *c = &rule->args[a];
				fprintf(m, " %x %x %llx %llx", c->index, (unsigned)c->op,
					(unsigned long long)c->value,
					(unsigned long long)c->value_two);
			}
		}
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

bool wire_next(struct wire_reader *r, uint64_t max, uint64_t *out)
{
	const char *p = r->p;
	if (r->started) {
		if (p >= r->end || *p != ' ')
			return false;
		p++;
	}
	uint64_t v = 0;
	int digits = 0;
	for (; p < r->end && digits <= 16; p++, digits++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else
			break;
		v = v << 4 | d;
	}
	if (digits == 0 || digits > 16 || v > max)
		return false;
	r->p = p;
	r->started = true;
	*out = v;
	return true;
}

bool wire_word(struct wire_reader *r, const char *w)
{
	size_t n = strlen(w);
	const char *p = r->p + (r->started ? 1 : 0);
	if (r->started && (r->p >= r->end || *r->p != ' '))
		return false;
	if ((size_t)(r->end - p) < n || memcmp(p, w, n) != 0)
		return false;
	r->p = p + n;
	r->started = true;
	return true;
}

static int decode_rule(struct wire_reader *r, struct seccomp_filter *f, uint64_t nr)
{
	uint64_t action, nargs;
	struct seccomp_arg_cmp args[6];
	if (!wire_next(r, UINT32_MAX, &action) || !wire_next(r, 6, &nargs) || nargs == 0)
		return -EINVAL;
	for (uint64_t a = 0; a < nargs; a++) {
		uint64_t index, op;
		if (!wire_next(r, 5, &index) || !wire_next(r, SECCOMP_CMP_MASKED_EQ, &op) ||
		    op < SECCOMP_CMP_NE || !wire_next(r, UINT64_MAX, &args[a].value) ||
		    !wire_next(r, UINT64_MAX, &args[a].value_two))
			return -EINVAL;
		args[a].index = (unsigned)index;
		args[a].op = (enum seccomp_cmp_op)op;
	}
	return seccomp_filter_add(f, (long)nr, (uint32_t)action, args, (size_t)nargs);
}

static int decode_entries(struct wire_reader *r, struct seccomp_filter *f, uint64_t n)
{
	uint64_t prev = 0;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t nr, uncond, action, nrules;
		if (!wire_next(r, SECCOMP_FILTER_NR - 1, &nr) || (i > 0 && nr <= prev) ||
		    !wire_next(r, 1, &uncond) || !wire_next(r, UINT32_MAX, &action) ||
		    !wire_next(r, SECCOMP_MAX_RULES, &nrules) || (!uncond && !nrules) ||
		    (!uncond && action != f->default_action))
			return -EINVAL;
		prev = nr;
		int err = uncond ? seccomp_filter_add(f, (long)nr, (uint32_t)action, NULL, 0) : 0;
		for (uint64_t k = 0; err == 0 && k < nrules; k++)
			err = decode_rule(r, f, nr);
		if (err < 0)
			return err;
	}
	return 0;
}

int seccomp_filter_decode(const char *s, size_t len, struct seccomp_filter **out)
{
	struct wire_reader r = { s, s + len, false };
	uint64_t def, n;
	if (!wire_word(&r, "SF1") || !wire_next(&r, UINT32_MAX, &def) ||
	    !wire_next(&r, SECCOMP_FILTER_NR, &n))
		return -EINVAL;
	struct seccomp_filter *f = seccomp_filter_new((uint32_t)def);
	if (!f)
		return -ENOMEM;
	int err = decode_entries(&r, f, n);
	if (err == 0 && r.p != r.end)
		err = -EINVAL;   /* trailing bytes */
	if (err < 0) {
		seccomp_filter_free(f);
		return err;
	}
	*out = f;
	return 0;
}
