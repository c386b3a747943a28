/* Container state on disk: <root>/<id>/state.json, and the error log. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "runsc-compat/container.h"
#include "runsc-compat/oci_config.h"

static void rfc3339_now(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int runsc_error(const struct runsc_globals *g, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	fprintf(stderr, "runsc: %s\n", msg);
	if (g && g->log_path) {
		FILE *f = fopen(g->log_path, "ae");
		if (f) {
			char when[64];
			rfc3339_now(when, sizeof when);
			if (g->log_json) {
				json_t *o = json_pack("{s:s, s:s, s:s}", "level", "error", "msg", msg,
						      "time", when);
				char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
				if (text)
					fprintf(f, "%s\n", text);
				free(text);
				json_decref(o);
			} else {
				fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", when, msg);
			}
			fclose(f);
		}
	}
	return 1;
}

bool valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 200 || id[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !(c >= '0' && c <= '9') &&
		    c != '-' && c != '_' && c != '.' && c != '+')
			return false;
	}
	return true;
}

int container_dir(const struct runsc_globals *g, const char *id, char *out, size_t size)
{
	if (!valid_id(id))
		return -EINVAL;
	int n = snprintf(out, size, "%s/%s", g->root, id);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

int container_file(const struct runsc_globals *g, const char *id, const char *name, char *out,
		   size_t size)
{
	char dir[PATH_MAX];
	int err = container_dir(g, id, dir, sizeof dir);
	if (err < 0)
		return err;
	return snprintf(out, size, "%s/%s", dir, name) < (int)size ? 0 : -ENAMETOOLONG;
}

void container_record_exit(const char *dir, int code)
{
	char path[PATH_MAX + 16], buf[16];
	if (snprintf(path, sizeof path, "%s/exit_status", dir) >= (int)sizeof path)
		return;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	int n = snprintf(buf, sizeof buf, "%d", code);
	ssize_t w = write(fd, buf, (size_t)n);
	(void)w;
	close(fd);
}

int container_read_exit(const char *dir)
{
	char path[PATH_MAX + 16], buf[16] = { 0 };
	snprintf(path, sizeof path, "%s/exit_status", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC), code = -1;
	if (fd >= 0) {
		if (read(fd, buf, sizeof buf - 1) > 0)
			code = atoi(buf);
		close(fd);
	}
	return code;
}

int write_pid_file(const char *path, pid_t pid)
{
	char tmp[PATH_MAX + 32];
	snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	char buf[32];
	int n = snprintf(buf, sizeof buf, "%d", (int)pid);   /* no newline, as runc */
	int err = write(fd, buf, (size_t)n) == n ? 0 : -EIO;
	close(fd);
	if (err == 0 && rename(tmp, path) < 0)
		err = -errno;
	return err;
}

unsigned long long proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* after ")": state is field 3; starttime is field 22 */
	char state = p[2];
	if (state == 'Z' || state == 'X')
		return 0;
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

int container_save(const struct runsc_globals *g, const struct container_state *st)
{
	char dir[4200], path[4300], tmp[4300];
	int err = container_dir(g, st->id, dir, sizeof dir);
	if (err < 0)
		return err;
	snprintf(path, sizeof path, "%s/state.json", dir);
	snprintf(tmp, sizeof tmp, "%s/state.json.tmp", dir);
	json_t *o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:b, s:b}", "id", st->id, "pid",
			      (json_int_t)st->pid, "pid_start", (json_int_t)st->pid_start, "bundle",
			      st->bundle, "rootfs", st->rootfs, "created", st->created, "owner",
			      st->owner, "started", st->started, "paused", st->paused);
	if (!o)
		return -ENOMEM;
	err = json_dump_file(o, tmp, JSON_INDENT(2)) == 0 ? 0 : -EIO;
	json_decref(o);
	if (err == 0 && rename(tmp, path) < 0)
		err = -errno;
	return err;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

int container_load(const struct runsc_globals *g, const char *id, struct container_state *st)
{
	char dir[4200], path[4300];
	int err = container_dir(g, id, dir, sizeof dir);
	if (err < 0)
		return err;
	snprintf(path, sizeof path, "%s/state.json", dir);
	json_error_t je;
	json_t *o = json_load_file(path, 0, &je);
	if (!o)
		return access(dir, F_OK) == 0 ? -EIO : -ENOENT;
	memset(st, 0, sizeof *st);
	json_int_t pid = 0, start = 0;
	const char *sid = NULL, *bundle = NULL, *rootfs = NULL, *created = NULL, *owner = NULL;
	int started = 0, paused = 0;
	if (json_unpack_ex(o, &je, 0, "{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:b, s?b}", "id", &sid,
			   "pid", &pid, "pid_start", &start, "bundle", &bundle, "rootfs", &rootfs,
			   "created", &created, "owner", &owner, "started", &started, "paused",
			   &paused) < 0) {
		json_decref(o);
		return -EIO;
	}
	copy_str(st->id, sizeof st->id, sid);
	st->pid = (pid_t)pid;
	st->pid_start = (unsigned long long)start;
	copy_str(st->bundle, sizeof st->bundle, bundle);
	copy_str(st->rootfs, sizeof st->rootfs, rootfs);
	copy_str(st->created, sizeof st->created, created);
	copy_str(st->owner, sizeof st->owner, owner);
	st->started = started;
	st->paused = paused;
	json_decref(o);
	return 0;
}

enum container_status container_status(const struct runsc_globals *g,
				       const struct container_state *st)
{
	if (st->pid <= 0 || proc_start_time(st->pid) != st->pid_start)
		return CS_STOPPED;
	if (st->paused)
		return CS_PAUSED;
	return st->started ? CS_RUNNING : CS_CREATED;
}

/* The parent pid of a process, or -1. */
static pid_t parent_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	return p && p[1] && p[2] ? (pid_t)strtol(p + 4, NULL, 10) : -1;
}

int container_pids(pid_t monitor, pid_t *out, int max)
{
	int n = 0;
	if (max < 1)
		return 0;
	out[n++] = monitor;
	/* Breadth first over /proc: a child is found once its parent is in. */
	for (int done = 0; done < n;) {
		int before = n;
		DIR *d = opendir("/proc");
		if (!d)
			break;
		struct dirent *e;
		while ((e = readdir(d)) && n < max) {
			char *end;
			long pid = strtol(e->d_name, &end, 10);
			if (*end || pid <= 0)
				continue;
			pid_t pp = parent_of((pid_t)pid);
			for (int i = done; i < before; i++)
				if (out[i] == pp) {
					out[n++] = (pid_t)pid;
					break;
				}
		}
		closedir(d);
		done = before;
	}
	return n;
}

const char *container_status_name(enum container_status s)
{
	switch (s) {
	case CS_CREATED: return "created";
	case CS_RUNNING: return "running";
	case CS_PAUSED: return "paused";
	default: return "stopped";
	}
}

void container_print_state(const struct container_state *st, enum container_status s, FILE *out)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "ociVersion", "1.0.2-dev",
			      "id", st->id, "pid", (json_int_t)(s == CS_STOPPED ? 0 : st->pid),
			      "status", container_status_name(s), "bundle", st->bundle, "rootfs",
			      st->rootfs, "created", st->created, "owner", st->owner);
	char *text = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	if (text)
		fprintf(out, "%s\n", text);
	free(text);
	json_decref(o);
}

void container_remove_dir(const struct runsc_globals *g, const char *id)
{
	char dir[4200], path[4400];
	if (container_dir(g, id, dir, sizeof dir) < 0)
		return;
	/* The container's cgroups first: their list is in the directory. */
	if (snprintf(path, sizeof path, "%s/cgroups", dir) < (int)sizeof path) {
		FILE *f = fopen(path, "re");
		if (f) {
			char dirs[16384];
			size_t n = fread(dirs, 1, sizeof dirs - 1, f);
			dirs[n] = 0;
			fclose(f);
			cgroup_remove(dirs);
		}
	}
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
				if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) <
				    (int)sizeof path)
					unlink(path);
			}
		closedir(d);
	}
	rmdir(dir);
}

char *container_cgroup_create(const struct runsc_globals *g, const struct oci_config *c,
			      const char *dir, bool limits)
{
	char path[PATH_MAX], why[512], file[PATH_MAX + 16];
	if (cgroup_path(c->cgroups_path, g->systemd_cgroup, path, sizeof path, why,
			sizeof why) < 0) {
		runsc_error(g, "%s", why);
		return NULL;
	}
	struct cgroup_limits l = { 0 };
	if (limits)
		l = (struct cgroup_limits){ .has_memory = c->has_memory_limit,
					    .memory = c->memory_limit,
					    .has_pids = c->has_pids_limit,
					    .pids = c->pids_limit };
	char *dirs = cgroup_create(path, &l, why, sizeof why);
	if (!dirs && g->rootless) {
		fprintf(stderr, "runsc: warning: cgroupsPath ignored (rootless: %s)%s\n", why,
			l.has_memory ? ": the memory limit is not enforced" : "");
		return NULL;
	}
	if (!dirs) {
		runsc_error(g, "%s", why);
		return NULL;
	}
	snprintf(file, sizeof file, "%s/cgroups", dir);
	FILE *f = fopen(file, "we");
	bool ok = f && fputs(dirs, f) >= 0;
	if (f && fclose(f) != 0)
		ok = false;
	if (!ok) {
		runsc_error(g, "cannot write %s: %s", file, strerror(errno));
		cgroup_remove(dirs);
		free(dirs);
		return NULL;
	}
	return dirs;
}
