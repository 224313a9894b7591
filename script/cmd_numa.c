/* SPDX-License-Identifier: MIT */
/*
 * Script commands of NUMA memory policy (extensions of this project;
 * <mmkit/mempolicy.h>):
 *   set_mempolicy PID MODE[=FLAG] [NODES]        0 or an errno
 *   mbind PID ADDR LEN MODE[=FLAG] [NODES] [MFLAGS]
 *                                   0 or an errno (EFAULT, EIO, EPERM...)
 *   get_mempolicy PID [ADDR] [node|mems_allowed]
 *                                   0 or an errno; the echo adds
 *                                   mode=MODE[=FLAG] nodes=NODES (or
 *                                   node=N with `node`)
 *   migrate_pages PID OLD_NODES NEW_NODES
 *                                   the pages not moved, or an errno
 *   move_pages PID ADDR COUNT [NODE] [move_all]
 *                                   0, the pages not moved, or an errno;
 *                                   the echo adds status=S,S,... (a node
 *                                   or an errno name per page)
 *   interleave_weight NODE WEIGHT   ok or EINVAL (writes /sys/kernel/mm/
 *                                   mempolicy/weighted_interleave/nodeN)
 * MODE: default, preferred, bind, interleave, local, preferred_many,
 * weighted_interleave; FLAG: static, relative or balancing
 * (MPOL_F_STATIC_NODES, MPOL_F_RELATIVE_NODES, MPOL_F_NUMA_BALANCING).
 * NODES: a node list as Linux prints them, "0-1,3" (nodes 0..1023),
 * which is the nodemask with maxnode 1025. MFLAGS: comma-separated strict,
 * move, move_all. The COUNT pages of move_pages start at ADDR, a page
 * apart; without NODE it only reports their nodes.
 */
#include "script/internal.h"

#include <mmkit/mempolicy.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NMASK_BITS 1024
#define NMASK_WORDS (NMASK_BITS / 64)
#define NMASK_MAXNODE (NMASK_BITS + 1)
/* move_pages' pages per command. */
#define MOVE_PAGES_MAX 4096UL

static const char *const mode_names[MPOL_MAX] = {
	"default",	  "preferred",		 "bind", "interleave", "local",
	"preferred_many", "weighted_interleave",
};

static const struct {
	const char *name;
	int flag;
} mode_flags[] = {
	{ "static", MPOL_F_STATIC_NODES },
	{ "relative", MPOL_F_RELATIVE_NODES },
	{ "balancing", MPOL_F_NUMA_BALANCING },
};

static int parse_mode(struct script *sc, const char *s, int *mode)
{
	const char *eq = strchr(s, '=');
	size_t len = eq ? (size_t)(eq - s) : strlen(s), i;

	for (i = 0; i < MPOL_MAX; i++)
		if (strlen(mode_names[i]) == len &&
		    !strncmp(s, mode_names[i], len))
			break;
	if (i == MPOL_MAX)
		return script_error(sc, "unknown memory policy '%s'", s);
	*mode = (int)i;
	if (!eq)
		return 0;
	for (i = 0; i < sizeof mode_flags / sizeof mode_flags[0]; i++)
		if (!strcmp(eq + 1, mode_flags[i].name)) {
			*mode |= mode_flags[i].flag;
			return 0;
		}
	return script_error(sc, "unknown memory policy flag '%s'", eq + 1);
}

/* A node list "0-1,3" into @mask (NMASK_WORDS words). */
static int parse_nodes(struct script *sc, const char *s, unsigned long *mask)
{
	const char *p = s;

	memset(mask, 0, NMASK_WORDS * sizeof(*mask));
	while (*p) {
		char *end;
		unsigned long lo = strtoul(p, &end, 10), hi = lo;

		if (end == p || *p == '-' || *p == '+')
			goto bad;
		p = end;
		if (*p == '-') {
			const char *q = ++p;

			if (*q < '0' || *q > '9')
				goto bad;
			hi = strtoul(q, &end, 10);
			p = end;
		}
		if (lo > hi || hi >= NMASK_BITS)
			goto bad;
		for (; lo <= hi; lo++)
			mask[lo / 64] |= 1UL << (lo % 64);
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	return 0;
bad:
	return script_error(sc, "bad node list '%s' (nodes 0..%d as 0-1,3)", s,
			    NMASK_BITS - 1);
}

static int parse_mbind_flags(struct script *sc, const char *s,
			     unsigned int *flags)
{
	char buf[64], *tok, *save = NULL;

	*flags = 0;
	if (strlen(s) >= sizeof buf)
		return script_error(sc, "bad mbind flags '%s'", s);
	memcpy(buf, s, strlen(s) + 1);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "strict"))
			*flags |= MPOL_MF_STRICT;
		else if (!strcmp(tok, "move"))
			*flags |= MPOL_MF_MOVE;
		else if (!strcmp(tok, "move_all"))
			*flags |= MPOL_MF_MOVE_ALL;
		else
			return script_error(
				sc,
				"unknown mbind flag '%s' (strict, move, move_all)",
				tok);
	}
	return 0;
}

static bool is_digit_word(const char *s)
{
	return *s >= '0' && *s <= '9';
}

int cmd_set_mempolicy(struct script *sc, int argc, char **argv)
{
	unsigned long mask[NMASK_WORDS] = { 0 };
	int pid = 0, mode = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_mode(sc, argv[2], &mode) ||
	    (argc > 3 && parse_nodes(sc, argv[3], mask)))
		return -1;
	sys_result(sc, argc, argv,
		   mmk_set_mempolicy(pid, mode, mask, NMASK_MAXNODE), false);
	return 0;
}

int cmd_mbind(struct script *sc, int argc, char **argv)
{
	unsigned long mask[NMASK_WORDS] = { 0 }, addr = 0, len = 0;
	unsigned int flags = 0;
	int pid = 0, mode = 0, i = 5;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &len) || parse_mode(sc, argv[4], &mode))
		return -1;
	if (argc > i && is_digit_word(argv[i]) &&
	    parse_nodes(sc, argv[i++], mask))
		return -1;
	if (argc > i && parse_mbind_flags(sc, argv[i++], &flags))
		return -1;
	if (argc > i)
		return script_error(sc, "mbind: too many arguments");
	sys_result(sc, argc, argv,
		   mmk_mbind(pid, addr, len, (unsigned long)mode, mask,
			     NMASK_MAXNODE, flags),
		   false);
	return 0;
}

/* "0-1,3" of the first 64 nodes of @mask ("" for none). */
static void nodes_text(char *buf, size_t len, unsigned long mask)
{
	size_t n = 0;
	int nid = 0;

	buf[0] = '\0';
	while (nid < 64 && n < len) {
		int end = nid;

		if (!(mask & (1UL << nid))) {
			nid++;
			continue;
		}
		while (end < 63 && (mask & (1UL << (end + 1))))
			end++;
		n += (size_t)snprintf(buf + n, len - n,
				      end > nid ? "%s%d-%d" : "%s%d",
				      n ? "," : "", nid, end);
		nid = end + 1;
	}
}

int cmd_get_mempolicy(struct script *sc, int argc, char **argv)
{
	unsigned long mask[NMASK_WORDS] = { 0 }, addr = 0, flags = 0;
	char mode_word[64], nodes_word[256 + 8], nodes[256];
	char *words[8];
	int pid = 0, policy = 0, i = 2, n, err;
	size_t f;

	if (parse_pid(sc, argv[1], &pid))
		return -1;
	if (argc > i && is_digit_word(argv[i])) {
		if (parse_ulong(sc, argv[i++], &addr))
			return -1;
		flags |= MPOL_F_ADDR;
	}
	if (argc > i) {
		if (!strcmp(argv[i], "node"))
			flags |= MPOL_F_NODE;
		else if (!strcmp(argv[i], "mems_allowed"))
			flags |= MPOL_F_MEMS_ALLOWED;
		else
			return script_error(
				sc,
				"get_mempolicy takes node or mems_allowed, not '%s'",
				argv[i]);
		i++;
	}
	if (argc > i)
		return script_error(sc, "get_mempolicy: too many arguments");
	err = mmk_get_mempolicy(pid, &policy, mask, NMASK_MAXNODE, addr, flags);
	for (n = 0; n < argc; n++)
		words[n] = argv[n];
	if (!err) {
		if (flags & MPOL_F_NODE) {
			snprintf(mode_word, sizeof mode_word, "node=%d",
				 policy);
		} else {
			int mode = policy & ~MPOL_MODE_FLAGS;

			n = snprintf(mode_word, sizeof mode_word, "mode=%s",
				     mode >= 0 && mode < MPOL_MAX ?
					     mode_names[mode] :
					     "?");
			for (f = 0;
			     f < sizeof mode_flags / sizeof mode_flags[0]; f++)
				if (policy & mode_flags[f].flag)
					snprintf(mode_word + n,
						 sizeof mode_word - (size_t)n,
						 "=%s", mode_flags[f].name);
		}
		words[argc++] = mode_word;
		if (!(flags & MPOL_F_NODE)) {
			nodes_text(nodes, sizeof nodes, mask[0]);
			snprintf(nodes_word, sizeof nodes_word, "nodes=%s",
				 nodes);
			words[argc++] = nodes_word;
		}
	}
	sys_result(sc, argc, words, err, false);
	return 0;
}

int cmd_migrate_pages(struct script *sc, int argc, char **argv)
{
	unsigned long from[NMASK_WORDS], to[NMASK_WORDS];
	int pid = 0;

	if (parse_pid(sc, argv[1], &pid) || parse_nodes(sc, argv[2], from) ||
	    parse_nodes(sc, argv[3], to))
		return -1;
	sys_result(sc, argc, argv,
		   mmk_migrate_pages(pid, NMASK_MAXNODE, from, to), false);
	return 0;
}

int cmd_move_pages(struct script *sc, int argc, char **argv)
{
	unsigned long addr = 0, count = 0, node = 0, i;
	unsigned long *pages;
	int pid = 0, flags = 0, *nodes = NULL, *status;
	bool have_node = false;
	char *text, *words[SCRIPT_MAX_WORDS];
	size_t cap, n = 0;
	long ret;
	int a = 4, w;

	if (parse_pid(sc, argv[1], &pid) || parse_ulong(sc, argv[2], &addr) ||
	    parse_ulong(sc, argv[3], &count))
		return -1;
	if (argc > a && is_digit_word(argv[a])) {
		if (parse_ulong(sc, argv[a++], &node))
			return -1;
		if (node > 0x7fffffff)
			return script_error(sc, "bad node '%s'", argv[a - 1]);
		have_node = true;
	}
	if (argc > a) {
		if (strcmp(argv[a], "move_all") != 0)
			return script_error(
				sc, "move_pages takes move_all, not '%s'",
				argv[a]);
		flags = MPOL_MF_MOVE_ALL;
		a++;
	} else {
		flags = MPOL_MF_MOVE;
	}
	if (argc > a)
		return script_error(sc, "move_pages: too many arguments");
	if (count > MOVE_PAGES_MAX)
		return script_error(sc, "move_pages: at most %lu pages",
				    MOVE_PAGES_MAX);
	cap = 8 + count * 16;
	pages = calloc(count + 1, sizeof(*pages));
	status = calloc(count + 1, sizeof(*status));
	nodes = have_node ? calloc(count + 1, sizeof(*nodes)) : NULL;
	text = malloc(cap);
	if (!pages || !status || (have_node && !nodes) || !text) {
		free(pages);
		free(status);
		free(nodes);
		free(text);
		return script_error(sc, "out of memory");
	}
	for (i = 0; i < count; i++) {
		pages[i] = addr + i * PAGE_SIZE;
		if (nodes)
			nodes[i] = (int)node;
		status[i] = 0;
	}
	ret = mmk_move_pages(pid, count, pages, nodes, status, flags);
	n = (size_t)snprintf(text, cap, "status=");
	for (i = 0; i < count && n < cap; i++) {
		const char *sep = i ? "," : "";

		if (status[i] < 0)
			n += (size_t)snprintf(text + n, cap - n, "%s%s", sep,
					      errno_name(-status[i]));
		else
			n += (size_t)snprintf(text + n, cap - n, "%s%d", sep,
					      status[i]);
	}
	for (w = 0; w < argc; w++)
		words[w] = argv[w];
	if (ret >= 0 && count)
		words[w++] = text;
	sys_result(sc, w, words, ret, false);
	free(pages);
	free(status);
	free(nodes);
	free(text);
	return 0;
}

int cmd_interleave_weight(struct script *sc, int argc, char **argv)
{
	unsigned long nid = 0, weight = 0;
	int err;

	if (parse_ulong(sc, argv[1], &nid) || parse_ulong(sc, argv[2], &weight))
		return -1;
	err = mmk_set_interleave_weight(
		nid > 0x7fffffff ? -1 : (int)nid,
		weight > 0xffffffffUL ? 0 : (unsigned int)weight);
	result(sc, argc, argv, "%s", err ? errno_name(-err) : "ok");
	return 0;
}
