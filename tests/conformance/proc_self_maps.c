/* /proc/self/maps: new mappings appear with the right range, permissions,
 * offset and path; mprotect splits them; munmap removes them. */
#include "check.h"
#include <sys/mman.h>

static char maps[1 << 16];

/* Finds the line for [start, end); fills perms (4 chars), offset and the
 * path (possibly empty).  Returns 0 if there is no such line. */
static int find(void *start, void *end, char perms[5], unsigned long *off, char *path)
{
    read_file("/proc/self/maps", maps, sizeof maps);
    for (char *l = maps; *l;) {
        char *nl = strchr(l, '\n');
        if (nl)
            *nl = '\0';
        unsigned long s, e, o;
        char pr[5], p[PATH_MAX] = "";
        unsigned maj, min;
        unsigned long ino;
        int n = sscanf(l, "%lx-%lx %4s %lx %x:%x %lu %s", &s, &e, pr, &o, &maj, &min, &ino, p);
        if (n >= 7 && s == (unsigned long)start && e == (unsigned long)end) {
            memcpy(perms, pr, 5);
            *off = o;
            strcpy(path, n == 8 ? p : "");
            return 1;
        }
        if (!nl)
            break;
        l = nl + 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc;
    long page = sysconf(_SC_PAGESIZE);
    char perms[5], path[PATH_MAX];
    unsigned long off;

    /* Private read-only anonymous mapping. */
    char *a = CHECK_OK(mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    CHECK(find(a, a + 3 * page, perms, &off, path));
    CHECK_STREQ(perms, "r--p");
    CHECK_EQ(off, 0);
    CHECK_STREQ(path, "");

    /* mprotect of the middle page splits it into three lines. */
    CHECK_OK(mprotect(a + page, page, PROT_READ | PROT_WRITE));
    CHECK(!find(a, a + 3 * page, perms, &off, path));
    CHECK(find(a, a + page, perms, &off, path));
    CHECK_STREQ(perms, "r--p");
    CHECK(find(a + page, a + 2 * page, perms, &off, path));
    CHECK_STREQ(perms, "rw-p");
    CHECK(find(a + 2 * page, a + 3 * page, perms, &off, path));
    CHECK_STREQ(perms, "r--p");

    /* Shared anonymous mapping. */
    char *s = CHECK_OK(mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
    CHECK(find(s, s + page, perms, &off, path));
    CHECK_STREQ(perms, "rw-s");

    /* File mapping at an offset: the offset and the file's path. */
    make_tmpdir();
    char real[PATH_MAX];
    int fd = CHECK_OK(open(tpath("mapped"), O_RDWR | O_CREAT, 0600));
    CHECK_OK(ftruncate(fd, 4 * page));
    CHECK(realpath(tpath("mapped"), real) != NULL);
    char *f = CHECK_OK(mmap(NULL, 2 * page, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 2 * page));
    CHECK(find(f, f + 2 * page, perms, &off, path));
    CHECK_STREQ(perms, "r-xp");
    CHECK_EQ(off, 2 * page);
    CHECK_STREQ(path, real);

    /* Unmapped: gone. */
    CHECK_OK(munmap(s, page));
    CHECK(!find(s, s + page, perms, &off, path));

    /* The stack and our own executable are listed. */
    read_file("/proc/self/maps", maps, sizeof maps);
    CHECK(strstr(maps, "[stack]") != NULL);
    CHECK(realpath(self_path(argv), real) != NULL);
    CHECK(strstr(maps, real) != NULL);
    return 0;
}
