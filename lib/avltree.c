/* SPDX-License-Identifier: MIT */
/*
 * Augmentable AVL tree (see avltree.h). Rebalancing walks from the changed
 * node to the root, fixing heights, rotating where a node's children differ
 * by two, and refreshing each visited node's summary after its children's.
 */
#include "lib/avltree.h"

static void fix_height(struct avl_node *n)
{
	int l = avl_height(n->left), r = avl_height(n->right);

	n->height = (l > r ? l : r) + 1;
}

static void refresh(struct avl_root *root, struct avl_node *n)
{
	fix_height(n);
	if (root->propagate)
		root->propagate(n);
}

static void replace_child(struct avl_root *root, struct avl_node *parent,
			  struct avl_node *old, struct avl_node *new)
{
	if (!parent)
		root->node = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

/* Rotate @n down to the left; returns the node now in its place. */
static struct avl_node *rotate_left(struct avl_root *root, struct avl_node *n)
{
	struct avl_node *r = n->right;

	replace_child(root, n->parent, n, r);
	n->right = r->left;
	if (r->left)
		r->left->parent = n;
	r->left = n;
	n->parent = r;
	refresh(root, n);
	refresh(root, r);
	return r;
}

static struct avl_node *rotate_right(struct avl_root *root, struct avl_node *n)
{
	struct avl_node *l = n->left;

	replace_child(root, n->parent, n, l);
	n->left = l->right;
	if (l->right)
		l->right->parent = n;
	l->right = n;
	n->parent = l;
	refresh(root, n);
	refresh(root, l);
	return l;
}

/* Rebalance and refresh every node from @n up to the root. */
static void rebalance(struct avl_root *root, struct avl_node *n)
{
	while (n) {
		int bal = avl_height(n->left) - avl_height(n->right);

		if (bal > 1) {
			if (avl_height(n->left->left) <
			    avl_height(n->left->right))
				rotate_left(root, n->left);
			n = rotate_right(root, n);
		} else if (bal < -1) {
			if (avl_height(n->right->right) <
			    avl_height(n->right->left))
				rotate_right(root, n->right);
			n = rotate_left(root, n);
		} else {
			refresh(root, n);
		}
		n = n->parent;
	}
}

void avl_insert(struct avl_root *root, struct avl_node *node,
		struct avl_node *parent, bool left)
{
	node->left = node->right = NULL;
	node->parent = parent;
	node->height = 1;
	if (!parent)
		root->node = node;
	else if (left)
		parent->left = node;
	else
		parent->right = node;
	rebalance(root, node);
}

void avl_erase(struct avl_root *root, struct avl_node *node)
{
	struct avl_node *from;

	if (node->left && node->right) {
		/* Swap in the successor, which has no left child. */
		struct avl_node *succ = node->right;

		while (succ->left)
			succ = succ->left;
		from = succ->parent == node ? succ : succ->parent;
		if (succ->parent != node) {
			replace_child(root, succ->parent, succ, succ->right);
			succ->right = node->right;
			succ->right->parent = succ;
		}
		replace_child(root, node->parent, node, succ);
		succ->left = node->left;
		succ->left->parent = succ;
		rebalance(root, from);
		return;
	}
	from = node->parent;
	replace_child(root, node->parent, node,
		      node->left ? node->left : node->right);
	rebalance(root, from);
}

void avl_update(struct avl_root *root, struct avl_node *node)
{
	for (; node; node = node->parent)
		refresh(root, node);
}

struct avl_node *avl_first(const struct avl_root *root)
{
	struct avl_node *n = root->node;

	while (n && n->left)
		n = n->left;
	return n;
}

struct avl_node *avl_last(const struct avl_root *root)
{
	struct avl_node *n = root->node;

	while (n && n->right)
		n = n->right;
	return n;
}

struct avl_node *avl_next(const struct avl_node *n)
{
	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct avl_node *)n;
	}
	while (n->parent && n->parent->right == n)
		n = n->parent;
	return n->parent;
}

struct avl_node *avl_prev(const struct avl_node *n)
{
	if (n->left) {
		n = n->left;
		while (n->right)
			n = n->right;
		return (struct avl_node *)n;
	}
	while (n->parent && n->parent->left == n)
		n = n->parent;
	return n->parent;
}

static long verify(const struct avl_node *n, const struct avl_node *parent)
{
	long l, r;
	int hl, hr;

	if (!n)
		return 0;
	if (n->parent != parent)
		return -1;
	l = verify(n->left, n);
	r = verify(n->right, n);
	if (l < 0 || r < 0)
		return -1;
	hl = avl_height(n->left);
	hr = avl_height(n->right);
	if (n->height != (hl > hr ? hl : hr) + 1 || hl - hr > 1 || hr - hl > 1)
		return -1;
	return l + r + 1;
}

long avl_verify(const struct avl_root *root)
{
	return verify(root->node, NULL);
}
