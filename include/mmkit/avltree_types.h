/* SPDX-License-Identifier: MIT */
/*
 * The node of mmkit's intrusive AVL tree (lib/avltree.h), in a public header
 * because public structures embed it (struct vm_area_struct), as Linux's
 * rbtree_types.h lets mm_types.h embed struct rb_node.
 */
#ifndef MMKIT_AVLTREE_TYPES_H
#define MMKIT_AVLTREE_TYPES_H

struct avl_node {
	struct avl_node *left, *right, *parent;
	int height;
};

#endif /* MMKIT_AVLTREE_TYPES_H */
