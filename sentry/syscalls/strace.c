/* --strace: one line per syscall, as strace -f prints it.
 *
 * The entry half of a line is formatted before the handler runs (a
 * blocking call may see its input memory change under it) and kept in
 * t->strace_line; the exit half adds what the call filled in and the result,
 * and the whole line goes out in one write(2) so that lines of concurrent
 * tasks do not interleave.
 *
 * Everything below the glue at the end is pure: it reads guest memory only
 * through struct strace_mem, never fails (an unreadable pointer is shown as
 * its address) and bounds what it reads, since the guest controls it all.
 * Constants are the kernel's x86-64 ABI values, written out: they describe
 * the guest's view, which the host's headers may not (O_LARGEFILE is 0 in
 * glibc's, SA_RESTORER is missing).
 */
#include "sentry/syscalls/strace.h"

#include <arpa/inet.h>
#include <asm/unistd.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"
#include "sentry/mm/mm.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)     ((a) < (b) ? (a) : (b))

#define STRACE_PATH_MAX 4096   /* PATH_MAX: paths are shown whole up to it */
#define STRACE_ELEMS    8      /* array elements shown before "..." */
#define AT_FDCWD_VALUE  (-100)

/* --- value tables ---------------------------------------------------------- */

struct xlat {
	uint64_t val;
	const char *name;
};

#define XLAT(tab) tab, ARRAY_SIZE(tab)

static const char *xlat_name(const struct xlat *x, size_t n, uint64_t v)
{
	for (size_t i = 0; i < n; i++)
		if (x[i].val == v)
			return x[i].name;
	return NULL;
}

/* An enumerated value: its name, else the number in decimal. */
static void fmt_xlat_dec(struct strbuf *b, const struct xlat *x, size_t n, int64_t v)
{
	const char *name = xlat_name(x, n, (uint64_t)v);
	if (name)
		strbuf_puts(b, name);
	else
		strbuf_printf(b, "%lld", (long long)v);
}

/* An enumerated value: its name, else the number in hex. */
static void fmt_xlat_hex(struct strbuf *b, const struct xlat *x, size_t n, uint64_t v)
{
	const char *name = xlat_name(x, n, v);
	if (name)
		strbuf_puts(b, name);
	else
		strbuf_printf(b, "%#llx", (unsigned long long)v);
}

/* Prints the names of the flags set in *v, in table order, "|"-separated
 * (and after earlier text when sep), clearing them from *v.  A name may
 * cover several bits (O_SYNC); it is printed only if all are set.
 * Returns whether anything has been printed, sep included. */
static bool fmt_flag_bits(struct strbuf *b, const struct xlat *x, size_t n, uint64_t *v,
			  bool sep)
{
	for (size_t i = 0; i < n; i++) {
		if (x[i].val == 0 || (*v & x[i].val) != x[i].val)
			continue;
		if (sep)
			strbuf_puts(b, "|");
		strbuf_puts(b, x[i].name);
		*v &= ~x[i].val;
		sep = true;
	}
	return sep;
}

/* What no name covered, as |0x...; "0" if nothing at all was printed. */
static void fmt_flag_rest(struct strbuf *b, uint64_t v, bool printed)
{
	if (v)
		strbuf_printf(b, "%s%#llx", printed ? "|" : "", (unsigned long long)v);
	else if (!printed)
		strbuf_puts(b, "0");
}

static void fmt_flags(struct strbuf *b, const struct xlat *x, size_t n, uint64_t v)
{
	bool printed = fmt_flag_bits(b, x, n, &v, false);
	fmt_flag_rest(b, v, printed);
}

/* Open flags after the access mode, in strace's order.  Multi-bit names
 * come before the single bits they contain. */
static const struct xlat open_flag_names[] = {
	{ 0100, "O_CREAT" },        { 0200, "O_EXCL" },        { 0400, "O_NOCTTY" },
	{ 01000, "O_TRUNC" },       { 02000, "O_APPEND" },     { 04000, "O_NONBLOCK" },
	{ 04010000, "O_SYNC" },     { 010000, "O_DSYNC" },     { 020000, "O_ASYNC" },
	{ 040000, "O_DIRECT" },     { 0100000, "O_LARGEFILE" }, { 0400000, "O_NOFOLLOW" },
	{ 01000000, "O_NOATIME" },  { 02000000, "O_CLOEXEC" },  { 010000000, "O_PATH" },
	{ 020200000, "O_TMPFILE" }, { 0200000, "O_DIRECTORY" },
};

static const char *const open_accmode_names[4] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };

void strace_fmt_open_flags(struct strbuf *b, uint64_t flags)
{
	strbuf_puts(b, open_accmode_names[flags & 3]);
	uint64_t rest = flags & ~(uint64_t)3;
	fmt_flag_bits(b, XLAT(open_flag_names), &rest, true);
	fmt_flag_rest(b, rest, true);
}

static const struct xlat mmap_flag_names[] = {
	{ 0x10, "MAP_FIXED" },        { 0x20, "MAP_ANONYMOUS" },    { 0x40, "MAP_32BIT" },
	{ 0x100, "MAP_GROWSDOWN" },   { 0x800, "MAP_DENYWRITE" },   { 0x1000, "MAP_EXECUTABLE" },
	{ 0x2000, "MAP_LOCKED" },     { 0x4000, "MAP_NORESERVE" },  { 0x8000, "MAP_POPULATE" },
	{ 0x10000, "MAP_NONBLOCK" },  { 0x20000, "MAP_STACK" },     { 0x40000, "MAP_HUGETLB" },
	{ 0x80000, "MAP_SYNC" },      { 0x100000, "MAP_FIXED_NOREPLACE" },
};

#define MAP_HUGETLB_BIT  0x40000ULL
#define MAP_HUGE_SHIFT_  26

/* MAP_HUGETLB's page size, log2 in bits 26..31 (MAP_HUGE_2MB), cleared
 * from *rest once shown. */
static void fmt_map_huge(struct strbuf *b, uint64_t flags, uint64_t *rest)
{
	unsigned shift = (unsigned)(flags >> MAP_HUGE_SHIFT_) & 0x3f;
	if (!(flags & MAP_HUGETLB_BIT) || shift == 0)
		return;
	static const char unit[] = { 'K', 'M', 'G', 'T', 'P', 'E' };
	unsigned u = shift < 10 ? 0 : shift / 10 - 1;
	if (shift >= 10)
		strbuf_printf(b, "|MAP_HUGE_%llu%cB", 1ULL << (shift - (u + 1) * 10), unit[u]);
	else
		strbuf_printf(b, "|MAP_HUGE_%lluB", 1ULL << shift);
	*rest &= ~(0x3fULL << MAP_HUGE_SHIFT_);
}

void strace_fmt_mmap_flags(struct strbuf *b, uint64_t flags)
{
	static const char *const types[4] = { NULL, "MAP_SHARED", "MAP_PRIVATE",
					      "MAP_SHARED_VALIDATE" };
	uint64_t type = flags & 0xf;
	bool printed = false;
	if (type < 4 && types[type]) {
		strbuf_puts(b, types[type]);
		printed = true;
	} else if (type) {
		strbuf_printf(b, "%#llx", (unsigned long long)type);
		printed = true;
	}
	uint64_t rest = flags & ~0xfULL;
	printed = fmt_flag_bits(b, XLAT(mmap_flag_names), &rest, printed);
	fmt_map_huge(b, flags, &rest);
	fmt_flag_rest(b, rest, printed);
}

static const struct xlat prot_names[] = {
	{ 1, "PROT_READ" }, { 2, "PROT_WRITE" }, { 4, "PROT_EXEC" }, { 8, "PROT_SEM" },
	{ 0x01000000, "PROT_GROWSDOWN" }, { 0x02000000, "PROT_GROWSUP" },
};

void strace_fmt_prot(struct strbuf *b, uint64_t prot)
{
	if (prot == 0)
		strbuf_puts(b, "PROT_NONE");
	else
		fmt_flags(b, XLAT(prot_names), prot);
}

static const struct xlat file_type_names[] = {
	{ 0100000, "S_IFREG" }, { 0040000, "S_IFDIR" }, { 0020000, "S_IFCHR" },
	{ 0060000, "S_IFBLK" }, { 0010000, "S_IFIFO" }, { 0120000, "S_IFLNK" },
	{ 0140000, "S_IFSOCK" },
};

void strace_fmt_mode(struct strbuf *b, uint64_t mode)
{
	uint64_t type = mode & 0170000;
	if (type) {
		const char *name = xlat_name(XLAT(file_type_names), type);
		if (!name) {
			strbuf_printf(b, "%#llo", (unsigned long long)mode);
			return;
		}
		strbuf_printf(b, "%s|", name);
	}
	strbuf_printf(b, "%#03llo", (unsigned long long)(mode & 07777));
	if (mode & ~0177777ULL)
		strbuf_printf(b, "|%#llx", (unsigned long long)(mode & ~0177777ULL));
}

static const struct xlat clone_flag_names[] = {
	{ 0x00000100, "CLONE_VM" },             { 0x00000200, "CLONE_FS" },
	{ 0x00000400, "CLONE_FILES" },          { 0x00000800, "CLONE_SIGHAND" },
	{ 0x00001000, "CLONE_PIDFD" },          { 0x00002000, "CLONE_PTRACE" },
	{ 0x00004000, "CLONE_VFORK" },          { 0x00008000, "CLONE_PARENT" },
	{ 0x00010000, "CLONE_THREAD" },         { 0x00020000, "CLONE_NEWNS" },
	{ 0x00040000, "CLONE_SYSVSEM" },        { 0x00080000, "CLONE_SETTLS" },
	{ 0x00100000, "CLONE_PARENT_SETTID" },  { 0x00200000, "CLONE_CHILD_CLEARTID" },
	{ 0x00400000, "CLONE_DETACHED" },       { 0x00800000, "CLONE_UNTRACED" },
	{ 0x01000000, "CLONE_CHILD_SETTID" },   { 0x02000000, "CLONE_NEWCGROUP" },
	{ 0x04000000, "CLONE_NEWUTS" },         { 0x08000000, "CLONE_NEWIPC" },
	{ 0x10000000, "CLONE_NEWUSER" },        { 0x20000000, "CLONE_NEWPID" },
	{ 0x40000000, "CLONE_NEWNET" },         { 0x80000000, "CLONE_IO" },
	{ 0x100000000ULL, "CLONE_CLEAR_SIGHAND" }, { 0x200000000ULL, "CLONE_INTO_CGROUP" },
};

#define CLONE_FLAG_PIDFD          0x00001000ULL
#define CLONE_FLAG_SETTLS         0x00080000ULL
#define CLONE_FLAG_PARENT_SETTID  0x00100000ULL
#define CLONE_FLAG_CHILD_CLEARTID 0x00200000ULL
#define CLONE_FLAG_CHILD_SETTID   0x01000000ULL

/* clone(2) flags: the low byte is the signal sent to the parent at exit,
 * shown last (CLONE_VM|...|SIGCHLD). */
void strace_fmt_clone_flags(struct strbuf *b, uint64_t flags)
{
	uint64_t rest = flags & ~0xffULL;
	unsigned sig = flags & 0xff;
	bool printed = fmt_flag_bits(b, XLAT(clone_flag_names), &rest, false);
	if (sig && sig <= GUEST_NSIG) {
		if (printed)
			strbuf_puts(b, "|");
		strace_fmt_signal(b, sig);
		printed = true;
	} else {
		rest |= sig;
	}
	fmt_flag_rest(b, rest, printed);
}

/* --- signals --------------------------------------------------------------- */

/* Without the "SIG" prefix, as sigsets show them. */
static const char *const signal_names[32] = {
	[1] = "HUP",   "INT",   "QUIT",   "ILL",    "TRAP", "ABRT", "BUS",   "FPE",
	"KILL",        "USR1",  "SEGV",   "USR2",   "PIPE", "ALRM", "TERM",  "STKFLT",
	"CHLD",        "CONT",  "STOP",   "TSTP",   "TTIN", "TTOU", "URG",   "XCPU",
	"XFSZ",        "VTALRM", "PROF",  "WINCH",  "IO",   "PWR",  "SYS",
};

#define KERNEL_SIGRTMIN 32

/* "INT", "RTMIN", "RTMIN+3"; false (nothing printed) if sig is no signal. */
static bool fmt_signal_short(struct strbuf *b, int64_t sig)
{
	if (sig >= 1 && sig < KERNEL_SIGRTMIN)
		strbuf_puts(b, signal_names[sig]);
	else if (sig == KERNEL_SIGRTMIN)
		strbuf_puts(b, "RTMIN");
	else if (sig > KERNEL_SIGRTMIN && sig <= GUEST_NSIG)
		strbuf_printf(b, "RTMIN+%d", (int)(sig - KERNEL_SIGRTMIN));
	else
		return false;
	return true;
}

void strace_fmt_signal(struct strbuf *b, int64_t sig)
{
	if (sig >= 1 && sig <= GUEST_NSIG) {
		strbuf_puts(b, "SIG");
		fmt_signal_short(b, sig);
	} else {
		strbuf_printf(b, "%lld", (long long)sig);
	}
}

/* [INT TERM]; a set with most signals in it is shown by what it lacks,
 * ~[KILL STOP], as strace does. */
void strace_fmt_sigset(struct strbuf *b, uint64_t mask)
{
	bool invert = __builtin_popcountll(mask) > GUEST_NSIG / 2;
	if (invert) {
		strbuf_puts(b, "~");
		mask = ~mask;
	}
	strbuf_puts(b, "[");
	bool first = true;
	for (int sig = 1; sig <= GUEST_NSIG; sig++) {
		if (!(mask & (1ULL << (sig - 1))))
			continue;
		if (!first)
			strbuf_puts(b, " ");
		fmt_signal_short(b, sig);
		first = false;
	}
	strbuf_puts(b, "]");
}

void strace_fmt_wait_status(struct strbuf *b, int status)
{
	if (WIFEXITED(status)) {
		strbuf_printf(b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]",
				  WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		strbuf_puts(b, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		strace_fmt_signal(b, WTERMSIG(status));
		strbuf_puts(b, WCOREDUMP(status) ? " && WCOREDUMP(s)}]" : "}]");
	} else if (WIFSTOPPED(status)) {
		strbuf_puts(b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		strace_fmt_signal(b, WSTOPSIG(status));
		strbuf_puts(b, "}]");
	} else if (WIFCONTINUED(status)) {
		strbuf_puts(b, "[{WIFCONTINUED(s)}]");
	} else {
		strbuf_printf(b, "[%#x]", (unsigned)status);
	}
}

/* --- strings and results ----------------------------------------------------- */

/* strace's escaping: C escapes where there is one, else octal, as short as
 * the next character allows (\0 but \0001 before a '1'). */
static void fmt_escaped_char(struct strbuf *b, unsigned char c, int next)
{
	static const char esc[][3] = {
		['\f'] = "\\f", ['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t", ['\v'] = "\\v",
	};
	if (c == '"' || c == '\\') {
		char s[2] = { '\\', (char)c };
		strbuf_append(b, s, 2);
	} else if (c < sizeof esc / sizeof esc[0] && esc[c][0]) {
		strbuf_append(b, esc[c], 2);
	} else if (c >= 0x20 && c < 0x7f) {
		char s = (char)c;
		strbuf_append(b, &s, 1);
	} else if (next >= '0' && next <= '7') {
		strbuf_printf(b, "\\%03o", c);
	} else {
		strbuf_printf(b, "\\%o", c);
	}
}

void strace_fmt_string(struct strbuf *b, const void *data, size_t len, bool more)
{
	const unsigned char *p = data;
	strbuf_puts(b, "\"");
	for (size_t i = 0; i < len; i++)
		fmt_escaped_char(b, p[i], i + 1 < len ? p[i + 1] : -1);
	strbuf_puts(b, more ? "\"..." : "\"");
}

/* The kernel-internal codes a syscall returns to ask for a restart; the
 * guest never sees them, strace shows them with "?". */
static const struct {
	int err;
	const char *name, *desc;
} restart_codes[] = {
	{ ERESTARTSYS, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ ERESTARTNOINTR, "ERESTARTNOINTR", "To be restarted" },
	{ ERESTARTNOHAND, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ ERESTART_RESTARTBLOCK, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
};

/* The kernel's convention: -4095..-1 are errors, anything else a value. */
static bool is_error(long ret)
{
	return (unsigned long)ret > -4096UL;
}

static void fmt_error(struct strbuf *b, int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(restart_codes); i++) {
		if (restart_codes[i].err == err) {
			strbuf_printf(b, "? %s (%s)", restart_codes[i].name,
					  restart_codes[i].desc);
			return;
		}
	}
	/* The *_np functions return static strings: safe from any thread. */
	const char *name = strerrorname_np(err);
	const char *desc = strerrordesc_np(err);
	if (name && desc)
		strbuf_printf(b, "-1 %s (%s)", name, desc);
	else
		strbuf_printf(b, "-1 (errno %d)", err);
}

void strace_fmt_result(struct strbuf *b, enum sysret type, long ret)
{
	if (type == RET_NONE)
		strbuf_puts(b, "?");
	else if (is_error(ret))
		fmt_error(b, (int)-ret);
	else if (type == RET_HEX)
		strbuf_printf(b, "%#lx", (unsigned long)ret);
	else
		strbuf_printf(b, "%ld", ret);
}

/* --- guest memory ---------------------------------------------------------- */

static int mem_read(const struct strace_mem *m, void *dst, uint64_t addr, size_t n)
{
	if (!m || !m->read || addr == 0)
		return -EFAULT;
	return m->read(m->ctx, dst, addr, n) < 0 ? -EFAULT : 0;
}

/* Reads a NUL-terminated string of at most size - 1 bytes into dst (always
 * NUL-terminated).  Page by page, so that a string that ends before an
 * unreadable page is read.  Returns its length, -ENAMETOOLONG when there is
 * no NUL in size - 1 bytes (dst holds them), or -EFAULT. */
static long mem_read_str(const struct strace_mem *m, uint64_t addr, char *dst, size_t size)
{
	size_t done = 0;
	while (done < size - 1) {
		uint64_t a = addr + done;
		size_t chunk = MIN(size - 1 - done, 4096 - (size_t)(a & 4095));
		if (mem_read(m, dst + done, a, chunk) < 0)
			return -EFAULT;
		char *nul = memchr(dst + done, '\0', chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	dst[done] = '\0';
	return -ENAMETOOLONG;
}

static void fmt_ptr(struct strbuf *b, uint64_t addr)
{
	if (addr)
		strbuf_printf(b, "%#llx", (unsigned long long)addr);
	else
		strbuf_puts(b, "NULL");
}

/* Reads a struct; if it cannot, prints the address (or NULL) instead. */
static bool read_or_ptr(struct strbuf *b, const struct strace_mem *m, void *dst,
			uint64_t addr, size_t n)
{
	if (mem_read(m, dst, addr, n) == 0)
		return true;
	fmt_ptr(b, addr);
	return false;
}

/* A NUL-terminated string, cut at max bytes.  One byte more is read, so
 * that a string of exactly max bytes is not shown as cut. */
static void fmt_cstring(struct strbuf *b, const struct strace_mem *m, uint64_t addr,
			size_t max)
{
	char *s = addr ? malloc(max + 2) : NULL;
	long len = s ? mem_read_str(m, addr, s, max + 2) : -EFAULT;
	if (len == -EFAULT)
		fmt_ptr(b, addr);
	else if (len == -ENAMETOOLONG || (size_t)len > max)
		strace_fmt_string(b, s, max, true);
	else
		strace_fmt_string(b, s, (size_t)len, false);
	free(s);
}

/* A buffer of len bytes, the first STRACE_STRLEN shown. */
static void fmt_buffer(struct strbuf *b, const struct strace_mem *m, uint64_t addr,
		       uint64_t len)
{
	char data[STRACE_STRLEN];
	size_t n = (size_t)MIN(len, (uint64_t)STRACE_STRLEN);
	if (addr == 0 || (n && mem_read(m, data, addr, n) < 0)) {
		fmt_ptr(b, addr);
		return;
	}
	strace_fmt_string(b, data, n, len > n);
}

/* --- structures ------------------------------------------------------------ */

struct guest_iovec {
	uint64_t base, len;
};

/* [{iov_base="...", iov_len=5}, ...]; data: how many bytes of the buffers
 * hold data (the result, for reads), UINT64_MAX for all of them. */
static void fmt_iovec(struct strbuf *b, const struct strace_mem *m, uint64_t addr,
		      uint64_t count, uint64_t data)
{
	struct guest_iovec iov[STRACE_ELEMS];
	size_t n = (size_t)MIN(count, (uint64_t)STRACE_ELEMS);
	if (addr == 0 || (n && mem_read(m, iov, addr, n * sizeof iov[0]) < 0)) {
		fmt_ptr(b, addr);
		return;
	}
	strbuf_puts(b, "[");
	for (size_t i = 0; i < n; i++) {
		strbuf_puts(b, i ? ", {iov_base=" : "{iov_base=");
		uint64_t len = MIN(iov[i].len, data);
		fmt_buffer(b, m, iov[i].base, len);
		strbuf_printf(b, ", iov_len=%llu}", (unsigned long long)iov[i].len);
		data -= len;
	}
	strbuf_puts(b, count > n ? ", ...]" : "]");
}

/* ["ls", "-l"]: argv, its first STRACE_ELEMS strings. */
static void fmt_strv(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	uint64_t ptrs[STRACE_ELEMS + 1];
	size_t n = 0;
	if (addr == 0) {
		fmt_ptr(b, addr);
		return;
	}
	/* One pointer at a time: the array may end just before a hole. */
	for (; n < ARRAY_SIZE(ptrs); n++) {
		if (mem_read(m, &ptrs[n], addr + n * 8, 8) < 0) {
			fmt_ptr(b, addr);
			return;
		}
		if (ptrs[n] == 0)
			break;
	}
	strbuf_puts(b, "[");
	for (size_t i = 0; i < MIN(n, (size_t)STRACE_ELEMS); i++) {
		if (i)
			strbuf_puts(b, ", ");
		fmt_cstring(b, m, ptrs[i], STRACE_STRLEN);
	}
	strbuf_puts(b, n > STRACE_ELEMS ? ", ...]" : "]");
}

/* envp: 0x7ffd... followed by the number of strings. */
static void fmt_envp(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	enum { MAX_VARS = 16384 };
	uint64_t ptrs[64];
	fmt_ptr(b, addr);
	if (addr == 0)
		return;
	size_t n = 0;
	while (n < MAX_VARS) {
		/* A chunk never crosses a page: the array may end before a hole. */
		uint64_t a = addr + n * 8;
		size_t count = MIN(ARRAY_SIZE(ptrs), (size_t)(4096 - (a & 4095)) / 8);
		if (count == 0)
			count = 1;   /* misaligned, straddling two pages */
		if (mem_read(m, ptrs, a, count * 8) < 0)
			return;
		for (size_t i = 0; i < count; i++) {
			if (ptrs[i] == 0) {
				strbuf_printf(b, " /* %zu var%s */", n + i,
						  n + i == 1 ? "" : "s");
				return;
			}
		}
		n += count;
	}
}

static void fmt_timespec(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	struct { int64_t sec, nsec; } ts;
	if (read_or_ptr(b, m, &ts, addr, sizeof ts))
		strbuf_printf(b, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts.sec,
				  (long long)ts.nsec);
}

static void fmt_stat(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	struct stat st;   /* the sentry is x86-64: the guest's layout */
	if (!read_or_ptr(b, m, &st, addr, sizeof st))
		return;
	strbuf_puts(b, "{st_mode=");
	strace_fmt_mode(b, st.st_mode);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		strbuf_printf(b, ", st_rdev=makedev(%#x, %#x)", major(st.st_rdev),
				  minor(st.st_rdev));
	else
		strbuf_printf(b, ", st_size=%lld", (long long)st.st_size);
	strbuf_puts(b, ", ...}");
}

static void fmt_statx(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	struct statx stx;
	if (!read_or_ptr(b, m, &stx, addr, sizeof stx))
		return;
	strbuf_puts(b, "{stx_mode=");
	strace_fmt_mode(b, stx.stx_mode);
	if (S_ISCHR(stx.stx_mode) || S_ISBLK(stx.stx_mode))
		strbuf_printf(b, ", stx_rdev_major=%u, stx_rdev_minor=%u", stx.stx_rdev_major,
				  stx.stx_rdev_minor);
	else
		strbuf_printf(b, ", stx_size=%llu", (unsigned long long)stx.stx_size);
	strbuf_puts(b, ", ...}");
}

static const struct xlat fs_magic_names[] = {
	{ 0xef53, "EXT2_SUPER_MAGIC" },          { 0x01021994, "TMPFS_MAGIC" },
	{ 0x9fa0, "PROC_SUPER_MAGIC" },          { 0x62656572, "SYSFS_MAGIC" },
	{ 0x1cd1, "DEVPTS_SUPER_MAGIC" },        { 0x794c7630, "OVERLAYFS_SUPER_MAGIC" },
	{ 0x9123683e, "BTRFS_SUPER_MAGIC" },     { 0x58465342, "XFS_SUPER_MAGIC" },
	{ 0x63677270, "CGROUP2_SUPER_MAGIC" },   { 0x27e0eb, "CGROUP_SUPER_MAGIC" },
	{ 0x6969, "NFS_SUPER_MAGIC" },           { 0x01021997, "V9FS_MAGIC" },
	{ 0x65735546, "FUSE_SUPER_MAGIC" },      { 0x858458f6, "RAMFS_MAGIC" },
	{ 0x73717368, "SQUASHFS_MAGIC" },        { 0x50495045, "PIPEFS_MAGIC" },
	{ 0x534f434b, "SOCKFS_MAGIC" },          { 0x42494e4d, "BINFMTFS_MAGIC" },
};

static void fmt_statfs(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	struct statfs sf;
	if (!read_or_ptr(b, m, &sf, addr, sizeof sf))
		return;
	strbuf_puts(b, "{f_type=");
	fmt_xlat_hex(b, XLAT(fs_magic_names), (uint64_t)sf.f_type);
	strbuf_printf(b,
			  ", f_bsize=%lld, f_blocks=%llu, f_bfree=%llu, f_bavail=%llu, "
			  "f_files=%llu, f_ffree=%llu, ...}",
			  (long long)sf.f_bsize, (unsigned long long)sf.f_blocks,
			  (unsigned long long)sf.f_bfree, (unsigned long long)sf.f_bavail,
			  (unsigned long long)sf.f_files, (unsigned long long)sf.f_ffree);
}

static void fmt_uname(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	struct utsname u;
	if (!read_or_ptr(b, m, &u, addr, sizeof u))
		return;
	strbuf_puts(b, "{sysname=");
	strace_fmt_string(b, u.sysname, strnlen(u.sysname, sizeof u.sysname), false);
	strbuf_puts(b, ", nodename=");
	strace_fmt_string(b, u.nodename, strnlen(u.nodename, sizeof u.nodename), false);
	strbuf_puts(b, ", ...}");
}

static void fmt_int_pair(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	int32_t v[2];
	if (read_or_ptr(b, m, v, addr, sizeof v))
		strbuf_printf(b, "[%d, %d]", v[0], v[1]);
}

/* RLIM64_INFINITY, or multiples of 1024 as N*1024, as strace shows them. */
static void fmt_rlim_value(struct strbuf *b, uint64_t v)
{
	if (v == UINT64_MAX)
		strbuf_puts(b, "RLIM64_INFINITY");
	else if (v && v % 1024 == 0)
		strbuf_printf(b, "%llu*1024", (unsigned long long)(v / 1024));
	else
		strbuf_printf(b, "%llu", (unsigned long long)v);
}

static void fmt_rlimit(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	uint64_t r[2];
	if (!read_or_ptr(b, m, r, addr, sizeof r))
		return;
	strbuf_puts(b, "{rlim_cur=");
	fmt_rlim_value(b, r[0]);
	strbuf_puts(b, ", rlim_max=");
	fmt_rlim_value(b, r[1]);
	strbuf_puts(b, "}");
}

static void fmt_sigset_at(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	uint64_t mask;
	if (read_or_ptr(b, m, &mask, addr, sizeof mask))
		strace_fmt_sigset(b, mask);
}

static const struct xlat sa_flag_names[] = {
	{ 0x04000000, "SA_RESTORER" }, { 0x08000000, "SA_ONSTACK" },
	{ 0x10000000, "SA_RESTART" },  { 0x40000000, "SA_NODEFER" },
	{ 0x80000000, "SA_RESETHAND" }, { 0x00000004, "SA_SIGINFO" },
	{ 0x00000001, "SA_NOCLDSTOP" }, { 0x00000002, "SA_NOCLDWAIT" },
	{ 0x00000400, "SA_UNSUPPORTED" }, { 0x00000800, "SA_EXPOSE_TAGBITS" },
};

#define SA_RESTORER_FLAG 0x04000000ULL

static void fmt_sigaction(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	struct guest_sigaction sa;
	if (!read_or_ptr(b, m, &sa, addr, sizeof sa))
		return;
	strbuf_puts(b, "{sa_handler=");
	if (sa.handler == 0)
		strbuf_puts(b, "SIG_DFL");
	else if (sa.handler == 1)
		strbuf_puts(b, "SIG_IGN");
	else
		fmt_ptr(b, sa.handler);
	strbuf_puts(b, ", sa_mask=");
	strace_fmt_sigset(b, sa.mask);
	strbuf_puts(b, ", sa_flags=");
	fmt_flags(b, XLAT(sa_flag_names), sa.flags);
	if (sa.flags & SA_RESTORER_FLAG) {
		strbuf_puts(b, ", sa_restorer=");
		fmt_ptr(b, sa.restorer);
	}
	strbuf_puts(b, "}");
}

static const struct xlat poll_event_names[] = {
	{ 0x1, "POLLIN" },       { 0x2, "POLLPRI" },      { 0x4, "POLLOUT" },
	{ 0x8, "POLLERR" },      { 0x10, "POLLHUP" },     { 0x20, "POLLNVAL" },
	{ 0x40, "POLLRDNORM" },  { 0x80, "POLLRDBAND" },  { 0x100, "POLLWRNORM" },
	{ 0x200, "POLLWRBAND" }, { 0x400, "POLLMSG" },    { 0x1000, "POLLREMOVE" },
	{ 0x2000, "POLLRDHUP" },
};

struct guest_pollfd {
	int32_t fd;
	int16_t events, revents;
};

static void fmt_pollfd(struct strbuf *b, const struct guest_pollfd *p, bool first,
		       bool revents)
{
	strbuf_printf(b, "%s{fd=%d, %s=", first ? "" : ", ", p->fd,
			  revents ? "revents" : "events");
	fmt_flags(b, XLAT(poll_event_names), (uint16_t)(revents ? p->revents : p->events));
	strbuf_puts(b, "}");
}

/* [{fd=3, events=POLLIN}, ...] at entry; with revents, only the entries
 * that have some: [{fd=3, revents=POLLIN}]. */
static void fmt_pollfds(struct strbuf *b, const struct strace_mem *m, uint64_t addr,
			uint64_t count, bool revents)
{
	enum { MAX_SCAN = 4096, CHUNK = 64 };
	struct guest_pollfd p[CHUNK];
	if (addr == 0) {
		fmt_ptr(b, addr);
		return;
	}
	size_t shown = 0;
	strbuf_puts(b, "[");
	for (uint64_t i = 0; i < MIN(count, (uint64_t)MAX_SCAN);) {
		/* Chunks end at page ends: the array may end before a hole. */
		uint64_t a = addr + i * sizeof p[0];
		size_t n = MIN((size_t)MIN(count - i, (uint64_t)CHUNK),
			       (size_t)(4096 - (a & 4095)) / sizeof p[0]);
		n = n ? n : 1;
		if (mem_read(m, p, a, n * sizeof p[0]) < 0)
			break;
		for (size_t j = 0; j < n; j++) {
			if (revents && p[j].revents == 0)
				continue;
			if (shown == STRACE_ELEMS) {
				strbuf_puts(b, ", ...]");
				return;
			}
			fmt_pollfd(b, &p[j], shown++ == 0, revents);
		}
		i += n;
	}
	strbuf_puts(b, "]");
}

static const struct xlat family_names[] = {
	{ 0, "AF_UNSPEC" },   { 1, "AF_UNIX" },     { 2, "AF_INET" },      { 3, "AF_AX25" },
	{ 4, "AF_IPX" },      { 5, "AF_APPLETALK" }, { 7, "AF_BRIDGE" },   { 10, "AF_INET6" },
	{ 15, "AF_KEY" },     { 16, "AF_NETLINK" }, { 17, "AF_PACKET" },   { 29, "AF_CAN" },
	{ 31, "AF_BLUETOOTH" }, { 38, "AF_ALG" },   { 40, "AF_VSOCK" },    { 44, "AF_XDP" },
};

static void fmt_sockaddr_unix(struct strbuf *b, const struct sockaddr_un *sun, size_t len)
{
	size_t pathlen = MIN(len - offsetof(struct sockaddr_un, sun_path),
			     sizeof sun->sun_path);
	if (pathlen == 0)
		return;
	strbuf_puts(b, ", sun_path=");
	if (sun->sun_path[0] == '\0') {
		/* Abstract: every byte counts, NULs included. */
		strbuf_puts(b, "@");
		strace_fmt_string(b, sun->sun_path + 1, pathlen - 1, false);
	} else {
		strace_fmt_string(b, sun->sun_path, strnlen(sun->sun_path, pathlen), false);
	}
}

static void fmt_sockaddr_data(struct strbuf *b, const struct sockaddr_storage *ss,
			      size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	if (ss->ss_family == AF_UNIX) {
		fmt_sockaddr_unix(b, (const struct sockaddr_un *)ss, len);
	} else if (ss->ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof addr);
		strbuf_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")",
				  ntohs(sin->sin_port), addr);
	} else if (ss->ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof addr);
		strbuf_printf(b,
				  ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), "
				  "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u",
				  ntohs(sin6->sin6_port), ntohl(sin6->sin6_flowinfo), addr,
				  sin6->sin6_scope_id);
	} else if (len > sizeof ss->ss_family) {
		strbuf_puts(b, ", ...");
	}
}

/* {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("127.0.0.1")} */
static void fmt_sockaddr(struct strbuf *b, const struct strace_mem *m, uint64_t addr,
			 uint64_t len)
{
	struct sockaddr_storage ss;
	size_t n = (size_t)MIN(len, (uint64_t)sizeof ss);
	if (n < sizeof ss.ss_family || mem_read(m, &ss, addr, n) < 0) {
		fmt_ptr(b, addr);
		return;
	}
	strbuf_puts(b, "{sa_family=");
	fmt_xlat_dec(b, XLAT(family_names), ss.ss_family);
	fmt_sockaddr_data(b, &ss, n);
	strbuf_puts(b, "}");
}

/* A sockaddr filled by the call, its length in the socklen_t at lenp. */
static void fmt_sockaddr_out(struct strbuf *b, const struct strace_mem *m, uint64_t addr,
			     uint64_t lenp)
{
	uint32_t len;
	if (addr == 0 || mem_read(m, &len, lenp, sizeof len) < 0)
		fmt_ptr(b, addr);
	else
		fmt_sockaddr(b, m, addr, len);
}

static const struct xlat resolve_names[] = {
	{ 0x01, "RESOLVE_NO_XDEV" },  { 0x02, "RESOLVE_NO_MAGICLINKS" },
	{ 0x04, "RESOLVE_NO_SYMLINKS" }, { 0x08, "RESOLVE_BENEATH" },
	{ 0x10, "RESOLVE_IN_ROOT" },  { 0x20, "RESOLVE_CACHED" },
};

static void fmt_open_how(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	uint64_t how[3];   /* flags, mode, resolve */
	if (!read_or_ptr(b, m, how, addr, sizeof how))
		return;
	strbuf_puts(b, "{flags=");
	strace_fmt_open_flags(b, how[0]);
	strbuf_puts(b, ", mode=");
	strace_fmt_mode(b, how[1]);
	strbuf_puts(b, ", resolve=");
	fmt_flags(b, XLAT(resolve_names), how[2]);
	strbuf_puts(b, "}");
}

/* struct clone_args, its first version (64 bytes). */
struct guest_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static void fmt_clone3(struct strbuf *b, const struct strace_mem *m, uint64_t addr,
		       uint64_t size)
{
	struct guest_clone_args ca;
	if (size < sizeof ca) {
		fmt_ptr(b, addr);
		return;
	}
	if (!read_or_ptr(b, m, &ca, addr, sizeof ca))
		return;
	strbuf_puts(b, "{flags=");
	fmt_flags(b, XLAT(clone_flag_names), ca.flags);
	if (ca.flags & CLONE_FLAG_PIDFD)
		strbuf_printf(b, ", pidfd=%#llx", (unsigned long long)ca.pidfd);
	if (ca.flags & (CLONE_FLAG_CHILD_SETTID | CLONE_FLAG_CHILD_CLEARTID))
		strbuf_printf(b, ", child_tid=%#llx", (unsigned long long)ca.child_tid);
	if (ca.flags & CLONE_FLAG_PARENT_SETTID)
		strbuf_printf(b, ", parent_tid=%#llx", (unsigned long long)ca.parent_tid);
	strbuf_puts(b, ", exit_signal=");
	strace_fmt_signal(b, (int64_t)ca.exit_signal);
	strbuf_printf(b, ", stack=%#llx, stack_size=%#llx", (unsigned long long)ca.stack,
			  (unsigned long long)ca.stack_size);
	if (ca.flags & CLONE_FLAG_SETTLS)
		strbuf_printf(b, ", tls=%#llx", (unsigned long long)ca.tls);
	strbuf_puts(b, "}");
}

/* --- enumerations ---------------------------------------------------------- */

static const struct xlat at_flag_names[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_REMOVEDIR" },
	{ 0x400, "AT_SYMLINK_FOLLOW" },   { 0x800, "AT_NO_AUTOMOUNT" },
	{ 0x1000, "AT_EMPTY_PATH" },      { 0x2000, "AT_STATX_FORCE_SYNC" },
	{ 0x4000, "AT_STATX_DONT_SYNC" }, { 0x8000, "AT_RECURSIVE" },
};

/* faccessat2: 0x200 is AT_EACCESS there. */
static const struct xlat access_at_flag_names[] = {
	{ 0x100, "AT_SYMLINK_NOFOLLOW" }, { 0x200, "AT_EACCESS" }, { 0x1000, "AT_EMPTY_PATH" },
};

static const struct xlat access_mode_names[] = {
	{ 4, "R_OK" }, { 2, "W_OK" }, { 1, "X_OK" },
};

static const struct xlat sigprocmask_how_names[] = {
	{ 0, "SIG_BLOCK" }, { 1, "SIG_UNBLOCK" }, { 2, "SIG_SETMASK" },
};

static const struct xlat wait_option_names[] = {
	{ 1, "WNOHANG" },           { 2, "WUNTRACED" },        { 4, "WEXITED" },
	{ 8, "WCONTINUED" },        { 0x01000000, "WNOWAIT" }, { 0x20000000, "__WNOTHREAD" },
	{ 0x40000000, "__WALL" },   { 0x80000000, "__WCLONE" },
};

static const struct xlat whence_names[] = {
	{ 0, "SEEK_SET" }, { 1, "SEEK_CUR" }, { 2, "SEEK_END" }, { 3, "SEEK_DATA" },
	{ 4, "SEEK_HOLE" },
};

enum {
	F_DUPFD_ = 0, F_GETFD_ = 1, F_SETFD_ = 2, F_GETFL_ = 3, F_SETFL_ = 4,
	F_GETLK_ = 5, F_SETLK_ = 6, F_SETLKW_ = 7, F_GETOWN_ = 9, F_GETSIG_ = 11,
	F_OFD_GETLK_ = 36, F_OFD_SETLK_ = 37, F_OFD_SETLKW_ = 38, F_GETLEASE_ = 1025,
	F_GETPIPE_SZ_ = 1032, F_ADD_SEALS_ = 1033, F_GET_SEALS_ = 1034,
};

static const struct xlat fcntl_cmd_names[] = {
	{ 0, "F_DUPFD" },          { 1, "F_GETFD" },          { 2, "F_SETFD" },
	{ 3, "F_GETFL" },          { 4, "F_SETFL" },          { 5, "F_GETLK" },
	{ 6, "F_SETLK" },          { 7, "F_SETLKW" },         { 8, "F_SETOWN" },
	{ 9, "F_GETOWN" },         { 10, "F_SETSIG" },        { 11, "F_GETSIG" },
	{ 15, "F_SETOWN_EX" },     { 16, "F_GETOWN_EX" },     { 17, "F_GETOWNER_UIDS" },
	{ 36, "F_OFD_GETLK" },     { 37, "F_OFD_SETLK" },     { 38, "F_OFD_SETLKW" },
	{ 1024, "F_SETLEASE" },    { 1025, "F_GETLEASE" },    { 1026, "F_NOTIFY" },
	{ 1030, "F_DUPFD_CLOEXEC" }, { 1031, "F_SETPIPE_SZ" }, { 1032, "F_GETPIPE_SZ" },
	{ 1033, "F_ADD_SEALS" },   { 1034, "F_GET_SEALS" },   { 1035, "F_GET_RW_HINT" },
	{ 1036, "F_SET_RW_HINT" },
};

static const struct xlat fd_flag_names[] = { { 1, "FD_CLOEXEC" } };

static const struct xlat seal_names[] = {
	{ 1, "F_SEAL_SEAL" }, { 2, "F_SEAL_SHRINK" }, { 4, "F_SEAL_GROW" },
	{ 8, "F_SEAL_WRITE" }, { 0x10, "F_SEAL_FUTURE_WRITE" }, { 0x20, "F_SEAL_EXEC" },
};

static const struct xlat lock_type_names[] = {
	{ 0, "F_RDLCK" }, { 1, "F_WRLCK" }, { 2, "F_UNLCK" },
};

static const struct xlat ioctl_names[] = {
	{ 0x5401, "TCGETS" },      { 0x5402, "TCSETS" },      { 0x5403, "TCSETSW" },
	{ 0x5404, "TCSETSF" },     { 0x5405, "TCGETA" },      { 0x5406, "TCSETA" },
	{ 0x5407, "TCSETAW" },     { 0x5408, "TCSETAF" },     { 0x5409, "TCSBRK" },
	{ 0x540A, "TCXONC" },      { 0x540B, "TCFLSH" },      { 0x540C, "TIOCEXCL" },
	{ 0x540D, "TIOCNXCL" },    { 0x540E, "TIOCSCTTY" },   { 0x540F, "TIOCGPGRP" },
	{ 0x5410, "TIOCSPGRP" },   { 0x5411, "TIOCOUTQ" },    { 0x5412, "TIOCSTI" },
	{ 0x5413, "TIOCGWINSZ" },  { 0x5414, "TIOCSWINSZ" },  { 0x5415, "TIOCMGET" },
	{ 0x5416, "TIOCMBIS" },    { 0x5417, "TIOCMBIC" },    { 0x5418, "TIOCMSET" },
	{ 0x541B, "FIONREAD" },    { 0x541C, "TIOCLINUX" },   { 0x541D, "TIOCCONS" },
	{ 0x5420, "TIOCPKT" },     { 0x5421, "FIONBIO" },     { 0x5422, "TIOCNOTTY" },
	{ 0x5423, "TIOCSETD" },    { 0x5424, "TIOCGETD" },    { 0x5425, "TCSBRKP" },
	{ 0x5427, "TIOCSBRK" },    { 0x5428, "TIOCCBRK" },    { 0x5429, "TIOCGSID" },
	{ 0x802c542a, "TCGETS2" }, { 0x402c542b, "TCSETS2" }, { 0x80045430, "TIOCGPTN" },
	{ 0x40045431, "TIOCSPTLCK" }, { 0x80045432, "TIOCGDEV" }, { 0x40045436, "TIOCSIG" },
	{ 0x5437, "TIOCVHANGUP" }, { 0x80045438, "TIOCGPKT" }, { 0x80045439, "TIOCGPTLCK" },
	{ 0x80045440, "TIOCGEXCL" }, { 0x5441, "TIOCGPTPEER" }, { 0x5450, "FIONCLEX" },
	{ 0x5451, "FIOCLEX" },     { 0x5452, "FIOASYNC" },    { 0x5460, "FIOQSIZE" },
	{ 0x8901, "FIOSETOWN" },   { 0x8902, "SIOCSPGRP" },   { 0x8903, "FIOGETOWN" },
	{ 0x8904, "SIOCGPGRP" },   { 0x8905, "SIOCATMARK" },  { 0x8910, "SIOCGIFNAME" },
	{ 0x8912, "SIOCGIFCONF" }, { 0x8913, "SIOCGIFFLAGS" }, { 0x8914, "SIOCSIFFLAGS" },
	{ 0x8915, "SIOCGIFADDR" }, { 0x8921, "SIOCGIFMTU" },  { 0x8927, "SIOCGIFHWADDR" },
	{ 0x8933, "SIOCGIFINDEX" }, { 0x40049409, "FICLONE" }, { 0x80086601, "FS_IOC_GETFLAGS" },
	{ 0x40086602, "FS_IOC_SETFLAGS" },
};

static const struct xlat clock_names[] = {
	{ 0, "CLOCK_REALTIME" },          { 1, "CLOCK_MONOTONIC" },
	{ 2, "CLOCK_PROCESS_CPUTIME_ID" }, { 3, "CLOCK_THREAD_CPUTIME_ID" },
	{ 4, "CLOCK_MONOTONIC_RAW" },     { 5, "CLOCK_REALTIME_COARSE" },
	{ 6, "CLOCK_MONOTONIC_COARSE" },  { 7, "CLOCK_BOOTTIME" },
	{ 8, "CLOCK_REALTIME_ALARM" },    { 9, "CLOCK_BOOTTIME_ALARM" },
	{ 11, "CLOCK_TAI" },
};

static const struct xlat madvise_names[] = {
	{ 0, "MADV_NORMAL" },       { 1, "MADV_RANDOM" },       { 2, "MADV_SEQUENTIAL" },
	{ 3, "MADV_WILLNEED" },     { 4, "MADV_DONTNEED" },     { 8, "MADV_FREE" },
	{ 9, "MADV_REMOVE" },       { 10, "MADV_DONTFORK" },    { 11, "MADV_DOFORK" },
	{ 12, "MADV_MERGEABLE" },   { 13, "MADV_UNMERGEABLE" }, { 14, "MADV_HUGEPAGE" },
	{ 15, "MADV_NOHUGEPAGE" },  { 16, "MADV_DONTDUMP" },    { 17, "MADV_DODUMP" },
	{ 18, "MADV_WIPEONFORK" },  { 19, "MADV_KEEPONFORK" },  { 20, "MADV_COLD" },
	{ 21, "MADV_PAGEOUT" },     { 22, "MADV_POPULATE_READ" }, { 23, "MADV_POPULATE_WRITE" },
	{ 24, "MADV_DONTNEED_LOCKED" }, { 25, "MADV_COLLAPSE" }, { 100, "MADV_HWPOISON" },
	{ 101, "MADV_SOFT_OFFLINE" },
};

static const struct xlat arch_prctl_names[] = {
	{ 0x1001, "ARCH_SET_GS" },        { 0x1002, "ARCH_SET_FS" },
	{ 0x1003, "ARCH_GET_FS" },        { 0x1004, "ARCH_GET_GS" },
	{ 0x1011, "ARCH_GET_CPUID" },     { 0x1012, "ARCH_SET_CPUID" },
	{ 0x1021, "ARCH_GET_XCOMP_SUPP" }, { 0x1022, "ARCH_GET_XCOMP_PERM" },
	{ 0x1023, "ARCH_REQ_XCOMP_PERM" }, { 0x1024, "ARCH_GET_XCOMP_GUEST_PERM" },
	{ 0x1025, "ARCH_REQ_XCOMP_GUEST_PERM" }, { 0x2001, "ARCH_MAP_VDSO_X32" },
	{ 0x2002, "ARCH_MAP_VDSO_32" },   { 0x2003, "ARCH_MAP_VDSO_64" },
	{ 0x4001, "ARCH_GET_UNTAG_MASK" }, { 0x4002, "ARCH_ENABLE_TAGGED_ADDR" },
	{ 0x4003, "ARCH_GET_MAX_TAG_BITS" }, { 0x4004, "ARCH_FORCE_TAGGED_SVA" },
	{ 0x5001, "ARCH_SHSTK_ENABLE" },  { 0x5002, "ARCH_SHSTK_DISABLE" },
	{ 0x5003, "ARCH_SHSTK_LOCK" },    { 0x5004, "ARCH_SHSTK_UNLOCK" },
	{ 0x5005, "ARCH_SHSTK_STATUS" },
};

static const struct xlat rlimit_names[] = {
	{ 0, "RLIMIT_CPU" },     { 1, "RLIMIT_FSIZE" },      { 2, "RLIMIT_DATA" },
	{ 3, "RLIMIT_STACK" },   { 4, "RLIMIT_CORE" },       { 5, "RLIMIT_RSS" },
	{ 6, "RLIMIT_NPROC" },   { 7, "RLIMIT_NOFILE" },     { 8, "RLIMIT_MEMLOCK" },
	{ 9, "RLIMIT_AS" },      { 10, "RLIMIT_LOCKS" },     { 11, "RLIMIT_SIGPENDING" },
	{ 12, "RLIMIT_MSGQUEUE" }, { 13, "RLIMIT_NICE" },    { 14, "RLIMIT_RTPRIO" },
	{ 15, "RLIMIT_RTTIME" },
};

static const struct xlat rename_flag_names[] = {
	{ 1, "RENAME_NOREPLACE" }, { 2, "RENAME_EXCHANGE" }, { 4, "RENAME_WHITEOUT" },
};

static const struct xlat sock_type_names[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" },     { 3, "SOCK_RAW" },
	{ 4, "SOCK_RDM" },    { 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" },
	{ 10, "SOCK_PACKET" },
};

static const struct xlat sock_flag_names[] = {
	{ 02000000, "SOCK_CLOEXEC" }, { 04000, "SOCK_NONBLOCK" },
};

/* Socket type, then SOCK_CLOEXEC|SOCK_NONBLOCK. */
static void fmt_sock_type(struct strbuf *b, uint64_t v)
{
	fmt_xlat_dec(b, XLAT(sock_type_names), v & 0xf);
	uint64_t rest = v & ~0xfULL;
	fmt_flag_bits(b, XLAT(sock_flag_names), &rest, true);
	fmt_flag_rest(b, rest, true);
}

static const struct xlat mremap_flag_names[] = {
	{ 1, "MREMAP_MAYMOVE" }, { 2, "MREMAP_FIXED" }, { 4, "MREMAP_DONTUNMAP" },
};

static const struct xlat msync_flag_names[] = {
	{ 1, "MS_ASYNC" }, { 2, "MS_INVALIDATE" }, { 4, "MS_SYNC" },
};

static const struct xlat shutdown_names[] = {
	{ 0, "SHUT_RD" }, { 1, "SHUT_WR" }, { 2, "SHUT_RDWR" },
};

static const struct xlat flock_op_names[] = {
	{ 1, "LOCK_SH" }, { 2, "LOCK_EX" }, { 4, "LOCK_NB" }, { 8, "LOCK_UN" },
};

static const struct xlat epoll_ctl_names[] = {
	{ 1, "EPOLL_CTL_ADD" }, { 2, "EPOLL_CTL_DEL" }, { 3, "EPOLL_CTL_MOD" },
};

static const struct xlat memfd_flag_names[] = {
	{ 1, "MFD_CLOEXEC" }, { 2, "MFD_ALLOW_SEALING" }, { 4, "MFD_HUGETLB" },
	{ 8, "MFD_NOEXEC_SEAL" }, { 0x10, "MFD_EXEC" },
};

static const struct xlat getrandom_flag_names[] = {
	{ 1, "GRND_NONBLOCK" }, { 2, "GRND_RANDOM" }, { 4, "GRND_INSECURE" },
};

enum {
	FUTEX_WAIT_ = 0, FUTEX_WAKE_ = 1, FUTEX_FD_ = 2, FUTEX_REQUEUE_ = 3,
	FUTEX_CMP_REQUEUE_ = 4, FUTEX_WAKE_OP_ = 5, FUTEX_LOCK_PI_ = 6, FUTEX_UNLOCK_PI_ = 7,
	FUTEX_TRYLOCK_PI_ = 8, FUTEX_WAIT_BITSET_ = 9, FUTEX_WAKE_BITSET_ = 10,
	FUTEX_WAIT_REQUEUE_PI_ = 11, FUTEX_CMP_REQUEUE_PI_ = 12, FUTEX_LOCK_PI2_ = 13,
};

static const char *const futex_cmd_names[] = {
	"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE",
	"FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI",
	"FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
	"FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
};

#define FUTEX_PRIVATE_   128
#define FUTEX_REALTIME_  256

/* FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME */
static void fmt_futex_op(struct strbuf *b, uint32_t op)
{
	unsigned cmd = op & 0x7f;
	if (cmd >= ARRAY_SIZE(futex_cmd_names)) {
		strbuf_printf(b, "%#x", op);
		return;
	}
	strbuf_puts(b, futex_cmd_names[cmd]);
	if (op & FUTEX_PRIVATE_)
		strbuf_puts(b, "_PRIVATE");
	if (op & FUTEX_REALTIME_)
		strbuf_puts(b, "|FUTEX_CLOCK_REALTIME");
	if (op & ~0x1ffu)
		strbuf_printf(b, "|%#x", op & ~0x1ffu);
}

enum {
	PR_SET_PDEATHSIG_ = 1, PR_SET_DUMPABLE_ = 4, PR_SET_KEEPCAPS_ = 8, PR_SET_NAME_ = 15,
	PR_GET_NAME_ = 16, PR_CAPBSET_READ_ = 23, PR_SET_TIMERSLACK_ = 29,
	PR_SET_CHILD_SUBREAPER_ = 36,
};

static const struct xlat prctl_names[] = {
	{ 1, "PR_SET_PDEATHSIG" },   { 2, "PR_GET_PDEATHSIG" },   { 3, "PR_GET_DUMPABLE" },
	{ 4, "PR_SET_DUMPABLE" },    { 5, "PR_GET_UNALIGN" },     { 6, "PR_SET_UNALIGN" },
	{ 7, "PR_GET_KEEPCAPS" },    { 8, "PR_SET_KEEPCAPS" },    { 9, "PR_GET_FPEMU" },
	{ 10, "PR_SET_FPEMU" },      { 11, "PR_GET_FPEXC" },      { 12, "PR_SET_FPEXC" },
	{ 13, "PR_GET_TIMING" },     { 14, "PR_SET_TIMING" },     { 15, "PR_SET_NAME" },
	{ 16, "PR_GET_NAME" },       { 19, "PR_GET_ENDIAN" },     { 20, "PR_SET_ENDIAN" },
	{ 21, "PR_GET_SECCOMP" },    { 22, "PR_SET_SECCOMP" },    { 23, "PR_CAPBSET_READ" },
	{ 24, "PR_CAPBSET_DROP" },   { 25, "PR_GET_TSC" },        { 26, "PR_SET_TSC" },
	{ 27, "PR_GET_SECUREBITS" }, { 28, "PR_SET_SECUREBITS" }, { 29, "PR_SET_TIMERSLACK" },
	{ 30, "PR_GET_TIMERSLACK" }, { 31, "PR_TASK_PERF_EVENTS_DISABLE" },
	{ 32, "PR_TASK_PERF_EVENTS_ENABLE" }, { 33, "PR_MCE_KILL" }, { 34, "PR_MCE_KILL_GET" },
	{ 35, "PR_SET_MM" },         { 36, "PR_SET_CHILD_SUBREAPER" },
	{ 37, "PR_GET_CHILD_SUBREAPER" }, { 38, "PR_SET_NO_NEW_PRIVS" },
	{ 39, "PR_GET_NO_NEW_PRIVS" }, { 40, "PR_GET_TID_ADDRESS" }, { 41, "PR_SET_THP_DISABLE" },
	{ 42, "PR_GET_THP_DISABLE" }, { 45, "PR_SET_FP_MODE" },   { 46, "PR_GET_FP_MODE" },
	{ 47, "PR_CAP_AMBIENT" },    { 52, "PR_GET_SPECULATION_CTRL" },
	{ 53, "PR_SET_SPECULATION_CTRL" }, { 57, "PR_SET_IO_FLUSHER" },
	{ 58, "PR_GET_IO_FLUSHER" }, { 59, "PR_SET_SYSCALL_USER_DISPATCH" },
	{ 62, "PR_SCHED_CORE" },     { 65, "PR_SET_MDWE" },       { 66, "PR_GET_MDWE" },
	{ 0x53564d41, "PR_SET_VMA" }, { 0x41555856, "PR_GET_AUXV" },
};

/* --- arguments --------------------------------------------------------------- */

/* One syscall being formatted. */
struct call {
	const struct strace_mem *m;
	long nr;
	const struct syscall_desc *d;   /* NULL: not in the table */
	const uint64_t *args;
	long ret;                       /* at exit */
};

static const struct syscall_desc *desc_of(long nr)
{
	if (nr < 0 || nr >= SYSCALL_TABLE_SIZE || !syscall_table[nr].name)
		return NULL;
	return &syscall_table[nr];
}

static bool futex_has_timeout(unsigned cmd)
{
	return cmd == FUTEX_WAIT_ || cmd == FUTEX_LOCK_PI_ || cmd == FUTEX_LOCK_PI2_ ||
	       cmd == FUTEX_WAIT_BITSET_ || cmd == FUTEX_WAIT_REQUEUE_PI_;
}

/* The kind of argument i, refined by the values of the others where one
 * decides what another means. */
static unsigned arg_kind(const struct call *c, int i)
{
	if (!c->d)
		return ARG_HEX;
	if (c->nr == __NR_futex && i == 3)
		return futex_has_timeout(c->args[1] & 0x7f) ? ARG_TIMESPEC : ARG_UINT;
	if (c->nr == __NR_prctl && i == 1) {
		if (c->args[0] == PR_SET_NAME_)
			return ARG_PATH;
		if (c->args[0] == PR_SET_PDEATHSIG_)
			return ARG_SIGNUM;
		if (c->args[0] == PR_CAPBSET_READ_)
			return ARG_INT;
	}
	return c->d->args[i];
}

static int futex_nargs(unsigned cmd)
{
	switch (cmd) {
	case FUTEX_WAKE_: case FUTEX_FD_:
		return 3;
	case FUTEX_UNLOCK_PI_: case FUTEX_TRYLOCK_PI_:
		return 2;
	case FUTEX_WAIT_: case FUTEX_LOCK_PI_: case FUTEX_LOCK_PI2_:
		return 4;
	case FUTEX_REQUEUE_: case FUTEX_WAIT_REQUEUE_PI_:
		return 5;
	default:
		return 6;
	}
}

static bool fcntl_has_arg(uint64_t cmd)
{
	switch (cmd) {
	case F_GETFD_: case F_GETFL_: case F_GETOWN_: case F_GETSIG_: case F_GETLEASE_:
	case F_GETPIPE_SZ_: case F_GET_SEALS_:
		return false;
	default:
		return true;
	}
}

static int prctl_nargs(uint64_t option)
{
	switch (option) {
	case PR_SET_PDEATHSIG_: case PR_SET_DUMPABLE_: case PR_SET_KEEPCAPS_:
	case PR_SET_NAME_: case PR_GET_NAME_: case PR_CAPBSET_READ_:
	case PR_SET_TIMERSLACK_: case PR_SET_CHILD_SUBREAPER_:
		return 2;
	default:
		return 5;
	}
}

/* How many arguments the line shows: trailing ones that mean nothing for
 * these values are left out, as strace does (open's mode without O_CREAT
 * or O_TMPFILE, fcntl(fd, F_GETFD), mremap's new address without
 * MREMAP_FIXED, futex per operation). */
static int shown_nargs(const struct call *c)
{
	if (!c->d)
		return 6;
	int n = c->d->nargs;
	for (int i = 0; i + 1 < n; i++) {
		if (c->d->args[i] == ARG_OPEN_FLAGS && c->d->args[i + 1] == ARG_MODE &&
		    !(c->args[i] & (0100 | 020000000)))   /* O_CREAT, __O_TMPFILE */
			return i + 1;
	}
	if (c->nr == __NR_fcntl && !fcntl_has_arg(c->args[1]))
		return 2;
	if (c->nr == __NR_mremap && !(c->args[3] & 2))   /* new_address: MREMAP_FIXED */
		return 4;
	if (c->nr == __NR_futex)
		return futex_nargs(c->args[1] & 0x7f);
	if (c->nr == __NR_prctl)
		return prctl_nargs(c->args[0]);
	return n;
}

/* Arguments that the call fills in: shown at exit. */
static bool kind_is_output(unsigned kind)
{
	switch (kind) {
	case ARG_STR_OUT: case ARG_IOV_OUT: case ARG_STAT_OUT: case ARG_STATFS_OUT:
	case ARG_INT_PTR_OUT: case ARG_UNAME_OUT: case ARGX_PATH_OUT: case ARGX_SIGSET_OUT:
	case ARGX_SIGACTION_OUT: case ARGX_TIMESPEC_OUT: case ARGX_WAIT_STATUS:
	case ARGX_SOCKADDR_OUT: case ARGX_RLIMIT_OUT: case ARGX_STATX_OUT:
		return true;
	default:
		return false;
	}
}

/* The first argument shown at exit (== shown when none is). */
static int first_output(const struct call *c, int shown)
{
	for (int i = 0; i < shown; i++)
		if (kind_is_output(arg_kind(c, i)))
			return i;
	return shown;
}

/* The argument after i, which holds a length for some kinds. */
static uint64_t next_arg(const struct call *c, int i)
{
	return i + 1 < 6 ? c->args[i + 1] : 0;
}

/* struct flock for F_SETLK and friends. */
static void fmt_flock(struct strbuf *b, const struct strace_mem *m, uint64_t addr)
{
	struct { int16_t type, whence; int32_t pad; int64_t start, len; int32_t pid, pad2; } fl;
	if (!read_or_ptr(b, m, &fl, addr, sizeof fl))
		return;
	strbuf_puts(b, "{l_type=");
	fmt_xlat_dec(b, XLAT(lock_type_names), fl.type);
	strbuf_puts(b, ", l_whence=");
	fmt_xlat_dec(b, XLAT(whence_names), fl.whence);
	strbuf_printf(b, ", l_start=%lld, l_len=%lld}", (long long)fl.start,
			  (long long)fl.len);
}

static void fmt_fcntl_arg(struct strbuf *b, const struct call *c, uint64_t v)
{
	switch (c->args[1]) {
	case F_SETFD_:
		fmt_flags(b, XLAT(fd_flag_names), v);
		break;
	case F_SETFL_:
		strace_fmt_open_flags(b, v);
		break;
	case F_GETLK_: case F_SETLK_: case F_SETLKW_:
	case F_OFD_GETLK_: case F_OFD_SETLK_: case F_OFD_SETLKW_:
		fmt_flock(b, c->m, v);
		break;
	case F_ADD_SEALS_:
		fmt_flags(b, XLAT(seal_names), v);
		break;
	default:
		if (xlat_name(XLAT(fcntl_cmd_names), c->args[1]))
			strbuf_printf(b, "%d", (int)v);
		else
			strbuf_printf(b, "%#llx", (unsigned long long)v);
	}
}

/* Output arguments show their contents only when the call succeeded. */
static bool output_ok(const struct call *c, unsigned kind)
{
	if (is_error(c->ret))
		return false;
	return kind != ARGX_WAIT_STATUS || c->ret > 0;
}

/* Scalars: everything that needs no guest memory.  False if kind is not
 * one of them. */
static bool fmt_scalar(struct strbuf *b, const struct call *c, unsigned kind, uint64_t v)
{
	switch (kind) {
	case ARG_INT: strbuf_printf(b, "%d", (int)v); break;
	case ARG_UINT: strbuf_printf(b, "%u", (unsigned)v); break;
	case ARG_SIZE: strbuf_printf(b, "%llu", (unsigned long long)v); break;
	case ARG_OFF: strbuf_printf(b, "%lld", (long long)v); break;
	case ARG_PTR: fmt_ptr(b, v); break;
	case ARG_FD:
		if ((int)v == AT_FDCWD_VALUE)
			strbuf_puts(b, "AT_FDCWD");
		else
			strbuf_printf(b, "%d", (int)v);
		break;
	case ARG_OPEN_FLAGS: strace_fmt_open_flags(b, (uint32_t)v); break;
	case ARG_MODE: strace_fmt_mode(b, (uint32_t)v); break;
	case ARG_AT_FLAGS: fmt_flags(b, XLAT(at_flag_names), (uint32_t)v); break;
	case ARGX_ACCESS_AT_FLAGS: fmt_flags(b, XLAT(access_at_flag_names), (uint32_t)v); break;
	case ARG_PROT: strace_fmt_prot(b, v); break;
	case ARG_MMAP_FLAGS: strace_fmt_mmap_flags(b, v); break;
	case ARG_SIGNUM: strace_fmt_signal(b, (int)v); break;
	case ARG_SIGPROCMASK_HOW: fmt_xlat_dec(b, XLAT(sigprocmask_how_names), (int)v); break;
	case ARG_CLONE_FLAGS: strace_fmt_clone_flags(b, v); break;
	case ARG_WAIT_OPTIONS: fmt_flags(b, XLAT(wait_option_names), (uint32_t)v); break;
	case ARG_WHENCE: fmt_xlat_dec(b, XLAT(whence_names), (int)v); break;
	case ARG_FCNTL_CMD: fmt_xlat_dec(b, XLAT(fcntl_cmd_names), (int)v); break;
	case ARG_IOCTL_CMD: fmt_xlat_hex(b, XLAT(ioctl_names), (uint32_t)v); break;
	case ARG_CLOCKID: fmt_xlat_dec(b, XLAT(clock_names), (int)v); break;
	case ARG_ACCESS_MODE:
		if ((int)v == 0)
			strbuf_puts(b, "F_OK");
		else
			fmt_flags(b, XLAT(access_mode_names), (uint32_t)v);
		break;
	case ARG_MADVISE: fmt_xlat_dec(b, XLAT(madvise_names), (int)v); break;
	case ARG_ARCH_PRCTL: fmt_xlat_hex(b, XLAT(arch_prctl_names), (uint32_t)v); break;
	case ARG_RLIMIT_RES: fmt_xlat_dec(b, XLAT(rlimit_names), (int)v); break;
	case ARG_RENAME_FLAGS: fmt_flags(b, XLAT(rename_flag_names), (uint32_t)v); break;
	case ARG_SOCK_FAMILY: fmt_xlat_dec(b, XLAT(family_names), (int)v); break;
	case ARG_SOCK_TYPE: fmt_sock_type(b, (uint32_t)v); break;
	case ARG_FUTEX_OP: fmt_futex_op(b, (uint32_t)v); break;
	case ARG_PRCTL_OP: fmt_xlat_hex(b, XLAT(prctl_names), (uint32_t)v); break;
	case ARGX_OFLAGS: fmt_flags(b, XLAT(open_flag_names), (uint32_t)v); break;
	case ARGX_SOCK_FLAGS: fmt_flags(b, XLAT(sock_flag_names), (uint32_t)v); break;
	case ARGX_MREMAP_FLAGS: fmt_flags(b, XLAT(mremap_flag_names), v); break;
	case ARGX_MSYNC_FLAGS: fmt_flags(b, XLAT(msync_flag_names), v); break;
	case ARGX_SHUTDOWN_HOW: fmt_xlat_dec(b, XLAT(shutdown_names), (int)v); break;
	case ARGX_FLOCK_OP: fmt_flags(b, XLAT(flock_op_names), (uint32_t)v); break;
	case ARGX_EPOLL_CTL_OP: fmt_xlat_dec(b, XLAT(epoll_ctl_names), (int)v); break;
	case ARGX_MEMFD_FLAGS: fmt_flags(b, XLAT(memfd_flag_names), (uint32_t)v); break;
	case ARGX_GETRANDOM_FLAGS: fmt_flags(b, XLAT(getrandom_flag_names), (uint32_t)v); break;
	case ARGX_FCNTL_ARG: fmt_fcntl_arg(b, c, v); break;
	default:
		return false;
	}
	return true;
}

/* Input arguments in guest memory, read at entry. */
static bool fmt_input(struct strbuf *b, const struct call *c, int i, unsigned kind,
		      uint64_t v)
{
	const struct strace_mem *m = c->m;
	switch (kind) {
	case ARG_PATH: fmt_cstring(b, m, v, STRACE_PATH_MAX - 1); break;
	case ARG_STR_IN: fmt_buffer(b, m, v, next_arg(c, i)); break;
	case ARG_IOV_IN: fmt_iovec(b, m, v, next_arg(c, i), UINT64_MAX); break;
	case ARG_SIGSET: fmt_sigset_at(b, m, v); break;
	case ARG_SIGACTION: fmt_sigaction(b, m, v); break;
	case ARG_STRV: fmt_strv(b, m, v); break;
	case ARGX_ENVP: fmt_envp(b, m, v); break;
	case ARG_TIMESPEC: fmt_timespec(b, m, v); break;
	case ARG_POLLFD: fmt_pollfds(b, m, v, next_arg(c, i), false); break;
	case ARG_SOCKADDR: fmt_sockaddr(b, m, v, next_arg(c, i)); break;
	case ARGX_RLIMIT: fmt_rlimit(b, m, v); break;
	case ARGX_CLONE3_ARGS: fmt_clone3(b, m, v, next_arg(c, i)); break;
	case ARGX_OPEN_HOW: fmt_open_how(b, m, v); break;
	default:
		return false;
	}
	return true;
}

/* Output arguments, read at exit; the address alone if the call failed. */
static void fmt_output(struct strbuf *b, const struct call *c, int i, unsigned kind,
		       uint64_t v)
{
	const struct strace_mem *m = c->m;
	if (!output_ok(c, kind)) {
		fmt_ptr(b, v);
		return;
	}
	switch (kind) {
	case ARG_STR_OUT: fmt_buffer(b, m, v, (uint64_t)c->ret); break;
	case ARG_IOV_OUT: fmt_iovec(b, m, v, next_arg(c, i), (uint64_t)c->ret); break;
	case ARG_STAT_OUT: fmt_stat(b, m, v); break;
	case ARGX_STATX_OUT: fmt_statx(b, m, v); break;
	case ARG_STATFS_OUT: fmt_statfs(b, m, v); break;
	case ARG_INT_PTR_OUT: fmt_int_pair(b, m, v); break;
	case ARG_UNAME_OUT: fmt_uname(b, m, v); break;
	case ARGX_PATH_OUT: fmt_cstring(b, m, v, STRACE_PATH_MAX - 1); break;
	case ARGX_SIGSET_OUT: fmt_sigset_at(b, m, v); break;
	case ARGX_SIGACTION_OUT: fmt_sigaction(b, m, v); break;
	case ARGX_TIMESPEC_OUT: fmt_timespec(b, m, v); break;
	case ARGX_RLIMIT_OUT: fmt_rlimit(b, m, v); break;
	case ARGX_SOCKADDR_OUT: fmt_sockaddr_out(b, m, v, next_arg(c, i)); break;
	case ARGX_WAIT_STATUS: {
		int32_t status;
		if (read_or_ptr(b, m, &status, v, sizeof status))
			strace_fmt_wait_status(b, status);
		break;
	}
	default:
		strbuf_printf(b, "%#llx", (unsigned long long)v);
	}
}

static void fmt_arg(struct strbuf *b, const struct call *c, int i)
{
	unsigned kind = arg_kind(c, i);
	uint64_t v = c->args[i];
	if (kind_is_output(kind))
		fmt_output(b, c, i, kind, v);
	else if (!fmt_scalar(b, c, kind, v) && !fmt_input(b, c, i, kind, v))
		strbuf_printf(b, "%#llx", (unsigned long long)v);   /* ARG_HEX */
}

static void fmt_args(struct strbuf *b, const struct call *c, int from, int to)
{
	for (int i = from; i < to; i++) {
		if (i)
			strbuf_puts(b, ", ");
		fmt_arg(b, c, i);
	}
}

/* --- whole syscalls ---------------------------------------------------------- */

static struct call make_call(const struct strace_mem *m, long nr, const uint64_t args[6],
			     long ret)
{
	return (struct call){ .m = m, .nr = nr, .d = desc_of(nr), .args = args, .ret = ret };
}

bool strace_format_enter(struct strbuf *b, const struct strace_mem *m, long nr,
			 const uint64_t args[6])
{
	struct call c = make_call(m, nr, args, 0);
	if (c.d)
		strbuf_printf(b, "%s(", c.d->name);
	else
		strbuf_printf(b, "syscall_%#lx(", (unsigned long)nr);
	int shown = shown_nargs(&c);
	fmt_args(b, &c, 0, first_output(&c, shown));
	if (c.d && c.d->ret == RET_NONE) {
		strbuf_puts(b, ") = ?");
		return true;
	}
	return false;
}

/* What strace adds after some results: = 0x1 (flags FD_CLOEXEC),
 * = 0 (Timeout), = 1 ([{fd=3, revents=POLLIN}]). */
static void fmt_result_detail(struct strbuf *b, const struct call *c)
{
	long ret = c->ret;
	if (is_error(ret))
		return;
	switch (c->nr) {
	case __NR_poll: case __NR_ppoll:
		if (ret > 0) {
			strbuf_puts(b, " (");
			fmt_pollfds(b, c->m, c->args[0], c->args[1], true);
			strbuf_puts(b, ")");
			break;
		}
		/* fall through */
	case __NR_select: case __NR_pselect6:
		if (ret == 0)
			strbuf_puts(b, " (Timeout)");
		break;
	}
}

static void fmt_result_of(struct strbuf *b, const struct call *c)
{
	enum sysret type = c->d ? (enum sysret)c->d->ret : RET_INT;
	uint64_t cmd = c->args[1];
	if (c->nr == __NR_fcntl && !is_error(c->ret) && c->ret != 0 &&
	    (cmd == F_GETFD_ || cmd == F_GETFL_ || cmd == F_GET_SEALS_)) {
		strbuf_printf(b, "%#lx (flags ", (unsigned long)c->ret);
		if (cmd == F_GETFD_)
			fmt_flags(b, XLAT(fd_flag_names), (uint64_t)c->ret);
		else if (cmd == F_GETFL_)
			strace_fmt_open_flags(b, (uint64_t)c->ret);
		else
			fmt_flags(b, XLAT(seal_names), (uint64_t)c->ret);
		strbuf_puts(b, ")");
		return;
	}
	strace_fmt_result(b, type, c->ret);
	fmt_result_detail(b, c);
}

void strace_format_exit(struct strbuf *b, const struct strace_mem *m, long nr,
			const uint64_t args[6], long ret)
{
	struct call c = make_call(m, nr, args, ret);
	int shown = shown_nargs(&c);
	fmt_args(b, &c, first_output(&c, shown), shown);
	strbuf_puts(b, ") = ");
	fmt_result_of(b, &c);
}

void strace_format_syscall(struct strbuf *b, const struct strace_mem *m, long nr,
			   const uint64_t args[6], long ret)
{
	if (!strace_format_enter(b, m, nr, args))
		strace_format_exit(b, m, nr, args, ret);
}

/* --- unimplemented report -------------------------------------------------- */

struct unimpl {
	int nr;
	unsigned long count;
};

static int unimpl_cmp(const void *pa, const void *pb)
{
	const struct unimpl *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return a->nr - b->nr;
}

void strace_format_unimplemented(struct strbuf *b, const unsigned long *counts)
{
	struct unimpl list[SYSCALL_TABLE_SIZE];
	size_t n = 0;
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++)
		if (counts[nr])
			list[n++] = (struct unimpl){ nr, counts[nr] };
	qsort(list, n, sizeof list[0], unimpl_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct syscall_desc *d = desc_of(list[i].nr);
		if (d)
			strbuf_printf(b, "sentry: unimplemented syscall %s", d->name);
		else
			strbuf_printf(b, "sentry: unimplemented syscall syscall_%#x",
					  (unsigned)list[i].nr);
		strbuf_printf(b, " called %lu times\n", list[i].count);
	}
}

/* --- tasks ------------------------------------------------------------------- */

static int task_mem_read(void *ctx, void *dst, uint64_t addr, size_t n)
{
	return copy_from_user(ctx, dst, addr, n);
}

/* One write(2): the line arrives whole even with other tasks writing. */
static void emit(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t r = write(STDERR_FILENO, s, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		s += r;
		len -= (size_t)r;
	}
}

static void emit_line(struct strbuf *b)
{
	size_t len = b->len;
	strbuf_append(b, "\n", 1);
	emit(strbuf_str(b), b->len);
	if (b->len == len)
		emit("\n", 1);   /* the buffer was full: end the line anyway */
	strbuf_free(b);
}

static bool strace_on(const struct task *t)
{
	return t->k && t->k->opts.strace;
}

/* Takes over the pending line as a buffer to append to. */
static struct strbuf take_line(struct task *t)
{
	struct strbuf b = STRACE_BUF_INIT;
	if (t->strace_line) {
		b.s = t->strace_line;
		b.len = strlen(b.s);
		b.cap = b.len + 1;
		t->strace_line = NULL;
	}
	return b;
}

void strace_task_release(struct task *t)
{
	if (!t->strace_line)
		return;
	struct strbuf b = take_line(t);
	strbuf_puts(&b, " <unfinished ...>");
	emit_line(&b);
}

void strace_syscall_enter(struct task *t, long nr, const uint64_t args[6])
{
	if (!strace_on(t))
		return;
	strace_task_release(t);   /* the last call never came back */
	struct strace_mem m = { task_mem_read, t };
	struct strbuf b = STRACE_BUF_INIT;
	strbuf_printf(&b, "[pid %5d] ", (int)t->tid);
	if (strace_format_enter(&b, &m, nr, args))
		emit_line(&b);   /* it does not return: the line is complete */
	else
		t->strace_line = b.s;
}

void strace_syscall_exit(struct task *t, long nr, const uint64_t args[6], long ret)
{
	if (!strace_on(t))
		return;
	const struct syscall_desc *d = desc_of(nr);
	if (d && d->ret == RET_NONE) {
		free(take_line(t).s);   /* printed at entry */
		return;
	}
	struct strace_mem m = { task_mem_read, t };
	struct strbuf b = take_line(t);
	if (b.len == 0) {
		/* No entry half (strace turned on mid-call, or no memory): the
		 * whole line now. */
		strbuf_printf(&b, "[pid %5d] ", (int)t->tid);
		strace_format_enter(&b, &m, nr, args);
	}
	strace_format_exit(&b, &m, nr, args, ret);
	emit_line(&b);
}

_Static_assert(sizeof(((struct kernel *)0)->unimplemented) / sizeof(atomic_ulong) ==
		       SYSCALL_TABLE_SIZE,
	       "one counter per table entry");

void syscall_report_unimplemented(const struct task *t)
{
	unsigned long counts[SYSCALL_TABLE_SIZE];
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++)
		counts[nr] = atomic_load_explicit(&t->k->unimplemented[nr], memory_order_relaxed);
	struct strbuf b = STRACE_BUF_INIT;
	strace_format_unimplemented(&b, counts);
	emit(strbuf_str(&b), b.len);
	strbuf_free(&b);
}
