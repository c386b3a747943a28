/* File windows on systrap: which chunk of which file each window of an
 * address space holds (see filewin.h).  systrap.c maps them and copies. */
#include "platform/systrap/filewin.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "platform/systrap/stub_layout.h"

struct window {
	uint64_t id;        /* the caller's id of the file's data; 0: empty */
	uint64_t chunk;
	uint64_t last_use;
	int users;          /* copies running from it */
};

struct filewin_state {
	atomic_int refcount;
	pthread_mutex_t lock;
	uint64_t clock;
	struct window w[SYSTRAP_WIN_COUNT];
};

struct filewin_state *filewin_new(void)
{
	struct filewin_state *ws = calloc(1, sizeof *ws);
	if (!ws)
		return NULL;
	atomic_init(&ws->refcount, 1);
	pthread_mutex_init(&ws->lock, NULL);
	return ws;
}

struct filewin_state *filewin_get(struct filewin_state *ws)
{
	if (ws)
		atomic_fetch_add(&ws->refcount, 1);
	return ws;
}

void filewin_put(struct filewin_state *ws)
{
	if (ws && atomic_fetch_sub(&ws->refcount, 1) == 1) {
		pthread_mutex_destroy(&ws->lock);
		free(ws);
	}
}

static uint64_t window_addr(int i)
{
	return SYSTRAP_WIN_ADDR + (uint64_t)i * SYSTRAP_WIN_SIZE;
}

/* The window holding (id, chunk), else the least recently used one that no
 * copy uses (an empty one first); -1 if all are busy.  Under ws->lock. */
static int find_window(struct filewin_state *ws, uint64_t id, uint64_t chunk, bool *hit)
{
	int victim = -1;
	for (int i = 0; i < SYSTRAP_WIN_COUNT; i++) {
		struct window *w = &ws->w[i];
		if (w->id == id && w->chunk == chunk) {
			*hit = true;
			return i;
		}
		if (w->users == 0 && (victim < 0 || w->last_use < ws->w[victim].last_use))
			victim = i;
	}
	*hit = false;
	return victim;
}

uint64_t filewin_acquire(struct filewin_state *ws, uint64_t id, uint64_t chunk,
			 filewin_map_fn map, void *arg)
{
	if (!ws || id == 0)
		return 0;
	pthread_mutex_lock(&ws->lock);
	bool hit;
	int i = find_window(ws, id, chunk, &hit);
	if (i >= 0 && !hit) {
		/* Replaced in place (MAP_FIXED): whatever the window held goes. */
		ws->w[i].id = 0;
		ws->w[i].last_use = 0;
		if (map(arg, window_addr(i), chunk) < 0) {
			i = -1;
		} else {
			ws->w[i].id = id;
			ws->w[i].chunk = chunk;
		}
	}
	if (i >= 0) {
		ws->w[i].users++;
		ws->w[i].last_use = ++ws->clock;
	}
	pthread_mutex_unlock(&ws->lock);
	return i >= 0 ? window_addr(i) : 0;
}

void filewin_forget(struct filewin_state *ws, uint64_t id, filewin_unmap_fn unmap, void *arg)
{
	if (!ws || id == 0)
		return;
	pthread_mutex_lock(&ws->lock);
	for (int i = 0; i < SYSTRAP_WIN_COUNT; i++) {
		struct window *w = &ws->w[i];
		if (w->id != id || w->users)
			continue;
		unmap(arg, window_addr(i));
		w->id = 0;
		w->last_use = 0;
	}
	pthread_mutex_unlock(&ws->lock);
}

void filewin_release(struct filewin_state *ws, uint64_t addr)
{
	int i = (int)((addr - SYSTRAP_WIN_ADDR) / SYSTRAP_WIN_SIZE);
	pthread_mutex_lock(&ws->lock);
	ws->w[i].users--;
	pthread_mutex_unlock(&ws->lock);
}
