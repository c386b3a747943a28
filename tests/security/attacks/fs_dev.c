/*
 * fs_dev: reach host devices.  /dev/mem, /dev/kmem, disks and friends must
 * not open; device nodes the guest makes itself (in its /tmp, and in the
 * writable bind mount /rw, i.e. on the host) must not open a host device;
 * run.sh checks that no device node appeared in WORK/rw on the host.
 */
#include "attack.h"

#include <sys/sysmacros.h>

static const struct {
    const char *name;
    unsigned maj, min;
} devs[] = {
    {"mem", 1, 1},      {"kmem", 1, 2},     {"port", 1, 4},      {"kmsg", 1, 11},
    {"sda", 8, 0},      {"sda1", 8, 1},     {"vda", 253, 0},     {"nvme0n1", 259, 0},
    {"loop0", 7, 0},    {"loop-control", 10, 237}, {"kvm", 10, 232}, {"fuse", 10, 229},
    {"tun", 10, 200},   {"tty0", 4, 0},     {"tty1", 4, 1},      {"console", 5, 1},
    {"mice", 13, 63},   {"cpu0msr", 202, 0}, {"hpet", 10, 228},  {"snapshot", 10, 231},
    {"uinput", 10, 223}, {"vhost-net", 10, 238}, {"watchdog", 10, 130},
};

/* An open that must fail; if a node opened, reading it must not give host
 * data (a read of 0 bytes, or an error, is fine). */
static void no_open(const char *name, const char *path)
{
    int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    char buf[16];

    if (fd < 0)
        fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        refused(name, "%s", attack_errname(errno));
        return;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n > 0)
        escaped(name, "opened %s and read %zd bytes", path, n);
    else
        escaped(name, "opened %s (read gave %zd)", path, n);
}

int main(void)
{
    char p[128], nm[128];

    attack_begin("fs");
    for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
        snprintf(p, sizeof p, "/dev/%s", devs[i].name);
        snprintf(nm, sizeof nm, "open-dev-%s", devs[i].name);
        if (access(p, F_OK) == 0 || errno != ENOENT)
            no_open(nm, p);
        else
            refused(nm, "no such node");
    }
    no_open("open-dev-net-tun", "/dev/net/tun");
    no_open("open-dev-cpu0-msr", "/dev/cpu/0/msr");
    no_open("open-proc-kcore", "/proc/kcore");
    no_open("open-proc-sysrq-trigger", "/proc/sysrq-trigger");
    no_open("open-sys-firmware-memmap", "/sys/firmware/memmap/0/start");

    for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
        mode_t type = devs[i].maj == 8 || devs[i].maj == 253 || devs[i].maj == 259 ||
                              (devs[i].maj == 7 && devs[i].min == 0)
                          ? S_IFBLK
                          : S_IFCHR;
        dev_t d = makedev(devs[i].maj, devs[i].min);

        /* In the sandbox's own /tmp: making the node may work (it is the
         * sandbox's tmpfs), opening it must not. */
        snprintf(p, sizeof p, "/tmp/node-%s", devs[i].name);
        snprintf(nm, sizeof nm, "mknod-tmp-open-%s", devs[i].name);
        if (mknod(p, type | 0666, d) == 0)
            no_open(nm, p);
        else
            refused(nm, "mknod: %s", attack_errname(errno));

        /* In the bind mount, the node would be made on the host. */
        snprintf(p, sizeof p, "/rw/node-%s", devs[i].name);
        snprintf(nm, sizeof nm, "mknod-bind-%s", devs[i].name);
        if (mknod(p, type | 0666, d) == 0) {
            struct stat st;
            if (stat(p, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
                escaped(nm, "a device node %u:%u on the host", devs[i].maj, devs[i].min);
            else
                refused(nm, "made, but not a device node");
            no_open(nm, p);
        } else {
            refused(nm, "%s", attack_errname(errno));
        }
    }
    return attack_end();
}
