/* The x86-64 syscall table: name (as strace prints it), handler, argument
 * kinds (from the kernel's SYSCALL_DEFINEs and the man pages) and result
 * kind, for every syscall the kernel's table has.
 *
 * Arguments are listed in register order (rdi, rsi, rdx, r10, r8, r9), so
 * that a kind describes the register the handler receives, even where libc
 * hides one (preadv2's pos_h).  Kinds past SYSARG_COUNT (ARGX_*) are --strace
 * refinements, see strace.h.  Numbers missing here (335..423, and 471 on)
 * have no syscall: their entries stay zero (name NULL).
 */
#include <asm/unistd.h>

#include "sentry/syscalls/strace.h"
#include "sentry/syscalls/syscalls.h"

/* Numbers newer than the build host's <asm/unistd_64.h>. */
#ifndef __NR_cachestat
#define __NR_cachestat 451
#endif
#ifndef __NR_fchmodat2
#define __NR_fchmodat2 452
#endif
#ifndef __NR_map_shadow_stack
#define __NR_map_shadow_stack 453
#endif
#ifndef __NR_futex_wake
#define __NR_futex_wake 454
#endif
#ifndef __NR_futex_wait
#define __NR_futex_wait 455
#endif
#ifndef __NR_futex_requeue
#define __NR_futex_requeue 456
#endif
#ifndef __NR_statmount
#define __NR_statmount 457
#endif
#ifndef __NR_listmount
#define __NR_listmount 458
#endif
#ifndef __NR_lsm_get_self_attr
#define __NR_lsm_get_self_attr 459
#endif
#ifndef __NR_lsm_set_self_attr
#define __NR_lsm_set_self_attr 460
#endif
#ifndef __NR_lsm_list_modules
#define __NR_lsm_list_modules 461
#endif
#ifndef __NR_mseal
#define __NR_mseal 462
#endif
#ifndef __NR_setxattrat
#define __NR_setxattrat 463
#endif
#ifndef __NR_getxattrat
#define __NR_getxattrat 464
#endif
#ifndef __NR_listxattrat
#define __NR_listxattrat 465
#endif
#ifndef __NR_removexattrat
#define __NR_removexattrat 466
#endif
#ifndef __NR_open_tree_attr
#define __NR_open_tree_attr 467
#endif
#ifndef __NR_file_getattr
#define __NR_file_getattr 468
#endif
#ifndef __NR_file_setattr
#define __NR_file_setattr 469
#endif
#ifndef __NR_listns
#define __NR_listns 470
#endif

/* The argument count is derived from the list, so it cannot disagree with
 * it; a seventh argument does not compile. */
#define COUNT_ARGS(...) COUNT_ARGS_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)
#define COUNT_ARGS_(a, b, c, d, e, f, n, ...) n

#define ENTRY(name, ret, ...) \
	[__NR_##name] = { #name, sys_##name, COUNT_ARGS(__VA_ARGS__), { __VA_ARGS__ }, ret }
#define SYS(name, ...)       ENTRY(name, RET_INT, __VA_ARGS__)
#define SYS_HEX(name, ...)   ENTRY(name, RET_HEX, __VA_ARGS__)
#define SYS_NORET(name, ...) ENTRY(name, RET_NONE, __VA_ARGS__)
#define SYS0(name)           [__NR_##name] = { #name, sys_##name, 0, { 0 }, RET_INT }

const struct syscall_desc syscall_table[SYSCALL_TABLE_SIZE] = {
	SYS(read, ARG_FD, ARG_STR_OUT, ARG_SIZE),
	SYS(write, ARG_FD, ARG_STR_IN, ARG_SIZE),
	SYS(open, ARG_PATH, ARG_OPEN_FLAGS, ARG_MODE),
	SYS(close, ARG_FD),
	SYS(stat, ARG_PATH, ARG_STAT_OUT),
	SYS(fstat, ARG_FD, ARG_STAT_OUT),
	SYS(lstat, ARG_PATH, ARG_STAT_OUT),
	SYS(poll, ARG_POLLFD, ARG_UINT, ARG_INT),
	SYS(lseek, ARG_FD, ARG_OFF, ARG_WHENCE),
	SYS_HEX(mmap, ARG_PTR, ARG_SIZE, ARG_PROT, ARG_MMAP_FLAGS, ARG_FD, ARG_HEX),
	SYS(mprotect, ARG_PTR, ARG_SIZE, ARG_PROT),
	SYS(munmap, ARG_PTR, ARG_SIZE),
	SYS_HEX(brk, ARG_PTR),
	SYS(rt_sigaction, ARG_SIGNUM, ARG_SIGACTION, ARGX_SIGACTION_OUT, ARG_SIZE),
	SYS(rt_sigprocmask, ARG_SIGPROCMASK_HOW, ARG_SIGSET, ARGX_SIGSET_OUT, ARG_SIZE),
	/* Returns the interrupted context's rax, which may look like an error. */
	SYS0(rt_sigreturn),
	SYS(ioctl, ARG_FD, ARG_IOCTL_CMD, ARG_HEX),
	SYS(pread64, ARG_FD, ARG_STR_OUT, ARG_SIZE, ARG_OFF),
	SYS(pwrite64, ARG_FD, ARG_STR_IN, ARG_SIZE, ARG_OFF),
	SYS(readv, ARG_FD, ARG_IOV_OUT, ARG_INT),
	SYS(writev, ARG_FD, ARG_IOV_IN, ARG_INT),
	SYS(access, ARG_PATH, ARG_ACCESS_MODE),
	SYS(pipe, ARG_INT_PTR_OUT),
	SYS(select, ARG_INT, ARG_PTR, ARG_PTR, ARG_PTR, ARG_PTR),
	SYS0(sched_yield),
	SYS_HEX(mremap, ARG_PTR, ARG_SIZE, ARG_SIZE, ARGX_MREMAP_FLAGS, ARG_PTR),
	SYS(msync, ARG_PTR, ARG_SIZE, ARGX_MSYNC_FLAGS),
	SYS(mincore, ARG_PTR, ARG_SIZE, ARG_PTR),
	SYS(madvise, ARG_PTR, ARG_SIZE, ARG_MADVISE),
	SYS(shmget, ARG_HEX, ARG_SIZE, ARG_HEX),
	SYS_HEX(shmat, ARG_INT, ARG_PTR, ARG_HEX),
	SYS(shmctl, ARG_INT, ARG_INT, ARG_PTR),
	SYS(dup, ARG_FD),
	SYS(dup2, ARG_FD, ARG_FD),
	SYS0(pause),
	/* rem is only written when interrupted: shown as an address. */
	SYS(nanosleep, ARG_TIMESPEC, ARG_PTR),
	SYS(getitimer, ARG_INT, ARG_PTR),
	SYS(alarm, ARG_UINT),
	SYS(setitimer, ARG_INT, ARG_PTR, ARG_PTR),
	SYS0(getpid),
	SYS(sendfile, ARG_FD, ARG_FD, ARG_PTR, ARG_SIZE),
	SYS(socket, ARG_SOCK_FAMILY, ARG_SOCK_TYPE, ARG_INT),
	SYS(connect, ARG_FD, ARG_SOCKADDR, ARG_UINT),
	SYS(accept, ARG_FD, ARGX_SOCKADDR_OUT, ARG_PTR),
	SYS(sendto, ARG_FD, ARG_STR_IN, ARG_SIZE, ARG_HEX, ARG_SOCKADDR, ARG_UINT),
	SYS(recvfrom, ARG_FD, ARG_STR_OUT, ARG_SIZE, ARG_HEX, ARGX_SOCKADDR_OUT, ARG_PTR),
	SYS(sendmsg, ARG_FD, ARG_PTR, ARG_HEX),
	SYS(recvmsg, ARG_FD, ARG_PTR, ARG_HEX),
	SYS(shutdown, ARG_FD, ARGX_SHUTDOWN_HOW),
	SYS(bind, ARG_FD, ARG_SOCKADDR, ARG_UINT),
	SYS(listen, ARG_FD, ARG_INT),
	SYS(getsockname, ARG_FD, ARGX_SOCKADDR_OUT, ARG_PTR),
	SYS(getpeername, ARG_FD, ARGX_SOCKADDR_OUT, ARG_PTR),
	SYS(socketpair, ARG_SOCK_FAMILY, ARG_SOCK_TYPE, ARG_INT, ARG_INT_PTR_OUT),
	SYS(setsockopt, ARG_FD, ARG_INT, ARG_INT, ARG_PTR, ARG_UINT),
	SYS(getsockopt, ARG_FD, ARG_INT, ARG_INT, ARG_PTR, ARG_PTR),
	/* x86-64 order: flags, stack, parent_tid, child_tid, tls. */
	SYS(clone, ARG_CLONE_FLAGS, ARG_PTR, ARG_PTR, ARG_PTR, ARG_HEX),
	SYS0(fork),
	SYS0(vfork),
	SYS(execve, ARG_PATH, ARG_STRV, ARGX_ENVP),
	SYS_NORET(exit, ARG_INT),
	SYS(wait4, ARG_INT, ARGX_WAIT_STATUS, ARG_WAIT_OPTIONS, ARG_PTR),
	SYS(kill, ARG_INT, ARG_SIGNUM),
	SYS(uname, ARG_UNAME_OUT),
	SYS(semget, ARG_HEX, ARG_INT, ARG_HEX),
	SYS(semop, ARG_INT, ARG_PTR, ARG_SIZE),
	SYS(semctl, ARG_INT, ARG_INT, ARG_INT, ARG_HEX),
	SYS(shmdt, ARG_PTR),
	SYS(msgget, ARG_HEX, ARG_HEX),
	SYS(msgsnd, ARG_INT, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(msgrcv, ARG_INT, ARG_PTR, ARG_SIZE, ARG_OFF, ARG_HEX),
	SYS(msgctl, ARG_INT, ARG_INT, ARG_PTR),
	SYS(fcntl, ARG_FD, ARG_FCNTL_CMD, ARGX_FCNTL_ARG),
	SYS(flock, ARG_FD, ARGX_FLOCK_OP),
	SYS(fsync, ARG_FD),
	SYS(fdatasync, ARG_FD),
	SYS(truncate, ARG_PATH, ARG_OFF),
	SYS(ftruncate, ARG_FD, ARG_OFF),
	SYS(getdents, ARG_FD, ARG_PTR, ARG_UINT),
	SYS(getcwd, ARGX_PATH_OUT, ARG_SIZE),
	SYS(chdir, ARG_PATH),
	SYS(fchdir, ARG_FD),
	SYS(rename, ARG_PATH, ARG_PATH),
	SYS(mkdir, ARG_PATH, ARG_MODE),
	SYS(rmdir, ARG_PATH),
	SYS(creat, ARG_PATH, ARG_MODE),
	SYS(link, ARG_PATH, ARG_PATH),
	SYS(unlink, ARG_PATH),
	SYS(symlink, ARG_PATH, ARG_PATH),
	SYS(readlink, ARG_PATH, ARG_STR_OUT, ARG_SIZE),
	SYS(chmod, ARG_PATH, ARG_MODE),
	SYS(fchmod, ARG_FD, ARG_MODE),
	SYS(chown, ARG_PATH, ARG_INT, ARG_INT),
	SYS(fchown, ARG_FD, ARG_INT, ARG_INT),
	SYS(lchown, ARG_PATH, ARG_INT, ARG_INT),
	SYS(umask, ARG_MODE),
	SYS(gettimeofday, ARG_PTR, ARG_PTR),
	SYS(getrlimit, ARG_RLIMIT_RES, ARGX_RLIMIT_OUT),
	SYS(getrusage, ARG_INT, ARG_PTR),
	SYS(sysinfo, ARG_PTR),
	SYS(times, ARG_PTR),
	SYS(ptrace, ARG_INT, ARG_INT, ARG_PTR, ARG_PTR),
	SYS0(getuid),
	SYS(syslog, ARG_INT, ARG_PTR, ARG_INT),
	SYS0(getgid),
	SYS(setuid, ARG_INT),
	SYS(setgid, ARG_INT),
	SYS0(geteuid),
	SYS0(getegid),
	SYS(setpgid, ARG_INT, ARG_INT),
	SYS0(getppid),
	SYS0(getpgrp),
	SYS0(setsid),
	SYS(setreuid, ARG_INT, ARG_INT),
	SYS(setregid, ARG_INT, ARG_INT),
	SYS(getgroups, ARG_INT, ARG_PTR),
	SYS(setgroups, ARG_INT, ARG_PTR),
	SYS(setresuid, ARG_INT, ARG_INT, ARG_INT),
	SYS(getresuid, ARG_PTR, ARG_PTR, ARG_PTR),
	SYS(setresgid, ARG_INT, ARG_INT, ARG_INT),
	SYS(getresgid, ARG_PTR, ARG_PTR, ARG_PTR),
	SYS(getpgid, ARG_INT),
	SYS(setfsuid, ARG_INT),
	SYS(setfsgid, ARG_INT),
	SYS(getsid, ARG_INT),
	SYS(capget, ARG_PTR, ARG_PTR),
	SYS(capset, ARG_PTR, ARG_PTR),
	SYS(rt_sigpending, ARGX_SIGSET_OUT, ARG_SIZE),
	SYS(rt_sigtimedwait, ARG_SIGSET, ARG_PTR, ARG_TIMESPEC, ARG_SIZE),
	SYS(rt_sigqueueinfo, ARG_INT, ARG_SIGNUM, ARG_PTR),
	SYS(rt_sigsuspend, ARG_SIGSET, ARG_SIZE),
	SYS(sigaltstack, ARG_PTR, ARG_PTR),
	SYS(utime, ARG_PATH, ARG_PTR),
	SYS(mknod, ARG_PATH, ARG_MODE, ARG_HEX),
	SYS(uselib, ARG_PATH),
	SYS(personality, ARG_HEX),
	SYS(ustat, ARG_HEX, ARG_PTR),
	SYS(statfs, ARG_PATH, ARG_STATFS_OUT),
	SYS(fstatfs, ARG_FD, ARG_STATFS_OUT),
	SYS(sysfs, ARG_INT, ARG_HEX, ARG_HEX),
	SYS(getpriority, ARG_INT, ARG_INT),
	SYS(setpriority, ARG_INT, ARG_INT, ARG_INT),
	SYS(sched_setparam, ARG_INT, ARG_PTR),
	SYS(sched_getparam, ARG_INT, ARG_PTR),
	SYS(sched_setscheduler, ARG_INT, ARG_INT, ARG_PTR),
	SYS(sched_getscheduler, ARG_INT),
	SYS(sched_get_priority_max, ARG_INT),
	SYS(sched_get_priority_min, ARG_INT),
	SYS(sched_rr_get_interval, ARG_INT, ARGX_TIMESPEC_OUT),
	SYS(mlock, ARG_PTR, ARG_SIZE),
	SYS(munlock, ARG_PTR, ARG_SIZE),
	SYS(mlockall, ARG_HEX),
	SYS0(munlockall),
	SYS0(vhangup),
	SYS(modify_ldt, ARG_INT, ARG_PTR, ARG_SIZE),
	SYS(pivot_root, ARG_PATH, ARG_PATH),
	SYS(_sysctl, ARG_PTR),
	SYS(prctl, ARG_PRCTL_OP, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(arch_prctl, ARG_ARCH_PRCTL, ARG_HEX),
	SYS(adjtimex, ARG_PTR),
	SYS(setrlimit, ARG_RLIMIT_RES, ARGX_RLIMIT),
	SYS(chroot, ARG_PATH),
	SYS0(sync),
	SYS(acct, ARG_PATH),
	SYS(settimeofday, ARG_PTR, ARG_PTR),
	SYS(mount, ARG_PATH, ARG_PATH, ARG_PATH, ARG_HEX, ARG_PTR),
	SYS(umount2, ARG_PATH, ARG_HEX),
	SYS(swapon, ARG_PATH, ARG_HEX),
	SYS(swapoff, ARG_PATH),
	SYS(reboot, ARG_HEX, ARG_HEX, ARG_HEX, ARG_PTR),
	SYS(sethostname, ARG_STR_IN, ARG_SIZE),
	SYS(setdomainname, ARG_STR_IN, ARG_SIZE),
	SYS(iopl, ARG_INT),
	SYS(ioperm, ARG_HEX, ARG_HEX, ARG_INT),
	/* Removed from the kernel; kept with their old arguments. */
	SYS(create_module, ARG_PATH, ARG_SIZE),
	SYS(init_module, ARG_PTR, ARG_SIZE, ARG_PATH),
	SYS(delete_module, ARG_PATH, ARG_HEX),
	SYS(get_kernel_syms, ARG_PTR),
	SYS(query_module, ARG_PATH, ARG_INT, ARG_PTR, ARG_SIZE, ARG_PTR),
	SYS(quotactl, ARG_HEX, ARG_PATH, ARG_INT, ARG_PTR),
	SYS(nfsservctl, ARG_INT, ARG_PTR, ARG_PTR),
	/* Never implemented: raw arguments, as strace shows them. */
	SYS(getpmsg, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(putpmsg, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(afs_syscall, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(tuxcall, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(security, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS0(gettid),
	SYS(readahead, ARG_FD, ARG_OFF, ARG_SIZE),
	SYS(setxattr, ARG_PATH, ARG_PATH, ARG_STR_IN, ARG_SIZE, ARG_HEX),
	SYS(lsetxattr, ARG_PATH, ARG_PATH, ARG_STR_IN, ARG_SIZE, ARG_HEX),
	SYS(fsetxattr, ARG_FD, ARG_PATH, ARG_STR_IN, ARG_SIZE, ARG_HEX),
	SYS(getxattr, ARG_PATH, ARG_PATH, ARG_STR_OUT, ARG_SIZE),
	SYS(lgetxattr, ARG_PATH, ARG_PATH, ARG_STR_OUT, ARG_SIZE),
	SYS(fgetxattr, ARG_FD, ARG_PATH, ARG_STR_OUT, ARG_SIZE),
	SYS(listxattr, ARG_PATH, ARG_STR_OUT, ARG_SIZE),
	SYS(llistxattr, ARG_PATH, ARG_STR_OUT, ARG_SIZE),
	SYS(flistxattr, ARG_FD, ARG_STR_OUT, ARG_SIZE),
	SYS(removexattr, ARG_PATH, ARG_PATH),
	SYS(lremovexattr, ARG_PATH, ARG_PATH),
	SYS(fremovexattr, ARG_FD, ARG_PATH),
	SYS(tkill, ARG_INT, ARG_SIGNUM),
	SYS(time, ARG_PTR),
	/* strace.c shows only the arguments the operation uses, and the
	 * fourth as a timeout or a count depending on it. */
	SYS(futex, ARG_PTR, ARG_FUTEX_OP, ARG_INT, ARG_TIMESPEC, ARG_PTR, ARG_HEX),
	SYS(sched_setaffinity, ARG_INT, ARG_SIZE, ARG_PTR),
	SYS(sched_getaffinity, ARG_INT, ARG_SIZE, ARG_PTR),
	SYS(set_thread_area, ARG_PTR),
	SYS(io_setup, ARG_UINT, ARG_PTR),
	SYS(io_destroy, ARG_HEX),
	SYS(io_getevents, ARG_HEX, ARG_OFF, ARG_OFF, ARG_PTR, ARG_TIMESPEC),
	SYS(io_submit, ARG_HEX, ARG_OFF, ARG_PTR),
	SYS(io_cancel, ARG_HEX, ARG_PTR, ARG_PTR),
	SYS(get_thread_area, ARG_PTR),
	SYS(lookup_dcookie, ARG_HEX, ARG_PTR, ARG_SIZE),
	SYS(epoll_create, ARG_INT),
	SYS(epoll_ctl_old, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(epoll_wait_old, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(remap_file_pages, ARG_PTR, ARG_SIZE, ARG_PROT, ARG_SIZE, ARG_HEX),
	SYS(getdents64, ARG_FD, ARG_PTR, ARG_UINT),
	SYS(set_tid_address, ARG_PTR),
	SYS0(restart_syscall),
	SYS(semtimedop, ARG_INT, ARG_PTR, ARG_SIZE, ARG_TIMESPEC),
	SYS(fadvise64, ARG_FD, ARG_OFF, ARG_OFF, ARG_INT),
	SYS(timer_create, ARG_CLOCKID, ARG_PTR, ARG_PTR),
	SYS(timer_settime, ARG_INT, ARG_HEX, ARG_PTR, ARG_PTR),
	SYS(timer_gettime, ARG_INT, ARG_PTR),
	SYS(timer_getoverrun, ARG_INT),
	SYS(timer_delete, ARG_INT),
	SYS(clock_settime, ARG_CLOCKID, ARG_TIMESPEC),
	SYS(clock_gettime, ARG_CLOCKID, ARGX_TIMESPEC_OUT),
	SYS(clock_getres, ARG_CLOCKID, ARGX_TIMESPEC_OUT),
	SYS(clock_nanosleep, ARG_CLOCKID, ARG_HEX, ARG_TIMESPEC, ARG_PTR),
	SYS_NORET(exit_group, ARG_INT),
	SYS(epoll_wait, ARG_FD, ARG_PTR, ARG_INT, ARG_INT),
	SYS(epoll_ctl, ARG_FD, ARGX_EPOLL_CTL_OP, ARG_FD, ARG_PTR),
	SYS(tgkill, ARG_INT, ARG_INT, ARG_SIGNUM),
	SYS(utimes, ARG_PATH, ARG_PTR),
	SYS(vserver, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(mbind, ARG_PTR, ARG_SIZE, ARG_INT, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(set_mempolicy, ARG_INT, ARG_PTR, ARG_SIZE),
	SYS(get_mempolicy, ARG_PTR, ARG_PTR, ARG_SIZE, ARG_PTR, ARG_HEX),
	SYS(mq_open, ARG_PATH, ARG_OPEN_FLAGS, ARG_MODE, ARG_PTR),
	SYS(mq_unlink, ARG_PATH),
	SYS(mq_timedsend, ARG_FD, ARG_STR_IN, ARG_SIZE, ARG_UINT, ARG_TIMESPEC),
	SYS(mq_timedreceive, ARG_FD, ARG_STR_OUT, ARG_SIZE, ARG_PTR, ARG_TIMESPEC),
	SYS(mq_notify, ARG_FD, ARG_PTR),
	SYS(mq_getsetattr, ARG_FD, ARG_PTR, ARG_PTR),
	SYS(kexec_load, ARG_HEX, ARG_SIZE, ARG_PTR, ARG_HEX),
	SYS(waitid, ARG_INT, ARG_INT, ARG_PTR, ARG_WAIT_OPTIONS, ARG_PTR),
	SYS(add_key, ARG_PATH, ARG_PATH, ARG_STR_IN, ARG_SIZE, ARG_INT),
	SYS(request_key, ARG_PATH, ARG_PATH, ARG_PATH, ARG_INT),
	SYS(keyctl, ARG_INT, ARG_HEX, ARG_HEX, ARG_HEX, ARG_HEX),
	SYS(ioprio_set, ARG_INT, ARG_INT, ARG_INT),
	SYS(ioprio_get, ARG_INT, ARG_INT),
	SYS0(inotify_init),
	SYS(inotify_add_watch, ARG_FD, ARG_PATH, ARG_HEX),
	SYS(inotify_rm_watch, ARG_FD, ARG_INT),
	SYS(migrate_pages, ARG_INT, ARG_SIZE, ARG_PTR, ARG_PTR),
	SYS(openat, ARG_FD, ARG_PATH, ARG_OPEN_FLAGS, ARG_MODE),
	SYS(mkdirat, ARG_FD, ARG_PATH, ARG_MODE),
	SYS(mknodat, ARG_FD, ARG_PATH, ARG_MODE, ARG_HEX),
	SYS(fchownat, ARG_FD, ARG_PATH, ARG_INT, ARG_INT, ARG_AT_FLAGS),
	SYS(futimesat, ARG_FD, ARG_PATH, ARG_PTR),
	SYS(newfstatat, ARG_FD, ARG_PATH, ARG_STAT_OUT, ARG_AT_FLAGS),
	SYS(unlinkat, ARG_FD, ARG_PATH, ARG_AT_FLAGS),
	SYS(renameat, ARG_FD, ARG_PATH, ARG_FD, ARG_PATH),
	SYS(linkat, ARG_FD, ARG_PATH, ARG_FD, ARG_PATH, ARG_AT_FLAGS),
	SYS(symlinkat, ARG_PATH, ARG_FD, ARG_PATH),
	SYS(readlinkat, ARG_FD, ARG_PATH, ARG_STR_OUT, ARG_SIZE),
	/* The kernel's fchmodat and faccessat take no flags (glibc emulates
	 * them); fchmodat2 and faccessat2 do. */
	SYS(fchmodat, ARG_FD, ARG_PATH, ARG_MODE),
	SYS(faccessat, ARG_FD, ARG_PATH, ARG_ACCESS_MODE),
	SYS(pselect6, ARG_INT, ARG_PTR, ARG_PTR, ARG_PTR, ARG_TIMESPEC, ARG_PTR),
	SYS(ppoll, ARG_POLLFD, ARG_UINT, ARG_TIMESPEC, ARG_SIGSET, ARG_SIZE),
	SYS(unshare, ARG_CLONE_FLAGS),
	SYS(set_robust_list, ARG_PTR, ARG_SIZE),
	SYS(get_robust_list, ARG_INT, ARG_PTR, ARG_PTR),
	SYS(splice, ARG_FD, ARG_PTR, ARG_FD, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(tee, ARG_FD, ARG_FD, ARG_SIZE, ARG_HEX),
	SYS(sync_file_range, ARG_FD, ARG_OFF, ARG_OFF, ARG_HEX),
	SYS(vmsplice, ARG_FD, ARG_IOV_IN, ARG_SIZE, ARG_HEX),
	SYS(move_pages, ARG_INT, ARG_SIZE, ARG_PTR, ARG_PTR, ARG_PTR, ARG_HEX),
	SYS(utimensat, ARG_FD, ARG_PATH, ARG_PTR, ARG_AT_FLAGS),
	SYS(epoll_pwait, ARG_FD, ARG_PTR, ARG_INT, ARG_INT, ARG_SIGSET, ARG_SIZE),
	SYS(signalfd, ARG_FD, ARG_SIGSET, ARG_SIZE),
	SYS(timerfd_create, ARG_CLOCKID, ARGX_OFLAGS),
	SYS(eventfd, ARG_UINT),
	SYS(fallocate, ARG_FD, ARG_HEX, ARG_OFF, ARG_OFF),
	SYS(timerfd_settime, ARG_FD, ARG_HEX, ARG_PTR, ARG_PTR),
	SYS(timerfd_gettime, ARG_FD, ARG_PTR),
	SYS(accept4, ARG_FD, ARGX_SOCKADDR_OUT, ARG_PTR, ARGX_SOCK_FLAGS),
	SYS(signalfd4, ARG_FD, ARG_SIGSET, ARG_SIZE, ARGX_OFLAGS),
	SYS(eventfd2, ARG_UINT, ARGX_OFLAGS),
	SYS(epoll_create1, ARGX_OFLAGS),
	SYS(dup3, ARG_FD, ARG_FD, ARGX_OFLAGS),
	SYS(pipe2, ARG_INT_PTR_OUT, ARGX_OFLAGS),
	SYS(inotify_init1, ARGX_OFLAGS),
	/* The offset's high half (r8) is 0 on x86-64 and not shown. */
	SYS(preadv, ARG_FD, ARG_IOV_OUT, ARG_INT, ARG_OFF),
	SYS(pwritev, ARG_FD, ARG_IOV_IN, ARG_INT, ARG_OFF),
	SYS(rt_tgsigqueueinfo, ARG_INT, ARG_INT, ARG_SIGNUM, ARG_PTR),
	SYS(perf_event_open, ARG_PTR, ARG_INT, ARG_INT, ARG_FD, ARG_HEX),
	SYS(recvmmsg, ARG_FD, ARG_PTR, ARG_UINT, ARG_HEX, ARG_TIMESPEC),
	SYS(fanotify_init, ARG_HEX, ARG_HEX),
	SYS(fanotify_mark, ARG_FD, ARG_HEX, ARG_HEX, ARG_FD, ARG_PATH),
	SYS(prlimit64, ARG_INT, ARG_RLIMIT_RES, ARGX_RLIMIT, ARGX_RLIMIT_OUT),
	SYS(name_to_handle_at, ARG_FD, ARG_PATH, ARG_PTR, ARG_PTR, ARG_AT_FLAGS),
	SYS(open_by_handle_at, ARG_FD, ARG_PTR, ARG_OPEN_FLAGS),
	SYS(clock_adjtime, ARG_CLOCKID, ARG_PTR),
	SYS(syncfs, ARG_FD),
	SYS(sendmmsg, ARG_FD, ARG_PTR, ARG_UINT, ARG_HEX),
	SYS(setns, ARG_FD, ARG_CLONE_FLAGS),
	SYS(getcpu, ARG_PTR, ARG_PTR, ARG_PTR),
	SYS(process_vm_readv, ARG_INT, ARG_PTR, ARG_SIZE, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(process_vm_writev, ARG_INT, ARG_PTR, ARG_SIZE, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(kcmp, ARG_INT, ARG_INT, ARG_INT, ARG_HEX, ARG_HEX),
	SYS(finit_module, ARG_FD, ARG_PATH, ARG_HEX),
	SYS(sched_setattr, ARG_INT, ARG_PTR, ARG_HEX),
	SYS(sched_getattr, ARG_INT, ARG_PTR, ARG_UINT, ARG_HEX),
	SYS(renameat2, ARG_FD, ARG_PATH, ARG_FD, ARG_PATH, ARG_RENAME_FLAGS),
	SYS(seccomp, ARG_UINT, ARG_HEX, ARG_PTR),
	SYS(getrandom, ARG_STR_OUT, ARG_SIZE, ARGX_GETRANDOM_FLAGS),
	SYS(memfd_create, ARG_PATH, ARGX_MEMFD_FLAGS),
	SYS(kexec_file_load, ARG_FD, ARG_FD, ARG_SIZE, ARG_PATH, ARG_HEX),
	SYS(bpf, ARG_INT, ARG_PTR, ARG_UINT),
	SYS(execveat, ARG_FD, ARG_PATH, ARG_STRV, ARGX_ENVP, ARG_AT_FLAGS),
	SYS(userfaultfd, ARGX_OFLAGS),
	SYS(membarrier, ARG_INT, ARG_HEX, ARG_INT),
	SYS(mlock2, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(copy_file_range, ARG_FD, ARG_PTR, ARG_FD, ARG_PTR, ARG_SIZE, ARG_HEX),
	/* fd, iov, iovcnt, pos_l, pos_h, flags: the flags are in r9. */
	SYS(preadv2, ARG_FD, ARG_IOV_OUT, ARG_INT, ARG_OFF, ARG_HEX, ARG_HEX),
	SYS(pwritev2, ARG_FD, ARG_IOV_IN, ARG_INT, ARG_OFF, ARG_HEX, ARG_HEX),
	SYS(pkey_mprotect, ARG_PTR, ARG_SIZE, ARG_PROT, ARG_INT),
	SYS(pkey_alloc, ARG_HEX, ARG_HEX),
	SYS(pkey_free, ARG_INT),
	SYS(statx, ARG_FD, ARG_PATH, ARG_AT_FLAGS, ARG_HEX, ARGX_STATX_OUT),
	SYS(io_pgetevents, ARG_HEX, ARG_OFF, ARG_OFF, ARG_PTR, ARG_TIMESPEC, ARG_PTR),
	SYS(rseq, ARG_PTR, ARG_UINT, ARG_HEX, ARG_HEX),

	SYS(pidfd_send_signal, ARG_FD, ARG_SIGNUM, ARG_PTR, ARG_HEX),
	SYS(io_uring_setup, ARG_UINT, ARG_PTR),
	SYS(io_uring_enter, ARG_FD, ARG_UINT, ARG_UINT, ARG_HEX, ARG_PTR, ARG_SIZE),
	SYS(io_uring_register, ARG_FD, ARG_UINT, ARG_PTR, ARG_UINT),
	SYS(open_tree, ARG_FD, ARG_PATH, ARG_HEX),
	SYS(move_mount, ARG_FD, ARG_PATH, ARG_FD, ARG_PATH, ARG_HEX),
	SYS(fsopen, ARG_PATH, ARG_HEX),
	SYS(fsconfig, ARG_FD, ARG_UINT, ARG_PATH, ARG_PTR, ARG_INT),
	SYS(fsmount, ARG_FD, ARG_HEX, ARG_HEX),
	SYS(fspick, ARG_FD, ARG_PATH, ARG_HEX),
	SYS(pidfd_open, ARG_INT, ARG_HEX),
	SYS(clone3, ARGX_CLONE3_ARGS, ARG_SIZE),
	SYS(close_range, ARG_UINT, ARG_UINT, ARG_HEX),
	SYS(openat2, ARG_FD, ARG_PATH, ARGX_OPEN_HOW, ARG_SIZE),
	SYS(pidfd_getfd, ARG_FD, ARG_INT, ARG_HEX),
	SYS(faccessat2, ARG_FD, ARG_PATH, ARG_ACCESS_MODE, ARGX_ACCESS_AT_FLAGS),
	SYS(process_madvise, ARG_FD, ARG_PTR, ARG_SIZE, ARG_MADVISE, ARG_HEX),
	SYS(epoll_pwait2, ARG_FD, ARG_PTR, ARG_INT, ARG_TIMESPEC, ARG_SIGSET, ARG_SIZE),
	SYS(mount_setattr, ARG_FD, ARG_PATH, ARG_AT_FLAGS, ARG_PTR, ARG_SIZE),
	SYS(quotactl_fd, ARG_FD, ARG_HEX, ARG_INT, ARG_PTR),
	SYS(landlock_create_ruleset, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(landlock_add_rule, ARG_FD, ARG_INT, ARG_PTR, ARG_HEX),
	SYS(landlock_restrict_self, ARG_FD, ARG_HEX),
	SYS(memfd_secret, ARG_HEX),
	SYS(process_mrelease, ARG_FD, ARG_HEX),
	SYS(futex_waitv, ARG_PTR, ARG_UINT, ARG_HEX, ARG_TIMESPEC, ARG_CLOCKID),
	SYS(set_mempolicy_home_node, ARG_PTR, ARG_SIZE, ARG_HEX, ARG_HEX),
	SYS(cachestat, ARG_FD, ARG_PTR, ARG_PTR, ARG_HEX),
	SYS(fchmodat2, ARG_FD, ARG_PATH, ARG_MODE, ARG_AT_FLAGS),
	SYS_HEX(map_shadow_stack, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(futex_wake, ARG_PTR, ARG_HEX, ARG_INT, ARG_HEX),
	SYS(futex_wait, ARG_PTR, ARG_HEX, ARG_HEX, ARG_HEX, ARG_TIMESPEC, ARG_CLOCKID),
	SYS(futex_requeue, ARG_PTR, ARG_HEX, ARG_INT, ARG_INT),
	SYS(statmount, ARG_PTR, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(listmount, ARG_PTR, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(lsm_get_self_attr, ARG_UINT, ARG_PTR, ARG_PTR, ARG_HEX),
	SYS(lsm_set_self_attr, ARG_UINT, ARG_PTR, ARG_UINT, ARG_HEX),
	SYS(lsm_list_modules, ARG_PTR, ARG_PTR, ARG_HEX),
	SYS(mseal, ARG_PTR, ARG_SIZE, ARG_HEX),
	SYS(setxattrat, ARG_FD, ARG_PATH, ARG_AT_FLAGS, ARG_PATH, ARG_PTR, ARG_SIZE),
	SYS(getxattrat, ARG_FD, ARG_PATH, ARG_AT_FLAGS, ARG_PATH, ARG_PTR, ARG_SIZE),
	SYS(listxattrat, ARG_FD, ARG_PATH, ARG_AT_FLAGS, ARG_STR_OUT, ARG_SIZE),
	SYS(removexattrat, ARG_FD, ARG_PATH, ARG_AT_FLAGS, ARG_PATH),
	SYS(open_tree_attr, ARG_FD, ARG_PATH, ARG_HEX, ARG_PTR, ARG_SIZE),
	SYS(file_getattr, ARG_FD, ARG_PATH, ARG_PTR, ARG_SIZE, ARG_AT_FLAGS),
	SYS(file_setattr, ARG_FD, ARG_PATH, ARG_PTR, ARG_SIZE, ARG_AT_FLAGS),
	SYS(listns, ARG_PTR, ARG_PTR, ARG_SIZE, ARG_HEX),
};
