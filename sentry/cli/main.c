/* The `sentry` command.
 *
 *   sentry run [options] [--] CMD [ARGS...]
 *
 * The process the user starts stays outside the sandbox: it starts the
 * sentry as the init of a new pid namespace (so that nothing the sandbox
 * started can outlive it), forwards SIGINT, SIGTERM, SIGHUP and SIGQUIT to
 * it, and exits with the guest's status.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/fds.h"
#include "common/log.h"
#include "common/userns.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"

#define EXIT_USAGE 2
#define EXIT_TIMEOUT 124   /* --timeout ran out: as timeout(1) */
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
	"  --read-only              the sandbox's / is read-only (writes fail with EROFS;\n"
	"                           /tmp, /dev/shm and -v mounts stay writable)\n"
	"  --platform NAME          how guest code runs: systrap (default: seccomp traps\n"
	"                           served through shared memory) or ptrace\n"
	"  --no-patch               systrap: do not rewrite hot syscall sites\n"
	"  -e, --env KEY=VAL        set an environment variable (repeatable); the sandbox\n"
	"                           otherwise gets the caller's environment\n"
	"  -w, --workdir DIR        working directory in the sandbox (default /)\n"
	"  -v, --volume HOST:GUEST[:ro]\n"
	"                           bind-mount host directory HOST at GUEST, writable\n"
	"                           unless :ro (repeatable)\n"
	"  --hostname NAME          the sandbox's host name (default \"sandbox\")\n"
	"  -t, --tty                give the command a terminal: a pseudo-terminal of the\n"
	"                           sandbox (/dev/pts/0, its controlling terminal) as its\n"
	"                           stdin, stdout and stderr, joined to the caller's\n"
	"                           stdin and stdout; a terminal on stdin is in raw mode\n"
	"                           until the run ends, window size changes are passed\n"
	"                           on.  The default when stdin is a terminal (and the\n"
	"                           run is in its foreground): then only the fds that\n"
	"                           are that terminal get the pseudo-terminal\n"
	"  -u, --user USER[:GROUP]  run the command as USER and GROUP: names looked up\n"
	"                           in the sandbox's /etc/passwd and /etc/group, or\n"
	"                           numbers (a uid without an entry gets gid 0); without\n"
	"                           GROUP, the user's group and the groups listing it\n"
	"                           (supplementary); HOME becomes the user's home (\"/\"\n"
	"                           without an entry) unless set with -e.  An unknown\n"
	"                           name exits with status 2.  Default: root (0:0, every\n"
	"                           capability, no supplementary groups, HOME as given)\n"
	"  --network MODE           sandbox (default): the guest reaches the outside\n"
	"                           through user-mode NAT, nothing reaches it; none:\n"
	"                           loopback only (connect/sendto elsewhere fail with\n"
	"                           ENETUNREACH, no packet leaves)\n"
	"  --block-network          the same as --network=none\n"
	"  --cidr-allow CIDR        outbound traffic only to this IPv4 or IPv6 range\n"
	"                           (repeatable); anything else is refused inside the\n"
	"                           sandbox with ECONNREFUSED; DNS to the sandbox's\n"
	"                           resolver then needs --allow-dns\n"
	"  --allow-dns              with --cidr-allow: let the sandbox's resolver\n"
	"                           (10.0.2.3) forward DNS queries\n"
	"  -p, --publish [HOSTIP:]HOSTPORT:GUESTPORT\n"
	"                           forward connections to HOSTIP:HOSTPORT (default\n"
	"                           127.0.0.1) to the guest's GUESTPORT (repeatable)\n"
	"  --tls-publish [HOSTIP:]HOSTPORT:GUESTPORT\n"
	"                           the same, with TLS terminated on the host side\n"
	"  --tls-cert FILE, --tls-key FILE\n"
	"                           the PEM certificate and key for --tls-publish\n"
	"                           (default: a self-signed one made at start)\n"
	"  --tunnels-json FILE      write the published URLs to FILE as JSON\n"
	"  --preserve-fds N         the caller's fds 3..3+N-1 become the command's\n"
	"                           fds 3..3+N-1 (other fds above 2 are not passed)\n"
	"  --rootless               run the sandbox in a user namespace of its own, as\n"
	"                           the calling user on the host (the default when the\n"
	"                           caller is not root): the guest is still root in\n"
	"                           the sandbox; host ports below 1024 cannot be\n"
	"                           published; --memory and --cpus need a writable\n"
	"                           cgroup\n"
	"\n"
	"Limits (SIZE: bytes, or with a k, m or g suffix; default: none):\n"
	"  --timeout SECONDS        end the sandbox after SECONDS (a decimal number):\n"
	"                           every process in it is killed, a line on stderr\n"
	"                           says so, and the exit status is 124\n"
	"  --overlay-size SIZE      what the in-memory upper layer of / and the\n"
	"                           sandbox's tmpfs mounts (/tmp, /dev/shm) may hold\n"
	"                           together; past it, writes fail with ENOSPC\n"
	"  --memory SIZE            memory limit of the whole sandbox (a cgroup: guest\n"
	"                           memory, sentry, gofer); past it processes are\n"
	"                           killed and a line on stderr says so\n"
	"  --pids N                 at most N guest processes and threads: fork and\n"
	"                           clone beyond fail with EAGAIN\n"
	"  --cpus N                 CPU time of N CPUs (a decimal number; a cgroup's\n"
	"                           CPU quota)\n"
	"  --nofile N               the guest's RLIMIT_NOFILE (soft and hard): open\n"
	"                           files beyond fail with EMFILE\n"
	"\n"
	"  --strace                 print every guest syscall to stderr\n"
	"  --report-unimplemented   at exit, list syscalls the guest called that the\n"
	"                           sentry does not implement\n"
	"  --debug                  log the sentry's own decisions to stderr\n"
	"  --rusage-file FILE       when the sandbox ends, write the peak resident set\n"
	"                           sizes of the sentry and of the gofer to FILE, as\n"
	"                           lines \"sentry_peak_rss_kib N\" and\n"
	"                           \"gofer_peak_rss_kib N\" (for bench/)\n"
	"  -h, --help               show this help\n"
	"  --version                show the version\n"
	"\n"
	"Exit status: the command's own; 128+N if it was killed by signal N;\n"
	"126 if it could not be executed, 127 if it was not found;\n"
	"124 if --timeout ended the sandbox;\n"
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

/* --timeout, --memory, --pids, --cpus: what the outer process enforces
 * (0: not asked). */
struct limits {
	double timeout;             /* seconds */
	int64_t memory;             /* bytes */
	int pids;
	double cpus;
};

struct options {
	struct sandbox_config cfg;
	char **env_overrides;
	size_t nenv;
	bool tty;          /* -t */
	bool rootless;     /* --rootless, or not root (userns_rootless) */
	struct limits lim;
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
		usage_error("volume source '%s'%s%s", host, errno == ENOENT ? " " : ": ",
			    errno == ENOENT ? "does not exist" : strerror(errno));
	if (!S_ISDIR(st.st_mode))
		usage_error("volume source '%s' is not a directory", host);
	struct sandbox_config *c = &o->cfg;
	c->mounts = realloc(c->mounts, (c->nmounts + 1) * sizeof *c->mounts);
	if (!c->mounts)
		die(125, "out of memory");
	char *abs = realpath(host, NULL);
	c->mounts[c->nmounts++] = (struct sandbox_mount){ .host = abs ? abs : host, .guest = guest,
							   .readonly = ro };
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
		/* The caller's HOME is not the sandbox user's: the kernel sets
		 * that user's (unless -e gave one). */
		if (o->cfg.user && strncmp(environ[i], "HOME=", 5) == 0)
			overridden = true;
		if (!overridden)
			env[m++] = environ[i];
	}
	for (size_t j = 0; j < o->nenv; j++)
		env[m++] = o->env_overrides[j];
	return env;
}

enum { OPT_ROOTFS = 256, OPT_PLATFORM, OPT_NO_PATCH, OPT_HOSTNAME, OPT_STRACE, OPT_REPORT, OPT_DEBUG,
       OPT_VERSION, OPT_RUSAGE_FILE, OPT_NETWORK, OPT_BLOCK_NETWORK, OPT_CIDR_ALLOW, OPT_ALLOW_DNS,
       OPT_TLS_PUBLISH, OPT_TLS_CERT, OPT_TLS_KEY, OPT_TUNNELS_JSON, OPT_READ_ONLY,
       OPT_PRESERVE_FDS, OPT_TIMEOUT, OPT_OVERLAY_SIZE, OPT_MEMORY, OPT_PIDS, OPT_CPUS,
       OPT_NOFILE, OPT_ROOTLESS };

/* --- limits ---------------------------------------------------------------------------- */

/* SIZE: a positive number of bytes, with an optional k, m or g suffix
 * (powers of 1024), below 2^62. */
static int64_t parse_size(const char *opt, const char *arg)
{
	char *end = NULL;
	errno = 0;
	unsigned long long v = isdigit((unsigned char)arg[0]) ? strtoull(arg, &end, 10) : 0;
	int shift = -1;
	if (v > 0 && errno == 0) {
		switch (tolower((unsigned char)*end)) {
		case 0: shift = 0; break;
		case 'k': shift = 10; break;
		case 'm': shift = 20; break;
		case 'g': shift = 30; break;
		}
		if (shift > 0 && end[1])
			shift = -1;
	}
	if (shift < 0 || v > (1ULL << 62) >> shift)
		usage_error("%s: bad size '%s': expected a positive number of bytes, with an "
			    "optional k, m or g suffix", opt, arg);
	return (int64_t)(v << shift);
}

/* N: an integer from 1 to max. */
static int parse_count(const char *opt, const char *arg, long max)
{
	char *end = NULL;
	errno = 0;
	long v = isdigit((unsigned char)arg[0]) ? strtol(arg, &end, 10) : 0;
	if (v < 1 || v > max || errno || *end)
		usage_error("%s: bad value '%s': expected a number from 1 to %ld", opt, arg, max);
	return (int)v;
}

/* A positive decimal number up to max. */
static double parse_decimal(const char *opt, const char *arg, double max)
{
	char *end = NULL;
	errno = 0;
	double v = isdigit((unsigned char)arg[0]) ? strtod(arg, &end) : 0;
	if (!(v > 0) || v > max || errno || *end || !isfinite(v))
		usage_error("%s: bad value '%s': expected a positive number up to %g", opt, arg,
			    max);
	return v;
}

/* --nofile: the guest's RLIMIT_NOFILE, soft and hard. */
static void set_nofile(struct sandbox_config *c, int n)
{
	static struct sandbox_rlimit rl;
	static struct sandbox_process proc;
	rl = (struct sandbox_rlimit){ RLIMIT_NOFILE, (uint64_t)n, (uint64_t)n };
	proc = (struct sandbox_process){ .rlimits = &rl, .nrlimits = 1 };
	c->opts.process = &proc;
}

/* A part of -u that is all digits must be an id: below (uid_t)-1. */
static bool id_out_of_range(const char *part, size_t n)
{
	if (n == 0 || strspn(part, "0123456789") < n)
		return false;   /* a name */
	char buf[256];
	snprintf(buf, sizeof buf, "%.*s", (int)n, part);
	errno = 0;
	unsigned long long v = strtoull(buf, NULL, 10);
	return errno != 0 || v >= 4294967295ULL;
}

/* -u/--user USER[:GROUP]: checked here for form only; the names are looked
 * up in the sandbox when it starts. */
static void check_user_spec(const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	const char *group = colon ? colon + 1 : NULL;
	if (ulen == 0 || (group && (!*group || strchr(group, ':'))) || strlen(spec) > 255)
		usage_error("bad user '%s': expected USER[:GROUP]", spec);
	if (id_out_of_range(spec, ulen) || (group && id_out_of_range(group, strlen(group))))
		usage_error("bad user '%s': id out of range", spec);
}

static void add_cidr(struct net_policy *n, const char *spec)
{
	n->allow = realloc(n->allow, (n->nallow + 1) * sizeof *n->allow);
	if (!n->allow)
		die(125, "out of memory");
	if (net_cidr_parse(spec, &n->allow[n->nallow]) < 0)
		usage_error("bad CIDR '%s': expected ADDRESS[/PREFIX], IPv4 or IPv6", spec);
	n->nallow++;
	n->has_allowlist = true;
}

static void add_publish(struct net_policy *n, const char *spec, bool tls)
{
	n->publish = realloc(n->publish, (n->npublish + 1) * sizeof *n->publish);
	if (!n->publish)
		die(125, "out of memory");
	if (net_publish_parse(spec, tls, &n->publish[n->npublish]) < 0)
		usage_error("bad port '%s': expected [HOSTIP:]HOSTPORT:GUESTPORT", spec);
	for (size_t i = 0; i < n->npublish; i++)
		if (n->publish[i].host_port == n->publish[n->npublish].host_port &&
		    memcmp(n->publish[i].host_addr, n->publish[n->npublish].host_addr, 16) == 0)
			usage_error("host port '%s' published twice", spec);
	n->npublish++;
}

/* The TLS files are read by the port forwarder later: fail now instead. */
static const char *readable_file(const char *path, const char *what)
{
	if (access(path, R_OK) < 0)
		usage_error("cannot read TLS %s '%s': %s", what, path, strerror(errno));
	char *abs = realpath(path, NULL);
	return abs ? abs : path;
}

static void parse_run(struct options *o, int argc, char **argv)
{
	bool allow_dns = false;
	static const struct option longopts[] = {
		{ "rootfs", required_argument, NULL, OPT_ROOTFS },
		{ "read-only", no_argument, NULL, OPT_READ_ONLY },
		{ "platform", required_argument, NULL, OPT_PLATFORM },
		{ "no-patch", no_argument, NULL, OPT_NO_PATCH },
		{ "env", required_argument, NULL, 'e' },
		{ "workdir", required_argument, NULL, 'w' },
		{ "volume", required_argument, NULL, 'v' },
		{ "hostname", required_argument, NULL, OPT_HOSTNAME },
		{ "tty", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "strace", no_argument, NULL, OPT_STRACE },
		{ "report-unimplemented", no_argument, NULL, OPT_REPORT },
		{ "debug", no_argument, NULL, OPT_DEBUG },
		{ "rusage-file", required_argument, NULL, OPT_RUSAGE_FILE },
		{ "network", required_argument, NULL, OPT_NETWORK },
		{ "block-network", no_argument, NULL, OPT_BLOCK_NETWORK },
		{ "cidr-allow", required_argument, NULL, OPT_CIDR_ALLOW },
		{ "allow-dns", no_argument, NULL, OPT_ALLOW_DNS },
		{ "publish", required_argument, NULL, 'p' },
		{ "tls-publish", required_argument, NULL, OPT_TLS_PUBLISH },
		{ "tls-cert", required_argument, NULL, OPT_TLS_CERT },
		{ "tls-key", required_argument, NULL, OPT_TLS_KEY },
		{ "tunnels-json", required_argument, NULL, OPT_TUNNELS_JSON },
		{ "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "overlay-size", required_argument, NULL, OPT_OVERLAY_SIZE },
		{ "memory", required_argument, NULL, OPT_MEMORY },
		{ "pids", required_argument, NULL, OPT_PIDS },
		{ "cpus", required_argument, NULL, OPT_CPUS },
		{ "nofile", required_argument, NULL, OPT_NOFILE },
		{ "rootless", no_argument, NULL, OPT_ROOTLESS },
		{ "help", no_argument, NULL, 'h' },
		{ 0, 0, 0, 0 },
	};
	struct sandbox_config *c = &o->cfg;
	opterr = 0;
	int ch;
	/* '+': stop at the first non-option (the command). */
	while ((ch = getopt_long(argc, argv, "+e:w:v:u:p:th", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_ROOTFS:
			c->rootfs = optarg;
			break;
		case OPT_READ_ONLY:
			c->root_readonly = true;
			break;
		case OPT_PLATFORM:
			if (!platform_lookup(optarg))
				usage_error("unknown platform '%s'", optarg);
			c->platform = optarg;
			break;
		case OPT_NO_PATCH:
			c->no_patch = true;
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
		case 't':
			o->tty = true;
			break;
		case 'u':
			check_user_spec(optarg);
			c->user = optarg;
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
		case OPT_RUSAGE_FILE:
			if (c->has_rusage_fd)
				close(c->rusage_fd);
			c->rusage_fd = open(optarg, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
			if (c->rusage_fd < 0)
				usage_error("cannot open rusage file '%s': %s", optarg, strerror(errno));
			c->has_rusage_fd = true;
			break;
		case OPT_NETWORK:
			if (strcmp(optarg, "none") == 0)
				c->opts.net.mode = NET_NONE;
			else if (strcmp(optarg, "sandbox") == 0)
				c->opts.net.mode = NET_SANDBOX;
			else
				usage_error("unknown network '%s': expected sandbox or none", optarg);
			break;
		case OPT_BLOCK_NETWORK:
			c->opts.net.mode = NET_NONE;
			break;
		case OPT_CIDR_ALLOW:
			add_cidr(&c->opts.net, optarg);
			break;
		case OPT_ALLOW_DNS:
			allow_dns = true;
			break;
		case 'p':
		case OPT_TLS_PUBLISH:
			add_publish(&c->opts.net, optarg, ch == OPT_TLS_PUBLISH);
			break;
		case OPT_TLS_CERT:
			c->opts.net.tls_cert = readable_file(optarg, "certificate");
			break;
		case OPT_TLS_KEY:
			c->opts.net.tls_key = readable_file(optarg, "key");
			break;
		case OPT_TUNNELS_JSON:
			c->opts.net.tunnels_json = optarg;
			break;
		case OPT_PRESERVE_FDS:
			if ((c->npreserved_fds = fds_parse_count(optarg)) < 0)
				usage_error("--preserve-fds: expected a number from 0 to %d",
					    FDS_PRESERVE_MAX);
			break;
		case OPT_TIMEOUT:
			o->lim.timeout = parse_decimal("--timeout", optarg, 1e9);
			break;
		case OPT_OVERLAY_SIZE:
			tmpfs_set_quota((uint64_t)parse_size("--overlay-size", optarg));
			break;
		case OPT_MEMORY:
			o->lim.memory = parse_size("--memory", optarg);
			break;
		case OPT_PIDS:
			o->lim.pids = parse_count("--pids", optarg, KERNEL_MAX_PID - 1);
			c->opts.max_tasks = o->lim.pids;
			break;
		case OPT_CPUS:
			o->lim.cpus = parse_decimal("--cpus", optarg, 4096);
			break;
		case OPT_NOFILE:
			set_nofile(c, parse_count("--nofile", optarg, 1 << 20));
			break;
		case OPT_ROOTLESS:
			o->rootless = true;
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
	/* DNS: forwarded unless an allowlist says otherwise (then --allow-dns). */
	c->opts.net.dns_allowed = !c->opts.net.has_allowlist || allow_dns;
	if (!c->opts.net.tls_cert != !c->opts.net.tls_key)
		usage_error("%s", "--tls-cert and --tls-key go together");
	c->argv = argv + optind;
	static int preserved[FDS_PRESERVE_MAX];
	int e = fds_preserve(c->npreserved_fds, preserved, false);
	if (e < 0)
		usage_error("--preserve-fds %d: %s", c->npreserved_fds,
			    e == -EBADF ? "not every one of those fds is open" : strerror(-e));
	c->preserved_fds = preserved;
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

/* --- the caller's terminal ------------------------------------------------------------ */

static int term_fd = -1;            /* the caller's terminal, while in raw mode */
static struct termios term_saved;

static void restore_terminal(void)
{
	if (term_fd >= 0)
		tcsetattr(term_fd, TCSADRAIN, &term_saved);
	term_fd = -1;
}

/* The guest's fds 0-2 that get the sandbox's pty: all of them with -t;
 * without it, those that are a terminal, if stdin is one and this run is
 * in its foreground (a run in the background keeps the fds as they are). */
static unsigned pick_tty_stdio(bool forced, const bool closed[3])
{
	if (!forced && (closed[0] || !isatty(0) || tcgetpgrp(0) != getpgrp()))
		return 0;
	unsigned mask = 0;
	for (int fd = 0; fd < 3; fd++)
		if (!closed[fd] && (forced || isatty(fd)))
			mask |= 1u << fd;
	return mask;
}

/* Raw mode (cfmakeraw: no echo, no line editing, no signal characters, so
 * that ^C reaches the guest's terminal as a byte) on the caller's terminal
 * until the run ends, whatever ends it: the settings are restored here, in
 * the outer process, not by the sentry.  Only a terminal on stdin, the one
 * the sentry reads keys from: with -t and stdin elsewhere, ^C on the
 * caller's terminal stays a signal for this process. */
static void make_terminal_raw(const bool closed[3])
{
	if (closed[0] || !isatty(0) || tcgetattr(0, &term_saved) < 0)
		return;
	struct termios raw = term_saved;
	cfmakeraw(&raw);
	term_fd = 0;
	atexit(restore_terminal);
	tcsetattr(0, TCSANOW, &raw);
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
	int status = kernel_run(cfg);   /* (it writes --rusage-file) */
	if (status < 0)
		_exit(125);
	fflush(stdout);
	_exit(exit_code_of(status));
}

/* --- the run's cgroup (--memory, --pids, --cpus) ---------------------------------------- */

/* Host tasks per guest task (its sentry thread and its stub) and the
 * sentry's own (gofer, network helpers, timers): the cgroup's pids.max is
 * a backstop; --pids itself is counted exactly by the sentry. */
#define HOST_TASKS_PER_GUEST_TASK 2
#define HOST_TASKS_FIXED 64

/* A cgroup under the caller's own, in every hierarchy, with the limits;
 * the sandbox joins it before it starts anything.  NULL when none was
 * asked for, or when cgroups are not available here (a line says the
 * limits are not enforced by the host then; --pids still is, by the
 * sentry). */
static char *make_run_cgroup(const struct limits *lim, bool rootless)
{
	if (!lim->memory && !lim->pids && !lim->cpus)
		return NULL;
	struct cgroup_limits l = { 0 };
	if (lim->memory) {
		l.has_memory = true;
		l.memory = lim->memory;
		l.oom_group = true;
	}
	if (lim->pids) {
		l.has_pids = true;
		l.pids = (int64_t)lim->pids * HOST_TASKS_PER_GUEST_TASK + HOST_TASKS_FIXED;
	}
	if (lim->cpus) {
		l.cpu_period_us = 100000;
		l.cpu_quota_us = (int64_t)(lim->cpus * 100000);
		if (l.cpu_quota_us < 1000)
			l.cpu_quota_us = 1000;   /* the kernel's minimum */
	}
	char name[64], why[512];
	snprintf(name, sizeof name, "sentry-run-%d", (int)getpid());
	char *dirs = cgroup_create(name, &l, why, sizeof why);
	if (!dirs)
		fprintf(stderr, "sentry: warning: no cgroup for the sandbox (%s%s): --memory and "
			"--cpus are not enforced%s\n", rootless ? "rootless: " : "", why,
			lim->pids ? " (--pids is, by the sentry)" : "");
	return dirs;
}

/* After the run: a line if the memory limit killed something. */
static void report_oom(const char *cgroup, const struct limits *lim)
{
	if (cgroup && lim->memory && cgroup_oom_kills(cgroup) > 0)
		fprintf(stderr, "sentry: the sandbox ran out of memory (--memory %lld bytes): "
			"processes in it were killed\n", (long long)lim->memory);
}

/* The remaining time of --timeout (deadline: CLOCK_MONOTONIC), for
 * sigtimedwait; NULL without a timeout. */
static const struct timespec *time_left(const struct timespec *deadline, struct timespec *left)
{
	if (!deadline)
		return NULL;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	long long ns = (deadline->tv_sec - now.tv_sec) * 1000000000LL +
		       (deadline->tv_nsec - now.tv_nsec);
	if (ns < 0)
		ns = 0;
	left->tv_sec = (time_t)(ns / 1000000000LL);
	left->tv_nsec = (long)(ns % 1000000000LL);
	return left;
}

/* Kills the sandbox: its sentry is the init of its pid namespace, so
 * every process in it goes too; without one, the sentry's children go
 * with it (PR_SET_PDEATHSIG), and the cgroup's processes are killed. */
static void kill_sandbox(pid_t pid, const char *cgroup)
{
	kill(pid, SIGKILL);
	if (cgroup)
		cgroup_kill(cgroup);
}

static int run_outside(const struct sandbox_config *cfg, const struct limits *lim, bool rootless)
{
	sigset_t fwd;
	sigemptyset(&fwd);
	sigaddset(&fwd, SIGINT);
	sigaddset(&fwd, SIGTERM);
	sigaddset(&fwd, SIGHUP);
	sigaddset(&fwd, SIGQUIT);
	sigaddset(&fwd, SIGCHLD);
	if (cfg->tty_stdio) {
		/* The caller's window changes: the sentry reads the new size. */
		sigaddset(&fwd, SIGWINCH);
	}
	sigprocmask(SIG_BLOCK, &fwd, NULL);
	if (cfg->tty_stdio)
		make_terminal_raw(cfg->stdio_closed);

	int life[2];
	if (pipe2(life, O_CLOEXEC) < 0)
		die(125, "cannot start the sandbox: %s", strerror(errno));
	char *cgroup = make_run_cgroup(lim, rootless);
	struct timespec deadline_ts, *deadline = NULL;
	if (lim->timeout > 0) {
		clock_gettime(CLOCK_MONOTONIC, &deadline_ts);
		time_t whole = (time_t)lim->timeout;   /* (positive: truncation is floor) */
		deadline_ts.tv_sec += whole;
		deadline_ts.tv_nsec += (long)((lim->timeout - (double)whole) * 1e9);
		if (deadline_ts.tv_nsec >= 1000000000L) {
			deadline_ts.tv_sec++;
			deadline_ts.tv_nsec -= 1000000000L;
		}
		deadline = &deadline_ts;
	}
	fflush(NULL);
	/* The sandbox's pid namespace (and user namespace, rootless). */
	char warn[256];
	pid_t pid = userns_fork_sandbox(rootless, warn, sizeof warn);
	if (pid < 0) {
		if (cgroup)
			cgroup_remove(cgroup);
		die(125, "cannot start the sandbox: %s", warn[0] ? warn : strerror((int)-pid));
	}
	if (pid > 0 && warn[0])
		fprintf(stderr, "sentry: %s\n", warn);
	if (pid == 0) {
		term_fd = -1;   /* the outer process restores the terminal */
		sigprocmask(SIG_UNBLOCK, &fwd, NULL);
		close(life[1]);
		/* Into the run's cgroup before anything else starts. */
		char why[512];
		if (cgroup && cgroup_join(cgroup, why, sizeof why) < 0) {
			fprintf(stderr, "sentry: %s\n", why);
			_exit(125);
		}
		run_inside(cfg, life[0]);
	}
	close(life[0]);
	for (int i = 0; i < cfg->npreserved_fds; i++)
		close(cfg->preserved_fds[i]);   /* the guest's alone */
	if (cfg->has_rusage_fd)
		close(cfg->rusage_fd);   /* the sentry's to write */
	bool timed_out = false;
	for (;;) {
		siginfo_t si;
		struct timespec left;
		int sig = timed_out ? sigwaitinfo(&fwd, &si)
				    : sigtimedwait(&fwd, &si, time_left(deadline, &left));
		if (sig < 0 && errno == EAGAIN && !timed_out) {
			timed_out = true;
			kill_sandbox(pid, cgroup);
			continue;
		}
		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(pid, sig);
			continue;
		}
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid && (WIFEXITED(status) || WIFSIGNALED(status))) {
			restore_terminal();
			if (cgroup) {
				report_oom(cgroup, lim);
				cgroup_kill(cgroup);   /* (nothing should be left) */
				cgroup_remove(cgroup);
				free(cgroup);
			}
			if (timed_out) {
				fprintf(stderr, "sentry: the sandbox timed out after %g s "
					"(--timeout): every process in it was killed\n",
					lim->timeout);
				return EXIT_TIMEOUT;
			}
			return exit_code_of(status);
		}
	}
}

/* A rootless sandbox's port forwarder is an unprivileged process on the
 * host's network: ports below net.ipv4.ip_unprivileged_port_start are not
 * its to listen on.  Said now, in one line, rather than by the forwarder. */
static void check_rootless_ports(const struct net_policy *n)
{
	int lowest = userns_unprivileged_port_start();
	for (size_t i = 0; i < n->npublish; i++)
		if (n->publish[i].host_port < lowest)
			die(125, "cannot publish host port %u: rootless, and ports below %d need "
			    "privilege (net.ipv4.ip_unprivileged_port_start)",
			    (unsigned)n->publish[i].host_port, lowest);
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
	struct options o = { .cfg = { .platform = "systrap", .rootfs = "/" } };
	memcpy(o.cfg.stdio_closed, stdio_closed, sizeof stdio_closed);
	parse_run(&o, argc - 1, argv + 1);
	o.rootless = userns_rootless(o.rootless);
	if (o.rootless)
		check_rootless_ports(&o.cfg.opts.net);
	o.cfg.tty_stdio = pick_tty_stdio(o.tty, stdio_closed);
	return run_outside(&o.cfg, &o.lim, o.rootless);
}
