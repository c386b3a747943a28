/* TIOCGPTPEER and openpty(): the slave opened from the master without a
 * path lookup by the caller; data both ways, poll readiness, O_NONBLOCK,
 * the fd's /proc link, and the master-only requests' errors. */
#include "check.h"
#include <poll.h>
#include <pty.h>
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    /* Locked: the peer cannot be opened yet. */
    CHECK_ERR(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY), EIO);
    CHECK_OK(unlockpt(m));
    int s = CHECK_OK(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
    CHECK_EQ(fcntl(s, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(s, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK(isatty(s));
    char link[64], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", s);
    ssize_t n = readlink(path, link, sizeof link - 1);
    CHECK(n > 0);
    link[n] = 0;
    CHECK_STREQ(link, ptsname(m));
    /* The slave has no peer to open (EIO); /dev/null is no terminal. */
    CHECK_ERR(ioctl(s, TIOCGPTPEER, O_RDWR), EIO);
    int nul = CHECK_OK(open("/dev/null", O_RDWR));
    CHECK_ERR(ioctl(nul, TIOCGPTPEER, O_RDWR), ENOTTY);

    /* Readiness: both writable, nothing to read. */
    struct pollfd p[2] = { { m, POLLIN | POLLOUT, 0 }, { s, POLLIN | POLLOUT, 0 } };
    CHECK_EQ(poll(p, 2, 0), 2);
    CHECK_EQ(p[0].revents, POLLOUT);
    CHECK_EQ(p[1].revents, POLLOUT);

    /* Raw both ways, as programs that drive a pty set it. */
    struct termios t;
    CHECK_OK(tcgetattr(s, &t));
    cfmakeraw(&t);
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
    CHECK_EQ(write(m, "ping", 4), 4);
    struct pollfd ps = { s, POLLIN, 0 };
    CHECK_EQ(poll(&ps, 1, 2000), 1);
    char buf[16];
    CHECK_EQ(read(s, buf, sizeof buf), 4);
    CHECK_MEMEQ(buf, "ping", 4);
    CHECK_EQ(write(s, "pong\n", 5), 5);
    struct pollfd pm = { m, POLLIN, 0 };
    CHECK_EQ(poll(&pm, 1, 2000), 1);
    CHECK_EQ(read(m, buf, sizeof buf), 5);
    CHECK_MEMEQ(buf, "pong\n", 5);   /* no OPOST: no CR */

    /* Non-blocking ends. */
    CHECK_OK(fcntl(m, F_SETFL, O_NONBLOCK));
    CHECK_ERR(read(m, buf, sizeof buf), EAGAIN);
    int on = 1;
    CHECK_EQ(ioctl(s, FIONBIO, &on), 0);
    CHECK_ERR(read(s, buf, sizeof buf), EAGAIN);

    /* TIOCEXCL is reported; root may still open. */
    int excl = -1;
    CHECK_EQ(ioctl(s, TIOCGEXCL, &excl), 0);
    CHECK_EQ(excl, 0);
    CHECK_EQ(ioctl(s, TIOCEXCL), 0);
    CHECK_EQ(ioctl(s, TIOCGEXCL, &excl), 0);
    CHECK_EQ(excl, 1);
    CHECK_EQ(ioctl(s, TIOCNXCL), 0);

    /* openpty(): a pair with the given settings and size. */
    int am, as;
    struct winsize ws = { 30, 100, 0, 0 };
    char name[64];
    CHECK_OK(openpty(&am, &as, name, NULL, &ws));
    CHECK_STREQ(name, ptsname(am));
    struct winsize got;
    CHECK_EQ(ioctl(as, TIOCGWINSZ, &got), 0);
    CHECK_EQ(got.ws_row, 30);
    CHECK_EQ(got.ws_col, 100);
    CHECK_EQ(write(as, "hi\n", 3), 3);
    struct pollfd pa = { am, POLLIN, 0 };
    CHECK_EQ(poll(&pa, 1, 2000), 1);
    CHECK_EQ(read(am, buf, sizeof buf), 4);
    CHECK_MEMEQ(buf, "hi\r\n", 4);
    CHECK_OK(close(as));
    CHECK_OK(close(am));
    CHECK_OK(close(s));
    CHECK_OK(close(m));
    return 0;
}
