/* `runsc`: an OCI runtime with runsc's and runc's command line, running
 * each container in the sentry.  See runsc-compat/container.h for the
 * container model and docs/architecture.md ("runsc-compat").
 *
 *   runsc [global flags] COMMAND [flags] ID ...
 *
 * Not yet (issue 6 continues): events without --stats, resources other
 * than the memory and pids limits.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/fds.h"
#include "common/log.h"
#include "common/cgroup.h"
#include "common/userns.h"
#include "runsc-compat/container.h"
#include "runsc-compat/control.h"
#include "runsc-compat/oci_config.h"
#include "runsc-compat/pod.h"
#include "runsc-compat/sandbox_spec.h"
#include "sentry/kernel/kernel.h"

/* --- small helpers ------------------------------------------------------------------ */

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
		return -ENAMETOOLONG;
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Signal names as runc takes them: "9", "KILL", "SIGKILL". */
static int parse_signal(const char *s)
{
	static const struct { const char *name; int sig; } names[] = {
		{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT }, { "ILL", SIGILL },
		{ "TRAP", SIGTRAP }, { "ABRT", SIGABRT }, { "BUS", SIGBUS }, { "FPE", SIGFPE },
		{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 },
		{ "PIPE", SIGPIPE }, { "ALRM", SIGALRM }, { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
		{ "CONT", SIGCONT }, { "STOP", SIGSTOP }, { "TSTP", SIGTSTP }, { "TTIN", SIGTTIN },
		{ "TTOU", SIGTTOU }, { "URG", SIGURG }, { "XCPU", SIGXCPU }, { "XFSZ", SIGXFSZ },
		{ "VTALRM", SIGVTALRM }, { "PROF", SIGPROF }, { "WINCH", SIGWINCH }, { "IO", SIGIO },
		{ "PWR", SIGPWR }, { "SYS", SIGSYS },
	};
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n >= 1 && n < NSIG ? (int)n : -1;
	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i].name) == 0)
			return names[i].sig;
	return -1;
}

/* Command flags: "--name value", "--name=value" or "--flag". */
struct flag {
	const char *name;
	bool takes_value;
	const char **value;        /* for value flags */
	bool *set;                 /* for boolean flags */
};

/* Parses argv[0..argc) into flags and positional arguments (kept in pos);
 * -1 with a message on an unknown flag. */
static int parse_flags(const struct runsc_globals *g, int argc, char **argv,
		       const struct flag *flags, char **pos, int maxpos, int *npos)
{
	*npos = 0;
	for (int i = 0; i < argc; i++) {
		char *a = argv[i];
		if (a[0] != '-' || !a[1]) {
			if (*npos == maxpos)
				return runsc_error(g, "too many arguments (from \"%s\" on)", a), -1;
			pos[(*npos)++] = a;
			continue;
		}
		const char *name = a + (a[1] == '-' ? 2 : 1);
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		const struct flag *f = NULL;
		for (const struct flag *x = flags; x->name; x++)
			if (strlen(x->name) == len && strncmp(x->name, name, len) == 0)
				f = x;
		if (!f)
			return runsc_error(g, "unknown flag %s", a), -1;
		if (!f->takes_value) {
			if (f->set)
				*f->set = !eq || strcmp(eq + 1, "false") != 0;
			continue;
		}
		if (eq)
			*f->value = eq + 1;
		else if (i + 1 < argc)
			*f->value = argv[++i];
		else
			return runsc_error(g, "flag %s needs a value", a), -1;
	}
	return 0;
}

/* A command's flags and its one argument, the container id: NULL once
 * reported (as runc: "CMD: expected exactly one container id"). */
static const char *parse_id(const struct runsc_globals *g, const char *cmd, int argc,
			    char **argv, const struct flag *flags)
{
	char *pos[4];
	int npos;
	if (parse_flags(g, argc, argv, flags, pos, sizeof pos / sizeof pos[0], &npos) < 0)
		return NULL;
	if (npos != 1) {
		runsc_error(g, "%s: expected exactly one container id", cmd);
		return NULL;
	}
	return pos[0];
}

/* --- create ----------------------------------------------------------------------------- */

/* Is args[0] an executable file of the rootfs (found on the process's
 * PATH if it has no slash), as runc checks at create? */
static int check_executable(const char *rootfs, const struct oci_process *p, char *err,
			    size_t errsize)
{
	const char *cmd = p->args[0];
	char path[PATH_MAX];
	struct stat st;
	if (strchr(cmd, '/')) {
		int n = snprintf(path, sizeof path, "%s/%s/%s", rootfs, cmd[0] == '/' ? "" : p->cwd,
				 cmd);
		if (n < (int)sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111))
			return 0;
		/* Go's wording, which podman maps to exit statuses 127 and 126. */
		int missing = n >= (int)sizeof path || stat(path, &st) < 0;
		snprintf(err, errsize,
			 "runsc create failed: unable to start container process: exec: \"%s\": "
			 "stat %s: %s", cmd, cmd, missing ? "no such file or directory"
			 : "permission denied");
		return -1;
	}
	const char *pathenv = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	for (size_t i = 0; i < p->nenv; i++)
		if (strncmp(p->env[i], "PATH=", 5) == 0)
			pathenv = p->env[i] + 5;
	for (const char *d = pathenv; *d;) {
		size_t n = strcspn(d, ":");
		int w = snprintf(path, sizeof path, "%s/%.*s/%s", rootfs, (int)n, d, cmd);
		if (w < (int)sizeof path && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    (st.st_mode & 0111))
			return 0;
		d += n;
		if (*d == ':')
			d++;
	}
	snprintf(err, errsize,
		 "runsc create failed: unable to start container process: exec: \"%s\": "
		 "executable file not found in $PATH", cmd);
	return -1;
}

#define ANNOTATION_PREFIX "dev.sentry.network."

/* One comma-separated list of ranges or ports into the policy. */
static int add_list(struct net_policy *n, const char *list, int kind, char *why, size_t whysize)
{
	char buf[4096];
	if (!list || !*list)
		return 0;
	if (snprintf(buf, sizeof buf, "%s", list) >= (int)sizeof buf) {
		snprintf(why, whysize, "network policy list too long");
		return -1;
	}
	for (char *save = NULL, *item = strtok_r(buf, ", ", &save); item;
	     item = strtok_r(NULL, ", ", &save)) {
		if (kind == 0) {
			struct net_cidr *a = realloc(n->allow, (n->nallow + 1) * sizeof *a);
			if (!a)
				return -1;
			n->allow = a;
			if (net_cidr_parse(item, &a[n->nallow]) < 0) {
				snprintf(why, whysize, "bad CIDR \"%s\"", item);
				return -1;
			}
			n->nallow++;
			n->has_allowlist = true;
		} else {
			struct net_publish *a = realloc(n->publish, (n->npublish + 1) * sizeof *a);
			if (!a)
				return -1;
			n->publish = a;
			if (net_publish_parse(item, kind == 2, &a[n->npublish]) < 0) {
				snprintf(why, whysize, "bad published port \"%s\"", item);
				return -1;
			}
			n->npublish++;
		}
	}
	return 0;
}

/* The network policy from the flags and the bundle's annotations
 * (dev.sentry.network.{block,cidr-allow,allow-dns,publish,tls-publish}):
 * both apply, the stricter for blocking. */
static int build_policy(const struct runsc_globals *g, const struct oci_config *c,
			struct net_policy *n, char *why, size_t whysize)
{
	const char *block = oci_annotation(c, ANNOTATION_PREFIX "block");
	const char *dns = oci_annotation(c, ANNOTATION_PREFIX "allow-dns");
	n->mode = g->net_mode;
	if (block && strcmp(block, "true") == 0)
		n->mode = NET_NONE;
	if (add_list(n, g->cidr_allow, 0, why, whysize) < 0 ||
	    add_list(n, oci_annotation(c, ANNOTATION_PREFIX "cidr-allow"), 0, why, whysize) < 0 ||
	    add_list(n, g->publish, 1, why, whysize) < 0 ||
	    add_list(n, oci_annotation(c, ANNOTATION_PREFIX "publish"), 1, why, whysize) < 0 ||
	    add_list(n, g->tls_publish, 2, why, whysize) < 0 ||
	    add_list(n, oci_annotation(c, ANNOTATION_PREFIX "tls-publish"), 2, why, whysize) < 0)
		return -1;
	n->dns_allowed = !n->has_allowlist || g->allow_dns || (dns && strcmp(dns, "true") == 0);
	return 0;
}

/* The sandbox's configuration from config.json (pointers into c). */
static int build_sandbox_config(const struct runsc_globals *g, struct oci_config *c,
				const char *bundle, const char *rootfs, struct sandbox_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->platform = g->platform;
	cfg->rootfs = rootfs;
	cfg->argv = c->process.args;
	cfg->envp = c->process.env;
	cfg->cwd = c->process.cwd;
	cfg->uid = c->process.uid;
	cfg->gid = c->process.gid;
	cfg->opts.hostname = c->hostname && c->hostname[0] ? c->hostname : NULL;
	cfg->opts.strace = g->strace;
	char why[256];
	if (build_policy(g, c, &cfg->opts.net, why, sizeof why) < 0) {
		runsc_error(g, "%s", why);
		return -EINVAL;
	}
	/* Mounts, user, capabilities, rlimits, seccomp...: sandbox_spec.c. */
	if (sandbox_spec_apply(c, bundle, cfg, why, sizeof why) < 0) {
		runsc_error(g, "%s", why);
		return -EINVAL;
	}
	return 0;
}

/* The sandbox (pid 1 of a new pid namespace): boots, reports to ready_fd,
 * waits for start, runs the container. */
static _Noreturn void sandbox_main(struct sandbox_config *cfg)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	log_set_prefix("sentry");
	int status = kernel_run(cfg);
	fflush(stdout);
	_exit(status < 0 ? 125 : exit_code_of(status));
}

/* The preserved fds are the sandbox's alone: a copy here would keep a pipe
 * open after the guest closed it. */
static void close_preserved(const struct sandbox_config *cfg)
{
	for (int i = 0; i < cfg->npreserved_fds; i++)
		close(cfg->preserved_fds[i]);
}

/* The monitor: the pid the caller waits for.  Passes signals to the
 * sandbox and exits with its status (recorded for `wait`). */
static _Noreturn void monitor_main(struct sandbox_config *cfg, int ready_r, const char *dir,
				   bool rootless)
{
	setsid();
	/* The terminal's slave becomes our session's controlling terminal, so
	 * that a resize of its master (the shim's TIOCSWINSZ) sends SIGWINCH
	 * here and to the sentry, whose terminal bridge reads the new size. */
	if (cfg->tty_stdio)
		ioctl(0, TIOCSCTTY, 0);
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	char warn[256];
	pid_t pid = userns_fork_sandbox(rootless, warn, sizeof warn);
	if (warn[0] && pid != 0)
		fprintf(stderr, "runsc: %s\n", warn);
	if (pid < 0)
		_exit(125);
	if (pid == 0) {
		close(ready_r);
		sandbox_main(cfg);
	}
	close(cfg->ready_fd);
	close(ready_r);
	close_preserved(cfg);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid &&
		    (WIFEXITED(status) || WIFSIGNALED(status))) {
			container_record_exit(dir, exit_code_of(status));
			_exit(exit_code_of(status));
		}
	}
}

/* A terminal for the container (process.terminal): a host pty whose
 * master goes to the caller over --console-socket (SCM_RIGHTS, as runc);
 * the slave, in raw mode (the sandbox's own pty does the line discipline),
 * becomes the sandbox's stdio.  The slave fd, or -1 with why. */
static int console_setup(const char *sock_path, const struct oci_process *p, char *why,
			 size_t whysize)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) {
		snprintf(why, whysize, "cannot open a pty: %s", strerror(errno));
		if (master >= 0)
			close(master);
		return -1;
	}
	char name[64];
	int slave = -1;
	if (ptsname_r(master, name, sizeof name) == 0)
		slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		snprintf(why, whysize, "cannot open the pty's slave: %s", strerror(errno));
		close(master);
		return -1;
	}
	struct termios t;
	if (tcgetattr(slave, &t) == 0) {
		cfmakeraw(&t);
		tcsetattr(slave, TCSANOW, &t);
	}
	if (p->console_width && p->console_height) {
		struct winsize ws = { .ws_row = (unsigned short)p->console_height,
				      .ws_col = (unsigned short)p->console_width };
		ioctl(slave, TIOCSWINSZ, &ws);
	}
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int err = sock < 0 || strlen(sock_path) >= sizeof sa.sun_path;
	if (!err) {
		strcpy(sa.sun_path, sock_path);
		err = connect(sock, (struct sockaddr *)&sa, sizeof sa) < 0;
	}
	if (!err)   /* (the payload, as runc's; clients ignore it) */
		err = control_send_fds(sock, "/dev/ptmx", 9, &master, 1) < 0;
	if (err)
		snprintf(why, whysize, "console socket %s: %s", sock_path, strerror(errno));
	if (sock >= 0)
		close(sock);
	close(master);
	if (err) {
		close(slave);
		return -1;
	}
	return slave;
}

struct create_opts {
	const char *bundle, *pid_file, *console_socket, *preserve_fds;
	bool detach, no_pivot, no_new_keyring;
};

/* create: returns the exit status; *monitor is the monitor's pid. */
static int do_create(const struct runsc_globals *g, const char *id, const struct create_opts *o,
		     pid_t *monitor)
{
	char err[OCI_ERR_MAX], bundle[PATH_MAX], path[PATH_MAX + 32], dir[PATH_MAX];
	if (!valid_id(id))
		return runsc_error(g, "invalid container id \"%s\"", id);
	/* Before we open anything: the caller's fds 3..3+N-1 are the
	 * container's (moved out of the way of the sentry's own), every other
	 * one it left open is not. */
	int npreserved = o->preserve_fds ? fds_parse_count(o->preserve_fds) : 0;
	if (npreserved < 0)
		return runsc_error(g, "--preserve-fds: expected a number from 0 to %d",
				   FDS_PRESERVE_MAX);
	static int preserved[FDS_PRESERVE_MAX];
	int e = fds_preserve(npreserved, preserved, true);
	if (e < 0)
		return runsc_error(g, "--preserve-fds %d: %s", npreserved,
				   e == -EBADF ? "not every one of those fds is open" : strerror(-e));
	if (!realpath(o->bundle ? o->bundle : ".", bundle))
		return runsc_error(g, "bundle %s: %s", o->bundle ? o->bundle : ".", strerror(errno));
	snprintf(path, sizeof path, "%s/config.json", bundle);
	struct oci_config c;
	memset(&c, 0, sizeof c);
	if (oci_config_load(path, &c, err) < 0)
		return runsc_error(g, "%s", err);
	if (!c.has_process)
		return runsc_error(g, "config.json: process: missing");
	if (c.process.terminal && !o->console_socket)
		return runsc_error(g, "process.terminal is set: --console-socket is needed");
	char rootfs[PATH_MAX];
	snprintf(path, sizeof path, "%s%s%s", c.root_path && c.root_path[0] == '/' ? "" : bundle,
		 c.root_path && c.root_path[0] == '/' ? "" : "/", c.root_path ? c.root_path : "rootfs");
	struct stat st;
	if (!realpath(path, rootfs) || stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
		return runsc_error(g, "rootfs %s: not a directory", path);
	if (check_executable(rootfs, &c.process, err, sizeof err) < 0)
		return runsc_error(g, "%s", err);
	/* A container of a pod whose sandbox is ours runs in it (pod.h). */
	struct container_state pod;
	if (pod_find(g, &c, &pod) > 0) {
		if (npreserved > 0)
			return runsc_error(g, "--preserve-fds: not supported for a container of a "
					   "pod yet");
		int tty = -1;
		if (c.process.terminal &&
		    (tty = console_setup(o->console_socket, &c.process, err, sizeof err)) < 0)
			return runsc_error(g, "%s", err);
		struct pod_create_req r = { id, bundle, rootfs, o->pid_file, tty };
		return pod_create(g, &r, &c, &pod, monitor);
	}

	e = mkdir_p(g->root, 0711);
	if (e < 0)
		return runsc_error(g, "cannot create %s: %s", g->root, strerror(-e));
	container_dir(g, id, dir, sizeof dir);
	if (mkdir(dir, 0711) < 0)
		return runsc_error(g, errno == EEXIST ? "container with id %s already exists"
				   : "cannot create the container's directory %s", id);
	char fifo[PATH_MAX + 16];
	snprintf(fifo, sizeof fifo, "%s/start.fifo", dir);
	if (mkfifo(fifo, 0600) < 0) {
		container_remove_dir(g, id);
		return runsc_error(g, "mkfifo %s: %s", fifo, strerror(errno));
	}

	struct sandbox_config cfg;
	if ((e = build_sandbox_config(g, &c, bundle, rootfs, &cfg)) < 0) {
		container_remove_dir(g, id);
		return e == -EINVAL ? 1 : runsc_error(g, "out of memory");
	}
	int slave = -1;
	if (c.process.terminal) {
		char why[256];
		slave = console_setup(o->console_socket, &c.process, why, sizeof why);
		if (slave < 0) {
			container_remove_dir(g, id);
			return runsc_error(g, "%s", why);
		}
		/* The guest gets a terminal of the sandbox, joined to this one. */
		cfg.tty_stdio = 7;
	}
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		container_remove_dir(g, id);
		return runsc_error(g, "pipe: %s", strerror(errno));
	}
	char ctl[PATH_MAX + 16];
	container_file(g, id, "control.sock", ctl, sizeof ctl);
	if (strlen(ctl) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		container_remove_dir(g, id);
		return runsc_error(g, "--root %s: the path of the container's control socket is "
				   "too long", g->root);
	}
	cfg.preserved_fds = preserved;
	cfg.npreserved_fds = npreserved;
	cfg.gated = true;
	cfg.ready_fd = ready[1];
	cfg.start_fifo = fifo;
	cfg.control_socket = ctl;
	char *cgroups = NULL;
	if (c.cgroups_path && c.cgroups_path[0] && !g->ignore_cgroups &&
	    (cgroups = container_cgroup_create(g, &c, dir, true)) == NULL && !g->rootless) {
		container_remove_dir(g, id);
		return 1;   /* reported */
	}
	/* No cgroup: the pids limit is still the sentry's to count. */
	if (!cgroups && c.has_pids_limit && c.pids_limit > 0)
		cfg.opts.max_tasks = (int)(c.pids_limit < KERNEL_MAX_PID - 1 ? c.pids_limit
									  : KERNEL_MAX_PID - 1);
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		container_remove_dir(g, id);
		return runsc_error(g, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		char why[256];
		if (cgroups && cgroup_join(cgroups, why, sizeof why) < 0) {
			fprintf(stderr, "runsc: %s\n", why);
			_exit(125);
		}
		if (slave >= 0) {
			for (int fd = 0; fd < 3; fd++)
				dup2(slave, fd);
			if (slave > 2)
				close(slave);
		}
		monitor_main(&cfg, ready[0], dir, g->rootless);
	}
	free(cgroups);
	close_preserved(&cfg);
	if (slave >= 0)
		close(slave);
	close(ready[1]);
	char buf[8] = { 0 };
	ssize_t n;
	while ((n = read(ready[0], buf, sizeof buf - 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (n != 3 || strcmp(buf, "ok\n") != 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		container_remove_dir(g, id);
		return runsc_error(g, "runsc create failed: the sandbox did not start (see the "
				   "sentry's message above)");
	}
	struct container_state s = { .pid = pid, .pid_start = proc_start_time(pid) };
	snprintf(s.id, sizeof s.id, "%s", id);
	snprintf(s.bundle, sizeof s.bundle, "%s", bundle);
	snprintf(s.rootfs, sizeof s.rootfs, "%s", rootfs);
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(s.created, sizeof s.created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((e = container_save(g, &s)) < 0 ||
	    (o->pid_file && (e = write_pid_file(o->pid_file, pid)) < 0)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		container_remove_dir(g, id);
		return runsc_error(g, "cannot record the container: %s", strerror(-e));
	}
	*monitor = pid;
	return 0;
}

/* create's and run's flags and the container id; 0 or an exit status. */
static int parse_create(const struct runsc_globals *g, const char *cmd, int argc, char **argv,
			struct create_opts *out, const char **id)
{
	struct create_opts o = { 0 };
	const struct flag flags[] = {
		{ "bundle", true, &o.bundle, NULL }, { "b", true, &o.bundle, NULL },
		{ "pid-file", true, &o.pid_file, NULL },
		{ "console-socket", true, &o.console_socket, NULL },
		{ "preserve-fds", true, &o.preserve_fds, NULL },
		{ "no-pivot", false, NULL, &o.no_pivot },
		{ "no-new-keyring", false, NULL, &o.no_new_keyring },
		{ "detach", false, NULL, &o.detach }, { "d", false, NULL, &o.detach },
		{ NULL, false, NULL, NULL },
	};
	char *pos[8];
	int npos;
	if (parse_flags(g, argc, argv, flags, pos, sizeof pos / sizeof pos[0], &npos) < 0)
		return 1;
	if (npos != 1)
		return runsc_error(g, "%s: expected exactly one container id", cmd);
	*out = o;
	*id = pos[0];
	return 0;
}

static int cmd_create(const struct runsc_globals *g, int argc, char **argv)
{
	struct create_opts o;
	const char *id;
	int rc = parse_create(g, "create", argc, argv, &o, &id);
	if (rc)
		return rc;
	pid_t monitor;
	return do_create(g, id, &o, &monitor);
}

/* --- start, run, state, kill, delete, list ------------------------------------------------ */

static int load_or_fail(const struct runsc_globals *g, const char *id, struct container_state *st)
{
	int e = container_load(g, id, st);
	if (e == -ENOENT || e == -EINVAL)
		return runsc_error(g, "container \"%s\" does not exist", id);
	if (e < 0)
		return runsc_error(g, "container \"%s\": unreadable state", id);
	return 0;
}

static int do_start(const struct runsc_globals *g, const char *id)
{
	struct container_state st;
	if (load_or_fail(g, id, &st))
		return 1;
	enum container_status s = container_status(g, &st);
	if (s != CS_CREATED)
		return runsc_error(g, "cannot start a container that is %s",
				   container_status_name(s));
	char dir[PATH_MAX], fifo[PATH_MAX + 16];
	container_dir(g, id, dir, sizeof dir);
	snprintf(fifo, sizeof fifo, "%s/start.fifo", dir);
	int fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return runsc_error(g, "cannot start container %s: the sandbox is not waiting (%s)", id,
				   strerror(errno));
	int ok = write(fd, "1", 1) == 1;
	close(fd);
	if (!ok)
		return runsc_error(g, "cannot start container %s: %s", id, strerror(errno));
	st.started = true;
	container_save(g, &st);
	return 0;
}

static int cmd_start(const struct runsc_globals *g, int argc, char **argv)
{
	const struct flag flags[] = { { NULL, false, NULL, NULL } };
	const char *id = parse_id(g, "start", argc, argv, flags);
	if (!id)
		return 1;
	return do_start(g, id);
}

static int cmd_run(const struct runsc_globals *g, int argc, char **argv)
{
	struct create_opts o;
	const char *id;
	int rc = parse_create(g, "run", argc, argv, &o, &id);
	if (rc)
		return rc;
	pid_t monitor;
	rc = do_create(g, id, &o, &monitor);
	if (rc)
		return rc;
	if ((rc = do_start(g, id)) != 0) {
		kill(monitor, SIGKILL);
		waitpid(monitor, NULL, 0);
		container_remove_dir(g, id);
		return rc;
	}
	if (o.detach)
		return 0;
	/* The monitor exits with the container init's status. */
	int status;
	while (waitpid(monitor, &status, 0) < 0 && errno == EINTR)
		;
	container_remove_dir(g, id);
	return exit_code_of(status);
}

static int cmd_state(const struct runsc_globals *g, int argc, char **argv)
{
	if (argc != 1)
		return runsc_error(g, "state: expected exactly one container id");
	struct container_state st;
	if (load_or_fail(g, argv[0], &st))
		return 1;
	container_print_state(&st, container_status(g, &st), stdout);
	return 0;
}

static int cmd_kill(const struct runsc_globals *g, int argc, char **argv)
{
	bool all = false;
	const struct flag flags[] = { { "all", false, NULL, &all }, { "a", false, NULL, &all },
				      { NULL, false, NULL, NULL } };
	char *pos[4];
	int npos;
	if (parse_flags(g, argc, argv, flags, pos, sizeof pos / sizeof pos[0], &npos) < 0)
		return 1;
	if (npos < 1 || npos > 2)
		return runsc_error(g, "kill: expected a container id and a signal");
	int sig = npos == 2 ? parse_signal(pos[1]) : SIGTERM;
	if (sig < 0)
		return runsc_error(g, "kill: unknown signal \"%s\"", pos[1]);
	struct container_state st;
	if (load_or_fail(g, pos[0], &st))
		return 1;
	if (pod_member(g, pos[0]))
		return pod_kill(g, &st, sig, all);
	enum container_status s = container_status(g, &st);
	/* As runc: --all of a stopped container is no error, and the words
	 * "container not running" tell the shim the process is gone already
	 * (`ctr task delete -f` of a stopped task). */
	if (s == CS_STOPPED)
		return all ? 0 : runsc_error(g, "cannot signal container %s: container not running",
					     pos[0]);
	/* SIGKILL (and SIGSTOP, which the monitor cannot pass on) end the
	 * monitor; the sandbox dies with it.  The others reach the
	 * container's init through the monitor, or with --all every process
	 * through the sandbox's control socket. */
	if (all && sig != SIGKILL && sig != SIGSTOP && s == CS_RUNNING) {
		char ctl[PATH_MAX + 16];
		container_file(g, pos[0], "control.sock", ctl, sizeof ctl);
		int e = control_signal(ctl, -1, sig);
		return e < 0 && e != -ESRCH ? runsc_error(g, "kill --all: %s", strerror(-e)) : 0;
	}
	if (kill(st.pid, sig == SIGSTOP ? SIGKILL : sig) < 0)
		return runsc_error(g, "kill %d: %s", (int)st.pid, strerror(errno));
	return 0;
}

static bool wait_gone(const struct container_state *st, int ms)
{
	for (int i = 0; i < ms; i += 10) {
		if (proc_start_time(st->pid) != st->pid_start)
			return true;
		struct timespec t = { 0, 10 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
	return false;
}

static int cmd_delete(const struct runsc_globals *g, int argc, char **argv)
{
	bool force = false;
	const struct flag flags[] = { { "force", false, NULL, &force }, { "f", false, NULL, &force },
				      { NULL, false, NULL, NULL } };
	const char *id = parse_id(g, "delete", argc, argv, flags);
	if (!id)
		return 1;
	struct container_state st;
	int e = container_load(g, id, &st);
	if (e == -ENOENT || e == -EINVAL)
		return force ? 0 : runsc_error(g, "container \"%s\" does not exist", id);
	if (e == 0 && pod_member(g, id))
		return pod_delete(g, &st, force);
	if (e == 0 && container_status(g, &st) != CS_STOPPED) {
		if (!force)
			return runsc_error(g, "cannot delete container %s that is not stopped: %s",
					   id, container_status_name(container_status(g, &st)));
		kill(st.pid, SIGKILL);
		if (!wait_gone(&st, 5000))
			return runsc_error(g, "container %s: its processes did not exit", id);
	}
	container_remove_dir(g, id);
	return 0;
}

static int cmd_list(const struct runsc_globals *g, int argc, char **argv)
{
	const char *format = "table";
	bool quiet = false;
	const struct flag flags[] = { { "format", true, &format, NULL }, { "f", true, &format, NULL },
				      { "quiet", false, NULL, &quiet }, { "q", false, NULL, &quiet },
				      { NULL, false, NULL, NULL } };
	char *pos[4];
	int npos;
	if (parse_flags(g, argc, argv, flags, pos, sizeof pos / sizeof pos[0], &npos) < 0)
		return 1;
	bool json = strcmp(format, "json") == 0;
	if (!json && strcmp(format, "table") != 0)
		return runsc_error(g, "list: unknown format \"%s\"", format);
	json_t *arr = json_array();
	DIR *d = opendir(g->root);
	if (!json && !quiet)
		printf("%-12s %-8s %-10s %-40s %-20s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED",
		       "OWNER");
	struct dirent *e;
	while (d && (e = readdir(d))) {
		struct container_state st;
		if (e->d_name[0] == '.' || container_load(g, e->d_name, &st) < 0)
			continue;
		enum container_status s = container_status(g, &st);
		int pid = s == CS_STOPPED ? 0 : (int)st.pid;
		if (quiet)
			printf("%s\n", st.id);
		else if (!json)
			printf("%-12s %-8d %-10s %-40s %-20s %s\n", st.id, pid,
			       container_status_name(s), st.bundle, st.created,
			       st.owner[0] ? st.owner : "root");
		else
			json_array_append_new(arr, json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}",
							     "ociVersion", "1.0.2-dev", "id", st.id,
							     "pid", pid, "status",
							     container_status_name(s), "bundle",
							     st.bundle, "created", st.created,
							     "owner", st.owner[0] ? st.owner : "root"));
	}
	if (d)
		closedir(d);
	if (json && !quiet) {
		char *text = json_dumps(arr, JSON_COMPACT);
		printf("%s\n", text ? text : "[]");
		free(text);
	}
	json_decref(arr);
	return 0;
}

/* A host process's pid in its own (innermost) pid namespace: the last
 * field of NSpid in /proc/pid/status; -1 if unknown. */
static long innermost_pid(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	long inner = -1;
	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "NSpid:", 6) == 0) {
			char *last = strrchr(line, '\t');
			inner = last ? strtol(last + 1, NULL, 10) : -1;
			break;
		}
	if (f)
		fclose(f);
	return inner;
}

/* A pod member's host processes: the stubs that run its processes' threads
 * (which the pod's sandbox names by their pids in its pid namespace: found
 * among the sandbox's host processes).  How many, or -1 when the sandbox
 * does not say. */
static int member_pids(const struct runsc_globals *g, const char *id, pid_t *out, int max)
{
	char sandbox[256], ctl[PATH_MAX + 16];
	struct container_state pod;
	if (pod_sandbox_id(g, id, sandbox, sizeof sandbox) < 0 ||
	    container_load(g, sandbox, &pod) < 0 || container_status(g, &pod) == CS_STOPPED ||
	    container_file(g, id, "control.sock", ctl, sizeof ctl) < 0)
		return -1;
	static int32_t inner[16384];
	static pid_t tree[4096];
	int ni = control_ps(ctl, inner, 16384);
	if (ni < 0)
		return -1;
	int nt = container_pids(pod.pid, tree, 4096), n = 0;
	for (int i = 1; i < nt && n < max; i++) {   /* (tree[0], the monitor, is outside) */
		long p = innermost_pid(tree[i]);
		for (int j = 0; j < ni; j++)
			if (inner[j] == p) {
				out[n++] = tree[i];
				break;
			}
	}
	return n;
}

/* The host processes of a container (none once it has stopped): the
 * monitor and everything under it, or a pod member's stubs. */
static int host_pids(const struct runsc_globals *g, const char *id,
		     const struct container_state *st, pid_t *out, int max)
{
	if (container_status(g, st) == CS_STOPPED)
		return 0;
	int n = pod_member(g, id) ? member_pids(g, id, out, max) : -1;
	return n >= 0 ? n : container_pids(st->pid, out, max);
}

static int cmd_ps(const struct runsc_globals *g, int argc, char **argv)
{
	const char *format = "table";
	const struct flag flags[] = { { "format", true, &format, NULL }, { "f", true, &format, NULL },
				      { NULL, false, NULL, NULL } };
	const char *id = parse_id(g, "ps", argc, argv, flags);
	if (!id)
		return 1;
	struct container_state st;
	if (load_or_fail(g, id, &st))
		return 1;
	static pid_t pids[4096];
	int n = host_pids(g, id, &st, pids, 4096);
	if (strcmp(format, "json") == 0) {
		printf("[");
		for (int i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		printf("]\n");
		return 0;
	}
	printf("PID\n");
	for (int i = 0; i < n; i++)
		printf("%d\n", (int)pids[i]);
	return 0;
}

/* pause/resume: every host process of the container stopped or continued
 * (the sentry first on pause, last on resume). */
static int pause_resume(const struct runsc_globals *g, int argc, char **argv, bool pause)
{
	if (argc != 1)
		return runsc_error(g, "%s: expected exactly one container id",
				   pause ? "pause" : "resume");
	struct container_state st;
	if (load_or_fail(g, argv[0], &st))
		return 1;
	if (pod_member(g, argv[0]))   /* (stopping its proxy and gofer would not do) */
		return runsc_error(g, "cannot %s container %s: not supported for a container of a "
				   "pod yet", pause ? "pause" : "resume", argv[0]);
	enum container_status s = container_status(g, &st);
	if (pause ? s != CS_RUNNING : s != CS_PAUSED)
		return runsc_error(g, "cannot %s container %s: it is %s", pause ? "pause" : "resume",
				   argv[0], container_status_name(s));
	static pid_t pids[4096];
	int n = container_pids(st.pid, pids, 4096);
	for (int i = 0; i < n; i++)
		kill(pids[pause ? i : n - 1 - i], pause ? SIGSTOP : SIGCONT);
	st.paused = pause;
	int e = container_save(g, &st);
	return e < 0 ? runsc_error(g, "cannot record the container: %s", strerror(-e)) : 0;
}

static int cmd_pause(const struct runsc_globals *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, true);
}

static int cmd_resume(const struct runsc_globals *g, int argc, char **argv)
{
	return pause_resume(g, argc, argv, false);
}

/* utime, stime (clock ticks) and rss (pages) of a process from /proc. */
static bool proc_usage(pid_t pid, unsigned long long *ut, unsigned long long *st, long long *rss)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	char *p = strrchr(buf, ')');
	if (!p)
		return false;
	/* fields after ")": 3 state ... 14 utime 15 stime ... 24 rss */
	unsigned long long f[25] = { 0 };
	p += 2;
	for (int i = 3; i <= 24 && *p; i++) {
		f[i] = strtoull(p, &p, 10);
		if (i == 3) {   /* the state is a letter */
			p = strchr(p, ' ');
			if (!p)
				return false;
		}
		while (*p == ' ')
			p++;
	}
	*ut = f[14];
	*st = f[15];
	*rss = (long long)f[24];
	return true;
}

/* events --stats: one JSON object of the container's resource use (the
 * sum over its host processes), as runc's stats event. */
static int cmd_events(const struct runsc_globals *g, int argc, char **argv)
{
	bool stats = false;
	const char *interval = NULL;
	const struct flag flags[] = { { "stats", false, NULL, &stats },
				      { "interval", true, &interval, NULL },
				      { NULL, false, NULL, NULL } };
	const char *id = parse_id(g, "events", argc, argv, flags);
	if (!id)
		return 1;
	if (!stats)
		return runsc_error(g, "events: only --stats is supported yet");
	struct container_state st;
	if (load_or_fail(g, id, &st))
		return 1;
	if (container_status(g, &st) == CS_STOPPED)
		return runsc_error(g, "container %s is not running", id);
	static pid_t pids[4096];
	int n = host_pids(g, id, &st, pids, 4096);
	unsigned long long ut = 0, kt = 0;
	long long pages = 0;
	for (int i = 0; i < n; i++) {
		unsigned long long u, k;
		long long r;
		if (proc_usage(pids[i], &u, &k, &r)) {
			ut += u;
			kt += k;
			pages += r;
		}
	}
	long tick = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	unsigned long long ns_per_tick = tick > 0 ? 1000000000ULL / (unsigned long long)tick : 0;
	printf("{\"type\":\"stats\",\"id\":\"%s\",\"data\":{\"cpu\":{\"usage\":{\"total\":%llu,"
	       "\"user\":%llu,\"kernel\":%llu}},\"memory\":{\"usage\":{\"usage\":%lld}},"
	       "\"pids\":{\"current\":%d}}}\n", id, (ut + kt) * ns_per_tick, ut * ns_per_tick,
	       kt * ns_per_tick, pages * page, n);
	return 0;
}

/* wait: until the container has stopped; prints its exit status as runsc
 * does ({"id":..., "exitStatus":N}). */
static int cmd_wait(const struct runsc_globals *g, int argc, char **argv)
{
	if (argc != 1)
		return runsc_error(g, "wait: expected exactly one container id");
	struct container_state st;
	if (load_or_fail(g, argv[0], &st))
		return 1;
	while (container_status(g, &st) != CS_STOPPED) {
		struct timespec t = { 0, 20 * 1000 * 1000 };
		nanosleep(&t, NULL);
	}
	char dir[PATH_MAX];
	container_dir(g, argv[0], dir, sizeof dir);
	int code = container_read_exit(dir);
	if (code < 0)
		code = 128 + SIGKILL;   /* the monitor itself was killed */
	printf("{\"id\":\"%s\",\"exitStatus\":%d}\n", argv[0], code);
	return 0;
}

/* --- exec ------------------------------------------------------------------------------------ */

/* The request text for the sandbox's control socket (sentry/kernel/spawn.c);
 * with a terminal, the process gets one of the sandbox, bridged to ours;
 * settings: its groups, capabilities, rlimits... (sandbox_spec.h). */
static char *exec_request(const struct oci_process *p, bool tty, const char *settings,
			  size_t *len)
{
	size_t n = 64 + strlen(p->cwd) + strlen(settings);
	for (size_t i = 0; i < p->nargs; i++)
		n += strlen(p->args[i]) + 1;
	for (size_t i = 0; i < p->nenv; i++)
		n += strlen(p->env[i]) + 1;
	if (n > 65000)
		return NULL;
	char *buf = malloc(n), *w = buf;
	if (!buf)
		return NULL;
	w += sprintf(w, "%s%c%u%c%u%c%s%c%zu%c", tty ? "EXECTTY" : "EXEC", 0, (unsigned)p->uid,
		     0, (unsigned)p->gid, 0, p->cwd, 0, p->nargs, 0);
	for (size_t i = 0; i < p->nargs; i++)
		w += sprintf(w, "%s%c", p->args[i], 0);
	w += sprintf(w, "%zu%c", p->nenv, 0);
	for (size_t i = 0; i < p->nenv; i++)
		w += sprintf(w, "%s%c", p->env[i], 0);
	w += sprintf(w, "%s%c", settings, 0);
	*len = (size_t)(w - buf);
	return buf;
}

/* The exec proxy's guard: when the proxy is killed (the shim SIGKILLs an
 * exec's pid: `ctr task kill --exec-id`), the process must go with it, as
 * runc's real process would.  The proxy kills the guard before it exits. */
static pid_t exec_guard = -1;

static void start_exec_guard(const char *ctl, pid_t guest)
{
	pid_t proxy = getpid();
	exec_guard = fork();
	if (exec_guard != 0)
		return;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int fd = 0; fd < 3; fd++)   /* not a holder of the caller's pipes */
		dup2(null, fd);
	sigset_t hup;
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, NULL);
	prctl(PR_SET_PDEATHSIG, SIGHUP);
	int sig;
	if (getppid() == proxy)
		sigwait(&hup, &sig);
	control_signal(ctl, guest, SIGKILL);
	_exit(0);
}

static _Noreturn void exec_proxy_exit(int code)
{
	if (exec_guard > 0) {
		kill(exec_guard, SIGKILL);
		waitpid(exec_guard, NULL, 0);
	}
	_exit(code);
}

/* The exec proxy (the pid the caller waits for): asks the sandbox to start
 * the process with our stdio, reports "ok" (or the errno) on report, and
 * exits with the process's status. */
static _Noreturn void exec_proxy(const char *ctl, const char *req, size_t len, int report)
{
	static const int stdio[3] = { 0, 1, 2 };
	int s = control_connect(ctl, 0);
	int32_t r = s < 0 ? s : control_request(s, req, len, stdio, 3);
	ssize_t w = write(report, &r, sizeof r);
	(void)w;
	close(report);
	if (r < 0)
		_exit(255);
	/* Signals for the proxy (the shim's kill of an exec) go to the process. */
	pid_t guest = (pid_t)r;
	sigset_t all;
	sigfillset(&all);
	sigdelset(&all, SIGCHLD);
	sigprocmask(SIG_BLOCK, &all, NULL);
	int sfd = signalfd(-1, &all, SFD_CLOEXEC);
	start_exec_guard(ctl, guest);
	for (;;) {
		struct pollfd p[2] = { { s, POLLIN, 0 }, { sfd, POLLIN, 0 } };
		if (poll(p, sfd >= 0 ? 2 : 1, -1) < 0)
			continue;
		if (sfd >= 0 && (p[1].revents & POLLIN)) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof si) == sizeof si)
				control_signal(ctl, guest, (int)si.ssi_signo);
		}
		if (p[0].revents) {
			int32_t status;
			/* The sandbox is gone (killed): so is the process. */
			if (recv(s, &status, sizeof status, 0) != sizeof status)
				exec_proxy_exit(128 + SIGKILL);
			exec_proxy_exit(exit_code_of(status));
		}
	}
}

static int cmd_exec(const struct runsc_globals *g, int argc, char **argv)
{
	const char *process = NULL, *console = NULL, *pid_file = NULL, *cwd = NULL, *user = NULL;
	const char *env[64];
	int nenv = 0, i = 0;
	bool detach = false, tty = false;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i] + (argv[i][1] == '-' ? 2 : 1), *eq = strchr(a, '=');
		size_t alen = eq ? (size_t)(eq - a) : strlen(a);
		const char **slot = NULL;
#define IS(name) (alen == strlen(name) && strncmp(a, name, alen) == 0)
		if (IS("detach") || IS("d"))
			detach = true;
		else if (IS("tty") || IS("t"))
			tty = true;
		else if (IS("process") || IS("p"))
			slot = &process;
		else if (IS("console-socket"))
			slot = &console;
		else if (IS("pid-file"))
			slot = &pid_file;
		else if (IS("cwd"))
			slot = &cwd;
		else if (IS("user") || IS("u"))
			slot = &user;
		else if (IS("env") || IS("e")) {
			if (nenv == 64)
				return runsc_error(g, "exec: too many --env");
			slot = &env[nenv++];
		} else if (IS("preserve-fds") || IS("cap") || IS("apparmor") || IS("process-label")) {
			const char *ignored;
			slot = &ignored;
		} else {
			return runsc_error(g, "exec: unknown flag %s", argv[i]);
		}
#undef IS
		if (slot) {
			if (eq)
				*slot = eq + 1;
			else if (i + 1 < argc)
				*slot = argv[++i];
			else
				return runsc_error(g, "exec: flag %s needs a value", argv[i]);
		}
	}
	if (i >= argc)
		return runsc_error(g, "exec: expected a container id");
	const char *id = argv[i++];
	struct container_state st;
	if (load_or_fail(g, id, &st))
		return 1;
	if (container_status(g, &st) != CS_RUNNING)
		return runsc_error(g, "cannot exec in container %s: it is %s", id,
				   container_status_name(container_status(g, &st)));
	char err[OCI_ERR_MAX];
	struct oci_process p;
	memset(&p, 0, sizeof p);
	if (process) {
		if (oci_process_load(process, &p, err) < 0)
			return runsc_error(g, "%s", err);
	} else {
		/* The command line, with the container's environment and cwd. */
		if (i >= argc)
			return runsc_error(g, "exec: no command (give one, or --process)");
		char path[PATH_MAX + 16];
		snprintf(path, sizeof path, "%s/config.json", st.bundle);
		struct oci_config c;
		memset(&c, 0, sizeof c);
		if (oci_config_load(path, &c, err) < 0)
			return runsc_error(g, "%s", err);
		p = c.process;
		memset(&c.process, 0, sizeof c.process);
		oci_config_free(&c);
		p.args = argv + i;
		p.nargs = (size_t)(argc - i);
	}
	if (cwd)
		p.cwd = (char *)cwd;
	if (user) {
		unsigned long u, gr;
		char *end;
		u = strtoul(user, &end, 10);
		gr = *end == ':' ? strtoul(end + 1, &end, 10) : 0;
		if (*end)
			return runsc_error(g, "exec: --user takes UID[:GID]");
		p.uid = (uid_t)u;
		p.gid = (gid_t)gr;
	}
	char **envp = calloc(p.nenv + (size_t)nenv + 1, sizeof *envp);
	if (!envp)
		return runsc_error(g, "out of memory");
	memcpy(envp, p.env, p.nenv * sizeof *envp);
	for (int k = 0; k < nenv; k++)
		envp[p.nenv + (size_t)k] = (char *)env[k];
	p.env = envp;
	p.nenv += (size_t)nenv;
	if (p.terminal || tty) {
		if (!console)
			return runsc_error(g, "exec: a terminal needs --console-socket");
		int slave = console_setup(console, &p, err, sizeof err);
		if (slave < 0)
			return runsc_error(g, "%s", err);
		for (int fd = 0; fd < 3; fd++)
			dup2(slave, fd);
		if (slave > 2)
			close(slave);
	}
	/* A missing executable fails the exec itself, as runc's does. */
	if (check_executable(st.rootfs, &p, err, sizeof err) < 0) {
		char *create = strstr(err, "runsc create failed");
		if (create)
			memcpy(create, "runsc exec failed  ", 19);
		return runsc_error(g, "%s", err);
	}
	size_t len;
	char *settings = sandbox_spec_process_text(&p, err, sizeof err);
	if (!settings)
		return runsc_error(g, "exec: %s", err);
	char *req = exec_request(&p, p.terminal || tty, settings, &len);
	if (!req)
		return runsc_error(g, "exec: the process is too large");
	char dir[PATH_MAX], ctl[PATH_MAX + 16];
	container_dir(g, id, dir, sizeof dir);
	snprintf(ctl, sizeof ctl, "%s/control.sock", dir);
	int rep[2];
	if (pipe2(rep, O_CLOEXEC) < 0)
		return runsc_error(g, "pipe: %s", strerror(errno));
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return runsc_error(g, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(rep[0]);
		exec_proxy(ctl, req, len, rep[1]);
	}
	close(rep[1]);
	int32_t r = -EIO;
	if (read(rep[0], &r, sizeof r) != sizeof r)
		r = -EIO;
	close(rep[0]);
	if (r < 0) {
		waitpid(pid, NULL, 0);
		return runsc_error(g, "runsc exec failed: unable to start container process: exec: "
				   "\"%s\": %s", p.args[0], r == -ENOENT ? "no such file or directory"
				   : strerror(-r));
	}
	int e;
	if (pid_file && (e = write_pid_file(pid_file, pid)) < 0)
		return runsc_error(g, "cannot write %s: %s", pid_file, strerror(-e));
	if (detach)
		return 0;
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return exit_code_of(status);
}

static int cmd_spec(const struct runsc_globals *g, int argc, char **argv)
{
	const char *bundle = ".";
	const struct flag flags[] = { { "bundle", true, &bundle, NULL }, { "b", true, &bundle, NULL },
				      { NULL, false, NULL, NULL } };
	char *pos[4];
	int npos;
	if (parse_flags(g, argc, argv, flags, pos, sizeof pos / sizeof pos[0], &npos) < 0)
		return 1;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/config.json", bundle);
	char *text = oci_default_spec();
	if (!text)
		return runsc_error(g, "out of memory");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(text);
		return runsc_error(g, errno == EEXIST ? "File %s exists. Remove it first"
				   : "cannot write %s", path);
	}
	size_t len = strlen(text);
	int ok = write(fd, text, len) == (ssize_t)len;
	close(fd);
	free(text);
	return ok ? 0 : runsc_error(g, "cannot write %s", path);
}

static int cmd_features(const struct runsc_globals *g, int argc, char **argv)
{
	printf("{\n"
	       "  \"ociVersionMin\": \"1.0.0\",\n"
	       "  \"ociVersionMax\": \"1.0.2-dev\",\n"
	       "  \"hooks\": [],\n"
	       "  \"mountOptions\": [\"bind\", \"rbind\", \"ro\", \"rw\"],\n"
	       "  \"linux\": {\n"
	       "    \"namespaces\": [\"cgroup\", \"ipc\", \"mount\", \"network\", \"pid\", \"uts\"],\n"
	       "    \"capabilities\": [],\n"
	       "    \"cgroup\": {\"v1\": false, \"v2\": false, \"systemd\": false},\n"
	       "    \"seccomp\": {\"enabled\": false},\n"
	       "    \"apparmor\": {\"enabled\": false},\n"
	       "    \"selinux\": {\"enabled\": false}\n"
	       "  },\n"
	       "  \"annotations\": {\"org.opencontainers.runc.version\": \"%s\"}\n"
	       "}\n", RUNSC_VERSION);
	return 0;
}

/* --- global flags ----------------------------------------------------------------------- */

/* Where state lives without --root: rootless, $XDG_RUNTIME_DIR/runsc as
 * runc's rootless default (the user's own tmpfs), else RUNSC_DEFAULT_ROOT.
 * As runc: root of a rootless engine's user namespace (rootless podman
 * runs the runtime so) takes it too, unless $USER says root. */
static const char *default_root(const struct runsc_globals *g, char *buf, size_t size)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *user = getenv("USER");
	bool as_user = geteuid() != 0 || !user || strcmp(user, "root") != 0;
	if (g->rootless && as_user && xdg && xdg[0] == '/' &&
	    snprintf(buf, size, "%s/runsc", xdg) < (int)size)
		return buf;
	return RUNSC_DEFAULT_ROOT;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: runsc [GLOBAL FLAGS] COMMAND [FLAGS] ID ...\n"
		"\n"
		"An OCI runtime that runs each container in the sentry (a user-space kernel).\n"
		"\n"
		"Commands: create, start, run, state, kill, delete, list, ps, pause, resume,\n"
		"  exec, wait, events --stats, spec, features, version\n"
		"\n"
		"Global flags: --root DIR (default %s), --log FILE, --log-format json|text,\n"
		"  --systemd-cgroup, --debug, --debug-log FILE, --platform systrap|ptrace,\n"
		"  --network sandbox|none, --strace, --ignore-cgroups,\n"
		"  --rootless (the default when not root: the sandbox in a user namespace,\n"
		"  the state under $XDG_RUNTIME_DIR/runsc, a cgroupsPath it cannot make ignored)\n"
		"Sandbox policy (also as annotations dev.sentry.network.block=true, .cidr-allow,\n"
		"  .allow-dns=true, .publish, .tls-publish): --block-network, --cidr-allow LIST,\n"
		"  --allow-dns, --publish LIST, --tls-publish LIST (comma-separated)\n",
		RUNSC_DEFAULT_ROOT);
}

int main(int argc, char **argv)
{
	struct runsc_globals g = { .platform = "systrap" };
	const char *log_format = "text", *network = "sandbox", *debug_log = NULL;
	bool help = false, version = false, block = false, rootless = false;
	static char rootless_root[PATH_MAX];
	const struct flag flags[] = {
		{ "root", true, &g.root, NULL }, { "log", true, &g.log_path, NULL },
		{ "log-format", true, &log_format, NULL }, { "platform", true, &g.platform, NULL },
		{ "network", true, &network, NULL }, { "debug-log", true, &debug_log, NULL },
		{ "cidr-allow", true, &g.cidr_allow, NULL }, { "publish", true, &g.publish, NULL },
		{ "tls-publish", true, &g.tls_publish, NULL },
		{ "allow-dns", false, NULL, &g.allow_dns }, { "block-network", false, NULL, &block },
		{ "systemd-cgroup", false, NULL, &g.systemd_cgroup }, { "debug", false, NULL, &g.debug },
		{ "strace", false, NULL, &g.strace }, { "help", false, NULL, &help },
		{ "h", false, NULL, &help }, { "version", false, NULL, &version },
		{ "v", false, NULL, &version }, { "rootless", false, NULL, &rootless },
		{ "ignore-cgroups", false, NULL, &g.ignore_cgroups }, { NULL, false, NULL, NULL },
	};
	/* Global flags run up to the command word (a value flag's value is
	 * not it). */
	int i = 1;
	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		const char *a = argv[i] + (argv[i][1] == '-' ? 2 : 1);
		bool value = false;
		for (const struct flag *f = flags; f->name; f++)
			value |= f->takes_value && strcmp(a, f->name) == 0;
		i += value ? 2 : 1;
	}
	if (i > argc)
		i = argc;
	char *pos[4];
	int npos;
	if (parse_flags(&g, i - 1, argv + 1, flags, pos, sizeof pos / sizeof pos[0], &npos) < 0)
		return 1;
	g.log_json = strcmp(log_format, "json") == 0;
	if (!g.log_json && strcmp(log_format, "text") != 0)
		return runsc_error(&g, "unknown log format \"%s\"", log_format);
	if (strcmp(network, "none") == 0)
		g.net_mode = NET_NONE;
	else if (strcmp(network, "sandbox") == 0 || strcmp(network, "host") == 0)
		g.net_mode = NET_SANDBOX;
	else
		return runsc_error(&g, "unknown network \"%s\"", network);
	if (block)
		g.net_mode = NET_NONE;
	g.rootless = userns_rootless(rootless);
	if (!g.root)
		g.root = default_root(&g, rootless_root, sizeof rootless_root);
	if (g.debug)
		log_set_level(LOG_DEBUG);
	if (!platform_lookup(g.platform))
		return runsc_error(&g, "unknown platform \"%s\"", g.platform);
	const char *cmd = i < argc ? argv[i] : NULL;
	if (version || (cmd && strcmp(cmd, "version") == 0)) {
		printf("runsc version %s\nspec: 1.0.2-dev\n", RUNSC_VERSION);
		return 0;
	}
	if (help || !cmd) {
		usage(help ? stdout : stderr);
		return help ? 0 : 1;
	}
	int sargc = argc - i - 1;
	char **sargv = argv + i + 1;
	static const struct { const char *name; int (*fn)(const struct runsc_globals *, int,
							     char **); } cmds[] = {
		{ "create", cmd_create }, { "start", cmd_start }, { "run", cmd_run },
		{ "state", cmd_state }, { "kill", cmd_kill }, { "delete", cmd_delete },
		{ "list", cmd_list }, { "spec", cmd_spec }, { "features", cmd_features },
		{ "ps", cmd_ps }, { "pause", cmd_pause }, { "resume", cmd_resume },
		{ "wait", cmd_wait }, { "events", cmd_events }, { "exec", cmd_exec },
	};
	for (size_t k = 0; k < sizeof cmds / sizeof cmds[0]; k++)
		if (strcmp(cmd, cmds[k].name) == 0)
			return cmds[k].fn(&g, sargc, sargv);
	return runsc_error(&g, "unknown command \"%s\" (see runsc --help)",
			   cmd);
}
