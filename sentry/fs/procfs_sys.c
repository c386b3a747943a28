/* /proc's global files: the root directory's table, cpuinfo, meminfo,
 * uptime, loadavg, stat, version, filesystems, swaps, and /proc/sys. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "sentry/fs/procfs.h"

/* --- the links at the top ----------------------------------------------------- */

static int self_readlink(const struct proc_ctx *c, char *buf, size_t size)
{
	if (!c->reader)
		return -ENOENT;
	char text[32];
	int n = snprintf(text, sizeof text, "%d", (int)c->reader->tg->tgid);
	return proc_copy_link(buf, size, text, (size_t)n);
}

static int thread_self_readlink(const struct proc_ctx *c, char *buf, size_t size)
{
	if (!c->reader)
		return -ENOENT;
	char text[64];
	int n = snprintf(text, sizeof text, "%d/task/%d", (int)c->reader->tg->tgid,
			 (int)c->reader->tid);
	return proc_copy_link(buf, size, text, (size_t)n);
}

static int mounts_readlink(const struct proc_ctx *c, char *buf, size_t size)
{
	return proc_copy_link(buf, size, "self/mounts", 11);
}

/* --- system-wide files --------------------------------------------------------- */

static int cpuinfo_show(const struct proc_ctx *c, struct strbuf *b)
{
	const struct host_facts *h = c->fs->host;
	if (h->cpuinfo) {
		strbuf_append(b, h->cpuinfo, h->cpuinfo_len);
		return 0;
	}
	for (int i = 0; i < h->ncpus; i++)
		strbuf_printf(b, "processor\t: %d\nvendor_id\t: unknown\nmodel name\t: unknown\n"
			       "cpu MHz\t\t: 0.000\ncpu cores\t: %d\nflags\t\t: fpu\n\n",
			    i, h->ncpus);
	return 0;
}

static void kb_line(struct strbuf *b, const char *name, unsigned long long kb)
{
	strbuf_printf(b, "%-16s%8llu kB\n", name, kb);
}

static int meminfo_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		memset(&si, 0, sizeof si);
	unsigned long long unit = si.mem_unit ? si.mem_unit : 1;
	unsigned long long total = si.totalram * unit / 1024;
	unsigned long long free_ = si.freeram * unit / 1024;
	unsigned long long buffers = si.bufferram * unit / 1024;
	unsigned long long shared = si.sharedram * unit / 1024;
	unsigned long long swap_total = si.totalswap * unit / 1024;
	unsigned long long swap_free = si.freeswap * unit / 1024;
	unsigned long long avail = free_ + buffers;
	if (avail > total)
		avail = total;
	unsigned long long used = total - free_;
	kb_line(b, "MemTotal:", total);
	kb_line(b, "MemFree:", free_);
	kb_line(b, "MemAvailable:", avail);
	kb_line(b, "Buffers:", buffers);
	kb_line(b, "Cached:", 0);
	kb_line(b, "SwapCached:", 0);
	kb_line(b, "Active:", used / 2);
	kb_line(b, "Inactive:", used - used / 2);
	kb_line(b, "Active(anon):", used / 2);
	kb_line(b, "Inactive(anon):", used - used / 2);
	kb_line(b, "Active(file):", 0);
	kb_line(b, "Inactive(file):", 0);
	kb_line(b, "Unevictable:", 0);
	kb_line(b, "Mlocked:", 0);
	kb_line(b, "SwapTotal:", swap_total);
	kb_line(b, "SwapFree:", swap_free);
	kb_line(b, "Dirty:", 0);
	kb_line(b, "Writeback:", 0);
	kb_line(b, "AnonPages:", used);
	kb_line(b, "Mapped:", 0);
	kb_line(b, "Shmem:", shared);
	kb_line(b, "KReclaimable:", 0);
	kb_line(b, "Slab:", 0);
	kb_line(b, "SReclaimable:", 0);
	kb_line(b, "SUnreclaim:", 0);
	kb_line(b, "KernelStack:", 0);
	kb_line(b, "PageTables:", 0);
	kb_line(b, "NFS_Unstable:", 0);
	kb_line(b, "Bounce:", 0);
	kb_line(b, "WritebackTmp:", 0);
	kb_line(b, "CommitLimit:", total / 2 + swap_total);
	kb_line(b, "Committed_AS:", used);
	kb_line(b, "VmallocTotal:", 34359738367ULL);
	kb_line(b, "VmallocUsed:", 0);
	kb_line(b, "VmallocChunk:", 0);
	kb_line(b, "Percpu:", 0);
	kb_line(b, "AnonHugePages:", 0);
	kb_line(b, "ShmemHugePages:", 0);
	kb_line(b, "ShmemPmdMapped:", 0);
	strbuf_printf(b, "%-16s%8d\n", "HugePages_Total:", 0);
	strbuf_printf(b, "%-16s%8d\n", "HugePages_Free:", 0);
	strbuf_printf(b, "%-16s%8d\n", "HugePages_Rsvd:", 0);
	strbuf_printf(b, "%-16s%8d\n", "HugePages_Surp:", 0);
	kb_line(b, "Hugepagesize:", 2048);
	kb_line(b, "Hugetlb:", 0);
	return 0;
}

static int uptime_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct timespec up = proc_uptime();
	/* Idle time is not known: reported as none. */
	strbuf_printf(b, "%lld.%02ld 0.00\n", (long long)up.tv_sec, up.tv_nsec / 10000000);
	return 0;
}

static int loadavg_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0)
		memset(&si, 0, sizeof si);
	struct kernel *k = c->k;
	pthread_mutex_lock(&k->lock);
	int tasks = k->nr_tasks;
	int last = k->next_pid - 1;
	pthread_mutex_unlock(&k->lock);
	strbuf_printf(b, "%lu.%02lu %lu.%02lu %lu.%02lu 1/%d %d\n",
		    si.loads[0] >> 16, ((si.loads[0] & 0xffff) * 100) >> 16,
		    si.loads[1] >> 16, ((si.loads[1] & 0xffff) * 100) >> 16,
		    si.loads[2] >> 16, ((si.loads[2] & 0xffff) * 100) >> 16,
		    tasks, last > 0 ? last : 0);
	return 0;
}

static int stat_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct timespec up = proc_uptime();
	struct timespec real = ts_now(CLOCK_REALTIME);
	unsigned long long ticks = (unsigned long long)up.tv_sec * PROC_USER_HZ +
				   (unsigned long long)up.tv_nsec / (1000000000 / PROC_USER_HZ);
	struct kernel *k = c->k;
	pthread_mutex_lock(&k->lock);
	int forks = k->next_pid - 1;
	int tasks = k->nr_tasks;
	pthread_mutex_unlock(&k->lock);
	/* CPU time is not accounted per CPU: everything counts as idle. */
	strbuf_printf(b, "cpu  0 0 0 %llu 0 0 0 0 0 0\n", ticks * (unsigned)c->fs->host->ncpus);
	for (int i = 0; i < c->fs->host->ncpus; i++)
		strbuf_printf(b, "cpu%d 0 0 0 %llu 0 0 0 0 0 0\n", i, ticks);
	strbuf_printf(b, "intr 0\nctxt 0\nbtime %lld\nprocesses %d\nprocs_running %d\n"
		       "procs_blocked 0\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		    (long long)(real.tv_sec - up.tv_sec), forks > 0 ? forks : 0,
		    tasks > 0 ? 1 : 0);
	return 0;
}

static int version_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct kernel *k = c->k;
	pthread_mutex_lock(&k->lock);
	struct utsname u = k->uts;
	pthread_mutex_unlock(&k->lock);
	strbuf_printf(b, "%s version %s (sentry@sandbox) (sentry) %s\n", u.sysname, u.release,
		    u.version);
	return 0;
}

static int filesystems_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "nodev\tsysfs\n"
		     "nodev\ttmpfs\n"
		     "nodev\tproc\n"
		     "nodev\tpipefs\n"
		     "nodev\tdevpts\n"
		     "nodev\tmqueue\n"
		     "nodev\toverlay\n");
	return 0;
}

static int swaps_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_puts(b, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	return 0;
}

/* --- /proc/sys ------------------------------------------------------------------ */

static int hostname_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct kernel *k = c->k;
	pthread_mutex_lock(&k->lock);
	char name[sizeof k->uts.nodename];
	memcpy(name, k->uts.nodename, sizeof name);
	pthread_mutex_unlock(&k->lock);
	name[sizeof name - 1] = 0;
	strbuf_printf(b, "%s\n", name);
	return 0;
}

/* As proc_dostring: the text up to the first NUL or newline. */
static ssize_t hostname_write(const struct proc_ctx *c, const char *buf, size_t len)
{
	struct kernel *k = c->k;
	size_t n = 0;
	while (n < len && buf[n] && buf[n] != '\n')
		n++;
	if (n > 64)
		n = 64;
	pthread_mutex_lock(&k->lock);
	memset(k->uts.nodename, 0, sizeof k->uts.nodename);
	memcpy(k->uts.nodename, buf, n);
	pthread_mutex_unlock(&k->lock);
	return (ssize_t)len;
}

static int domainname_show(const struct proc_ctx *c, struct strbuf *b)
{
	struct kernel *k = c->k;
	pthread_mutex_lock(&k->lock);
	char name[sizeof k->uts.domainname];
	memcpy(name, k->uts.domainname, sizeof name);
	pthread_mutex_unlock(&k->lock);
	name[sizeof name - 1] = 0;
	strbuf_printf(b, "%s\n", name);
	return 0;
}

static int ostype_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", c->k->uts.sysname);
	return 0;
}

static int osrelease_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", c->k->uts.release);
	return 0;
}

static int kversion_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", c->k->uts.version);
	return 0;
}

static int pid_max_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_printf(b, "%d\n", KERNEL_MAX_PID);
	return 0;
}

static int boot_id_show(const struct proc_ctx *c, struct strbuf *b)
{
	strbuf_printf(b, "%s\n", c->fs->boot_id);
	return 0;
}

static int uuid_show(const struct proc_ctx *c, struct strbuf *b)
{
	char u[37];
	proc_make_uuid(u);
	strbuf_printf(b, "%s\n", u);
	return 0;
}

/* A sysctl with a constant value. */
#define CONST_SHOW(fn, text)                                              \
	static int fn(const struct proc_ctx *c, struct strbuf *b)           \
	{                                                                 \
		strbuf_puts(b, text "\n");                                  \
		return 0;                                                 \
	}

CONST_SHOW(ngroups_max_show, "65536")
CONST_SHOW(cap_last_cap_show, "40")
CONST_SHOW(threads_max_show, "32768")
CONST_SHOW(overflowid_show, "65534")
CONST_SHOW(shmmax_show, "18446744073692774399")
CONST_SHOW(shmmni_show, "4096")
CONST_SHOW(entropy_show, "256")
CONST_SHOW(overcommit_memory_show, "0")
CONST_SHOW(overcommit_ratio_show, "50")
CONST_SHOW(max_map_count_show, "65530")
CONST_SHOW(mmap_min_addr_show, "65536")
CONST_SHOW(pipe_max_size_show, "1048576")
CONST_SHOW(nr_open_show, "1048576")
CONST_SHOW(file_max_show, "9223372036854775807")

#define SYSCTL_RO(n, fn) { .name = n, .mode = S_IFREG | 0444, .flags = PE_SYSCTL, .show = fn }
#define DIR_OF(n, kids) { .name = n, .mode = S_IFDIR | 0555, .children = kids }

static struct proc_entry sys_kernel_random[] = {
	SYSCTL_RO("boot_id", boot_id_show),
	SYSCTL_RO("entropy_avail", entropy_show),
	SYSCTL_RO("poolsize", entropy_show),
	SYSCTL_RO("uuid", uuid_show),
	{ 0 },
};

static struct proc_entry sys_kernel[] = {
	SYSCTL_RO("cap_last_cap", cap_last_cap_show),
	SYSCTL_RO("domainname", domainname_show),
	{ .name = "hostname", .mode = S_IFREG | 0644, .flags = PE_SYSCTL, .show = hostname_show,
	  .write = hostname_write },
	SYSCTL_RO("ngroups_max", ngroups_max_show),
	SYSCTL_RO("osrelease", osrelease_show),
	SYSCTL_RO("ostype", ostype_show),
	SYSCTL_RO("overflowgid", overflowid_show),
	SYSCTL_RO("overflowuid", overflowid_show),
	SYSCTL_RO("pid_max", pid_max_show),
	DIR_OF("random", sys_kernel_random),
	SYSCTL_RO("shmall", shmmax_show),
	SYSCTL_RO("shmmax", shmmax_show),
	SYSCTL_RO("shmmni", shmmni_show),
	SYSCTL_RO("threads-max", threads_max_show),
	SYSCTL_RO("version", kversion_show),
	{ 0 },
};

static struct proc_entry sys_vm[] = {
	SYSCTL_RO("max_map_count", max_map_count_show),
	SYSCTL_RO("mmap_min_addr", mmap_min_addr_show),
	SYSCTL_RO("overcommit_memory", overcommit_memory_show),
	SYSCTL_RO("overcommit_ratio", overcommit_ratio_show),
	{ 0 },
};

static struct proc_entry sys_fs[] = {
	SYSCTL_RO("file-max", file_max_show),
	SYSCTL_RO("nr_open", nr_open_show),
	SYSCTL_RO("pipe-max-size", pipe_max_size_show),
	{ 0 },
};

static struct proc_entry sys_children[] = {
	DIR_OF("fs", sys_fs),
	DIR_OF("kernel", sys_kernel),
	DIR_OF("vm", sys_vm),
	{ 0 },
};

/* --- the root ------------------------------------------------------------------- */

#define GLOBAL_RO(n, fn) { .name = n, .mode = S_IFREG | 0444, .flags = PE_WRITE_EIO, .show = fn }

struct proc_entry proc_root_children[] = {
	{ .name = "self", .mode = S_IFLNK | 0777, .readlink = self_readlink },
	{ .name = "thread-self", .mode = S_IFLNK | 0777, .readlink = thread_self_readlink },
	{ .name = "mounts", .mode = S_IFLNK | 0777, .readlink = mounts_readlink },
	GLOBAL_RO("cpuinfo", cpuinfo_show),
	GLOBAL_RO("filesystems", filesystems_show),
	GLOBAL_RO("loadavg", loadavg_show),
	GLOBAL_RO("meminfo", meminfo_show),
	GLOBAL_RO("stat", stat_show),
	GLOBAL_RO("swaps", swaps_show),
	GLOBAL_RO("uptime", uptime_show),
	GLOBAL_RO("version", version_show),
	DIR_OF("sys", sys_children),
	{ 0 },
};

struct proc_entry proc_root_entry = {
	.name = "/",
	.mode = S_IFDIR | 0555,
	.children = proc_root_children,
	.lookup = proc_root_lookup_pid,
	.list = proc_root_list_pids,
};
