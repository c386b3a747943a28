/* readdir over a listing taken when a pass starts, so that positions stay
 * stable while the directory changes underneath (POSIX allows a listing
 * not to show entries added or removed meanwhile). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sentry/vfs/vfs.h"

static void snapshot_free(struct dir_snapshot *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->e[i].name);
	free(s->e);
	free(s);
}

int dir_snapshot_add(struct dir_snapshot *s, const char *name, uint64_t ino, unsigned char type)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct dir_snap_entry *e = realloc(s->e, cap * sizeof *e);
		if (!e)
			return -ENOMEM;
		s->e = e;
		s->cap = cap;
	}
	s->e[s->n].name = strdup(name);
	if (!s->e[s->n].name)
		return -ENOMEM;
	s->e[s->n].ino = ino;
	s->e[s->n].type = type;
	s->n++;
	return 0;
}

static int take_snapshot(struct file *f, dir_fill_fn fill, struct dir_snapshot **out)
{
	struct dir_snapshot *s = calloc(1, sizeof *s);
	if (!s)
		return -ENOMEM;
	struct inode *dir = f->inode;
	struct dentry *d = f->path.dentry;
	uint64_t parent_ino = d && d->parent ? d->parent->inode->ino : dir->ino;
	int err = dir_snapshot_add(s, ".", dir->ino, DT_DIR);
	if (err == 0)
		err = dir_snapshot_add(s, "..", parent_ino, DT_DIR);
	if (err == 0)
		err = fill(f, s);
	if (err < 0) {
		snapshot_free(s);
		return err;
	}
	*out = s;
	return 0;
}

int dir_snapshot_readdir(struct file *f, struct dir_emitter *e, dir_fill_fn fill)
{
	struct dir_snapshot *s = f->priv;
	if (!s || e->pos == 0) {
		struct dir_snapshot *fresh;
		int err = take_snapshot(f, fill, &fresh);
		if (err < 0)
			return err;
		snapshot_free(s);
		f->priv = s = fresh;
	}
	for (int64_t i = e->pos; i >= 0 && (size_t)i < s->n; i++) {
		struct dir_snap_entry *en = &s->e[i];
		if (!e->emit(e, en->name, strlen(en->name), en->ino, en->type, i + 1))
			break;
		e->pos = i + 1;
	}
	return 0;
}

void dir_snapshot_release(struct file *f)
{
	snapshot_free(f->priv);
	f->priv = NULL;
}

int64_t dir_snapshot_llseek(struct file *f, int64_t off, int whence)
{
	if (whence == SEEK_SET && off >= 0)
		return off;
	if (whence == SEEK_CUR && off >= -f->pos)
		return f->pos + off;
	return -EINVAL;
}
