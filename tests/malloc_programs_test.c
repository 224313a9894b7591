/* SPDX-License-Identifier: MIT */
/*
 * libmmkit-malloc.so under real programs: each runs on generated input
 * without the library, then with it preloaded in the default and in the
 * hardened mode (MMKIT_MALLOC=hardened), and the outputs must be equal.
 *
 * - python3: a dict-, list- and string-heavy script printing a checksum;
 * - sqlite3: a table of 20,000 inserted rows, an index, aggregates,
 *   updates, deletes, VACUUM and an integrity check;
 * - gcc: a generated C file of about 5,000 lines compiled with -O2 (the
 *   preload reaches cc1, as and ld); the object files must be identical
 *   and the linked program (run without the library) prints the same;
 * - git: fifteen commits of generated files in a new repository with
 *   fixed identities and dates, git log --stat, gc, fsck;
 * - threads_prog (tests/malloc/threads_prog.c, compiled here): 8 threads
 *   with trees, realloc-grown strings and cross-thread frees; and the same
 *   program linked with the library (-l:libmmkit-malloc.so) instead of
 *   preloaded;
 * - perl: hashes of arrays, sorts of records, regular expressions and
 *   string building, with fixed hash seeds, printing a checksum (perl-base
 *   only, as a minimal Debian has it);
 * - xz: six MiB of generated text compressed in 1 MiB blocks by two
 *   threads and decompressed by two; the .xz file must be the same in
 *   every mode and must give back the input;
 * - a C++ program (tests/malloc/cxx_prog.cpp, compiled here with g++):
 *   every operator new/delete form (sized, array, aligned, nothrow, a
 *   request that must throw std::bad_alloc), containers, exceptions and
 *   four threads deleting each other's nodes.
 *
 * A program that is not installed is skipped; so is everything when the
 * library cannot be preloaded (see tests/malloc/run.h).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/malloc/run.h"

static char *tmpdir;

static const char *const modes[] = { NULL, "default", "hardened" };
#define NR_MODES 3

static int group_setup(void **state)
{
	(void)state;
	tmpdir = run_mkdtemp();
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	run_rmtree(tmpdir);
	free(tmpdir);
	return 0;
}

/* Skips the test unless the library preloads and @prog is installed. */
static void need(const char *prog)
{
	const char *why = run_preload_problem();

	if (why) {
		print_message("skipped: %s\n", why);
		skip();
	}
	if (prog && !run_have(prog)) {
		print_message("skipped: %s is not installed\n", prog);
		skip();
	}
}

static char *path_in(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *p = malloc(len);

	assert_non_null(p);
	snprintf(p, len, "%s/%s", dir, name);
	return p;
}

static FILE *create(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		fail_msg("cannot create %s", path);
	return f;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;

	if (!f)
		fail_msg("cannot read %s", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = malloc((size_t)size + 1);
	assert_non_null(buf);
	*len = fread(buf, 1, (size_t)size, f);
	buf[*len] = 0;
	fclose(f);
	return buf;
}

/* The library's first complaint in @err (not its statistics), or NULL. */
static const char *lib_error(const char *err)
{
	const char *p = err;

	while ((p = strstr(p, "mmkit-malloc: ")) != NULL) {
		if (strncmp(p + 14, "/proc/", 6) != 0 &&
		    strncmp(p + 14, "medium blocks: ", 15) != 0)
			return p;
		p += 14;
	}
	return NULL;
}

/* A fresh working directory for @test in @mode. */
static char *work_dir(const char *test, int mode)
{
	char name[128];
	char *dir;

	snprintf(name, sizeof name, "%s-%s", test,
		 modes[mode] ? modes[mode] : "plain");
	dir = path_in(tmpdir, name);
	if (mkdir(dir, 0700))
		fail_msg("mkdir %s: %s", dir, strerror(errno));
	return dir;
}

/*
 * Runs @argv in a working directory of its own per mode, with @env, and
 * checks that every run succeeds and prints what the plain one printed.
 * If @outfile is given, that file of the working directory must also be
 * the same. Returns the plain run's output (malloc'ed).
 */
static char *run_modes(const char *test, const char *const argv[],
		       const char *const env[], const char *in,
		       const char *outfile)
{
	struct run r[NR_MODES];
	char *file[NR_MODES] = { NULL };
	size_t flen[NR_MODES] = { 0 };
	char *plain;
	int m;

	for (m = 0; m < NR_MODES; m++) {
		const char *e[16];
		char modevar[64];
		char *dir = work_dir(test, m);
		size_t n = 0, i;

		if (modes[m]) {
			snprintf(modevar, sizeof modevar, "MMKIT_MALLOC=%s",
				 modes[m]);
			e[n++] = run_preload_env();
			e[n++] = modevar;
			/* proves that the library served the program */
			e[n++] = "MMKIT_MALLOC_STATS=1";
		}
		for (i = 0; env && env[i] && n < 15; i++)
			e[n++] = env[i];
		e[n] = NULL;
		run_prog(&r[m], argv, e, dir, in, 120);
		print_message("  %-8s %-8s %6.2f s\n", test,
			      modes[m] ? modes[m] : "plain", r[m].seconds);
		if (!run_exited(&r[m], 0))
			fail_msg("%s (%s): %s\nstderr: %s\nstdout: %s", test,
				 modes[m] ? modes[m] : "without the library",
				 run_how(&r[m]), run_head(r[m].err, 800),
				 run_head(r[m].out, 300));
		if (modes[m] && !strstr(r[m].err, "slabinfo - version: 2.1"))
			fail_msg(
				"%s (%s): the library did not run (no statistics on stderr): %s",
				test, modes[m], run_head(r[m].err, 800));
		if (lib_error(r[m].err))
			fail_msg("%s (%s): %s", test, modes[m],
				 run_head(lib_error(r[m].err), 800));
		if (outfile) {
			char *p = path_in(dir, outfile);

			file[m] = read_file(p, &flen[m]);
			free(p);
		}
		free(dir);
	}
	for (m = 1; m < NR_MODES; m++) {
		if (r[m].out_len != r[0].out_len ||
		    memcmp(r[m].out, r[0].out, r[0].out_len))
			fail_msg(
				"%s: output with the library (%s) differs:\n--- without:\n%s\n--- with:\n%s",
				test, modes[m], run_head(r[0].out, 400),
				run_head(r[m].out, 400));
		if (outfile &&
		    (flen[m] != flen[0] || memcmp(file[m], file[0], flen[0])))
			fail_msg(
				"%s: %s differs with the library (%s): %zu vs %zu bytes",
				test, outfile, modes[m], flen[m], flen[0]);
	}
	plain = r[0].out;
	r[0].out = NULL;
	for (m = 0; m < NR_MODES; m++) {
		run_free(&r[m]);
		free(file[m]);
	}
	return plain;
}

/* Writes @text to @name in the temporary directory and runs it with
 * @interp in every mode (run_modes); returns the plain run's output. */
static char *run_script(const char *test, const char *interp, const char *name,
			const char *text, const char *const env[])
{
	char *script = path_in(tmpdir, name), *out;
	const char *argv[] = { interp, script, NULL };
	FILE *f = create(script);

	fputs(text, f);
	fclose(f);
	out = run_modes(test, argv, env, NULL, NULL);
	free(script);
	return out;
}

/* ---------------- python3 ---------------- */

static const char python_script[] =
	"import hashlib, json\n"
	"from collections import Counter, OrderedDict\n"
	"h = hashlib.sha256()\n"
	"d = {}\n"
	"for i in range(200000):\n"
	"    d.setdefault('key%d' % (i * 7919 % 100003), []).append(i)\n"
	"lists = [sorted(v, reverse=True) for v in d.values()]\n"
	"for l in lists[:2000]:\n"
	"    h.update(repr(l).encode())\n"
	"h.update(json.dumps({k: d[k][:3] for k in sorted(d)[:5000]},\n"
	"                    sort_keys=True).encode())\n"
	"nested = [{'a': [j] * (j % 17), 'b': str(j) * (j % 5), 't': (j, -j)}\n"
	"          for j in range(60000)]\n"
	"h.update(repr(nested[::97]).encode())\n"
	"del nested\n"
	"words = ' '.join(str(x * x) for x in range(150000)).split()\n"
	"c = Counter(w[-2:] for w in words)\n"
	"h.update(repr(sorted(c.items())).encode())\n"
	"od = OrderedDict()\n"
	"for i in range(50000):\n"
	"    od[i % 7001] = od.get(i % 7001, '') + chr(65 + i % 26)\n"
	"    if i % 3 == 0:\n"
	"        od.move_to_end(i % 7001, last=False)\n"
	"h.update(''.join(od.values()).encode())\n"
	"ba = bytearray()\n"
	"for i in range(100000):\n"
	"    ba += b'x%d' % i\n"
	"h.update(hashlib.md5(ba).digest())\n"
	"s = set(range(0, 300000, 3)) ^ set(range(0, 300000, 5))\n"
	"h.update(str(sum(s)).encode())\n"
	"print(len(d), len(words), len(s), h.hexdigest())\n";

static void test_python(void **state)
{
	const char *py = access("/usr/bin/python3", X_OK) == 0 ?
				 "/usr/bin/python3" :
				 "python3";
	const char *env[] = { "PYTHONHASHSEED=0", "PYTHONDONTWRITEBYTECODE=1",
			      NULL };
	char *out;

	(void)state;
	need(py);
	out = run_script("python3", py, "work.py", python_script, env);
	print_message("  python3: %s", out);
	assert_non_null(strstr(out, "100003 150000"));
	free(out);
}

/* ---------------- sqlite3 ---------------- */

static void test_sqlite(void **state)
{
	char *sql;
	const char *argv[] = { "sqlite3", "-batch", "work.db", NULL };
	FILE *f;
	char *out;
	int i;

	(void)state;
	need("sqlite3");
	sql = path_in(tmpdir, "work.sql");
	f = create(sql);
	fputs("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, grp INTEGER,\n"
	      "                val REAL, data BLOB);\nBEGIN;\n",
	      f);
	for (i = 1; i <= 20000; i++)
		fprintf(f,
			"INSERT INTO t VALUES(%d, 'name-%x-%d', %d, %d.%02d, "
			"zeroblob(%d));\n",
			i, (unsigned int)i * 2654435761U, i % 1000, i % 97,
			(i * 7919) % 100000, i % 100, i % 300);
	fputs("COMMIT;\n"
	      "CREATE INDEX t_grp ON t(grp, val);\n"
	      "CREATE TABLE g AS SELECT grp, count(*) c, sum(val) s FROM t GROUP BY grp;\n"
	      "SELECT grp, c, printf('%.2f', s) FROM g ORDER BY s DESC, grp LIMIT 10;\n"
	      "SELECT count(*), sum(length(name)), max(val), sum(length(data)) FROM t;\n"
	      "SELECT t.grp, count(*) FROM t JOIN g ON t.grp = g.grp\n"
	      "  WHERE t.val > g.s / g.c GROUP BY t.grp ORDER BY t.grp LIMIT 20;\n"
	      "SELECT name FROM t WHERE grp = 42 ORDER BY val DESC, id LIMIT 5;\n"
	      "UPDATE t SET name = name || '-' || upper(name) WHERE id % 3 = 0;\n"
	      "DELETE FROM t WHERE id % 5 = 0;\n"
	      "VACUUM;\n"
	      "SELECT count(*), sum(length(name)) FROM t;\n"
	      "SELECT length(group_concat(name, ',')) FROM (SELECT name FROM t ORDER BY name);\n"
	      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 50000)\n"
	      "  SELECT sum(x), count(DISTINCT x % 977) FROM c;\n"
	      "SELECT grp, group_concat(id, ' ') FROM (SELECT grp, id FROM t WHERE grp < 3 ORDER BY id)\n"
	      "  GROUP BY grp;\n"
	      "PRAGMA integrity_check;\n",
	      f);
	fclose(f);
	out = run_modes("sqlite3", argv, NULL, sql, NULL);
	assert_non_null(strstr(out, "20000|"));
	assert_non_null(strstr(out, "\nok\n"));
	free(out);
	free(sql);
}

/* ---------------- gcc ---------------- */

#define GEN_FUNCS 130

static void gen_c(const char *path)
{
	FILE *f = create(path);
	int i, k;

	fputs("#include <stdio.h>\n#include <string.h>\n\n", f);
	for (i = 0; i < GEN_FUNCS; i++) {
		fprintf(f,
			"struct s%d {\n\tunsigned a[%d];\n\tdouble d;\n};\n\n",
			i, 4 + i % 13);
		fprintf(f, "static unsigned f%d(unsigned x)\n{\n", i);
		fprintf(f, "\tstruct s%d v;\n\tunsigned i, r = %uu;\n\n", i,
			(unsigned int)i * 2654435761U);
		fputs("\tmemset(&v, 0, sizeof v);\n", f);
		fprintf(f, "\tfor (i = 0; i < %d; i++)\n", 4 + i % 13);
		fprintf(f, "\t\tv.a[i] = x * i + %d;\n", i);
		fputs("\tswitch (x % 7) {\n", f);
		for (k = 0; k < 6; k++)
			fprintf(f,
				"\tcase %d:\n\t\tr ^= v.a[%d] * %du + (r >> %d);\n\t\tbreak;\n",
				k, k % 4, i + k + 1, (i + k) % 31 + 1);
		fprintf(f,
			"\tdefault:\n\t\tv.d = x * %d.5;\n\t\tr += (unsigned)v.d;\n\t}\n",
			i);
		fprintf(f, "\treturn r + f%d_tail(x);\n}\n\n", i);
	}
	fclose(f);
	/* Put the helpers first. */
	{
		size_t len;
		char *body = read_file(path, &len);

		f = create(path);
		for (i = 0; i < GEN_FUNCS; i++)
			fprintf(f,
				"static unsigned f%d_tail(unsigned x)\n{\n\treturn x * %du ^ (x >> %d);\n}\n",
				i, 2 * i + 1, i % 29 + 1);
		fwrite(body, 1, len, f);
		free(body);
		fputs("int main(void)\n{\n\tunsigned long long sum = 0;\n\tunsigned x;\n\n"
		      "\tfor (x = 0; x < 2000; x++) {\n",
		      f);
		for (i = 0; i < GEN_FUNCS; i++)
			fprintf(f, "\t\tsum += f%d(x);\n", i);
		fputs("\t}\n\tprintf(\"%llu\\n\", sum);\n\treturn 0;\n}\n", f);
		fclose(f);
	}
}

static void test_gcc(void **state)
{
	char *src, *obj_plain, *exe;
	const char *argv[] = { "gcc", "-O2", "-c", NULL, "-o", "gen.o", NULL };
	char *out, *ref;
	struct run r;
	size_t len, lines;

	(void)state;
	need("gcc");
	src = path_in(tmpdir, "gen.c");
	exe = path_in(tmpdir, "gen");
	argv[3] = src;
	gen_c(src);
	{
		char *text = read_file(src, &len), *c;

		for (lines = 0, c = text; (c = strchr(c, '\n')); c++)
			lines++;
		free(text);
	}
	out = run_modes("gcc", argv, NULL, NULL, "gen.o");
	free(out);
	/* Link the plain object and run it; also nm's view of it. */
	obj_plain = path_in(tmpdir, "gcc-plain/gen.o");
	{
		const char *ld[] = { "gcc", obj_plain, "-o", exe, NULL };
		const char *run_gen[] = { exe, NULL };

		run_prog(&r, ld, NULL, NULL, NULL, 120);
		if (!run_exited(&r, 0))
			fail_msg("linking gen.o: %s %s", run_how(&r),
				 run_head(r.err, 500));
		run_free(&r);
		run_prog(&r, run_gen, NULL, NULL, NULL, 60);
		assert_true(run_exited(&r, 0));
		ref = r.out;
		r.out = NULL;
		run_free(&r);
		/* The same program linked by a preloaded gcc. */
		{
			const char *env[] = { run_preload_env(),
					      "MMKIT_MALLOC=hardened", NULL };
			char *exe2 = path_in(tmpdir, "gen2");
			const char *ld2[] = { "gcc", "-O2", src,
					      "-o",  exe2,  NULL };
			const char *run_gen2[] = { exe2, NULL };

			run_prog(&r, ld2, env, NULL, NULL, 120);
			if (!run_exited(&r, 0))
				fail_msg("gcc -o gen2 (hardened): %s %s",
					 run_how(&r), run_head(r.err, 500));
			run_free(&r);
			run_prog(&r, run_gen2, NULL, NULL, NULL, 60);
			assert_true(run_exited(&r, 0));
			assert_string_equal(r.out, ref);
			run_free(&r);
			free(exe2);
		}
	}
	if (run_have("nm")) {
		const char *nm[] = { "nm", obj_plain, NULL };

		run_prog(&r, nm, NULL, NULL, NULL, 60);
		assert_true(run_exited(&r, 0));
		assert_non_null(strstr(r.out, " T main"));
		run_free(&r);
	}
	print_message("  gcc: %zu lines of C, program prints %s", lines, ref);
	free(ref);
	free(obj_plain);
	free(exe);
	free(src);
}

/* ---------------- git ---------------- */

static const char git_script[] =
	"set -e\n"
	"git -c init.defaultBranch=main init -q repo\n"
	"cd repo\n"
	"i=1\n"
	"while [ $i -le 15 ]; do\n"
	"  seq 1 $((i * 300)) | sed \"s/^/line $i /\" > \"file$i.txt\"\n"
	"  seq $i 3 5000 > common.txt\n"
	"  mkdir -p \"dir$((i % 4))\"\n"
	"  seq 1 $i > \"dir$((i % 4))/sub$i\"\n"
	"  if [ $i -gt 5 ]; then git rm -q \"file$((i - 5)).txt\"; fi\n"
	"  git add -A\n"
	"  git commit -q -m \"commit $i\"\n"
	"  i=$((i + 1))\n"
	"done\n"
	"git log --stat --format='%H %an <%ae> %ad %s'\n"
	"git gc -q\n"
	"git fsck --no-progress --strict\n"
	"git count-objects -v | grep -E '^(count|packs|garbage)'\n"
	"git rev-list --all --objects | wc -l\n"
	"git diff --stat HEAD~5 HEAD\n"
	"git show HEAD~3:common.txt | tail -n 2\n"
	"git log --format=%h -n 3 -- dir1\n";

static void test_git(void **state)
{
	char home[PATH_MAX];
	const char *env[] = { home,
			      "GIT_CONFIG_NOSYSTEM=1",
			      "GIT_CONFIG_GLOBAL=/dev/null",
			      "GIT_AUTHOR_NAME=Test Author",
			      "GIT_AUTHOR_EMAIL=author@example.com",
			      "GIT_AUTHOR_DATE=2020-01-02T03:04:05 +0000",
			      "GIT_COMMITTER_NAME=Test Committer",
			      "GIT_COMMITTER_EMAIL=committer@example.com",
			      "GIT_COMMITTER_DATE=2020-01-02T03:04:05 +0000",
			      "LC_ALL=C",
			      "TZ=UTC",
			      NULL };
	char *out;

	(void)state;
	need("git");
	snprintf(home, sizeof home, "HOME=%s", tmpdir);
	out = run_script("git", "sh", "git.sh", git_script, env);
	assert_non_null(strstr(out, "commit 15"));
	assert_non_null(strstr(out, "packs: 1"));
	free(out);
}

/* ---------------- perl ---------------- */

static const char perl_script[] =
	"use strict; use warnings;\n"
	"# perl-base only: checksums with unpack, no Digest::MD5\n"
	"my $sum = 0;\n"
	"sub add { $sum = ($sum * 33 + unpack('%32C*', $_[0]) + length $_[0])\n"
	"              % 4294967291; }\n"
	"my %h;\n"
	"for my $i (1 .. 200000) {\n"
	"  my $k = 'k' . (($i * 7919) % 50021);\n"
	"  push @{ $h{$k} }, $i;\n"
	"  $h{\"s$k\"} .= chr(65 + $i % 26) if $i % 3 == 0;\n"
	"}\n"
	"for my $k (sort keys %h) {\n"
	"  my $v = $h{$k};\n"
	"  add($k . (ref $v ? join(',', sort { $b <=> $a } @$v) : $v));\n"
	"}\n"
	"delete @h{ grep { /7$/ } keys %h };\n"
	"my @recs = map { { id => $_, tags => [ ($_) x ($_ % 9) ],\n"
	"                   name => 'r' x ($_ % 33) } } 1 .. 60000;\n"
	"my @sorted = sort { $a->{name} cmp $b->{name} || $b->{id} <=> $a->{id} } @recs;\n"
	"add(join ':', map { $_->{id} } @sorted[0 .. 999]);\n"
	"my $text = join ' ', map { $_ * $_ } 1 .. 100000;\n"
	"my %count;\n"
	"$count{$1}++ while $text =~ /(\\d\\d)\\b/g;\n"
	"add(join ',', map { \"$_=$count{$_}\" } sort keys %count);\n"
	"(my $t2 = $text) =~ s/(\\d+)/<$1>/g;\n"
	"my @parts = split /> </, $t2;\n"
	"my $str = '';\n"
	"$str .= sprintf('%x', $_) for 1 .. 100000;\n"
	"add($str);\n"
	"print scalar(keys %h), ' ', scalar(@parts), ' ', length($str), ' ',\n"
	"  $sum, \"\\n\";\n";

static void test_perl(void **state)
{
	const char *env[] = { "PERL_HASH_SEED=0", "PERL_PERTURB_KEYS=0", NULL };
	char *out;

	(void)state;
	need("perl");
	out = run_script("perl", "perl", "work.pl", perl_script, env);
	print_message("  perl: %s", out);
	assert_non_null(strstr(out, " 100000 "));
	free(out);
}

/* ---------------- xz: a threaded compressor ---------------- */

/* Six MiB of text that compresses, but not trivially: numbered lines of
 * words drawn from a small vocabulary by a fixed xorshift. */
static void gen_text(const char *path)
{
	static const char *const words[] = {
		"page", "zone", "slab",	 "order", "buddy",  "free",
		"lru",	"swap", "fault", "vma",	  "mmap",   "kswapd",
		"pcp",	"node", "folio", "rmap",  "shrink", "reclaim",
	};
	FILE *f = create(path);
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	long size = 0, line = 0;

	while (size < 6L << 20) {
		int n = fprintf(f, "%ld:", line++), w;

		for (w = 0; w < 12; w++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			n += fprintf(f, " %s%u", words[x % 18],
				     (unsigned int)(x >> 40) % 1000);
		}
		fputc('\n', f);
		size += n + 1;
	}
	fclose(f);
}

static void test_xz(void **state)
{
	char *input, *cmd;
	const char *argv[] = { "sh", "-c", NULL, NULL };
	char *out, *nl;
	unsigned int streams, blocks;
	size_t len;

	(void)state;
	need("xz");
	input = path_in(tmpdir, "text.in");
	gen_text(input);
	/* Six 1 MiB blocks over two threads, both ways; out.xz must be
	 * the same in every mode and must give back the input. */
	len = 3 * strlen(input) + 200;
	cmd = malloc(len);
	assert_non_null(cmd);
	snprintf(cmd, len,
		 "cksum < '%s' && xz -T2 --block-size=1MiB -6 -c '%s' > out.xz"
		 " && xz -T2 -dc out.xz | cksum && xz -l out.xz | tail -n 1"
		 " | tr -s ' ' | cut -d' ' -f2-3",
		 input, input);
	argv[2] = cmd;
	out = run_modes("xz", argv, NULL, NULL, "out.xz");
	print_message("  xz: %s", out);
	/* The input's cksum, then the round trip's: the same line. */
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_memory_equal(out, nl + 1, (size_t)(nl - out + 1));
	/* Then xz -l's streams and blocks: one stream of more than six
	 * blocks (the input is just over 6 MiB), so both threads worked. */
	nl = strchr(nl + 1, '\n');
	assert_non_null(nl);
	assert_int_equal(sscanf(nl + 1, "%u %u", &streams, &blocks), 2);
	assert_int_equal(streams, 1);
	assert_int_equal(blocks, 7);
	free(out);
	free(cmd);
	free(input);
}

/* ---------------- programs of our own, compiled here ---------------- */

/* Compiles @rel (with g++ if @cxx, else cc) into the temporary directory
 * and runs it in every mode (run_modes); returns the plain run's output. */
static char *run_own_program(const char *test, const char *rel, bool cxx)
{
	char *src = run_find_source(rel), *exe, *out;
	const char *argv[] = { NULL, NULL };

	if (!src)
		fail_msg("%s not found", rel);
	exe = path_in(tmpdir, test);
	if (cxx) {
		const char *cmd[] = { "g++",	  "-std=c++17", "-O1",
				      "-pthread", "-w",		"-o",
				      exe,	  src,		NULL };

		run_build(cmd);
	} else {
		run_compile(src, exe, NULL);
	}
	argv[0] = exe;
	out = run_modes(test, argv, NULL, NULL, NULL);
	free(exe);
	free(src);
	return out;
}

/* libstdc++'s operators, containers, exceptions and threads. */
static void test_cxx(void **state)
{
	char *out;

	(void)state;
	need("g++");
	out = run_own_program("c++", "tests/malloc/cxx_prog.cpp", true);
	print_message("  c++: %s", out);
	assert_non_null(strstr(out, "cxx done 1\n"));
	free(out);
}

/* A threaded program of our own. */
static void test_threads_prog(void **state)
{
	char *out;

	(void)state;
	need("cc");
	out = run_own_program("threads", "tests/malloc/threads_prog.c", false);
	assert_non_null(strstr(out, "total: "));
	free(out);
}

/* The threaded program linked with the library (-lmmkit-malloc, found
 * through its run path) instead of preloaded: the library must serve it
 * (its statistics on stderr) in both modes, with the plain build's
 * output. */
static void test_linked(void **state)
{
	const char *so = getenv("MMKIT_MALLOC_SO");
	char abs[PATH_MAX], libdir[PATH_MAX + 16], rpath[PATH_MAX + 16];
	char *src, *exe, *plain, *out;
	struct run r;
	int m;

	(void)state;
	need("cc");
	if (!so || !realpath(so, abs))
		fail_msg("MMKIT_MALLOC_SO is not set to the library");
	*strrchr(abs, '/') = 0;
	snprintf(libdir, sizeof libdir, "-L%s", abs);
	snprintf(rpath, sizeof rpath, "-Wl,-rpath,%s", abs);
	src = run_find_source("tests/malloc/threads_prog.c");
	if (!src)
		fail_msg("tests/malloc/threads_prog.c not found");
	/* The output to match: the plain build's (test_threads_prog runs
	 * it under the preloaded library). */
	plain = path_in(tmpdir, "linked-plain");
	run_compile(src, plain, NULL);
	{
		const char *argv[] = { plain, NULL };

		run_prog(&r, argv, NULL, NULL, NULL, 120);
		if (!run_exited(&r, 0))
			fail_msg("linked (plain): %s", run_how(&r));
		out = r.out;
		r.out = NULL;
		run_free(&r);
	}
	exe = path_in(tmpdir, "linked-exe");
	{
		const char *cmd[] = {
			"cc", "-O1", "-pthread", "-w",	"-o",
			exe,  src,   libdir,	 rpath, "-l:libmmkit-malloc.so",
			NULL
		};

		run_build(cmd);
	}
	for (m = 1; m < NR_MODES; m++) {
		const char *argv[] = { exe, NULL };
		char modevar[64];
		const char *env[] = { modevar, "MMKIT_MALLOC_STATS=1", NULL };

		snprintf(modevar, sizeof modevar, "MMKIT_MALLOC=%s", modes[m]);
		run_prog(&r, argv, env, NULL, NULL, 120);
		if (!run_exited(&r, 0))
			fail_msg("linked (%s): %s\nstderr: %s", modes[m],
				 run_how(&r), run_head(r.err, 800));
		if (!strstr(r.err, "slabinfo - version: 2.1"))
			fail_msg("linked (%s): the library did not run: %s",
				 modes[m], run_head(r.err, 800));
		if (lib_error(r.err))
			fail_msg("linked (%s): %s", modes[m],
				 run_head(lib_error(r.err), 800));
		if (r.out_len != strlen(out) || memcmp(r.out, out, r.out_len))
			fail_msg("linked (%s): output differs:\n%s\n---\n%s",
				 modes[m], run_head(out, 400),
				 run_head(r.out, 400));
		run_free(&r);
	}
	print_message("  linked: the same output, the library serving\n");
	free(out);
	free(exe);
	free(plain);
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_python),
		cmocka_unit_test(test_sqlite),
		cmocka_unit_test(test_gcc),
		cmocka_unit_test(test_git),
		cmocka_unit_test(test_threads_prog),
		cmocka_unit_test(test_linked),
		cmocka_unit_test(test_perl),
		cmocka_unit_test(test_xz),
		cmocka_unit_test(test_cxx),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
