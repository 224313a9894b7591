/* SPDX-License-Identifier: MIT */
/*
 * Script handles: names the script gives to allocations, in an
 * open-addressed hash table (linear probing, tombstone-free deletion by
 * re-inserting the rest of the cluster), so scripts with many thousands of
 * live handles stay fast.
 */
#include "script/internal.h"

#include <stdlib.h>
#include <string.h>

static size_t hash_name(const char *s)
{
	size_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static struct handle *slot_for(struct handle *tab, size_t cap, const char *name)
{
	size_t i = hash_name(name) & (cap - 1);

	while (tab[i].name && strcmp(tab[i].name, name) != 0)
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

struct handle *handle_find(struct script *sc, const char *name)
{
	struct handle *h;

	if (!sc->cap_handles)
		return NULL;
	h = slot_for(sc->handles, sc->cap_handles, name);
	return h->name ? h : NULL;
}

static bool grow(struct script *sc)
{
	size_t cap = sc->cap_handles ? sc->cap_handles * 2 : 64, i;
	struct handle *tab = calloc(cap, sizeof(*tab));

	if (!tab)
		return false;
	for (i = 0; i < sc->cap_handles; i++)
		if (sc->handles[i].name)
			*slot_for(tab, cap, sc->handles[i].name) =
				sc->handles[i];
	free(sc->handles);
	sc->handles = tab;
	sc->cap_handles = cap;
	return true;
}

struct handle *handle_add(struct script *sc, const char *name)
{
	struct handle *h;

	if ((sc->nr_handles + 1) * 2 > sc->cap_handles && !grow(sc))
		return NULL;
	h = slot_for(sc->handles, sc->cap_handles, name);
	h->name = str_dup(name);
	if (!h->name)
		return NULL;
	h->kind = HANDLE_FREE;
	sc->nr_handles++;
	return h;
}

void handle_remove(struct script *sc, struct handle *h)
{
	size_t cap = sc->cap_handles, i = (size_t)(h - sc->handles);

	free(h->name);
	memset(h, 0, sizeof(*h));
	sc->nr_handles--;
	/* Re-insert the rest of the probe cluster. */
	for (i = (i + 1) & (cap - 1); sc->handles[i].name;
	     i = (i + 1) & (cap - 1)) {
		struct handle tmp = sc->handles[i];

		memset(&sc->handles[i], 0, sizeof(tmp));
		*slot_for(sc->handles, cap, tmp.name) = tmp;
	}
}

void handles_destroy(struct script *sc)
{
	size_t i;

	for (i = 0; i < sc->cap_handles; i++)
		free(sc->handles[i].name);
	free(sc->handles);
	sc->handles = NULL;
	sc->cap_handles = sc->nr_handles = 0;
}
