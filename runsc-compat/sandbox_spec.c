/* config.json → struct sandbox_config (see sandbox_spec.h).  runc's
 * libcontainer/specconv is the reference for what each field means. */
#include <errno.h>
#include <limits.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runsc-compat/sandbox_spec.h"
#include "sentry/kernel/seccomp_filter.h"

static int fail(char *err, size_t errsize, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/* --- the process ---------------------------------------------------------------- */

static int build_process(const struct oci_process *p, struct sandbox_process **out, char *err,
			 size_t errsize)
{
	struct sandbox_process *sp = calloc(1, sizeof *sp);
	gid_t *groups = calloc(p->nadditional_gids + 1, sizeof *groups);
	struct sandbox_rlimit *rl = calloc(p->nrlimits + 1, sizeof *rl);
	if (!sp || !groups || !rl) {
		free(sp);
		free(groups);
		free(rl);
		return fail(err, errsize, "out of memory");
	}
	if (p->nadditional_gids > CRED_NGROUPS_MAX) {
		free(sp);
		free(groups);
		free(rl);
		return fail(err, errsize, "process.user.additionalGids: more than %d groups",
			    CRED_NGROUPS_MAX);
	}
	memcpy(groups, p->additional_gids, p->nadditional_gids * sizeof *groups);
	sp->groups = groups;
	sp->ngroups = p->nadditional_gids;
	sp->has_umask = p->has_umask;
	sp->umask = p->umask & 0777;
	for (size_t i = 0; i < p->nrlimits; i++) {
		if (p->rlimits[i].soft > p->rlimits[i].hard) {
			free(sp);
			free(groups);
			free(rl);
			return fail(err, errsize, "process.rlimits[%zu]: soft limit above the hard "
				    "limit", i);
		}
		rl[i] = (struct sandbox_rlimit){ p->rlimits[i].resource, p->rlimits[i].soft,
						 p->rlimits[i].hard };
	}
	sp->rlimits = rl;
	sp->nrlimits = p->nrlimits;
	sp->no_new_privs = p->no_new_privileges;
	sp->has_caps = p->has_caps;
	sp->cap_bounding = p->cap_bounding;
	sp->cap_effective = p->cap_effective;
	sp->cap_inheritable = p->cap_inheritable;
	sp->cap_permitted = p->cap_permitted;
	sp->cap_ambient = p->cap_ambient;
	*out = sp;
	return 0;
}

char *sandbox_spec_process_text(const struct oci_process *p, char *err, size_t errsize)
{
	struct sandbox_process *sp = NULL;
	if (build_process(p, &sp, err, errsize) < 0)
		return NULL;
	char *text = sandbox_process_encode(sp);
	sandbox_process_free(sp);
	if (!text)
		fail(err, errsize, "out of memory");
	return text;
}

/* --- mounts ------------------------------------------------------------------------ */

long long sandbox_spec_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || errno || *s == '-')
		return -1;
	unsigned long long mult = 1;
	if (*end == '%') {
		long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
		if (end[1] || v > 100 || pages <= 0 || psize <= 0)
			return -1;
		return (long long)((unsigned long long)pages / 100 * v * (unsigned long long)psize);
	}
	switch (*end) {
	case 0:             break;
	case 'k': case 'K': mult = 1ULL << 10; end++; break;
	case 'm': case 'M': mult = 1ULL << 20; end++; break;
	case 'g': case 'G': mult = 1ULL << 30; end++; break;
	default:            return -1;
	}
	if (*end || v > (unsigned long long)LLONG_MAX / mult)
		return -1;
	return (long long)(v * mult);
}

static bool parse_u32(const char *s, int base, unsigned long max, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, base);
	if (end == s || *end || errno || *s == '-' || v > max)
		return false;
	*out = v;
	return true;
}

/* The mount options the sentry honours; the others (relatime, rprivate,
 * newinstance, ptmxmode...) change nothing it shows. */
static int mount_options(const struct oci_mount *om, size_t i, struct sandbox_mount *m,
			 char *err, size_t errsize)
{
	for (char **o = om->options; *o; o++) {
		const char *v = strchr(*o, '=') ? strchr(*o, '=') + 1 : NULL;
		unsigned long n;
		if (strcmp(*o, "nosuid") == 0)
			m->flags |= MNT_NOSUID;
		else if (strcmp(*o, "suid") == 0)
			m->flags &= ~(unsigned)MNT_NOSUID;
		else if (strcmp(*o, "nodev") == 0)
			m->flags |= MNT_NODEV;
		else if (strcmp(*o, "dev") == 0)
			m->flags &= ~(unsigned)MNT_NODEV;
		else if (strcmp(*o, "noexec") == 0)
			m->flags |= MNT_NOEXEC;
		else if (strcmp(*o, "exec") == 0)
			m->flags &= ~(unsigned)MNT_NOEXEC;
		else if (m->type != SANDBOX_MOUNT_TMPFS || !v)
			continue;
		else if (strncmp(*o, "size=", 5) == 0) {
			long long sz = sandbox_spec_size(v);
			if (sz < 0)
				return fail(err, errsize, "mounts[%zu]: bad tmpfs option \"%s\"", i, *o);
			m->size = (uint64_t)sz;
		} else if (strncmp(*o, "mode=", 5) == 0) {
			if (!parse_u32(v, 8, 07777, &n))
				return fail(err, errsize, "mounts[%zu]: bad tmpfs option \"%s\"", i, *o);
			m->mode = (mode_t)n;
		} else if (strncmp(*o, "uid=", 4) == 0) {
			if (!parse_u32(v, 10, 0xfffffffeUL, &n))
				return fail(err, errsize, "mounts[%zu]: bad tmpfs option \"%s\"", i, *o);
			m->uid = (uid_t)n;
		} else if (strncmp(*o, "gid=", 4) == 0) {
			if (!parse_u32(v, 10, 0xfffffffeUL, &n))
				return fail(err, errsize, "mounts[%zu]: bad tmpfs option \"%s\"", i, *o);
			m->gid = (gid_t)n;
		}
	}
	return 0;
}

static const struct {
	const char *name;
	enum sandbox_mount_type type;
} mount_types[] = {
	{ "tmpfs", SANDBOX_MOUNT_TMPFS },   { "proc", SANDBOX_MOUNT_PROC },
	{ "sysfs", SANDBOX_MOUNT_SYSFS },   { "devpts", SANDBOX_MOUNT_DEVPTS },
	{ "mqueue", SANDBOX_MOUNT_MQUEUE }, { "cgroup", SANDBOX_MOUNT_CGROUP },
	{ "cgroup2", SANDBOX_MOUNT_CGROUP },
};

/* A bind mount's source: relative to the bundle (runc's rule), as the host
 * resolves it; it must exist. */
static int bind_source(const struct oci_mount *om, size_t i, const char *bundle, char **out,
		       char *err, size_t errsize)
{
	char path[PATH_MAX];
	if (!om->source)
		return fail(err, errsize, "mounts[%zu]: a bind mount needs a source", i);
	if (snprintf(path, sizeof path, "%s%s%s", om->source[0] == '/' ? "" : bundle,
		     om->source[0] == '/' ? "" : "/", om->source) >= (int)sizeof path)
		return fail(err, errsize, "mounts[%zu]: source too long", i);
	*out = realpath(path, NULL);
	if (!*out)
		return fail(err, errsize, "mounts[%zu]: source %s: %s", i, path, strerror(errno));
	return 0;
}

static int build_mount(const struct oci_mount *om, size_t i, const char *bundle,
		       struct sandbox_mount *m, char *err, size_t errsize)
{
	memset(m, 0, sizeof *m);
	m->guest = om->destination;
	m->readonly = om->readonly;
	if (om->bind) {
		char *src;
		if (bind_source(om, i, bundle, &src, err, errsize) < 0)
			return -1;
		m->type = SANDBOX_MOUNT_BIND;
		m->host = src;
	} else {
		size_t k = 0, n = sizeof mount_types / sizeof mount_types[0];
		while (k < n && (!om->type || strcmp(om->type, mount_types[k].name) != 0))
			k++;
		if (k == n)
			return fail(err, errsize, "mounts[%zu]: %s: mount type \"%s\" is not supported",
				    i, om->destination, om->type ? om->type : "");
		m->type = mount_types[k].type;
		m->host = om->source ? om->source : mount_types[k].name;   /* for /proc/mounts */
	}
	return mount_options(om, i, m, err, errsize);
}

static int build_mounts(const struct oci_config *c, const char *bundle,
			struct sandbox_config *cfg, char *err, size_t errsize)
{
	cfg->mounts = calloc(c->nmounts + 1, sizeof *cfg->mounts);
	if (!cfg->mounts)
		return fail(err, errsize, "out of memory");
	cfg->nmounts = 0;
	for (size_t i = 0; i < c->nmounts; i++) {
		if (build_mount(&c->mounts[i], i, bundle, &cfg->mounts[i], err, errsize) < 0)
			return -1;
		cfg->nmounts = i + 1;
	}
	return 0;
}

/* --- seccomp ------------------------------------------------------------------------ */

static int seccomp_action(const char *name, bool has_errno, unsigned errno_ret, uint32_t *out,
			  char *err, size_t errsize)
{
	/* runc's defaults: EPERM for ERRNO, ENOSYS-like "no tracer" for TRACE */
	unsigned data = has_errno ? errno_ret & SECCOMP_ACT_DATA : EPERM;
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*out = SECCOMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*out = SECCOMP_ACT_ERRNO | data;
	else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SECCOMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SECCOMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*out = SECCOMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*out = SECCOMP_ACT_TRACE | (has_errno ? data : 0);
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*out = SECCOMP_ACT_LOG;
	else
		return fail(err, errsize, "linux.seccomp: action %s is not supported", name);
	return 0;
}

static const char *const cmp_names[] = {
	[SECCOMP_CMP_NE] = "SCMP_CMP_NE", [SECCOMP_CMP_LT] = "SCMP_CMP_LT",
	[SECCOMP_CMP_LE] = "SCMP_CMP_LE", [SECCOMP_CMP_EQ] = "SCMP_CMP_EQ",
	[SECCOMP_CMP_GE] = "SCMP_CMP_GE", [SECCOMP_CMP_GT] = "SCMP_CMP_GT",
	[SECCOMP_CMP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

static int rule_args(const struct oci_seccomp_rule *r, size_t i, struct seccomp_arg_cmp *args,
		     char *err, size_t errsize)
{
	if (r->nargs > 6)
		return fail(err, errsize, "linux.seccomp.syscalls[%zu]: more than 6 arguments", i);
	for (size_t a = 0; a < r->nargs; a++) {
		int op = 0;
		for (int k = SECCOMP_CMP_NE; k <= SECCOMP_CMP_MASKED_EQ; k++)
			if (strcmp(r->args[a].op, cmp_names[k]) == 0)
				op = k;
		if (!op || r->args[a].index > 5)
			return fail(err, errsize, "linux.seccomp.syscalls[%zu].args[%zu]: bad "
				    "comparison", i, a);
		args[a] = (struct seccomp_arg_cmp){ r->args[a].index, (enum seccomp_cmp_op)op,
						    r->args[a].value, r->args[a].value_two };
	}
	return 0;
}

int sandbox_spec_seccomp(const struct oci_seccomp *s, struct seccomp_filter **out, char *err,
			 size_t errsize)
{
	uint32_t def;
	if (seccomp_action(s->default_action ? s->default_action : "SCMP_ACT_ALLOW",
			   s->has_default_errno_ret, s->default_errno_ret, &def, err, errsize) < 0)
		return -1;
	struct seccomp_filter *f = seccomp_filter_new(def);
	if (!f)
		return fail(err, errsize, "out of memory");
	for (size_t i = 0; i < s->nsyscalls; i++) {
		const struct oci_seccomp_rule *r = &s->syscalls[i];
		uint32_t action;
		struct seccomp_arg_cmp args[6];
		if (seccomp_action(r->action, r->has_errno_ret, r->errno_ret, &action, err,
				   errsize) < 0 ||
		    rule_args(r, i, args, err, errsize) < 0) {
			seccomp_filter_free(f);
			return -1;
		}
		for (char **name = r->names; *name; name++) {
			int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, *name);
			if (nr < 0)
				continue;   /* not an x86-64 syscall (or a pseudo one) */
			int e = seccomp_filter_add(f, nr, action, args, r->nargs);
			if (e == -ENOMEM) {
				seccomp_filter_free(f);
				return fail(err, errsize, "out of memory");
			}
		}
	}
	*out = f;
	return 0;
}

/* --- everything ------------------------------------------------------------------------ */

int sandbox_spec_apply(const struct oci_config *c, const char *bundle, struct sandbox_config *cfg,
		       char *err, size_t errsize)
{
	struct sandbox_process *sp = NULL;
	if (build_process(&c->process, &sp, err, errsize) < 0)
		return -1;
	cfg->opts.process = sp;
	if (build_mounts(c, bundle, cfg, err, errsize) < 0)
		return -1;
	cfg->root_readonly = c->root_readonly;
	cfg->readonly_paths = (const char *const *)c->readonly_paths;
	cfg->nreadonly_paths = c->nreadonly_paths;
	cfg->masked_paths = (const char *const *)c->masked_paths;
	cfg->nmasked_paths = c->nmasked_paths;
	if (c->seccomp) {
		struct seccomp_filter *f;
		if (sandbox_spec_seccomp(c->seccomp, &f, err, errsize) < 0)
			return -1;
		cfg->opts.seccomp = f;
	}
	return 0;
}

void sandbox_spec_free(struct sandbox_config *cfg)
{
	sandbox_process_free((struct sandbox_process *)cfg->opts.process);
	cfg->opts.process = NULL;
	for (size_t i = 0; cfg->mounts && i < cfg->nmounts; i++)
		if (cfg->mounts[i].type == SANDBOX_MOUNT_BIND)
			free((char *)cfg->mounts[i].host);
	free(cfg->mounts);
	cfg->mounts = NULL;
	cfg->nmounts = 0;
	seccomp_filter_free((struct seccomp_filter *)cfg->opts.seccomp);
	cfg->opts.seccomp = NULL;
}
