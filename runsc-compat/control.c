/* Requests on a sandbox's control socket (control.h). */
#include "runsc-compat/control.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int control_connect(const char *path, int flags)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path) >= (int)sizeof sa.sun_path)
		return -ENAMETOOLONG;
	int s = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | flags, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(s);
		return -e;
	}
	return s;
}

#define CONTROL_MAX_FDS 8

int control_send_fds(int s, const void *msg, size_t len, const int *fds, int nfds)
{
	if (nfds < 0 || nfds > CONTROL_MAX_FDS)
		return -EINVAL;
	union { struct cmsghdr h; char b[CMSG_SPACE(CONTROL_MAX_FDS * sizeof(int))]; } u;
	memset(&u, 0, sizeof u);
	struct iovec iov = { (void *)msg, len };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (nfds > 0) {
		m.msg_control = u.b;
		m.msg_controllen = CMSG_SPACE((size_t)nfds * sizeof(int));
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)nfds * sizeof(int));
	}
	return sendmsg(s, &m, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int32_t control_request(int s, const void *msg, size_t len, const int *fds, int nfds)
{
	int32_t r;
	if (control_send_fds(s, msg, len, fds, nfds) < 0 || recv(s, &r, sizeof r, 0) != sizeof r)
		return -EIO;
	return r;
}

int control_signal(const char *ctl, long pid, int sig)
{
	int s = control_connect(ctl, 0);
	if (s < 0)
		return s;
	char req[64];
	int n = snprintf(req, sizeof req, "SIGNAL%c%ld%c%d%c", 0, pid, 0, sig, 0);
	int32_t r = control_request(s, req, (size_t)n, NULL, 0);
	close(s);
	return r;
}

int control_ps(const char *ctl, int32_t *out, int max)
{
	int s = control_connect(ctl, 0);
	if (s < 0)
		return s;
	size_t size = ((size_t)max + 1) * sizeof *out;
	int32_t *r = malloc(size);
	ssize_t got = r && send(s, "PS", 3, MSG_NOSIGNAL) == 3 ? recv(s, r, size, 0) : -1;
	close(s);
	int n = -EIO;
	if (got >= (ssize_t)sizeof *r && r[0] < 0)
		n = r[0];   /* the sandbox's -errno */
	else if (got >= (ssize_t)sizeof *r && r[0] <= max &&
		 (size_t)got == ((size_t)r[0] + 1) * sizeof *r)
		n = r[0];
	if (n > 0)
		memcpy(out, r + 1, (size_t)n * sizeof *out);
	free(r);
	return n;
}
