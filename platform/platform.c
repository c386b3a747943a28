/* Platform selection and the host vDSO layout shared by all platforms. */
#include "platform/platform.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "common/cleanup.h"

extern const struct platform_ops ptrace_platform_ops;
extern const struct platform_ops systrap_platform_ops;

static struct platform_vdso host_vdso;

const struct platform_ops *platform_lookup(const char *name)
{
	if (strcmp(name, "ptrace") == 0)
		return &ptrace_platform_ops;
	if (strcmp(name, "systrap") == 0)
		return &systrap_platform_ops;
	return NULL;
}

void platform_int80_fault(struct user_regs_struct *regs, uint64_t orig_nr,
			  struct platform_event *ev)
{
	regs->rip -= 2;   /* cd 80 */
	regs->rax = orig_nr;
	regs->orig_rax = (uint64_t)-1;
	memset(&ev->info, 0, sizeof ev->info);
	ev->kind = PLATFORM_FAULT;
	ev->info.si_signo = SIGSEGV;
	ev->info.si_code = SI_KERNEL;
	ev->patch_rip = 0;
}

const struct platform_vdso *platform_vdso(void)
{
	return &host_vdso;
}

/* Finds [vdso] and the [vvar...] pages of this process.  Stubs are forked
 * from the sentry, so they have them at the same addresses; they stay mapped
 * so that the guest can read the time without a syscall. */
int platform_vdso_probe(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	if (!f)
		return -errno;
	char line[512];
	memset(&host_vdso, 0, sizeof host_vdso);
	while (fgets(line, sizeof line, f)) {
		unsigned long start, end;
		char name[64] = "";
		if (sscanf(line, "%lx-%lx %*s %*s %*s %*s %63s", &start, &end, name) < 2)
			continue;
		if (strcmp(name, "[vdso]") == 0) {
			host_vdso.vdso_start = start;
			host_vdso.vdso_end = end;
		} else if (strncmp(name, "[vvar", 5) == 0) {
			if (!host_vdso.vvar_start || start < host_vdso.vvar_start)
				host_vdso.vvar_start = start;
			if (end > host_vdso.vvar_end)
				host_vdso.vvar_end = end;
		}
	}
	fclose(f);
	/* The stub region must not collide with them. */
	if ((host_vdso.vdso_start < STUB_REGION_END && host_vdso.vdso_end > STUB_REGION_START) ||
	    (host_vdso.vvar_start < STUB_REGION_END && host_vdso.vvar_end > STUB_REGION_START))
		return -EADDRINUSE;
	return 0;
}
