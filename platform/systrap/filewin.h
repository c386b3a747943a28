/* File windows on systrap: large reads copied by the stub.
 *
 * A read(2) of a big regular file copied by the sentry with
 * process_vm_writev runs at about half the speed of a native read here
 * (the kernel pins every guest page and copies page by page).  Instead, the
 * stub maps the file's host data (a tmpfs memfd, a rootfs file the gofer
 * opened) read-only and shared into a window of the stub region, and copies
 * from there into the guest's buffer in user space (OP_COPY): one copy at
 * memcpy speed, and the window stays for the next read.
 *
 * A window is one SYSTRAP_WIN_SIZE-aligned chunk of a file, named by the
 * caller's id for the file's data and the chunk's index.  Each address space
 * has SYSTRAP_WIN_COUNT of them, reused least recently used first; a window
 * a copy is using is never replaced.  Windows are MADV_DONTFORK: a forked
 * address space starts with none (and its own empty state).
 *
 * The guest can read its windows like any memory of its own.  So a window
 * goes when the file is closed in the address space (close(2) in one of its
 * threads): until then the guest could read the file through its fd anyway
 * (see docs/security.md for what is left).
 */
#ifndef PLATFORM_SYSTRAP_FILEWIN_H
#define PLATFORM_SYSTRAP_FILEWIN_H

#include <stdint.h>

/* Per address space; threads share one (reference counted). */
struct filewin_state;
struct filewin_state *filewin_new(void);
struct filewin_state *filewin_get(struct filewin_state *ws);
void filewin_put(struct filewin_state *ws);

/* Maps chunk of the file into the window at addr (MAP_FIXED); 0 or -errno. */
typedef int (*filewin_map_fn)(void *arg, uint64_t addr, uint64_t chunk);

/* The address of the window that holds chunk of the file id, mapped with
 * map(arg, ...) if it is not there yet; 0 when every window is in use or
 * the mapping failed.  The window is in use until filewin_release(). */
uint64_t filewin_acquire(struct filewin_state *ws, uint64_t id, uint64_t chunk,
			 filewin_map_fn map, void *arg);
void filewin_release(struct filewin_state *ws, uint64_t addr);

/* Empties the windows of the file id that no copy uses, with unmap(arg,
 * addr) (which puts an empty reservation in their place). */
typedef void (*filewin_unmap_fn)(void *arg, uint64_t addr);
void filewin_forget(struct filewin_state *ws, uint64_t id, filewin_unmap_fn unmap, void *arg);

#endif
