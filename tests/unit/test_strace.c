/* --strace formatting: flag and value decoders, string escaping, results,
 * whole syscall lines over fake guest memory (including unreadable
 * pointers, which must print as addresses), the syscall table's
 * consistency, and the task glue writing whole lines to stderr. */
#include "sentry/syscalls/strace.h"

#include <criterion/criterion.h>
#include <criterion/redirect.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* --- fake guest memory -----------------------------------------------------
 * Guest addresses are host addresses.  [BAD_ADDR, +64K) is unmapped, and so
 * is guard, a page right after a readable one (set up by the tests that
 * need it). */

#define BAD_ADDR 0xdead0000UL

static uint64_t guard;   /* 0: none */

static bool overlaps(uint64_t addr, size_t n, uint64_t start, size_t len)
{
	return addr < start + len && start < addr + n;
}

/* Like the kernel's reads, the formatter reads strings a page at a time,
 * past their NUL (never past their page): copy without ASan's object
 * bounds, through a volatile pointer so that it does not become memcpy. */
__attribute__((no_sanitize("address"))) static void raw_copy(void *dst, uint64_t src, size_t n)
{
	const volatile unsigned char *s = (const volatile unsigned char *)(uintptr_t)src;
	unsigned char *d = dst;
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

/* When set, only [arena, +ARENA_SIZE) is readable (for random pointers). */
#define ARENA_SIZE 8192
static uint64_t arena;

static int fake_read(void *ctx, void *dst, uint64_t addr, size_t n)
{
	(void)ctx;
	if (arena && (addr < arena || n > ARENA_SIZE || addr - arena > ARENA_SIZE - n))
		return -EFAULT;
	if (overlaps(addr, n, BAD_ADDR, 0x10000) || (guard && overlaps(addr, n, guard, 4096)))
		return -EFAULT;
	raw_copy(dst, addr, n);
	return 0;
}

static const struct strace_mem mem = { fake_read, NULL };

#define A(p) ((uint64_t)(uintptr_t)(p))

/* Two pages, the second the guard; returns the first. */
static char *guarded_page(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(p, MAP_FAILED);
	guard = A(p + 4096);
	return p;
}

/* --- helpers ---------------------------------------------------------------- */

static struct strbuf buf;

static void reset(void)
{
	strbuf_free(&buf);
}

static void fini(void)
{
	strbuf_free(&buf);
	guard = 0;
	arena = 0;
}

TestSuite(strace, .fini = fini);

#define EXPECT(call, text)                                                      \
	do {                                                                    \
		reset();                                                        \
		call;                                                           \
		cr_expect_str_eq(strbuf_str(&buf), text, "%s: \"%s\"", #call, \
				 strbuf_str(&buf));                         \
	} while (0)

/* The line for one whole syscall. */
static const char *line(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
			uint64_t a4, uint64_t a5, long ret)
{
	uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	reset();
	strace_format_syscall(&buf, &mem, nr, args, ret);
	return strbuf_str(&buf);
}

#define LINE(nr, ret, ...) line_v(nr, ret, (uint64_t[6]){ __VA_ARGS__ })

static const char *line_v(long nr, long ret, const uint64_t args[6])
{
	return line(nr, args[0], args[1], args[2], args[3], args[4], args[5], ret);
}

/* --- flags ---------------------------------------------------------------- */

Test(strace, open_flags)
{
	EXPECT(strace_fmt_open_flags(&buf, O_RDONLY), "O_RDONLY");
	EXPECT(strace_fmt_open_flags(&buf, O_RDONLY | O_CLOEXEC), "O_RDONLY|O_CLOEXEC");
	EXPECT(strace_fmt_open_flags(&buf, O_WRONLY | O_CREAT | O_TRUNC),
	       "O_WRONLY|O_CREAT|O_TRUNC");
	EXPECT(strace_fmt_open_flags(&buf, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY),
	       "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY");
	EXPECT(strace_fmt_open_flags(&buf, O_RDWR | O_APPEND | O_EXCL), "O_RDWR|O_EXCL|O_APPEND");
	EXPECT(strace_fmt_open_flags(&buf, 3), "O_ACCMODE");
	/* Multi-bit names: O_TMPFILE contains O_DIRECTORY, O_SYNC O_DSYNC. */
	EXPECT(strace_fmt_open_flags(&buf, O_RDWR | O_TMPFILE), "O_RDWR|O_TMPFILE");
	EXPECT(strace_fmt_open_flags(&buf, O_WRONLY | O_SYNC), "O_WRONLY|O_SYNC");
	EXPECT(strace_fmt_open_flags(&buf, O_WRONLY | O_DSYNC), "O_WRONLY|O_DSYNC");
	/* The kernel's O_LARGEFILE, which glibc's x86-64 headers define as 0. */
	EXPECT(strace_fmt_open_flags(&buf, 0100000 | O_RDWR), "O_RDWR|O_LARGEFILE");
	EXPECT(strace_fmt_open_flags(&buf, O_RDONLY | O_PATH | O_NOFOLLOW),
	       "O_RDONLY|O_NOFOLLOW|O_PATH");
}

Test(strace, open_flags_unknown_bits)
{
	EXPECT(strace_fmt_open_flags(&buf, 0x80000000u), "O_RDONLY|0x80000000");
	EXPECT(strace_fmt_open_flags(&buf, O_WRONLY | O_CREAT | 0x40000000u),
	       "O_WRONLY|O_CREAT|0x40000000");
}

Test(strace, mmap_flags)
{
	EXPECT(strace_fmt_mmap_flags(&buf, MAP_PRIVATE | MAP_ANONYMOUS),
	       "MAP_PRIVATE|MAP_ANONYMOUS");
	EXPECT(strace_fmt_mmap_flags(&buf, MAP_SHARED | MAP_FIXED), "MAP_SHARED|MAP_FIXED");
	EXPECT(strace_fmt_mmap_flags(&buf, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE),
	       "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
	EXPECT(strace_fmt_mmap_flags(&buf, MAP_SHARED_VALIDATE | MAP_SYNC),
	       "MAP_SHARED_VALIDATE|MAP_SYNC");
	EXPECT(strace_fmt_mmap_flags(&buf, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK |
						   MAP_FIXED_NOREPLACE),
	       "MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK|MAP_FIXED_NOREPLACE");
	EXPECT(strace_fmt_mmap_flags(&buf, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21u << 26)),
	       "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB");
	EXPECT(strace_fmt_mmap_flags(&buf, 0), "0");
}

Test(strace, mmap_flags_unknown_bits)
{
	EXPECT(strace_fmt_mmap_flags(&buf, MAP_PRIVATE | 0x800000), "MAP_PRIVATE|0x800000");
	EXPECT(strace_fmt_mmap_flags(&buf, 0x7 | MAP_ANONYMOUS), "0x7|MAP_ANONYMOUS");
	EXPECT(strace_fmt_mmap_flags(&buf, 0x200), "0x200");
}

Test(strace, prot_and_mode)
{
	EXPECT(strace_fmt_prot(&buf, 0), "PROT_NONE");
	EXPECT(strace_fmt_prot(&buf, PROT_READ | PROT_WRITE), "PROT_READ|PROT_WRITE");
	EXPECT(strace_fmt_prot(&buf, PROT_READ | PROT_EXEC | 0x10), "PROT_READ|PROT_EXEC|0x10");
	EXPECT(strace_fmt_mode(&buf, 0644), "0644");
	EXPECT(strace_fmt_mode(&buf, 0), "000");
	EXPECT(strace_fmt_mode(&buf, 04755), "04755");
	EXPECT(strace_fmt_mode(&buf, S_IFREG | 0644), "S_IFREG|0644");
	EXPECT(strace_fmt_mode(&buf, S_IFCHR | 0620), "S_IFCHR|0620");
	EXPECT(strace_fmt_mode(&buf, S_IFDIR | 01777), "S_IFDIR|01777");
}

Test(strace, clone_flags)
{
	EXPECT(strace_fmt_clone_flags(&buf, CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD),
	       "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	EXPECT(strace_fmt_clone_flags(&buf, CLONE_VM | CLONE_VFORK | SIGCHLD),
	       "CLONE_VM|CLONE_VFORK|SIGCHLD");
	EXPECT(strace_fmt_clone_flags(&buf, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
						    CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS),
	       "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
	       "CLONE_SETTLS");
	EXPECT(strace_fmt_clone_flags(&buf, 0), "0");
	EXPECT(strace_fmt_clone_flags(&buf, 0xff), "0xff");   /* no such signal */
}

/* --- signals ------------------------------------------------------------------ */

Test(strace, signal_names)
{
	EXPECT(strace_fmt_signal(&buf, SIGHUP), "SIGHUP");
	EXPECT(strace_fmt_signal(&buf, SIGINT), "SIGINT");
	EXPECT(strace_fmt_signal(&buf, SIGKILL), "SIGKILL");
	EXPECT(strace_fmt_signal(&buf, SIGCHLD), "SIGCHLD");
	EXPECT(strace_fmt_signal(&buf, SIGSYS), "SIGSYS");
	EXPECT(strace_fmt_signal(&buf, 32), "SIGRTMIN");
	EXPECT(strace_fmt_signal(&buf, 35), "SIGRTMIN+3");
	EXPECT(strace_fmt_signal(&buf, 64), "SIGRTMIN+32");
	EXPECT(strace_fmt_signal(&buf, 0), "0");
	EXPECT(strace_fmt_signal(&buf, 65), "65");
	EXPECT(strace_fmt_signal(&buf, -1), "-1");
}

#define BIT(sig) (1ULL << ((sig) - 1))

Test(strace, sigsets)
{
	EXPECT(strace_fmt_sigset(&buf, 0), "[]");
	EXPECT(strace_fmt_sigset(&buf, BIT(SIGINT) | BIT(SIGTERM)), "[INT TERM]");
	EXPECT(strace_fmt_sigset(&buf, BIT(SIGCHLD)), "[CHLD]");
	EXPECT(strace_fmt_sigset(&buf, BIT(32) | BIT(33) | BIT(64)), "[RTMIN RTMIN+1 RTMIN+32]");
	/* Sets with most signals are shown by what they lack. */
	EXPECT(strace_fmt_sigset(&buf, ~0ULL), "~[]");
	EXPECT(strace_fmt_sigset(&buf, ~(BIT(SIGKILL) | BIT(SIGSTOP))), "~[KILL STOP]");
}

Test(strace, wait_status)
{
	EXPECT(strace_fmt_wait_status(&buf, 3 << 8), "[{WIFEXITED(s) && WEXITSTATUS(s) == 3}]");
	EXPECT(strace_fmt_wait_status(&buf, SIGKILL), "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]");
	EXPECT(strace_fmt_wait_status(&buf, SIGSEGV | 0x80),
	       "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]");
	EXPECT(strace_fmt_wait_status(&buf, (SIGSTOP << 8) | 0x7f),
	       "[{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}]");
	EXPECT(strace_fmt_wait_status(&buf, 0xffff), "[{WIFCONTINUED(s)}]");
}

/* --- strings ---------------------------------------------------------------------- */

#define STR(s, more) strace_fmt_string(&buf, s, sizeof(s) - 1, more)

Test(strace, string_escaping)
{
	EXPECT(STR("hello", false), "\"hello\"");
	EXPECT(STR("", false), "\"\"");
	EXPECT(STR("a\nb\tc\r\v\f", false), "\"a\\nb\\tc\\r\\v\\f\"");
	EXPECT(STR("say \"hi\" \\o/", false), "\"say \\\"hi\\\" \\\\o/\"");
	/* Octal as short as the next character allows. */
	EXPECT(STR("\0", false), "\"\\0\"");
	EXPECT(STR("\0a", false), "\"\\0a\"");
	EXPECT(STR("\0" "1", false), "\"\\0001\"");
	EXPECT(STR("\033[0m", false), "\"\\33[0m\"");
	EXPECT(STR("\377\200", false), "\"\\377\\200\"");
	EXPECT(STR("\177", false), "\"\\177\"");
	EXPECT(STR("\001" "7", false), "\"\\0017\"");
	EXPECT(STR("\001" "8", false), "\"\\18\"");
}

Test(strace, string_truncation)
{
	EXPECT(STR("abc", true), "\"abc\"...");

	/* A buffer argument shows its first 32 bytes. */
	char data[100];
	memset(data, 'x', sizeof data);
	cr_expect_str_eq(LINE(__NR_write, 100, 1, A(data), 100),
			 "write(1, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"..., 100) = 100");
	cr_expect_str_eq(LINE(__NR_write, 32, 1, A(data), 32),
			 "write(1, \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\", 32) = 32");
	cr_expect_str_eq(LINE(__NR_write, 0, 1, A(data), 0), "write(1, \"\", 0) = 0");
}

/* --- results -------------------------------------------------------------------- */

Test(strace, results)
{
	EXPECT(strace_fmt_result(&buf, RET_INT, 0), "0");
	EXPECT(strace_fmt_result(&buf, RET_INT, 1234), "1234");
	EXPECT(strace_fmt_result(&buf, RET_INT, -ENOENT), "-1 ENOENT (No such file or directory)");
	EXPECT(strace_fmt_result(&buf, RET_INT, -EAGAIN),
	       "-1 EAGAIN (Resource temporarily unavailable)");
	EXPECT(strace_fmt_result(&buf, RET_INT, -EINTR), "-1 EINTR (Interrupted system call)");
	EXPECT(strace_fmt_result(&buf, RET_INT, -ENOSYS), "-1 ENOSYS (Function not implemented)");
	EXPECT(strace_fmt_result(&buf, RET_HEX, 0x7f1234560000), "0x7f1234560000");
	EXPECT(strace_fmt_result(&buf, RET_HEX, -ENOMEM), "-1 ENOMEM (Cannot allocate memory)");
	EXPECT(strace_fmt_result(&buf, RET_NONE, 0), "?");
	/* Past the errno range: a value, not an error. */
	EXPECT(strace_fmt_result(&buf, RET_INT, -4096), "-4096");
	EXPECT(strace_fmt_result(&buf, RET_INT, -4000), "-1 (errno 4000)");
}

Test(strace, restart_codes)
{
	EXPECT(strace_fmt_result(&buf, RET_INT, -ERESTARTSYS),
	       "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
	EXPECT(strace_fmt_result(&buf, RET_INT, -ERESTARTNOINTR),
	       "? ERESTARTNOINTR (To be restarted)");
	EXPECT(strace_fmt_result(&buf, RET_INT, -ERESTARTNOHAND),
	       "? ERESTARTNOHAND (To be restarted if no handler)");
	EXPECT(strace_fmt_result(&buf, RET_INT, -ERESTART_RESTARTBLOCK),
	       "? ERESTART_RESTARTBLOCK (Interrupted by signal)");
}

/* --- the table ------------------------------------------------------------------ */

Test(strace, table_entries_are_consistent)
{
	int named = 0;
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];
		if (!d->name) {
			cr_expect_eq(d->nargs, 0, "nameless entry %d has arguments", nr);
			cr_expect_null(d->fn, "nameless entry %d has a handler", nr);
			continue;
		}
		named++;
		cr_expect_leq(d->nargs, 6, "%s: %d args", d->name, d->nargs);
		cr_expect_leq(d->ret, RET_NONE, "%s: result kind", d->name);
		for (int i = 0; i < 6; i++) {
			if (i < d->nargs)
				cr_expect(d->args[i] != ARG_NONE && d->args[i] < ARGX_MAX,
					  "%s: argument %d kind %d", d->name, i, d->args[i]);
			else
				cr_expect_eq(d->args[i], ARG_NONE, "%s: kind past nargs", d->name);
		}
		for (int other = 0; other < nr; other++)
			cr_expect(!syscall_table[other].name ||
					  strcmp(syscall_table[other].name, d->name) != 0,
				  "%s at %d and %d", d->name, other, nr);
	}
	/* 0..334, 424..470 */
	cr_expect_eq(named, 335 + 47, "%d named entries", named);
	for (int nr = 335; nr < 424; nr++)
		cr_expect_null(syscall_table[nr].name, "%d has no syscall", nr);
	cr_expect_null(syscall_table[471].name);
	cr_expect_null(syscall_table[SYSCALL_TABLE_SIZE - 1].name);
}

static void expect_named(long nr, const char *name)
{
	cr_expect_str_eq(syscall_table[nr].name, name, "syscall %ld", nr);
}

Test(strace, table_matches_kernel_numbers)
{
	cr_expect_eq(__NR_read, 0);
	expect_named(__NR_read, "read");
	expect_named(__NR_write, "write");
	expect_named(1, "write");
	expect_named(__NR_openat, "openat");
	expect_named(257, "openat");
	expect_named(__NR_execve, "execve");
	expect_named(59, "execve");
	expect_named(__NR_clone3, "clone3");
	expect_named(435, "clone3");
	expect_named(__NR_newfstatat, "newfstatat");
	expect_named(__NR_pread64, "pread64");
	expect_named(__NR_rt_sigaction, "rt_sigaction");
	expect_named(__NR_exit_group, "exit_group");
	expect_named(__NR__sysctl, "_sysctl");
	expect_named(__NR_umount2, "umount2");
	expect_named(__NR_rseq, "rseq");
	expect_named(__NR_pidfd_send_signal, "pidfd_send_signal");
	expect_named(__NR_set_mempolicy_home_node, "set_mempolicy_home_node");
	expect_named(451, "cachestat");
	expect_named(462, "mseal");
	expect_named(470, "listns");

	cr_expect_eq(syscall_table[__NR_mmap].ret, RET_HEX);
	cr_expect_eq(syscall_table[__NR_brk].ret, RET_HEX);
	cr_expect_eq(syscall_table[__NR_mremap].ret, RET_HEX);
	cr_expect_eq(syscall_table[__NR_shmat].ret, RET_HEX);
	cr_expect_eq(syscall_table[__NR_exit].ret, RET_NONE);
	cr_expect_eq(syscall_table[__NR_exit_group].ret, RET_NONE);
	cr_expect_eq(syscall_table[__NR_rt_sigreturn].ret, RET_INT);
	cr_expect_eq(syscall_table[__NR_read].nargs, 3);
	cr_expect_eq(syscall_table[__NR_mmap].nargs, 6);
}

/* --- whole syscalls ------------------------------------------------------------- */

Test(strace, open_calls)
{
	const char *path = "/etc/passwd";
	cr_expect_str_eq(LINE(__NR_openat, 3, (uint64_t)-100, A(path), O_RDONLY | O_CLOEXEC),
			 "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3");
	cr_expect_str_eq(LINE(__NR_openat, -ENOENT, (uint64_t)-100, A("/nope"), O_RDONLY),
			 "openat(AT_FDCWD, \"/nope\", O_RDONLY) = -1 ENOENT (No such file or "
			 "directory)");
	/* The mode only with O_CREAT or O_TMPFILE. */
	cr_expect_str_eq(LINE(__NR_openat, 4, 5, A("x"), O_WRONLY | O_CREAT | O_TRUNC, 0644),
			 "openat(5, \"x\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4");
	cr_expect_str_eq(LINE(__NR_open, 4, A("."), O_RDWR | O_TMPFILE, 0600),
			 "open(\".\", O_RDWR|O_TMPFILE, 0600) = 4");
	cr_expect_str_eq(LINE(__NR_open, 4, A("."), O_RDONLY | O_DIRECTORY, 0777),
			 "open(\".\", O_RDONLY|O_DIRECTORY) = 4");
	/* An unreadable path is shown as its address; NULL as NULL. */
	cr_expect_str_eq(LINE(__NR_open, -EFAULT, BAD_ADDR, O_RDONLY),
			 "open(0xdead0000, O_RDONLY) = -1 EFAULT (Bad address)");
	cr_expect_str_eq(LINE(__NR_open, -EFAULT, 0, O_RDONLY),
			 "open(NULL, O_RDONLY) = -1 EFAULT (Bad address)");
}

Test(strace, path_at_page_end)
{
	char *page = guarded_page();
	/* Ends with its NUL right before the unreadable page: readable. */
	memcpy(page + 4096 - 4, "abc", 4);
	cr_expect_str_eq(LINE(__NR_chdir, 0, A(page + 4096 - 4)), "chdir(\"abc\") = 0");
	/* Runs into it: unreadable. */
	memcpy(page + 4096 - 3, "abc", 3);
	reset();
	const char *l = LINE(__NR_chdir, -EFAULT, A(page + 4096 - 3));
	char want[128];
	snprintf(want, sizeof want, "chdir(%p) = -1 EFAULT (Bad address)", page + 4096 - 3);
	cr_expect_str_eq(l, want);
	munmap(page, 8192);
}

Test(strace, long_paths_are_whole_argv_strings_cut)
{
	char path[300];
	memset(path, 'p', sizeof path - 1);
	path[sizeof path - 1] = '\0';
	const char *l = LINE(__NR_unlink, 0, A(path));
	cr_expect_eq(strlen(l), strlen("unlink(\"\") = 0") + 299, "%s", l);

	char arg32[33], arg33[34];
	memset(arg32, 'a', 32);
	arg32[32] = '\0';
	memset(arg33, 'b', 33);
	arg33[33] = '\0';
	const char *argv[] = { "ls", arg32, arg33, NULL };
	const char *envp[] = { "A=1", "B=2", NULL };
	char want[300];
	snprintf(want, sizeof want,
		 "execve(\"/bin/ls\", [\"ls\", \"%s\", \"%.32s\"...], %p /* 2 vars */) = 0", arg32,
		 arg33, (void *)envp);
	cr_expect_str_eq(LINE(__NR_execve, 0, A("/bin/ls"), A(argv), A(envp)), want);
}

Test(strace, argv_is_cut_after_8)
{
	const char *argv[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", NULL };
	const char *envp[] = { NULL };
	char want[200];
	snprintf(want, sizeof want,
		 "execve(\"/x\", [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", ...], "
		 "%p /* 0 vars */) = -1 ENOENT (No such file or directory)",
		 (void *)envp);
	cr_expect_str_eq(LINE(__NR_execve, -ENOENT, A("/x"), A(argv), A(envp)), want);
	cr_expect_str_eq(LINE(__NR_execve, -EFAULT, A("/x"), BAD_ADDR, 0),
			 "execve(\"/x\", 0xdead0000, NULL) = -1 EFAULT (Bad address)");
}

Test(strace, read_is_decoded_at_exit)
{
	const char *data = "root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::/:";
	uint64_t args[6] = { 3, A(data), 4096 };
	reset();
	cr_expect_not(strace_format_enter(&buf, &mem, __NR_read, args));
	cr_expect_str_eq(strbuf_str(&buf), "read(3");
	strace_format_exit(&buf, &mem, __NR_read, args, 1234);
	cr_expect_str_eq(strbuf_str(&buf),
			 "read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 4096) = 1234");

	cr_expect_str_eq(LINE(__NR_read, 5, 0, A("hello")), "read(0, \"hello\", 0) = 5");
	cr_expect_str_eq(LINE(__NR_read, 0, 0, A(data), 10), "read(0, \"\", 10) = 0");
	/* Failed (or interrupted) reads show the buffer's address. */
	cr_expect_str_eq(LINE(__NR_read, -EAGAIN, 0, 0x1000, 10),
			 "read(0, 0x1000, 10) = -1 EAGAIN (Resource temporarily unavailable)");
	cr_expect_str_eq(LINE(__NR_read, -ERESTARTSYS, 0, 0x1000, 10),
			 "read(0, 0x1000, 10) = ? ERESTARTSYS (To be restarted if SA_RESTART is "
			 "set)");
	cr_expect_str_eq(LINE(__NR_pread64, 2, 7, A("ab"), 2, 4096),
			 "pread64(7, \"ab\", 2, 4096) = 2");
}

Test(strace, iovecs)
{
	struct iovec iov[2] = { { (void *)"hello", 5 }, { (void *)"\n", 1 } };
	cr_expect_str_eq(LINE(__NR_writev, 6, 1, A(iov), 2),
			 "writev(1, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"\\n\", "
			 "iov_len=1}], 2) = 6");
	char a[8] = "abcdefg", b[8] = "ABCDEFG";
	struct iovec in[2] = { { a, 4 }, { b, 8 } };
	cr_expect_str_eq(LINE(__NR_readv, 6, 0, A(in), 2),
			 "readv(0, [{iov_base=\"abcd\", iov_len=4}, {iov_base=\"AB\", "
			 "iov_len=8}], 2) = 6");
	cr_expect_str_eq(LINE(__NR_writev, -EFAULT, 1, BAD_ADDR, 2),
			 "writev(1, 0xdead0000, 2) = -1 EFAULT (Bad address)");
}

Test(strace, mmap_and_friends)
{
	cr_expect_str_eq(LINE(__NR_mmap, 0x7f1234560000, 0, 8192, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0),
			 "mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) "
			 "= 0x7f1234560000");
	cr_expect_str_eq(LINE(__NR_mmap, 0x7f0000001000, 0x7f0000001000, 4096,
			      PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, 3,
			      0x28000),
			 "mmap(0x7f0000001000, 4096, PROT_READ|PROT_EXEC, "
			 "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x28000) = 0x7f0000001000");
	cr_expect_str_eq(LINE(__NR_brk, 0x555555559000, 0), "brk(NULL) = 0x555555559000");
	cr_expect_str_eq(LINE(__NR_mprotect, 0, 0x7f0000001000, 4096, PROT_NONE),
			 "mprotect(0x7f0000001000, 4096, PROT_NONE) = 0");
	cr_expect_str_eq(LINE(__NR_madvise, 0, 0x7f0000001000, 4096, MADV_DONTNEED),
			 "madvise(0x7f0000001000, 4096, MADV_DONTNEED) = 0");
	cr_expect_str_eq(LINE(__NR_mremap, 0x7f0000100000, 0x7f0000001000, 4096, 8192, 1),
			 "mremap(0x7f0000001000, 4096, 8192, MREMAP_MAYMOVE) = 0x7f0000100000");
	cr_expect_str_eq(LINE(__NR_mremap, 0x7f0000100000, 0x7f0000001000, 4096, 8192, 3,
			      0x7f0000100000),
			 "mremap(0x7f0000001000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, "
			 "0x7f0000100000) = 0x7f0000100000");
}

Test(strace, signals_calls)
{
	struct guest_sigaction sa = {
		.handler = 0x401000,
		.flags = 0x04000000 | SA_RESTART,
		.restorer = 0x401234,
		.mask = 0,
	};
	struct guest_sigaction old = { .handler = 0, .flags = 0, .mask = BIT(SIGINT) };
	cr_expect_str_eq(LINE(__NR_rt_sigaction, 0, SIGINT, A(&sa), 0, 8),
			 "rt_sigaction(SIGINT, {sa_handler=0x401000, sa_mask=[], "
			 "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x401234}, NULL, 8) = 0");
	cr_expect_str_eq(LINE(__NR_rt_sigaction, 0, SIGTERM, 0, A(&old), 8),
			 "rt_sigaction(SIGTERM, NULL, {sa_handler=SIG_DFL, sa_mask=[INT], "
			 "sa_flags=0}, 8) = 0");
	uint64_t set = BIT(SIGCHLD), oldset = 0;
	cr_expect_str_eq(LINE(__NR_rt_sigprocmask, 0, SIG_BLOCK, A(&set), A(&oldset), 8),
			 "rt_sigprocmask(SIG_BLOCK, [CHLD], [], 8) = 0");
	cr_expect_str_eq(LINE(__NR_kill, 0, 42, 34), "kill(42, SIGRTMIN+2) = 0");
	cr_expect_str_eq(LINE(__NR_tgkill, -ESRCH, 1, 2, SIGKILL),
			 "tgkill(1, 2, SIGKILL) = -1 ESRCH (No such process)");
}

Test(strace, no_return_and_unknown)
{
	uint64_t args[6] = { 3 };
	reset();
	cr_expect(strace_format_enter(&buf, &mem, __NR_exit_group, args));
	cr_expect_str_eq(strbuf_str(&buf), "exit_group(3) = ?");
	cr_expect_str_eq(LINE(__NR_exit, 0, 0), "exit(0) = ?");
	cr_expect_str_eq(LINE(0x1f4, -ENOSYS, 1, 2, 3, 4, 5, 6),
			 "syscall_0x1f4(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not "
			 "implemented)");
	cr_expect_str_eq(LINE(600, -ENOSYS, 0), "syscall_0x258(0, 0, 0, 0, 0, 0) = -1 ENOSYS "
						"(Function not implemented)");
	cr_expect_str_eq(LINE(-1, -ENOSYS, 0),
			 "syscall_0xffffffffffffffff(0, 0, 0, 0, 0, 0) = -1 ENOSYS (Function not "
			 "implemented)");
	cr_expect_str_eq(LINE(__NR_getpid, 1), "getpid() = 1");
}

Test(strace, stat_structs)
{
	struct stat st = { .st_mode = S_IFREG | 0644, .st_size = 1234 };
	cr_expect_str_eq(LINE(__NR_newfstatat, 0, (uint64_t)-100, A("/etc"), A(&st), 0),
			 "newfstatat(AT_FDCWD, \"/etc\", {st_mode=S_IFREG|0644, st_size=1234, ...}, "
			 "0) = 0");
	struct stat dev = { .st_mode = S_IFCHR | 0666, .st_rdev = makedev(1, 3) };
	cr_expect_str_eq(LINE(__NR_fstat, 0, 0, A(&dev)),
			 "fstat(0, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0");
	/* A failed call does not show what it would have filled in. */
	char want[160];
	snprintf(want, sizeof want,
		 "newfstatat(3, \"\", %p, AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH) = -1 ENOENT (No such "
		 "file or directory)",
		 (void *)&st);
	cr_expect_str_eq(LINE(__NR_newfstatat, -ENOENT, 3, A(""), A(&st),
			      AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW),
			 want);
}

Test(strace, misc_calls)
{
	int fds[2] = { 3, 4 };
	cr_expect_str_eq(LINE(__NR_pipe2, 0, A(fds), O_CLOEXEC), "pipe2([3, 4], O_CLOEXEC) = 0");
	int status = 7 << 8;
	cr_expect_str_eq(LINE(__NR_wait4, 42, (uint64_t)-1, A(&status), 0, 0),
			 "wait4(-1, [{WIFEXITED(s) && WEXITSTATUS(s) == 7}], 0, NULL) = 42");
	cr_expect_str_eq(LINE(__NR_wait4, 0, (uint64_t)-1, 0, WNOHANG, 0),
			 "wait4(-1, NULL, WNOHANG, NULL) = 0");
	struct timespec ts = { 1, 500000000 };
	cr_expect_str_eq(LINE(__NR_clock_gettime, 0, CLOCK_MONOTONIC, A(&ts)),
			 "clock_gettime(CLOCK_MONOTONIC, {tv_sec=1, tv_nsec=500000000}) = 0");
	cr_expect_str_eq(LINE(__NR_nanosleep, 0, A(&ts), 0),
			 "nanosleep({tv_sec=1, tv_nsec=500000000}, NULL) = 0");
	cr_expect_str_eq(LINE(__NR_lseek, 10, 3, 10, SEEK_SET), "lseek(3, 10, SEEK_SET) = 10");
	cr_expect_str_eq(LINE(__NR_lseek, -EINVAL, 3, (uint64_t)-1, 9),
			 "lseek(3, -1, 9) = -1 EINVAL (Invalid argument)");
	cr_expect_str_eq(LINE(__NR_access, 0, A("/"), R_OK | X_OK), "access(\"/\", R_OK|X_OK) = 0");
	cr_expect_str_eq(LINE(__NR_access, 0, A("/"), F_OK), "access(\"/\", F_OK) = 0");
	cr_expect_str_eq(LINE(__NR_arch_prctl, 0, 0x1002, 0x7f0000000740),
			 "arch_prctl(ARCH_SET_FS, 0x7f0000000740) = 0");
	cr_expect_str_eq(LINE(__NR_ioctl, 0, 1, 0x5413, 0x7ffc0000),
			 "ioctl(1, TIOCGWINSZ, 0x7ffc0000) = 0");
	cr_expect_str_eq(LINE(__NR_ioctl, -ENOTTY, 1, 0x1234, 0),
			 "ioctl(1, 0x1234, 0) = -1 ENOTTY (Inappropriate ioctl for device)");
	struct { uint64_t cur, max; } rl = { 8192 * 1024, UINT64_MAX };
	cr_expect_str_eq(LINE(__NR_prlimit64, 0, 0, RLIMIT_STACK, 0, A(&rl)),
			 "prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, "
			 "rlim_max=RLIM64_INFINITY}) = 0");
	cr_expect_str_eq(LINE(__NR_renameat2, 0, (uint64_t)-100, A("a"), (uint64_t)-100, A("b"), 1),
			 "renameat2(AT_FDCWD, \"a\", AT_FDCWD, \"b\", RENAME_NOREPLACE) = 0");
	cr_expect_str_eq(LINE(__NR_socket, 3, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0),
			 "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3");
	cr_expect_str_eq(LINE(__NR_getcwd, 6, A("/home"), 4096), "getcwd(\"/home\", 4096) = 6");
	cr_expect_str_eq(LINE(__NR_prctl, 0, 15, A("worker")), "prctl(PR_SET_NAME, \"worker\") = 0");
	cr_expect_str_eq(LINE(__NR_clone, 5, CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD,
			      0, 0, 0x7f00000a10, 0),
			 "clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, NULL, NULL, "
			 "0x7f00000a10, 0) = 5");
}

Test(strace, fcntl_and_futex)
{
	cr_expect_str_eq(LINE(__NR_fcntl, 1, 3, F_GETFD, 99),
			 "fcntl(3, F_GETFD) = 0x1 (flags FD_CLOEXEC)");
	cr_expect_str_eq(LINE(__NR_fcntl, 0x8002, 3, F_GETFL),
			 "fcntl(3, F_GETFL) = 0x8002 (flags O_RDWR|O_LARGEFILE)");
	cr_expect_str_eq(LINE(__NR_fcntl, 0, 3, F_SETFD, FD_CLOEXEC),
			 "fcntl(3, F_SETFD, FD_CLOEXEC) = 0");
	cr_expect_str_eq(LINE(__NR_fcntl, 0, 3, F_SETFL, O_RDWR | O_NONBLOCK),
			 "fcntl(3, F_SETFL, O_RDWR|O_NONBLOCK) = 0");
	cr_expect_str_eq(LINE(__NR_fcntl, 10, 3, F_DUPFD_CLOEXEC, 10),
			 "fcntl(3, F_DUPFD_CLOEXEC, 10) = 10");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	cr_expect_str_eq(LINE(__NR_fcntl, 0, 3, F_SETLK, A(&fl)),
			 "fcntl(3, F_SETLK, {l_type=F_WRLCK, l_whence=SEEK_SET, l_start=0, "
			 "l_len=0}) = 0");

	cr_expect_str_eq(LINE(__NR_futex, 1, 0x7f0000000010, 0x81, 1, 0x55, 0x66, 0x77),
			 "futex(0x7f0000000010, FUTEX_WAKE_PRIVATE, 1) = 1");
	cr_expect_str_eq(LINE(__NR_futex, -EAGAIN, 0x7f0000000010, 0x80, 2, 0),
			 "futex(0x7f0000000010, FUTEX_WAIT_PRIVATE, 2, NULL) = -1 EAGAIN "
			 "(Resource temporarily unavailable)");
	cr_expect_str_eq(LINE(__NR_futex, 0, 0x7f0000000010, 0x189, 0, 0, 0, 0xffffffff),
			 "futex(0x7f0000000010, FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME, 0, "
			 "NULL, NULL, 0xffffffff) = 0");
}

Test(strace, poll_and_sockets)
{
	struct pollfd p[2] = { { .fd = 3, .events = POLLIN }, { .fd = 4, .events = POLLIN | POLLOUT } };
	uint64_t args[6] = { A(p), 2, (uint64_t)-1 };
	reset();
	strace_format_enter(&buf, &mem, __NR_poll, args);
	p[1].revents = POLLOUT;   /* the call's doing */
	strace_format_exit(&buf, &mem, __NR_poll, args, 1);
	cr_expect_str_eq(strbuf_str(&buf),
			 "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}], 2, -1) = 1 "
			 "([{fd=4, revents=POLLOUT}])");
	cr_expect_str_eq(LINE(__NR_poll, 0, A(p), 1, 100),
			 "poll([{fd=3, events=POLLIN}], 1, 100) = 0 (Timeout)");

	/* Many entries: 8 shown at entry; at exit those with revents. */
	struct pollfd many[100];
	for (int i = 0; i < 100; i++)
		many[i] = (struct pollfd){ .fd = i, .events = POLLIN };
	many[70].revents = POLLIN | POLLHUP;
	uint64_t margs[6] = { A(many), 100, 0 };
	reset();
	strace_format_enter(&buf, &mem, __NR_poll, margs);
	strace_format_exit(&buf, &mem, __NR_poll, margs, 1);
	cr_expect_str_eq(strbuf_str(&buf),
			 "poll([{fd=0, events=POLLIN}, {fd=1, events=POLLIN}, {fd=2, events=POLLIN}, "
			 "{fd=3, events=POLLIN}, {fd=4, events=POLLIN}, {fd=5, events=POLLIN}, "
			 "{fd=6, events=POLLIN}, {fd=7, events=POLLIN}, ...], 100, 0) = 1 "
			 "([{fd=70, revents=POLLIN|POLLHUP}])");

	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(80),
				   .sin_addr.s_addr = htonl(0x7f000001) };
	cr_expect_str_eq(LINE(__NR_connect, 0, 3, A(&sin), sizeof sin),
			 "connect(3, {sa_family=AF_INET, sin_port=htons(80), "
			 "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0");
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = "/tmp/sock" };
	cr_expect_str_eq(LINE(__NR_bind, 0, 3, A(&sun), 2 + 10),
			 "bind(3, {sa_family=AF_UNIX, sun_path=\"/tmp/sock\"}, 12) = 0");
	struct sockaddr_un abs = { .sun_family = AF_UNIX, .sun_path = "\0abs" };
	cr_expect_str_eq(LINE(__NR_connect, 0, 3, A(&abs), 2 + 4),
			 "connect(3, {sa_family=AF_UNIX, sun_path=@\"abs\"}, 6) = 0");
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(443),
				     .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	cr_expect_str_eq(LINE(__NR_connect, 0, 3, A(&sin6), sizeof sin6),
			 "connect(3, {sa_family=AF_INET6, sin6_port=htons(443), "
			 "sin6_flowinfo=htonl(0), inet_pton(AF_INET6, \"::1\", &sin6_addr), "
			 "sin6_scope_id=0}, 28) = 0");
	uint32_t len = sizeof sin;
	char want[200];
	snprintf(want, sizeof want,
		 "accept4(3, {sa_family=AF_INET, sin_port=htons(80), "
		 "sin_addr=inet_addr(\"127.0.0.1\")}, %p, SOCK_CLOEXEC) = 5",
		 (void *)&len);
	cr_expect_str_eq(LINE(__NR_accept4, 5, 3, A(&sin), A(&len), SOCK_CLOEXEC), want);
}

/* --- robustness ------------------------------------------------------------------ */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* An argument as a confused or hostile guest might pass it. */
static uint64_t random_arg(void)
{
	switch (rng() % 9) {
	case 0: return 0;
	case 1: return rng() % 16;
	case 2: return (uint64_t)-1;
	case 3: return BAD_ADDR + rng() % 64;
	case 4: return arena + rng() % ARENA_SIZE;           /* may run off the end */
	case 5: return arena + ARENA_SIZE - 1 - rng() % 40;  /* near the end */
	case 6: return rng();
	case 7: return rng() & 0xffffffff;
	default: return arena + (rng() % (ARENA_SIZE / 8)) * 8;
	}
}

static long random_ret(void)
{
	static const long rets[] = { 0, 1, 3, 32, 33, 4096, 1L << 40, -EFAULT, -ENOENT,
				     -ERESTARTSYS, -ERESTART_RESTARTBLOCK, -4095, -4096 };
	return rets[rng() % (sizeof rets / sizeof rets[0])];
}

/* Every syscall number, garbage arguments, random guest memory holding
 * pointers into itself and elsewhere: lines come out whole (ASan and
 * UBSan watch the reads). */
Test(strace, garbage_never_breaks_formatting)
{
	unsigned char *mem_area = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(mem_area, MAP_FAILED);
	arena = A(mem_area);
	for (int round = 0; round < 40; round++) {
		for (size_t i = 0; i < ARENA_SIZE; i += 8) {
			uint64_t v = round % 2 ? random_arg() : rng();
			memcpy(mem_area + i, &v, 8);
		}
		if (round % 3 == 0)   /* some NULs, so that strings end */
			for (int i = 0; i < 200; i++)
				mem_area[rng() % ARENA_SIZE] = 0;
		for (long nr = -1; nr <= SYSCALL_TABLE_SIZE; nr++) {
			uint64_t args[6];
			for (int i = 0; i < 6; i++)
				args[i] = random_arg();
			long ret = random_ret();
			reset();
			strace_format_syscall(&buf, &mem, nr, args, ret);
			const char *l = strbuf_str(&buf);
			cr_assert(strchr(l, '(') && strstr(l, ") = "), "%ld: %s", nr, l);
		}
	}
	munmap(mem_area, ARENA_SIZE);
}

/* --- unimplemented report ---------------------------------------------------------- */

Test(strace, unimplemented_report)
{
	unsigned long counts[SYSCALL_TABLE_SIZE] = { 0 };
	EXPECT(strace_format_unimplemented(&buf, counts), "");
	counts[__NR_io_uring_setup] = 2;
	counts[__NR_bpf] = 7;
	counts[__NR_kexec_load] = 2;
	counts[400] = 1;
	EXPECT(strace_format_unimplemented(&buf, counts),
	       "sentry: unimplemented syscall bpf called 7 times\n"
	       "sentry: unimplemented syscall kexec_load called 2 times\n"
	       "sentry: unimplemented syscall io_uring_setup called 2 times\n"
	       "sentry: unimplemented syscall syscall_0x190 called 1 times\n");
}

/* --- the task glue --------------------------------------------------------------------- */

static ssize_t fake_read_mem(struct platform_ctx *ctx, void *dst, uint64_t src, size_t n)
{
	return fake_read(ctx, dst, src, n) < 0 ? -EFAULT : (ssize_t)n;
}

static const struct platform_ops fake_platform = { .name = "fake", .read_mem = fake_read_mem };
static struct kernel kern;

Test(strace, task_lines_go_to_stderr, .init = cr_redirect_stderr)
{
	kern.opts.strace = true;
	struct task t = { .k = &kern, .tid = 7, .platform = &fake_platform };
	const char *data = "hi\n";
	uint64_t rd[6] = { 0, A(data), 10 };
	uint64_t ex[6] = { 3 };

	strace_syscall_enter(&t, __NR_read, rd);
	cr_expect_not_null(t.strace_line);
	strace_syscall_exit(&t, __NR_read, rd, 3);
	cr_expect_null(t.strace_line);

	strace_syscall_enter(&t, __NR_read, rd);
	strace_task_release(&t);   /* never came back */
	cr_expect_null(t.strace_line);

	strace_syscall_enter(&t, __NR_exit_group, ex);
	cr_expect_null(t.strace_line);
	strace_syscall_exit(&t, __NR_exit_group, ex, 0);   /* prints nothing more */

	kern.opts.strace = false;
	strace_syscall_enter(&t, __NR_read, rd);
	strace_syscall_exit(&t, __NR_read, rd, 3);
	fflush(stderr);
	cr_expect_stderr_eq_str("[pid     7] read(0, \"hi\\n\", 10) = 3\n"
				"[pid     7] read(0 <unfinished ...>\n"
				"[pid     7] exit_group(3) = ?\n");
}

Test(strace, report_goes_to_stderr, .init = cr_redirect_stderr)
{
	struct task t = { .k = &kern, .tid = 1 };
	syscall_report_unimplemented(&t);
	atomic_store(&kern.unimplemented[__NR_bpf], 3);
	syscall_report_unimplemented(&t);
	fflush(stderr);
	cr_expect_stderr_eq_str("sentry: unimplemented syscall bpf called 3 times\n");
}
