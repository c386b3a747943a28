/* The io_urings of the egress proxy and the port forwarder are restricted
 * (netstack_uring_restrict): an opcode or SQE flag their loops do not use
 * completes with -EACCES, and io_uring_register is refused on them. */
#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netstack/proxy/internal.h"
#include "netstack/publish_internal.h"

/* Submits one SQE made by prep and returns its completion's result. */
static int submit_one(struct io_uring *ring, void (*prep)(struct io_uring_sqe *, int), int fd,
		      unsigned char flags)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	cr_assert(sqe);
	prep(sqe, fd);
	io_uring_sqe_set_flags(sqe, flags);
	io_uring_sqe_set_data64(sqe, 42);
	cr_assert_eq(io_uring_submit(ring), 1);
	struct io_uring_cqe *cqe;
	cr_assert_eq(io_uring_wait_cqe(ring, &cqe), 0);
	cr_expect_eq(cqe->user_data, 42);
	int res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

static void prep_nop(struct io_uring_sqe *sqe, int fd)
{
	(void)fd;
	io_uring_prep_nop(sqe);
}

static void prep_openat(struct io_uring_sqe *sqe, int fd)
{
	(void)fd;
	io_uring_prep_openat(sqe, AT_FDCWD, "/etc/passwd", O_RDONLY, 0);
}

static void prep_read(struct io_uring_sqe *sqe, int fd)
{
	static char buf[16];
	io_uring_prep_read(sqe, fd, buf, sizeof buf, 0);
}

static void prep_socket(struct io_uring_sqe *sqe, int fd)
{
	(void)fd;
	io_uring_prep_rw(IORING_OP_SOCKET, sqe, AF_INET, NULL, SOCK_STREAM, 0);
}

static void prep_poll_out(struct io_uring_sqe *sqe, int fd)
{
	io_uring_prep_poll_add(sqe, fd, POLLOUT);
}

static void prep_recv(struct io_uring_sqe *sqe, int fd)
{
	static char buf[16];
	io_uring_prep_recv(sqe, fd, buf, sizeof buf, MSG_DONTWAIT);
}

/* What neither loop submits is refused, whatever the fd. */
static void expect_refused(struct io_uring *ring, int fd)
{
	cr_expect_eq(submit_one(ring, prep_nop, fd, 0), -EACCES, "NOP");
	cr_expect_eq(submit_one(ring, prep_openat, fd, 0), -EACCES, "OPENAT");
	cr_expect_eq(submit_one(ring, prep_read, fd, 0), -EACCES, "READ");
	cr_expect_eq(submit_one(ring, prep_socket, fd, 0), -EACCES, "SOCKET");
	/* An allowed opcode with a flag the loop never sets. */
	cr_expect_eq(submit_one(ring, prep_poll_out, fd, IOSQE_ASYNC), -EACCES, "POLL_ADD|ASYNC");
	/* No io_uring_register operation once running. */
	int one = fd;
	cr_expect_eq(io_uring_register_files(ring, &one, 1), -EACCES, "register files");
	cr_expect_eq(io_uring_register_ring_fd(ring), -EACCES, "register the ring fd");
	cr_expect_null(io_uring_get_probe_ring(ring), "register probe");
}

Test(uring_restrict, proxy_ring)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct pollset ps;
	cr_assert_eq(ps_init(&ps, sv[0], -1), 0);
	/* Its own operation still works. */
	cr_expect_eq(submit_one(&ps.ring, prep_poll_out, sv[0], 0) & POLLOUT, POLLOUT);
	expect_refused(&ps.ring, sv[0]);
	/* RECV is the forwarder's, not the proxy's. */
	cr_expect_eq(submit_one(&ps.ring, prep_recv, sv[0], 0), -EACCES, "RECV");
	ps_destroy(&ps);
	close(sv[0]);
	close(sv[1]);
}

Test(uring_restrict, forwarder_ring)
{
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
	struct net_policy pol;
	memset(&pol, 0, sizeof pol);
	struct publish_loop *lp = NULL;
	char err[256];
	cr_assert_eq(publish_loop_new(sv[0], &pol, NULL, NULL, &lp, err, sizeof err), 0, "%s", err);
	struct io_uring *ring = publish_loop_ring(lp);
	cr_expect_eq(submit_one(ring, prep_poll_out, sv[0], 0) & POLLOUT, POLLOUT);
	cr_expect_eq(submit_one(ring, prep_recv, sv[0], 0), -EAGAIN, "RECV (nothing to read)");
	expect_refused(ring, sv[0]);
	publish_loop_free(lp);
	close(sv[0]);
	close(sv[1]);
}
