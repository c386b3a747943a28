/* termios of a pty: the defaults of a new pair, get/set through either end
 * (one set of settings: the slave's), TCSAFLUSH, the termios2 and termio
 * forms, speeds, and the small ioctls (TCFLSH, TCXONC, TIOCGETD,
 * TIOCOUTQ, TCSBRK) with their errors. */
#include "check.h"
#include <sys/ioctl.h>
#include <termio.h>

struct k_termios2 {
    unsigned c_iflag, c_oflag, c_cflag, c_lflag;
    unsigned char c_line, c_cc[19];
    unsigned c_ispeed, c_ospeed;
};
#define K_TCGETS2 _IOR('T', 0x2A, struct k_termios2)
#define K_TCSETS2 _IOW('T', 0x2B, struct k_termios2)
#define K_BOTHER  0010000

int main(void)
{
    int m = CHECK_OK(posix_openpt(O_RDWR | O_NOCTTY));
    CHECK_OK(grantpt(m));
    CHECK_OK(unlockpt(m));
    int s = CHECK_OK(open(ptsname(m), O_RDWR | O_NOCTTY));

    /* A new slave: cooked, echoing, ^C ^\ ^Z DEL ^U ^D ^W ^V. */
    struct termios t;
    CHECK_OK(tcgetattr(s, &t));
    CHECK_EQ(t.c_iflag, ICRNL | IXON);
    CHECK_EQ(t.c_oflag, OPOST | ONLCR);
    CHECK_EQ(t.c_lflag, ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN);
    CHECK_EQ(t.c_cflag & (CSIZE | CREAD | PARENB), CS8 | CREAD);
    CHECK_EQ(cfgetospeed(&t), B38400);
    CHECK_EQ(t.c_cc[VINTR], 3);
    CHECK_EQ(t.c_cc[VQUIT], 034);
    CHECK_EQ(t.c_cc[VERASE], 0177);
    CHECK_EQ(t.c_cc[VKILL], 025);
    CHECK_EQ(t.c_cc[VEOF], 4);
    CHECK_EQ(t.c_cc[VSUSP], 032);
    CHECK_EQ(t.c_cc[VWERASE], 027);
    CHECK_EQ(t.c_cc[VLNEXT], 026);
    CHECK_EQ(t.c_cc[VMIN], 1);
    CHECK_EQ(t.c_cc[VTIME], 0);

    /* The master reports (and changes) the slave's settings. */
    struct termios tm;
    CHECK_OK(tcgetattr(m, &tm));
    CHECK_EQ(tm.c_iflag, t.c_iflag);
    CHECK_EQ(tm.c_oflag, t.c_oflag);
    CHECK_EQ(tm.c_cflag, t.c_cflag);
    CHECK_EQ(tm.c_lflag, t.c_lflag);
    CHECK_MEMEQ(tm.c_cc, t.c_cc, 17);
    tm.c_lflag &= ~(tcflag_t)ECHO;
    tm.c_cc[VINTR] = 7;
    CHECK_OK(tcsetattr(m, TCSANOW, &tm));
    CHECK_OK(tcgetattr(s, &t));
    CHECK_EQ(t.c_lflag & ECHO, 0);
    CHECK_EQ(t.c_cc[VINTR], 7);

    /* A pty is always 8 bits, without parity (glibc sees the change
     * ignored and says EINVAL). */
    t.c_cflag = (t.c_cflag & ~(tcflag_t)CSIZE) | CS7 | PARENB;
    CHECK_ERR(tcsetattr(s, TCSANOW, &t), EINVAL);
    CHECK_OK(tcgetattr(s, &t));
    CHECK_EQ(t.c_cflag & (CSIZE | PARENB), CS8);

    /* Speeds: Bxxx codes, and termios2's numbers. */
    CHECK_OK(cfsetospeed(&t, B9600));
    CHECK_OK(cfsetispeed(&t, B9600));
    CHECK_OK(tcsetattr(s, TCSADRAIN, &t));
    CHECK_OK(tcgetattr(s, &t));
    CHECK_EQ(cfgetospeed(&t), B9600);
    struct k_termios2 t2;
    CHECK_EQ(ioctl(s, K_TCGETS2, &t2), 0);
    CHECK_EQ(t2.c_ospeed, 9600);
    CHECK_EQ(t2.c_ispeed, 9600);
    CHECK_EQ(t2.c_lflag, t.c_lflag);
    t2.c_cflag = (t2.c_cflag & ~(unsigned)CBAUD) | K_BOTHER;
    t2.c_ospeed = t2.c_ispeed = 12345;
    CHECK_EQ(ioctl(s, K_TCSETS2, &t2), 0);
    CHECK_EQ(ioctl(m, K_TCGETS2, &t2), 0);
    CHECK_EQ(t2.c_ospeed, 12345);
    CHECK_EQ(t2.c_cflag & CBAUD, K_BOTHER);

    /* The old struct termio: the low 16 bits of the flags, 8 cc. */
    struct termio to;
    CHECK_EQ(ioctl(s, TCGETA, &to), 0);
    CHECK_EQ(to.c_lflag, (unsigned short)t.c_lflag);
    CHECK_EQ(to.c_cc[VINTR], 7);
    to.c_cc[VINTR] = 3;
    to.c_lflag |= ECHO;
    CHECK_EQ(ioctl(s, TCSETA, &to), 0);
    CHECK_OK(tcgetattr(s, &t));
    CHECK_EQ(t.c_cc[VINTR], 3);
    CHECK(t.c_lflag & ECHO);

    /* TCSAFLUSH throws away input not read yet. */
    CHECK_EQ(write(m, "line\n", 5), 5);
    int n = -1;
    for (int i = 0; i < 100 && n != 5; i++) {
        CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
        if (n != 5)
            sleep_ms(10);
    }
    CHECK_EQ(n, 5);
    CHECK_OK(tcsetattr(s, TCSAFLUSH, &t));
    CHECK_EQ(ioctl(s, FIONREAD, &n), 0);
    CHECK_EQ(n, 0);

    /* The other requests. */
    CHECK_EQ(ioctl(s, TIOCGETD, &n), 0);
    CHECK_EQ(n, 0);   /* N_TTY */
    CHECK_EQ(ioctl(s, TIOCOUTQ, &n), 0);
    CHECK_EQ(n, 0);
    CHECK_OK(tcdrain(s));
    CHECK_OK(tcsendbreak(s, 0));
    CHECK_OK(tcflush(s, TCIOFLUSH));
    CHECK_ERR(tcflush(s, 99), EINVAL);
    CHECK_OK(tcflow(s, TCOOFF));
    CHECK_OK(tcflow(s, TCOON));
    CHECK_ERR(tcflow(s, 99), EINVAL);
    CHECK_ERR(ioctl(s, TCGETS, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(s, TCSETS, BAD_PTR), EFAULT);
    CHECK_ERR(ioctl(s, TIOCGWINSZ, BAD_PTR), EFAULT);
    /* Not the caller's controlling terminal: no session to tell. */
    pid_t pg;
    CHECK_ERR(ioctl(s, TIOCGPGRP, &pg), ENOTTY);
    CHECK_ERR(ioctl(s, TIOCGSID, &pg), ENOTTY);
    CHECK_ERR(tcgetsid(s), ENOTTY);
    /* Through the master anyone may ask: no foreground group yet. */
    pg = -1;
    CHECK_EQ(ioctl(m, TIOCGPGRP, &pg), 0);
    CHECK_EQ(pg, 0);
    CHECK_ERR(ioctl(m, TIOCGSID, &pg), ENOTTY);
    CHECK_ERR(ioctl(s, 0x54ff, &n), ENOTTY);
    return 0;
}
