/* The egress proxy's and the port forwarder's confinement (docs/security.md):
 * they keep the host's network namespace (that is their job) but get an
 * empty read-only root (the proxy: holding only a copy of the host's
 * /etc/resolv.conf, which libslirp reads to forward DNS), no capabilities,
 * and network, io_uring and memory syscalls only. */
#include "netstack/proxy.h"

#include <errno.h>
#include <sys/prctl.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/netlink.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/confine.h"
#include "common/log.h"

/* What both have: the sentry's socket, host sockets, io_uring, memory.
 * io_uring_enter submits and waits (with a timeout argument, EXT_ARG); no
 * other flag (a registered ring fd, SQPOLL's): their rings were made before
 * the filter, and io_uring_setup and io_uring_register are not here. */
#define NET_COMMON_RULES                                                           \
	CONFINE_ALLOW_IF("io_uring_enter",                                         \
			 CONFINE_MASKED(3, ~(uint64_t)(IORING_ENTER_GETEVENTS |    \
						     IORING_ENTER_EXT_ARG), 0)),   \
	CONFINE_ALLOW("read"),                                                     \
	CONFINE_ALLOW("write"),                                                    \
	CONFINE_ALLOW("readv"),                                                    \
	CONFINE_ALLOW("writev"),                                                   \
	CONFINE_ALLOW("recvfrom"),                                                 \
	CONFINE_ALLOW("sendto"),                                                   \
	CONFINE_ALLOW("recvmsg"),                                                  \
	CONFINE_ALLOW("sendmsg"),                                                  \
	CONFINE_ALLOW("recvmmsg"),                                                 \
	CONFINE_ALLOW("sendmmsg"),                                                 \
	CONFINE_ALLOW("close"),                                                    \
	CONFINE_ALLOW("shutdown"),                                                 \
	CONFINE_ALLOW("setsockopt"),                                               \
	CONFINE_ALLOW("getsockopt"),                                               \
	CONFINE_ALLOW("getsockname"),                                              \
	CONFINE_ALLOW("getpeername"),                                              \
	CONFINE_ALLOW("fcntl"),                                                    \
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, FIONREAD)),                     \
	CONFINE_ALLOW_IF("ioctl", CONFINE_EQ32(1, FIONBIO)),                      \
	CONFINE_ALLOW("clock_gettime"),                                            \
	CONFINE_ALLOW("gettimeofday"),                                             \
	CONFINE_ALLOW("getrandom"),                                                \
	CONFINE_ALLOW("getpid"),                                                   \
	CONFINE_ALLOW("getppid"),                                                  \
	CONFINE_ALLOW("mmap"),                                                     \
	CONFINE_ALLOW("munmap"),                                                   \
	CONFINE_ALLOW("mremap"),                                                   \
	CONFINE_ALLOW("madvise"),                                                  \
	CONFINE_ALLOW("brk"),                                                      \
	CONFINE_ALLOW("futex"),                                                    \
	CONFINE_ALLOW("rt_sigreturn"),                                             \
	CONFINE_ALLOW("restart_syscall"),                                          \
	CONFINE_ALLOW("poll"),                                                     \
	CONFINE_ALLOW("exit_group"),                                               \
	CONFINE_ALLOW("exit")

static const struct confine_rule proxy_rules[] = {
	NET_COMMON_RULES,
	/* libslirp's host sockets: TCP, UDP, ICMP echo (datagram). */
	CONFINE_ALLOW_IF("socket", CONFINE_EQ32(0, AF_INET)),
	CONFINE_ALLOW_IF("socket", CONFINE_EQ32(0, AF_INET6)),
	/* getifaddrs (the deny list's host addresses, when they change). */
	CONFINE_ALLOW_IF("socket", CONFINE_EQ32(0, AF_NETLINK), CONFINE_EQ32(2, NETLINK_ROUTE)),
	CONFINE_ALLOW("connect"),
	CONFINE_ALLOW("bind"),
	CONFINE_ALLOW("listen"),
	CONFINE_ALLOW("accept"),
	CONFINE_ALLOW("accept4"),
	/* libslirp's DNS forwarding reads the copy of /etc/resolv.conf. */
	CONFINE_ALLOW_IF("openat", CONFINE_MASKED(2, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY)),
	CONFINE_ALLOW("newfstatat"),
	CONFINE_ALLOW("fstat"),
	CONFINE_ALLOW("lseek"),
};

const struct confine_table confine_proxy_table = {
	.who = "netproxy", .rules = proxy_rules,
	.nrules = sizeof proxy_rules / sizeof proxy_rules[0]
};

static const struct confine_rule forwarder_rules[] = {
	NET_COMMON_RULES,
	/* A TLS connection's plaintext side goes to the sentry as one end of
	 * a socketpair; accepting is io_uring's. */
	CONFINE_ALLOW_IF("socketpair", CONFINE_EQ32(0, AF_UNIX)),
	CONFINE_ALLOW("accept4"),
};

const struct confine_table confine_forwarder_table = {
	.who = "publish", .rules = forwarder_rules,
	.nrules = sizeof forwarder_rules / sizeof forwarder_rules[0]
};

/* The proxy's new root: etc/resolv.conf, copied from the host's (a later
 * change on the host is not seen: the proxy would have to keep a way to
 * the host's file system for that). */
static int copy_resolv_conf(void *arg)
{
	char buf[16384];
	ssize_t n = 0;
	int in = open("/etc/resolv.conf", O_RDONLY | O_CLOEXEC);
	if (in >= 0) {
		n = read(in, buf, sizeof buf);
		close(in);
	}
	if (n <= 0)
		return 0;   /* none on the host: none here (slirp then has no DNS) */
	if (mkdir("etc", 0755) < 0)
		return -errno;
	int out = open("etc/resolv.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (out < 0)
		return -errno;
	ssize_t w = write(out, buf, (size_t)n);
	close(out);
	return w == n ? 0 : -EIO;
}

static int confine_net_helper(const struct confine_table *t, int (*populate)(void *arg))
{
	const char *what = "";
	/* The host's network namespace stays: that is what the helper is for. */
	int err = confine_mount_ns(CLONE_NEWIPC | CLONE_NEWUTS, populate, NULL, &what);
	if (err < 0) {
		log_error("cannot confine the %s (%s: %s)", t->who, what, strerror(-err));
		return err;
	}
	if ((err = confine_caps(0)) < 0) {
		log_error("cannot drop the %s's capabilities: %s", t->who, strerror(-err));
		return err;
	}
	/* Same uid as the sentry and no capabilities either: without this, a
	 * sentry taken over by its guest could ptrace the helper (the sentry
	 * may ptrace, for its ptrace platform) and use its host network. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		err = -errno;
		log_error("cannot make the %s undumpable: %s", t->who, strerror(-err));
		return err;
	}
	if ((err = confine_seccomp(t)) < 0)
		log_error("cannot install the %s's seccomp filter: %s", t->who, strerror(-err));
	return err;
}

int netstack_confine_proxy(void)
{
	return confine_net_helper(&confine_proxy_table, copy_resolv_conf);
}

int netstack_confine_forwarder(void)
{
	return confine_net_helper(&confine_forwarder_table, NULL);
}

/* --- restricted rings ------------------------------------------------------ */

/* io_uring_register(2) itself: Debian's liburing 2.3 declares
 * io_uring_register_restrictions and io_uring_enable_rings but its shared
 * library does not export them. */
static int uring_register(struct io_uring *ring, unsigned op, const void *arg, unsigned n)
{
	return syscall(__NR_io_uring_register, ring->ring_fd, op, arg, n) < 0 ? -errno : 0;
}

int netstack_uring_setup(unsigned entries, struct io_uring *ring, struct io_uring_params *params,
			 const char *who)
{
	struct io_uring_params asked = *params;
	params->flags |= IORING_SETUP_R_DISABLED;
	int r = io_uring_queue_init_params(entries, ring, params);
	if (r != -EINVAL)
		return r;
	/* R_DISABLED is 5.10's, as are restrictions: is it the flag the
	 * kernel refuses?  (If not, the caller's flags are, and it retries
	 * with fewer.) */
	*params = asked;
	r = io_uring_queue_init_params(entries, ring, params);
	if (r == 0)
		log_warn("%s: this kernel cannot restrict io_uring operations "
			 "(IORING_SETUP_R_DISABLED refused): its ring is unrestricted", who);
	return r;
}

int netstack_uring_restrict(struct io_uring *ring, const unsigned char *ops, size_t nops,
			    unsigned char sqe_flags, const char *who)
{
	if (!(ring->flags & IORING_SETUP_R_DISABLED))
		return 0;   /* an old kernel's (netstack_uring_setup said so) */
	/* The opcodes, the flags, and no IORING_RESTRICTION_REGISTER_OP: every
	 * io_uring_register call on the enabled ring is refused (EACCES). */
	struct io_uring_restriction res[IORING_OP_LAST + 1];
	unsigned n = 0;
	int r = -EINVAL;
	if (nops <= IORING_OP_LAST) {
		memset(res, 0, sizeof res);
		for (size_t i = 0; i < nops; i++) {
			res[n].opcode = IORING_RESTRICTION_SQE_OP;
			res[n++].sqe_op = ops[i];
		}
		res[n].opcode = IORING_RESTRICTION_SQE_FLAGS_ALLOWED;
		res[n++].sqe_flags = sqe_flags;
		r = uring_register(ring, IORING_REGISTER_RESTRICTIONS, res, n);
	}
	if (r == 0)
		r = uring_register(ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	if (r < 0) {
		log_error("%s: cannot restrict its io_uring: %s", who, strerror(-r));
		io_uring_queue_exit(ring);
	}
	return r;
}
