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
 */
#include "attack.h"

#include <sched.h>
#include <setjmp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/mman.h>

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

/* Runs FN in a child, at most 3 s; describes how it ended. */
static void run_attack(const char *name, void (*fn)(void *), void *arg)
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
    return;
done:
    if (WIFSIGNALED(st))
        refused(name, "the child died of signal %d (host effects: run.sh)", WTERMSIG(st));
    else
        refused(name, "the child exited %d (host effects: run.sh)", WEXITSTATUS(st));
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
static int marker_in_stub_region(const char *mark, size_t len)
{
    for (uintptr_t a = STUB_START; a < STUB_START + (3UL << 29); a += 0x10000) {
        if (readable((const unsigned char *)a) && memcmp((const void *)a, mark, len) == 0)
            return 1;
    }
    return 0;
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
    if (marker_in_stub_region(mark, sizeof mark))
        escaped("closed-file-window", "the closed file's data is readable in the stub region");
    else
        refused("closed-file-window", "no trace of the closed file in the stub region");
}

static void a_nothing(void *arg)
{
    (void)arg;
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

    run_attack("int80-kill-mkdir-getpid", a_int80, NULL);
    run_attack("sysenter-kill", a_sysenter, NULL);
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
