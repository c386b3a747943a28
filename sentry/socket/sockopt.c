/* The SOL_SOCKET options every family has (sock_setsockopt and
 * sock_getsockopt in net/core/sock.c); the family answers first for the
 * ones it owns. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/socket/socket.h"

#ifndef SO_RCVTIMEO_NEW
#define SO_RCVTIMEO_NEW 66
#define SO_SNDTIMEO_NEW 67
#endif
#ifndef SO_COOKIE
#define SO_COOKIE 57
#endif

static bool task_capable(struct task *t, int cap)
{
	pthread_mutex_lock(&t->k->lock);
	bool r = cred_capable(&t->tg->cred, cap);
	pthread_mutex_unlock(&t->k->lock);
	return r;
}

/* sock_set_timeout(): Linux keeps jiffies (HZ 250 here, as the usual
 * build): the time is rounded up to 4 ms, a negative one means "do not
 * wait", a zero one "no timeout". */
#define SOCK_JIFFY_NS 4000000LL

static int set_timeout(atomic_llong *slot, const void *val, unsigned len)
{
	struct {
		int64_t sec, usec;
	} tv;
	if (len < sizeof tv)
		return -EINVAL;
	memcpy(&tv, val, sizeof tv);
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0) {
		atomic_store(slot, 0);
		return 0;
	}
	long long ns = INT64_MAX;
	if ((tv.sec || tv.usec) && tv.sec < INT32_MAX / 250 - 1) {
		long long j = (tv.usec * 1000 + SOCK_JIFFY_NS - 1) / SOCK_JIFFY_NS;
		ns = tv.sec * 1000000000LL + j * SOCK_JIFFY_NS;
	}
	atomic_store(slot, ns);
	return 0;
}

static unsigned get_timeout(atomic_llong *slot, void *val)
{
	long long ns = atomic_load(slot);
	struct {
		int64_t sec, usec;
	} tv = { 0, 0 };
	if (ns != INT64_MAX) {
		tv.sec = ns / 1000000000LL;
		tv.usec = (ns % 1000000000LL) / 1000;
	}
	memcpy(val, &tv, sizeof tv);
	return sizeof tv;
}

static void set_flag(struct socket *s, unsigned flag, bool on)
{
	if (on)
		atomic_fetch_or(&s->flags, flag);
	else
		atomic_fetch_and(&s->flags, ~flag);
}

static int set_buf(atomic_int *slot, int val, int min, bool force)
{
	if (force)
		val = val < 0 ? 0 : val;
	else if ((unsigned)val > SOCK_WMEM_MAX)
		val = SOCK_WMEM_MAX;   /* min_t(u32, val, wmem_max) */
	if (val > INT_MAX / 2)
		val = INT_MAX / 2;
	atomic_store(slot, val * 2 > min ? val * 2 : min);
	return 0;
}

static int common_setsockopt(struct socket *s, struct task *t, int name, const void *optval,
			     unsigned len)
{
	if (len < sizeof(int))
		return -EINVAL;
	int val;
	memcpy(&val, optval, sizeof val);
	bool on = val != 0;
	switch (name) {
	case SO_DEBUG:
		return on && !task_capable(t, CAP_NET_ADMIN) ? -EACCES : 0;
	case SO_REUSEADDR:
		set_flag(s, SOCKF_REUSEADDR, on);
		return 0;
	case SO_REUSEPORT:
		if (on && s->family != AF_INET && s->family != AF_INET6)
			return -EOPNOTSUPP;
		set_flag(s, SOCKF_REUSEPORT, on);
		return 0;
	case SO_TYPE:
	case SO_PROTOCOL:
	case SO_DOMAIN:
	case SO_ERROR:
		return -ENOPROTOOPT;
	case SO_DONTROUTE:
		set_flag(s, SOCKF_DONTROUTE, on);
		return 0;
	case SO_BROADCAST:
		set_flag(s, SOCKF_BROADCAST, on);
		return 0;
	case SO_SNDBUFFORCE:
	case SO_SNDBUF:
		if (name == SO_SNDBUFFORCE && !task_capable(t, CAP_NET_ADMIN))
			return -EPERM;
		set_buf(&s->sndbuf, val, SOCK_MIN_SNDBUF, name == SO_SNDBUFFORCE);
		if (s->ops->write_space)
			s->ops->write_space(s);
		return 0;
	case SO_RCVBUFFORCE:
	case SO_RCVBUF:
		if (name == SO_RCVBUFFORCE && !task_capable(t, CAP_NET_ADMIN))
			return -EPERM;
		return set_buf(&s->rcvbuf, val, SOCK_MIN_RCVBUF, name == SO_RCVBUFFORCE);
	case SO_KEEPALIVE:
		set_flag(s, SOCKF_KEEPALIVE, on);
		return 0;
	case SO_OOBINLINE:
		set_flag(s, SOCKF_OOBINLINE, on);
		return 0;
	case SO_NO_CHECK:
	case SO_BSDCOMPAT:
		return 0;
	case SO_PRIORITY:
		if ((val < 0 || val > 6) && !task_capable(t, CAP_NET_ADMIN))
			return -EPERM;
		atomic_store(&s->priority, val);
		return 0;
	case SO_LINGER: {
		struct linger l;
		if (len < sizeof l)
			return -EINVAL;
		memcpy(&l, optval, sizeof l);
		set_flag(s, SOCKF_LINGER, l.l_onoff != 0);
		if (l.l_onoff)
			atomic_store(&s->linger_secs, l.l_linger);
		return 0;
	}
	case SO_PASSCRED:
		atomic_store(&s->passcred, on);
		return 0;
	case SO_TIMESTAMP:
	case SO_TIMESTAMPNS:
		set_flag(s, SOCKF_TIMESTAMP, on);
		return 0;
	case SO_RCVLOWAT:
		atomic_store(&s->rcvlowat, val < 0 ? INT_MAX : (val ? val : 1));
		return 0;
	case SO_RCVTIMEO:
	case SO_RCVTIMEO_NEW:
		return set_timeout(&s->rcvtimeo_ns, optval, len);
	case SO_SNDTIMEO:
	case SO_SNDTIMEO_NEW:
		return set_timeout(&s->sndtimeo_ns, optval, len);
	case SO_MARK:
		if (!task_capable(t, CAP_NET_ADMIN))
			return -EPERM;
		atomic_store(&s->mark, val);
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

int socket_setsockopt(struct socket *s, struct task *t, int level, int name, const void *val,
		      unsigned len)
{
	/* Other levels are the family's (EOPNOTSUPP if it has none); at
	 * SOL_SOCKET the family answers first, -ENOPROTOOPT passes on. */
	if (!s->ops->setsockopt)
		return level == SOL_SOCKET ? common_setsockopt(s, t, name, val, len) : -EOPNOTSUPP;
	int err = s->ops->setsockopt(s, t, level, name, val, len);
	if (level != SOL_SOCKET || err != -ENOPROTOOPT)
		return err;
	return common_setsockopt(s, t, name, val, len);
}

static uint64_t socket_cookie(struct socket *s)
{
	/* Unique per socket, given at the first ask (sock_gen_cookie). */
	static atomic_uint_fast64_t next = 1;
	uint64_t c = atomic_load(&s->cookie);
	if (c)
		return c;
	uint64_t mine = atomic_fetch_add(&next, 1), expected = 0;
	return atomic_compare_exchange_strong(&s->cookie, &expected, mine) ? mine : expected;
}

int socket_getsockopt(struct socket *s, struct task *t, int level, int name, void *val,
		      unsigned *len)
{
	if (level != SOL_SOCKET)
		return s->ops->getsockopt ? s->ops->getsockopt(s, t, level, name, val, len)
					  : -EOPNOTSUPP;
	int err = s->ops->getsockopt ? s->ops->getsockopt(s, t, level, name, val, len)
				     : -ENOPROTOOPT;
	if (err != -ENOPROTOOPT)
		return err;
	union {
		int i;
		uint64_t u64;
		struct linger l;
		char tv[16];
	} v;
	memset(&v, 0, sizeof v);
	unsigned lv = sizeof(int);
	unsigned flags = atomic_load(&s->flags);
	switch (name) {
	case SO_DEBUG:
		break;
	case SO_DONTROUTE:
		v.i = !!(flags & SOCKF_DONTROUTE);
		break;
	case SO_BROADCAST:
		v.i = !!(flags & SOCKF_BROADCAST);
		break;
	case SO_SNDBUF:
		v.i = atomic_load(&s->sndbuf);
		break;
	case SO_RCVBUF:
		v.i = atomic_load(&s->rcvbuf);
		break;
	case SO_REUSEADDR:
		v.i = !!(flags & SOCKF_REUSEADDR);
		break;
	case SO_REUSEPORT:
		v.i = !!(flags & SOCKF_REUSEPORT);
		break;
	case SO_NO_CHECK:
	case SO_BSDCOMPAT:
	case SO_PASSSEC:
	case SO_INCOMING_CPU:
		break;
	case SO_KEEPALIVE:
		v.i = !!(flags & SOCKF_KEEPALIVE);
		break;
	case SO_TYPE:
		v.i = s->type;
		break;
	case SO_PROTOCOL:
		v.i = s->protocol;
		break;
	case SO_DOMAIN:
		v.i = s->family;
		break;
	case SO_ERROR:
		v.i = -sock_error(s);
		break;
	case SO_OOBINLINE:
		v.i = !!(flags & SOCKF_OOBINLINE);
		break;
	case SO_PRIORITY:
		v.i = atomic_load(&s->priority);
		break;
	case SO_LINGER:
		lv = sizeof v.l;
		v.l.l_onoff = !!(flags & SOCKF_LINGER);
		v.l.l_linger = atomic_load(&s->linger_secs);
		break;
	case SO_TIMESTAMP:
	case SO_TIMESTAMPNS:
		v.i = !!(flags & SOCKF_TIMESTAMP);
		break;
	case SO_RCVTIMEO:
	case SO_RCVTIMEO_NEW:
		lv = get_timeout(&s->rcvtimeo_ns, v.tv);
		break;
	case SO_SNDTIMEO:
	case SO_SNDTIMEO_NEW:
		lv = get_timeout(&s->sndtimeo_ns, v.tv);
		break;
	case SO_RCVLOWAT:
		v.i = atomic_load(&s->rcvlowat);
		break;
	case SO_SNDLOWAT:
		v.i = 1;
		break;
	case SO_PASSCRED:
		v.i = atomic_load(&s->passcred);
		break;
	case SO_MARK:
		v.i = atomic_load(&s->mark);
		break;
	case SO_COOKIE:
		lv = sizeof v.u64;
		if (*len < lv)
			return -EINVAL;
		v.u64 = socket_cookie(s);
		break;
	default:
		return -ENOPROTOOPT;
	}
	if (*len > lv)
		*len = lv;
	memcpy(val, &v, *len);
	return 0;
}
