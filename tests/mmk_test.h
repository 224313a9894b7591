/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by mmkit's cmocka tests: boot a machine, run the full
 * verifier, read procfs files and the kernel log. Include after
 * <cmocka.h>.
 */
#ifndef MMK_TESTS_MMK_TEST_H
#define MMK_TESTS_MMK_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <mmkit/mmkit.h>

/* Everything written to @f so far (malloc'ed; the stream is left at its
 * start). */
static inline char *mmk_test_read_stream(FILE *f)
{
	long len;
	char *buf;

	fflush(f);
	len = ftell(f);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	if (fread(buf, 1, (size_t)len, f) != (size_t)len)
		len = 0;
	buf[len] = '\0';
	return buf;
}

/* A whole file (malloc'ed), or NULL if it cannot be opened. Read to its
 * end, so procfs files (which report size 0) work too. */
static inline char *mmk_test_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 4096, n;
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(cap + 1);
	assert_non_null(buf);
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			char *grown = realloc(buf, cap * 2 + 1);

			assert_non_null(grown);
			buf = grown;
			cap *= 2;
		}
	}
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/* The machine of @cfg, made current on CPU 0; fails the test if it does
 * not boot. */
static inline struct mmk_machine *
mmk_test_boot_cfg(const struct mmk_config *cfg)
{
	struct mmk_machine *m = mmk_boot(cfg);

	assert_non_null(m);
	return m;
}

/* A machine of the given shape (see mmk_test_boot_cfg). */
static inline struct mmk_machine *
mmk_test_boot(enum mmk_arch arch, uint64_t mem, int nodes, int cpus, bool pcp)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = mem;
	cfg.nr_nodes = nodes;
	cfg.nr_cpus = cpus;
	cfg.pcp = pcp;
	return mmk_test_boot_cfg(&cfg);
}

/* A one-node 64 MiB machine of @arch with @cpus CPUs and @swap bytes of
 * swap, kept in *@state for mmk_test_teardown. */
static inline struct mmk_machine *
mmk_test_boot_swap(void **state, enum mmk_arch arch, int cpus, uint64_t swap)
{
	struct mmk_config cfg;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = 64ULL << 20;
	cfg.nr_nodes = 1;
	cfg.nr_cpus = cpus;
	cfg.swap_bytes = swap;
	*state = mmk_test_boot_cfg(&cfg);
	return *state;
}

/* cmocka teardown: shut down the machine a test left in *@state. */
static inline int mmk_test_teardown(void **state)
{
	if (*state)
		mmk_shutdown(*state);
	*state = NULL;
	return 0;
}

/* Every invariant of every subsystem holds. */
static inline void assert_check_ok(struct mmk_machine *m)
{
	char why[512];

	if (mmk_check(m, why, sizeof why))
		fail_msg("check failed: %s", why);
}

/* The verifier fails, and its report contains @needle. */
static inline void assert_check_fails(struct mmk_machine *m, const char *needle)
{
	char why[512];

	assert_int_equal(mmk_check(m, why, sizeof why), 1);
	if (!strstr(why, needle))
		fail_msg("check failed with \"%s\", expected \"%s\"", why,
			 needle);
}

/* A procfs file's text (malloc'ed; the caller frees it). */
static inline char *proc(struct mmk_machine *m, const char *path)
{
	char *text = mmk_proc_read(m, path);

	assert_non_null(text);
	return text;
}

static inline size_t dmesg_len(struct mmk_machine *m)
{
	return mmk_dmesg(m, NULL, 0);
}

/* The kernel log contains @needle. */
static inline bool dmesg_has(struct mmk_machine *m, const char *needle)
{
	size_t len = dmesg_len(m) + 1;
	char *buf = malloc(len);
	bool found;

	assert_non_null(buf);
	mmk_dmesg(m, buf, len);
	found = strstr(buf, needle) != NULL;
	free(buf);
	return found;
}

/* The number after "@key" and the separator @sep (':' in meminfo, ' ' in
 * vmstat) in the procfs file @path; fails the test if there is none. */
static inline unsigned long proc_field(struct mmk_machine *m, const char *path,
				       const char *key, char sep)
{
	char *text = proc(m, path);
	size_t klen = strlen(key);
	char *line = text;
	unsigned long v = 0;
	bool found = false;

	while (line && *line) {
		if (!strncmp(line, key, klen) && line[klen] == sep) {
			v = strtoul(line + klen + 1, NULL, 10);
			found = true;
			break;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	free(text);
	if (!found)
		fail_msg("%s has no %s", path, key);
	return v;
}

/* The /proc/vmstat counter @name. */
static inline unsigned long vmstat(struct mmk_machine *m, const char *name)
{
	return proc_field(m, "/proc/vmstat", name, ' ');
}

/* The value of the /proc/meminfo line "@key:", in kB. */
static inline unsigned long meminfo_kb(struct mmk_machine *m, const char *key)
{
	return proc_field(m, "/proc/meminfo", key, ':');
}

/* The "@key:" line of the smaps entry of @pid's VMA starting at @start,
 * in kB; fails the test if there is none. */
static inline unsigned long smaps_kb(struct mmk_machine *m, int pid,
				     unsigned long start, const char *key)
{
	char path[64], head[32];
	char *text, *line;
	size_t klen = strlen(key);
	unsigned long v = 0;
	bool found = false;

	snprintf(path, sizeof path, "/proc/%d/smaps", pid);
	snprintf(head, sizeof head, "%08lx-", start);
	text = proc(m, path);
	line = text;
	while (line && *line && strncmp(line, head, strlen(head))) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (!line || !*line)
		fail_msg("%s has no VMA at %#lx", path, start);
	for (line = strchr(line, '\n'); line && *++line;
	     line = strchr(line, '\n')) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			v = strtoul(line + klen + 1, NULL, 10);
			found = true;
			break;
		}
	}
	free(text);
	if (!found)
		fail_msg("%s: the VMA at %#lx has no %s", path, start, key);
	return v;
}

#endif /* MMK_TESTS_MMK_TEST_H */
