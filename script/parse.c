/* SPDX-License-Identifier: MIT */
/*
 * Lexical pieces of the script language (shared/SCRIPT.md, fixed part):
 * numbers (decimal or 0x hex), sizes with K/M/G/T binary suffixes, names,
 * GFP masks as |-joined Linux names, and errno names as Linux spells them.
 */
#include "script/internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

bool parse_number(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int base = 10;

	if (!*s)
		return false;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
		if (!*s)
			return false;
	}
	for (; *s; s++) {
		unsigned int d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned int)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned int)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned int)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return true;
}

bool parse_size(const char *s, uint64_t *out)
{
	static const char suffixes[] = "KMGT";
	char buf[64];
	size_t len = strlen(s);
	const char *p;
	uint64_t v;
	unsigned int shift = 0;

	if (!len || len >= sizeof buf)
		return false;
	memcpy(buf, s, len + 1);
	p = strchr(suffixes, buf[len - 1]);
	if (p && buf[len - 1]) {
		shift = 10 * (unsigned int)(p - suffixes + 1);
		buf[len - 1] = '\0';
	}
	if (!parse_number(buf, &v))
		return false;
	if (shift && v > (UINT64_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

static const struct {
	const char *name;
	gfp_t gfp;
} gfp_names[] = {
	{ "GFP_KERNEL", GFP_KERNEL },
	{ "GFP_KERNEL_ACCOUNT", GFP_KERNEL_ACCOUNT },
	{ "GFP_ATOMIC", GFP_ATOMIC },
	{ "GFP_NOWAIT", GFP_NOWAIT },
	{ "GFP_NOIO", GFP_NOIO },
	{ "GFP_NOFS", GFP_NOFS },
	{ "GFP_USER", GFP_USER },
	{ "GFP_DMA", GFP_DMA },
	{ "GFP_DMA32", GFP_DMA32 },
	{ "GFP_HIGHUSER", GFP_HIGHUSER },
	{ "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE },
	{ "GFP_TRANSHUGE", GFP_TRANSHUGE },
	{ "GFP_TRANSHUGE_LIGHT", GFP_TRANSHUGE_LIGHT },
	{ "__GFP_DMA", __GFP_DMA },
	{ "__GFP_HIGHMEM", __GFP_HIGHMEM },
	{ "__GFP_DMA32", __GFP_DMA32 },
	{ "__GFP_MOVABLE", __GFP_MOVABLE },
	{ "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE },
	{ "__GFP_HIGH", __GFP_HIGH },
	{ "__GFP_IO", __GFP_IO },
	{ "__GFP_FS", __GFP_FS },
	{ "__GFP_ZERO", __GFP_ZERO },
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM },
	{ "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM },
	{ "__GFP_RECLAIM", __GFP_RECLAIM },
	{ "__GFP_WRITE", __GFP_WRITE },
	{ "__GFP_NOWARN", __GFP_NOWARN },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL },
	{ "__GFP_NOFAIL", __GFP_NOFAIL },
	{ "__GFP_NORETRY", __GFP_NORETRY },
	{ "__GFP_MEMALLOC", __GFP_MEMALLOC },
	{ "__GFP_COMP", __GFP_COMP },
	{ "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC },
	{ "__GFP_HARDWALL", __GFP_HARDWALL },
	{ "__GFP_THISNODE", __GFP_THISNODE },
	{ "__GFP_ACCOUNT", __GFP_ACCOUNT },
};

bool parse_gfp(const char *s, gfp_t *out)
{
	gfp_t gfp = 0;

	while (*s) {
		const char *bar = strchr(s, '|');
		size_t len = bar ? (size_t)(bar - s) : strlen(s);
		size_t i;
		uint64_t v;
		char word[64];

		if (!len || len >= sizeof word)
			return false;
		memcpy(word, s, len);
		word[len] = '\0';
		for (i = 0; i < sizeof gfp_names / sizeof gfp_names[0]; i++)
			if (!strcmp(word, gfp_names[i].name))
				break;
		if (i < sizeof gfp_names / sizeof gfp_names[0])
			gfp |= gfp_names[i].gfp;
		else if (parse_number(word, &v) && v <= __GFP_BITS_MASK)
			gfp |= (gfp_t)v;
		else
			return false;
		s += len;
		if (*s == '|' && !*++s)
			return false;
	}
	*out = gfp;
	return true;
}

/* Linux's name of an errno the calls can return. */
const char *errno_name(int err)
{
	static const struct {
		int err;
		const char *name;
	} names[] = {
		{ EPERM, "EPERM" },
		{ ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" },
		{ EINTR, "EINTR" },
		{ EIO, "EIO" },
		{ ENXIO, "ENXIO" },
		{ E2BIG, "E2BIG" },
		{ ENOEXEC, "ENOEXEC" },
		{ EBADF, "EBADF" },
		{ ECHILD, "ECHILD" },
		{ EAGAIN, "EAGAIN" },
		{ ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" },
		{ EFAULT, "EFAULT" },
		{ ENOTBLK, "ENOTBLK" },
		{ EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" },
		{ EXDEV, "EXDEV" },
		{ ENODEV, "ENODEV" },
		{ ENOTDIR, "ENOTDIR" },
		{ EISDIR, "EISDIR" },
		{ EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" },
		{ EMFILE, "EMFILE" },
		{ ENOTTY, "ENOTTY" },
		{ ETXTBSY, "ETXTBSY" },
		{ EFBIG, "EFBIG" },
		{ ENOSPC, "ENOSPC" },
		{ ESPIPE, "ESPIPE" },
		{ EROFS, "EROFS" },
		{ EMLINK, "EMLINK" },
		{ EPIPE, "EPIPE" },
		{ EDOM, "EDOM" },
		{ ERANGE, "ERANGE" },
		{ EDEADLK, "EDEADLK" },
		{ ENAMETOOLONG, "ENAMETOOLONG" },
		{ ENOLCK, "ENOLCK" },
		{ ENOSYS, "ENOSYS" },
		{ ENOTEMPTY, "ENOTEMPTY" },
		{ ELOOP, "ELOOP" },
		{ ENODATA, "ENODATA" },
		{ EOVERFLOW, "EOVERFLOW" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
		{ ETIMEDOUT, "ETIMEDOUT" },
		{ ECANCELED, "ECANCELED" },
		{ EOWNERDEAD, "EOWNERDEAD" },
		{ EHWPOISON, "EHWPOISON" },
	};
	static _Thread_local char unknown[24];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].err == err)
			return names[i].name;
	/* No mm call returns another; should one, its number shows. */
	snprintf(unknown, sizeof(unknown), "errno %d", err);
	return unknown;
}

char *str_dup(const char *s)
{
	size_t len = strlen(s) + 1;
	char *p = malloc(len);

	if (p)
		memcpy(p, s, len);
	return p;
}

bool valid_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	      *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' ||
		      *s == '-'))
			return false;
	return true;
}
