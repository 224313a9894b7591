/* SPDX-License-Identifier: MIT */
/*
 * Script commands of the slab layer (shared/SCRIPT.md):
 *   kmem_cache_create C SIZE [align=N] [FLAGS]   ok, or an errno
 *   kmem_cache_alloc H C [GFP]                   the object's kernel address
 *   kmem_cache_free H
 *   kmem_cache_shrink C                          1 if slabs remain, else 0
 *   kmem_cache_destroy C                         ok, or EBUSY (objects remain)
 *   kmalloc H SIZE [GFP]                         kernel address (0x10 for 0)
 *   krealloc H SIZE [GFP]                        the new address
 *   kfree H
 * FLAGS is a |-joined list of SLAB_* names. Addresses are kernel virtual
 * addresses (PAGE_OFFSET + physical), so output never shows host pointers.
 */
#include "script/internal.h"

#include <errno.h>
#include <string.h>
#include <mmkit/slab.h>

static const struct {
	const char *name;
	slab_flags_t flag;
} slab_flag_names[] = {
	{ "SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN },
	{ "SLAB_CACHE_DMA", SLAB_CACHE_DMA },
	{ "SLAB_CACHE_DMA32", SLAB_CACHE_DMA32 },
	{ "SLAB_RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT },
	{ "SLAB_PANIC", SLAB_PANIC },
	{ "SLAB_POISON", SLAB_POISON },
	{ "SLAB_RED_ZONE", SLAB_RED_ZONE },
	{ "SLAB_STORE_USER", SLAB_STORE_USER },
	{ "SLAB_CONSISTENCY_CHECKS", SLAB_CONSISTENCY_CHECKS },
	{ "SLAB_TYPESAFE_BY_RCU", SLAB_TYPESAFE_BY_RCU },
	{ "SLAB_ACCOUNT", SLAB_ACCOUNT },
	{ "SLAB_NO_MERGE", SLAB_NO_MERGE },
	{ "SLAB_NOLEAKTRACE", SLAB_NOLEAKTRACE },
};

static bool parse_slab_flags(const char *s, slab_flags_t *out)
{
	*out = 0;
	while (*s) {
		const char *bar = strchr(s, '|');
		size_t len = bar ? (size_t)(bar - s) : strlen(s), i;

		for (i = 0;
		     i < sizeof slab_flag_names / sizeof slab_flag_names[0];
		     i++)
			if (strlen(slab_flag_names[i].name) == len &&
			    !strncmp(s, slab_flag_names[i].name, len))
				break;
		if (i == sizeof slab_flag_names / sizeof slab_flag_names[0])
			return false;
		*out |= slab_flag_names[i].flag;
		s += len;
		if (*s == '|' && !*++s)
			return false;
	}
	return true;
}

static void print_address(struct script *sc, int argc, char **argv, void *p)
{
	if (!p)
		result(sc, argc, argv, "ENOMEM");
	else if (p == ZERO_SIZE_PTR)
		result(sc, argc, argv, "0x10");
	else
		result(sc, argc, argv, "%#lx", mmk_kaddr(p));
}

int cmd_kmem_cache_create(struct script *sc, int argc, char **argv)
{
	slab_flags_t flags = 0;
	uint64_t size, align = 0;
	struct kmem_cache *s;
	struct handle *h;
	int i;

	if (!parse_size(argv[2], &size) || size > 0xffffffffu)
		return script_error(sc, "bad size '%s'", argv[2]);
	for (i = 3; i < argc; i++) {
		if (!strncmp(argv[i], "align=", 6)) {
			if (!parse_size(argv[i] + 6, &align) ||
			    align > 0xffffffffu)
				return script_error(sc, "bad alignment '%s'",
						    argv[i] + 6);
		} else if (!parse_slab_flags(argv[i], &flags)) {
			return script_error(sc, "bad slab flags '%s'", argv[i]);
		}
	}
	if (flags & SLAB_PANIC)
		return script_error(
			sc,
			"SLAB_PANIC would stop the machine; not allowed in scripts");
	if (!valid_name(argv[1]))
		return script_error(sc, "bad cache name '%s'", argv[1]);
	if (handle_find(sc, argv[1]))
		return script_error(sc, "handle '%s' is already in use",
				    argv[1]);
	s = kmem_cache_create(argv[1], (unsigned int)size, (unsigned int)align,
			      flags, NULL);
	if (!s) {
		result(sc, argc, argv, "%s", errno_name(errno));
		return 0;
	}
	h = new_handle(sc, argv[1]);
	if (!h) {
		kmem_cache_destroy(s);
		return -1;
	}
	h->kind = HANDLE_CACHE;
	h->cache = s;
	result(sc, argc, argv, "ok");
	return 0;
}

int cmd_kmem_cache_alloc(struct script *sc, int argc, char **argv)
{
	struct handle *c = get_handle(sc, argv[2], HANDLE_CACHE), *h;
	struct kmem_cache *s;
	gfp_t gfp = GFP_KERNEL;
	void *obj;

	if (!c)
		return -1;
	/* Not c->cache below: new_handle() may move the handle table. */
	s = c->cache;
	if (argc > 3 && !parse_gfp(argv[3], &gfp))
		return script_error(sc, "bad GFP mask '%s'", argv[3]);
	if (!valid_name(argv[1]) || handle_find(sc, argv[1]))
		return script_error(sc, "handle '%s' is invalid or in use",
				    argv[1]);
	obj = kmem_cache_alloc(s, gfp);
	if (obj) {
		h = new_handle(sc, argv[1]);
		if (!h) {
			kmem_cache_free(s, obj);
			return -1;
		}
		h->kind = HANDLE_OBJECT;
		h->obj = obj;
		h->cache = s;
	}
	print_address(sc, argc, argv, obj);
	return 0;
}

int cmd_kmem_cache_free(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_OBJECT);

	if (!h)
		return -1;
	kmem_cache_free(h->cache, h->obj);
	handle_remove(sc, h);
	result(sc, argc, argv, "ok");
	return 0;
}

int cmd_kmem_cache_shrink(struct script *sc, int argc, char **argv)
{
	struct handle *c = get_handle(sc, argv[1], HANDLE_CACHE);

	if (!c)
		return -1;
	result(sc, argc, argv, "%d", kmem_cache_shrink(c->cache));
	return 0;
}

int cmd_kmem_cache_destroy(struct script *sc, int argc, char **argv)
{
	struct handle *c = get_handle(sc, argv[1], HANDLE_CACHE);
	int err;

	if (!c)
		return -1;
	err = kmem_cache_destroy(c->cache);
	/* The cache is gone either way (Linux leaks it when objects
	 * remain); its objects' handles stay usable for kmem_cache_free. */
	handle_remove(sc, c);
	result(sc, argc, argv, "%s", err ? errno_name(-err) : "ok");
	return 0;
}

int cmd_kmalloc(struct script *sc, int argc, char **argv)
{
	gfp_t gfp = GFP_KERNEL;
	struct handle *h;
	uint64_t size;
	void *p;

	if (!parse_size(argv[2], &size))
		return script_error(sc, "bad size '%s'", argv[2]);
	if (argc > 3 && !parse_gfp(argv[3], &gfp))
		return script_error(sc, "bad GFP mask '%s'", argv[3]);
	if (!valid_name(argv[1]) || handle_find(sc, argv[1]))
		return script_error(sc, "handle '%s' is invalid or in use",
				    argv[1]);
	p = kmalloc((size_t)size, gfp | __GFP_NOWARN);
	if (p) {
		h = new_handle(sc, argv[1]);
		if (!h) {
			kfree(p);
			return -1;
		}
		h->kind = HANDLE_KMALLOC;
		h->obj = p;
	}
	print_address(sc, argc, argv, p);
	return 0;
}

int cmd_krealloc(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_KMALLOC);
	gfp_t gfp = GFP_KERNEL;
	uint64_t size;
	void *p;

	if (!h)
		return -1;
	if (!parse_size(argv[2], &size))
		return script_error(sc, "bad size '%s'", argv[2]);
	if (argc > 3 && !parse_gfp(argv[3], &gfp))
		return script_error(sc, "bad GFP mask '%s'", argv[3]);
	p = krealloc(h->obj, (size_t)size, gfp | __GFP_NOWARN);
	if (p)
		h->obj = p;
	print_address(sc, argc, argv, p);
	return 0;
}

int cmd_kfree(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_KMALLOC);

	if (!h)
		return -1;
	kfree(h->obj);
	handle_remove(sc, h);
	result(sc, argc, argv, "ok");
	return 0;
}
