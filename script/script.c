/* SPDX-License-Identifier: MIT */
/*
 * The script interpreter (shared/SCRIPT.md): reads a line, splits it into
 * words, boots the default machine before the first command if the script
 * did not, and dispatches through a command table. A command with a result
 * prints "<echo> = RESULT"; `cat` prints a procfs file; a script error
 * prints "mmkit: FILE:LINE: message" and stops the run with status 2.
 *
 * Commands of this layer (the page allocator); later layers add theirs:
 *   boot [arch=] [mem=] [nodes=] [cpus=] [swap=] [pcp=on|off] [seed=]
 *        [slub_debug=FZPU[,cache...][;...]] [slab_nomerge=on|off]
 *        [slab_random=on|off]
 *        [zero_page=on|off]
 *   alloc_pages H ORDER [GFP]   pfn in decimal, or ENOMEM
 *   free_pages H                __free_pages with the handle's order
 *   get_page H / put_page H     reference counting (the last put frees)
 *   cpu N                       run on simulated CPU N (EINVAL, EBUSY)
 *   drain                       drain_all_pages(NULL)
 *   fail page_alloc|slab [nth=N] [times=N] [probability=P] [min_order=O]
 *        [cache=NAME] | off
 * and the commands of script/cmd_slab.c, script/cmd_vmalloc.c and
 * script/cmd_mm.c.
 *   check, cat PATH, dmesg, echo WORDS...
 *
 * The interpreter uses only the public API (include/mmkit/).
 */
#include "script/internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct command {
	const char *name;
	int min_args, max_args;
	int (*run)(struct script *sc, int argc, char **argv);
	/* Its first argument is a process: if that process dies during the
	 * command (the OOM killer), the result is SIGKILL. */
	bool on_process;
};

int script_error(struct script *sc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sc->errmsg, sizeof sc->errmsg, fmt, ap);
	va_end(ap);
	return -1;
}

void sys_result(struct script *sc, int argc, char **argv, long ret,
		bool address)
{
	if (ret < 0 && ret >= -4095)
		result(sc, argc, argv, "%s", errno_name((int)-ret));
	else if (address)
		result(sc, argc, argv, "0x%lx", (unsigned long)ret);
	else
		result(sc, argc, argv, "%ld", ret);
}

int parse_pid(struct script *sc, const char *s, int *pid)
{
	uint64_t v;

	if (!parse_number(s, &v) || v > 0x7fffffff)
		return script_error(sc, "bad pid '%s'", s);
	*pid = (int)v;
	return 0;
}

int parse_ulong(struct script *sc, const char *s, unsigned long *v)
{
	uint64_t x;

	if (!parse_size(s, &x))
		return script_error(sc, "bad number '%s'", s);
	*v = (unsigned long)x;
	return 0;
}

int parse_int(struct script *sc, const char *s, int *v)
{
	uint64_t x;

	if (!parse_number(s + (*s == '-'), &x) || x > 0x7fffffff)
		return script_error(sc, "bad number '%s'", s);
	*v = *s == '-' ? -(int)x : (int)x;
	return 0;
}

/* "<words> = <result>" */
void result(struct script *sc, int argc, char **argv, const char *fmt, ...)
{
	va_list ap;
	int i;

	for (i = 0; i < argc; i++)
		fprintf(sc->out, "%s%s", i ? " " : "", argv[i]);
	fputs(" = ", sc->out);
	if (sc->watch_pid && !mmk_task_alive(sc->watch_pid)) {
		fputs("SIGKILL\n", sc->out);
		return;
	}
	va_start(ap, fmt);
	vfprintf(sc->out, fmt, ap);
	va_end(ap);
	fputc('\n', sc->out);
}

static void log_to_err(void *arg, const char *line)
{
	struct script *sc = arg;

	if (sc->echo_log)
		fprintf(sc->err, "%s\n", line);
}

static int do_boot(struct script *sc)
{
	char why[256];

	if (mmk_config_validate(&sc->cfg, why, sizeof why))
		return script_error(sc, "boot: %s", why);
	sc->cfg.printk = log_to_err;
	sc->cfg.printk_arg = sc;
	sc->m = mmk_boot(&sc->cfg);
	if (!sc->m)
		return script_error(
			sc, "boot failed: %s",
			errno == ENOMEM ?
				"the host could not reserve the memory" :
				"invalid machine configuration");
	sc->booted = true;
	return 0;
}

/* The config field an on|off boot option sets, NULL for any other key;
 * *@negate when "on" stores false (zero_page=off forbids it). */
static bool *boot_flag(struct mmk_config *cfg, const char *key, bool *negate)
{
	*negate = false;
	if (!strcmp(key, "pcp"))
		return &cfg->pcp;
	if (!strcmp(key, "slab_nomerge"))
		return &cfg->slab_nomerge;
	if (!strcmp(key, "slab_random"))
		return &cfg->slab_freelist_random;
	if (!strcmp(key, "pku"))
		return &cfg->pku;
	*negate = true;
	if (!strcmp(key, "zero_page"))
		return &cfg->forbid_zero_page;
	return NULL;
}

static int cmd_boot(struct script *sc, int argc, char **argv)
{
	bool *flag, negate;
	int i;

	if (sc->booted)
		return script_error(
			sc, "boot must come once, before every other command");
	for (i = 1; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *key = argv[i], *val;
		uint64_t v;

		if (!eq)
			return script_error(sc,
					    "boot option '%s' is not key=value",
					    argv[i]);
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(key, "arch")) {
			if (!strcmp(val, "x86_64"))
				sc->cfg.arch = MMK_ARCH_X86_64;
			else if (!strcmp(val, "i386"))
				sc->cfg.arch = MMK_ARCH_I386;
			else
				return script_error(
					sc,
					"unknown arch '%s' (x86_64 or i386)",
					val);
		} else if ((flag = boot_flag(&sc->cfg, key, &negate))) {
			if (strcmp(val, "on") != 0 && strcmp(val, "off") != 0)
				return script_error(sc, "%s must be on or off",
						    key);
			*flag = !strcmp(val, "on") != negate;
		} else if (!strcmp(key, "mem") || !strcmp(key, "swap")) {
			if (!parse_size(val, &v))
				return script_error(sc, "bad size '%s'", val);
			if (key[0] == 'm')
				sc->cfg.mem_bytes = v;
			else
				sc->cfg.swap_bytes = v;
		} else if (!strcmp(key, "nodes") || !strcmp(key, "cpus")) {
			if (!parse_number(val, &v) || v < 1 || v > 64)
				return script_error(sc, "%s must be 1..64",
						    key);
			if (key[0] == 'n')
				sc->cfg.nr_nodes = (int)v;
			else
				sc->cfg.nr_cpus = (int)v;
		} else if (!strcmp(key, "slub_debug")) {
			/* Its syntax checked at boot (mmk_config_validate). */
			if (strlen(val) >= sizeof sc->slub_debug)
				return script_error(
					sc, "slub_debug is longer than %zu",
					sizeof sc->slub_debug - 1);
			snprintf(sc->slub_debug, sizeof sc->slub_debug, "%s",
				 val);
			sc->cfg.slub_debug = sc->slub_debug;
		} else if (!strcmp(key, "seed")) {
			if (!parse_number(val, &v))
				return script_error(sc, "bad number '%s'", val);
			sc->cfg.seed = v;
		} else {
			return script_error(sc, "unknown boot option '%s'",
					    key);
		}
		*eq = '=';
	}
	if (do_boot(sc))
		return -1;
	result(sc, argc, argv, "ok");
	return 0;
}

struct handle *new_handle(struct script *sc, const char *name)
{
	struct handle *h;

	if (!valid_name(name)) {
		script_error(sc, "bad handle name '%s'", name);
		return NULL;
	}
	h = handle_find(sc, name);
	if (h) {
		script_error(sc, "handle '%s' is already in use", name);
		return NULL;
	}
	h = handle_add(sc, name);
	if (!h)
		script_error(sc, "out of memory for handles");
	return h;
}

struct handle *get_handle(struct script *sc, const char *name,
			  enum handle_kind kind)
{
	struct handle *h = handle_find(sc, name);

	if (!h) {
		script_error(sc, "unknown handle '%s'", name);
		return NULL;
	}
	if (h->kind != kind) {
		static const char *const kinds[] = {
			"free",
			"a page allocation",
			"a cache",
			"a cache object",
			"a kmalloc allocation",
			"a vmalloc allocation",
			"a file",
		};

		script_error(sc, "handle '%s' is not %s", name, kinds[kind]);
		return NULL;
	}
	return h;
}

static int cmd_alloc_pages(struct script *sc, int argc, char **argv)
{
	gfp_t gfp = GFP_KERNEL;
	struct handle *h;
	struct page *page;
	uint64_t order;

	if (!parse_number(argv[2], &order))
		return script_error(sc, "bad order '%s'", argv[2]);
	if (argc > 3 && !parse_gfp(argv[3], &gfp))
		return script_error(sc, "bad GFP mask '%s'", argv[3]);
	if (!valid_name(argv[1]))
		return script_error(sc, "bad handle name '%s'", argv[1]);
	if (handle_find(sc, argv[1]))
		return script_error(sc, "handle '%s' is already in use",
				    argv[1]);
	/* Any order above MAX_PAGE_ORDER fails in alloc_pages() with its
	 * once-only warning; the unsigned int parameter saturates. */
	page = alloc_pages(gfp,
			   order > UINT_MAX ? UINT_MAX : (unsigned int)order);
	if (!page) {
		result(sc, argc, argv, "ENOMEM");
		return 0;
	}
	h = new_handle(sc, argv[1]);
	if (!h) {
		__free_pages(page, (unsigned int)order);
		return -1;
	}
	h->kind = HANDLE_PAGES;
	h->page = page;
	h->order = (unsigned int)order;
	result(sc, argc, argv, "%lu", page_to_pfn(page));
	return 0;
}

static int cmd_free_pages(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_PAGES);

	if (!h)
		return -1;
	__free_pages(h->page, h->order);
	handle_remove(sc, h);
	result(sc, argc, argv, "ok");
	return 0;
}

static int cmd_get_page(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_PAGES);

	if (!h)
		return -1;
	get_page(h->page);
	result(sc, argc, argv, "%d", page_count(h->page));
	return 0;
}

static int cmd_put_page(struct script *sc, int argc, char **argv)
{
	struct handle *h = get_handle(sc, argv[1], HANDLE_PAGES);
	int left;

	if (!h)
		return -1;
	left = page_count(h->page) - 1;
	put_page(h->page);
	if (left <= 0)
		handle_remove(sc, h);
	result(sc, argc, argv, "%d", left < 0 ? 0 : left);
	return 0;
}

static int cmd_cpu(struct script *sc, int argc, char **argv)
{
	uint64_t cpu;
	int err;

	if (!parse_number(argv[1], &cpu))
		return script_error(sc, "bad number '%s'", argv[1]);
	err = cpu > 1024 ? -EINVAL : mmk_set_cpu((int)cpu);
	if (err)
		result(sc, argc, argv, "%s", errno_name(-err));
	else
		result(sc, argc, argv, "ok");
	return 0;
}

static int cmd_drain(struct script *sc, int argc, char **argv)
{
	drain_all_pages(NULL);
	result(sc, argc, argv, "ok");
	return 0;
}

static int parse_fail_attr(struct script *sc, int argc, char **argv,
			   struct mmk_fail_attr *attr)
{
	int i;

	memset(attr, 0, sizeof(*attr));
	attr->times = 1;
	for (i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		uint64_t v;

		if (eq && !strncmp(argv[i], "cache=", 6)) {
			if (!valid_name(eq + 1))
				return script_error(sc, "bad cache name '%s'",
						    eq + 1);
			attr->cache = eq + 1;
			continue;
		}
		if (!eq || !parse_number(eq + 1, &v))
			return script_error(
				sc, "fail option '%s' is not key=number",
				argv[i]);
		*eq = '\0';
		if (!strcmp(argv[i], "nth"))
			attr->nth = (unsigned long)v;
		else if (!strcmp(argv[i], "times"))
			attr->times = v == 0 ? -1 : (long)v;
		else if (!strcmp(argv[i], "probability") && v <= 100)
			attr->probability = (unsigned int)v;
		else if (!strcmp(argv[i], "min_order") && v <= 64)
			attr->min_order = (unsigned int)v;
		else
			return script_error(sc, "bad fail option '%s'",
					    argv[i]);
		*eq = '=';
	}
	return 0;
}

static int cmd_fail(struct script *sc, int argc, char **argv)
{
	struct mmk_fail_attr attr;
	enum mmk_fail_kind kind;

	if (!strcmp(argv[1], "page_alloc"))
		kind = MMK_FAIL_PAGE_ALLOC;
	else if (!strcmp(argv[1], "slab"))
		kind = MMK_FAIL_SLAB;
	else
		return script_error(
			sc, "unknown fault kind '%s' (page_alloc, slab)",
			argv[1]);
	if (argc == 3 && !strcmp(argv[2], "off")) {
		mmk_fail_set(sc->m, kind, NULL);
	} else {
		if (parse_fail_attr(sc, argc, argv, &attr))
			return -1;
		mmk_fail_set(sc->m, kind, &attr);
	}
	result(sc, argc, argv, "ok");
	return 0;
}

static int cmd_check(struct script *sc, int argc, char **argv)
{
	char why[512];

	(void)argc;
	(void)argv;
	if (mmk_check(sc->m, why, sizeof why)) {
		sc->check_failed = true;
		fprintf(sc->out, "check = FAILED: %s\n", why);
	} else {
		fprintf(sc->out, "check = ok\n");
	}
	return 0;
}

/* The name a line of @text starting at @line begins with: up to the first
 * ':', space or tab (meminfo's "Cached:", vmstat's "nr_free_pages",
 * status's "VmRSS:"). */
static bool line_named(const char *line, const char *name)
{
	size_t n = strlen(name);

	return strncmp(line, name, n) == 0 &&
	       (line[n] == ':' || line[n] == ' ' || line[n] == '\t');
}

/*
 * cat PATH [FIELD ...]: the file, or only its lines named by a FIELD (in
 * the file's order), as `grep -E '^(F1|F2):'` would pick them. A FIELD
 * that names no line is a script error, so a misspelt one cannot pass
 * unnoticed.
 */
static int cmd_cat(struct script *sc, int argc, char **argv)
{
	char *text = mmk_proc_read(sc->m, argv[1]), *line, *end;
	unsigned int found = 0;
	int i, err = 0;

	if (!text) {
		result(sc, argc, argv, "%s", errno_name(errno));
		return 0;
	}
	if (argc == 2) {
		fputs(text, sc->out);
		free(text);
		return 0;
	}
	for (line = text; *line; line = end) {
		bool named = false;

		end = strchr(line, '\n');
		end = end ? end + 1 : line + strlen(line);
		/* Every FIELD that names the line has found it (a FIELD given
		 * twice too); the line prints once. */
		for (i = 2; i < argc; i++)
			if (line_named(line, argv[i])) {
				named = true;
				found |= 1U << i;
			}
		if (named)
			fwrite(line, 1, (size_t)(end - line), sc->out);
	}
	for (i = 2; i < argc && !err; i++)
		if (!(found & (1U << i)))
			err = script_error(sc, "cat: %s has no line '%s'",
					   argv[1], argv[i]);
	free(text);
	return err;
}

static int cmd_dmesg(struct script *sc, int argc, char **argv)
{
	size_t len = mmk_dmesg(sc->m, NULL, 0) + 1;
	char *buf = malloc(len);

	(void)argc;
	(void)argv;
	if (!buf)
		return script_error(sc, "out of memory");
	mmk_dmesg(sc->m, buf, len);
	fputs(buf, sc->out);
	free(buf);
	return 0;
}

static int cmd_echo(struct script *sc, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++)
		fprintf(sc->out, "%s%s", i > 1 ? " " : "", argv[i]);
	fputc('\n', sc->out);
	return 0;
}

static const struct command commands[] = {
	{ "echo", 0, SCRIPT_MAX_WORDS - 1, cmd_echo, false },
	{ "boot", 0, SCRIPT_MAX_WORDS - 1, cmd_boot, false },
	{ "alloc_pages", 2, 3, cmd_alloc_pages, false },
	{ "free_pages", 1, 1, cmd_free_pages, false },
	{ "get_page", 1, 1, cmd_get_page, false },
	{ "put_page", 1, 1, cmd_put_page, false },
	{ "cpu", 1, 1, cmd_cpu, false },
	{ "drain", 0, 0, cmd_drain, false },
	{ "fail", 2, 6, cmd_fail, false },
	{ "kmem_cache_create", 2, 4, cmd_kmem_cache_create, false },
	{ "kmem_cache_alloc", 2, 3, cmd_kmem_cache_alloc, false },
	{ "kmem_cache_free", 1, 1, cmd_kmem_cache_free, false },
	{ "kmem_cache_shrink", 1, 1, cmd_kmem_cache_shrink, false },
	{ "kmem_cache_destroy", 1, 1, cmd_kmem_cache_destroy, false },
	{ "kmalloc", 2, 3, cmd_kmalloc, false },
	{ "krealloc", 2, 3, cmd_krealloc, false },
	{ "kfree", 1, 1, cmd_kfree, false },
	{ "vmalloc", 2, 2, cmd_vmalloc, false },
	{ "vfree", 1, 1, cmd_vfree, false },
	{ "kmap", 1, 1, cmd_kmap, false },
	{ "kunmap", 1, 1, cmd_kunmap, false },
	{ "spawn", 1, 2, cmd_spawn, false },
	{ "fork", 2, 2, cmd_fork, true },
	{ "exit", 1, 1, cmd_exit, false },
	{ "mmap", 5, 7, cmd_mmap, true },
	{ "munmap", 3, 3, cmd_range, true },
	{ "mprotect", 4, 4, cmd_mprotect, true },
	{ "mremap", 4, 6, cmd_mremap, true },
	{ "mlock", 3, 3, cmd_range, true },
	{ "munlock", 3, 3, cmd_range, true },
	{ "mlockall", 2, 2, cmd_mlockall, true },
	{ "munlockall", 1, 1, cmd_munlockall, true },
	{ "brk", 2, 2, cmd_brk, true },
	{ "madvise", 4, 4, cmd_madvise, true },
	{ "mseal", 3, 4, cmd_mseal, true },
	{ "msync", 4, 4, cmd_msync, true },
	{ "process_vm_readv", 4, 5, cmd_process_vm, true },
	{ "process_vm_writev", 4, 5, cmd_process_vm, true },
	{ "pkey_alloc", 3, 3, cmd_pkey_alloc, true },
	{ "pkey_free", 2, 2, cmd_pkey_free, true },
	{ "pkey_mprotect", 5, 5, cmd_pkey_mprotect, true },
	{ "pkey_set", 3, 3, cmd_pkey_set, true },
	{ "pkey_get", 2, 2, cmd_pkey_get, true },
	{ "file", 2, 3, cmd_file, false },
	{ "fadvise", 4, 4, cmd_fadvise, false },
	{ "memfd", 1, 2, cmd_memfd, false },
	{ "ftruncate", 2, 2, cmd_ftruncate, false },
	{ "fallocate", 4, 4, cmd_fallocate, false },
	{ "pread", 3, 3, cmd_pread, false },
	{ "pwrite", 3, 4, cmd_pwrite, false },
	{ "seal", 2, 2, cmd_seal, false },
	{ "seals", 1, 1, cmd_seals, false },
	{ "mincore", 3, 3, cmd_mincore, true },
	{ "pagemap", 3, 3, cmd_pagemap, false },
	{ "kpageflags", 1, 2, cmd_kpageflags, false },
	{ "clear_refs", 2, 2, cmd_clear_refs, true },
	{ "process_madvise", 3, SCRIPT_MAX_WORDS - 1, cmd_process_madvise,
	  true },
	{ "touch", 4, 4, cmd_touch, true },
	{ "write", 3, 3, cmd_write, true },
	{ "read", 2, 2, cmd_read, true },
	{ "setrlimit", 3, 3, cmd_setrlimit, true },
	{ "sysctl", 1, 1, cmd_sysctl, false },
	{ "oom_score_adj", 2, 2, cmd_oom_score_adj, true },
	{ "swapon", 2, 3, cmd_swapon, false },
	{ "swapoff", 1, 1, cmd_swapoff, false },
	{ "set_mempolicy", 2, 3, cmd_set_mempolicy, true },
	{ "mbind", 4, 6, cmd_mbind, true },
	{ "get_mempolicy", 1, 3, cmd_get_mempolicy, true },
	{ "migrate_pages", 3, 3, cmd_migrate_pages, true },
	{ "move_pages", 3, 5, cmd_move_pages, true },
	{ "interleave_weight", 2, 2, cmd_interleave_weight, false },
	{ "ksm", 1, 1, cmd_ksm, false },
	{ "ksm_scan", 0, 1, cmd_ksm_scan, false },
	{ "khugepaged_scan", 0, 1, cmd_khugepaged_scan, false },
	{ "thp", 1, 1, cmd_thp, false },
	{ "prctl", 2, 6, cmd_prctl, true },
	{ "check", 0, 0, cmd_check, false },
	{ "cat", 1, SCRIPT_MAX_WORDS - 1, cmd_cat, false },
	{ "dmesg", 0, 0, cmd_dmesg, false },
};

static int split_words(char *line, char **argv)
{
	int argc = 0;
	char *p = line;

	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == SCRIPT_MAX_WORDS)
			return -1;
		argv[argc++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '#')
			p++;
		if (*p == '#') {
			*p = '\0';
			break;
		}
		if (*p)
			*p++ = '\0';
	}
	return argc;
}

static int run_command(struct script *sc, const struct command *c, int argc,
		       char **argv)
{
	uint64_t pid = 0;
	int ret;

	if (c->on_process && argc > 1 && parse_number(argv[1], &pid) &&
	    pid <= 0x7fffffff && mmk_task_alive((int)pid))
		sc->watch_pid = (int)pid;
	ret = c->run(sc, argc, argv);
	sc->watch_pid = 0;
	return ret;
}

static int run_line(struct script *sc, char *line)
{
	char *argv[SCRIPT_MAX_WORDS];
	int argc = split_words(line, argv);
	size_t i;

	if (argc < 0)
		return script_error(sc, "too many words");
	if (argc == 0)
		return 0;
	for (i = 0; i < sizeof commands / sizeof commands[0]; i++) {
		const struct command *c = &commands[i];

		if (strcmp(argv[0], c->name) != 0)
			continue;
		if (argc - 1 < c->min_args)
			return script_error(sc, "%s: missing argument",
					    c->name);
		if (argc - 1 > c->max_args)
			return script_error(sc, "%s: too many arguments",
					    c->name);
		if (c->run != cmd_boot && !sc->booted && do_boot(sc))
			return -1;
		return run_command(sc, c, argc, argv);
	}
	return script_error(sc, "unknown command '%s'", argv[0]);
}

static void script_begin(struct script *sc, const char *name, FILE *out,
			 FILE *err, int echo_log)
{
	memset(sc, 0, sizeof(*sc));
	sc->name = name;
	sc->out = out;
	sc->err = err;
	sc->echo_log = echo_log;
	mmk_config_init(&sc->cfg);
}

/* Whether @line holds a command (not blank, not only a comment). */
static bool has_command(const char *line)
{
	line += strspn(line, " \t");
	return *line && *line != '#';
}

/* Run one line of @len bytes (without its newline; a carriage return
 * before it, as a CRLF file has, is dropped too); false once a script
 * error stopped the run. */
static bool script_line(struct script *sc, char *line, size_t len)
{
	char *copy = NULL;
	int ret;

	sc->line++;
	if (len && line[len - 1] == '\r')
		line[--len] = '\0';
	/* run_line() splits the line in place: the observer gets a copy. */
	if (sc->obs && has_command(line))
		copy = str_dup(line);
	/* A NUL byte would end the line early, hiding what follows it. */
	if (memchr(line, '\0', len))
		ret = script_error(sc, "a NUL byte in the line");
	else
		ret = run_line(sc, line);
	if (!ret) {
		if (copy)
			sc->obs->after_line(sc->obs->arg, sc->m, copy);
		free(copy);
		return true;
	}
	fflush(sc->out);
	if (copy && sc->obs->stopped_at)
		sc->obs->stopped_at(sc->obs->arg, sc->m, copy, sc->errmsg);
	free(copy);
	fprintf(sc->err, "mmkit: %s:%lu: %s\n", sc->name, sc->line, sc->errmsg);
	return false;
}

/* Shut the machine down. @rerr: why the script could not be read to its
 * end (an errno), or 0. */
bool script_out_ok(FILE *out, int *werr)
{
	*werr = 0;
	errno = 0;
	if (fflush(out) == EOF)
		*werr = errno;
	return !*werr && !ferror(out);
}

void script_out_error(FILE *err, const char *name, int werr)
{
	/* An earlier flush's error is known only by the stream's flag; a
	 * flush now that fails tells why. */
	fprintf(err, "mmkit: %s: cannot write the output%s%s\n", name,
		werr ? ": " : "", werr ? strerror(werr) : "");
}

static int script_end(struct script *sc, bool stopped, int rerr)
{
	int werr;
	bool out_ok = script_out_ok(sc->out, &werr);
	char why[64];

	if (rerr == SCRIPT_LINE_TOO_LONG)
		snprintf(why, sizeof why, "a line longer than %u bytes",
			 SCRIPT_LINE_MAX);
	else if (rerr)
		snprintf(why, sizeof why, "%s", strerror(rerr));
	if (rerr && sc->obs && sc->obs->read_error)
		sc->obs->read_error(sc->obs->arg, sc->line + 1, why);
	if (sc->obs && sc->obs->at_end)
		sc->obs->at_end(sc->obs->arg, sc->m);
	handles_destroy(sc);
	mmk_shutdown(sc->m);
	if (rerr == SCRIPT_LINE_TOO_LONG) {
		fprintf(sc->err, "mmkit: %s:%lu: %s\n", sc->name, sc->line + 1,
			why);
		return MMK_SCRIPT_IO_ERROR;
	}
	if (rerr) {
		fprintf(sc->err, "mmkit: %s: %s\n", sc->name, why);
		return MMK_SCRIPT_IO_ERROR;
	}
	if (!out_ok) {
		script_out_error(sc->err, sc->name, werr);
		return MMK_SCRIPT_IO_ERROR;
	}
	if (stopped)
		return MMK_SCRIPT_ERROR;
	return sc->check_failed ? MMK_SCRIPT_CHECK_FAILED : MMK_SCRIPT_OK;
}

/* Read a whole line of up to SCRIPT_LINE_MAX bytes (NUL bytes and all)
 * into *@buf, its length in *@len; false at end of file, or when the
 * script cannot be read further (*@rerr: why, as an errno: a directory,
 * an I/O error, no memory for the line; or SCRIPT_LINE_TOO_LONG, which
 * stops /dev/zero). */
static bool read_line(FILE *in, char **buf, size_t *cap, size_t *len, int *rerr)
{
	int c;

	*len = 0;
	errno = 0;
	while ((c = getc(in)) != EOF && c != '\n') {
		if (*len == SCRIPT_LINE_MAX) {
			*rerr = SCRIPT_LINE_TOO_LONG;
			return false;
		}
		if (*cap - *len < 2) {
			size_t ncap = *cap ? *cap * 2 : 256;
			char *nb = realloc(*buf, ncap);

			if (!nb) {
				*rerr = ENOMEM;
				return false;
			}
			*buf = nb;
			*cap = ncap;
		}
		(*buf)[(*len)++] = (char)c;
	}
	if (c == EOF && ferror(in)) {
		*rerr = errno ? errno : EIO;
		return false;
	}
	if (c == EOF && !*len)
		return false;
	if (!*buf && !(*buf = malloc(1))) { /* an empty first line */
		*rerr = ENOMEM;
		return false;
	}
	(*buf)[*len] = '\0';
	return true;
}

int script_run_observed(FILE *in, const char *text, const char *name, FILE *out,
			FILE *err, int echo_log,
			const struct script_observer *obs)
{
	struct script sc;
	char *buf = NULL, *copy = NULL, *line, *next;
	size_t cap = 0, len;
	bool stopped = false;
	int rerr = 0;

	if (text && !(copy = str_dup(text)))
		return MMK_SCRIPT_ERROR;
	if (!text && !in) {
		fprintf(err, "mmkit: %s: no script to read\n", name);
		return MMK_SCRIPT_IO_ERROR;
	}
	script_begin(&sc, name, out, err, echo_log);
	sc.obs = obs;
	if (!text) {
		while (!stopped && read_line(in, &buf, &cap, &len, &rerr))
			stopped = !script_line(&sc, buf, len);
	}
	for (line = copy; line && !stopped && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		stopped = !script_line(&sc, line, strlen(line));
	}
	free(buf);
	free(copy);
	return script_end(&sc, stopped, rerr);
}

int mmk_script_run(FILE *in, const char *name, FILE *out, FILE *err,
		   int echo_log)
{
	return script_run_observed(in, NULL, name, out, err, echo_log, NULL);
}

int mmk_script_run_string(const char *text, const char *name, FILE *out,
			  FILE *err, int echo_log)
{
	return script_run_observed(NULL, text, name, out, err, echo_log, NULL);
}
