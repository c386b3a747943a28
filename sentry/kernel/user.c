/* `sentry run -u/--user USER[:GROUP]`: the identity of the first process,
 * looked up in the sandbox's own /etc/passwd and /etc/group (through the
 * VFS, as the guest sees them), with the rules runc applies
 * (libcontainer/user GetExecUser):
 *
 *  - USER is a name or a number.  A name must have a passwd entry; a
 *    number without one is used as it is, with gid 0 and home "/".
 *  - GROUP, if given, is a name (which must exist) or a number; without
 *    it the gid is the user's passwd entry's.
 *  - Without GROUP, a user found in passwd gets as supplementary groups
 *    the groups of /etc/group that list its name; otherwise none.
 *  - HOME is set to the user's home directory if the environment has none
 *    (the CLI drops the caller's HOME when -u is given without -e HOME).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "sentry/kernel/internal.h"

#define ID_FILE_MAX (4UL << 20)   /* larger passwd/group files are cut here */
#define MAX_ID      4294967294UL  /* (uid_t)-1 is not an id */

/* The whole text of a file of the sandbox, NUL-terminated; NULL if it
 * cannot be read (runc treats a missing file as empty). */
static char *read_guest_file(struct task *t, const char *path)
{
	struct walk_root wr = { t->k->root, t->k->root };
	struct file *f;
	if (vfs_open(t, &wr, path, O_RDONLY, 0, &f) < 0)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	int64_t pos = 0;
	while (buf && f->fop && f->fop->read) {
		if (len + 1 >= cap) {
			if (cap >= ID_FILE_MAX)
				break;
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = f->fop->read(f, t, buf + len, cap - 1 - len, &pos);
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	file_put(f);
	if (buf)
		buf[len] = 0;
	return buf;
}

static bool parse_id(const char *s, unsigned long *out)
{
	if (!*s)
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || s[0] == '-' || s[0] == '+' || v > MAX_ID)
		return false;
	*out = v;
	return true;
}

/* Splits a line into at most n colon-separated fields; returns how many. */
static int split_fields(char *line, char **fields, int n)
{
	int i = 0;
	fields[i++] = line;
	for (char *p = line; *p && i < n; p++) {
		if (*p == ':') {
			*p = 0;
			fields[i++] = p + 1;
		}
	}
	return i;
}

struct exec_user {
	uid_t uid;
	gid_t gid;
	char name[256];          /* "" if no passwd entry matched */
	char home[PATH_MAX];
	int ngroups;
	gid_t groups[CRED_NGROUPS_MAX];
};

/* The first passwd entry whose name (or uid, for a numeric spec) matches. */
static bool find_passwd(char *text, const char *user, bool numeric, unsigned long uid,
			struct exec_user *u)
{
	for (char *save, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[7];
		unsigned long id, gid;
		if (split_fields(line, f, 7) < 7 || !parse_id(f[2], &id) || !parse_id(f[3], &gid))
			continue;
		if (numeric ? id != uid : strcmp(f[0], user) != 0)
			continue;
		u->uid = (uid_t)id;
		u->gid = (gid_t)gid;
		snprintf(u->name, sizeof u->name, "%s", f[0]);
		snprintf(u->home, sizeof u->home, "%s", f[5]);
		return true;
	}
	return false;
}

static bool listed(char *members, const char *name)
{
	for (char *save, *m = strtok_r(members, ",", &save); m; m = strtok_r(NULL, ",", &save))
		if (strcmp(m, name) == 0)
			return true;
	return false;
}

/* With an explicit group: its gid (first match).  Without: the groups
 * that list the user. */
static bool scan_groups(char *text, const char *group, bool numeric, unsigned long gid,
			struct exec_user *u)
{
	for (char *save, *line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *f[4];
		unsigned long id;
		if (split_fields(line, f, 4) < 4 || !parse_id(f[2], &id))
			continue;
		if (group) {
			if (numeric ? id == gid : strcmp(f[0], group) == 0) {
				u->gid = (gid_t)id;
				return true;
			}
		} else if (listed(f[3], u->name) && u->ngroups < CRED_NGROUPS_MAX) {
			u->groups[u->ngroups++] = (gid_t)id;
		}
	}
	return false;
}

static int resolve_user(struct task *t, const char *spec, struct exec_user *u)
{
	char user[256], *group = NULL;
	if (snprintf(user, sizeof user, "%s", spec) >= (int)sizeof user)
		return -EINVAL;
	char *colon = strchr(user, ':');
	if (colon) {
		*colon = 0;
		group = colon + 1;
	}
	memset(u, 0, sizeof *u);
	strcpy(u->home, "/");
	unsigned long uid = 0, gid = 0;
	bool uid_numeric = parse_id(user, &uid);
	char *passwd = read_guest_file(t, "/etc/passwd");
	bool found = find_passwd(passwd, user, uid_numeric, uid, u);
	free(passwd);
	if (!found) {
		if (!uid_numeric) {
			log_error("unable to find user %s: no matching entries in /etc/passwd", user);
			return -ENOENT;
		}
		u->uid = (uid_t)uid;
	}
	if (!group && !found)
		return 0;
	bool gid_numeric = group && parse_id(group, &gid);
	char *groups = read_guest_file(t, "/etc/group");
	bool gfound = scan_groups(groups, group, gid_numeric, gid, u);
	free(groups);
	if (group && !gfound) {
		if (!gid_numeric) {
			log_error("unable to find group %s: no matching entries in /etc/group", group);
			return -ENOENT;
		}
		u->gid = (gid_t)gid;
	}
	return 0;
}

static int compare_gids(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;
	return x < y ? -1 : x > y;
}

/* envp with HOME=home added at the end, unless it has a HOME already. */
static int add_home(char ***envp, const char *home)
{
	size_t n = 0;
	for (char **e = *envp; e && *e; e++, n++)
		if (strncmp(*e, "HOME=", 5) == 0)
			return 0;
	char **nv = calloc(n + 2, sizeof *nv);
	size_t len = strlen(home) + 6;
	char *var = malloc(len);
	if (!nv || !var) {
		free(nv);
		free(var);
		return -ENOMEM;
	}
	snprintf(var, len, "HOME=%s", home);
	if (n)
		memcpy(nv, *envp, n * sizeof *nv);
	nv[n] = var;
	*envp = nv;
	return 0;
}

int user_setup_init(struct task *t, const char *spec, char ***envp)
{
	struct exec_user *u = malloc(sizeof *u);
	if (!u)
		return -ENOMEM;
	int err = resolve_user(t, spec, u);
	if (err == -EINVAL)
		log_error("bad user '%s'", spec);
	if (err == 0)
		err = add_home(envp, u->home);
	if (err < 0) {
		free(u);
		return err;
	}
	struct cred c;
	cred_init(&c, u->uid, u->gid);
	qsort(u->groups, (size_t)u->ngroups, sizeof u->groups[0], compare_gids);
	memcpy(c.groups, u->groups, (size_t)u->ngroups * sizeof u->groups[0]);
	c.ngroups = u->ngroups;
	free(u);
	pthread_mutex_lock(&t->k->lock);
	tg_commit_cred_locked(t->tg, &c);
	t->tg->undumpable = false;   /* the sandbox starts it so, not a set-id change */
	pthread_mutex_unlock(&t->k->lock);
	return 0;
}
