/* The text forms a running sandbox receives in its control-socket
 * requests: a pod container's compiled seccomp profile
 * (seccomp_filter_encode/decode, sentry/kernel/seccomp_filter.c) and a
 * process's settings (sandbox_process_encode/decode, boot_oci.c).  Round
 * trips, and every truncated or garbled text refused without a crash. */
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp_filter.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static const uint64_t NOARGS[6];

static struct seccomp_filter *sample_filter(void)
{
	struct seccomp_filter *f = seccomp_filter_new(SECCOMP_ACT_ERRNO | EPERM);
	cr_assert(f);
	cr_assert_eq(seccomp_filter_add(f, SYS_read, SECCOMP_ACT_ALLOW, NULL, 0), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_mkdir, SECCOMP_ACT_ERRNO | 1, NULL, 0), 0);
	struct seccomp_arg_cmp pers[] = { { 0, SECCOMP_CMP_EQ, 0xffffffffULL, 0 } };
	cr_assert_eq(seccomp_filter_add(f, SYS_personality, SECCOMP_ACT_ALLOW, pers, 1), 0);
	struct seccomp_arg_cmp clone[] = { { 0, SECCOMP_CMP_MASKED_EQ, 0x7e020000ULL, 0 },
					   { 2, SECCOMP_CMP_GT, 5, 0 } };
	cr_assert_eq(seccomp_filter_add(f, SYS_clone, SECCOMP_ACT_ALLOW, clone, 2), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_clone, SECCOMP_ACT_KILL_PROCESS, clone, 1), 0);
	/* Both an unconditional action and argument rules. */
	cr_assert_eq(seccomp_filter_add(f, SYS_write, SECCOMP_ACT_LOG, NULL, 0), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_write, SECCOMP_ACT_TRAP, pers, 1), 0);
	cr_assert_eq(seccomp_filter_add(f, SECCOMP_FILTER_NR - 1, SECCOMP_ACT_ALLOW, NULL, 0), 0);
	return f;
}

static uint32_t eval3(const struct seccomp_filter *f, long nr, uint64_t a0, uint64_t a2)
{
	uint64_t a[6] = { a0, 0, a2, 0, 0, 0 };
	return seccomp_filter_eval(f, nr, a);
}

/* Every syscall and a few argument values: f and g decide the same. */
static void assert_same(const struct seccomp_filter *f, const struct seccomp_filter *g)
{
	static const uint64_t vals[] = { 0, 1, 6, 0xffffffffULL, 0x7e020000ULL, ~0ULL };
	for (long nr = -1; nr <= SECCOMP_FILTER_NR; nr++)
		for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
			for (size_t j = 0; j < sizeof vals / sizeof vals[0]; j++)
				cr_assert_eq(eval3(f, nr, vals[i], vals[j]),
					     eval3(g, nr, vals[i], vals[j]), "nr %ld", nr);
}

Test(seccomp_wire, round_trip)
{
	struct seccomp_filter *f = sample_filter(), *g = NULL;
	char *text = seccomp_filter_encode(f);
	cr_assert(text);
	cr_assert_null(strchr(text, '\n'));
	cr_assert_eq(seccomp_filter_decode(text, strlen(text), &g), 0);
	assert_same(f, g);
	cr_assert_eq(seccomp_filter_eval(g, SYS_mkdir, NOARGS), SECCOMP_ACT_ERRNO | 1);
	/* Both clone rules match: the stricter; none: the default. */
	cr_assert_eq(eval3(g, SYS_clone, 0, 9), SECCOMP_ACT_KILL_PROCESS);
	cr_assert_eq(eval3(g, SYS_clone, 0x7e020000ULL, 9), SECCOMP_ACT_ERRNO | EPERM);
	/* The same text again: encoding is deterministic. */
	char *again = seccomp_filter_encode(g);
	cr_assert_str_eq(again, text);
	free(again);
	free(text);
	seccomp_filter_free(f);
	seccomp_filter_free(g);
}

Test(seccomp_wire, empty_filter)
{
	struct seccomp_filter *f = seccomp_filter_new(SECCOMP_ACT_ALLOW), *g = NULL;
	char *text = seccomp_filter_encode(f);
	cr_assert_str_eq(text, "SF1 7fff0000 0");
	cr_assert_eq(seccomp_filter_decode(text, strlen(text), &g), 0);
	assert_same(f, g);
	free(text);
	seccomp_filter_free(f);
	seccomp_filter_free(g);
}

Test(seccomp_wire, every_truncation_refused)
{
	struct seccomp_filter *f = sample_filter();
	char *text = seccomp_filter_encode(f);
	size_t len = strlen(text);
	for (size_t n = 0; n < len; n++) {
		struct seccomp_filter *g = NULL;
		/* (a copy of exactly n bytes: a reader past them is caught by ASan) */
		char *cut = malloc(n ? n : 1);
		memcpy(cut, text, n);
		int err = seccomp_filter_decode(cut, n, &g);
		if (err == 0) {
			/* Only a cut inside the last number can still parse: a
			 * different, smaller value. */
			cr_assert_gt(n, len - 3, "cut at %zu of %zu parsed", n, len);
			seccomp_filter_free(g);
		} else {
			cr_assert_eq(err, -EINVAL, "cut at %zu", n);
		}
		free(cut);
	}
	free(text);
	seccomp_filter_free(f);
}

static void refused(const char *text)
{
	struct seccomp_filter *g = NULL;
	cr_assert_eq(seccomp_filter_decode(text, strlen(text), &g), -EINVAL, "%s", text);
	cr_assert_null(g);
}

Test(seccomp_wire, garbage_refused)
{
	refused("");
	refused("SF2 7fff0000 0");
	refused("SF1");
	refused("SF1 7fff0000");
	refused("SF1 7fff0000 0 ");                 /* trailing space */
	refused("SF1 7fff0000 0 0");                /* trailing number */
	refused("SF1  7fff0000 0");                 /* two spaces */
	refused("SF1 7FFF0000 0");                  /* upper case */
	refused("SF1 -1 0");
	refused("SF1 0x10 0");
	refused("SF1 100000000 0");                 /* action beyond 32 bits */
	refused("SF1 0 11111111111111111 0");       /* 17 digits */
	refused("SF1 0 201");                       /* more entries than syscalls */
	refused("SF1 0 1 200 1 7fff0000 0");        /* nr 512 */
	refused("SF1 0 1 0 2 7fff0000 0");          /* unconditional: 0 or 1 */
	refused("SF1 0 1 0 0 0 0");                 /* an entry with nothing */
	refused("SF1 0 1 0 0 5 1 7fff0000 1 0 4 0 0");   /* conditional: the default action */
	refused("SF1 0 2 1 1 7fff0000 0 1 1 7fff0000 0");   /* nr not ascending */
	refused("SF1 0 1 0 1 7fff0000 1 7fff0000 0");   /* a rule without comparisons */
	refused("SF1 0 1 0 1 7fff0000 1 7fff0000 7 0 4 0 0");   /* 7 comparisons */
	refused("SF1 0 1 0 1 7fff0000 1 7fff0000 1 6 4 0 0");   /* argument 6 */
	refused("SF1 0 1 0 1 7fff0000 1 7fff0000 1 0 0 0 0");   /* operator 0 */
	refused("SF1 0 1 0 1 7fff0000 1 7fff0000 1 0 8 0 0");   /* operator 8 */
	refused("SF1 0 1 0 1 7fff0000 1 7fff0000 1 0 4 0");     /* value_two missing */
	refused("SF1 0 1 0 1 7fff0000 100000 7fff0000 0");      /* too many rules */
	/* A NUL inside the counted bytes. */
	struct seccomp_filter *g = NULL;
	cr_assert_eq(seccomp_filter_decode("SF1 0\0 0", 8, &g), -EINVAL);
}

Test(seccomp_wire, random_garble_never_crashes)
{
	struct seccomp_filter *f = sample_filter();
	char *text = seccomp_filter_encode(f);
	size_t len = strlen(text);
	static const char alphabet[] = "0123456789abcdef -xSF\0";
	srand(42);
	for (int round = 0; round < 20000; round++) {
		char *t = malloc(len);
		memcpy(t, text, len);
		for (int k = rand() % 4; k >= 0; k--)
			t[(size_t)rand() % len] = alphabet[(size_t)rand() % (sizeof alphabet - 1)];
		struct seccomp_filter *g = NULL;
		int err = seccomp_filter_decode(t, len, &g);
		cr_assert(err == 0 || err == -EINVAL);
		if (err == 0)
			seccomp_filter_free(g);
		free(t);
	}
	free(text);
	seccomp_filter_free(f);
}

/* --- process settings ---------------------------------------------------------------- */

Test(process_wire, round_trip)
{
	static const gid_t groups[] = { 10, 20, 0xfffffffe };
	static const struct sandbox_rlimit rl[] = { { RLIMIT_NOFILE, 321, 654 },
						    { RLIMIT_CORE, 0, ~0ULL } };
	struct sandbox_process p = {
		.groups = groups, .ngroups = 3, .has_umask = true, .umask = 027,
		.rlimits = rl, .nrlimits = 2, .no_new_privs = true, .has_caps = true,
		.cap_bounding = 0x21, .cap_effective = 0x20, .cap_inheritable = 1,
		.cap_permitted = 0x21, .cap_ambient = 0x1ffffffffffULL,
	};
	char *text = sandbox_process_encode(&p);
	cr_assert(text);
	struct sandbox_process *q = NULL;
	cr_assert_eq(sandbox_process_decode(text, strlen(text), &q), 0);
	cr_assert_eq(q->ngroups, 3);
	cr_assert_arr_eq(q->groups, groups, sizeof groups);
	cr_assert(q->has_umask);
	cr_assert_eq(q->umask, 027);
	cr_assert_eq(q->nrlimits, 2);
	cr_assert_eq(q->rlimits[0].resource, RLIMIT_NOFILE);
	cr_assert_eq(q->rlimits[0].soft, 321);
	cr_assert_eq(q->rlimits[0].hard, 654);
	cr_assert_eq(q->rlimits[1].hard, ~0ULL);
	cr_assert(q->no_new_privs);
	cr_assert(q->has_caps);
	cr_assert_eq(q->cap_bounding, 0x21);
	cr_assert_eq(q->cap_effective, 0x20);
	cr_assert_eq(q->cap_inheritable, 1);
	cr_assert_eq(q->cap_permitted, 0x21);
	cr_assert_eq(q->cap_ambient, 0x1ffffffffffULL);
	sandbox_process_free(q);

	/* Every truncation is refused (a cut inside the last number, 11 digits
	 * long, aside: a smaller value). */
	size_t len = strlen(text);
	for (size_t n = 0; n + 12 < len; n++) {
		char *cut = malloc(n ? n : 1);
		memcpy(cut, text, n);
		q = NULL;
		cr_assert_eq(sandbox_process_decode(cut, n, &q), -EINVAL, "cut at %zu", n);
		free(cut);
	}
	free(text);
}

Test(process_wire, defaults_and_garbage)
{
	struct sandbox_process p = { 0 }, *q = NULL;
	char *text = sandbox_process_encode(&p);
	cr_assert_str_eq(text, "SP1 0 0 0 0 0 0 0 0 0 0 0");
	cr_assert_eq(sandbox_process_decode(text, strlen(text), &q), 0);
	cr_assert(!q->has_caps && !q->no_new_privs && !q->ngroups && !q->nrlimits);
	sandbox_process_free(q);
	free(text);
	static const char *const bad[] = {
		"", "SP1", "SP2 0 0 0 0 0 0 0 0 0 0 0",
		"SP1 0 0 0 0 0 0 0 0 0 0 0 0",          /* trailing */
		"SP1 0 0 0 0 0 0 0 0 0 0",              /* one short */
		"SP1 101 0 0 0 0 0 0 0 0 0 0",          /* 257 groups */
		"SP1 1 ffffffff 0 0 0 0 0 0 0 0 0 0",   /* gid -1 */
		"SP1 0 2 0 0 0 0 0 0 0 0 0",            /* has_umask 2 */
		"SP1 0 1 1000 0 0 0 0 0 0 0 0",         /* umask beyond 0777 */
		"SP1 0 0 0 11 0 0 0 0 0 0 0 0 0",       /* 17 rlimits */
		"SP1 0 0 0 1 10 0 0 0 0 0 0 0 0 0",     /* resource 16 */
		"SP1 0 0 0 1 7 5 4 0 0 0 0 0 0 0",      /* soft above hard */
		"SP1 0 0 0 0 2 0 0 0 0 0 0",            /* no_new_privs 2 */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		q = NULL;
		cr_assert_eq(sandbox_process_decode(bad[i], strlen(bad[i]), &q), -EINVAL, "%s",
			     bad[i]);
		cr_assert_null(q);
	}
}
