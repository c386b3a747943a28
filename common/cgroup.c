/* A sandbox's cgroup: see cgroup.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "common/cgroup.h"

int cgroup_path(const char *cgroups_path, bool systemd, char *out, size_t size, char *why,
		size_t whysize)
{
	int n;
	const char *c1 = strchr(cgroups_path, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (systemd && c2) {
		/* slice:prefix:name -> /slice/prefix-name.scope */
		n = snprintf(out, size, "/%.*s/%.*s-%s.scope", (int)(c1 - cgroups_path),
			     cgroups_path, (int)(c2 - c1 - 1), c1 + 1, c2 + 1);
	} else {
		n = snprintf(out, size, "%s", cgroups_path);
	}
	if (n < 0 || (size_t)n >= size) {
		snprintf(why, whysize, "linux.cgroupsPath: too long");
		return -1;
	}
	/* No way out of the hierarchy: refuse ".." components. */
	for (const char *p = out; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			snprintf(why, whysize, "linux.cgroupsPath \"%s\": \"..\" is not allowed",
				 cgroups_path);
			return -1;
		}
		p += len;
		p += *p == '/';
	}
	return 0;
}

/* --- the hierarchies ---------------------------------------------------------------------- */

struct hierarchy {
	char mountpoint[PATH_MAX];
	char root[PATH_MAX];       /* the hierarchy's directory mounted there */
	char key[256];             /* as /proc/self/cgroup names it: "memory", "name=systemd", "" (v2) */
	bool cpuset;
};

/* Unescapes mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '7' && r[2] && r[3]) {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = 0;
}

/* The v1 controllers (and name=) of a mount's super options, comma-separated
 * as /proc/self/cgroup lists them. */
static void v1_key(const char *superopts, char *key, size_t size)
{
	static const char *const not_controllers[] = { "rw", "ro", "relatime", "noexec", "nosuid",
						       "nodev", "xattr", "clone_children",
						       "noprefix", "cpuset_v2_mode", NULL };
	char buf[512];
	snprintf(buf, sizeof buf, "%s", superopts);
	key[0] = 0;
	size_t len = 0;
	for (char *save = NULL, *o = strtok_r(buf, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		bool skip = strncmp(o, "release_agent=", 14) == 0;
		for (int i = 0; not_controllers[i] && !skip; i++)
			skip = strcmp(o, not_controllers[i]) == 0;
		if (skip)
			continue;
		int n = snprintf(key + len, size - len, "%s%s", len ? "," : "", o);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

/* The cgroup hierarchies mounted in this mount namespace (at most max). */
static int hierarchies(struct hierarchy *out, int max)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	int n = 0;
	char *line = NULL;
	size_t cap = 0;
	while (n < max && getline(&line, &cap, f) > 0) {
		char *dash = strstr(line, " - ");
		if (!dash)
			continue;
		char root[PATH_MAX], mnt[PATH_MAX], fstype[64], source[256], superopts[512];
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
		    sscanf(dash + 3, "%63s %255s %511s", fstype, source, superopts) != 3)
			continue;
		bool v2 = strcmp(fstype, "cgroup2") == 0;
		if (!v2 && strcmp(fstype, "cgroup") != 0)
			continue;
		struct hierarchy *h = &out[n];
		unescape(root);
		unescape(mnt);
		snprintf(h->mountpoint, sizeof h->mountpoint, "%s", mnt);
		snprintf(h->root, sizeof h->root, "%s", root);
		if (v2)
			h->key[0] = 0;
		else
			v1_key(superopts, h->key, sizeof h->key);
		h->cpuset = !v2 && strstr(h->key, "cpuset") != NULL;
		bool dup = false;
		for (int i = 0; i < n && !dup; i++)
			dup = strcmp(out[i].key, h->key) == 0;
		if (!dup)
			n++;
	}
	free(line);
	fclose(f);
	return n;
}

/* The caller's own cgroup in the hierarchy /proc/self/cgroup calls key. */
static int own_cgroup(const char *key, char *out, size_t size)
{
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0;
	int found = -1;
	while (found < 0 && getline(&line, &cap, f) > 0) {
		line[strcspn(line, "\n")] = 0;
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = 0;
		if (strcmp(c1 + 1, key) == 0) {
			snprintf(out, size, "%s", c2 + 1);
			found = 0;
		}
	}
	free(line);
	fclose(f);
	return found;
}

/* --- create, join, remove ------------------------------------------------------------------ */

static int write_file(const char *dir, const char *name, const char *value)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = write(fd, value, strlen(value));
	int err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static bool file_exists(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/* A new cpuset cgroup has no CPUs and no memory nodes, and nothing can
 * join it until it has: it gets its parent's. */
static void cpuset_inherit(const char *dir)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	for (int i = 0; i < 2; i++) {
		char path[PATH_MAX + 64], value[4096] = "";
		snprintf(path, sizeof path, "%s/%s", dir, files[i]);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, value, sizeof value - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0 && value[0] != '\n')
			continue;   /* already set */
		snprintf(path, sizeof path, "%s/../%s", dir, files[i]);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd >= 0 ? read(fd, value, sizeof value - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			value[n] = 0;
			write_file(dir, files[i], value);
		}
	}
}

/* mkdir -p of mountpoint + path, inheriting cpusets level by level; the
 * parents it had to make are appended to made ("-DIR" lines, deepest
 * first), so that they go again with the container. */
static int make_dirs(const struct hierarchy *h, const char *path, char *out, size_t size,
		     struct strbuf *made)
{
	int n = snprintf(out, size, "%s", h->mountpoint);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	size_t len = (size_t)n, created[64];   /* lengths of out made here */
	int ncreated = 0;
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t clen = strcspn(p, "/");
		if (clen == 0 || (clen == 1 && p[0] == '.')) {
			p += clen;
			continue;
		}
		if (len + 1 + clen >= size)
			return -ENAMETOOLONG;
		out[len++] = '/';
		memcpy(out + len, p, clen);
		len += clen;
		out[len] = 0;
		p += clen;
		if (mkdir(out, 0755) == 0) {
			if (ncreated < 64)
				created[ncreated++] = len;
		} else if (errno != EEXIST) {
			return -errno;
		}
		if (h->cpuset)
			cpuset_inherit(out);
	}
	/* The leaf itself is the cgroup, listed by the caller. */
	for (int i = ncreated - 1; i >= 0; i--)
		if (created[i] < len)
			strbuf_printf(made, "-%.*s\n", (int)created[i], out);
	return 0;
}

static int set_limits(const struct hierarchy *h, const char *dir, const struct cgroup_limits *l)
{
	char value[32];
	bool v2 = h->key[0] == 0;
	if (l->has_memory && l->memory != 0) {
		const char *file = v2 ? "memory.max" : "memory.limit_in_bytes";
		if (file_exists(dir, file)) {
			if (l->memory < 0)
				snprintf(value, sizeof value, v2 ? "max" : "-1");
			else
				snprintf(value, sizeof value, "%lld", (long long)l->memory);
			int e = write_file(dir, file, value);
			if (e < 0)
				return e;
		}
	}
	if (l->has_pids && l->pids != 0 && file_exists(dir, "pids.max")) {
		if (l->pids < 0)
			snprintf(value, sizeof value, "max");
		else
			snprintf(value, sizeof value, "%lld", (long long)l->pids);
		int e = write_file(dir, "pids.max", value);
		if (e < 0)
			return e;
	}
	if (l->cpu_quota_us > 0 && l->cpu_period_us > 0) {
		int e = 0;
		if (v2 && file_exists(dir, "cpu.max")) {
			snprintf(value, sizeof value, "%lld %lld", (long long)l->cpu_quota_us,
				 (long long)l->cpu_period_us);
			e = write_file(dir, "cpu.max", value);
		} else if (!v2 && file_exists(dir, "cpu.cfs_quota_us")) {
			snprintf(value, sizeof value, "%lld", (long long)l->cpu_period_us);
			e = write_file(dir, "cpu.cfs_period_us", value);
			snprintf(value, sizeof value, "%lld", (long long)l->cpu_quota_us);
			if (e == 0)
				e = write_file(dir, "cpu.cfs_quota_us", value);
		}
		if (e < 0)
			return e;
	}
	if (l->oom_group && v2 && file_exists(dir, "memory.oom.group"))
		write_file(dir, "memory.oom.group", "1");   /* best effort */
	return 0;
}

/* The value of "key N" in dir/name, or -1. */
static long keyed_value(const char *dir, const char *name, const char *key)
{
	char path[PATH_MAX + 64], line[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	long v = -1;
	size_t klen = strlen(key);
	while (v < 0 && fgets(line, sizeof line, f))
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ')
			v = strtol(line + klen + 1, NULL, 10);
	fclose(f);
	return v;
}

char *cgroup_create(const char *path, const struct cgroup_limits *l, char *why, size_t whysize)
{
	struct hierarchy *hs = calloc(32, sizeof *hs);
	if (!hs) {
		snprintf(why, whysize, "out of memory");
		return NULL;
	}
	int n = hierarchies(hs, 32);
	struct strbuf dirs = STRBUF_INIT(0), parents = STRBUF_INIT(0);
	for (int i = 0; i < n; i++) {
		char rel[PATH_MAX] = "", full[PATH_MAX];
		if (path[0] != '/') {
			/* Relative: under the caller's cgroup in this hierarchy. */
			char own[PATH_MAX];
			if (own_cgroup(hs[i].key, own, sizeof own) < 0)
				continue;
			size_t rl = strlen(hs[i].root);
			const char *below = strcmp(hs[i].root, "/") != 0 &&
					    strncmp(own, hs[i].root, rl) == 0 ? own + rl : own;
			if (snprintf(rel, sizeof rel, "%s/", below) >= (int)sizeof rel)
				continue;
		}
		char want[PATH_MAX];
		int e = 0;
		if (snprintf(want, sizeof want, "%s%s", rel, path) >= (int)sizeof want)
			e = -ENAMETOOLONG;
		if (e == 0)
			e = make_dirs(&hs[i], want, full, sizeof full, &parents);
		if (e == 0)
			e = set_limits(&hs[i], full, l);
		if (e < 0) {
			snprintf(why, whysize, "cgroup %s in %s: %s", path, hs[i].mountpoint,
				 strerror(-e));
			cgroup_remove(strbuf_str(&dirs));
			cgroup_remove(strbuf_str(&parents));
			strbuf_free(&dirs);
			strbuf_free(&parents);
			free(hs);
			return NULL;
		}
		strbuf_printf(&dirs, "%s\n", full);
	}
	free(hs);
	strbuf_puts(&dirs, strbuf_str(&parents));
	strbuf_free(&parents);
	char *out = dirs.full ? NULL : strdup(strbuf_str(&dirs));
	strbuf_free(&dirs);
	if (!out)
		snprintf(why, whysize, "out of memory");
	return out;
}

/* The next line of a directory list into dir (empty if too long). */
static const char *next_dir(const char *p, char dir[PATH_MAX])
{
	size_t len = strcspn(p, "\n");
	dir[0] = 0;
	if (len < PATH_MAX) {
		memcpy(dir, p, len);
		dir[len] = 0;
	}
	p += len;
	return p + (*p == '\n');
}

int cgroup_join(const char *dirs, char *why, size_t whysize)
{
	for (const char *p = dirs; *p;) {
		char dir[PATH_MAX];
		p = next_dir(p, dir);
		if (!dir[0] || dir[0] == '-')
			continue;   /* (a parent made for it) */
		int e = write_file(dir, "cgroup.procs", "0");
		if (e < 0) {
			snprintf(why, whysize, "cannot join cgroup %s: %s", dir, strerror(-e));
			return -1;
		}
	}
	return 0;
}

long cgroup_oom_kills(const char *dirs)
{
	long best = -1;
	for (const char *p = dirs; *p;) {
		char dir[PATH_MAX];
		p = next_dir(p, dir);
		if (!dir[0] || dir[0] == '-')
			continue;
		long v = keyed_value(dir, "memory.events", "oom_kill");
		if (v < 0)
			v = keyed_value(dir, "memory.oom_control", "oom_kill");
		if (v > best)
			best = v;
	}
	return best;
}

/* SIGKILL to each pid of dir/cgroup.procs. */
static void kill_procs(const char *dir)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/cgroup.procs", dir);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	long pid;
	while (fscanf(f, "%ld", &pid) == 1)
		if (pid > 0)
			kill((pid_t)pid, SIGKILL);
	fclose(f);
}

void cgroup_kill(const char *dirs)
{
	for (int pass = 0; pass < 2; pass++) {
		for (const char *p = dirs; *p;) {
			char dir[PATH_MAX];
			p = next_dir(p, dir);
			if (!dir[0] || dir[0] == '-')
				continue;
			if (write_file(dir, "cgroup.kill", "1") < 0)
				kill_procs(dir);
		}
	}
}

void cgroup_remove(const char *dirs)
{
	for (const char *p = dirs; *p;) {
		char dir[PATH_MAX];
		p = next_dir(p, dir);
		/* The last exiting processes leave their cgroup a moment after
		 * their parent saw them go. */
		if (dir[0] == '-') {
			rmdir(dir + 1);   /* a parent made for it: unless another uses it */
			continue;
		}
		for (int tries = 0; dir[0] && rmdir(dir) < 0 && errno == EBUSY && tries < 100; tries++)
			nanosleep(&(struct timespec){ 0, 10 * 1000 * 1000 }, NULL);
	}
}
