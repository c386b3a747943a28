/* Starting the gofer process from the sentry (fork, no exec). */
#include "gofer/gofer.h"

#include "common/helper.h"

struct gofer_args {
	const struct gofer_mount *mounts;
	size_t nmounts;
};

static int gofer_main(int sock, void *arg)
{
	const struct gofer_args *a = arg;
	return gofer_serve(sock, a->mounts, a->nmounts);
}

int gofer_spawn(const struct gofer_mount *mounts, size_t nmounts, int *sock, pid_t *pid)
{
	struct gofer_args a = { mounts, nmounts };
	return helper_spawn("gofer", gofer_main, &a, 0, sock, pid);
}
