/* SPDX-License-Identifier: MIT */
/*
 * An intrusive, augmentable AVL tree: the ordered-set structure behind
 * vmap areas (and later VMAs). The caller embeds struct avl_node, walks the
 * tree itself to find where a key goes (as with Linux's rbtree), and may
 * keep a per-node summary of its subtree (Linux's augmented rbtree): the
 * tree calls ->propagate on every node whose subtree changed, children
 * before parents, after each insertion, erase and rotation.
 *
 * Invariants (avl_verify): parent pointers are consistent, every node's
 * height is 1 + the taller child's, and the children's heights differ by
 * at most one, so lookups, inserts and erases are O(log n).
 */
#ifndef MMK_LIB_AVLTREE_H
#define MMK_LIB_AVLTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <mmkit/avltree_types.h>

struct avl_root {
	struct avl_node *node;
	/* Recompute @n's summary from its children; NULL: no summary. */
	void (*propagate)(struct avl_node *n);
};

#define AVL_ROOT(prop)     \
	{                  \
		NULL, prop \
	}

/**
 * avl_insert() - link @node as the left or right child of @parent (NULL
 * for an empty tree), then rebalance.
 */
void avl_insert(struct avl_root *root, struct avl_node *node,
		struct avl_node *parent, bool left);
/** avl_erase() - unlink @node and rebalance. */
void avl_erase(struct avl_root *root, struct avl_node *node);
/** avl_update() - @node's key data changed: refresh summaries up to the root. */
void avl_update(struct avl_root *root, struct avl_node *node);
struct avl_node *avl_first(const struct avl_root *root);
struct avl_node *avl_last(const struct avl_root *root);
struct avl_node *avl_next(const struct avl_node *node);
struct avl_node *avl_prev(const struct avl_node *node);
/** avl_verify() - check the invariants; returns the node count or -1. */
long avl_verify(const struct avl_root *root);

static inline int avl_height(const struct avl_node *n)
{
	return n ? n->height : 0;
}

#endif /* MMK_LIB_AVLTREE_H */
