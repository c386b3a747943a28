/* The sandbox's /etc/hosts and /etc/resolv.conf: the sentry's, so that
 * they agree with the network the guest has (netstack/netconf.h), as
 * Docker and runsc provide their own.
 *
 * They are regular files (root:root 0644) created at boot in the root
 * file system's in-memory upper layer, replacing the rootfs's own (a
 * file, a symlink such as systemd-resolved's, or nothing): the rootfs
 * on the host is never touched, the guest sees ordinary files that root
 * may edit, and a user mount over /etc hides them like anything else. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "netstack/netconf.h"
#include "sentry/fs/etc_net.h"
#include "sentry/kernel/kernel.h"

static int write_file(struct task *t, const struct walk_root *wr, const char *path,
		      const char *text)
{
	if (!text)
		return -ENOMEM;
	int err = vfs_unlink(t, wr, path);
	if (err < 0 && err != -ENOENT)
		return err;
	struct file *f;
	err = vfs_open(t, wr, path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0644, &f);
	if (err < 0)
		return err;
	size_t len = strlen(text);
	int64_t pos = 0;
	ssize_t n = f->fop && f->fop->write ? f->fop->write(f, t, text, len, &pos) : -EINVAL;
	file_put(f);
	if (n < 0)
		return (int)n;
	return (size_t)n == len ? 0 : -EIO;
}

void etc_net_setup(struct kernel *k)
{
	etc_net_setup_root(k, &k->root);
}

void etc_net_setup_root(struct kernel *k, const struct path *root)
{
	/* The boot acts as root on a task of its own (the VFS checks the
	 * caller's credentials and umask). */
	struct thread_group *tg = calloc(1, sizeof *tg);
	struct task *t = calloc(1, sizeof *t);
	struct fs_context *fs = fs_context_new(root, root);
	enum net_mode mode = k->opts.net.mode;
	char *hosts = netconf_etc_hosts(mode, k->uts.nodename);
	char *resolv = netconf_resolv_conf(mode);
	int err = -ENOMEM;
	if (tg && t && fs) {
		tg->k = k;
		cred_init(&tg->cred, 0, 0);
		t->k = k;
		t->tg = tg;
		t->fs = fs;
		struct walk_root wr = { *root, *root };
		err = vfs_mkdir(t, &wr, "/etc", 0755);
		if (err == -EEXIST)
			err = 0;
		if (err == 0)
			err = write_file(t, &wr, "/etc/hosts", hosts);
		if (err == 0)
			err = write_file(t, &wr, "/etc/resolv.conf", resolv);
	}
	if (err < 0)
		log_warn("cannot set up /etc/hosts and /etc/resolv.conf: %s", strerror(-err));
	free(hosts);
	free(resolv);
	if (fs)
		fs_context_put(fs);
	free(t);
	free(tg);
}
