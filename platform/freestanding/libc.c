/* SPDX-License-Identifier: MIT */
/*
 * The C library a freestanding build of mmkit needs (`make freestanding`):
 * the core (mm/, lib/, kernel/, fs/, proc/) compiled with -ffreestanding
 * -nostdinc against the headers next to this file, for a hobby kernel or
 * an emulator to embed.
 *
 * 1. What it provides. The few C library calls the core makes, under
 *    names of their own (mmk_fs_*, mapped by the headers), so that the
 *    build links into any program without clashing with a C library that
 *    may be there too: string functions, snprintf/vsnprintf (the
 *    conversions the core prints: d i u x X o c s p and %%, with flags,
 *    width, precision and the hh h l ll z t j lengths; no floating
 *    point), a heapsort for qsort, malloc/calloc/realloc/free over the
 *    platform layer's zeroed bookkeeping memory, errno, and the pthread
 *    calls as spinning locks.
 *
 * 2. What the embedder provides. The platform layer, platform/platform.h
 *    (physical memory, address-space reservations and aliases for vmalloc
 *    and kmap, bookkeeping memory, the clock, yield, abort, writing to a
 *    descriptor), except mmk_host_mutex_init, which is this file's; and
 *    memcpy, memmove, memset and memcmp, which a freestanding compiler
 *    may call on its own. `make freestanding` checks that the build needs
 *    nothing else.
 *
 * 3. Threads. Thread-local variables are plain ones here (lib/compiler.h:
 *    mmk_thread_local), so the embedder calls mmkit from one thread of
 *    control at a time (one CPU, or its own lock around every call; a
 *    machine's simulated CPUs are chosen with mmk_set_cpu as in a hosted
 *    build). The locks below still work across CPUs: a mutex is a
 *    test-and-test-and-set spinlock that gives way (mmk_host_yield)
 *    after spinning a while; a condition variable is a sequence count
 *    its waiters watch with their mutex released; a key keeps no value
 *    (one thread: its destructor would run only at that thread's exit).
 *
 * 4. Departures from the C library. malloc returns zeroed memory (the
 *    platform's); vsnprintf returns -1 with errno EINVAL for a conversion
 *    it does not know (the core uses none).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform/platform.h"

/* ---- errno ---- */

static int the_errno;

int *mmk_fs_errno(void)
{
	return &the_errno;
}

/* ---- strings ---- */

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++)
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

char *strstr(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncmp(hay, needle, n))
			return (char *)hay;
	return n ? NULL : (char *)hay;
}

size_t strspn(const char *s, const char *accept)
{
	size_t n = 0;

	while (s[n] && strchr(accept, s[n]))
		n++;
	return n;
}

size_t strcspn(const char *s, const char *reject)
{
	size_t n = 0;

	while (s[n] && !strchr(reject, s[n]))
		n++;
	return n;
}

/* ---- formatting ---- */

/* The output of one vsnprintf: what fits is stored, everything counted. */
struct out {
	char *buf;
	size_t len, pos;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->len)
		o->buf[o->pos] = c;
	o->pos++;
}

static void put_n(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

enum { F_LEFT = 1, F_PLUS = 2, F_SPACE = 4, F_ALT = 8, F_ZERO = 16 };

/* One integer conversion: @v is the magnitude, @neg its sign. */
static void put_integer(struct out *o, unsigned long long v, bool neg,
			unsigned int base, bool upper, int flags, int width,
			int prec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24]; /* 2^64 in octal: 22 digits */
	const char *prefix = "";
	int n = 0, zeros, pad;

	while (v) {
		unsigned long long q = v / base;

		tmp[n++] = digits[v - q * base];
		v = q;
	}
	if (prec < 0)
		prec = 1;
	else
		flags &= ~F_ZERO; /* a precision overrides 0 */
	zeros = prec > n ? prec - n : 0;
	if (neg)
		prefix = "-";
	else if (flags & F_PLUS)
		prefix = "+";
	else if (flags & F_SPACE)
		prefix = " ";
	if ((flags & F_ALT) && base == 16 && n)
		prefix = upper ? "0X" : "0x";
	if ((flags & F_ALT) && base == 8 && !zeros && (!n || tmp[n - 1] != '0'))
		zeros = 1;
	pad = width - (int)strlen(prefix) - zeros - n;
	if (!(flags & (F_LEFT | F_ZERO)))
		put_n(o, ' ', pad);
	while (*prefix)
		put(o, *prefix++);
	if (flags & F_ZERO)
		put_n(o, '0', pad);
	put_n(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (flags & F_LEFT)
		put_n(o, ' ', pad);
}

static void put_string(struct out *o, const char *s, int flags, int width,
		       int prec)
{
	size_t n;
	int pad;

	if (!s)
		s = "(null)";
	n = prec < 0 ? strlen(s) : strnlen(s, (size_t)prec);
	pad = width - (int)n;
	if (!(flags & F_LEFT))
		put_n(o, ' ', pad);
	while (n--)
		put(o, *s++);
	if (flags & F_LEFT)
		put_n(o, ' ', pad);
}

/* A width or precision: digits, or '*' from the arguments. */
static int read_count(const char **fmt, va_list *ap)
{
	int n = 0;

	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	while (**fmt >= '0' && **fmt <= '9') {
		if (n < INT_MAX / 10)
			n = n * 10 + (**fmt - '0');
		(*fmt)++;
	}
	return n;
}

enum length {
	L_INT,
	L_CHAR,
	L_SHORT,
	L_LONG,
	L_LLONG,
	L_SIZE,
	L_PTRDIFF,
	L_MAX
};

static enum length read_length(const char **fmt)
{
	switch (*(*fmt)++) {
	case 'h':
		if (**fmt == 'h') {
			(*fmt)++;
			return L_CHAR;
		}
		return L_SHORT;
	case 'l':
		if (**fmt == 'l') {
			(*fmt)++;
			return L_LLONG;
		}
		return L_LONG;
	case 'z':
		return L_SIZE;
	case 't':
		return L_PTRDIFF;
	case 'j':
		return L_MAX;
	default:
		(*fmt)--;
		return L_INT;
	}
}

/* Linux's data models (LP64, ILP32): size_t and ptrdiff_t are longs,
 * intmax_t a long long. */
_Static_assert(sizeof(size_t) == sizeof(long) &&
		       sizeof(ptrdiff_t) == sizeof(long) &&
		       sizeof(intmax_t) == sizeof(long long),
	       "a data model other than LP64 or ILP32");

static long long signed_arg(va_list *ap, enum length len)
{
	switch (len) {
	case L_CHAR:
		return (signed char)va_arg(*ap, int);
	case L_SHORT:
		return (short)va_arg(*ap, int);
	case L_LONG:
	case L_SIZE:
	case L_PTRDIFF:
		return va_arg(*ap, long);
	case L_LLONG:
	case L_MAX:
		return va_arg(*ap, long long);
	default:
		return va_arg(*ap, int);
	}
}

static unsigned long long unsigned_arg(va_list *ap, enum length len)
{
	switch (len) {
	case L_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case L_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case L_LONG:
	case L_SIZE:
	case L_PTRDIFF:
		return va_arg(*ap, unsigned long);
	case L_LLONG:
	case L_MAX:
		return va_arg(*ap, unsigned long long);
	default:
		return va_arg(*ap, unsigned int);
	}
}

int vsnprintf(char *buf, size_t len, const char *fmt, va_list args)
{
	struct out o = { buf, len, 0 };
	va_list ap;

	va_copy(ap, args);
	while (*fmt) {
		int flags = 0, width, prec = -1;
		enum length length;
		unsigned long long v;
		long long sv;
		char c = *fmt++;

		if (c != '%') {
			put(&o, c);
			continue;
		}
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '+')
				flags |= F_PLUS;
			else if (*fmt == ' ')
				flags |= F_SPACE;
			else if (*fmt == '#')
				flags |= F_ALT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else
				break;
		}
		width = read_count(&fmt, &ap);
		if (width < 0) {
			flags |= F_LEFT;
			width = width == INT_MIN ? INT_MAX : -width;
		}
		if (*fmt == '.') {
			fmt++;
			prec = read_count(&fmt, &ap);
			if (prec < 0)
				prec = -1;
		}
		if (flags & F_LEFT)
			flags &= ~F_ZERO;
		length = read_length(&fmt);
		switch (c = *fmt++) {
		case 'd':
		case 'i':
			sv = signed_arg(&ap, length);
			v = sv < 0 ? 0ULL - (unsigned long long)sv :
				     (unsigned long long)sv;
			put_integer(&o, v, sv < 0, 10, false, flags, width,
				    prec);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			v = unsigned_arg(&ap, length);
			put_integer(&o, v, false,
				    c == 'u' ? 10 :
				    c == 'o' ? 8 :
					       16,
				    c == 'X', flags & ~(F_PLUS | F_SPACE),
				    width, prec);
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			if (v)
				put_integer(&o, v, false, 16, false,
					    (flags & ~F_ZERO) | F_ALT, width,
					    prec);
			else
				put_string(&o, "(nil)", flags, width, -1);
			break;
		case 'c': {
			char ch = (char)va_arg(ap, int);

			if (!(flags & F_LEFT))
				put_n(&o, ' ', width - 1);
			put(&o, ch);
			if (flags & F_LEFT)
				put_n(&o, ' ', width - 1);
			break;
		}
		case 's':
			put_string(&o, va_arg(ap, const char *), flags, width,
				   prec);
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			va_end(ap);
			errno = EINVAL;
			return -1;
		}
	}
	va_end(ap);
	if (len)
		buf[o.pos < len ? o.pos : len - 1] = '\0';
	return o.pos > INT_MAX ? INT_MAX : (int)o.pos;
}

int snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- sorting: heapsort, in place, no memory (Linux's lib/sort.c) ---- */

static void swap_bytes(char *a, char *b, size_t size)
{
	while (size--) {
		char t = *a;

		*a++ = *b;
		*b++ = t;
	}
}

/* Let element @i sink below its larger children, in the first @n. */
static void sift_down(char *base, size_t i, size_t n, size_t size,
		      int (*cmp)(const void *, const void *))
{
	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= n)
			return;
		if (child + 1 < n &&
		    cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + i * size, base + child * size) >= 0)
			return;
		swap_bytes(base + i * size, base + child * size, size);
		i = child;
	}
}

void qsort(void *base, size_t n, size_t size,
	   int (*cmp)(const void *, const void *))
{
	char *b = base;
	size_t i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sift_down(b, i, n, size, cmp);
	for (i = n - 1; i > 0; i--) {
		swap_bytes(b, b + i * size, size);
		sift_down(b, 0, i, size, cmp);
	}
}

/* ---- memory: the platform's zeroed bookkeeping memory ---- */

void *malloc(size_t size)
{
	void *p = mmk_host_zalloc(size ? size : 1);

	if (!p)
		errno = ENOMEM;
	return p;
}

void *calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return malloc(n * size);
}

void *realloc(void *p, size_t size)
{
	void *q;

	if (!p)
		return malloc(size);
	q = mmk_host_realloc(p, size ? size : 1);
	if (!q)
		errno = ENOMEM;
	return q;
}

void free(void *p)
{
	if (p)
		mmk_host_free(p);
}

/* ---- locks ---- */

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#define SPINS_BEFORE_YIELD 1000

int pthread_mutex_init(pthread_mutex_t *m, const pthread_mutexattr_t *attr)
{
	(void)attr;
	atomic_init(&m->locked, 0);
	return 0;
}

void mmk_fs_mutex_init_void(void *mutex)
{
	pthread_mutex_init(mutex, NULL);
}

int pthread_mutex_destroy(pthread_mutex_t *m)
{
	return atomic_load_explicit(&m->locked, memory_order_relaxed) ? EBUSY :
									0;
}

int pthread_mutex_trylock(pthread_mutex_t *m)
{
	if (atomic_load_explicit(&m->locked, memory_order_relaxed) ||
	    atomic_exchange_explicit(&m->locked, 1, memory_order_acquire))
		return EBUSY;
	return 0;
}

int pthread_mutex_lock(pthread_mutex_t *m)
{
	unsigned int spins = 0;

	while (pthread_mutex_trylock(m)) {
		if (++spins < SPINS_BEFORE_YIELD) {
			cpu_relax();
		} else {
			spins = 0;
			mmk_host_yield();
		}
	}
	return 0;
}

int pthread_mutex_unlock(pthread_mutex_t *m)
{
	atomic_store_explicit(&m->locked, 0, memory_order_release);
	return 0;
}

int pthread_cond_init(pthread_cond_t *c, const pthread_condattr_t *attr)
{
	(void)attr;
	atomic_init(&c->seq, 0);
	return 0;
}

int pthread_cond_destroy(pthread_cond_t *c)
{
	(void)c;
	return 0;
}

/* Waits for the next broadcast (a wakeup may also be spurious, as
 * pthread_cond_wait allows: callers test their condition again). */
int pthread_cond_wait(pthread_cond_t *c, pthread_mutex_t *m)
{
	unsigned int seq = atomic_load_explicit(&c->seq, memory_order_acquire);
	unsigned int spins = 0;

	pthread_mutex_unlock(m);
	while (atomic_load_explicit(&c->seq, memory_order_acquire) == seq) {
		if (++spins < SPINS_BEFORE_YIELD) {
			cpu_relax();
		} else {
			spins = 0;
			mmk_host_yield();
		}
	}
	return pthread_mutex_lock(m);
}

int pthread_cond_broadcast(pthread_cond_t *c)
{
	atomic_fetch_add_explicit(&c->seq, 1, memory_order_release);
	return 0;
}

enum { ONCE_NEW, ONCE_RUNNING, ONCE_DONE };

int pthread_once(pthread_once_t *once, void (*fn)(void))
{
	int expected = ONCE_NEW;

	if (atomic_load_explicit(once, memory_order_acquire) == ONCE_DONE)
		return 0;
	if (atomic_compare_exchange_strong(once, &expected, ONCE_RUNNING)) {
		fn();
		atomic_store_explicit(once, ONCE_DONE, memory_order_release);
		return 0;
	}
	while (atomic_load_explicit(once, memory_order_acquire) != ONCE_DONE)
		mmk_host_yield();
	return 0;
}

int pthread_key_create(pthread_key_t *key, void (*destructor)(void *))
{
	(void)destructor;
	*key = 0;
	return 0;
}

int pthread_setspecific(pthread_key_t key, const void *value)
{
	(void)key;
	(void)value;
	return 0;
}
