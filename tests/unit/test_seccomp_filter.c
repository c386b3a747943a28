/* The OCI seccomp profile as the sentry applies it: the evaluator
 * (sentry/kernel/seccomp_filter.c) on hand-made rules, the compiler
 * (runsc-compat/sandbox_spec.c) on the profiles podman and ctr write
 * (tests/unit/data/oci/), and the rest of the config → sandbox mapping
 * (mounts, tmpfs options, process attributes, errors). */
#include "runsc-compat/oci_config.h"
#include "runsc-compat/sandbox_spec.h"
#include "sentry/kernel/seccomp_filter.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DATA "tests/unit/data/oci/"

static const uint64_t NOARGS[6];

static uint32_t eval6(const struct seccomp_filter *f, long nr, uint64_t a0, uint64_t a1,
		      uint64_t a2)
{
	uint64_t a[6] = { a0, a1, a2, 0, 0, 0 };
	return seccomp_filter_eval(f, nr, a);
}

/* --- the evaluator --------------------------------------------------------------- */

Test(seccomp_eval, default_and_unconditional)
{
	struct seccomp_filter *f = seccomp_filter_new(SECCOMP_ACT_ERRNO | ENOSYS);
	cr_assert(f);
	cr_assert_eq(seccomp_filter_add(f, SYS_read, SECCOMP_ACT_ALLOW, NULL, 0), 0);
	cr_assert_eq(seccomp_filter_eval(f, SYS_read, NOARGS), SECCOMP_ACT_ALLOW);
	cr_assert_eq(seccomp_filter_eval(f, SYS_write, NOARGS), SECCOMP_ACT_ERRNO | ENOSYS);
	/* Beyond the table (x32 numbers, garbage): the default. */
	cr_assert_eq(seccomp_filter_eval(f, 0x40000000 | SYS_read, NOARGS),
		     SECCOMP_ACT_ERRNO | ENOSYS);
	cr_assert_eq(seccomp_filter_eval(f, -1, NOARGS), SECCOMP_ACT_ERRNO | ENOSYS);
	cr_assert_eq(seccomp_filter_eval(f, SECCOMP_FILTER_NR, NOARGS),
		     SECCOMP_ACT_ERRNO | ENOSYS);
	/* Two unconditional rules for one syscall: the stricter stands. */
	cr_assert_eq(seccomp_filter_add(f, SYS_open, SECCOMP_ACT_ALLOW, NULL, 0), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_open, SECCOMP_ACT_ERRNO | EPERM, NULL, 0), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_open, SECCOMP_ACT_LOG, NULL, 0), 0);
	cr_assert_eq(seccomp_filter_eval(f, SYS_open, NOARGS), SECCOMP_ACT_ERRNO | EPERM);
	seccomp_filter_free(f);
}

Test(seccomp_eval, refuses_bad_rules)
{
	struct seccomp_filter *f = seccomp_filter_new(SECCOMP_ACT_ALLOW);
	struct seccomp_arg_cmp bad_index = { 6, SECCOMP_CMP_EQ, 0, 0 };
	struct seccomp_arg_cmp bad_op = { 0, (enum seccomp_cmp_op)0, 0, 0 };
	struct seccomp_arg_cmp bad_op2 = { 0, (enum seccomp_cmp_op)8, 0, 0 };
	struct seccomp_arg_cmp seven[7] = { { 0, SECCOMP_CMP_EQ, 0, 0 } };
	cr_assert_eq(seccomp_filter_add(f, -1, SECCOMP_ACT_ALLOW, NULL, 0), -EINVAL);
	cr_assert_eq(seccomp_filter_add(f, SECCOMP_FILTER_NR, SECCOMP_ACT_ALLOW, NULL, 0), -EINVAL);
	cr_assert_eq(seccomp_filter_add(f, 1, SECCOMP_ACT_KILL_THREAD, &bad_index, 1), -EINVAL);
	cr_assert_eq(seccomp_filter_add(f, 1, SECCOMP_ACT_KILL_THREAD, &bad_op, 1), -EINVAL);
	cr_assert_eq(seccomp_filter_add(f, 1, SECCOMP_ACT_KILL_THREAD, &bad_op2, 1), -EINVAL);
	cr_assert_eq(seccomp_filter_add(f, 1, SECCOMP_ACT_KILL_THREAD, seven, 7), -EINVAL);
	/* Nothing refused was added. */
	cr_assert_eq(seccomp_filter_eval(f, 1, NOARGS), SECCOMP_ACT_ALLOW);
	seccomp_filter_free(f);
	seccomp_filter_free(NULL);
}

/* One rule "arg1 OP value" → ERRNO 7; everything else allowed. */
static bool holds(enum seccomp_cmp_op op, uint64_t value, uint64_t value_two, uint64_t arg)
{
	struct seccomp_filter *f = seccomp_filter_new(SECCOMP_ACT_ALLOW);
	struct seccomp_arg_cmp c = { 1, op, value, value_two };
	cr_assert_eq(seccomp_filter_add(f, SYS_kill, SECCOMP_ACT_ERRNO | 7, &c, 1), 0);
	uint32_t a = eval6(f, SYS_kill, 0, arg, 0);
	seccomp_filter_free(f);
	return a == (SECCOMP_ACT_ERRNO | 7);
}

Test(seccomp_eval, comparisons)
{
	cr_assert(holds(SECCOMP_CMP_EQ, 5, 0, 5));
	cr_assert(!holds(SECCOMP_CMP_EQ, 5, 0, 6));
	cr_assert(holds(SECCOMP_CMP_NE, 5, 0, 6));
	cr_assert(!holds(SECCOMP_CMP_NE, 5, 0, 5));
	cr_assert(holds(SECCOMP_CMP_LT, 5, 0, 4));
	cr_assert(!holds(SECCOMP_CMP_LT, 5, 0, 5));
	cr_assert(holds(SECCOMP_CMP_LE, 5, 0, 5));
	cr_assert(!holds(SECCOMP_CMP_LE, 5, 0, 6));
	cr_assert(holds(SECCOMP_CMP_GT, 5, 0, 6));
	cr_assert(!holds(SECCOMP_CMP_GT, 5, 0, 5));
	cr_assert(holds(SECCOMP_CMP_GE, 5, 0, 5));
	cr_assert(!holds(SECCOMP_CMP_GE, 5, 0, 4));
	/* Unsigned 64-bit: -1 is the largest value, not below 5. */
	cr_assert(!holds(SECCOMP_CMP_LT, 5, 0, (uint64_t)-1));
	cr_assert(holds(SECCOMP_CMP_EQ, 0xffffffffULL, 0, 0xffffffffULL));
	cr_assert(!holds(SECCOMP_CMP_EQ, 0xffffffffULL, 0, (uint64_t)-1));
	/* (arg & value) == value_two */
	cr_assert(holds(SECCOMP_CMP_MASKED_EQ, 0xf0, 0x30, 0x1234));
	cr_assert(!holds(SECCOMP_CMP_MASKED_EQ, 0xf0, 0x30, 0x1244));
	cr_assert(holds(SECCOMP_CMP_MASKED_EQ, 0x7E020000, 0, 0x11));
}

Test(seccomp_eval, rules_and_or_strictest)
{
	struct seccomp_filter *f = seccomp_filter_new(SECCOMP_ACT_ERRNO | 38);
	/* socket: ERRNO 22 for (16, *, 9); allowed when a2 != 9 or a0 != 16
	 * (podman's rules). */
	struct seccomp_arg_cmp audit[2] = { { 0, SECCOMP_CMP_EQ, 16, 0 }, { 2, SECCOMP_CMP_EQ, 9, 0 } };
	struct seccomp_arg_cmp not9 = { 2, SECCOMP_CMP_NE, 9, 0 };
	struct seccomp_arg_cmp not16 = { 0, SECCOMP_CMP_NE, 16, 0 };
	cr_assert_eq(seccomp_filter_add(f, SYS_socket, SECCOMP_ACT_ERRNO | 22, audit, 2), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_socket, SECCOMP_ACT_ALLOW, &not9, 1), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_socket, SECCOMP_ACT_ALLOW, &not16, 1), 0);
	cr_assert_eq(eval6(f, SYS_socket, 16, 3, 9), SECCOMP_ACT_ERRNO | 22);
	cr_assert_eq(eval6(f, SYS_socket, 16, 3, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_socket, 2, 1, 9), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_socket, 2, 1, 0), SECCOMP_ACT_ALLOW);

	/* personality: only the listed values; the others get the default. */
	struct seccomp_arg_cmp p0 = { 0, SECCOMP_CMP_EQ, 0, 0 }, p8 = { 0, SECCOMP_CMP_EQ, 8, 0 };
	cr_assert_eq(seccomp_filter_add(f, SYS_personality, SECCOMP_ACT_ALLOW, &p0, 1), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_personality, SECCOMP_ACT_ALLOW, &p8, 1), 0);
	cr_assert_eq(eval6(f, SYS_personality, 0, 0, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_personality, 8, 0, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_personality, 1, 0, 0), SECCOMP_ACT_ERRNO | 38);

	/* Overlapping rules: the stricter action wins, whatever the order;
	 * among equal actions the first. */
	struct seccomp_arg_cmp lt10 = { 0, SECCOMP_CMP_LT, 10, 0 };
	struct seccomp_arg_cmp lt5 = { 0, SECCOMP_CMP_LT, 5, 0 };
	cr_assert_eq(seccomp_filter_add(f, SYS_dup, SECCOMP_ACT_ALLOW, &lt10, 1), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_dup, SECCOMP_ACT_TRAP, &lt5, 1), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_dup, SECCOMP_ACT_ERRNO | 3, &lt5, 1), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_dup, SECCOMP_ACT_ERRNO | 4, &lt10, 1), 0);
	cr_assert_eq(eval6(f, SYS_dup, 3, 0, 0), SECCOMP_ACT_TRAP);
	cr_assert_eq(eval6(f, SYS_dup, 7, 0, 0), SECCOMP_ACT_ERRNO | 4);
	cr_assert_eq(eval6(f, SYS_dup, 12, 0, 0), SECCOMP_ACT_ERRNO | 38);
	/* An unconditional rule next to conditional ones. */
	cr_assert_eq(seccomp_filter_add(f, SYS_dup2, SECCOMP_ACT_ALLOW, NULL, 0), 0);
	cr_assert_eq(seccomp_filter_add(f, SYS_dup2, SECCOMP_ACT_KILL_PROCESS, &lt5, 1), 0);
	cr_assert_eq(eval6(f, SYS_dup2, 9, 0, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_dup2, 1, 0, 0), SECCOMP_ACT_KILL_PROCESS);
	seccomp_filter_free(f);
}

Test(seccomp_eval, action_order)
{
	static const uint32_t order[] = { SECCOMP_ACT_KILL_PROCESS, SECCOMP_ACT_KILL_THREAD,
					  SECCOMP_ACT_TRAP, SECCOMP_ACT_ERRNO | 1,
					  SECCOMP_ACT_TRACE, SECCOMP_ACT_LOG, SECCOMP_ACT_ALLOW };
	size_t n = sizeof order / sizeof order[0];
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			cr_assert_eq(seccomp_action_stricter(order[i], order[j]), i <= j,
				     "%zu vs %zu", i, j);
}

/* --- the compiler on real profiles -------------------------------------------------- */

static struct seccomp_filter *compile_sample(const char *file, struct oci_config *c)
{
	char err[OCI_ERR_MAX];
	memset(c, 0, sizeof *c);
	cr_assert_eq(oci_config_load(file, c, err), 0, "%s", err);
	cr_assert(c->seccomp);
	struct seccomp_filter *f = NULL;
	char why[256];
	cr_assert_eq(sandbox_spec_seccomp(c->seccomp, &f, why, sizeof why), 0, "%s", why);
	return f;
}

Test(seccomp_compile, podman_profile)
{
	struct oci_config c;
	struct seccomp_filter *f = compile_sample(DATA "podman-rootfs-config.json", &c);
	cr_assert_eq(seccomp_filter_eval(f, SYS_read, NOARGS), SECCOMP_ACT_ALLOW);
	cr_assert_eq(seccomp_filter_eval(f, SYS_execve, NOARGS), SECCOMP_ACT_ALLOW);
	cr_assert_eq(seccomp_filter_eval(f, SYS_rt_sigreturn, NOARGS), SECCOMP_ACT_ALLOW);
	/* ERRNO rules with errnoRet 1 */
	cr_assert_eq(seccomp_filter_eval(f, SYS_kexec_load, NOARGS), SECCOMP_ACT_ERRNO | EPERM);
	cr_assert_eq(seccomp_filter_eval(f, SYS_clock_settime, NOARGS), SECCOMP_ACT_ERRNO | EPERM);
	cr_assert_eq(seccomp_filter_eval(f, SYS_open_by_handle_at, NOARGS),
		     SECCOMP_ACT_ERRNO | EPERM);
	/* setns is both in the ERRNO list and the ALLOW list: the stricter. */
	cr_assert_eq(seccomp_filter_eval(f, SYS_setns, NOARGS), SECCOMP_ACT_ERRNO | EPERM);
	/* argument rules */
	cr_assert_eq(eval6(f, SYS_socket, 16, 3, 9), SECCOMP_ACT_ERRNO | EINVAL);
	cr_assert_eq(eval6(f, SYS_socket, 16, 3, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_socket, 2, 1, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_personality, 0, 0, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_personality, 0xffffffff, 0, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_personality, 1, 0, 0), SECCOMP_ACT_ERRNO | ENOSYS);
	/* defaultErrnoRet 38 for whatever the profile does not name */
	cr_assert_eq(seccomp_filter_eval(f, SYS_kexec_file_load + 100, NOARGS),
		     SECCOMP_ACT_ERRNO | ENOSYS);
	seccomp_filter_free(f);
	oci_config_free(&c);
}

Test(seccomp_compile, ctr_profile)
{
	struct oci_config c;
	struct seccomp_filter *f = compile_sample(DATA "ctr-seccomp-readonly-limits-config.json", &c);
	/* No defaultErrnoRet: EPERM, as runc */
	cr_assert_eq(seccomp_filter_eval(f, SYS_kexec_load, NOARGS), SECCOMP_ACT_ERRNO | EPERM);
	cr_assert_eq(seccomp_filter_eval(f, SYS_getpid, NOARGS), SECCOMP_ACT_ALLOW);
	cr_assert_eq(seccomp_filter_eval(f, SYS_ptrace, NOARGS), SECCOMP_ACT_ALLOW);
	/* clone: allowed unless a namespace flag is set (MASKED_EQ 0x7E020000 == 0) */
	cr_assert_eq(eval6(f, SYS_clone, 0x01200011, 0, 0), SECCOMP_ACT_ALLOW);
	cr_assert_eq(eval6(f, SYS_clone, 0x10000000 | 17, 0, 0), SECCOMP_ACT_ERRNO | EPERM);
	cr_assert_eq(eval6(f, SYS_clone, 0x00020000, 0, 0), SECCOMP_ACT_ERRNO | EPERM);
	cr_assert_eq(seccomp_filter_eval(f, 435 /* clone3 */, NOARGS), SECCOMP_ACT_ERRNO | ENOSYS);
	seccomp_filter_free(f);
	oci_config_free(&c);
}

static int compile_text(const char *profile, struct seccomp_filter **f, char *why)
{
	char text[2048], err[OCI_ERR_MAX];
	snprintf(text, sizeof text,
		 "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"
		 "\"linux\":{\"seccomp\":%s}}", profile);
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	struct oci_config c;
	memset(&c, 0, sizeof c);
	cr_assert_eq(oci_config_parse(text, strlen(text), &c, err), 0, "%s", err);
	int r = sandbox_spec_seccomp(c.seccomp, f, why, 256);
	oci_config_free(&c);
	return r;
}

Test(seccomp_compile, actions_and_names)
{
	struct seccomp_filter *f = NULL;
	char why[256];
	cr_assert_eq(compile_text("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
				  "{'names':['getppid'],'action':'SCMP_ACT_ERRNO','errnoRet':77},"
				  "{'names':['uname'],'action':'SCMP_ACT_ERRNO'},"
				  "{'names':['sched_yield'],'action':'SCMP_ACT_KILL_PROCESS'},"
				  "{'names':['getuid'],'action':'SCMP_ACT_KILL'},"
				  "{'names':['getgid'],'action':'SCMP_ACT_KILL_THREAD'},"
				  "{'names':['gettid'],'action':'SCMP_ACT_TRAP'},"
				  "{'names':['getpid'],'action':'SCMP_ACT_LOG'},"
				  "{'names':['geteuid'],'action':'SCMP_ACT_TRACE'},"
				  "{'names':['no_such_call','socketcall','getegid'],"
				  "'action':'SCMP_ACT_ERRNO','errnoRet':5}]}",
				  &f, why), 0, "%s", why);
	cr_assert_eq(seccomp_filter_eval(f, SYS_getppid, NOARGS), SECCOMP_ACT_ERRNO | 77);
	cr_assert_eq(seccomp_filter_eval(f, SYS_uname, NOARGS), SECCOMP_ACT_ERRNO | EPERM);
	cr_assert_eq(seccomp_filter_eval(f, SYS_sched_yield, NOARGS), SECCOMP_ACT_KILL_PROCESS);
	cr_assert_eq(seccomp_filter_eval(f, SYS_getuid, NOARGS), SECCOMP_ACT_KILL_THREAD);
	cr_assert_eq(seccomp_filter_eval(f, SYS_getgid, NOARGS), SECCOMP_ACT_KILL_THREAD);
	cr_assert_eq(seccomp_filter_eval(f, SYS_gettid, NOARGS), SECCOMP_ACT_TRAP);
	cr_assert_eq(seccomp_filter_eval(f, SYS_getpid, NOARGS), SECCOMP_ACT_LOG);
	cr_assert_eq(seccomp_filter_eval(f, SYS_geteuid, NOARGS) & SECCOMP_ACT_MASK,
		     SECCOMP_ACT_TRACE);
	/* unknown and non-x86-64 names are skipped, the rest of the rule kept */
	cr_assert_eq(seccomp_filter_eval(f, SYS_getegid, NOARGS), SECCOMP_ACT_ERRNO | 5);
	cr_assert_eq(seccomp_filter_eval(f, SYS_read, NOARGS), SECCOMP_ACT_ALLOW);
	seccomp_filter_free(f);

	f = NULL;
	cr_assert_eq(compile_text("{'defaultAction':'SCMP_ACT_ALLOW','syscalls':["
				  "{'names':['read'],'action':'SCMP_ACT_NOTIFY'}]}", &f, why), -1);
	cr_assert_str_eq(why, "linux.seccomp: action SCMP_ACT_NOTIFY is not supported");
	cr_assert_null(f);
	cr_assert_eq(compile_text("{'defaultAction':'SCMP_ACT_NOTIFY'}", &f, why), -1);
	cr_assert_eq(compile_text("{'defaultAction':'SCMP_ACT_ERRNO','defaultErrnoRet':12}", &f,
				  why), 0, "%s", why);
	cr_assert_eq(seccomp_filter_eval(f, SYS_read, NOARGS), SECCOMP_ACT_ERRNO | 12);
	seccomp_filter_free(f);
}

/* --- the rest of the mapping --------------------------------------------------------- */

Test(sandbox_spec, sizes)
{
	cr_assert_eq(sandbox_spec_size("65536k"), 64LL << 20);
	cr_assert_eq(sandbox_spec_size("64m"), 64LL << 20);
	cr_assert_eq(sandbox_spec_size("2G"), 2LL << 30);
	cr_assert_eq(sandbox_spec_size("4096"), 4096);
	cr_assert_gt(sandbox_spec_size("50%"), 0);
	cr_assert_eq(sandbox_spec_size("101%"), -1);
	cr_assert_eq(sandbox_spec_size("12x"), -1);
	cr_assert_eq(sandbox_spec_size("k"), -1);
	cr_assert_eq(sandbox_spec_size(""), -1);
	cr_assert_eq(sandbox_spec_size("-5"), -1);
	cr_assert_eq(sandbox_spec_size("99999999999999999999k"), -1);
	cr_assert_eq(sandbox_spec_size("18014398509481984k"), -1);   /* overflows */
}

/* config text (' for ") through sandbox_spec_apply with the repository as
 * the bundle; returns its result, why on failure. */
static int apply(const char *body, struct oci_config *c, struct sandbox_config *cfg, char *why)
{
	char text[4096], err[OCI_ERR_MAX], cwd[PATH_MAX];
	snprintf(text, sizeof text,
		 "{'ociVersion':'1.0.2','root':{'path':'rootfs','readonly':true},"
		 "'process':{'args':['sh'],'cwd':'/','user':{'uid':1000,'gid':100,"
		 "'additionalGids':[30,20],'umask':23},"
		 "'rlimits':[{'type':'RLIMIT_NOFILE','soft':100,'hard':200}],"
		 "'noNewPrivileges':true,'capabilities':{'bounding':['CAP_KILL','CAP_CHOWN'],"
		 "'effective':['CAP_KILL','CAP_CHOWN'],'permitted':['CAP_KILL']}}%s}", body);
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	memset(c, 0, sizeof *c);
	memset(cfg, 0, sizeof *cfg);
	cr_assert_eq(oci_config_parse(text, strlen(text), c, err), 0, "%s", err);
	cr_assert(getcwd(cwd, sizeof cwd));
	return sandbox_spec_apply(c, cwd, cfg, why, 256);
}

Test(sandbox_spec, process_and_mounts)
{
	struct oci_config c;
	struct sandbox_config cfg;
	char why[256];
	cr_assert_eq(apply(",'mounts':["
			   "{'destination':'/proc','type':'proc','source':'proc'},"
			   "{'destination':'/run','type':'tmpfs','source':'tmpfs',"
			   "'options':['nosuid','size=64k','mode=700','uid=5','gid=6']},"
			   "{'destination':'/etc/x.json','type':'bind','source':'tests/unit/data/oci/"
			   "ctr-exec-process.json','options':['rbind','ro','nodev']},"
			   "{'destination':'/data','type':'none','source':'/tmp','options':['bind']},"
			   "{'destination':'/dev/mqueue','type':'mqueue','source':'mqueue'},"
			   "{'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup'}],"
			   "'linux':{'maskedPaths':['/proc/kcore'],'readonlyPaths':['/proc/sys']}",
			   &c, &cfg, why), 0, "%s", why);
	const struct sandbox_process *p = cfg.opts.process;
	cr_assert(p);
	cr_assert_eq(p->ngroups, 2);
	cr_assert_eq(p->groups[0], 30);
	cr_assert_eq(p->groups[1], 20);
	cr_assert(p->has_umask);
	cr_assert_eq(p->umask, 027);   /* 23 in the JSON */
	cr_assert_eq(p->nrlimits, 1);
	cr_assert_eq(p->rlimits[0].resource, RLIMIT_NOFILE);
	cr_assert_eq(p->rlimits[0].soft, 100);
	cr_assert_eq(p->rlimits[0].hard, 200);
	cr_assert(p->no_new_privs);
	cr_assert(p->has_caps);
	cr_assert_eq(p->cap_bounding, (1ULL << CAP_KILL) | (1ULL << CAP_CHOWN));
	cr_assert_eq(p->cap_permitted, 1ULL << CAP_KILL);
	cr_assert(cfg.root_readonly);
	cr_assert_eq(cfg.nmasked_paths, 1);
	cr_assert_str_eq(cfg.masked_paths[0], "/proc/kcore");
	cr_assert_eq(cfg.nreadonly_paths, 1);
	cr_assert_null(cfg.opts.seccomp);

	cr_assert_eq(cfg.nmounts, 6);
	cr_assert_eq(cfg.mounts[0].type, SANDBOX_MOUNT_PROC);
	cr_assert_eq(cfg.mounts[1].type, SANDBOX_MOUNT_TMPFS);
	cr_assert_str_eq(cfg.mounts[1].guest, "/run");
	cr_assert_eq(cfg.mounts[1].size, 64 << 10);
	cr_assert_eq(cfg.mounts[1].mode, 0700);
	cr_assert_eq(cfg.mounts[1].uid, 5);
	cr_assert_eq(cfg.mounts[1].gid, 6);
	cr_assert_eq(cfg.mounts[1].flags, MNT_NOSUID);
	cr_assert(!cfg.mounts[1].readonly);
	/* a file bind mount, its relative source resolved against the bundle */
	cr_assert_eq(cfg.mounts[2].type, SANDBOX_MOUNT_BIND);
	cr_assert_eq(cfg.mounts[2].host[0], '/');
	cr_assert(strstr(cfg.mounts[2].host, "/tests/unit/data/oci/ctr-exec-process.json"));
	cr_assert(cfg.mounts[2].readonly);
	cr_assert_eq(cfg.mounts[2].flags, MNT_NODEV);
	cr_assert_eq(cfg.mounts[3].type, SANDBOX_MOUNT_BIND);   /* type none + bind */
	cr_assert_str_eq(cfg.mounts[3].host, "/tmp");
	cr_assert_eq(cfg.mounts[4].type, SANDBOX_MOUNT_MQUEUE);
	cr_assert_eq(cfg.mounts[5].type, SANDBOX_MOUNT_CGROUP);
	sandbox_spec_free(&cfg);
	oci_config_free(&c);
}

Test(sandbox_spec, errors)
{
	struct oci_config c;
	struct sandbox_config cfg;
	char why[256];
	cr_assert_eq(apply(",'mounts':[{'destination':'/x','type':'nfs','source':'srv:/x'}]",
			   &c, &cfg, why), -1);
	sandbox_spec_free(&cfg);
	cr_assert_str_eq(why, "mounts[0]: /x: mount type \"nfs\" is not supported");
	oci_config_free(&c);
	cr_assert_eq(apply(",'mounts':[{'destination':'/x','type':'bind',"
			   "'source':'/no/such/dir','options':['rbind']}]", &c, &cfg, why), -1);
	sandbox_spec_free(&cfg);
	cr_assert_str_eq(why, "mounts[0]: source /no/such/dir: No such file or directory");
	oci_config_free(&c);
	cr_assert_eq(apply(",'mounts':[{'destination':'/x','type':'tmpfs','source':'tmpfs',"
			   "'options':['size=lots']}]", &c, &cfg, why), -1);
	sandbox_spec_free(&cfg);
	cr_assert_str_eq(why, "mounts[0]: bad tmpfs option \"size=lots\"");
	oci_config_free(&c);
	cr_assert_eq(apply(",'mounts':[{'destination':'/x','type':'tmpfs','source':'tmpfs',"
			   "'options':['mode=999']}]", &c, &cfg, why), -1);
	sandbox_spec_free(&cfg);
	cr_assert_str_eq(why, "mounts[0]: bad tmpfs option \"mode=999\"");
	oci_config_free(&c);
	cr_assert_eq(apply(",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_NOTIFY'}}", &c, &cfg,
			   why), -1);
	sandbox_spec_free(&cfg);
	cr_assert_str_eq(why, "linux.seccomp: action SCMP_ACT_NOTIFY is not supported");
	oci_config_free(&c);
}
