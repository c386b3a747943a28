/* Layout of the stub region in every guest address space (ptrace platform). */
#ifndef PLATFORM_PTRACE_STUB_LAYOUT_H
#define PLATFORM_PTRACE_STUB_LAYOUT_H

#include "platform/platform.h"

#define STUB_PAGE_SIZE   4096UL
#define STUB_CODE_ADDR   STUB_REGION_START                    /* r-x */
#define STUB_DATA_ADDR   (STUB_REGION_START + STUB_PAGE_SIZE)  /* rw- scratch */
#define STUB_MAPPED_SIZE (2 * STUB_PAGE_SIZE)

/* In the data page: the list of ranges a fresh stub unmaps at start... */
#define STUB_DATA_UNMAP_LIST 0x000
#define STUB_MAX_UNMAP       32
/* ...and the msghdr a stub uses to receive a file descriptor to map. */
#define STUB_DATA_MSG        0x800

/* The one file descriptor a stub holds: its end of the fd-passing socket. */
#define STUB_SOCK_FD 3

/* Symbols of stub.S. */
extern const char stub_code_start[], stub_code_end[];
extern const char stub_entry[], stub_syscall[], stub_clone[], stub_atomic_op[], stub_park[];

#define STUB_ADDR_OF(sym) (STUB_CODE_ADDR + (uint64_t)((sym) - stub_code_start))

#endif
