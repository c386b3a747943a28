/* Canonical mode: input is read a line at a time, edited with ERASE, KILL,
 * WERASE and LNEXT, ended by newline, EOF or EOL; ICRNL turns CR into NL;
 * echo (ECHO, ECHOE, ECHOKE, ECHOCTL) comes back on the master as ONLCR
 * output. */
#include "check.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <termios.h>

static int m, s;

/* Everything the master has to read within ms milliseconds. */
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

static void type(const char *text)
{
    CHECK_EQ(write(m, text, strlen(text)), (ssize_t)strlen(text));
}

/* The master shows exactly want (the echo). */
static void echoed(const char *want)
{
    char buf[512];
    drain(m, buf, sizeof buf, 1000);
    CHECK_STREQ(buf, want);
}

/* A read of the slave returns exactly want. */
static void line(const char *want, size_t cap)
{
    char buf[512];
    ssize_t r = read(s, buf, cap);
    CHECK(r >= 0);
    buf[r] = 0;
    CHECK_STREQ(buf, want);
}

static int readable(int fd, int ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

int main(void)
{
    m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    s = CHECK_OK(open(ptsname(m), O_RDWR | O_NOCTTY));

    type("hello\n");
    echoed("hello\r\n");
    line("hello\n", 100);

    /* Half a line cannot be read yet. */
    type("ab");
    echoed("ab");
    CHECK(!readable(s, 100));
    int n = -1;
    CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
    CHECK_EQ(n, 0);
    type("c\n");
    echoed("c\r\n");
    CHECK(readable(s, 1000));
    CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
    CHECK_EQ(n, 4);
    line("abc\n", 100);

    /* ERASE (DEL) with ECHOE backs over the character. */
    type("abx\177c\n");
    echoed("abx\b \bc\r\n");
    line("abc\n", 100);
    /* KILL (^U) with ECHOKE erases the line on the screen. */
    type("junk\025ok\n");
    echoed("junk\b \b\b \b\b \b\b \bok\r\n");
    line("ok\n", 100);
    /* WERASE (^W): the last word and the blanks before it. */
    type("one two\027three\n");
    echoed("one two\b \b\b \b\b \bthree\r\n");
    line("one three\n", 100);
    /* ERASE at the start of a line does nothing. */
    type("\177x\n");
    echoed("x\r\n");
    line("x\n", 100);

    /* LNEXT (^V) makes the next character literal; ECHOCTL shows ^U. */
    type("a\026\025b\n");
    echoed("a^\b^Ub\r\n");
    line("a\025b\n", 100);

    /* ICRNL: a carriage return ends the line as a newline. */
    type("cr\r");
    echoed("cr\r\n");
    line("cr\n", 100);

    /* A read shorter than the line leaves the rest for the next one. */
    type("abcdef\n");
    echoed("abcdef\r\n");
    line("abc", 3);
    line("def\n", 100);

    /* EOF (^D): pushes the line without itself; alone, a read of 0. */
    type("abc\004");
    echoed("abc");
    line("abc", 100);
    type("\004");
    CHECK(readable(s, 1000));
    line("", 100);
    /* A read that ends right at an EOF eats it. */
    type("xyz\004");
    echoed("xyz");
    line("xyz", 3);
    CHECK(!readable(s, 100));

    /* VEOL ends a line too, and is part of it. */
    struct termios t;
    CHECK_OK(tcgetattr(s, &t));
    t.c_cc[VEOL] = '!';
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
    type("hey!");
    echoed("hey!");
    line("hey!", 100);

    /* REPRINT (^R) shows the line being edited again. */
    type("re\022");
    echoed("re^R\r\nre");
    type("\n");
    echoed("\r\n");
    line("re\n", 100);

    /* Without ECHO nothing comes back; ECHONL still echoes newlines. */
    t.c_lflag &= ~(tcflag_t)ECHO;
    t.c_lflag |= ECHONL;
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
    type("quiet\n");
    echoed("\r\n");
    line("quiet\n", 100);

    /* A non-blocking read of an unfinished line: EAGAIN. */
    type("part");
    int fl = fcntl(s, F_GETFL);
    CHECK_OK(fcntl(s, F_SETFL, fl | O_NONBLOCK));
    char b[8];
    sleep_ms(50);
    CHECK_ERR(read(s, b, sizeof b), EAGAIN);
    CHECK_OK(fcntl(s, F_SETFL, fl));
    /* Switching canonical mode off makes it readable as it is. */
    t.c_lflag &= ~(tcflag_t)ICANON;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    CHECK_OK(tcsetattr(s, TCSANOW, &t));
    CHECK(readable(s, 1000));
    line("part", sizeof b);
    return 0;
}
