/* The `sentry` command.
 *
 *   sentry run [options] [--] CMD [ARGS...]
 *
 * The process the user starts stays outside the sandbox: it starts the
 * sentry as the init of a new pid namespace (so that nothing the sandbox
 * started can outlive it), forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to
 * it, and exits with the guest's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "sentry/kernel/kernel.h"

#define EXIT_USAGE 2
#define SENTRY_VERSION "0.1.0"

extern char **environ;

static const char usage_text[] =
	"Usage: sentry run [OPTIONS] [--] COMMAND [ARG...]\n"
	"\n"
	"Runs COMMAND in a sandbox: every system call it makes is served by the\n"
	"sentry, a user-space kernel; files come from the root file system through\n"
	"the gofer; writes land in memory and vanish when the sandbox ends.\n"
	"\n"
	"Options:\n"
	"  --rootfs DIR             read-only lower layer of the sandbox's / (default: the\n"
	"                           host's /)\n"
	"  --platform NAME          how guest code runs: ptrace (default)\n"
	"  -e, --env KEY=VAL        set an environment variable (repeatable); the sandbox\n"
	"                           otherwise gets the caller's environment\n"
	"  -w, --workdir DIR        working directory in the sandbox (default /)\n"
	"  -v, --volume HOST:GUEST[:ro]\n"
	"                           bind-mount host directory HOST at GUEST, writable\n"
	"                           unless :ro (repeatable)\n"
	"  --hostname NAME          the sandbox's host name (default \"sandbox\")\n"
	"  --strace                 print every guest syscall to stderr\n"
	"  --report-unimplemented   at exit, list syscalls the guest called that the\n"
	"                           sentry does not implement\n"
	"  --debug                  log the sentry's own decisions to stderr\n"
	"  -h, --help               show this help\n"
	"  --version                show the version\n"
	"\n"
	"Exit status: the command's own; 128+N if it was killed by signal N;\n"
	"126 if it could not be executed, 127 if it was not found;\n"
	"2 for a usage error (bad option, missing rootfs or command);\n"
	"125 if the sandbox itself could not start.\n";

__attribute__((format(printf, 1, 2))) static _Noreturn void usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "sentry: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (see sentry run --help)\n");
	va_end(ap);
	exit(EXIT_USAGE);
}

struct options {
	struct sandbox_config cfg;
	char **env_overrides;
	size_t nenv;
};

static void add_mount(struct options *o, char *spec)
{
	/* HOST:GUEST[:ro|:rw] */
	char *host = spec, *guest = strchr(spec, ':');
	if (!guest || guest == host)
		usage_error("bad volume '%s': expected HOST:GUEST[:ro]", spec);
	*guest++ = 0;
	bool ro = false;
	char *mode = strchr(guest, ':');
	if (mode) {
		*mode++ = 0;
		if (strcmp(mode, "ro") == 0)
			ro = true;
		else if (strcmp(mode, "rw") != 0)
			usage_error("bad volume mode '%s': expected ro or rw", mode);
	}
	if (guest[0] != '/')
		usage_error("volume target '%s' must be an absolute path", guest);
	struct stat st;
	if (stat(host, &st) < 0)
		usage_error("volume source '%s' does not exist", host);
	if (!S_ISDIR(st.st_mode))
		usage_error("volume source '%s' is not a directory", host);
	struct sandbox_config *c = &o->cfg;
	c->mounts = realloc(c->mounts, (c->nmounts + 1) * sizeof *c->mounts);
	if (!c->mounts)
		die(125, "out of memory");
	char *abs = realpath(host, NULL);
	c->mounts[c->nmounts++] = (struct sandbox_mount){ abs ? abs : host, guest, ro };
}

/* The guest's environment: the caller's, with -e overrides. */
static char **build_env(struct options *o)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = calloc(n + o->nenv + 1, sizeof *env);
	if (!env)
		die(125, "out of memory");
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		size_t klen = strcspn(environ[i], "=");
		bool overridden = false;
		for (size_t j = 0; j < o->nenv && !overridden; j++)
			overridden = strncmp(o->env_overrides[j], environ[i], klen) == 0 &&
				     o->env_overrides[j][klen] == '=';
		if (!overridden)
			env[m++] = environ[i];
	}
	for (size_t j = 0; j < o->nenv; j++)
		env[m++] = o->env_overrides[j];
	return env;
}

enum { OPT_ROOTFS = 256, OPT_PLATFORM, OPT_HOSTNAME, OPT_STRACE, OPT_REPORT, OPT_DEBUG,
       OPT_VERSION };

static void parse_run(struct options *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "volume", required_argument, NULL, 'v' },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "strace", no_argument, NULL, OPT_STRACE },
		{ "report-unimplemented", no_argument, NULL, OPT_REPORT },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct sandbox_config *c = &o->cfg;
	opterr = 0;
	int ch;
	/* '+': stop at the first non-option (the command). */
	while ((ch = getopt_long(argc, argv, "+e:w:v:h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ROOTFS:
			c->rootfs = optarg;
			break;
		case OPT_PLATFORM:
			if (!platform_lookup(optarg))
				usage_error("unknown platform '%s'", optarg);
			c->platform = optarg;
			break;
		case 'e':
			if (!strchr(optarg, '=') || optarg[0] == '=')
				usage_error("bad environment variable '%s': expected KEY=VAL", optarg);
			o->env_overrides = realloc(o->env_overrides, (o->nenv + 1) * sizeof(char *));
			if (!o->env_overrides)
				die(125, "out of memory");
			o->env_overrides[o->nenv++] = optarg;
			break;
		case 'w':
			if (optarg[0] != '/')
				usage_error("working directory '%s' must be an absolute path", optarg);
			c->cwd = optarg;
			break;
		case 'v':
			add_mount(o, optarg);
			break;
		case OPT_HOSTNAME:
			if (!optarg[0] || strlen(optarg) > 64)
				usage_error("bad host name '%s'", optarg);
			c->opts.hostname = optarg;
			break;
		case OPT_STRACE:
			c->opts.strace = true;
			break;
		case OPT_REPORT:
			c->opts.report_unimplemented = true;
			break;
		case OPT_DEBUG:
			log_set_level(LOG_DEBUG);
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("%s", "no command given");
	c->argv = argv + optind;
	struct stat st;
	if (stat(c->rootfs, &st) < 0)
		usage_error("rootfs '%s' does not exist", c->rootfs);
	if (!S_ISDIR(st.st_mode))
		usage_error("rootfs '%s' is not a directory", c->rootfs);
	char *abs = realpath(c->rootfs, NULL);
	if (abs)
		c->rootfs = abs;
	c->envp = build_env(o);
}

/* --- the process outside the sandbox ------------------------------------------------ */

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 125;
}

/* life_fd: the read end of a pipe whose write end only the outer process
 * holds; it reads as hung up once that process is gone.  (In a new pid
 * namespace getppid() says 0, so it cannot tell.) */
static _Noreturn void run_inside(const struct sandbox_config *cfg, int life_fd)
{
	/* Die with the process that started us, and leave its terminal's job
	 * control to it. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	struct pollfd pfd = { life_fd, POLLIN, 0 };
	if (poll(&pfd, 1, 0) != 0)
		_exit(125);
	close(life_fd);
	setsid();
	log_set_prefix("sentry");
	int status = kernel_run(cfg);
	if (status < 0)
		_exit(125);
	fflush(stdout);
	_exit(exit_code_of(status));
}

static int run_outside(const struct sandbox_config *cfg)
{
	sigset_t fwd;
	sigemptyset(&fwd);
	sigaddset(&fwd, SIGINT);
	sigaddset(&fwd, SIGTERM);
	sigaddset(&fwd, SIGHUP);
	sigaddset(&fwd, SIGQUIT);
	sigaddset(&fwd, SIGCHLD);
	sigprocmask(SIG_BLOCK, &fwd, NULL);

	int life[2];
	if (pipe2(life, O_CLOEXEC) < 0)
		die(125, "cannot start the sandbox: %s", strerror(errno));
	fflush(NULL);
	/* A new pid namespace when we may; plain fork otherwise. */
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid < 0 && (errno == EPERM || errno == EINVAL)) {
		log_debug("no pid namespace (%s): falling back to fork", strerror(errno));
		pid = fork();
	}
	if (pid < 0)
		die(125, "cannot start the sandbox: %s", strerror(errno));
	if (pid == 0) {
		sigprocmask(SIG_UNBLOCK, &fwd, NULL);
		close(life[1]);
		run_inside(cfg, life[0]);
	}
	close(life[0]);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&fwd, &si);
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid && (WIFEXITED(status) || WIFSIGNALED(status)))
			return exit_code_of(status);
	}
}

/* Closed fds 0-2 of the caller stay closed for the guest; until then
 * /dev/null holds their place, so that none of the sentry's own fds (the
 * gofer's socket...) can take one of those numbers and be handed to the
 * guest as its stdio. */
static void hold_closed_stdio(bool closed[3])
{
	for (int fd = 0; fd < 3; fd++) {
		closed[fd] = fcntl(fd, F_GETFD) < 0;
		if (closed[fd]) {
			int null = open("/dev/null", O_RDWR);
			if (null >= 0 && null != fd) {
				dup2(null, fd);
				close(null);
			}
		}
	}
}

int main(int argc, char **argv)
{
	bool stdio_closed[3];
	hold_closed_stdio(stdio_closed);
	log_set_prefix("sentry");
	if (argc < 2)
		usage_error("%s", "no subcommand: expected 'run'");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("sentry %s\n", SENTRY_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "run") != 0)
		usage_error("unknown subcommand '%s'", argv[1]);
	struct options o = { .cfg = { .platform = "ptrace", .rootfs = "/" } };
	memcpy(o.cfg.stdio_closed, stdio_closed, sizeof stdio_closed);
	parse_run(&o, argc - 1, argv + 1);
	return run_outside(&o.cfg);
}
