/* config.json / process.json parsing (runsc-compat/oci_config.c): every
 * file the real clients wrote (tests/unit/data/oci/, copied from
 * ../shared/design/oci-samples/) parses with the values they hold; each class
 * of error gives its exact message; truncated and mutated input never
 * crashes (run under ASan/UBSan); the default spec round-trips.
 *
 * The unit tests run from the repository root (tests/unit/run.sh is called
 * by `make unit`), so the samples are opened relative to it. */
#include "runsc-compat/oci_config.h"

#include <criterion/criterion.h>

#include <glob.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#define DATA "tests/unit/data/oci/"

/* --- helpers ------------------------------------------------------------------- */

/* JSON written with ' for " (readable C literals). */
static char *json(const char *text)
{
	char *s = strdup(text);
	cr_assert(s);
	for (char *p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

/* Parses text from an exact-size heap copy (no NUL after it), so that ASan
 * sees any read past the end. */
static int parse_config_n(const char *text, size_t len, struct oci_config *c, char *err)
{
	char *buf = malloc(len ? len : 1);
	cr_assert(buf);
	memcpy(buf, text, len);
	int rc = oci_config_parse(buf, len, c, err);
	free(buf);
	return rc;
}

static int parse_process_n(const char *text, size_t len, struct oci_process *p, char *err)
{
	char *buf = malloc(len ? len : 1);
	cr_assert(buf);
	memcpy(buf, text, len);
	int rc = oci_process_parse(buf, len, p, err);
	free(buf);
	return rc;
}

/* config text (with ' for ") must fail with exactly want. */
static void config_error(const char *text, const char *want)
{
	char *s = json(text);
	struct oci_config c;
	char err[OCI_ERR_MAX];
	int rc = parse_config_n(s, strlen(s), &c, err);
	cr_assert_eq(rc, -1, "accepted: %s", s);
	cr_assert_str_eq(err, want, "for %s\n  got: %s", s, err);
	oci_config_free(&c);   /* already freed: must be harmless */
	free(s);
}

static void process_error(const char *text, const char *want)
{
	char *s = json(text);
	struct oci_process p;
	char err[OCI_ERR_MAX];
	int rc = parse_process_n(s, strlen(s), &p, err);
	cr_assert_eq(rc, -1, "accepted: %s", s);
	cr_assert_str_eq(err, want, "for %s\n  got: %s", s, err);
	oci_process_free(&p);
	free(s);
}

static void config_ok(const char *text, struct oci_config *c)
{
	char *s = json(text);
	char err[OCI_ERR_MAX];
	int rc = parse_config_n(s, strlen(s), c, err);
	cr_assert_eq(rc, 0, "%s: %s", s, err);
	free(s);
}

static void load_config(const char *name, struct oci_config *c)
{
	char err[OCI_ERR_MAX];
	int rc = oci_config_load(name, c, err);
	cr_assert_eq(rc, 0, "%s: %s", name, err);
}

static void load_process(const char *name, struct oci_process *p)
{
	char err[OCI_ERR_MAX];
	int rc = oci_process_load(name, p, err);
	cr_assert_eq(rc, 0, "%s: %s", name, err);
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert(f, "%s", path);
	char *buf = malloc(1 << 20);
	cr_assert(buf);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

static bool is_process_file(const char *path)
{
	return strstr(path, "process") != NULL;
}

#define CAP(x) (1ull << (x))
/* The 14 capabilities containerd and CRI give (oci-clients.md, section 3). */
static const uint64_t containerd_caps =
	CAP(CAP_CHOWN) | CAP(CAP_DAC_OVERRIDE) | CAP(CAP_FSETID) | CAP(CAP_FOWNER) |
	CAP(CAP_MKNOD) | CAP(CAP_NET_RAW) | CAP(CAP_SETGID) | CAP(CAP_SETUID) |
	CAP(CAP_SETFCAP) | CAP(CAP_SETPCAP) | CAP(CAP_NET_BIND_SERVICE) | CAP(CAP_SYS_CHROOT) |
	CAP(CAP_KILL) | CAP(CAP_AUDIT_WRITE);

/* The last mount at dest: the one that is visible (CRI's sandbox mounts a
 * tmpfs at /dev/shm, then binds the pod's shm directory over it). */
static const struct oci_mount *find_mount(const struct oci_config *c, const char *dest)
{
	for (size_t i = c->nmounts; i-- > 0;)
		if (strcmp(c->mounts[i].destination, dest) == 0)
			return &c->mounts[i];
	cr_assert_fail("no mount at %s", dest);
	return NULL;
}

#define MINIMAL "{'ociVersion':'1.0.2-dev','root':{'path':'rootfs'}," \
		"'process':{'args':['sh'],'cwd':'/'"
/* MINIMAL's process with more fields, then the rest of the config. */
#define CFG(proc_extra, rest) MINIMAL proc_extra "}" rest "}"

/* --- the clients' samples ---------------------------------------------------------- */

Test(samples, every_sample_parses)
{
	glob_t g;
	cr_assert_eq(glob(DATA "*.json", 0, NULL, &g), 0, "no samples under " DATA);
	cr_assert_geq(g.gl_pathc, 13);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char *path = g.gl_pathv[i];
		if (is_process_file(path)) {
			struct oci_process p;
			load_process(path, &p);
			cr_assert_geq(p.nargs, 1, "%s", path);
			cr_assert_eq(p.cwd[0], '/', "%s", path);
			cr_assert(p.has_caps, "%s", path);
			oci_process_free(&p);
		} else {
			struct oci_config c;
			load_config(path, &c);
			cr_assert_str_eq(c.oci_version, "1.0.2-dev", "%s", path);
			cr_assert(c.has_process, "%s", path);
			cr_assert_neq(c.process.cap_bounding, 0, "%s", path);
			cr_assert_neq(c.process.cap_effective, 0, "%s", path);
			cr_assert_neq(c.process.cap_permitted, 0, "%s", path);
			cr_assert_eq(c.process.cap_inheritable, 0, "%s", path);
			cr_assert_eq(c.process.cap_ambient, 0, "%s", path);
			cr_assert_gt(c.nmounts, 0, "%s", path);
			cr_assert_gt(c.nnamespaces, 0, "%s", path);
			cr_assert(c.cgroups_path && c.cgroups_path[0] == '/', "%s", path);
			oci_config_free(&c);
		}
	}
	globfree(&g);
}

Test(samples, cri_container)
{
	struct oci_config c;
	load_config(DATA "cri-container-config.json", &c);
	const struct oci_process *p = &c.process;
	cr_assert_eq(p->nargs, 3);
	cr_assert_str_eq(p->args[0], "/bin/sh");
	cr_assert_str_eq(p->args[2], "echo hello-cri; exec sleep 1000");
	cr_assert_null(p->args[3]);
	cr_assert_eq(p->nenv, 3);
	cr_assert_str_eq(p->env[2], "FOO=bar");
	cr_assert_null(p->env[3]);
	cr_assert_str_eq(p->cwd, "/");
	cr_assert_eq(p->uid, 0);
	cr_assert_eq(p->nadditional_gids, 1);
	cr_assert_eq(p->additional_gids[0], 0);
	cr_assert_not(p->terminal);
	cr_assert_not(p->has_umask);
	cr_assert_not(p->no_new_privileges);
	cr_assert(p->has_caps);
	cr_assert_eq(p->cap_bounding, containerd_caps);
	cr_assert_eq(p->cap_effective, containerd_caps);
	cr_assert_eq(p->cap_permitted, containerd_caps);
	cr_assert_eq(p->nrlimits, 0);

	cr_assert_str_eq(c.root_path, "rootfs");
	cr_assert_not(c.root_readonly);
	cr_assert_null(c.hostname);
	cr_assert_str_eq(c.cgroups_path,
			 "/k8s.io/379a9768ada79c74ddba3c245ba07251572c200b7918cc53ab290f4ee81a35f2");

	/* Joins the pod sandbox's namespaces by path; a new mount namespace. */
	cr_assert_eq(c.nnamespaces, 5);
	cr_assert_eq(c.namespaces[0].type, OCI_NS_PID);
	cr_assert_str_eq(c.namespaces[0].path, "/proc/26651/ns/pid");
	cr_assert_eq(c.namespaces[1].type, OCI_NS_IPC);
	cr_assert_str_eq(c.namespaces[1].path, "/proc/26651/ns/ipc");
	cr_assert_eq(c.namespaces[2].type, OCI_NS_UTS);
	cr_assert_eq(c.namespaces[3].type, OCI_NS_MOUNT);
	cr_assert_null(c.namespaces[3].path);
	cr_assert_eq(c.namespaces[4].type, OCI_NS_NETWORK);
	cr_assert_str_eq(c.namespaces[4].path, "/proc/26651/ns/net");

	cr_assert_eq(c.nmounts, 10);
	const struct oci_mount *m = find_mount(&c, "/etc/hostname");
	cr_assert(m->bind);
	cr_assert_not(m->readonly);   /* "rw" */
	cr_assert_str_eq(m->type, "bind");
	cr_assert_eq(m->noptions, 3);
	cr_assert_str_eq(m->options[0], "rbind");
	cr_assert_null(m->options[3]);
	m = find_mount(&c, "/sys");
	cr_assert_not(m->bind);
	cr_assert(m->readonly);
	cr_assert_str_eq(m->source, "sysfs");
	m = find_mount(&c, "/sys/fs/cgroup");
	cr_assert_str_eq(m->type, "cgroup");
	cr_assert(m->readonly);
	m = find_mount(&c, "/proc");
	cr_assert_not(m->readonly);
	cr_assert_not(m->bind);

	cr_assert_eq(c.nmasked_paths, 0);
	cr_assert_not_null(c.masked_paths);
	cr_assert_null(c.masked_paths[0]);
	cr_assert_null(c.seccomp);
	cr_assert_not(c.has_memory_limit);
	cr_assert_not(c.has_pids_limit);

	cr_assert_eq(c.nannotations, 7);
	cr_assert_str_eq(oci_annotation(&c, "io.kubernetes.cri.container-type"), "container");
	cr_assert_str_eq(oci_annotation(&c, "io.kubernetes.cri.sandbox-id"),
			 "1d726a416ed78c2f03251be5bc4b8d4c3a47a4b009b29b58d1eace5a4279312c");
	cr_assert_null(oci_annotation(&c, "io.kubernetes.cri.sandbox-log-directory"));
	oci_config_free(&c);
	oci_config_free(&c);   /* twice: harmless */
}

Test(samples, cri_sandbox)
{
	struct oci_config c;
	load_config(DATA "cri-sandbox-config.json", &c);
	cr_assert_str_eq(c.root_path, "rootfs");
	cr_assert(c.root_readonly);
	cr_assert(c.process.no_new_privileges);
	cr_assert(c.process.has_oom_score_adj);
	cr_assert_eq(c.process.oom_score_adj, 0);
	cr_assert_eq(c.nnamespaces, 3);   /* host network: no net/uts */
	for (size_t i = 0; i < c.nnamespaces; i++)
		cr_assert_null(c.namespaces[i].path);
	cr_assert_eq(c.nmasked_paths, 10);
	cr_assert_str_eq(c.masked_paths[0], "/proc/acpi");
	cr_assert_eq(c.nreadonly_paths, 5);
	cr_assert_str_eq(c.readonly_paths[4], "/proc/sysrq-trigger");
	cr_assert_str_eq(oci_annotation(&c, "io.kubernetes.cri.container-type"), "sandbox");
	cr_assert_eq(c.nmounts, 8);
	cr_assert_str_eq(c.mounts[3].destination, "/dev/shm");
	cr_assert_str_eq(c.mounts[3].type, "tmpfs");
	const struct oci_mount *m = find_mount(&c, "/dev/shm");
	cr_assert_eq(m, &c.mounts[6]);
	cr_assert(m->bind);
	cr_assert(m->readonly);
	oci_config_free(&c);
}

Test(samples, ctr_seccomp_limits)
{
	struct oci_config c;
	load_config(DATA "ctr-seccomp-readonly-limits-config.json", &c);
	cr_assert(c.has_memory_limit);
	cr_assert_eq(c.memory_limit, 64 << 20);
	cr_assert_not(c.has_pids_limit);
	cr_assert_str_eq(c.cgroups_path, "/default/ocir-sec");
	cr_assert(c.root_readonly);   /* ctr run --read-only */
	cr_assert_eq(c.process.nrlimits, 1);
	cr_assert_eq(c.process.rlimits[0].resource, RLIMIT_NOFILE);
	cr_assert_eq(c.process.rlimits[0].soft, 1024);
	cr_assert_eq(c.process.rlimits[0].hard, 1024);

	const struct oci_seccomp *s = c.seccomp;
	cr_assert_not_null(s);
	cr_assert_str_eq(s->default_action, "SCMP_ACT_ERRNO");
	cr_assert_not(s->has_default_errno_ret);
	cr_assert_eq(s->narchitectures, 3);
	cr_assert_str_eq(s->architectures[0], "SCMP_ARCH_X86_64");
	cr_assert_eq(s->nsyscalls, 11);
	cr_assert_eq(s->syscalls[0].nnames, 349);
	cr_assert_str_eq(s->syscalls[0].names[0], "accept");
	cr_assert_str_eq(s->syscalls[0].action, "SCMP_ACT_ALLOW");
	cr_assert_eq(s->syscalls[0].nargs, 0);
	const struct oci_seccomp_rule *clone = &s->syscalls[9];
	cr_assert_str_eq(clone->names[0], "clone");
	cr_assert_eq(clone->nargs, 1);
	cr_assert_eq(clone->args[0].index, 0);
	cr_assert_eq(clone->args[0].value, 2114060288);
	cr_assert_eq(clone->args[0].value_two, 0);
	cr_assert_str_eq(clone->args[0].op, "SCMP_CMP_MASKED_EQ");
	const struct oci_seccomp_rule *clone3 = &s->syscalls[10];
	cr_assert_str_eq(clone3->names[0], "clone3");
	cr_assert_str_eq(clone3->action, "SCMP_ACT_ERRNO");
	cr_assert(clone3->has_errno_ret);
	cr_assert_eq(clone3->errno_ret, 38);
	cr_assert_not(s->syscalls[0].has_errno_ret);
	oci_config_free(&c);
}

Test(samples, podman_image)
{
	struct oci_config c;
	load_config(DATA "podman-image-config.json", &c);
	const struct oci_process *p = &c.process;
	cr_assert(p->has_umask);
	cr_assert_eq(p->umask, 022);
	cr_assert_eq(p->nrlimits, 2);
	cr_assert_eq(p->rlimits[0].resource, RLIMIT_NOFILE);
	cr_assert_eq(p->rlimits[1].resource, RLIMIT_NPROC);
	cr_assert_eq(p->rlimits[1].hard, 20000);
	cr_assert_eq(p->cap_bounding,
		     containerd_caps & ~(CAP(CAP_MKNOD) | CAP(CAP_NET_RAW) | CAP(CAP_AUDIT_WRITE)));
	cr_assert_str_eq(c.hostname, "fc4f9358aa16");
	cr_assert(c.has_pids_limit);
	cr_assert_eq(c.pids_limit, 2048);
	cr_assert_str_eq(oci_annotation(&c, "org.opencontainers.image.stopSignal"), "15");
	cr_assert_str_eq(oci_annotation(&c, "io.container.manager"), "libpod");

	/* Bind mounts of single files, type "bind" with option "bind". */
	const struct oci_mount *m = find_mount(&c, "/run/.containerenv");
	cr_assert(m->bind);
	cr_assert_not(m->readonly);
	m = find_mount(&c, "/sys/fs/cgroup");
	cr_assert(m->readonly);

	const struct oci_seccomp *s = c.seccomp;
	cr_assert(s->has_default_errno_ret);
	cr_assert_eq(s->default_errno_ret, 38);   /* ENOSYS */
	cr_assert_eq(s->nsyscalls, 22);
	/* personality(0xffffffff): a value above INT32_MAX. */
	cr_assert_eq(s->syscalls[6].args[0].value, 4294967295u);
	/* socket(AF_NETLINK, *, NETLINK_AUDIT) -> EINVAL: two argument rules. */
	const struct oci_seccomp_rule *sock = &s->syscalls[18];
	cr_assert_str_eq(sock->names[0], "socket");
	cr_assert_eq(sock->errno_ret, 22);
	cr_assert_eq(sock->nargs, 2);
	cr_assert_eq(sock->args[1].index, 2);
	cr_assert_eq(sock->args[1].value, 9);
	oci_config_free(&c);
}

Test(samples, ctr_rootfs_tty)
{
	struct oci_config c;
	load_config(DATA "ctr-rootfs-tty-config.json", &c);
	cr_assert(c.process.terminal);
	cr_assert_eq(c.root_path[0], '/');
	cr_assert(c.process.no_new_privileges);
	cr_assert_str_eq(c.cgroups_path, "/default/ocir-b");
	oci_config_free(&c);
}

Test(samples, exec_processes)
{
	struct oci_process p;
	load_process(DATA "ctr-exec-user-cwd-process.json", &p);
	cr_assert_eq(p.uid, 1000);
	cr_assert_eq(p.gid, 0);
	cr_assert_str_eq(p.cwd, "/tmp");
	cr_assert_eq(p.nenv, 0);            /* ctr sends no env at all */
	cr_assert_not_null(p.env);
	cr_assert_null(p.env[0]);
	cr_assert_eq(p.nrlimits, 1);
	cr_assert_eq(p.rlimits[0].resource, RLIMIT_NOFILE);
	cr_assert(p.no_new_privileges);
	cr_assert_not(p.terminal);
	oci_process_free(&p);

	load_process(DATA "ctr-exec-tty-process.json", &p);
	cr_assert(p.terminal);
	oci_process_free(&p);

	load_process(DATA "podman-exec-process.json", &p);
	cr_assert_eq(p.nargs, 2);
	cr_assert_str_eq(p.args[1], "500");
	cr_assert_eq(p.nenv, 3);
	cr_assert_str_eq(p.env[2], "HOME=/root");
	cr_assert_not(p.no_new_privileges);
	oci_process_free(&p);

	load_process(DATA "cri-execsync-process.json", &p);
	cr_assert_eq(p.cap_effective, containerd_caps);
	oci_process_free(&p);
}

/* --- accepted variants ------------------------------------------------------------- */

Test(accept, minimal_and_unknown_fields_and_nulls)
{
	struct oci_config c;
	config_ok(CFG(",'futureField':{'x':[1,2]},'user':{'uid':5,'gid':6,'username':'x'},"
		      "'env':null,'capabilities':null",
		      ",'hostname':null,'linux':{'intelRdt':{},'namespaces':[{'type':'pid','path':''}],"
		      "'sysctl':{'a':'b'}},'hooks':{'prestart':[]},'annotations':{'k':null,'k2':'v'}"),
		  &c);
	cr_assert_eq(c.process.uid, 5);
	cr_assert_eq(c.process.gid, 6);
	cr_assert_eq(c.process.nenv, 0);
	cr_assert_not(c.process.has_caps);
	cr_assert_null(c.hostname);
	cr_assert_eq(c.nnamespaces, 1);
	cr_assert_null(c.namespaces[0].path);   /* "" = a new namespace */
	cr_assert_eq(c.nannotations, 1);
	cr_assert_str_eq(oci_annotation(&c, "k2"), "v");
	cr_assert_null(oci_annotation(&c, "k"));
	cr_assert_not_null(c.readonly_paths);
	oci_config_free(&c);

	/* No process, no linux section. */
	config_ok("{'ociVersion':'1.1.0','root':{'path':'/r','readonly':false}}", &c);
	cr_assert_not(c.has_process);
	cr_assert_eq(c.nnamespaces, 0);
	cr_assert_eq(c.nmounts, 0);
	oci_config_free(&c);
}

Test(accept, uint64_limits_and_ranges)
{
	struct oci_config c;
	/* RLIM_INFINITY as Go writes it, and the largest valid uid. */
	config_ok(CFG(",'user':{'uid':4294967294,'gid':0,'umask':511,'additionalGids':[4294967294]},"
		      "'consoleSize':{'height':65535,'width':0},'oomScoreAdj':-1000,"
		      "'rlimits':[{'type':'RLIMIT_MEMLOCK','soft':18446744073709551615,"
		      "'hard':18446744073709551615},{'type':'RLIMIT_CORE','soft':0,"
		      "'hard':9223372036854775808}]",
		      ",'linux':{'resources':{'memory':{'limit':-1},'pids':{'limit':0}},"
		      "'seccomp':{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['x'],"
		      "'action':'SCMP_ACT_ERRNO','errnoRet':4095,'args':[{'index':5,"
		      "'value':18446744073709551615,'valueTwo':12345678901234567890,"
		      "'op':'SCMP_CMP_MASKED_EQ'}]}]}}"),
		  &c);
	cr_assert_eq(c.process.uid, 4294967294u);
	cr_assert_eq(c.process.umask, 0777);
	cr_assert_eq(c.process.additional_gids[0], 4294967294u);
	cr_assert_eq(c.process.console_height, 65535);
	cr_assert_eq(c.process.oom_score_adj, -1000);
	cr_assert_eq(c.process.rlimits[0].resource, RLIMIT_MEMLOCK);
	cr_assert_eq(c.process.rlimits[0].soft, UINT64_MAX);
	cr_assert_eq(c.process.rlimits[0].hard, (uint64_t)RLIM_INFINITY);
	cr_assert_eq(c.process.rlimits[1].hard, 9223372036854775808ull);
	cr_assert(c.has_memory_limit);
	cr_assert_eq(c.memory_limit, -1);
	cr_assert(c.has_pids_limit);
	cr_assert_eq(c.pids_limit, 0);
	const struct oci_seccomp_rule *r = &c.seccomp->syscalls[0];
	cr_assert_eq(r->errno_ret, 4095);
	cr_assert_eq(r->args[0].index, 5);
	cr_assert_eq(r->args[0].value, UINT64_MAX);
	cr_assert_eq(r->args[0].value_two, 12345678901234567890ull);
	oci_config_free(&c);

	/* Big literals inside strings stay strings (escaped quotes included). */
	config_ok(CFG(",'env':['A=\\'18446744073709551615','B=18446744073709551615'],"
		      "'rlimits':[{'type':'RLIMIT_AS','soft':18446744073709551615,"
		      "'hard':18446744073709551615}]", ""),
		  &c);
	cr_assert_str_eq(c.process.env[0], "A=\"18446744073709551615");
	cr_assert_str_eq(c.process.env[1], "B=18446744073709551615");
	cr_assert_eq(c.process.rlimits[0].soft, UINT64_MAX);
	oci_config_free(&c);
}

Test(errors, big_numbers)
{
	config_error(CFG(",'rlimits':[{'type':'RLIMIT_AS','soft':18446744073709551615,"
			 "'hard':1.8446744073709552e19}]", ""),
		     "config.json: process.rlimits[0].hard: expected an unsigned integer");
	config_error(CFG(",'oomScoreAdj':18446744073709551615", ""),
		     "config.json: process.oomScoreAdj: out of range (-1000 to 1000)");
	config_error(CFG(",'env':[18446744073709551615]", ""),
		     "config.json: process.env[0]: expected a string");
	config_error(CFG(",'terminal':18446744073709551615", ""),
		     "config.json: process.terminal: expected a boolean");
	/* A string cannot pass for a big number: with a \u0000 escape of its
	 * own, the text is not rewritten and jansson's overflow error stands. */
	config_error(CFG(",'user':{'uid':'\\u0000U5'},'rlimits':[{'type':'RLIMIT_AS',"
			 "'soft':18446744073709551615,'hard':18446744073709551615}]", ""),
		     "config.json: invalid JSON at line 1 column 170: too big integer near "
		     "'18446744073709551615'");
	config_error(CFG(",'user':{'uid':'\\u0000U5'}", ""),
		     "config.json: process.user.uid: expected an unsigned integer");
	/* Below INT64_MIN: jansson's own error, even once big positives are marked. */
	config_error(CFG(",'oomScoreAdj':-18446744073709551615,'rlimits':[{'type':'RLIMIT_AS',"
			 "'soft':18446744073709551615,'hard':18446744073709551615}]", ""),
		     "config.json: invalid JSON at line 1 column 121: too big negative integer");
}

Test(accept, every_capability_and_rlimit_name)
{
	static const char *const caps[] = {
		"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
		"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
		"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
		"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO",
		"CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN",
		"CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
		"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
		"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN",
		"CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
		"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
	};
	static const char *const rlimits[] = {
		"RLIMIT_CPU", "RLIMIT_FSIZE", "RLIMIT_DATA", "RLIMIT_STACK", "RLIMIT_CORE",
		"RLIMIT_RSS", "RLIMIT_NPROC", "RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_AS",
		"RLIMIT_LOCKS", "RLIMIT_SIGPENDING", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",
		"RLIMIT_RTPRIO", "RLIMIT_RTTIME",
	};
	char text[8192];
	strcpy(text, MINIMAL ",'capabilities':{'ambient':[");
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		sprintf(text + strlen(text), "%s'%s'", i ? "," : "", caps[i]);
	strcat(text, "]},'rlimits':[");
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++)
		sprintf(text + strlen(text), "%s{'type':'%s','soft':1,'hard':2}", i ? "," : "",
			rlimits[i]);
	strcat(text, "]}}");
	struct oci_config c;
	config_ok(text, &c);
	cr_assert_eq(CAP_LAST_CAP, 40);
	cr_assert_eq(c.process.cap_ambient, (1ull << (CAP_LAST_CAP + 1)) - 1);
	cr_assert_eq(c.process.cap_bounding, 0);
	cr_assert_eq(c.process.nrlimits, 16);
	for (size_t i = 0; i < c.process.nrlimits; i++)
		cr_assert_eq(c.process.rlimits[i].resource, (int)i, "%s", rlimits[i]);
	oci_config_free(&c);
}

Test(accept, mount_flags)
{
	struct oci_config c;
	config_ok(CFG("", ",'mounts':[{'destination':'/a','source':'/x','options':['rbind','ro']},"
			  "{'destination':'/b','type':'tmpfs','options':['ro','rw']},"
			  "{'destination':'/c','type':'bind','source':'/y'},"
			  "{'destination':'/d','type':'proc','options':['rw','ro','nosuid']}]"),
		  &c);
	cr_assert(c.mounts[0].bind && c.mounts[0].readonly);
	cr_assert_null(c.mounts[0].type);
	cr_assert(!c.mounts[1].bind && !c.mounts[1].readonly);
	cr_assert(c.mounts[2].bind && !c.mounts[2].readonly);
	cr_assert_eq(c.mounts[2].noptions, 0);
	cr_assert_not_null(c.mounts[2].options);
	cr_assert(!c.mounts[3].bind && c.mounts[3].readonly);
	oci_config_free(&c);
}

/* --- errors, one per class, with their exact messages -------------------------------------- */

Test(errors, json_and_top_level)
{
	config_error("", "config.json: invalid JSON at line 1 column 0: "
			 "'[' or '{' expected near end of file");
	config_error("{'ociVersion':", "config.json: invalid JSON at line 1 column 14: "
				       "unexpected token near end of file");
	config_error("['ociVersion']", "config.json: expected a JSON object");
	config_error("{'a':1} x", "config.json: invalid JSON at line 1 column 9: "
				  "end of file expected near 'x'");
	/* Beyond uint64: jansson's own message. */
	config_error(CFG(",'rlimits':[{'type':'RLIMIT_CPU','soft':18446744073709551616,'hard':1}]", ""),
		     "config.json: invalid JSON at line 1 column 145: too big integer near "
		     "'18446744073709551616'");
	process_error("7", "process.json: invalid JSON at line 1 column 1: "
			   "'[' or '{' expected near '7'");
}

Test(errors, oci_version)
{
	config_error("{'root':{'path':'r'}}",
		     "config.json: ociVersion: required (a version starting with \"1.\")");
	config_error("{'ociVersion':null,'root':{'path':'r'}}",
		     "config.json: ociVersion: required (a version starting with \"1.\")");
	config_error("{'ociVersion':'2.0.0','root':{'path':'r'}}",
		     "config.json: ociVersion: unsupported version \"2.0.0\" (must start with \"1.\")");
	config_error("{'ociVersion':'1','root':{'path':'r'}}",
		     "config.json: ociVersion: unsupported version \"1\" (must start with \"1.\")");
	config_error("{'ociVersion':1.0,'root':{'path':'r'}}",
		     "config.json: ociVersion: expected a string");
}

Test(errors, root)
{
	config_error("{'ociVersion':'1.0.0'}", "config.json: root: required");
	config_error("{'ociVersion':'1.0.0','root':'rootfs'}", "config.json: root: expected an object");
	config_error("{'ociVersion':'1.0.0','root':{}}", "config.json: root.path: required");
	config_error("{'ociVersion':'1.0.0','root':{'path':''}}",
		     "config.json: root.path: must not be empty");
	config_error("{'ociVersion':'1.0.0','root':{'path':'r','readonly':'yes'}}",
		     "config.json: root.readonly: expected a boolean");
}

Test(errors, wrong_types)
{
	config_error(CFG(",'user':{'uid':'0'}", ""),
		     "config.json: process.user.uid: expected an unsigned integer");
	config_error(CFG(",'user':{'uid':1.5}", ""),
		     "config.json: process.user.uid: expected an unsigned integer");
	config_error(CFG(",'user':[]", ""), "config.json: process.user: expected an object");
	config_error(CFG(",'terminal':1", ""), "config.json: process.terminal: expected a boolean");
	config_error(CFG(",'env':'PATH=/bin'", ""), "config.json: process.env: expected an array");
	config_error(CFG(",'env':['A=1',2]", ""), "config.json: process.env[1]: expected a string");
	config_error(CFG(",'oomScoreAdj':'5'", ""), "config.json: process.oomScoreAdj: expected an integer");
	config_error(CFG(",'user':{'additionalGids':[0,true]}", ""),
		     "config.json: process.user.additionalGids[1]: expected an unsigned integer");
	config_error(CFG("", ",'hostname':7"), "config.json: hostname: expected a string");
	config_error(CFG("", ",'process':7"), "config.json: process: expected an object");
	config_error(CFG("", ",'mounts':{}"), "config.json: mounts: expected an array");
	config_error(CFG("", ",'mounts':[{'destination':'/a','options':'ro'}]"),
		     "config.json: mounts[0].options: expected an array");
	config_error(CFG("", ",'linux':[]"), "config.json: linux: expected an object");
	config_error(CFG("", ",'linux':{'cgroupsPath':['a']}"),
		     "config.json: linux.cgroupsPath: expected a string");
	config_error(CFG("", ",'linux':{'resources':{'pids':{'limit':'max'}}}"),
		     "config.json: linux.resources.pids.limit: expected an integer");
	config_error(CFG("", ",'linux':{'maskedPaths':[1]}"),
		     "config.json: linux.maskedPaths[0]: expected a string");
	/* A number too big for int64 is still a number, not a string. */
	config_error("{'ociVersion':'1.0.0','root':{'path':18446744073709551615}}",
		     "config.json: root.path: expected a string");
	/* Embedded NULs cannot reach C strings. */
	config_error(CFG("", ",'hostname':'a\\u0000b'"),
		     "config.json: hostname: contains a NUL character");
}

Test(errors, ranges)
{
	config_error(CFG(",'user':{'uid':4294967295}", ""),
		     "config.json: process.user.uid: out of range (0 to 4294967294)");
	config_error(CFG(",'user':{'gid':-1}", ""),
		     "config.json: process.user.gid: out of range (0 to 4294967294)");
	config_error(CFG(",'user':{'uid':18446744073709551615}", ""),
		     "config.json: process.user.uid: out of range (0 to 4294967294)");
	config_error(CFG(",'user':{'umask':512}", ""),
		     "config.json: process.user.umask: out of range (0 to 0777)");
	config_error(CFG(",'consoleSize':{'height':10,'width':65536}", ""),
		     "config.json: process.consoleSize.width: out of range (0 to 65535)");
	config_error(CFG(",'consoleSize':{'height':10}", ""),
		     "config.json: process.consoleSize.width: required");
	config_error(CFG(",'oomScoreAdj':1001", ""),
		     "config.json: process.oomScoreAdj: out of range (-1000 to 1000)");
	config_error(CFG(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':-1,'hard':1}]", ""),
		     "config.json: process.rlimits[0].soft: out of range (0 to 18446744073709551615)");
	config_error(CFG(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':2,'hard':1}]", ""),
		     "config.json: process.rlimits[0]: soft limit above the hard limit");
	config_error(CFG(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':2}]", ""),
		     "config.json: process.rlimits[0].hard: required");
	config_error(CFG("", ",'linux':{'resources':{'memory':{'limit':-2}}}"),
		     "config.json: linux.resources.memory.limit: out of range "
		     "(-1 to 9223372036854775807)");
	config_error(CFG("", ",'linux':{'resources':{'pids':{'limit':-5}}}"),
		     "config.json: linux.resources.pids.limit: out of range "
		     "(-1 to 9223372036854775807)");
	config_error(CFG("", ",'linux':{'resources':{'memory':{'limit':9223372036854775808}}}"),
		     "config.json: linux.resources.memory.limit: out of range "
		     "(-1 to 9223372036854775807)");
}

Test(errors, args_cwd_env)
{
	const char *want = "config.json: process.args: must be a non-empty array of strings";
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'cwd':'/'}}", want);
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'args':[],'cwd':'/'}}",
		     want);
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'args':'sh','cwd':'/'}}",
		     want);
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'args':null,'cwd':'/'}}",
		     want);
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'args':['sh',1],'cwd':'/'}}",
		     "config.json: process.args[1]: expected a string");
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'args':[''],'cwd':'/'}}",
		     "config.json: process.args[0]: must not be empty");
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'args':['sh']}}",
		     "config.json: process.cwd: required");
	config_error("{'ociVersion':'1.0.0','root':{'path':'r'},'process':{'args':['sh'],'cwd':'tmp'}}",
		     "config.json: process.cwd: must be an absolute path");
	config_error(CFG(",'env':['A=1','FOO']", ""), "config.json: process.env[1]: missing '='");
	config_error(CFG(",'env':['=x']", ""), "config.json: process.env[0]: empty variable name");
	process_error("{'args':['sh'],'cwd':'/','user':{'uid':'root'}}",
		      "process.json: user.uid: expected an unsigned integer");
	process_error("{'args':[],'cwd':'/'}",
		      "process.json: args: must be a non-empty array of strings");
	process_error("{'args':['sh'],'cwd':'x'}", "process.json: cwd: must be an absolute path");
}

Test(errors, names)
{
	config_error(CFG(",'rlimits':[{'type':'RLIMIT_FOO','soft':1,'hard':1}]", ""),
		     "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"");
	config_error(CFG(",'rlimits':[{'type':'RLIMIT_NOFILE','soft':1,'hard':1},"
			 "{'type':'RLIMIT_NOFILE','soft':1,'hard':1}]", ""),
		     "config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"");
	config_error(CFG(",'rlimits':[{'soft':1,'hard':1}]", ""),
		     "config.json: process.rlimits[0].type: required");
	config_error(CFG(",'capabilities':{'effective':['CAP_KILL','CAP_FOO']}", ""),
		     "config.json: process.capabilities.effective[1]: unknown capability \"CAP_FOO\"");
	config_error(CFG(",'capabilities':{'bounding':['chown']}", ""),
		     "config.json: process.capabilities.bounding[0]: unknown capability \"chown\"");
	config_error(CFG(",'capabilities':{'permitted':'CAP_KILL'}", ""),
		     "config.json: process.capabilities.permitted: expected an array");
	config_error(CFG("", ",'linux':{'namespaces':[{'type':'pid'},{'type':'foo'}]}"),
		     "config.json: linux.namespaces[1].type: unknown namespace type \"foo\"");
	config_error(CFG("", ",'linux':{'namespaces':[{'type':'pid'},{'type':'net'}]}"),
		     "config.json: linux.namespaces[1].type: unknown namespace type \"net\"");
	config_error(CFG("", ",'linux':{'namespaces':[{'type':'pid'},{'type':'uts'},"
			     "{'type':'pid','path':'/proc/1/ns/pid'}]}"),
		     "config.json: linux.namespaces[2].type: duplicate namespace type \"pid\"");
	config_error(CFG("", ",'linux':{'namespaces':[{'path':'/x'}]}"),
		     "config.json: linux.namespaces[0].type: required");
	config_error(CFG("", ",'linux':{'namespaces':['pid']}"),
		     "config.json: linux.namespaces[0]: expected an object");
}

Test(errors, mounts_and_paths)
{
	config_error(CFG("", ",'mounts':[{'destination':'/a'},{'destination':'b'}]"),
		     "config.json: mounts[1].destination: must be an absolute path");
	config_error(CFG("", ",'mounts':[{'type':'bind'}]"),
		     "config.json: mounts[0].destination: required");
	config_error(CFG("", ",'mounts':[{'destination':'/a','options':['ro',null]}]"),
		     "config.json: mounts[0].options[1]: expected a string");
	config_error(CFG("", ",'linux':{'readonlyPaths':['/proc/sys','proc/bus']}"),
		     "config.json: linux.readonlyPaths[1]: must be an absolute path");
}

Test(errors, seccomp)
{
	config_error(CFG("", ",'linux':{'seccomp':{}}"),
		     "config.json: linux.seccomp.defaultAction: required");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_NOPE'}}"),
		     "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_NOPE\"");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
			     "'defaultErrnoRet':4096}}"),
		     "config.json: linux.seccomp.defaultErrnoRet: out of range (0 to 4095)");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
			     "'syscalls':[{'names':[],'action':'SCMP_ACT_ALLOW'}]}}"),
		     "config.json: linux.seccomp.syscalls[0].names: must be a non-empty array of strings");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
			     "'syscalls':[{'names':['read']}]}}"),
		     "config.json: linux.seccomp.syscalls[0].action: required");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
			     "'syscalls':[{'names':['read'],'action':'ALLOW'}]}}"),
		     "config.json: linux.seccomp.syscalls[0].action: unknown seccomp action \"ALLOW\"");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
			     "'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':"
			     "[{'index':6,'value':0,'op':'SCMP_CMP_EQ'}]}]}}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].index: out of range (0 to 5)");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
			     "'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':"
			     "[{'index':0,'value':0,'op':'EQ'}]}]}}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"EQ\"");
	config_error(CFG("", ",'linux':{'seccomp':{'defaultAction':'SCMP_ACT_ERRNO',"
			     "'syscalls':[{'names':['read'],'action':'SCMP_ACT_ALLOW','args':"
			     "[{'index':0,'op':'SCMP_CMP_EQ'}]}]}}"),
		     "config.json: linux.seccomp.syscalls[0].args[0].value: required");
}

Test(errors, annotations)
{
	config_error(CFG("", ",'annotations':{'a':'1','b':2}"),
		     "config.json: annotations[\"b\"]: expected a string");
	config_error(CFG("", ",'annotations':{'a':{'x':'y'}}"),
		     "config.json: annotations[\"a\"]: expected a string");
	config_error(CFG("", ",'annotations':['a']"), "config.json: annotations: expected an object");
}

Test(errors, load)
{
	struct oci_config c;
	struct oci_process p;
	char err[OCI_ERR_MAX];
	cr_assert_eq(oci_config_load("/nonexistent/config.json", &c, err), -1);
	cr_assert_str_eq(err, "cannot read /nonexistent/config.json: No such file or directory");
	oci_config_free(&c);
	cr_assert_eq(oci_process_load("/nonexistent/p.json", &p, err), -1);
	cr_assert_str_eq(err, "cannot read /nonexistent/p.json: No such file or directory");
	oci_process_free(&p);
	cr_assert_eq(oci_config_load(DATA, &c, err), -1);
	cr_assert_str_eq(err, "cannot read " DATA ": Is a directory");
	/* A config.json is not a process.json. */
	cr_assert_eq(oci_process_load(DATA "ctr-image-config.json", &p, err), -1);
	cr_assert_str_eq(err, "process.json: args: must be a non-empty array of strings");
}

/* --- robustness ---------------------------------------------------------------- */

Test(robust, free_on_zeroed_structs)
{
	struct oci_config c;
	struct oci_process p;
	memset(&c, 0, sizeof(c));
	memset(&p, 0, sizeof(p));
	oci_config_free(&c);
	oci_process_free(&p);
	oci_config_free(NULL);
	oci_process_free(NULL);
	cr_assert_null(oci_annotation(&c, "x"));
}

/* Parses (config or process, as the file's name says) and frees; returns rc. */
static int parse_any(const char *path, const char *text, size_t len)
{
	char err[OCI_ERR_MAX];
	int rc;
	err[0] = 'X';
	if (is_process_file(path)) {
		struct oci_process p;
		rc = parse_process_n(text, len, &p, err);
		oci_process_free(&p);
	} else {
		struct oci_config c;
		rc = parse_config_n(text, len, &c, err);
		oci_config_free(&c);
	}
	cr_assert(rc == 0 || rc == -1);
	if (rc < 0) {
		cr_assert(strlen(err) > 0 && strlen(err) < OCI_ERR_MAX);
		cr_assert(strncmp(err, "config.json: ", 13) == 0 ||
			  strncmp(err, "process.json: ", 14) == 0, "%s", err);
	}
	return rc;
}

/* Every prefix of every sample (each one an exact-size buffer).  That is
 * quadratic: the process files and the CRI container's config get every
 * prefix, the other configs every prefix near either end and every 17th
 * (61st past 8 KiB) in between (about three seconds under ASan). */
Test(robust, every_prefix, .timeout = 120)
{
	glob_t g;
	cr_assert_eq(glob(DATA "*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t len;
		char *text = read_all(g.gl_pathv[i], &len);
		for (size_t n = 0; n < len; n++) {
			size_t stride = len > 8192 ? 61 : 17;
			if (!is_process_file(g.gl_pathv[i]) &&
			    !strstr(g.gl_pathv[i], "cri-container") && n > 512 && n + 512 < len &&
			    n % stride != 0)
				continue;
			/* Only the whole object (up to trailing whitespace) parses. */
			int rc = parse_any(g.gl_pathv[i], text, n);
			if (rc == 0)
				cr_assert(strspn(text + n, " \n\t\r") == len - n, "%s: prefix %zu",
					  g.gl_pathv[i], n);
		}
		cr_assert_eq(parse_any(g.gl_pathv[i], text, len), 0);
		free(text);
	}
	globfree(&g);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
	/* xorshift64: deterministic across runs. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random byte changes: any byte, or one that matters to JSON. */
Test(robust, byte_flips, .timeout = 120)
{
	static const char interesting[] = "\"{}[],:-0123456789eE.\\ntfu\x00\xff\x80";
	glob_t g;
	cr_assert_eq(glob(DATA "*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t len;
		char *text = read_all(g.gl_pathv[i], &len);
		char *copy = malloc(len);
		cr_assert(copy);
		for (int round = 0; round < 400; round++) {
			memcpy(copy, text, len);
			int flips = 1 + (int)(rnd() % 4);
			for (int f = 0; f < flips; f++) {
				size_t at = rnd() % len;
				copy[at] = (rnd() & 1) ? (char)rnd()
						       : interesting[rnd() % (sizeof(interesting) - 1)];
			}
			parse_any(g.gl_pathv[i], copy, len);
		}
		free(copy);
		free(text);
	}
	globfree(&g);
}

/* Scalar values replaced by values of every other JSON type: exercises
 * each field's type and range checks on real documents. */
Test(robust, value_swaps, .timeout = 120)
{
	static const char *const values[] = {
		"null", "true", "false", "-1", "0", "4294967295", "18446744073709551615",
		"9223372036854775808", "-9223372036854775808", "1.5", "1e400", "\"\"", "\"x\"",
		"\"/\"", "[]", "[1]", "[\"a\"]", "{}", "{\"a\":1}", "\"\\u0000\"",
	};
	int accepted = 0, rejected = 0;
	glob_t g;
	cr_assert_eq(glob(DATA "*.json", 0, NULL, &g), 0);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		size_t len;
		char *text = read_all(g.gl_pathv[i], &len);
		char *out = malloc(len + 64);
		cr_assert(out);
		for (int round = 0; round < 300; round++) {
			/* A random scalar after ':' or '[' or ','. */
			size_t at = rnd() % len, start = 0, end = 0;
			for (size_t k = at; k < len; k++) {
				if (strchr(":[,", text[k])) {
					start = k + 1;
					while (start < len && strchr(" \n\t", text[start]))
						start++;
					break;
				}
			}
			if (start == 0 || start >= len || strchr("{[]}", text[start]))
				continue;
			end = start;
			if (text[start] == '"') {
				end = start + 1;
				while (end < len && text[end] != '"')
					end += text[end] == '\\' ? 2 : 1;
				end++;
			} else {
				while (end < len && !strchr(",}] \n", text[end]))
					end++;
			}
			if (end > len)
				continue;
			const char *v = values[rnd() % (sizeof(values) / sizeof(values[0]))];
			size_t vl = strlen(v);
			memcpy(out, text, start);
			memcpy(out + start, v, vl);
			memcpy(out + start + vl, text + end, len - end);
			if (parse_any(g.gl_pathv[i], out, start + vl + len - end) == 0)
				accepted++;
			else
				rejected++;
		}
		free(out);
		free(text);
	}
	globfree(&g);
	/* Both outcomes, in proportions that show the swaps reach the fields. */
	cr_assert_gt(accepted, 200, "accepted %d rejected %d", accepted, rejected);
	cr_assert_gt(rejected, 1000, "rejected %d", rejected);
}

/* --- the default spec ------------------------------------------------------------ */

Test(default_spec, round_trips)
{
	char *text = oci_default_spec();
	cr_assert_not_null(text);
	cr_assert(strncmp(text, "{\n  \"ociVersion\": \"1.0.2-dev\",\n  \"process\": {\n", 46) == 0,
		  "%s", text);
	cr_assert_str_eq(text + strlen(text) - 2, "}\n");
	cr_assert_null(strchr(text, '\t'));

	struct oci_config c;
	char err[OCI_ERR_MAX];
	cr_assert_eq(oci_config_parse(text, strlen(text), &c, err), 0, "%s", err);
	const struct oci_process *p = &c.process;
	cr_assert(c.has_process);
	cr_assert(p->terminal);
	cr_assert_eq(p->nargs, 1);
	cr_assert_str_eq(p->args[0], "sh");
	cr_assert_eq(p->nenv, 2);
	cr_assert_str_eq(p->env[1], "TERM=xterm");
	cr_assert_str_eq(p->cwd, "/");
	cr_assert_eq(p->uid, 0);
	cr_assert_eq(p->gid, 0);
	uint64_t caps = CAP(CAP_AUDIT_WRITE) | CAP(CAP_KILL) | CAP(CAP_NET_BIND_SERVICE);
	cr_assert_eq(p->cap_bounding, caps);
	cr_assert_eq(p->cap_effective, caps);
	cr_assert_eq(p->cap_permitted, caps);
	cr_assert_eq(p->cap_inheritable, 0);
	cr_assert_eq(p->nrlimits, 1);
	cr_assert_eq(p->rlimits[0].resource, RLIMIT_NOFILE);
	cr_assert_eq(p->rlimits[0].soft, 1024);
	cr_assert(p->no_new_privileges);
	cr_assert_str_eq(c.root_path, "rootfs");
	cr_assert(c.root_readonly);
	cr_assert_str_eq(c.hostname, "sandbox");
	cr_assert_eq(c.nmounts, 7);
	cr_assert_str_eq(c.mounts[0].destination, "/proc");
	cr_assert_str_eq(c.mounts[6].destination, "/sys/fs/cgroup");
	cr_assert(c.mounts[5].readonly);
	cr_assert_eq(c.nnamespaces, 6);
	cr_assert_eq(c.namespaces[5].type, OCI_NS_CGROUP);
	cr_assert_eq(c.nmasked_paths, 10);
	cr_assert_eq(c.nreadonly_paths, 5);
	cr_assert_null(c.seccomp);
	cr_assert_eq(c.nannotations, 0);
	oci_config_free(&c);
	free(text);
}
