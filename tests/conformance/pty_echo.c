/* The echo flags: ECHOE off shows the ERASE character, ECHOK without
 * ECHOKE shows KILL and a newline, ECHOCTL off echoes control characters
 * as they are, ECHOPRT prints what is erased between \ and /, a tab is
 * erased by as many columns as it took, IUTF8 erases whole characters,
 * and without IEXTEN ^W and ^V are ordinary. */
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

/* Types text; the master must show exactly echo, the slave read line. */
static void check(const char *text, const char *echo, const char *line)
{
    CHECK_EQ(write(m, text, strlen(text)), (ssize_t)strlen(text));
    char buf[256];
    drain(m, buf, sizeof buf, 1000);
    CHECK_STREQ(buf, echo);
    ssize_t r = read(s, buf, sizeof buf - 1);
    CHECK(r >= 0);
    buf[r] = 0;
    CHECK_STREQ(buf, line);
}

static void lflags(tcflag_t on, tcflag_t off)
{
    struct termios t;
    CHECK_OK(tcgetattr(s, &t));
    t.c_lflag = (t.c_lflag | on) & ~off;
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
}

int main(void)
{
    m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    s = CHECK_OK(open(ptsname(m), O_RDWR | O_NOCTTY));

    /* Columns: a tab takes what is left of 8; erasing it backs over that. */
    check("a\tb\177\177\n", "a\tb\b \b\b\b\b\b\b\b\b\r\n", "a\n");
    check("abcdefghi\t\177\n", "abcdefghi\t\b\b\b\b\b\b\b\r\n", "abcdefghi\n");
    /* A control character echoed as ^X takes two columns to erase. */
    check("x\001\177\n", "x^A\b \b\b \b\r\n", "x\n");

    /* ECHOE off: the ERASE character itself is echoed. */
    lflags(0, ECHOE);
    check("ab\177c\n", "ab^?c\r\n", "ac\n");
    /* ECHOK without ECHOKE: KILL is echoed, then a newline. */
    lflags(ECHOK, ECHOKE);
    check("ab\025cd\n", "ab^U\r\ncd\r\n", "cd\n");
    /* Neither: just the KILL character. */
    lflags(0, ECHOK);
    check("ab\025cd\n", "ab^Ucd\r\n", "cd\n");
    lflags(ECHOE | ECHOK | ECHOKE, 0);

    /* ECHOCTL off: control characters come back as they are. */
    lflags(0, ECHOCTL);
    check("\001\002\n", "\001\002\r\n", "\001\002\n");
    lflags(ECHOCTL, 0);

    /* ECHOPRT: erased characters printed backwards between \ and /. */
    lflags(ECHOPRT, 0);
    check("abc\177\177x\n", "abc\\cb/x\r\n", "ax\n");
    lflags(0, ECHOPRT);

    /* IUTF8: ERASE takes a whole character; without it, one byte. */
    struct termios t;
    CHECK_OK(tcgetattr(s, &t));
    t.c_iflag |= IUTF8;
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
    check("x\xc3\xa9\177\n", "x\xc3\xa9\b \b\r\n", "x\n");
    t.c_iflag &= ~(tcflag_t)IUTF8;
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
    check("x\xc3\xa9\177\n", "x\xc3\xa9\b \b\r\n", "x\xc3\n");

    /* Without IEXTEN, ^W and ^V are ordinary characters. */
    lflags(0, IEXTEN);
    check("a b\027\n", "a b^W\r\n", "a b\027\n");
    check("\026\025x\n", "^V\b \b\b \bx\r\n", "x\n");
    return 0;
}
