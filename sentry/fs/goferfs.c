/* Bind mounts served by the gofer (placeholder). */
#include <errno.h>

#include "sentry/fs/fs.h"

int goferfs_new(struct gofer_client *g, uint64_t root_node, bool readonly, struct dentry **root)
{
	(void)g;
	(void)root_node;
	(void)readonly;
	(void)root;
	return -ENOSYS;
}
