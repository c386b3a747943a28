/* Non-canonical input (VMIN/VTIME), the input flags ICRNL, INLCR, IGNCR,
 * ISTRIP, and output processing (OPOST, ONLCR, OCRNL, XTABS) of what the
 * slave writes. */
#include "check.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int m, s;

static size_t drain(int fd, char *buf, size_t cap, int ms)
{
    size_t n = 0;
    struct pollfd p = { fd, POLLIN, 0 };
    while (n < cap - 1 && poll(&p, 1, ms) == 1 && (p.revents & POLLIN)) {
        ssize_t r = read(fd, buf + n, cap - 1 - n);
        if (r <= 0)
            break;
        n += (size_t)r;
        ms = 100;
    }
    buf[n] = 0;
    return n;
}

static void put(int fd, const char *text)
{
    CHECK_EQ(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

static void master_sees(const char *want)
{
    char buf[256];
    drain(m, buf, sizeof buf, 1000);
    CHECK_STREQ(buf, want);
}

static void slave_sees(const char *want)
{
    char buf[256];
    drain(s, buf, sizeof buf, 1000);
    CHECK_STREQ(buf, want);
}

static void set(tcflag_t iflag, tcflag_t oflag, tcflag_t lflag, int vmin, int vtime)
{
    struct termios t;
    CHECK_OK(tcgetattr(s, &t));
    t.c_iflag = iflag;
    t.c_oflag = oflag;
    t.c_lflag = lflag;
    t.c_cc[VMIN] = (cc_t)vmin;
    t.c_cc[VTIME] = (cc_t)vtime;
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
}

/* Writes text to the master after ms, from a child. */
static pid_t later(int ms, const char *text)
{
    pid_t pid = CHECK_OK(fork());
    if (pid == 0) {
        sleep_ms(ms);
        put(m, text);
        _exit(0);
    }
    return pid;
}

int main(void)
{
    m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    s = CHECK_OK(open(ptsname(m), O_RDWR | O_NOCTTY));
    char buf[64];

    /* Raw, no echo: bytes are readable at once, as they are. */
    set(0, 0, 0, 1, 0);
    put(m, "ab\n\003");
    CHECK_EQ(read(s, buf, 1), 1);
    CHECK_EQ(buf[0], 'a');
    slave_sees("b\n\003");
    master_sees("");

    /* VMIN 0, VTIME 0: a read never waits. */
    set(0, 0, 0, 0, 0);
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    /* VMIN 0, VTIME 2: waits up to 0.2 s for a byte. */
    set(0, 0, 0, 0, 2);
    long long t0 = now_ns();
    CHECK_EQ(read(s, buf, sizeof buf), 0);
    long long dt = (now_ns() - t0) / 1000000;
    CHECK(dt >= 150 && dt < 3000);
    pid_t w = later(50, "z");
    CHECK_EQ(read(s, buf, sizeof buf), 1);
    CHECK_EQ(buf[0], 'z');
    CHECK_CHILD_EXIT(w, 0);

    /* VMIN 3: waits for three bytes; poll says readable only then. */
    set(0, 0, 0, 3, 0);
    put(m, "ab");
    sleep_ms(50);
    struct pollfd p = { s, POLLIN, 0 };
    CHECK_EQ(poll(&p, 1, 0), 0);
    w = later(100, "c");
    CHECK_EQ(read(s, buf, sizeof buf), 3);
    CHECK_MEMEQ(buf, "abc", 3);
    CHECK_CHILD_EXIT(w, 0);
    /* ...unless the caller asks for fewer. */
    put(m, "de");
    sleep_ms(50);
    CHECK_EQ(read(s, buf, 1), 1);
    CHECK_EQ(buf[0], 'd');
    CHECK_EQ(read(s, buf, 1), 1);
    /* VMIN 5, VTIME 1: the inter-byte timer ends a short read. */
    set(0, 0, 0, 5, 1);
    put(m, "xy");
    CHECK_EQ(read(s, buf, sizeof buf), 2);
    CHECK_MEMEQ(buf, "xy", 2);

    /* Input flags. */
    set(ICRNL, 0, 0, 1, 0);
    put(m, "a\rb");
    slave_sees("a\nb");
    set(INLCR, 0, 0, 1, 0);
    put(m, "a\nb");
    slave_sees("a\rb");
    set(IGNCR | ICRNL, 0, 0, 1, 0);
    put(m, "a\r\rb");
    slave_sees("ab");
    set(ISTRIP, 0, 0, 1, 0);
    put(m, "\xe1\xe2");
    slave_sees("ab");

    /* Raw echo: ECHOCTL shows an ordinary newline as ^J; a CR made a
     * newline by ICRNL is echoed as one. */
    set(ICRNL, OPOST | ONLCR, ECHO | ECHOCTL, 1, 0);
    put(m, "q\n\r\001");
    master_sees("q^J\r\n^A");
    slave_sees("q\n\n\001");

    /* Output processing of what the slave writes. */
    set(0, 0, 0, 1, 0);
    put(s, "a\nb\r");
    master_sees("a\nb\r");
    set(0, OPOST | ONLCR, 0, 1, 0);
    put(s, "a\nb\n");
    master_sees("a\r\nb\r\n");
    set(0, OPOST | OCRNL, 0, 1, 0);
    put(s, "c\rd");
    master_sees("c\nd");
    /* Tabs expand to the next multiple of 8 columns (a CR went to 0). */
    set(0, OPOST | XTABS, 0, 1, 0);
    put(s, "\rab\tc\t");
    master_sees("\rab      c       ");
    set(0, OPOST | ONOCR, 0, 1, 0);
    put(s, "\r\rx\r");   /* the second CR is at column 0 */
    master_sees("\rx\r");

    /* FIONREAD on the master: output waiting; on the slave: input. */
    int n = -1;
    put(s, "four");
    for (int i = 0; i < 100 && n != 4; i++) {
        CHECK_EQ(ioctl(m, FIONREAD, &n), 0);
        if (n != 4)
            sleep_ms(10);
    }
    CHECK_EQ(n, 4);
    master_sees("four");
    put(m, "12345");
    n = -1;
    for (int i = 0; i < 100 && n != 5; i++) {
        CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
        if (n != 5)
            sleep_ms(10);
    }
    CHECK_EQ(n, 5);
    CHECK_EQ(tcflush(s, TCIFLUSH), 0);
    CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
    CHECK_EQ(n, 0);
    /* A non-blocking read of nothing: EAGAIN on both ends. */
    CHECK_OK(fcntl(s, F_SETFL, O_RDWR | O_NONBLOCK));
    CHECK_OK(fcntl(m, F_SETFL, O_RDWR | O_NONBLOCK));
    CHECK_ERR(read(s, buf, sizeof buf), EAGAIN);
    CHECK_ERR(read(m, buf, sizeof buf), EAGAIN);
    return 0;
}
