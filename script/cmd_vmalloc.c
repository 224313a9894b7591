/* SPDX-License-Identifier: MIT */
/*
 * Script commands of vmalloc and highmem (shared/SCRIPT.md):
 *   vmalloc H SIZE     the area's kernel address (in the vmalloc range)
 *   vfree H
 *   kmap H             H names pages from alloc_pages: kmap() of its first
 *                      page; the result is its kernel address (a pkmap
 *                      slot for highmem pages on i386, else page_address),
 *                      or EBUSY when every slot is in use (a script has
 *                      no other thread to free one: kmap() would wait)
 *   kunmap H
 */
#include "script/internal.h"

#include <errno.h>

int cmd_vmalloc(struct script *sc, int argc, char **argv)
{
	struct handle *h;
	uint64_t size;
	void *p;

	if (!parse_size(argv[2], &size))
		return script_error(sc, "bad size '%s'", argv[2]);
	if (!valid_name(argv[1]) || handle_find(sc, argv[1]))
		return script_error(sc, "handle '%s' is invalid or in use",
				    argv[1]);
	p = size ? __vmalloc((unsigned long)size, GFP_KERNEL | __GFP_NOWARN) :
		   NULL;
	if (!p) {
		result(sc, argc, argv, "%s", size ? "ENOMEM" : "EINVAL");
		return 0;
	}
	h = new_handle(sc, argv[1]);
	if (!h) {
		vfree(p);
		return -1;
	}
	h->kind = HANDLE_VMALLOC;
	h->obj = p;
	result(sc, argc, argv, "%#lx", mmk_kaddr(p));
	return 0;
}

int cmd_vfree(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_VMALLOC);

	if (!h)
		return -1;
	vfree(h->obj);
	handle_remove(sc, h);
	result(sc, argc, argv, "ok");
	return 0;
}

int cmd_kmap(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_PAGES);
	void *p;
	int err;

	if (!h)
		return -1;
	/* One thread: no kunmap could come while kmap() waited for a slot. */
	err = kmap_nowait(h->page, &p);
	if (err) {
		result(sc, argc, argv, err == -EBUSY ? "EBUSY" : "ENOMEM");
		return 0;
	}
	h->kmapped++;
	result(sc, argc, argv, "%#lx", mmk_kaddr(p));
	return 0;
}

int cmd_kunmap(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_PAGES);

	if (!h)
		return -1;
	if (!h->kmapped) {
		result(sc, argc, argv, "EINVAL");
		return 0;
	}
	kunmap(h->page);
	h->kmapped--;
	result(sc, argc, argv, "ok");
	return 0;
}
