/* getdents64 reflects directory changes: created entries appear, removed
 * and renamed ones disappear; many entries are each listed exactly once. */
#include "check.h"

struct dent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

/* Count entries named `name` in directory `path` (fresh open each time);
 * also returns the total entry count through *total. */
static int count_name(const char *path, const char *name, int *total)
{
    char buf[1024] __attribute__((aligned(8)));
    int fd = CHECK_OK(open(path, O_RDONLY | O_DIRECTORY));
    int hits = 0, all = 0;
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct dent64 *d = (struct dent64 *)(buf + off);
            if (strcmp(d->d_name, name) == 0)
                hits++;
            all++;
            off += d->d_reclen;
        }
    }
    CHECK_EQ(n, 0);
    close(fd);
    if (total)
        *total = all;
    return hits;
}

int main(void)
{
    enter_tmpdir();
    CHECK_OK(mkdir("d", 0755));
    int total;

    CHECK_EQ(count_name("d", "a", &total), 0);
    CHECK_EQ(total, 2);
    write_file("d/a", "");
    CHECK_EQ(count_name("d", "a", &total), 1);
    CHECK_EQ(total, 3);
    CHECK_OK(mkdir("d/sub", 0755));
    CHECK_EQ(count_name("d", "sub", &total), 1);
    CHECK_EQ(total, 4);

    /* Unlinked: gone, even while still open. */
    int keep = CHECK_OK(open("d/a", O_RDONLY));
    CHECK_OK(unlink("d/a"));
    CHECK_EQ(count_name("d", "a", &total), 0);
    CHECK_EQ(total, 3);
    close(keep);
    CHECK_OK(rmdir("d/sub"));
    CHECK_EQ(count_name("d", "sub", &total), 0);
    CHECK_EQ(total, 2);

    /* Renamed: old name gone, new name present; moved between dirs. */
    write_file("d/old", "");
    CHECK_OK(rename("d/old", "d/new"));
    CHECK_EQ(count_name("d", "old", NULL), 0);
    CHECK_EQ(count_name("d", "new", NULL), 1);
    CHECK_OK(rename("d/new", "moved"));
    CHECK_EQ(count_name("d", "new", NULL), 0);
    CHECK_EQ(count_name(".", "moved", NULL), 1);

    /* Many entries with a small buffer: every one exactly once. */
    char name[64];
    for (int i = 0; i < 300; i++) {
        snprintf(name, sizeof name, "d/entry-with-a-longish-name-%03d", i);
        write_file(name, "");
    }
    CHECK_EQ(count_name("d", "entry-with-a-longish-name-000", &total), 1);
    CHECK_EQ(total, 302);
    CHECK_EQ(count_name("d", "entry-with-a-longish-name-299", NULL), 1);
    CHECK_EQ(count_name("d", "entry-with-a-longish-name-150", NULL), 1);
    for (int i = 0; i < 300; i += 2) {
        snprintf(name, sizeof name, "d/entry-with-a-longish-name-%03d", i);
        CHECK_OK(unlink(name));
    }
    CHECK_EQ(count_name("d", "entry-with-a-longish-name-150", &total), 0);
    CHECK_EQ(count_name("d", "entry-with-a-longish-name-151", NULL), 1);
    CHECK_EQ(total, 152);
    return 0;
}
