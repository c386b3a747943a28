/* Terminals, shared by the files of sentry/fs/ that make them up:
 *
 *   tty.c          a pseudo-terminal pair and its line discipline (n_tty):
 *                  the master and slave ends as open files, termios, ioctls
 *   tty_jobctrl.c  controlling terminals of sessions, the foreground process
 *                  group, job-control checks and hangups
 *   devpts.c       /dev/pts, /dev/ptmx and /dev/tty
 *   tty_bridge.c   `sentry run -t`: the caller's terminal <-> a pty master
 *
 * The rest of the kernel sees only what fs.h declares.
 *
 * Locking, outermost first: k->lock (a tty's session and foreground group,
 * every thread group's controlling terminal), devpts->lock (the index
 * table), tty->lock (everything else of a tty).  k->lock is never taken with
 * a tty's or devpts's lock held: signals that terminal input generates are
 * collected under tty->lock and sent after it is released.
 */
#ifndef SENTRY_FS_TTY_H
#define SENTRY_FS_TTY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"

#define TTY_BUF_SIZE  4096    /* N_TTY_BUF_SIZE: the slave's input buffer */
#define TTY_FLIP_SIZE 8192    /* master writes the line discipline has not taken */
#define TTY_OUT_SIZE  12288   /* slave output and echoes the master has not read */
#define TTY_NCCS      19      /* the kernel's NCCS */

#define PTY_SLAVE_MAJOR 136   /* /dev/pts/N */
#define TTYAUX_MAJOR    5     /* /dev/tty (5:0), /dev/ptmx (5:2) */
#define DEVPTS_MAX      4096  /* /proc/sys/kernel/pty/max */

/* Not an errno: "this ioctl is not for me" between the ioctl layers. */
#ifndef ENOIOCTLCMD
#define ENOIOCTLCMD 515
#endif

/* The kernel's termios (struct termios2 of the ioctls is exactly this). */
struct ktermios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[TTY_NCCS];
	uint32_t c_ispeed, c_ospeed;
};

struct tty_ring {
	uint8_t *buf;
	size_t cap, head, len;
};

struct devpts;

/* A pseudo-terminal pair.  Its termios, window size, session and foreground
 * group are the slave's (a master has none of its own, as in Linux: ioctls
 * on the master act on the slave). */
struct tty {
	atomic_long refcount;        /* open files, controlling-terminal links */
	struct devpts *devpts;
	struct kernel *k;
	int index;                   /* N of /dev/pts/N */
	struct inode *inode;         /* /dev/pts/N */

	pthread_mutex_t lock;
	int masters, slaves;         /* open ends (the -t bridge holds a master) */
	bool locked;                 /* TIOCSPTLCK: the slave may not be opened */
	bool master_closed;          /* the pair is hung up for good */
	bool slave_closed;           /* the last slave end closed (master reads EIO) */
	bool exclusive;              /* TIOCEXCL */
	bool stopped, tco_stopped;   /* output stopped (VSTOP / TCOOFF) */
	unsigned hangup_gen;         /* slave files opened before a hangup are dead */
	struct ktermios termios;
	struct winsize ws;

	/* The line discipline (n_tty's ldata).  Positions count up forever;
	 * the buffer index is the position modulo TTY_BUF_SIZE.  Canonical
	 * mode: [read_tail, canon_head) are complete lines, [canon_head,
	 * read_head) the line being edited. */
	uint8_t rbuf[TTY_BUF_SIZE];
	uint8_t rflag[TTY_BUF_SIZE];  /* TTY_RF_EOL: a line ends here */
	size_t read_tail, canon_head, read_head;
	uint8_t char_map[32];        /* characters that need a look */
	bool icanon, raw;
	bool lnext, erasing;
	unsigned column, canon_column;
	struct tty_ring flip;        /* master -> line discipline */
	struct tty_ring out;         /* slave output and echoes -> master */
	struct waitq in_wq;          /* input moved: slave readers, master writers */
	struct waitq out_wq;         /* output moved: master readers, slave writers */

	/* Job control (under k->lock): the session this is the controlling
	 * terminal of and its foreground group, 0 when none. */
	pid_t session, pgrp;
};

/* An open end of a pty (f->priv of its files). */
struct tty_file {
	struct tty *tty;
	unsigned gen;                /* tty->hangup_gen when the slave was opened */
};

/* --- tty.c ------------------------------------------------------------------ */

extern const struct file_ops tty_master_fops;
extern const struct file_ops tty_slave_fops;

/* A new pair (one reference, one master end, slave locked). */
struct tty *tty_new(struct devpts *dp, struct kernel *k, int index);
void tty_get(struct tty *tty);
/* Returns false when the pair is already being destroyed. */
bool tty_get_unless_zero(struct tty *tty);
void tty_put(struct tty *tty);

/* Makes f an open master end (takes over the caller's reference). */
int tty_master_file_init(struct tty *tty, struct file *f);
/* Opens the slave end into f (as pty_open and tty_open do): -EIO if the
 * pair is locked or its master gone, -EBUSY if exclusive.  The calling
 * session leader acquires it as controlling terminal unless noctty (t NULL:
 * opened by the sentry itself).  Takes a new reference on success. */
int tty_slave_file_init(struct task *t, struct tty *tty, struct file *f, bool noctty);
/* Closes a master end that is not a file (the bridge's). */
void tty_master_close(struct tty *tty);

/* The bridge's side of the master, never blocking: bytes taken from buf
 * (-EAGAIN when none fit), bytes read (-EAGAIN when none, -EIO when the
 * slave is closed and nothing is left). */
ssize_t tty_master_write_buf(struct tty *tty, const void *buf, size_t len);
ssize_t tty_master_read_buf(struct tty *tty, void *buf, size_t len);
/* TIOCSWINSZ: SIGWINCH to the foreground group if the size changed. */
void tty_set_winsize(struct tty *tty, const struct winsize *ws);
/* The VEOF character of the slave's termios (0: disabled). */
uint8_t tty_eof_char(struct tty *tty);
/* The slave is hung up (its master closed). */
bool tty_hung_up(struct tty *tty);

/* --- tty_jobctrl.c -------------------------------------------------------------- */

/* __tty_check_change: the caller touches its controlling terminal from a
 * background group: 0 (go ahead), -EIO, or -ERESTARTSYS after sending sig
 * (SIGTTIN, SIGTTOU) to its group. */
int tty_check_change(struct task *t, struct tty *tty, int sig);
/* TIOCSCTTY, TIOCNOTTY, TIOCGPGRP, TIOCSPGRP, TIOCGSID (-ENOIOCTLCMD for
 * anything else).  master: the ioctl came through the master end. */
long tty_jobctrl_ioctl(struct task *t, struct tty *tty, bool master, struct file *f,
		       unsigned long cmd, uint64_t arg);
/* At open: a session leader without a controlling terminal acquires tty
 * (unless noctty, or f is not open for reading, or tty has a session). */
void tty_open_set_ctty(struct task *t, struct tty *tty, struct file *f, bool noctty);
/* Makes tty the controlling terminal of tg's session (k->lock held). */
void tty_set_ctty_locked(struct thread_group *tg, struct tty *tty);
/* A hangup (the master closed, or TIOCVHANGUP): the session leader gets
 * SIGHUP and SIGCONT, nobody keeps tty as controlling terminal. */
void tty_hangup_session(struct tty *tty);
/* Sends the signals in sigs (bit n: signal n) to the foreground group. */
void tty_signal_pgrp(struct tty *tty, unsigned sigs);
/* The calling process's controlling terminal (a new reference) or NULL. */
struct tty *tty_current(struct task *t);
/* Is tty the caller's controlling terminal? */
bool tty_is_ctty(struct task *t, struct tty *tty);
bool tty_capable_admin(struct task *t);

/* --- devpts.c ----------------------------------------------------------------- */

/* A new pair at the lowest free index, its slave node owned by o: -ENOSPC
 * beyond DEVPTS_MAX. */
int devpts_new_pty(struct devpts *dp, const struct owner *o, struct tty **out);
/* A pair is gone: its index is free again. */
void devpts_forget(struct devpts *dp, struct tty *tty);
/* The path of /dev/pts/N for a pair (for files opened without a walk). */
int devpts_slave_path(struct devpts *dp, struct tty *tty, struct path *out);

/* --- tty_bridge.c --------------------------------------------------------------- */
/* (declared in fs.h) */

#endif
