/* The runsc-compatible OCI runtime: the container model.
 *
 * A container is a directory <root>/<id>/ holding state.json (what `state`
 * and `list` report) and start.fifo.  `create` forks the container's
 * monitor process (the pid in --pid-file: the caller's child once create
 * has returned, exiting with the container init's status, 128+N for a
 * signal); the monitor starts the sandbox (the sentry, init of a new pid
 * namespace), which boots, reports ready and waits on start.fifo; `start`
 * writes a byte there.  Signals for the container go to the monitor, which
 * passes them to the sandbox's init (SIGKILL ends the monitor, and with it
 * the sandbox). */
#ifndef RUNSC_COMPAT_CONTAINER_H
#define RUNSC_COMPAT_CONTAINER_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "netstack/policy.h"

#define RUNSC_DEFAULT_ROOT "/var/run/runsc"
#define RUNSC_VERSION "0.1.0"

/* Global flags. */
struct runsc_globals {
	/* --root (default RUNSC_DEFAULT_ROOT; rootless, $XDG_RUNTIME_DIR/runsc
	 * when that is set, as runc) */
	const char *root;
	const char *log_path;      /* --log */
	bool log_json;             /* --log-format json */
	bool debug;
	const char *platform;      /* --platform (default systrap) */
	enum net_mode net_mode;    /* --network=none|sandbox, --block-network */
	/* The sandbox's network policy, comma-separated lists (also taken
	 * from the bundle's annotations, see runsc-compat/README.md). */
	const char *cidr_allow;    /* --cidr-allow */
	bool allow_dns;            /* --allow-dns */
	const char *publish;       /* --publish [HOSTIP:]HOSTPORT:GUESTPORT,... */
	const char *tls_publish;   /* --tls-publish ... */
	bool strace;
	bool systemd_cgroup;       /* --systemd-cgroup: cgroupsPath is slice:prefix:name */
	/* --rootless, or not root: the sandbox in a user namespace of its own
	 * (common/userns.h); a cgroupsPath it cannot make is ignored. */
	bool rootless;
	bool ignore_cgroups;       /* --ignore-cgroups: cgroupsPath is ignored */
};

enum container_status { CS_CREATED, CS_RUNNING, CS_STOPPED, CS_PAUSED };

struct container_state {
	char id[256];
	pid_t pid;                 /* the monitor */
	unsigned long long pid_start;   /* its start time (/proc/pid/stat field 22) */
	char bundle[4096];
	char rootfs[4096];
	char created[64];          /* RFC 3339 */
	char owner[64];
	bool started;
	bool paused;
};

/* A wait status as a shell's exit status: the code, or 128 + the signal. */
int exit_code_of(int status);

/* The host pids of a container's processes: its monitor and everything
 * under it (the sentry, its helpers, the stubs that run guest code).
 * Returns how many (at most max). */
int container_pids(pid_t monitor, pid_t *out, int max);

/* One error line: to stderr, and appended to --log (a JSON object per line
 * with --log-format json).  Returns 1 (the exit status for errors). */
int runsc_error(const struct runsc_globals *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

int container_dir(const struct runsc_globals *g, const char *id, char *out, size_t size);
/* <root>/<id>/<name> (state.json, control.sock, pod...): 0 or -errno. */
int container_file(const struct runsc_globals *g, const char *id, const char *name, char *out,
		   size_t size);
/* The container's exit status in dir/exit_status, for `wait` (whoever
 * waits is not the monitor's parent); container_read_exit: it, or -1. */
void container_record_exit(const char *dir, int code);
int container_read_exit(const char *dir);
/* The pid file a caller asked for: decimal, no newline (as runc), written
 * whole (a rename).  0 or -errno. */
int write_pid_file(const char *path, pid_t pid);
int container_load(const struct runsc_globals *g, const char *id, struct container_state *st);
int container_save(const struct runsc_globals *g, const struct container_state *st);
enum container_status container_status(const struct runsc_globals *g,
				       const struct container_state *st);
const char *container_status_name(enum container_status s);
/* The OCI state JSON of a container (runc's fields), to out. */
void container_print_state(const struct container_state *st, enum container_status s,
			   FILE *out);
struct oci_config;
/* The container's cgroup (linux.cgroupsPath; cgroup.h), with the memory
 * and pids limits of linux.resources if limits; its directories recorded
 * in dir/cgroups, which container_remove_dir removes.  NULL when reported
 * (runsc_error); rootless, NULL with a warning instead (the container runs
 * without its cgroup, as runc's rootless mode). */
char *container_cgroup_create(const struct runsc_globals *g, const struct oci_config *c,
			      const char *dir, bool limits);
/* Removes <root>/<id> and what is in it (and the container's cgroups). */
void container_remove_dir(const struct runsc_globals *g, const char *id);
/* A process's start time, or 0 if it is gone. */
unsigned long long proc_start_time(pid_t pid);
bool valid_id(const char *id);

#endif
