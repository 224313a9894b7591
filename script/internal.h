/* SPDX-License-Identifier: MIT */
/* Private to script/: interpreter state and the parsers it shares. */
#ifndef MMK_SCRIPT_INTERNAL_H
#define MMK_SCRIPT_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <mmkit/mmkit.h>
#include <mmkit/script.h>

#define SCRIPT_MAX_WORDS 16

enum handle_kind {
	HANDLE_FREE,
	HANDLE_PAGES, /* alloc_pages: page, order */
	HANDLE_CACHE, /* kmem_cache_create: cache */
	HANDLE_OBJECT, /* kmem_cache_alloc: obj, cache */
	HANDLE_KMALLOC, /* kmalloc, krealloc: obj */
	HANDLE_VMALLOC, /* vmalloc: obj */
	HANDLE_FILE, /* file: file */
};

struct kmem_cache;

struct handle {
	char *name;
	enum handle_kind kind;
	struct page *page;
	unsigned int order;
	struct kmem_cache *cache;
	void *obj;
	struct file *file;
	unsigned int kmapped; /* kmap()s not yet undone */
};

struct script {
	const char *name;
	unsigned long line;
	FILE *out, *err;
	int echo_log;
	struct mmk_config cfg;
	char slub_debug[256];
	struct mmk_machine *m;
	bool booted;
	bool check_failed;
	int watch_pid; /* the process of the running command, if alive */
	char errmsg[256];
	struct handle *handles; /* open-addressed hash table */
	size_t nr_handles, cap_handles;
	const struct script_observer *obs;
};

/* Told of every command line that ran (not of blank or comment lines,
 * nor of the line a script error stopped at): @line is its text as
 * written, @m the machine it ran on. stopped_at (if not NULL) is told of
 * the line a script error stopped at, with the error, before the
 * interpreter reports it; read_error (if not NULL) of why the script
 * could not be read further, with the error message the interpreter
 * prints (line @line, counting from 1, is where it stopped); at_end (if
 * not NULL) of the end of the run, before the machine (NULL if none
 * booted) shuts down. */
struct script_observer {
	void (*after_line)(void *arg, struct mmk_machine *m, const char *line);
	void *arg;
	void (*stopped_at)(void *arg, struct mmk_machine *m, const char *line,
			   const char *error);
	void (*at_end)(void *arg, struct mmk_machine *m);
	void (*read_error)(void *arg, unsigned long line, const char *error);
};

/* The longest script line read, and read_line()'s error beyond it (no
 * errno's value). */
#define SCRIPT_LINE_MAX (1U << 20)
#define SCRIPT_LINE_TOO_LONG (-1)

/* Whether everything written to @out reached it (flushed now; *@werr the
 * flush's errno, 0 if only an earlier write failed), and the message
 * when it did not. */
bool script_out_ok(FILE *out, int *werr);
void script_out_error(FILE *err, const char *name, int werr);

/* script/script.c: mmk_script_run() and mmk_script_run_string() with an
 * observer (NULL: none); @in when @text is NULL. */
int script_run_observed(FILE *in, const char *text, const char *name, FILE *out,
			FILE *err, int echo_log,
			const struct script_observer *obs);

/* script/script.c: helpers for command files */
int script_error(struct script *sc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void result(struct script *sc, int argc, char **argv, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A system call's result: an address (@address), a number, or the errno
 * name of -4095..-1. */
void sys_result(struct script *sc, int argc, char **argv, long ret,
		bool address);
/* Word @s as a pid, a number or size (unsigned long), or a signed int;
 * a script error (-1) if it is none. */
int parse_pid(struct script *sc, const char *s, int *pid);
int parse_ulong(struct script *sc, const char *s, unsigned long *v);
int parse_int(struct script *sc, const char *s, int *v);
struct handle *new_handle(struct script *sc, const char *name);
struct handle *get_handle(struct script *sc, const char *name,
			  enum handle_kind kind);

/* script/cmd_slab.c */
int cmd_kmem_cache_create(struct script *sc, int argc, char **argv);
int cmd_kmem_cache_alloc(struct script *sc, int argc, char **argv);
int cmd_kmem_cache_free(struct script *sc, int argc, char **argv);
int cmd_kmem_cache_shrink(struct script *sc, int argc, char **argv);
int cmd_kmem_cache_destroy(struct script *sc, int argc, char **argv);
int cmd_kmalloc(struct script *sc, int argc, char **argv);
int cmd_krealloc(struct script *sc, int argc, char **argv);
int cmd_kfree(struct script *sc, int argc, char **argv);

/* script/cmd_vmalloc.c */
int cmd_vmalloc(struct script *sc, int argc, char **argv);
int cmd_vfree(struct script *sc, int argc, char **argv);
int cmd_kmap(struct script *sc, int argc, char **argv);
int cmd_kunmap(struct script *sc, int argc, char **argv);

/* script/cmd_numa.c */
int cmd_set_mempolicy(struct script *sc, int argc, char **argv);
int cmd_mbind(struct script *sc, int argc, char **argv);
int cmd_get_mempolicy(struct script *sc, int argc, char **argv);
int cmd_migrate_pages(struct script *sc, int argc, char **argv);
int cmd_move_pages(struct script *sc, int argc, char **argv);
int cmd_interleave_weight(struct script *sc, int argc, char **argv);

/* script/cmd_ksm.c */
int cmd_ksm(struct script *sc, int argc, char **argv);
int cmd_thp(struct script *sc, int argc, char **argv);
/* The text of sysfs file @dir@name without its newline (free it), or
 * NULL if the machine has no such file. */
char *sysfs_knob_read(struct script *sc, const char *dir, const char *name);
int cmd_ksm_scan(struct script *sc, int argc, char **argv);
int cmd_khugepaged_scan(struct script *sc, int argc, char **argv);
int cmd_prctl(struct script *sc, int argc, char **argv);

/* script/cmd_mm.c */
int cmd_spawn(struct script *sc, int argc, char **argv);
int cmd_fork(struct script *sc, int argc, char **argv);
int cmd_exit(struct script *sc, int argc, char **argv);
int cmd_mmap(struct script *sc, int argc, char **argv);
int cmd_range(struct script *sc, int argc, char **argv);
int cmd_mprotect(struct script *sc, int argc, char **argv);
int cmd_mremap(struct script *sc, int argc, char **argv);
int cmd_mlockall(struct script *sc, int argc, char **argv);
int cmd_munlockall(struct script *sc, int argc, char **argv);
int cmd_brk(struct script *sc, int argc, char **argv);
int cmd_madvise(struct script *sc, int argc, char **argv);
int cmd_mseal(struct script *sc, int argc, char **argv);
int cmd_msync(struct script *sc, int argc, char **argv);
int cmd_process_vm(struct script *sc, int argc, char **argv);
int cmd_pkey_alloc(struct script *sc, int argc, char **argv);
int cmd_pkey_free(struct script *sc, int argc, char **argv);
int cmd_pkey_mprotect(struct script *sc, int argc, char **argv);
int cmd_pkey_set(struct script *sc, int argc, char **argv);
int cmd_pkey_get(struct script *sc, int argc, char **argv);
int cmd_file(struct script *sc, int argc, char **argv);
int cmd_fadvise(struct script *sc, int argc, char **argv);
int cmd_memfd(struct script *sc, int argc, char **argv);
int cmd_ftruncate(struct script *sc, int argc, char **argv);
int cmd_fallocate(struct script *sc, int argc, char **argv);
int cmd_pread(struct script *sc, int argc, char **argv);
int cmd_pwrite(struct script *sc, int argc, char **argv);
int cmd_seal(struct script *sc, int argc, char **argv);
int cmd_seals(struct script *sc, int argc, char **argv);
int cmd_mincore(struct script *sc, int argc, char **argv);
int cmd_pagemap(struct script *sc, int argc, char **argv);
int cmd_kpageflags(struct script *sc, int argc, char **argv);
int cmd_clear_refs(struct script *sc, int argc, char **argv);
int cmd_process_madvise(struct script *sc, int argc, char **argv);
int cmd_touch(struct script *sc, int argc, char **argv);
int cmd_write(struct script *sc, int argc, char **argv);
int cmd_read(struct script *sc, int argc, char **argv);
int cmd_setrlimit(struct script *sc, int argc, char **argv);
int cmd_oom_score_adj(struct script *sc, int argc, char **argv);
int cmd_sysctl(struct script *sc, int argc, char **argv);
int cmd_swapon(struct script *sc, int argc, char **argv);
int cmd_swapoff(struct script *sc, int argc, char **argv);

/* script/parse.c */
bool parse_number(const char *s, uint64_t *out);
bool parse_size(const char *s, uint64_t *out);
bool parse_gfp(const char *s, gfp_t *out);
const char *errno_name(int err);
bool valid_name(const char *s);
char *str_dup(const char *s);

/* script/handles.c */
struct handle *handle_find(struct script *sc, const char *name);
struct handle *handle_add(struct script *sc, const char *name);
void handle_remove(struct script *sc, struct handle *h);
void handles_destroy(struct script *sc);

#endif /* MMK_SCRIPT_INTERNAL_H */
