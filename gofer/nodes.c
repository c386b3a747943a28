/* The gofer's node table: the host files the sentry holds, by id.
 *
 * An id is (generation << 32) | (slot index + 1): 0 is never valid, and a
 * released slot bumps its generation so that a stale or forged id is
 * refused with EBADF instead of reaching another file. */
#include "gofer/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

int nodes_init(struct node_table *t, uint32_t max)
{
	*t = (struct node_table){ .max = max };
	return 0;
}

void nodes_destroy(struct node_table *t)
{
	for (uint32_t i = 0; i < t->len; i++) {
		if (t->slots[i].fd >= 0)
			close(t->slots[i].fd);
	}
	free(t->slots);
	*t = (struct node_table){ 0 };
}

static int nodes_grow(struct node_table *t)
{
	if (t->len >= t->max)
		return -ENFILE;
	if (t->len < t->cap)
		return 0;
	uint32_t cap = t->cap ? t->cap * 2 : 64;
	if (cap > t->max)
		cap = t->max;
	struct gofer_node *slots = realloc(t->slots, (size_t)cap * sizeof *slots);
	if (!slots)
		return -ENOMEM;
	t->slots = slots;
	t->cap = cap;
	return 0;
}

/* Index of a free slot: from the free list, or a new one at the end. */
static int nodes_alloc(struct node_table *t, uint32_t *index)
{
	if (t->free_head) {
		*index = t->free_head - 1;
		t->free_head = t->slots[*index].next_free;
		return 0;
	}
	int r = nodes_grow(t);
	if (r < 0)
		return r;
	*index = t->len++;
	t->slots[*index] = (struct gofer_node){ .fd = -1, .gen = 1 };
	return 0;
}

int nodes_add(struct node_table *t, int fd, uint32_t mount, uint64_t dev, uint64_t *id)
{
	uint32_t i;
	int r = nodes_alloc(t, &i);
	if (r < 0)
		return r;
	struct gofer_node *n = &t->slots[i];
	n->fd = fd;
	n->mount = mount;
	n->dev = dev;
	n->next_free = 0;
	*id = ((uint64_t)n->gen << 32) | (i + 1);
	return 0;
}

static struct gofer_node *nodes_lookup(const struct node_table *t, uint64_t id)
{
	uint32_t low = (uint32_t)id;
	if (low == 0 || low > t->len)
		return NULL;
	struct gofer_node *n = &t->slots[low - 1];
	if (n->fd < 0 || n->gen != (uint32_t)(id >> 32))
		return NULL;
	return n;
}

int nodes_get(const struct node_table *t, uint64_t id, struct gofer_node *out)
{
	struct gofer_node *n = nodes_lookup(t, id);
	if (!n)
		return -EBADF;
	*out = *n;
	return 0;
}

int nodes_release(struct node_table *t, uint64_t id)
{
	struct gofer_node *n = nodes_lookup(t, id);
	if (!n)
		return -EBADF;
	close(n->fd);
	n->fd = -1;
	n->gen = n->gen == UINT32_MAX ? 1 : n->gen + 1;
	n->next_free = t->free_head;
	t->free_head = (uint32_t)(id & 0xffffffffu);
	return 0;
}
