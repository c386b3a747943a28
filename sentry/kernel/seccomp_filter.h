/* A container's seccomp profile (the OCI config's linux.seccomp), applied by
 * the sentry to every guest syscall before it is dispatched.
 *
 * The sentry sees every syscall of guest code, so it does not need the host's
 * BPF: the profile is compiled into a table indexed by syscall number, each
 * entry an action (the profile's for an unconditional rule, else the default)
 * and, for syscalls with argument rules, the list of those rules.  A syscall
 * with no rule gets the default action; one whose rules match gets the most
 * restrictive action among the matching rules (the order Linux uses between
 * filters: KILL_PROCESS, KILL_THREAD, TRAP, ERRNO, TRACE, LOG, ALLOW; the
 * first in the profile's order among equals).
 *
 * Actions are Linux's SECCOMP_RET_* values (the action in the upper 16 bits,
 * the errno or other data in the lower 16), so that --strace and logs can say
 * what they mean; TRACE has no tracer to go to and fails the syscall with
 * ENOSYS, as Linux does without one.  Argument comparisons are libseccomp's
 * (on the full 64-bit register, as on x86-64).  Names are resolved to numbers
 * by the runtime that builds the filter (runsc-compat/sandbox_spec.c).
 */
#ifndef SENTRY_KERNEL_SECCOMP_FILTER_H
#define SENTRY_KERNEL_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;

/* Linux's values (linux/seccomp.h), without its header's other names. */
#define SECCOMP_ACT_KILL_PROCESS 0x80000000u
#define SECCOMP_ACT_KILL_THREAD  0x00000000u
#define SECCOMP_ACT_TRAP         0x00030000u
#define SECCOMP_ACT_ERRNO        0x00050000u
#define SECCOMP_ACT_TRACE        0x7ff00000u
#define SECCOMP_ACT_LOG          0x7ffc0000u
#define SECCOMP_ACT_ALLOW        0x7fff0000u
#define SECCOMP_ACT_MASK         0xffff0000u
#define SECCOMP_ACT_DATA         0x0000ffffu

/* libseccomp's enum scmp_compare. */
enum seccomp_cmp_op {
	SECCOMP_CMP_NE = 1,
	SECCOMP_CMP_LT,
	SECCOMP_CMP_LE,
	SECCOMP_CMP_EQ,
	SECCOMP_CMP_GE,
	SECCOMP_CMP_GT,
	SECCOMP_CMP_MASKED_EQ,   /* (arg & value) == value_two */
};

struct seccomp_arg_cmp {
	unsigned index;          /* 0..5 */
	enum seccomp_cmp_op op;
	uint64_t value, value_two;
};

/* Syscall numbers the table covers; rules for others are refused, and
 * syscalls beyond it (x32's, unknown ones) get the default action. */
#define SECCOMP_FILTER_NR 512

struct seccomp_filter;

/* An empty filter: every syscall gets default_action.  NULL if out of memory. */
struct seccomp_filter *seccomp_filter_new(uint32_t default_action);
void seccomp_filter_free(struct seccomp_filter *f);
/* Adds a rule for syscall nr: action when all nargs comparisons hold (an
 * unconditional rule when nargs is 0).  0, -EINVAL (nr out of range, bad
 * index or operator, more than 6 comparisons) or -ENOMEM. */
int seccomp_filter_add(struct seccomp_filter *f, long nr, uint32_t action,
		       const struct seccomp_arg_cmp *args, size_t nargs);
/* The action for syscall nr with these arguments. */
uint32_t seccomp_filter_eval(const struct seccomp_filter *f, long nr, const uint64_t args[6]);
/* Is a the more restrictive action (or as restrictive as b)? */
bool seccomp_action_stricter(uint32_t a, uint32_t b);

/* The compiled table as one line of text, for a request to a running
 * sandbox (a pod container's, runsc-compat/pod.c → container.c): hex
 * numbers separated by single spaces, no NUL inside:
 *   "SF1" default nentries, then per syscall with rules (ascending nr):
 *   nr unconditional(0/1) action nrules, then per rule: action nargs, then
 *   per comparison: index op value value_two
 * Returns a malloc'd NUL-terminated string, NULL if out of memory. */
char *seccomp_filter_encode(const struct seccomp_filter *f);
/* The filter back from len bytes at s (no NUL needed); every number is
 * bounded and the whole text must be consumed: 0 with *out, -EINVAL for
 * anything malformed (truncated, out of range, trailing bytes), -ENOMEM. */
int seccomp_filter_decode(const char *s, size_t len, struct seccomp_filter **out);

/* The reader of such texts (also sandbox_process_decode's): the next
 * lower-case hex number of at most 16 digits at r->p, preceded by one
 * space unless it is the first; false if there is none or it exceeds max. */
struct wire_reader {
	const char *p, *end;
	bool started;
};
bool wire_next(struct wire_reader *r, uint64_t max, uint64_t *out);
/* Does the text at r->p start with the word w (consumed)? */
bool wire_word(struct wire_reader *r, const char *w);

/* Before dispatch: applies the filter of t's process (t->tg->seccomp: the
 * sandbox's, or its pod container's; NULL: none) to the syscall t is
 * making.  True when the syscall may run; false when it must not, with
 * *ret the value it returns (-errno for ERRNO; for TRAP a SIGSYS is queued;
 * for KILL the thread or process is on its way out). */
bool seccomp_check(struct task *t, long nr, const uint64_t args[6], long *ret);

#endif
