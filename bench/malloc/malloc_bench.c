/* SPDX-License-Identifier: MIT */
/*
 * malloc_bench: the driver of `make bench-malloc` (issue 7). It runs each
 * workload - the small C programs of bench/malloc (built plain, with no
 * allocator linked in) and a few real programs (python3, sqlite3, gcc,
 * git) - under each allocator: glibc (no preload), then jemalloc,
 * mimalloc, tcmalloc and libmmkit-malloc.so (default and
 * MMKIT_MALLOC=hardened) through LD_PRELOAD.
 *
 * Runs are interleaved: in each round every allocator runs every workload
 * once, a workload's runs back to back in an order that rotates from round
 * to round. A run's figures are the child's CPU time (user + sys), from
 * wait4 (on a noisy machine CPU time is steadier than wall time), and
 * its peak RSS. Each run goes through rsswrap (a small static program
 * that forks the workload and reports its figures): started directly, a
 * child's ru_maxrss would include the driver's own RSS, which Linux
 * carries across the child's execve(). The peak RSS is the workload's
 * exact VmHWM at its exit, or its ru_maxrss if larger (its descendants');
 * ru_maxrss alone, the kernel's approximate counters, gets a table of its
 * own (see rsswrap.c for why they differ). The tables give medians over
 * the rounds, mmkit's ratio to each peer and geometric means.
 *
 * Every run must exit 0 with the same output (or output file) as every
 * other run of that workload: the C workloads check each object they free
 * and print checksums. Any failure, mismatch or timeout is reported and
 * makes the driver exit 1 (after the tables).
 *
 * Usage: malloc_bench --bindir DIR --mmkit SO [--src DIR] [--rounds N]
 *                     [--scale X] [--only w1,w2] [--timeout SEC]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_ROUNDS 50
#define MAX_ARGS 16
#define MAX_ENV 4
#define LIBDIR "/usr/lib/x86_64-linux-gnu/"

struct allocator {
	const char *name;
	const char *preload; /* NULL: the C library's own malloc */
	const char *mode; /* MMKIT_MALLOC, or NULL */
	bool present;
};

enum { GLIBC, JEMALLOC, MIMALLOC, TCMALLOC, MMKIT, HARDENED, NR_ALLOC };
#define NR_PEERS MMKIT /* the allocators mmkit is compared with */

static struct allocator allocs[NR_ALLOC] = {
	[GLIBC] = { "glibc", NULL, NULL, true },
	[JEMALLOC] = { "jemalloc", LIBDIR "libjemalloc.so.2", NULL, false },
	[MIMALLOC] = { "mimalloc", LIBDIR "libmimalloc.so.2", NULL, false },
	[TCMALLOC] = { "tcmalloc", LIBDIR "libtcmalloc_minimal.so.4", NULL,
		       false },
	[MMKIT] = { "mmkit", NULL, NULL, false },
	[HARDENED] = { "mmkit-hardened", NULL, "hardened", false },
};

struct workload {
	const char *name;
	const char *desc;
	bool program; /* a real program rather than one of ours */
	bool present;
	char *argv[MAX_ARGS];
	const char *env[MAX_ENV];
	char *in; /* standard input, or NULL for /dev/null */
	char *result; /* the file whose contents are checked; NULL: stdout */
	/* what the first good run produced */
	bool have_ref;
	uint64_t ref_hash;
	size_t ref_len;
	const char *ref_alloc;
	/* figures, per allocator and round; cpu < 0 for a failed run */
	double cpu[NR_ALLOC][MAX_ROUNDS];
	double rss[NR_ALLOC][MAX_ROUNDS];
	double rss_ru[NR_ALLOC][MAX_ROUNDS]; /* ru_maxrss alone */
};

#define NR_WL 12
static struct workload wls[NR_WL];
static int nr_wl;

static int rounds = 5;
static double scale = 1.0;
static int timeout_s = 180;
static char tmpdir[256];
static char out_path[300], err_path[300], rss_path[300];
static char *rsswrap; /* bindir/rsswrap: see bench/malloc/rsswrap.c */
static int failures;
static char *failed[64]; /* "workload under allocator: why", for the end */
static int failed_times[64], nr_failed;
static volatile sig_atomic_t alarmed;

/* ---- small helpers ---- */

__attribute__((format(printf, 1, 2), noreturn)) static void die(const char *fmt,
								...)
{
	va_list ap;

	fputs("malloc_bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		die("out of memory");
	return p;
}

__attribute__((format(printf, 1, 2))) static char *xasprintf(const char *fmt,
							     ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("out of memory");
	return p;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_file(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The full path of @prog found in PATH, or NULL. */
static char *which(const char *prog)
{
	const char *path = getenv("PATH");
	char *dirs, *d, *save = NULL, *res = NULL;

	if (!path)
		return NULL;
	dirs = xstrdup(path);
	for (d = strtok_r(dirs, ":", &save); d && !res;
	     d = strtok_r(NULL, ":", &save)) {
		char *p = xasprintf("%s/%s", *d ? d : ".", prog);

		if (access(p, X_OK) == 0 && is_file(p))
			res = p;
		else
			free(p);
	}
	free(dirs);
	return res;
}

/* The first line @cmd prints (run by the shell, without any preload). */
static char *first_line(const char *cmd)
{
	char buf[4096];
	FILE *f = popen(cmd, "r");
	char *res = NULL;

	if (!f)
		return NULL;
	if (fgets(buf, sizeof buf, f)) {
		buf[strcspn(buf, "\n")] = 0;
		if (buf[0])
			res = xstrdup(buf);
	}
	if (pclose(f) != 0) {
		free(res);
		res = NULL;
	}
	return res;
}

/* FNV-1a over the contents of @path; its length in *@len. */
static bool hash_file(const char *path, uint64_t *hash, size_t *len)
{
	unsigned char buf[65536];
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t n, i, total = 0;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
		for (i = 0; i < n; i++)
			h = (h ^ buf[i]) * 0x100000001b3ULL;
		total += n;
	}
	fclose(f);
	*hash = h;
	*len = total;
	return true;
}

/* Print the last lines (at most ~1 KiB) of @path to stderr, indented. */
static void show_tail(const char *path)
{
	char buf[1025];
	FILE *f = fopen(path, "rb");
	long size;
	size_t n;

	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > 1024 ? size - 1024 : 0, SEEK_SET);
	n = fread(buf, 1, 1024, f);
	buf[n] = 0;
	fclose(f);
	if (n)
		fprintf(stderr, "    | %s%s", buf,
			buf[n - 1] == '\n' ? "" : "\n");
}

/* ---- the generated inputs of the real programs ---- */

static FILE *create(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		die("cannot create %s: %s", path, strerror(errno));
	return f;
}

static void close_file(FILE *f, const char *path)
{
	if (ferror(f) | fclose(f))
		die("cannot write %s", path);
}

/* An SQL script: a table filled by 20,000 INSERTs, indexes, grouping,
 * joins, sorting of long strings, updates and deletes, on :memory:. */
static void gen_sql(const char *path)
{
	FILE *f = create(path);
	uint64_t x = 0x5eed0005;
	long n = (long)(20000 * scale), i, j;

	if (n < 100)
		n = 100;
	fprintf(f, "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, "
		   "grp INTEGER, val REAL, note TEXT);\n"
		   "CREATE TABLE kv(k TEXT PRIMARY KEY, v TEXT);\nBEGIN;\n");
	for (i = 1; i <= n; i++) {
		int len;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		len = (int)(x % 120);
		fprintf(f,
			"INSERT INTO t VALUES(%ld,'name-%016" PRIx64 "',%d,"
			"%d.%03d,'",
			i, (uint64_t)(x * 0x9e3779b97f4a7c15ULL),
			(int)(x >> 40) % 97, (int)(x >> 20) % 100000,
			(int)(x >> 8) % 1000);
		for (j = 0; j < len; j++)
			fputc('a' + (int)((x >> (j % 50)) % 26), f);
		fputs("');\n", f);
	}
	fprintf(f,
		"COMMIT;\n"
		"CREATE INDEX t_grp ON t(grp, val);\n"
		"CREATE INDEX t_name ON t(name);\n"
		"SELECT grp, count(*), printf('%%.3f', sum(val)), "
		"sum(length(note)) FROM t GROUP BY grp ORDER BY grp;\n"
		"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM "
		"c WHERE x < %ld) INSERT INTO kv SELECT printf('k%%08d', "
		"x * 7919 %% %ld), hex(x * x) || substr(hex(x * 31), 1, x %% "
		"40) FROM c;\n"
		"SELECT count(*), sum(length(v)), min(k), max(k) FROM kv;\n"
		"UPDATE t SET note = note || name || note WHERE id %% 3 = 0;\n"
		"DELETE FROM t WHERE grp %% 7 = 0;\n"
		"SELECT count(*), sum(length(note)), min(name), max(name) FROM "
		"t;\n"
		"SELECT a.grp, count(*) FROM t a JOIN t b ON a.grp = b.grp AND "
		"a.id = b.id + 1 GROUP BY a.grp ORDER BY 2 DESC, 1 LIMIT 5;\n"
		"SELECT name, length(note) FROM t ORDER BY note, name LIMIT 5 "
		"OFFSET 100;\n"
		"SELECT grp, length(group_concat(name, ',')) FROM (SELECT * "
		"FROM t ORDER BY name) GROUP BY grp ORDER BY grp LIMIT 5;\n"
		"SELECT count(DISTINCT substr(note, 1, 3)) FROM t;\n"
		"DELETE FROM kv WHERE k > 'k0001';\n"
		"SELECT count(*) FROM kv;\n",
		n, n);
	close_file(f, path);
}

/* A C file of many functions and structures for gcc -O2 -S. */
static void gen_c(const char *path)
{
	FILE *f = create(path);
	long n = (long)(150 * scale), i;

	if (n < 10)
		n = 10;
	fprintf(f, "/* generated by malloc_bench */\n"
		   "#include <string.h>\n#include <stdio.h>\n"
		   "static int g0(int n) { return n * 3 + 1; }\n");
	for (i = 1; i <= n; i++) {
		long len = 4 + i % 60;

		fprintf(f,
			"struct s%ld { int a; long b; char c[%ld]; double d; "
			"struct s%ld *next; };\n",
			i, len, i);
		fprintf(f,
			"static const int tab%ld[] = { %ld, %ld, %ld, %ld, "
			"%ld, %ld, %ld, %ld };\n",
			i, i, i * 3, i + 7, i ^ 5, i * i % 101, i % 13, 2 * i,
			i);
		fprintf(f,
			"static int g%ld(int n)\n{\n"
			"\tstruct s%ld v, w;\n\tint acc = g%ld(n - 1), i;\n\n"
			"\tmemset(&v, %ld, sizeof v);\n\tw = v;\n"
			"\tw.next = &v;\n",
			i, i, i - 1, i % 256);
		fprintf(f,
			"\tfor (i = 0; i < n; i++) {\n"
			"\t\tswitch ((i + acc) & 7) {\n"
			"\t\tcase 0: acc += v.a * i; break;\n"
			"\t\tcase 1: acc ^= (int)(w.b >> (i & 15)); break;\n"
			"\t\tcase 2: acc -= tab%ld[i & 7]; break;\n"
			"\t\tcase 3: acc += w.next->c[i %% %ld]; break;\n"
			"\t\tcase 4: acc = acc * %ld + 1; break;\n"
			"\t\tcase 5: v.d += acc * 0.5; acc += (int)v.d; "
			"break;\n"
			"\t\tdefault: acc += i * %ld; break;\n\t\t}\n",
			i, len, i % 17 + 2, i % 11);
		fprintf(f,
			"\t\tif (w.c[i %% %ld] > %ld)\n"
			"\t\t\tacc ^= (int)w.d + tab%ld[(acc >> 3) & 7];\n"
			"\t}\n"
			"\tif (acc %% %ld == 0)\n"
			"\t\tsnprintf(w.c, sizeof w.c, \"%%d-%ld\", acc);\n"
			"\treturn acc + w.c[1] + g%ld(n / 2);\n}\n",
			len, i % 100, i, i % 9 + 2, i, i / 2);
	}
	fprintf(f, "int main(void)\n{\n\tint s = 0;\n");
	for (i = 1; i <= n; i += 7)
		fprintf(f, "\ts += g%ld(%ld);\n", i, i % 50);
	fprintf(f, "\tprintf(\"%%d\\n\", s);\n\treturn 0;\n}\n");
	close_file(f, path);
}

/* ---- the workload table ---- */

static struct workload *add(const char *name, const char *desc, bool program)
{
	struct workload *w;

	if (nr_wl == NR_WL)
		die("too many workloads");
	w = &wls[nr_wl++];
	w->name = name;
	w->desc = desc;
	w->program = program;
	w->present = true;
	return w;
}

static void set_args(struct workload *w, const char *first, ...)
{
	const char *a;
	va_list ap;
	int i = 0;

	va_start(ap, first);
	for (a = first; a; a = va_arg(ap, const char *)) {
		if (i == MAX_ARGS - 1)
			die("too many arguments for %s", w->name);
		w->argv[i++] = xstrdup(a);
	}
	va_end(ap);
	w->argv[i] = NULL;
}

static void setup_workloads(const char *bindir, const char *src,
			    const char *only)
{
	static const struct {
		const char *name, *desc;
	} ours[] = {
		{ "churn", "1 thread, 20,000 live objects of 8..512 B, "
			   "random replacement" },
		{ "larson", "2 threads x 8 epochs, 4,000 live each, batches "
			    "handed across" },
		{ "prodcons", "1 thread mallocs, the other frees, 128 per "
			      "batch" },
		{ "falseshare", "2 threads writing 8 B objects (active and "
				"passive false sharing)" },
		{ "realloc", "strings +16 B to 8 KiB, arrays doubling to 2 "
			     "MiB" },
		{ "large", "64 KiB..8 MiB buffers, every page touched" },
		{ "frag", "800,000 small objects, 90% freed, then a larger "
			  "mix (and back)" },
		{ "spawn", "300 short-lived processes, one after another, "
			   "each sorting 200 strings" },
	};
	char scale_s[32], *p, *tool, *sha;
	struct workload *w;
	size_t i;

	snprintf(scale_s, sizeof scale_s, "%g", scale);
	for (i = 0; i < sizeof ours / sizeof ours[0]; i++) {
		w = add(ours[i].name, ours[i].desc, false);
		p = xasprintf("%s/%s", bindir, ours[i].name);
		if (!is_file(p))
			die("%s not built", p);
		set_args(w, p, scale_s, (char *)NULL);
		free(p);
	}

	/* python3: the interpreter itself, not a wrapper such as pyenv's. */
	w = add("python3", "dict/list heavy script, PYTHONMALLOC=malloc", true);
	tool = first_line("python3 -c 'import sys; print(sys.executable)' "
			  "2>/dev/null");
	p = xasprintf("%s/dictlist.py", src);
	if (tool && is_file(p)) {
		set_args(w, tool, p, scale_s, (char *)NULL);
		w->env[0] = "PYTHONMALLOC=malloc";
		w->env[1] = "PYTHONHASHSEED=0";
	} else {
		w->present = false;
	}
	free(tool);
	free(p);

	w = add("sqlite3",
		"20,000 INSERTs, indexes, joins, sorts on :memory:", true);
	tool = which("sqlite3");
	if (tool) {
		w->in = xasprintf("%s/workload.sql", tmpdir);
		gen_sql(w->in);
		set_args(w, tool, "-batch", "-bail", ":memory:", (char *)NULL);
	} else {
		w->present = false;
	}
	free(tool);

	w = add("gcc", "gcc -O2 -S of a generated 150-function C file", true);
	tool = which("gcc");
	if (tool) {
		char *c = xasprintf("%s/gen.c", tmpdir);

		gen_c(c);
		w->result = xasprintf("%s/gen.s", tmpdir);
		set_args(w, tool, "-O2", "-S", c, "-o", w->result,
			 (char *)NULL);
		free(c);
	} else {
		w->present = false;
	}
	free(tool);

	/* git: the log with patches of this repository, up to a fixed
	 * commit (so that a commit made meanwhile does not change it). */
	w = add("git", "git log -p --stat of this repository", true);
	tool = which("git");
	sha = tool ? first_line("git rev-parse --verify -q HEAD 2>/dev/null") :
		     NULL;
	if (tool && sha)
		set_args(w, tool, "--no-pager", "log", "-p", "--stat",
			 "--no-color", "--no-ext-diff", sha, (char *)NULL);
	else
		w->present = false;
	free(tool);
	free(sha);

	for (i = 0; i < (size_t)nr_wl; i++) {
		if (!wls[i].present)
			printf("malloc_bench: note: %s not found; %s skipped\n",
			       wls[i].program ? "the program" : "the binary",
			       wls[i].name);
		if (only) {
			char *list = xasprintf(",%s,", only);
			char *key = xasprintf(",%s,", wls[i].name);

			if (!strstr(list, key))
				wls[i].present = false;
			free(list);
			free(key);
		}
	}
}

/* Note failure @m (a malloc'd string) for the summary, counting repeats. */
static void record_failure(char *m)
{
	int f;

	for (f = 0; f < nr_failed && strcmp(failed[f], m); f++)
		;
	if (f == nr_failed && nr_failed < 64)
		failed[nr_failed++] = m;
	else
		free(m);
	if (f < nr_failed)
		failed_times[f]++;
}

/* ---- running one workload under one allocator ---- */

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static bool dropped_var(const char *e)
{
	static const char *const drop[] = {
		"LD_PRELOAD=",	 "MMKIT_MALLOC=", "MMKIT_MALLOC_STATS=",
		"PYTHONMALLOC=", "MALLOC_CONF=",  "MIMALLOC_",
		"TCMALLOC_",	 "GIT_PAGER=",	  "PAGER="
	};
	size_t i;

	for (i = 0; i < sizeof drop / sizeof drop[0]; i++)
		if (!strncmp(e, drop[i], strlen(drop[i])))
			return true;
	return false;
}

/* The environment of a run: ours, without any allocator settings, plus
 * the workload's and the allocator's. Freed by the caller (the array). */
static char **make_env(const struct workload *w, const struct allocator *a)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + MAX_ENV + 4, sizeof *env);
	if (!env)
		die("out of memory");
	for (i = 0; i < n; i++)
		if (!dropped_var(environ[i]))
			env[k++] = environ[i];
	for (i = 0; i < MAX_ENV && w->env[i]; i++)
		env[k++] = (char *)w->env[i];
	if (a->preload)
		env[k++] = xasprintf("LD_PRELOAD=%s", a->preload);
	if (a->mode)
		env[k++] = xasprintf("MMKIT_MALLOC=%s", a->mode);
	env[k] = NULL;
	return env;
}

/*
 * Run @w under @a; its CPU seconds in *@cpu, peak RSS in MiB in *@rss and
 * ru_maxrss in MiB in *@rss_ru. Returns false (after a report) if it
 * failed.
 */
static bool run_one(struct workload *w, const struct allocator *a, double *cpu,
		    double *rss, double *rss_ru)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct rusage ru;
	char **env = make_env(w, a), **argv;
	long long peak, ut, st, maxrss;
	size_t argc;
	FILE *f;
	const char *result = w->result ? w->result : out_path;
	char why[512] = "";
	uint64_t hash;
	size_t len, i;
	int status = 0, rc;
	pid_t pid, got;

	if (w->result)
		unlink(w->result);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, w->in ? w->in : "/dev/null",
					 O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err_path,
					 O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	for (argc = 0; w->argv[argc]; argc++)
		;
	argv = calloc(argc + 3, sizeof *argv);
	if (!argv)
		die("out of memory");
	argv[0] = rsswrap;
	argv[1] = rss_path;
	memcpy(argv + 2, w->argv, (argc + 1) * sizeof *argv);
	unlink(rss_path);
	rc = posix_spawn(&pid, rsswrap, &fa, &attr, argv, env);
	free(argv);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	for (i = 0; env[i]; i++)
		if (!strncmp(env[i], "LD_PRELOAD=", 11) ||
		    !strncmp(env[i], "MMKIT_MALLOC=", 13))
			free(env[i]);
	free(env);
	if (rc)
		die("cannot run %s: %s", w->argv[0], strerror(rc));

	alarmed = 0;
	alarm((unsigned int)timeout_s);
	for (;;) {
		got = wait4(pid, &status, 0, &ru);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR)
			die("wait4: %s", strerror(errno));
		if (alarmed) {
			kill(-pid, SIGKILL);
			alarmed = 0;
			snprintf(why, sizeof why, "timed out after %d s",
				 timeout_s);
		}
	}
	alarm(0);
	kill(-pid, SIGKILL); /* anything it left behind */

	/* The workload's own figures, from rsswrap; the wrapper's (its
	 * figures and the workload's) if it was killed before it wrote
	 * them. */
	*cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
	*rss = *rss_ru = (double)ru.ru_maxrss / 1024.0;
	f = fopen(rss_path, "r");
	if (f) {
		if (fscanf(f, "%lld %lld %lld %lld", &peak, &ut, &st,
			   &maxrss) == 4) {
			*cpu = (double)(ut + st) / 1e6;
			*rss = (double)peak / 1024.0;
			*rss_ru = (double)maxrss / 1024.0;
		}
		fclose(f);
	}

	if (why[0])
		;
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof why, "killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status))
		snprintf(why, sizeof why, "exit status %d",
			 WEXITSTATUS(status));
	else if (!hash_file(result, &hash, &len))
		snprintf(why, sizeof why, "no output file %s", result);
	else if (!w->program && !len)
		snprintf(why, sizeof why, "printed nothing");
	else if (!w->have_ref) {
		w->have_ref = true;
		w->ref_hash = hash;
		w->ref_len = len;
		w->ref_alloc = a->name;
	} else if (hash != w->ref_hash || len != w->ref_len)
		snprintf(why, sizeof why,
			 "output differs from the %s run's (%zu vs %zu bytes)",
			 w->ref_alloc, len, w->ref_len);
	if (!why[0])
		return true;

	record_failure(xasprintf("%s under %s: %s", w->name, a->name, why));
	failures++;
	fprintf(stderr, "malloc_bench: FAIL %s under %s: %s\n", w->name,
		a->name, why);
	fprintf(stderr, "    command:%s%s%s%s",
		a->preload ? " LD_PRELOAD=" : "", a->preload ? a->preload : "",
		a->mode ? " MMKIT_MALLOC=" : "", a->mode ? a->mode : "");
	for (i = 0; i < MAX_ENV && w->env[i]; i++)
		fprintf(stderr, " %s", w->env[i]);
	for (i = 0; w->argv[i]; i++)
		fprintf(stderr, " %s", w->argv[i]);
	fprintf(stderr, "%s%s\n", w->in ? " < " : "", w->in ? w->in : "");
	show_tail(err_path);
	if (!w->program)
		show_tail(out_path);
	return false;
}

/* ---- figures ---- */

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

/* The median of the good runs (cpu >= 0) of @w under allocator @a, of
 * its CPU time (@what 0), peak RSS (1) or ru_maxrss (2); NAN if none was
 * good. */
static double med(const struct workload *w, int a, int what)
{
	double v[MAX_ROUNDS];
	int r, n = 0;

	for (r = 0; r < rounds; r++)
		if (w->cpu[a][r] >= 0)
			v[n++] = what == 2 ? w->rss_ru[a][r] :
				 what	   ? w->rss[a][r] :
					     w->cpu[a][r];
	if (!n)
		return NAN;
	qsort(v, (size_t)n, sizeof v[0], cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* (max - min) / median of the CPU times of @w under @a. */
static double spread(const struct workload *w, int a)
{
	double lo = INFINITY, hi = 0, m = med(w, a, 0);
	int r;

	for (r = 0; r < rounds; r++) {
		if (w->cpu[a][r] < 0)
			continue;
		lo = fmin(lo, w->cpu[a][r]);
		hi = fmax(hi, w->cpu[a][r]);
	}
	return m > 0 ? (hi - lo) / m : NAN;
}

/* The allocators a table compares: the main tables, the hardened one. */
#define MAIN_SET ((1u << (MMKIT + 1)) - 1)
#define HARDENED_SET (1u << MMKIT | 1u << MIMALLOC | 1u << HARDENED)
static unsigned int table_set = MAIN_SET;

/* Whether every allocator of the current table that is present ran @w
 * well. */
static bool all_good(const struct workload *w)
{
	int b;

	if (!w->present)
		return false;
	for (b = 0; b < NR_ALLOC; b++)
		if ((table_set >> b & 1) && allocs[b].present &&
		    !(med(w, b, 0) > 0 && med(w, b, 1) > 0))
			return false;
	return true;
}

/* The geometric mean of @what over the workloads of kind @kind (0 ours,
 * 1 programs, 2 all) that every allocator of the table ran well. */
static double geo(int a, int what, int kind, int *count)
{
	double sum = 0;
	int i, n = 0;

	for (i = 0; i < nr_wl; i++) {
		const struct workload *w = &wls[i];

		if (kind != 2 && w->program != (kind == 1))
			continue;
		if (!all_good(w))
			continue;
		sum += log(med(w, a, what));
		n++;
	}
	*count = n;
	return n ? exp(sum / n) : NAN;
}

/* Say which shown workloads the geometric means leave out. */
static void geo_note(void)
{
	int i, n = 0;

	for (i = 0; i < nr_wl; i++)
		if (wls[i].present && !all_good(&wls[i]))
			printf("%s%s",
			       n++ ? ", " :
				     "\nThe geometric means "
				     "leave out (a failed run): ",
			       wls[i].name);
	if (n)
		printf(".\n");
}

#define COLW 10 /* the width of a column of figures */

/* One cell of a table: @v with @prec decimals (and an x if @x), or "-"
 * if it is not known. */
static void cell(double v, int prec, bool x)
{
	char buf[32];

	if (isnan(v))
		snprintf(buf, sizeof buf, "-");
	else
		snprintf(buf, sizeof buf, "%.*f%s", prec, v, x ? "x" : "");
	printf(" %*s |", COLW, buf);
}

static void ratio(double x, double y)
{
	cell(isnan(x) || isnan(y) || y <= 0 ? NAN : x / y, 2, true);
}

static void head(const char *s)
{
	printf(" %*s |", COLW, s);
}

static void rule(int cols)
{
	int i;

	printf("|------------|");
	for (i = 0; i < cols; i++)
		printf("%.*s|", COLW + 2, "------------------------------");
	printf("\n");
}

static const char *const kind_name[] = { "geo, ours", "geo, progs",
					 "geo, all" };

/* The value of row @i (a workload, then the geometric means) for @a. */
static double row_value(int i, int a, int what)
{
	int n;

	if (!allocs[a].present)
		return NAN;
	return i < nr_wl ? med(&wls[i], a, what) : geo(a, what, i - nr_wl, &n);
}

static bool row_shown(int i)
{
	int n;

	if (i < nr_wl)
		return wls[i].present;
	geo(GLIBC, 0, i - nr_wl, &n);
	return n > 0;
}

static void row_name(int i)
{
	printf("| %-10s |", i < nr_wl ? wls[i].name : kind_name[i - nr_wl]);
}

/* The table of CPU time (@what 0), peak RSS (1) or ru_maxrss (2): mmkit
 * and its peers. */
static void table(int what)
{
	static const char *const title[] = {
		"CPU time (s, user + sys), median of the rounds:",
		"Peak RSS (MiB, the workload's VmHWM at exit or its "
		"descendants' ru_maxrss),\nmedian of the rounds:",
		"Peak RSS by ru_maxrss alone (MiB; the kernel's per-CPU "
		"counters, up to\n31 pages per CPU off), median of the rounds:",
	};
	int prec = what ? 1 : 3;
	char name[32];
	int i, a, cols = 0;

	table_set = MAIN_SET;
	printf("\n%s\n\n| workload   |", title[what]);
	for (a = 0; a <= MMKIT; a++)
		if (allocs[a].present) {
			head(allocs[a].name);
			cols++;
		}
	for (a = 0; a < NR_PEERS; a++)
		if (allocs[a].present) {
			snprintf(name, sizeof name, "/%s", allocs[a].name);
			head(name);
			cols++;
		}
	printf("\n");
	rule(cols);
	for (i = 0; i < nr_wl + 3; i++) {
		if (!row_shown(i))
			continue;
		if (i == nr_wl)
			rule(cols);
		row_name(i);
		for (a = 0; a <= MMKIT; a++)
			if (allocs[a].present)
				cell(row_value(i, a, what), prec, false);
		for (a = 0; a < NR_PEERS; a++)
			if (allocs[a].present)
				ratio(row_value(i, MMKIT, what),
				      row_value(i, a, what));
		printf("\n");
	}
	geo_note();
}

/* mmkit hardened against mmkit default and mimalloc. */
static void hardened_table(void)
{
	int i, what;

	table_set = HARDENED_SET;
	printf("\nmmkit hardened (MMKIT_MALLOC=hardened), medians:\n\n"
	       "| workload   |");
	for (what = 0; what < 2; what++) {
		head(what ? "RSS MiB" : "CPU s");
		head("/mmkit");
		head("/mimalloc");
	}
	printf("\n");
	rule(6);
	for (i = 0; i < nr_wl + 3; i++) {
		if (!row_shown(i))
			continue;
		if (i == nr_wl)
			rule(6);
		row_name(i);
		for (what = 0; what < 2; what++) {
			double h = row_value(i, HARDENED, what);

			cell(h, what ? 1 : 3, false);
			ratio(h, row_value(i, MMKIT, what));
			ratio(h, row_value(i, MIMALLOC, what));
		}
		printf("\n");
	}
	geo_note();
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr,
		"usage: malloc_bench --bindir DIR --mmkit LIBMMKIT-MALLOC.SO "
		"[--src DIR] [--rounds N]\n"
		"                    [--scale X] [--only w1,w2,...] "
		"[--timeout SEC]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	const char *bindir = NULL, *mmkit = NULL, *src = "bench/malloc";
	const char *only = NULL;
	struct sigaction sa;
	double t0, sp[NR_ALLOC * NR_WL];
	int i, a, r, k, nsp = 0;

	for (i = 1; i < argc; i += 2) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v)
			usage();
		if (!strcmp(argv[i], "--bindir"))
			bindir = v;
		else if (!strcmp(argv[i], "--mmkit"))
			mmkit = v;
		else if (!strcmp(argv[i], "--src"))
			src = v;
		else if (!strcmp(argv[i], "--rounds"))
			rounds = atoi(v);
		else if (!strcmp(argv[i], "--scale"))
			scale = atof(v);
		else if (!strcmp(argv[i], "--only"))
			only = *v ? v : NULL;
		else if (!strcmp(argv[i], "--timeout"))
			timeout_s = atoi(v);
		else
			usage();
	}
	if (!bindir || !mmkit || rounds < 1 || rounds > MAX_ROUNDS ||
	    !(scale > 0) || timeout_s < 1)
		usage();
	if (!is_file(mmkit))
		die("%s not built", mmkit);
	allocs[MMKIT].preload = allocs[HARDENED].preload =
		realpath(mmkit, NULL);
	if (!allocs[MMKIT].preload)
		die("%s: %s", mmkit, strerror(errno));
	allocs[MMKIT].present = allocs[HARDENED].present = true;
	if (!is_file(allocs[TCMALLOC].preload))
		allocs[TCMALLOC].preload = LIBDIR "libtcmalloc.so.4";
	for (a = JEMALLOC; a <= TCMALLOC; a++) {
		allocs[a].present = is_file(allocs[a].preload);
		if (!allocs[a].present)
			printf("malloc_bench: note: %s not found; %s skipped "
			       "(make deps-bench installs it)\n",
			       allocs[a].preload, allocs[a].name);
	}

	snprintf(tmpdir, sizeof tmpdir, "%s/malloc_bench.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir))
		die("mkdtemp: %s", strerror(errno));
	snprintf(out_path, sizeof out_path, "%s/stdout", tmpdir);
	snprintf(err_path, sizeof err_path, "%s/stderr", tmpdir);
	snprintf(rss_path, sizeof rss_path, "%s/rusage", tmpdir);
	rsswrap = xasprintf("%s/rsswrap", bindir);
	if (!is_file(rsswrap))
		die("%s not built", rsswrap);
	setup_workloads(bindir, src, only);

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_alarm; /* no SA_RESTART: wait4 returns EINTR */
	sigaction(SIGALRM, &sa, NULL);

	printf("malloc_bench: %d rounds, scale %g; allocators:", rounds, scale);
	for (a = 0; a < NR_ALLOC; a++)
		if (allocs[a].present)
			printf(" %s", allocs[a].name);
	printf("\n");
	for (i = 0; i < nr_wl; i++)
		if (wls[i].present)
			printf("  %-10s %s\n", wls[i].name, wls[i].desc);
	fflush(stdout);

	t0 = now_s();
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nr_wl; i++) {
			struct workload *w = &wls[i];

			if (!w->present)
				continue;
			for (k = 0; k < NR_ALLOC; k++) {
				a = (k + r + i) % NR_ALLOC;
				w->cpu[a][r] = -1;
				if (!allocs[a].present)
					continue;
				if (!run_one(w, &allocs[a], &w->cpu[a][r],
					     &w->rss[a][r], &w->rss_ru[a][r]))
					w->cpu[a][r] = -1;
			}
		}
		fprintf(stderr, "malloc_bench: round %d/%d done, %.0f s\n",
			r + 1, rounds, now_s() - t0);
	}

	table(0);
	table(1);
	table(2);
	hardened_table();

	for (i = 0; i < nr_wl; i++)
		for (a = 0; a < NR_ALLOC; a++)
			if (wls[i].present && allocs[a].present &&
			    !isnan(spread(&wls[i], a)))
				sp[nsp++] = spread(&wls[i], a);
	if (nsp) {
		qsort(sp, (size_t)nsp, sizeof sp[0], cmp_double);
		printf("\nNoise: (max - min) / median of a cell's CPU times: "
		       "median %.0f%%, worst %.0f%%.\n",
		       100 * sp[nsp / 2], 100 * sp[nsp - 1]);
	}
	printf("Total time %.0f s. /peer columns: mmkit's figure divided by "
	       "the peer's (below 1.00x favours mmkit).\n",
	       now_s() - t0);

	unlink(out_path);
	unlink(err_path);
	unlink(rss_path);
	for (i = 0; i < nr_wl; i++) {
		if (wls[i].in)
			unlink(wls[i].in);
		if (wls[i].result)
			unlink(wls[i].result);
	}
	{
		char *c = xasprintf("%s/gen.c", tmpdir);

		unlink(c);
		free(c);
	}
	rmdir(tmpdir);
	if (failures) {
		printf("malloc_bench: %d run%s FAILED:\n", failures,
		       failures == 1 ? "" : "s");
		for (i = 0; i < nr_failed; i++)
			printf("  %s (%d time%s)\n", failed[i], failed_times[i],
			       failed_times[i] == 1 ? "" : "s");
		return 1;
	}
	printf("malloc_bench: every run passed its checks\n");
	return 0;
}
