/* memfd seals (F_ADD_SEALS / F_GET_SEALS): F_SEAL_WRITE refuses writes
 * and shared writable mappings (and cannot be added while one exists),
 * F_SEAL_SHRINK and F_SEAL_GROW fix the size in one direction,
 * F_SEAL_SEAL freezes the set; memfds made without MFD_ALLOW_SEALING and
 * ordinary files refuse them. */
#include "check.h"

#include <linux/falloc.h>
#include <sys/mman.h>

int main(void)
{
    make_tmpdir();
    /* Without MFD_ALLOW_SEALING the memfd is sealed against seals. */
    int plain = CHECK_OK(memfd_create("plain", 0));
    CHECK_EQ(fcntl(plain, F_GET_SEALS), F_SEAL_SEAL);
    CHECK_ERR(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    /* Ordinary files have none. */
    int file = CHECK_OK(open(tpath("f"), O_RDWR | O_CREAT, 0600));
    CHECK_ERR(fcntl(file, F_GET_SEALS), EINVAL);
    CHECK_ERR(fcntl(file, F_ADD_SEALS, F_SEAL_WRITE), EINVAL);

    int fd = CHECK_OK(memfd_create("sealed", MFD_ALLOW_SEALING));
    CHECK_EQ(fcntl(fd, F_GET_SEALS), 0);
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0x8000), EINVAL);

    /* F_SEAL_SHRINK: no truncating down; growing and writing are fine. */
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
    CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK);
    CHECK_ERR(ftruncate(fd, 5), EPERM);
    CHECK_OK(ftruncate(fd, 20));
    CHECK_OK(ftruncate(fd, 20));
    CHECK_EQ(pwrite(fd, "abc", 3, 18), 3);
    struct stat st;
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 21);

    /* F_SEAL_GROW: no growing by truncate, write or fallocate. */
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
    CHECK_ERR(ftruncate(fd, 22), EPERM);
    CHECK_ERR(pwrite(fd, "xyz", 3, 20), EPERM);
    CHECK_EQ(pwrite(fd, "xy", 2, 19), 2);   /* up to the end is fine */
    CHECK_ERR(fallocate(fd, 0, 0, 100), EPERM);
    CHECK_OK(fallocate(fd, 0, 0, 10));
    CHECK_OK(fstat(fd, &st));
    CHECK_EQ(st.st_size, 21);

    /* F_SEAL_WRITE is refused while a shared writable mapping exists. */
    char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(m != MAP_FAILED);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    /* Also when the mapping is only in a child. */
    int ready[2];
    CHECK_OK(pipe(ready));
    CHECK_OK(munmap(m, 4096));
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        char *cm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        CHECK(cm != MAP_FAILED);
        CHECK_EQ(write(ready[1], "m", 1), 1);
        pause();
        _exit(0);
    }
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    CHECK_OK(kill(pid, SIGKILL));
    CHECK_CHILD_SIGNALED(pid, SIGKILL);
    /* A private mapping does not stand in the way. */
    char *pm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(pm != MAP_FAILED);
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);

    /* Now writes fail, the data stays readable, and shared writable
     * mappings are refused; private ones are copies and still work. */
    CHECK_ERR(pwrite(fd, "z", 1, 0), EPERM);
    CHECK_ERR(write(fd, "z", 1), EPERM);
    CHECK_ERR(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 5), EPERM);
    char buf[32];
    CHECK_EQ(pread(fd, buf, 10, 0), 10);
    CHECK_MEMEQ(buf, "0123456789", 10);
    CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
    CHECK_EQ(errno, EPERM);
    pm[0] = 'P';
    CHECK_EQ(pread(fd, buf, 1, 0), 1);
    CHECK_EQ(buf[0], '0');
    CHECK_OK(munmap(pm, 4096));

    /* F_SEAL_SEAL: nothing more, not even a seal already there. */
    CHECK_OK(fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), EPERM);
    CHECK_ERR(fcntl(fd, F_ADD_SEALS, 0), EPERM);
    CHECK_EQ(fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);

    /* Seals belong to the file: another descriptor sees them; adding
     * needs a writable one. */
    int rw = CHECK_OK(memfd_create("rw", MFD_ALLOW_SEALING));
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", rw);
    int ro = CHECK_OK(open(path, O_RDONLY));
    CHECK_ERR(fcntl(ro, F_ADD_SEALS, F_SEAL_GROW), EPERM);
    CHECK_OK(fcntl(rw, F_ADD_SEALS, F_SEAL_GROW));
    CHECK_EQ(fcntl(ro, F_GET_SEALS), F_SEAL_GROW);
    /* F_SEAL_FUTURE_WRITE: writes refused, existing mappings keep going. */
    CHECK_OK(ftruncate(rw, 0));
    int fw = CHECK_OK(memfd_create("fw", MFD_ALLOW_SEALING));
    CHECK_OK(ftruncate(fw, 4096));
    char *wm = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fw, 0);
    CHECK(wm != MAP_FAILED);
    CHECK_OK(fcntl(fw, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    CHECK_ERR(pwrite(fw, "a", 1, 0), EPERM);
    wm[0] = 'W';
    CHECK_EQ(pread(fw, buf, 1, 0), 1);
    CHECK_EQ(buf[0], 'W');
    CHECK(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fw, 0) == MAP_FAILED);
    CHECK_EQ(errno, EPERM);
    return 0;
}
