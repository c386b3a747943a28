/* Pseudo-terminals: a master and a slave end with the line discipline
 * between them (drivers/tty/n_tty.c, pty.c, tty_io.c and tty_ioctl.c are
 * the reference).
 *
 * Bytes written to the master go into a flip buffer and from there, as the
 * slave's input buffer has room, through the line discipline: canonical line
 * editing, echo, the signal characters.  Bytes written to the slave go
 * through output processing (OPOST) into the buffer the master reads, where
 * echoes land too.  All of it happens synchronously under tty->lock, so a
 * master write has been seen by the line discipline when it returns; the
 * signals it generates are sent once the lock is released.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "sentry/fs/tty.h"
#include "sentry/mm/mm.h"

#define TTY_RF_EOL 0x1                 /* rflag: a line ends with this byte */
#define DISABLED_CHAR 0                /* __DISABLED_CHAR; also the EOF mark */
#define BUF_MASK(pos) ((pos) & (TTY_BUF_SIZE - 1))

#define I_(tty, f) ((tty)->termios.c_iflag & (f))
#define O_(tty, f) ((tty)->termios.c_oflag & (f))
#define L_(tty, f) ((tty)->termios.c_lflag & (f))
#define CC(tty, i) ((tty)->termios.c_cc[i])

/* Kernel termios bits glibc does not export under these names. */
#define K_CBAUD   0010017u
#define K_CBAUDEX 0010000u
#define K_BOTHER  0010000u
#define K_IBSHIFT 16

#define TERMIOS1_SIZE 36               /* struct termios of TCGETS */
#define TERMIO_SIZE   17               /* struct termio of TCGETA, unpadded */
#define TTY_TCGETS2  _IOR('T', 0x2A, struct ktermios)
#define TTY_TCSETS2  _IOW('T', 0x2B, struct ktermios)
#define TTY_TCSETSW2 _IOW('T', 0x2C, struct ktermios)
#define TTY_TCSETSF2 _IOW('T', 0x2D, struct ktermios)

_Static_assert(sizeof(struct ktermios) == 44, "struct termios2 layout");

/* --- rings --------------------------------------------------------------------- */

static int ring_init(struct tty_ring *r, size_t cap)
{
	r->buf = malloc(cap);
	r->cap = cap;
	r->head = r->len = 0;
	return r->buf ? 0 : -ENOMEM;
}

static size_t ring_room(const struct tty_ring *r)
{
	return r->cap - r->len;
}

/* Puts n bytes (the caller checked the room). */
static void ring_put(struct tty_ring *r, const void *p, size_t n)
{
	const uint8_t *s = p;
	for (size_t i = 0; i < n; i++)
		r->buf[(r->head + r->len + i) % r->cap] = s[i];
	r->len += n;
}

static size_t ring_get(struct tty_ring *r, void *p, size_t n)
{
	uint8_t *d = p;
	if (n > r->len)
		n = r->len;
	size_t first = r->cap - r->head < n ? r->cap - r->head : n;
	memcpy(d, r->buf + r->head, first);
	memcpy(d + first, r->buf, n - first);
	r->head = (r->head + n) % r->cap;
	r->len -= n;
	return n;
}

static void ring_clear(struct tty_ring *r)
{
	r->head = r->len = 0;
}

/* --- the object ---------------------------------------------------------------- */

/* tty_std_termios with the pty slave's c_cflag (drivers/tty/pty.c). */
static const struct ktermios std_termios = {
	.c_iflag = ICRNL | IXON,
	.c_oflag = OPOST | ONLCR,
	.c_cflag = B38400 | CS8 | CREAD,
	.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
	.c_cc = { [VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		  [VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021, [VSTOP] = 023,
		  [VSUSP] = 032, [VREPRINT] = 022, [VDISCARD] = 017, [VWERASE] = 027,
		  [VLNEXT] = 026 },
	.c_ispeed = 38400,
	.c_ospeed = 38400,
};

static void ld_set_termios(struct tty *tty, const struct ktermios *old);

struct tty *tty_new(struct devpts *dp, struct kernel *k, int index)
{
	struct tty *tty = calloc(1, sizeof *tty);
	if (!tty)
		return NULL;
	if (ring_init(&tty->flip, TTY_FLIP_SIZE) < 0 || ring_init(&tty->out, TTY_OUT_SIZE) < 0) {
		free(tty->flip.buf);
		free(tty->out.buf);
		free(tty);
		return NULL;
	}
	atomic_init(&tty->refcount, 1);
	tty->devpts = dp;
	tty->k = k;
	tty->index = index;
	pthread_mutex_init(&tty->lock, NULL);
	waitq_init(&tty->in_wq);
	waitq_init(&tty->out_wq);
	tty->masters = 1;
	tty->locked = true;   /* ptmx_open: "LOCK THE SLAVE" until unlockpt */
	tty->termios = std_termios;
	ld_set_termios(tty, NULL);
	return tty;
}

void tty_get(struct tty *tty)
{
	atomic_fetch_add(&tty->refcount, 1);
}

bool tty_get_unless_zero(struct tty *tty)
{
	long n = atomic_load(&tty->refcount);
	while (n > 0)
		if (atomic_compare_exchange_weak(&tty->refcount, &n, n + 1))
			return true;
	return false;
}

void tty_put(struct tty *tty)
{
	if (!tty || atomic_fetch_sub(&tty->refcount, 1) != 1)
		return;
	devpts_forget(tty->devpts, tty);
	if (tty->inode)
		inode_put(tty->inode);
	free(tty->flip.buf);
	free(tty->out.buf);
	pthread_mutex_destroy(&tty->lock);
	free(tty);
}

/* Everyone waiting on either side looks again (wait queues are cheap to
 * poke; being precise about who cares is not worth the bugs). */
static void tty_wake(struct tty *tty)
{
	waitq_wake(&tty->in_wq, 0);
	waitq_wake(&tty->out_wq, 0);
}

/* Waits on q, tty->lock held (released meanwhile; signals in *sigs are sent
 * first).  0 when woken, -ETIMEDOUT, -ERESTARTSYS on a signal. */
static int tty_wait(struct tty *tty, struct task *t, struct waitq *q,
		    const struct timespec *deadline, unsigned *sigs)
{
	struct waitq_entry e;
	waitq_add(q, &e, t, 0);
	pthread_mutex_unlock(&tty->lock);
	if (sigs && *sigs) {
		tty_signal_pgrp(tty, *sigs);
		*sigs = 0;
	}
	int err = task_block(t, deadline, NULL, 0);
	waitq_del(q, &e);
	pthread_mutex_lock(&tty->lock);
	return err == -EINTR ? -ERESTARTSYS : err;
}

/* --- character classes (the kernel's lib/ctype.c: Latin-1) ------------------------ */

static bool k_iscntrl(uint8_t c)
{
	return c < 32 || c == 127;
}

static bool k_isalnum(uint8_t c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= 192 && c != 215 && c != 247);
}

static bool is_continuation(const struct tty *tty, uint8_t c)
{
	return I_(tty, IUTF8) && (c & 0xc0) == 0x80;
}

/* --- output processing (n_tty's do_output_char) ----------------------------------- */

/* One byte of output through OPOST: the bytes it took, or -1 when they do
 * not fit in the master's buffer. */
static int output_char(struct tty *tty, uint8_t c)
{
	size_t space = ring_room(&tty->out);
	switch (c) {
	case '\n':
		if (O_(tty, ONLRET))
			tty->column = 0;
		if (O_(tty, ONLCR)) {
			if (space < 2)
				return -1;
			tty->canon_column = tty->column = 0;
			ring_put(&tty->out, "\r\n", 2);
			return 2;
		}
		tty->canon_column = tty->column;
		break;
	case '\r':
		if (O_(tty, ONOCR) && tty->column == 0)
			return 0;
		if (O_(tty, OCRNL)) {
			c = '\n';
			if (O_(tty, ONLRET))
				tty->canon_column = tty->column = 0;
			break;
		}
		tty->canon_column = tty->column = 0;
		break;
	case '\t': {
		unsigned spaces = 8 - (tty->column & 7);
		if ((tty->termios.c_oflag & TABDLY) == XTABS) {
			if (space < spaces)
				return -1;
			tty->column += spaces;
			ring_put(&tty->out, "        ", spaces);
			return (int)spaces;
		}
		tty->column += spaces;
		break;
	}
	case '\b':
		if (tty->column > 0)
			tty->column--;
		break;
	default:
		if (!k_iscntrl(c)) {
			if (O_(tty, OLCUC) && c >= 'a' && c <= 'z')
				c = (uint8_t)(c - 'a' + 'A');
			if (!is_continuation(tty, c))
				tty->column++;
		}
		break;
	}
	if (space < 1)
		return -1;
	ring_put(&tty->out, &c, 1);
	return 1;
}

/* --- echo ------------------------------------------------------------------------ */

/* Echoes go straight to the master's buffer; when it is full they are lost
 * (Linux holds them back a while; nobody reading the master will not
 * notice the difference). */
static void echo_raw(struct tty *tty, uint8_t c)
{
	if (O_(tty, OPOST))
		output_char(tty, c);
	else if (ring_room(&tty->out) > 0)
		ring_put(&tty->out, &c, 1);
}

/* echo_char: control characters as ^X with ECHOCTL. */
static void echo_char(struct tty *tty, uint8_t c)
{
	if (L_(tty, ECHOCTL) && k_iscntrl(c) && c != '\t') {
		if (ring_room(&tty->out) >= 2) {
			uint8_t pair[2] = { '^', (uint8_t)(c ^ 0100) };
			ring_put(&tty->out, pair, 2);
			tty->column += 2;
		}
		return;
	}
	echo_raw(tty, c);
}

/* Records the column of the first character of a line (ECHO_OP_SET_CANON_COL). */
static void echo_set_canon_col(struct tty *tty)
{
	if (tty->canon_head == tty->read_head)
		tty->canon_column = tty->column;
}

static void finish_erasing(struct tty *tty)
{
	if (tty->erasing) {
		echo_raw(tty, '/');
		tty->erasing = false;
	}
}

/* Backs over a tab (ECHO_OP_ERASE_TAB): num_chars columns were used since the
 * line's start (or since the previous tab, after_tab). */
static void echo_erase_tab(struct tty *tty, unsigned num_chars, bool after_tab)
{
	num_chars &= 7;
	if (!after_tab)
		num_chars += tty->canon_column;
	unsigned num_bs = 8 - (num_chars & 7);
	while (num_bs-- > 0 && ring_room(&tty->out) > 0) {
		ring_put(&tty->out, "\b", 1);
		if (tty->column > 0)
			tty->column--;
	}
}

/* --- the input buffer -------------------------------------------------------------- */

static uint8_t read_buf(const struct tty *tty, size_t pos)
{
	return tty->rbuf[BUF_MASK(pos)];
}

static void put_queue(struct tty *tty, uint8_t c)
{
	tty->rbuf[BUF_MASK(tty->read_head)] = c;
	tty->rflag[BUF_MASK(tty->read_head)] = 0;
	tty->read_head++;
}

/* Flushes the line discipline's input (reset_buffer_flags). */
static void ld_flush_input(struct tty *tty)
{
	tty->read_tail = tty->canon_head = tty->read_head = 0;
	memset(tty->rflag, 0, sizeof tty->rflag);
	tty->lnext = tty->erasing = false;
}

static bool input_available(const struct tty *tty, bool poll)
{
	if (tty->icanon && !L_(tty, EXTPROC))
		return tty->canon_head != tty->read_tail;
	size_t amt = poll && !CC(tty, VTIME) && CC(tty, VMIN) ? CC(tty, VMIN) : 1;
	return tty->read_head - tty->read_tail >= amt;
}

/* Can one more character go in (n_tty_receive_buf_common)?  A canonical
 * line that fills the buffer keeps taking characters, each replacing the
 * last, so that erase and newline still work. */
static bool ld_room(struct tty *tty)
{
	long room = TTY_BUF_SIZE - (long)(tty->read_head - tty->read_tail) - 1;
	if (room > 0)
		return true;
	bool overflow = tty->icanon && tty->canon_head == tty->read_tail;
	if (overflow && room < 0)
		tty->read_head--;
	return overflow;
}

/* --- the line discipline: input ---------------------------------------------------- */

static void start_tty(struct tty *tty)
{
	if (tty->stopped && !tty->tco_stopped) {
		tty->stopped = false;
		tty_wake(tty);
	}
}

/* eraser(): ERASE, WERASE or KILL on the line being edited. */
static void eraser(struct tty *tty, uint8_t c)
{
	enum { ERASE, WERASE, KILL } kill_type;
	if (tty->read_head == tty->canon_head)
		return;
	if (c == CC(tty, VERASE)) {
		kill_type = ERASE;
	} else if (c == CC(tty, VWERASE)) {
		kill_type = WERASE;
	} else {
		if (!L_(tty, ECHO)) {
			tty->read_head = tty->canon_head;
			return;
		}
		if (!L_(tty, ECHOK) || !L_(tty, ECHOKE) || !L_(tty, ECHOE)) {
			tty->read_head = tty->canon_head;
			finish_erasing(tty);
			echo_char(tty, CC(tty, VKILL));
			if (L_(tty, ECHOK))   /* a newline when ECHOK is on and ECHOKE off */
				echo_raw(tty, '\n');
			return;
		}
		kill_type = KILL;
	}

	int seen_alnums = 0;
	while (BUF_MASK(tty->read_head) != BUF_MASK(tty->canon_head)) {
		size_t head = tty->read_head;
		/* One character, several bytes in UTF-8. */
		do {
			head--;
			c = read_buf(tty, head);
		} while (is_continuation(tty, c) && BUF_MASK(head) != BUF_MASK(tty->canon_head));
		if (is_continuation(tty, c))
			break;   /* do not erase half a character */
		if (kill_type == WERASE) {
			if (k_isalnum(c) || c == '_')
				seen_alnums++;
			else if (seen_alnums)
				break;
		}
		size_t cnt = tty->read_head - head;
		tty->read_head = head;
		if (L_(tty, ECHO)) {
			if (L_(tty, ECHOPRT)) {
				if (!tty->erasing) {
					echo_raw(tty, '\\');
					tty->erasing = true;
				}
				echo_char(tty, c);
				while (--cnt > 0) {
					head++;
					echo_raw(tty, read_buf(tty, head));
					if (tty->column > 0)
						tty->column--;
				}
			} else if (kill_type == ERASE && !L_(tty, ECHOE)) {
				echo_char(tty, CC(tty, VERASE));
			} else if (c == '\t') {
				unsigned num_chars = 0;
				bool after_tab = false;
				size_t tail = tty->read_head;
				/* Columns used since the line's start or the previous tab. */
				while (BUF_MASK(tail) != BUF_MASK(tty->canon_head)) {
					tail--;
					uint8_t p = read_buf(tty, tail);
					if (p == '\t') {
						after_tab = true;
						break;
					} else if (k_iscntrl(p)) {
						if (L_(tty, ECHOCTL))
							num_chars += 2;
					} else if (!is_continuation(tty, p)) {
						num_chars++;
					}
				}
				echo_erase_tab(tty, num_chars, after_tab);
			} else {
				if (k_iscntrl(c) && L_(tty, ECHOCTL)) {
					echo_raw(tty, '\b');
					echo_raw(tty, ' ');
					echo_raw(tty, '\b');
				}
				if (!k_iscntrl(c) || L_(tty, ECHOCTL)) {
					echo_raw(tty, '\b');
					echo_raw(tty, ' ');
					echo_raw(tty, '\b');
				}
			}
		}
		if (kill_type == ERASE)
			break;
	}
	if (tty->read_head == tty->canon_head && L_(tty, ECHO))
		finish_erasing(tty);
}

/* VINTR, VQUIT, VSUSP (isig + n_tty_receive_signal_char): the signal goes to
 * the foreground group; input and output are flushed unless NOFLSH. */
static void signal_char(struct tty *tty, int sig, uint8_t c, unsigned *sigs)
{
	*sigs |= 1u << sig;
	if (!L_(tty, NOFLSH)) {
		ring_clear(&tty->out);
		ld_flush_input(tty);
	}
	if (I_(tty, IXON))
		start_tty(tty);
	if (L_(tty, ECHO))
		echo_char(tty, c);
}

/* A line ends (n_tty_receive_handle_newline); c is DISABLED_CHAR for EOF. */
static void handle_newline(struct tty *tty, uint8_t c)
{
	tty->rbuf[BUF_MASK(tty->read_head)] = c;
	tty->rflag[BUF_MASK(tty->read_head)] = TTY_RF_EOL;
	tty->read_head++;
	tty->canon_head = tty->read_head;
}

/* The canonical-mode specials; false if c is none of them. */
static bool receive_canon(struct tty *tty, uint8_t c)
{
	if (c == CC(tty, VERASE) || c == CC(tty, VKILL) ||
	    (c == CC(tty, VWERASE) && L_(tty, IEXTEN))) {
		eraser(tty, c);
		return true;
	}
	if (c == CC(tty, VLNEXT) && L_(tty, IEXTEN)) {
		tty->lnext = true;
		if (L_(tty, ECHO)) {
			finish_erasing(tty);
			if (L_(tty, ECHOCTL)) {
				echo_raw(tty, '^');
				echo_raw(tty, '\b');
			}
		}
		return true;
	}
	if (c == CC(tty, VREPRINT) && L_(tty, ECHO) && L_(tty, IEXTEN)) {
		finish_erasing(tty);
		echo_char(tty, c);
		echo_raw(tty, '\n');
		for (size_t tail = tty->canon_head; tail != tty->read_head; tail++)
			echo_char(tty, read_buf(tty, tail));
		return true;
	}
	if (c == '\n') {
		if (L_(tty, ECHO) || L_(tty, ECHONL))
			echo_raw(tty, '\n');
		handle_newline(tty, c);
		return true;
	}
	if (c == CC(tty, VEOF)) {
		handle_newline(tty, DISABLED_CHAR);
		return true;
	}
	if (c == CC(tty, VEOL) || (c == CC(tty, VEOL2) && L_(tty, IEXTEN))) {
		if (L_(tty, ECHO)) {
			echo_set_canon_col(tty);
			echo_char(tty, c);
		}
		handle_newline(tty, c);
		return true;
	}
	return false;
}

/* An ordinary character (n_tty_receive_char). */
static void receive_char(struct tty *tty, uint8_t c)
{
	if (tty->stopped && !tty->tco_stopped && I_(tty, IXON) && I_(tty, IXANY))
		start_tty(tty);
	if (L_(tty, ECHO)) {
		finish_erasing(tty);
		echo_set_canon_col(tty);
		echo_char(tty, c);
	}
	put_queue(tty, c);
}

/* A character of char_map (n_tty_receive_char_special). */
static void receive_special(struct tty *tty, uint8_t c, unsigned *sigs)
{
	if (I_(tty, IXON) && (c == CC(tty, VSTART) || c == CC(tty, VSTOP))) {
		if (c == CC(tty, VSTART))
			start_tty(tty);
		else
			tty->stopped = true;
		return;
	}
	if (L_(tty, ISIG)) {
		if (c == CC(tty, VINTR)) {
			signal_char(tty, SIGINT, c, sigs);
			return;
		}
		if (c == CC(tty, VQUIT)) {
			signal_char(tty, SIGQUIT, c, sigs);
			return;
		}
		if (c == CC(tty, VSUSP)) {
			signal_char(tty, SIGTSTP, c, sigs);
			return;
		}
	}
	if (tty->stopped && !tty->tco_stopped && I_(tty, IXON) && I_(tty, IXANY))
		start_tty(tty);
	if (c == '\r') {
		if (I_(tty, IGNCR))
			return;
		if (I_(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && I_(tty, INLCR)) {
		c = '\r';
	}
	if (tty->icanon && receive_canon(tty, c))
		return;
	if (L_(tty, ECHO)) {
		finish_erasing(tty);
		if (c == '\n') {
			echo_raw(tty, '\n');
		} else {
			echo_set_canon_col(tty);
			echo_char(tty, c);
		}
	}
	put_queue(tty, c);
}

/* One character of input (n_tty_receive_buf_standard / _raw). */
static void ld_receive(struct tty *tty, uint8_t c, unsigned *sigs)
{
	if (tty->raw) {
		put_queue(tty, c);
		return;
	}
	if (tty->lnext) {
		tty->lnext = false;
		if (I_(tty, ISTRIP))
			c &= 0x7f;
		if (I_(tty, IUCLC) && L_(tty, IEXTEN) && c >= 'A' && c <= 'Z')
			c = (uint8_t)(c - 'A' + 'a');
		receive_char(tty, c);
		return;
	}
	if (I_(tty, ISTRIP))
		c &= 0x7f;
	if (I_(tty, IUCLC) && L_(tty, IEXTEN) && c >= 'A' && c <= 'Z')
		c = (uint8_t)(c - 'A' + 'a');
	if (L_(tty, EXTPROC)) {
		put_queue(tty, c);
		return;
	}
	if (tty->char_map[c >> 3] & (1u << (c & 7)))
		receive_special(tty, c, sigs);
	else
		receive_char(tty, c);
}

/* Feeds the flip buffer to the line discipline as far as it has room;
 * true if anything moved. */
static bool ld_push(struct tty *tty, unsigned *sigs)
{
	bool moved = false;
	while (tty->flip.len > 0 && ld_room(tty)) {
		uint8_t c;
		ring_get(&tty->flip, &c, 1);
		ld_receive(tty, c, sigs);
		moved = true;
	}
	if (moved)
		tty_wake(tty);
	return moved;
}

static void map_set(struct tty *tty, uint8_t c)
{
	tty->char_map[c >> 3] |= (uint8_t)(1u << (c & 7));
}

/* n_tty_set_termios: the characters that need a look, and what a switch
 * in or out of canonical mode does to the input already there. */
static void ld_set_termios(struct tty *tty, const struct ktermios *old)
{
	if (!old || ((old->c_lflag ^ tty->termios.c_lflag) & (ICANON | EXTPROC))) {
		memset(tty->rflag, 0, sizeof tty->rflag);
		if (!L_(tty, ICANON) || tty->read_head == tty->read_tail) {
			tty->canon_head = tty->read_tail;
		} else {
			/* What was typed becomes a line of its own. */
			tty->rflag[BUF_MASK(tty->read_head - 1)] |= TTY_RF_EOL;
			tty->canon_head = tty->read_head;
		}
		tty->erasing = tty->lnext = false;
	}
	tty->icanon = L_(tty, ICANON) != 0;
	memset(tty->char_map, 0, sizeof tty->char_map);
	if (I_(tty, ISTRIP) || I_(tty, IUCLC) || I_(tty, IGNCR) || I_(tty, ICRNL) ||
	    I_(tty, INLCR) || L_(tty, ICANON) || I_(tty, IXON) || L_(tty, ISIG) ||
	    L_(tty, ECHO) || I_(tty, PARMRK)) {
		if (I_(tty, IGNCR) || I_(tty, ICRNL))
			map_set(tty, '\r');
		if (I_(tty, INLCR))
			map_set(tty, '\n');
		if (L_(tty, ICANON)) {
			map_set(tty, CC(tty, VERASE));
			map_set(tty, CC(tty, VKILL));
			map_set(tty, CC(tty, VEOF));
			map_set(tty, '\n');
			map_set(tty, CC(tty, VEOL));
			if (L_(tty, IEXTEN)) {
				map_set(tty, CC(tty, VWERASE));
				map_set(tty, CC(tty, VLNEXT));
				map_set(tty, CC(tty, VEOL2));
				if (L_(tty, ECHO))
					map_set(tty, CC(tty, VREPRINT));
			}
		}
		if (I_(tty, IXON)) {
			map_set(tty, CC(tty, VSTART));
			map_set(tty, CC(tty, VSTOP));
		}
		if (L_(tty, ISIG)) {
			map_set(tty, CC(tty, VINTR));
			map_set(tty, CC(tty, VQUIT));
			map_set(tty, CC(tty, VSUSP));
		}
		tty->char_map[0] &= (uint8_t)~1u;   /* DISABLED_CHAR is never special */
		tty->raw = false;
	} else {
		tty->raw = true;
	}
	if (!I_(tty, IXON) && old && (old->c_iflag & IXON) && !tty->tco_stopped)
		start_tty(tty);
	tty_wake(tty);
}

/* --- the line discipline: reading -------------------------------------------------- */

/* Copies what non-canonical input there is, up to n bytes. */
static size_t raw_copy(struct tty *tty, uint8_t *buf, size_t n)
{
	size_t avail = tty->read_head - tty->read_tail;
	if (n > avail)
		n = avail;
	for (size_t i = 0; i < n; i++)
		buf[i] = read_buf(tty, tty->read_tail + i);
	tty->read_tail += n;
	return n;
}

/* Copies up to one line (canon_copy_from_read_buf): the line's delimiter is
 * included unless it is an EOF.  *found: the line's end was reached. */
static size_t canon_copy(struct tty *tty, uint8_t *buf, size_t nr, bool *found)
{
	size_t n = tty->canon_head - tty->read_tail;
	if (n > nr)
		n = nr;
	size_t i;
	*found = false;
	for (i = 0; i < n; i++) {
		if (tty->rflag[BUF_MASK(tty->read_tail + i)] & TTY_RF_EOL) {
			*found = true;
			break;
		}
	}
	size_t consumed = *found ? i + 1 : n;
	size_t copy = consumed;
	if (*found && read_buf(tty, tty->read_tail + i) == DISABLED_CHAR)
		copy = i;
	for (size_t j = 0; j < copy; j++)
		buf[j] = read_buf(tty, tty->read_tail + j);
	if (*found)
		tty->rflag[BUF_MASK(tty->read_tail + i)] &= (uint8_t)~TTY_RF_EOL;
	tty->read_tail += consumed;
	return copy;
}

/* A read that filled the caller's buffer right before an EOF eats it
 * (canon_skip_eof). */
static void canon_skip_eof(struct tty *tty)
{
	if (tty->read_tail == tty->canon_head)
		return;
	size_t i = BUF_MASK(tty->read_tail);
	if ((tty->rflag[i] & TTY_RF_EOL) && tty->rbuf[i] == DISABLED_CHAR) {
		tty->rflag[i] &= (uint8_t)~TTY_RF_EOL;
		tty->read_tail++;
	}
}

static bool file_hung_up(const struct tty_file *tf)
{
	return tf->gen != tf->tty->hangup_gen;
}

static struct timespec deciseconds_from_now(unsigned ds)
{
	struct timespec d = { ds / 10, (long)(ds % 10) * 100000000L };
	return ts_add(ts_now(CLOCK_MONOTONIC), d);
}

/* n_tty_read for the slave: one line in canonical mode; VMIN/VTIME
 * otherwise. */
static ssize_t slave_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct tty_file *tf = f->priv;
	struct tty *tty = tf->tty;
	pthread_mutex_lock(&tty->lock);
	bool hung = file_hung_up(tf);
	pthread_mutex_unlock(&tty->lock);
	if (hung)
		return 0;
	int err = tty_check_change(t, tty, SIGTTIN);
	if (err < 0)
		return err;

	pthread_mutex_lock(&tty->lock);
	size_t minimum = 0;
	unsigned inter_byte = 0;
	bool no_wait = false;
	struct timespec deadline, *dl = NULL;
	if (!tty->icanon) {
		minimum = CC(tty, VMIN);
		if (minimum) {
			inter_byte = CC(tty, VTIME);   /* starts with the first byte */
		} else if (CC(tty, VTIME)) {
			minimum = 1;
			deadline = deciseconds_from_now(CC(tty, VTIME));
			dl = &deadline;
		} else {
			minimum = 1;
			no_wait = true;
		}
	}
	size_t done = 0;
	ssize_t ret = 0;
	unsigned sigs = 0;
	while (done < len) {
		if (!input_available(tty, false)) {
			if (tty->master_closed) {
				ret = -EIO;   /* TTY_OTHER_CLOSED */
				break;
			}
			if (file_hung_up(tf) || no_wait)
				break;
			if (f->flags & O_NONBLOCK) {
				ret = -EAGAIN;
				break;
			}
			err = tty_wait(tty, t, &tty->in_wq, dl, &sigs);
			if (err == -ETIMEDOUT)
				no_wait = true;
			else if (err < 0) {
				ret = err;
				break;
			}
			continue;
		}
		if (tty->icanon && !L_(tty, EXTPROC)) {
			bool found;
			done += canon_copy(tty, (uint8_t *)buf + done, len - done, &found);
			if (!found && done == len)
				canon_skip_eof(tty);
			break;
		}
		done += raw_copy(tty, (uint8_t *)buf + done, len - done);
		if (done >= minimum)
			break;
		if (inter_byte) {
			deadline = deciseconds_from_now(inter_byte);
			dl = &deadline;
		}
	}
	/* Room in the input buffer: take more of what the master wrote. */
	if (done > 0 && !ld_push(tty, &sigs))
		tty_wake(tty);
	pthread_mutex_unlock(&tty->lock);
	if (sigs)
		tty_signal_pgrp(tty, sigs);
	return done ? (ssize_t)done : ret;
}

/* The master reads the slave's output as it is. */
static ssize_t master_read(struct file *f, struct task *t, void *buf, size_t len, int64_t *pos)
{
	struct tty *tty = ((struct tty_file *)f->priv)->tty;
	if (len == 0)
		return 0;
	pthread_mutex_lock(&tty->lock);
	ssize_t ret;
	for (;;) {
		if (tty->out.len > 0) {
			ret = (ssize_t)ring_get(&tty->out, buf, len);
			tty_wake(tty);
			break;
		}
		if (tty->slave_closed) {
			ret = -EIO;
			break;
		}
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		if ((ret = tty_wait(tty, t, &tty->out_wq, NULL, NULL)) < 0)
			break;
	}
	pthread_mutex_unlock(&tty->lock);
	return ret;
}

ssize_t tty_master_read_buf(struct tty *tty, void *buf, size_t len)
{
	pthread_mutex_lock(&tty->lock);
	ssize_t ret = -EAGAIN;
	if (tty->out.len > 0) {
		ret = (ssize_t)ring_get(&tty->out, buf, len);
		tty_wake(tty);
	} else if (tty->slave_closed) {
		ret = -EIO;
	}
	pthread_mutex_unlock(&tty->lock);
	return ret;
}

/* --- writing ------------------------------------------------------------------------- */

/* n_tty_write for the slave: OPOST processing into the master's buffer. */
static ssize_t slave_write(struct file *f, struct task *t, const void *buf, size_t len,
			   int64_t *pos)
{
	struct tty_file *tf = f->priv;
	struct tty *tty = tf->tty;
	const uint8_t *b = buf;
	pthread_mutex_lock(&tty->lock);
	bool hung = file_hung_up(tf), tostop = L_(tty, TOSTOP);
	pthread_mutex_unlock(&tty->lock);
	if (hung)
		return -EIO;
	if (tostop) {
		int err = tty_check_change(t, tty, SIGTTOU);
		if (err < 0)
			return err;
	}
	pthread_mutex_lock(&tty->lock);
	size_t done = 0;
	ssize_t ret = 0;
	for (;;) {
		if (file_hung_up(tf) || tty->master_closed) {
			ret = -EIO;
			break;
		}
		size_t before = done;
		if (!tty->stopped) {
			if (O_(tty, OPOST)) {
				while (done < len && output_char(tty, b[done]) >= 0)
					done++;
			} else {
				size_t n = ring_room(&tty->out);
				if (n > len - done)
					n = len - done;
				ring_put(&tty->out, b + done, n);
				done += n;
			}
		}
		if (done > before)
			tty_wake(tty);
		if (done == len)
			break;
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		if ((ret = tty_wait(tty, t, &tty->out_wq, NULL, NULL)) < 0)
			break;
	}
	pthread_mutex_unlock(&tty->lock);
	return done ? (ssize_t)done : ret;
}

/* Takes what fits in the flip buffer and feeds the line discipline. */
static size_t master_take(struct tty *tty, const uint8_t *b, size_t len, unsigned *sigs)
{
	size_t n = ring_room(&tty->flip);
	if (n > len)
		n = len;
	ring_put(&tty->flip, b, n);
	ld_push(tty, sigs);
	return n;
}

static ssize_t master_write(struct file *f, struct task *t, const void *buf, size_t len,
			    int64_t *pos)
{
	struct tty *tty = ((struct tty_file *)f->priv)->tty;
	const uint8_t *b = buf;
	unsigned sigs = 0;
	size_t done = 0;
	ssize_t ret = 0;
	pthread_mutex_lock(&tty->lock);
	for (;;) {
		done += master_take(tty, b + done, len - done, &sigs);
		if (done == len)
			break;
		if (f->flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		if ((ret = tty_wait(tty, t, &tty->in_wq, NULL, &sigs)) < 0)
			break;
	}
	pthread_mutex_unlock(&tty->lock);
	if (sigs)
		tty_signal_pgrp(tty, sigs);
	return done ? (ssize_t)done : ret;
}

ssize_t tty_master_write_buf(struct tty *tty, const void *buf, size_t len)
{
	unsigned sigs = 0;
	pthread_mutex_lock(&tty->lock);
	size_t n = master_take(tty, buf, len, &sigs);
	pthread_mutex_unlock(&tty->lock);
	if (sigs)
		tty_signal_pgrp(tty, sigs);
	return n > 0 || len == 0 ? (ssize_t)n : -EAGAIN;
}

/* --- poll ------------------------------------------------------------------------------ */

static unsigned slave_poll(struct file *f, struct poll_table *pt)
{
	struct tty_file *tf = f->priv;
	struct tty *tty = tf->tty;
	if (pt) {
		poll_wait(pt, &tty->in_wq, 0);
		poll_wait(pt, &tty->out_wq, 0);
	}
	unsigned mask = 0;
	pthread_mutex_lock(&tty->lock);
	if (file_hung_up(tf)) {
		mask = POLLIN | POLLOUT | POLLERR | POLLHUP | POLLRDNORM | POLLWRNORM;
	} else {
		if (input_available(tty, true))
			mask |= POLLIN | POLLRDNORM;
		if (tty->master_closed)
			mask |= POLLHUP;
		if (!tty->stopped && ring_room(&tty->out) > 0)
			mask |= POLLOUT | POLLWRNORM;
	}
	pthread_mutex_unlock(&tty->lock);
	return mask;
}

static unsigned master_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = ((struct tty_file *)f->priv)->tty;
	if (pt) {
		poll_wait(pt, &tty->in_wq, 0);
		poll_wait(pt, &tty->out_wq, 0);
	}
	unsigned mask = 0;
	pthread_mutex_lock(&tty->lock);
	if (tty->out.len > 0)
		mask |= POLLIN | POLLRDNORM;
	if (tty->slave_closed)
		mask |= POLLHUP;
	if (ring_room(&tty->flip) > 0)
		mask |= POLLOUT | POLLWRNORM;
	pthread_mutex_unlock(&tty->lock);
	return mask;
}

/* --- open and close ---------------------------------------------------------------------- */

int tty_master_file_init(struct tty *tty, struct file *f)
{
	struct tty_file *tf = calloc(1, sizeof *tf);
	if (!tf)
		return -ENOMEM;
	tf->tty = tty;
	f->priv = tf;
	f->fop = &tty_master_fops;
	return 0;
}

int tty_slave_file_init(struct task *t, struct tty *tty, struct file *f, bool noctty)
{
	struct tty_file *tf = calloc(1, sizeof *tf);
	if (!tf)
		return -ENOMEM;
	pthread_mutex_lock(&tty->lock);
	int err = 0;
	if (tty->master_closed || tty->masters == 0 || tty->locked)
		err = -EIO;
	else if (tty->exclusive && t && !tty_capable_admin(t))
		err = -EBUSY;
	if (err == 0) {
		tty->slaves++;
		tty->slave_closed = false;
		tf->gen = tty->hangup_gen;
	}
	pthread_mutex_unlock(&tty->lock);
	if (err < 0) {
		free(tf);
		return err;
	}
	tty_get(tty);
	tf->tty = tty;
	f->priv = tf;
	f->fop = &tty_slave_fops;
	if (t)
		tty_open_set_ctty(t, tty, f, noctty);
	return 0;
}

/* The pair's master is gone: the slave hangs up for good (pty_close and
 * tty_vhangup of the slave). */
static void hangup(struct tty *tty, bool master_gone)
{
	pthread_mutex_lock(&tty->lock);
	tty->hangup_gen++;
	if (master_gone)
		tty->master_closed = true;
	ld_flush_input(tty);
	ring_clear(&tty->flip);
	tty->stopped = tty->tco_stopped = false;
	tty_wake(tty);
	pthread_mutex_unlock(&tty->lock);
	tty_hangup_session(tty);
}

void tty_master_close(struct tty *tty)
{
	pthread_mutex_lock(&tty->lock);
	bool last = --tty->masters == 0;
	pthread_mutex_unlock(&tty->lock);
	if (last)
		hangup(tty, true);
}

static void master_release(struct file *f)
{
	struct tty_file *tf = f->priv;
	tty_master_close(tf->tty);
	tty_put(tf->tty);
	free(tf);
}

static void slave_release(struct file *f)
{
	struct tty_file *tf = f->priv;
	struct tty *tty = tf->tty;
	pthread_mutex_lock(&tty->lock);
	if (--tty->slaves == 0) {
		tty->slave_closed = true;   /* master reads EIO, polls POLLHUP */
		tty_wake(tty);
	}
	pthread_mutex_unlock(&tty->lock);
	tty_put(tty);
	free(tf);
}

bool tty_hung_up(struct tty *tty)
{
	pthread_mutex_lock(&tty->lock);
	bool r = tty->master_closed;
	pthread_mutex_unlock(&tty->lock);
	return r;
}

uint8_t tty_eof_char(struct tty *tty)
{
	pthread_mutex_lock(&tty->lock);
	uint8_t c = CC(tty, VEOF);
	pthread_mutex_unlock(&tty->lock);
	return c;
}

/* --- termios ------------------------------------------------------------------------------- */

static const uint32_t baud_table[] = {
	0, 50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400,
	57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000, 1152000, 1500000,
	2000000, 2500000, 3000000, 3500000, 4000000,
};

/* tty_termios_baud_rate for a CBAUD code (BOTHER: other). */
static uint32_t baud_rate(uint32_t code, uint32_t other)
{
	if (code == K_BOTHER)
		return other;
	if (code & K_CBAUDEX)
		code = (code & ~K_CBAUDEX) + 15;
	return code < sizeof baud_table / sizeof baud_table[0] ? baud_table[code] : 0;
}

/* Loads c_ispeed/c_ospeed from the Bxxx codes, as set_termios does. */
static void termios_fix_speeds(struct ktermios *kt)
{
	uint32_t out = baud_rate(kt->c_cflag & K_CBAUD, kt->c_ospeed);
	uint32_t in_code = (kt->c_cflag >> K_IBSHIFT) & K_CBAUD;
	kt->c_ispeed = in_code == 0 ? out : baud_rate(in_code, kt->c_ispeed);
	kt->c_ospeed = out;
}

enum termios_kind { TERMIOS_TERMIO, TERMIOS_OLD, TERMIOS_NEW };

static long get_termios(struct task *t, struct tty *tty, uint64_t arg, enum termios_kind kind)
{
	pthread_mutex_lock(&tty->lock);
	struct ktermios kt = tty->termios;
	pthread_mutex_unlock(&tty->lock);
	if (kind == TERMIOS_TERMIO) {
		uint8_t tio[TERMIO_SIZE];
		uint16_t flags[4] = { (uint16_t)kt.c_iflag, (uint16_t)kt.c_oflag,
				      (uint16_t)kt.c_cflag, (uint16_t)kt.c_lflag };
		memcpy(tio, flags, sizeof flags);
		tio[8] = kt.c_line;
		memcpy(tio + 9, kt.c_cc, 8);
		return copy_to_user(t, arg, tio, sizeof tio) < 0 ? -EFAULT : 0;
	}
	size_t n = kind == TERMIOS_OLD ? TERMIOS1_SIZE : sizeof kt;
	return copy_to_user(t, arg, &kt, n) < 0 ? -EFAULT : 0;
}

/* set_termios (drivers/tty/tty_ioctl.c): from the background it takes
 * SIGTTOU; TCSETSF flushes pending input; output is always drained here. */
static long set_termios(struct task *t, struct tty *tty, uint64_t arg, enum termios_kind kind,
			bool flush)
{
	int err = tty_check_change(t, tty, SIGTTOU);
	if (err < 0)
		return err;
	pthread_mutex_lock(&tty->lock);
	struct ktermios kt = tty->termios;
	pthread_mutex_unlock(&tty->lock);
	if (kind == TERMIOS_TERMIO) {
		uint8_t tio[TERMIO_SIZE];
		if (copy_from_user(t, tio, arg, sizeof tio) < 0)
			return -EFAULT;
		uint16_t flags[4];
		memcpy(flags, tio, sizeof flags);
		/* Only the low 16 bits of each flag word. */
		kt.c_iflag = (kt.c_iflag & 0xffff0000u) | flags[0];
		kt.c_oflag = (kt.c_oflag & 0xffff0000u) | flags[1];
		kt.c_cflag = (kt.c_cflag & 0xffff0000u) | flags[2];
		kt.c_lflag = (kt.c_lflag & 0xffff0000u) | flags[3];
		kt.c_line = tio[8];
		memcpy(kt.c_cc, tio + 9, 8);
	} else {
		size_t n = kind == TERMIOS_OLD ? TERMIOS1_SIZE : sizeof kt;
		if (copy_from_user(t, &kt, arg, n) < 0)
			return -EFAULT;
	}
	termios_fix_speeds(&kt);
	/* pty_set_termios: a pty is always 8 bits, no parity, receiving. */
	kt.c_cflag = (kt.c_cflag & ~(uint32_t)(CSIZE | PARENB)) | CS8 | CREAD;
	pthread_mutex_lock(&tty->lock);
	if (flush)
		ld_flush_input(tty);
	struct ktermios old = tty->termios;
	tty->termios = kt;
	ld_set_termios(tty, &old);
	pthread_mutex_unlock(&tty->lock);
	return 0;
}

void tty_set_winsize(struct tty *tty, const struct winsize *ws)
{
	pthread_mutex_lock(&tty->lock);
	bool changed = memcmp(ws, &tty->ws, sizeof *ws) != 0;
	tty->ws = *ws;
	pthread_mutex_unlock(&tty->lock);
	if (changed)
		tty_signal_pgrp(tty, 1u << SIGWINCH);
}

/* --- ioctl ---------------------------------------------------------------------------------- */

static long put_int(struct task *t, uint64_t arg, int v)
{
	return copy_to_user(t, arg, &v, sizeof v) < 0 ? -EFAULT : 0;
}

static long get_int(struct task *t, uint64_t arg, int *v)
{
	return copy_from_user(t, v, arg, sizeof *v) < 0 ? -EFAULT : 0;
}

/* FIONREAD of the slave: what a reader could take (inq_canon skips EOFs). */
static int slave_inq(struct tty *tty)
{
	if (!tty->icanon || L_(tty, EXTPROC))
		return (int)(tty->read_head - tty->read_tail);
	size_t n = 0;
	for (size_t p = tty->read_tail; p != tty->canon_head; p++)
		if (!((tty->rflag[BUF_MASK(p)] & TTY_RF_EOL) && read_buf(tty, p) == DISABLED_CHAR))
			n++;
	return (int)n;
}

/* TCFLSH: input and output as seen from the end the ioctl came through. */
static long do_flush(struct task *t, struct tty *tty, bool master, int arg)
{
	if (arg != TCIFLUSH && arg != TCOFLUSH && arg != TCIOFLUSH)
		return -EINVAL;
	if (!master) {
		int err = tty_check_change(t, tty, SIGTTOU);
		if (err < 0)
			return err;
	}
	pthread_mutex_lock(&tty->lock);
	bool in = arg == TCIFLUSH || arg == TCIOFLUSH, out = arg == TCOFLUSH || arg == TCIOFLUSH;
	if (master) {
		if (in)
			ring_clear(&tty->out);
		if (out)
			ring_clear(&tty->flip);
	} else {
		if (in)
			ld_flush_input(tty);
		if (out)
			ring_clear(&tty->out);
	}
	tty_wake(tty);
	pthread_mutex_unlock(&tty->lock);
	return 0;
}

/* TCXONC: TCOOFF/TCOON stop and restart output, TCIOFF/TCION send the
 * STOP/START characters to the other end. */
static long do_xonc(struct task *t, struct tty *tty, bool master, int arg)
{
	if (arg < TCOOFF || arg > TCION)
		return -EINVAL;
	if (!master) {
		int err = tty_check_change(t, tty, SIGTTOU);
		if (err < 0)
			return err;
	}
	unsigned sigs = 0;
	pthread_mutex_lock(&tty->lock);
	switch (arg) {
	case TCOOFF:
		if (!master)
			tty->stopped = tty->tco_stopped = true;
		break;
	case TCOON:
		if (!master) {
			tty->tco_stopped = false;
			start_tty(tty);
		}
		break;
	default: {
		uint8_t c = CC(tty, arg == TCIOFF ? VSTOP : VSTART);
		if (c == DISABLED_CHAR)
			break;
		if (master)
			master_take(tty, &c, 1, &sigs);
		else if (ring_room(&tty->out) > 0)
			ring_put(&tty->out, &c, 1);
		break;
	}
	}
	tty_wake(tty);
	pthread_mutex_unlock(&tty->lock);
	if (sigs)
		tty_signal_pgrp(tty, sigs);
	return 0;
}

/* TIOCGPTPEER: opens the slave of this master and installs it as a new fd. */
static long open_peer(struct task *t, struct tty *tty, uint64_t arg)
{
	int flags = (int)arg;
	if (flags & ~(O_ACCMODE | O_NOCTTY | O_NONBLOCK | O_CLOEXEC | O_LARGEFILE))
		return -EINVAL;
	if ((flags & O_ACCMODE) == O_ACCMODE)
		return -EINVAL;
	struct path p = { 0 };
	int err = devpts_slave_path(tty->devpts, tty, &p);
	if (err < 0)
		return err == -ENOENT ? -EIO : err;
	int mask = ((flags & O_ACCMODE) != O_WRONLY ? MAY_READ : 0) |
		   ((flags & O_ACCMODE) != O_RDONLY ? MAY_WRITE : 0);
	err = inode_permission(&t->tg->cred, tty->inode, mask);
	if (err < 0) {
		path_put(&p);
		return err;
	}
	struct file *f = file_new(tty->inode, &p, NULL,
				  (unsigned)(flags & (O_ACCMODE | O_NONBLOCK)) | O_LARGEFILE);
	path_put(&p);
	if (!f)
		return -ENOMEM;
	err = tty_slave_file_init(t, tty, f, flags & O_NOCTTY);
	if (err < 0) {
		file_put(f);
		return err;
	}
	rlim_t cur = t->tg->rlim[RLIMIT_NOFILE].rlim_cur;
	unsigned limit = cur > 1048576 ? 1048576 : (unsigned)cur;
	long fd = fd_install(t->files, f, 0, flags & O_CLOEXEC, limit);
	file_put(f);
	return fd;
}

/* Master-only requests (pty_unix98_ioctl). */
static long master_ioctl_pty(struct task *t, struct tty *tty, unsigned long cmd, uint64_t arg)
{
	int v;
	long err;
	switch (cmd) {
	case TIOCGPTN:
		return put_int(t, arg, tty->index);
	case TIOCSPTLCK:
		if ((err = get_int(t, arg, &v)) < 0)
			return err;
		pthread_mutex_lock(&tty->lock);
		tty->locked = v != 0;
		pthread_mutex_unlock(&tty->lock);
		return 0;
	case TIOCGPTLCK:
		pthread_mutex_lock(&tty->lock);
		v = tty->locked;
		pthread_mutex_unlock(&tty->lock);
		return put_int(t, arg, v);
	case TIOCGPTPEER:
		return open_peer(t, tty, arg);
	case TIOCSIG:
		/* pty_signal: only the keyboard signals. */
		if (arg != SIGINT && arg != SIGQUIT && arg != SIGTSTP)
			return -EINVAL;
		tty_signal_pgrp(tty, 1u << arg);
		return 0;
	default:
		return -ENOIOCTLCMD;
	}
}

/* TIOCSTI: as if typed on the terminal (root, or on one's own controlling
 * terminal). */
static long do_sti(struct task *t, struct tty *tty, uint64_t arg)
{
	bool admin = tty_capable_admin(t);
	if (!tty_is_ctty(t, tty) && !admin)
		return -EPERM;
	if (!admin)
		return -EIO;   /* dev.tty.legacy_tiocsti = 0 */
	uint8_t c;
	if (copy_from_user(t, &c, arg, 1) < 0)
		return -EFAULT;
	unsigned sigs = 0;
	pthread_mutex_lock(&tty->lock);
	if (ld_room(tty))
		ld_receive(tty, c, &sigs);
	tty_wake(tty);
	pthread_mutex_unlock(&tty->lock);
	if (sigs)
		tty_signal_pgrp(tty, sigs);
	return 0;
}

static long tty_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg,
		      bool master)
{
	struct tty_file *tf = f->priv;
	struct tty *tty = tf->tty;
	int v;
	long err;
	if (!master) {
		pthread_mutex_lock(&tty->lock);
		bool hung = file_hung_up(tf);
		pthread_mutex_unlock(&tty->lock);
		if (hung)
			return cmd == TIOCSPGRP ? -ENOTTY : -EIO;   /* hung_up_tty_ioctl */
	} else if ((err = master_ioctl_pty(t, tty, cmd, arg)) != -ENOIOCTLCMD) {
		return err;
	}
	if ((err = tty_jobctrl_ioctl(t, tty, master, f, cmd, arg)) != -ENOIOCTLCMD)
		return err;
	switch (cmd) {
	case TCGETS:
		return get_termios(t, tty, arg, TERMIOS_OLD);
	case TTY_TCGETS2:
		return get_termios(t, tty, arg, TERMIOS_NEW);
	case TCGETA:
		return get_termios(t, tty, arg, TERMIOS_TERMIO);
	case TCSETS:
	case TCSETSW:
	case TCSETSF:
		return set_termios(t, tty, arg, TERMIOS_OLD, cmd == TCSETSF);
	case TTY_TCSETS2:
	case TTY_TCSETSW2:
	case TTY_TCSETSF2:
		return set_termios(t, tty, arg, TERMIOS_NEW, cmd == TTY_TCSETSF2);
	case TCSETA:
	case TCSETAW:
	case TCSETAF:
		return set_termios(t, tty, arg, TERMIOS_TERMIO, cmd == TCSETAF);
	case TIOCGWINSZ: {
		pthread_mutex_lock(&tty->lock);
		struct winsize ws = tty->ws;
		pthread_mutex_unlock(&tty->lock);
		return copy_to_user(t, arg, &ws, sizeof ws) < 0 ? -EFAULT : 0;
	}
	case TIOCSWINSZ: {
		struct winsize ws;
		if (copy_from_user(t, &ws, arg, sizeof ws) < 0)
			return -EFAULT;
		tty_set_winsize(tty, &ws);
		return 0;
	}
	case FIONREAD:   /* TIOCINQ */
		pthread_mutex_lock(&tty->lock);
		v = master ? (int)tty->out.len : slave_inq(tty);
		pthread_mutex_unlock(&tty->lock);
		return put_int(t, arg, v);
	case TIOCOUTQ:
		return put_int(t, arg, 0);   /* a pty keeps no driver output queue */
	case TCFLSH:
		return do_flush(t, tty, master, (int)arg);
	case TCXONC:
		return do_xonc(t, tty, master, (int)arg);
	case TCSBRK:
	case TCSBRKP:
		/* tcdrain() and tcsendbreak(): output is always "sent"; a pty
		 * has no break. */
		return master ? 0 : tty_check_change(t, tty, SIGTTOU);
	case TIOCSBRK:
	case TIOCCBRK:
		return 0;
	case TIOCGETD:
		return put_int(t, arg, 0);   /* N_TTY */
	case TIOCSETD:
		if ((err = get_int(t, arg, &v)) < 0)
			return err;
		return v == 0 ? 0 : -EINVAL;
	case TIOCEXCL:
	case TIOCNXCL:
		pthread_mutex_lock(&tty->lock);
		tty->exclusive = cmd == TIOCEXCL;
		pthread_mutex_unlock(&tty->lock);
		return 0;
	case TIOCGEXCL:
		pthread_mutex_lock(&tty->lock);
		v = tty->exclusive;
		pthread_mutex_unlock(&tty->lock);
		return put_int(t, arg, v);
	case TIOCGDEV: {
		/* new_encode_dev(136:N) */
		unsigned minor = (unsigned)tty->index;
		unsigned dev = (minor & 0xff) | (PTY_SLAVE_MAJOR << 8) | ((minor & ~0xffu) << 12);
		return copy_to_user(t, arg, &dev, sizeof dev) < 0 ? -EFAULT : 0;
	}
	case TIOCGSOFTCAR:
		pthread_mutex_lock(&tty->lock);
		v = (tty->termios.c_cflag & CLOCAL) != 0;
		pthread_mutex_unlock(&tty->lock);
		return put_int(t, arg, v);
	case TIOCSSOFTCAR:
		if ((err = get_int(t, arg, &v)) < 0)
			return err;
		pthread_mutex_lock(&tty->lock);
		tty->termios.c_cflag = (tty->termios.c_cflag & ~(uint32_t)CLOCAL) | (v ? CLOCAL : 0);
		pthread_mutex_unlock(&tty->lock);
		return 0;
	case TIOCGLCKTRMIOS: {
		struct ktermios none = { 0 };   /* no termios bit is locked */
		return copy_to_user(t, arg, &none, TERMIOS1_SIZE) < 0 ? -EFAULT : 0;
	}
	case TIOCSLCKTRMIOS:
		return tty_capable_admin(t) ? 0 : -EPERM;
	case TIOCSTI:
		return master ? -EIO : do_sti(t, tty, arg);
	case TIOCGPTPEER:
		return -EIO;   /* ptm_open_peer: only a master has a peer */
	case TIOCVHANGUP:
		if (!tty_capable_admin(t))
			return -EPERM;
		if (!master)
			hangup(tty, false);
		return 0;
	default:
		return -ENOTTY;
	}
}

static long slave_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	return tty_ioctl(f, t, cmd, arg, false);
}

static long master_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	return tty_ioctl(f, t, cmd, arg, true);
}

const struct file_ops tty_master_fops = {
	.read = master_read,
	.write = master_write,
	.poll = master_poll,
	.ioctl = master_ioctl,
	.release = master_release,
};

const struct file_ops tty_slave_fops = {
	.read = slave_read,
	.write = slave_write,
	.poll = slave_poll,
	.ioctl = slave_ioctl,
	.release = slave_release,
};
