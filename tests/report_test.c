/* SPDX-License-Identifier: MIT */
/*
 * The HTML report of a script run (script/report.c): the run's output is
 * unchanged; the page is well formed (every tag closed in order), says how
 * many commands ran and what the verifier found, plots one point per
 * command, shows the free block counts the last /proc/buddyinfo printed,
 * the slab cache the script made and the process's VMAs, takes section
 * headings from `echo == N.` lines, and escapes what it quotes; a script
 * error still leaves a report; processes that are gone cost no read per
 * command; a long run's plots stay small and legible, their axes exact;
 * counts of a big machine fit over their bars; the summary names the
 * machine's defaults, swap and OOM kills; the Activity table has
 * /proc/vmstat's counters at the end and the command after which each
 * first rose above 0 (as running each prefix of the script says), groups
 * that stayed 0 as one line, NUMA's only on several nodes; the swap
 * table is /proc/swaps at the swap peak and at the end. The tour's
 * report has its eleven sections, and headless Chromium (when installed,
 * as scripts/deps.sh does) parses it into the same elements.
 */
#define _DEFAULT_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "tests/mmk_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <mmkit/script.h>

static const char script[] =
	"boot mem=64M\n"
	"echo == 1. First steps. Then more\n"
	"echo and a second line\n"
	"alloc_pages a 3\n"
	"kmem_cache_create report_cache 200\n"
	"kmem_cache_alloc o1 report_cache\n"
	"kmem_cache_alloc o2 report_cache\n"
	"# a comment, not a command\n"
	"\n"
	"echo == 2. Quoting <b> & \"x\"\n"
	"spawn 1\n"
	"mmap 1 0x200000000 64K rw private,anonymous,fixed\n"
	"touch 1 0x200000000 64K write\n"
	"free_pages a\n"
	"cat /proc/buddyinfo\n"
	"check\n"
	"cat /proc/meminfo\n";
#define SCRIPT_COMMANDS 15
#define CH_TEST 260 /* a line chart's height */

struct run {
	char *out, *html;
	size_t out_len, html_len;
	int status;
};

/* The report of the script @text, or of the script read from @in. */
static void run_report_from(FILE *in, const char *text, struct run *r)
{
	FILE *out = open_memstream(&r->out, &r->out_len);
	FILE *html = open_memstream(&r->html, &r->html_len);
	FILE *err = fopen("/dev/null", "w");

	assert_true((in || text) && out && html && err);
	r->status = mmk_script_run_report(in, text, "test", out, err, 0, html);
	fclose(out);
	fclose(html);
	fclose(err);
}

static void run_report(const char *text, struct run *r)
{
	run_report_from(NULL, text, r);
}

static void run_plain(const char *text, char **out_text, int *status)
{
	size_t len;
	FILE *out = open_memstream(out_text, &len);
	FILE *err = fopen("/dev/null", "w");

	assert_true(out && err);
	*status = mmk_script_run_string(text, "test", out, err, 0);
	fclose(out);
	fclose(err);
}

/* Every element opened is closed, in order; void and self-closed ones
 * need no end tag. */
static void assert_well_formed(const char *html)
{
	char stack[64][16];
	int depth = 0;
	const char *p = html;
	size_t n;

	assert_true(!strncmp(html, "<!DOCTYPE html>\n", 16));
	while ((p = strchr(p, '<'))) {
		const char *end = strchr(p, '>');
		char name[16];
		bool closing = p[1] == '/';

		assert_non_null(end);
		if (p[1] == '!') {
			p = end;
			continue;
		}
		n = strcspn(p + 1 + closing, " >/\n");
		assert_true(n > 0 && n < sizeof name);
		memcpy(name, p + 1 + closing, n);
		name[n] = '\0';
		if (closing) {
			assert_true(depth > 0);
			if (strcmp(stack[depth - 1], name) != 0)
				fail_msg("</%s> closes <%s>", name,
					 stack[depth - 1]);
			depth--;
		} else if (end[-1] != '/' && strcmp(name, "meta") != 0) {
			assert_true(depth < 64);
			memcpy(stack[depth++], name, n + 1);
		}
		p = end;
	}
	assert_int_equal(depth, 0);
	n = strlen(html);
	assert_true(n > 8 && !strcmp(html + n - 8, "</html>\n"));
}

static int count_substr(const char *s, const char *what)
{
	int n = 0;

	for (; (s = strstr(s, what)); s++)
		n++;
	return n;
}

static unsigned long field_after(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	assert_non_null(p);
	return strtoul(p + strlen(key), NULL, 10);
}

static void test_report_of_a_script(void **state)
{
	struct run r;
	char *plain, *p, want[128];
	int status, points = 0, k;
	unsigned long blocks[11];

	(void)state;
	run_report(script, &r);
	run_plain(script, &plain, &status);
	assert_int_equal(r.status, 0);
	assert_int_equal(status, 0);
	assert_string_equal(r.out, plain);
	assert_well_formed(r.html);
	snprintf(want, sizeof want, "<td id=\"commands\">%d</td>",
		 SCRIPT_COMMANDS);
	assert_non_null(strstr(r.html, want));
	assert_non_null(
		strstr(r.html, "<td id=\"checks\">1 ok, 0 failed</td>"));
	assert_non_null(strstr(r.html, "<td id=\"machine\"><code>boot "
				       "mem=64M</code>"));
	/* MemFree after the last command: what its cat printed. */
	snprintf(want, sizeof want, "(%lu kB)</td>",
		 field_after(r.out, "MemFree:"));
	p = strstr(r.html, "id=\"memfree-end\">");
	assert_non_null(p);
	assert_non_null(strstr(p, want));
	assert_true(strstr(p, want) < strstr(p, "</td>") + 5);
	/* One point per command in each plotted series. */
	p = strstr(r.html, "data-series=\"used\" points=\"");
	assert_non_null(p);
	for (p += 27; *p != '"'; p++)
		points += *p == ',';
	assert_int_equal(points, SCRIPT_COMMANDS);
	/* The end bars of the DMA32 zone are the last buddyinfo's counts. */
	p = strstr(r.out, "zone    DMA32");
	assert_non_null(p);
	p += strlen("zone    DMA32");
	for (k = 0; k < 11; k++)
		blocks[k] = strtoul(p, &p, 10);
	p = strstr(r.html, "Node 0, zone DMA32</figcaption>");
	assert_non_null(p);
	for (k = 0; k < 11; k++) {
		p = strstr(p, "class=\"end\"");
		assert_non_null(p);
		assert_int_equal(field_after(p, "data-blocks=\""), blocks[k]);
		p++;
	}
	/* The cache the script made, at the slab peak. */
	assert_non_null(strstr(r.html, ">report_cache</text>"));
	/* Process 1's address space after the last command: its mapping
	 * and the vsyscall page. */
	snprintf(want, sizeof want,
		 "<figcaption>Process 1, after command %d</figcaption>",
		 SCRIPT_COMMANDS);
	p = strstr(r.html, want);
	assert_non_null(p);
	assert_non_null(strstr(p, ">200000000-200010000</text>"));
	assert_non_null(strstr(p, ">rw-p 64 KiB</text>"));
	assert_non_null(strstr(p, ">--xp 4 KiB [vsyscall]</text>"));
	/* Sections: first sentences as headings; quoted text escaped. */
	assert_non_null(strstr(r.html, "<h3>1. First steps.</h3>"));
	assert_non_null(strstr(
		r.html, "<h3>2. Quoting &lt;b&gt; &amp; &quot;x&quot;</h3>"));
	assert_null(strstr(r.html, "<b>"));
	assert_non_null(strstr(r.html, "First steps. Then more and a second "
				       "line"));
	free(r.out);
	free(r.html);
	free(plain);
}

static void test_report_after_a_script_error(void **state)
{
	struct run r;
	const char *p;

	(void)state;
	run_report("boot mem=64M\nalloc_pages a 0\n"
		   "cat /proc/meminfo MemFree Bogus\nalloc_pages b 0\n",
		   &r);
	assert_int_equal(r.status, MMK_SCRIPT_ERROR);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<td id=\"commands\">2</td>"));
	assert_non_null(strstr(r.html, "<td id=\"status\">2 (a script error "
				       "stopped the run)</td>"));
	assert_non_null(strstr(r.html, "<h3>The script</h3>"));
	/* The line it stopped at, its partial output and the error. */
	assert_non_null(strstr(
		r.html, "<td id=\"stopped\"><a href=\"#c3\">command 3</a>, "
			"<code>cat /proc/meminfo MemFree Bogus</code>: cat: "
			"/proc/meminfo has no line 'Bogus'</td>"));
	p = strstr(r.html, "id=\"c3\">3: cat /proc/meminfo MemFree Bogus");
	assert_non_null(p);
	assert_non_null(strstr(p, "<pre>MemFree:"));
	assert_non_null(strstr(p, "<pre class=\"error\">script error: cat: "
				  "/proc/meminfo has no line 'Bogus'</pre>"));
	free(r.out);
	free(r.html);
}

/* A script that cannot be read further: the report says where and why,
 * as the interpreter's message does (a line over SCRIPT_LINE_MAX, a
 * directory), after the commands that ran. */
static void test_report_of_an_unreadable_script(void **state)
{
	FILE *in = tmpfile();
	struct run r;
	size_t i;

	(void)state;
	assert_non_null(in);
	fputs("boot mem=64M\nalloc_pages a 0\n", in);
	for (i = 0; i <= 1u << 20; i++)
		fputc('x', in);
	fputc('\n', in);
	rewind(in);
	run_report_from(in, NULL, &r);
	fclose(in);
	assert_int_equal(r.status, MMK_SCRIPT_IO_ERROR);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<td id=\"commands\">2</td>"));
	assert_non_null(strstr(r.html, "<td id=\"stopped\">line 3, which "
				       "could not be read: a line longer "
				       "than 1048576 bytes</td>"));
	free(r.out);
	free(r.html);

	in = fopen("/", "r");
	run_report_from(in, NULL, &r);
	fclose(in);
	assert_int_equal(r.status, MMK_SCRIPT_IO_ERROR);
	assert_non_null(strstr(r.html,
			       "<td id=\"stopped\">line 1, which "
			       "could not be read: Is a directory</td>"));
	free(r.out);
	free(r.html);
}

/* What the review of session 47 found besides: a run with no command
 * claims no figures; section titles are what the terminal
 * shows; only `check` commands count as the verifier's; any cache name
 * and any number of processes (pids in hex too) are charted; bytes that
 * are no UTF-8, and control characters, are shown as \xNN. */
static void test_report_edge_cases(void **state)
{
	struct run r;
	char *text, *p;
	size_t len;
	FILE *f;
	int i, n = 0;

	(void)state;
	run_report("bogus\n", &r);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<td id=\"commands\">0</td>"));
	assert_null(strstr(r.html, "<td>MemTotal</td>"));
	assert_null(strstr(r.html, "Slab at its peak"));
	assert_non_null(strstr(r.html, "script error: unknown command"));
	/* No empty charts: the buddy and slab sections say why. */
	assert_non_null(strstr(r.html, "<p class=\"none\">No machine ran a "
				       "command: no /proc/buddyinfo to "
				       "show.</p>"));
	assert_non_null(strstr(r.html, "<p class=\"none\">No machine ran a "
				       "command: no /proc/slabinfo to "
				       "show.</p>"));
	assert_non_null(strstr(r.html, "<p class=\"none\">No machine ran a "
				       "command: no /proc/vmstat to "
				       "show.</p>"));
	assert_null(strstr(r.html, "<h2>Swap areas</h2>"));
	assert_int_equal(count_substr(r.html, "<svg"), 2);
	free(r.out);
	free(r.html);
	run_report("# nothing but a comment\n", &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<td id=\"commands\">0</td>"));
	assert_non_null(strstr(r.html, ">no command ran</text>"));
	free(r.out);
	free(r.html);

	f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs("boot mem=256M\n"
	      "echo == 3. Intro   # a comment\n"
	      "echo ==  4. Two spaces\n"
	      "echo the next line says check = FAILED: nothing\n"
	      "check\n"
	      "kmem_cache_create "
	      "c123456789012345678901234567890123456789012345678901234567890"
	      "1234567890 4000\n"
	      "kmem_cache_alloc o c123456789012345678901234567890123456789012"
	      "3456789012345678901234567890\n"
	      "echo a\001b \377\376 \303(\n",
	      f);
	for (i = 1; i <= 40; i++)
		fprintf(f, "spawn %d\n", i);
	fputs("spawn 0x40\nfork 0x40 0x41\n", f);
	assert_int_equal(fclose(f), 0);
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<h3>3. Intro</h3>"));
	assert_non_null(strstr(r.html, "<h3>4. Two spaces</h3>"));
	assert_non_null(strstr(r.html, "y=\"234\">3</text>"));
	assert_non_null(strstr(r.html, "y=\"234\">4</text>"));
	assert_non_null(
		strstr(r.html, "<td id=\"checks\">1 ok, 0 failed</td>"));
	assert_non_null(strstr(r.html, ">c1234567890123456789012345678901234"
				       "5678901234567890123456789012</text>"));
	assert_non_null(strstr(r.html, "a\\x01b \\xff\\xfe \\xc3("));
	for (p = r.html; (p = strstr(p, "<figcaption>Process ")); p++)
		n++;
	assert_int_equal(n, 42);
	assert_non_null(strstr(r.html, "<figcaption>Process 65, after"));
	free(r.out);
	free(r.html);
	free(text);

	/* A process with more VMAs than are read every command: its chart
	 * still shows them all, as they were after the last command. */
	f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs("boot mem=64M\nspawn 1\n", f);
	for (i = 0; i < 300; i++)
		fprintf(f, "mmap 1 0x%x 4K r private,anonymous,fixed\n",
			0x10000000 + i * 0x2000);
	fputs("munmap 1 0x10000000 4K\n", f);
	assert_int_equal(fclose(f), 0);
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	assert_non_null(
		strstr(r.html, "<figcaption>Process 1, after command 303<"));
	assert_null(strstr(r.html, ">10000000-10001000</text>"));
	assert_non_null(strstr(r.html, ">10002000-10003000</text>"));
	assert_non_null(strstr(r.html, ">10256000-10257000</text>"));
	free(r.out);
	free(r.html);
	free(text);
}

/* CPU seconds to run @text with a report. */
static double report_cpu_time(const char *text)
{
	clock_t t0 = clock();
	struct run r;

	run_report(text, &r);
	assert_int_equal(r.status, 0);
	free(r.out);
	free(r.html);
	return (double)(clock() - t0) / CLOCKS_PER_SEC;
}

/* Processes that exited, or never lived (a fork of no parent), are not
 * read after every command: 4,000 of them and 2,000 more commands take
 * about as long as 8,000 commands (before, millions of reads: ten times
 * as long). */
static void test_report_of_dead_processes(void **state)
{
	char *dead, *plain;
	size_t len;
	FILE *f;
	double t_dead, t_plain;
	int i;

	(void)state;
	f = open_memstream(&dead, &len);
	assert_non_null(f);
	fputs("boot mem=64M\n", f);
	for (i = 1; i <= 2000; i++)
		fprintf(f, "spawn %d\nexit %d\nfork 100000 %d\n", i, i,
			i + 2000);
	for (i = 0; i < 2000; i++)
		fputs("drain\n", f);
	assert_int_equal(fclose(f), 0);
	f = open_memstream(&plain, &len);
	assert_non_null(f);
	fputs("boot mem=64M\n", f);
	for (i = 0; i < 8000; i++)
		fputs("drain\n", f);
	assert_int_equal(fclose(f), 0);
	t_dead = report_cpu_time(dead);
	t_plain = report_cpu_time(plain);
	if (t_dead > 2.5 * t_plain + 0.2)
		fail_msg("dead processes: %.2f s, none: %.2f s", t_dead,
			 t_plain);
	free(dead);
	free(plain);
}

/* The axis labels of the first chart are its top value's quarters,
 * exactly, in one unit. */
static void assert_exact_ticks(const char *html)
{
	const char *p = html;
	double v[5];
	char unit[5][8];
	int t;

	for (t = 0; t < 5; t++) {
		p = strstr(p, "class=\"ylab\"");
		assert_non_null(p);
		p = strchr(p, '>');
		assert_int_equal(
			sscanf(p + 1, "%lf %7[A-Za-z]", &v[t], unit[t]), 2);
	}
	for (t = 0; t < 4; t++) {
		assert_string_equal(unit[t], unit[4]);
		if (v[t] != v[4] * t / 4)
			fail_msg("tick %d is %g %s, not %g", t, v[t], unit[t],
				 v[4] * t / 4);
	}
}

/* A run of thousands of commands and hundreds of sections: each plotted
 * line has at most four points a pixel column, its peak among them; the
 * section lines are 3 px apart or more, and their numbers do not
 * overlap. The axis labels are exact (12.5 KiB was shown as 12). */
static void test_report_of_a_long_run(void **state)
{
	static const char sect[] = "<line class=\"sect\" x1=\"",
			  slab[] = "<text class=\"slab\" x=\"";
	struct run r;
	char *text, *p;
	size_t len;
	FILE *f;
	int i, points = 0, labels = 0, lines = 0, digits = 0;
	double x, y, min_y = CH_TEST, last = -1000;

	(void)state;
	run_report("boot mem=64M\ndrain\n", &r);
	assert_exact_ticks(r.html);
	free(r.out);
	free(r.html);

	f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs("boot mem=64M\n", f);
	for (i = 1; i <= 6000; i++) {
		if (i % 15 == 0)
			fprintf(f, "echo == %d. part %d\n", i / 15, i / 15);
		fputs(i == 3001 ? "alloc_pages p 10\n" :
		      i == 3002 ? "free_pages p\n" :
				  "drain\n",
		      f);
	}
	assert_int_equal(fclose(f), 0);
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	assert_exact_ticks(r.html);
	p = strstr(r.html, "data-series=\"used\" points=\"");
	assert_non_null(p);
	for (p += 27; *p != '"'; points++) {
		int used = 0;

		assert_int_equal(sscanf(p, "%lf,%lf%n", &x, &y, &used), 2);
		if (y < min_y)
			min_y = y;
		p += used;
		p += *p == ' ';
	}
	assert_true(points > 820 && points <= 4 * 821);
	/* The 4 MiB of the order-10 block, for one command. */
	assert_true(min_y < 60);
	for (p = r.html; (p = strstr(p, sect)); p++) {
		x = strtod(p + strlen(sect), NULL);
		if (x < last)
			break; /* the second chart */
		assert_true(x >= last + 3);
		last = x;
		lines++;
	}
	assert_true(lines > 100 && lines <= 274);
	last = -1000;
	for (p = r.html; (p = strstr(p, slab)); p++) {
		x = strtod(p + strlen(slab), NULL);
		if (x < last)
			break;
		/* The last one's number and 2 px. */
		assert_true(x >= last + 6.2 * digits + 2);
		last = x;
		digits = (int)strspn(strchr(p, '>') + 1, "0123456789");
		labels++;
	}
	assert_true(labels > 10 && labels < 60);
	free(r.out);
	free(r.html);
	free(text);
}

/* Free block counts of up to five digits fit over their bars (1246 and
 * 1246 ran into one another), and a bigger one is shortened (128246 as
 * 128k), the exact count kept in data-blocks. */
static void test_report_of_a_big_machine(void **state)
{
	static const char val[] = "<text class=\"val\" x=\"";
	struct run r;
	char *p;
	int labels = 0;

	(void)state;
	run_report("boot mem=512G\ncat /proc/buddyinfo\n", &r);
	assert_int_equal(r.status, 0);
	p = strstr(r.html, "Node 0, zone Normal</figcaption>");
	assert_non_null(p);
	assert_non_null(strstr(p, "data-blocks=\"128246\"/><text "
				  "class=\"val\" x=\"844\" y=\"17.0\">128k"
				  "</text>"));
	/* Each label is centred over a bar of 30 px, its next one's 30
	 * px on, and has five characters or fewer (5 px each). */
	for (p = r.html; (p = strstr(p, val)); p++) {
		long x = strtol(p + strlen(val), NULL, 10), next;
		const char *q = strchr(p, '>') + 1, *n = strstr(p + 1, val);

		assert_true(strcspn(q, "<") <= 5);
		next = n ? strtol(n + strlen(val), NULL, 10) : 0;
		if (next > x)
			assert_true(next - x >= 30);
		labels++;
	}
	assert_int_equal(labels, 3 * 2 * 11);
	free(r.out);
	free(r.html);
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long len;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return text;
}

/* The summary names the defaults of only the boot keys a script leaves
 * out (it said 1G of a 32M machine); a machine with swap gets the swap
 * in use plotted and its peak, which equals SwapTotal - SwapFree; the
 * OOM killer's kills are /proc/vmstat's oom_kill, as many as the kernel
 * log's "Killed process" lines. */
static void test_report_of_swap_and_oom(void **state)
{
	struct run r;
	char want[160], *text;
	unsigned long total, free_kb;
	const char *p;
	int kills = 0;

	(void)state;
	run_report("boot mem=32M swap=32M seed=1\n"
		   "spawn 1\n"
		   "mmap 1 0x10000000 40M rw private,anonymous,fixed\n"
		   "touch 1 0x10000000 40M write\n"
		   "cat /proc/meminfo SwapTotal SwapFree\n",
		   &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<td id=\"machine\"><code>boot mem=32M "
				       "swap=32M seed=1</code> (by default "
				       "x86_64, one node, two CPUs)</td>"));
	total = field_after(r.out, "SwapTotal:");
	free_kb = field_after(r.out, "SwapFree:");
	assert_true(total > free_kb);
	snprintf(want, sizeof want, "(%lu kB of %lu), after command 4</td>",
		 total - free_kb, total);
	p = strstr(r.html, "<td id=\"swap-peak\">");
	assert_non_null(p);
	assert_non_null(strstr(p, want));
	assert_true(strstr(p, want) < strstr(p, "</tr>"));
	assert_non_null(strstr(r.html, "data-series=\"swap\" points=\""));
	assert_non_null(strstr(r.html, "<td id=\"oom-kills\">0</td>"));
	free(r.out);
	free(r.html);

	/* No swap: neither its row nor its line; every default named. */
	run_report("drain\n", &r);
	assert_null(strstr(r.html, "swap-peak"));
	assert_null(strstr(r.html, "data-series=\"swap\""));
	assert_non_null(strstr(r.html, "<td id=\"machine\"><code>boot</code> "
				       "(by default x86_64, 1G, one node, two "
				       "CPUs)</td>"));
	free(r.out);
	free(r.html);
	run_report("boot arch=i386 mem=1G nodes=1 cpus=2\n", &r);
	assert_non_null(strstr(r.html, "<code>boot arch=i386 mem=1G nodes=1 "
				       "cpus=2</code></td>"));
	free(r.out);
	free(r.html);

	text = read_text("tests/scripts/reclaim/oom_kill.mms");
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	for (p = r.out; (p = strstr(p, "Out of memory: Killed process")); p++)
		kills++;
	assert_true(kills > 0);
	snprintf(want, sizeof want, "<td id=\"oom-kills\">%d</td>", kills);
	assert_non_null(strstr(r.html, want));
	free(r.out);
	free(r.html);
	free(text);
}

/* The value of the last line "@name N" of @text (its first if none
 * follows); asserts there is one. */
static unsigned long line_value(const char *text, const char *name)
{
	size_t n = strlen(name);
	const char *p, *last = NULL;

	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, name, n) && p[n] == ' ')
			last = p;
	assert_non_null(last);
	return strtoul(last + n, NULL, 10);
}

/* The first @n commands of @cmds, one a line, then @tail. */
static char *script_of(const char *const *cmds, int n, const char *tail)
{
	char *text;
	size_t len;
	FILE *f = open_memstream(&text, &len);
	int i;

	assert_non_null(f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s\n", cmds[i]);
	fputs(tail, f);
	assert_int_equal(fclose(f), 0);
	return text;
}

/* The number (from 1) of the first command of @cmds after which
 * /proc/vmstat's @counter is above 0, found by running each prefix of
 * the script and reading it; 0 if none. */
static int first_nonzero(const char *const *cmds, int n, const char *counter)
{
	char tail[80], *text, *out;
	int k, status;
	unsigned long v;

	snprintf(tail, sizeof tail, "cat /proc/vmstat %s\n", counter);
	for (k = 1; k <= n; k++) {
		text = script_of(cmds, k, tail);
		run_plain(text, &out, &status);
		assert_int_equal(status, 0);
		v = line_value(out, counter);
		free(text);
		free(out);
		if (v)
			return k;
	}
	return 0;
}

/* The row the report shows for the area @name of /proc/swaps @text. */
static void swaps_row(const char *text, const char *name, char *buf, size_t len)
{
	const char *p = strstr(text, name);
	char file[64], type[16];
	unsigned long size, used;
	long prio;

	assert_non_null(p);
	assert_int_equal(sscanf(p, "%63s %15s %lu %lu %ld", file, type, &size,
				&used, &prio),
			 5);
	snprintf(buf, len,
		 "<tr><td>%s</td><td>%s</td><td class=\"num\">%lu</td><td "
		 "class=\"num\">%lu</td><td class=\"num\">%ld</td></tr>",
		 file, type, size, used, prio);
}

/* Whether @want is in the element of @html that starts at @id and ends
 * at the next @end. */
static void assert_within(const char *html, const char *id, const char *end,
			  const char *want)
{
	const char *p = strstr(html, id), *q;

	if (!p)
		fail_msg("no %s", id);
	q = strstr(p, want);
	if (!q || q > strstr(p, end))
		fail_msg("%s: no %s", id, want);
}

/* A process touches more than memory on a machine with swap: the
 * Activity table shows /proc/vmstat's counters at the end, and after
 * which command each first rose above 0 (each prefix of the script run
 * on its own says the same); the swap table is /proc/swaps at the
 * command of the swap peak (again a prefix run on its own), and at the
 * end, after the process exited. A command longer than 80 bytes is
 * cut at a character. */
static void test_report_activity_of_swapping(void **state)
{
	static const char *const cmds[] = {
		"boot mem=32M swap=32M seed=1",
		"spawn 1",
		"echo == 2. Pressure",
		"mmap 1 0x10000000 40M rw private,anonymous,fixed",
		"touch 1 0x10000000 40M write # \xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		"\xc3\xa9\xc3\xa9\xc3\xa9",
		"read 1 0x10000000",
		"exit 1",
		"cat /proc/vmstat pswpin pswpout pgscan_direct pgfault",
		"cat /proc/swaps",
	};
	const int n = sizeof cmds / sizeof cmds[0];
	static const char *const counters[] = { "pswpout", "pswpin",
						"pgscan_direct", "pgfault" };
	char *text, *out, want[400], row[200];
	unsigned long used, peak = 0;
	int k, c, status, peak_k = 0;
	struct run r;

	(void)state;
	text = script_of(cmds, n, "");
	run_report(text, &r);
	free(text);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	for (c = 0; c < 4; c++) {
		k = first_nonzero(cmds, n, counters[c]);
		/* Swapping out, scanning and faulting start in the touch;
		 * the read swaps in. */
		assert_int_equal(k, c == 1 ? 6 : 5);
		snprintf(want, sizeof want,
			 "id=\"first-%s\"><a href=\"#c%d\">command %d</a> "
			 "(section 2): <code>",
			 counters[c], k, k);
		assert_non_null(strstr(r.html, want));
		snprintf(want, sizeof want, "id=\"vm-%s\">%lu</td>",
			 counters[c], line_value(r.out, counters[c]));
		assert_non_null(strstr(r.html, want));
	}
	/* The touch, cut after 79 bytes, before the 25th é. */
	snprintf(want, sizeof want, "<code>%.79s \xe2\x80\xa6</code>", cmds[4]);
	assert_within(r.html, "id=\"first-pswpout\"", "</td>", want);
	assert_within(r.html, "id=\"first-pswpin\"", "</td>",
		      "<code>read 1 0x10000000</code></td>");
	assert_true(line_value(r.out, "pswpout") > 0);
	assert_non_null(strstr(r.html, "<th colspan=\"4\" "
				       "id=\"group-swap\">Swap</th>"));
	assert_non_null(strstr(r.html, "id=\"none-compaction\">none: "));
	assert_null(strstr(r.html, "id=\"group-numa\""));
	/* The peak of swap in use, over the prefixes of the script. */
	for (k = 1; k <= n; k++) {
		text = script_of(cmds, k,
				 "cat /proc/meminfo SwapTotal SwapFree\n"
				 "cat /proc/swaps\n");
		run_plain(text, &out, &status);
		used = field_after(out, "SwapTotal:") -
		       field_after(out, "SwapFree:");
		if (used > peak) {
			peak = used;
			peak_k = k;
			swaps_row(out, "/swapfile", row, sizeof row);
		}
		free(text);
		free(out);
	}
	assert_int_equal(peak_k, 5);
	snprintf(want, sizeof want,
		 "<p>/proc/swaps after <a href=\"#c%d\">command %d</a> "
		 "(section 2): <code>",
		 peak_k, peak_k);
	assert_non_null(strstr(r.html, want));
	snprintf(want, sizeof want, "when swap use peaked (%.1f MiB, %lu kB)",
		 peak / 1024.0, peak);
	assert_non_null(strstr(r.html, want));
	assert_within(r.html, "id=\"swaps-peak\"", "</table>", row);
	/* At the end: the same area, none of it used. */
	swaps_row(strstr(r.out, "Filename"), "/swapfile", row, sizeof row);
	assert_non_null(strstr(row, "<td class=\"num\">0</td>"));
	assert_within(r.html, "id=\"swaps-end\"", "</table>", row);
	free(r.out);
	free(r.html);
}

/* Past its first 1,024 commands, a long run reads /proc/vmstat after
 * every few commands only (every 4th up to 2,048): the Activity table
 * names the commands since the read before, among them the one that
 * moved the counter (the touch, the last command but an echo, found by
 * the read at the end). */
static void test_report_activity_of_a_long_run(void **state)
{
	static const char cell[] = "id=\"first-pswpout\">one of <a href=\"#c";
	struct run r;
	char *text, want[160];
	const char *p;
	size_t len;
	FILE *f;
	int i, from = 0;

	(void)state;
	f = open_memstream(&text, &len);
	assert_non_null(f);
	fputs("boot mem=32M swap=32M seed=1\nspawn 1\n"
	      "mmap 1 0x10000000 40M rw private,anonymous,fixed\n",
	      f);
	for (i = 0; i < 1500; i++)
		fputs("drain\n", f);
	fputs("touch 1 0x10000000 40M write\necho end\n", f);
	assert_int_equal(fclose(f), 0);
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	p = strstr(r.html, cell);
	assert_non_null(p);
	from = atoi(p + strlen(cell));
	assert_true(from > 1504 - 4 && from < 1504);
	snprintf(want, sizeof want,
		 "%d\">commands %d</a> to <a href=\"#c1504\">1504</a> (a "
		 "long run",
		 from, from);
	assert_true(!strncmp(p + strlen(cell), want, strlen(want)));
	free(r.out);
	free(r.html);
	free(text);
}

/* A run with no memory pressure: the Activity groups that stayed 0 are
 * one line each, and there is no swap table; a machine of two nodes
 * shows NUMA's counters, one node none; swap areas only enabled show
 * as they were at the end, names escaped. */
static void test_report_activity_without_reclaim(void **state)
{
	struct run r;
	char want[160];

	(void)state;
	run_report("boot mem=64M\nalloc_pages a 0\nfree_pages a\n", &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<h2>Activity</h2>"));
	assert_non_null(strstr(r.html, "<tr class=\"group\"><th>Reclaim</th>"
				       "<td colspan=\"3\" id=\"none-reclaim\">"
				       "none: <code>pageoutrun</code> "
				       "<code>pgscan_kswapd</code>"));
	assert_non_null(strstr(r.html, "id=\"none-swap\">none: <code>pswpin"
				       "</code> <code>pswpout</code> stayed "
				       "0</td>"));
	assert_non_null(strstr(r.html, "id=\"none-faults\""));
	assert_non_null(strstr(r.html, "id=\"none-oom\""));
	assert_null(strstr(r.html, "id=\"vm-"));
	assert_null(strstr(r.html, "group-numa"));
	assert_null(strstr(r.html, "<h2>Swap areas</h2>"));
	assert_null(strstr(r.html, "swaps-"));
	free(r.out);
	free(r.html);

	run_report("boot mem=64M nodes=2\nalloc_pages a 0\n"
		   "cat /proc/vmstat numa_hit numa_miss\n",
		   &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	snprintf(want, sizeof want, "id=\"vm-numa_hit\">%lu</td>",
		 line_value(r.out, "numa_hit"));
	assert_within(r.html, "id=\"group-numa\"", "</table>", want);
	assert_within(r.html, "id=\"group-numa\"", "</table>",
		      "id=\"first-numa_hit\"><a href=\"#c1\">command 1</a>: "
		      "<code>boot mem=64M nodes=2</code>");
	snprintf(want, sizeof want,
		 "id=\"vm-numa_miss\">%lu</td><td id=\"first-numa_miss\">%s",
		 line_value(r.out, "numa_miss"),
		 line_value(r.out, "numa_miss") ? "<a" : "never");
	assert_non_null(strstr(r.html, want));
	free(r.out);
	free(r.html);

	run_report("boot mem=32M\nswapon /a<b&\"c 1M 5\n"
		   "swapon /a-name-longer-than-forty-bytes-0123456789 1M\n",
		   &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	assert_non_null(strstr(r.html, "<p>No swap was used.</p>"));
	assert_null(strstr(r.html, "swaps-peak"));
	assert_within(r.html, "id=\"swaps-end\"", "</table>",
		      "<tr><td>/a&lt;b&amp;&quot;c</td><td>file</td><td "
		      "class=\"num\">1020</td><td class=\"num\">0</td><td "
		      "class=\"num\">5</td></tr>");
	assert_within(r.html, "id=\"swaps-end\"", "</table>",
		      "<tr><td>/a-name-longer-than-forty-bytes-0123456789</td>"
		      "<td>file</td>");
	free(r.out);
	free(r.html);
}

/* The number (from 1) of the command on the line of @script that starts
 * with @prefix: its lines that are neither blank nor comments, up to
 * it. */
static int command_number(const char *text, const char *prefix)
{
	const char *p;
	int n = 0;

	for (p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		const char *q = p + strspn(p, " \t");

		if (*q == '#' || *q == '\n' || !*q)
			continue;
		n++;
		if (!strncmp(q, prefix, strlen(prefix)))
			return n;
	}
	fail_msg("no line %s", prefix);
	return 0;
}

/* Scripts of tests/scripts: direct compaction's counters, first
 * nonzero after the allocation that compacts; the OOM killer's first
 * kill after the command each prefix of the script run on its own
 * says. */
static void test_report_activity_of_compaction_and_oom(void **state)
{
	char *text =
		read_text("tests/scripts/compaction/direct_compaction.mms");
	const char *cmds[64];
	char want[200], *p;
	struct run r;
	int k, n = 0;

	(void)state;
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	k = command_number(text, "alloc_pages H 4");
	snprintf(want, sizeof want,
		 "id=\"first-compact_stall\"><a href=\"#c%d\">command "
		 "%d</a>: <code>alloc_pages H 4 GFP_HIGHUSER_MOVABLE</code>",
		 k, k);
	assert_non_null(strstr(r.html, want));
	snprintf(want, sizeof want, "id=\"vm-compact_stall\">%lu</td>",
		 line_value(r.out, "compact_stall"));
	assert_non_null(strstr(r.html, want));
	snprintf(want, sizeof want, "id=\"vm-pgmigrate_fail\">%lu</td>",
		 line_value(r.out, "pgmigrate_fail"));
	assert_non_null(strstr(r.html, want));
	assert_true(line_value(r.out, "compact_stall") > 0);
	free(r.out);
	free(r.html);
	free(text);

	text = read_text("tests/scripts/reclaim/oom_kill.mms");
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	/* Its commands, each prefix run on its own. */
	for (p = strtok(text, "\n"); p && n < 64; p = strtok(NULL, "\n"))
		if (p[strspn(p, " \t")] && p[strspn(p, " \t")] != '#')
			cmds[n++] = p;
	k = first_nonzero(cmds, n, "oom_kill");
	assert_true(k > 0);
	snprintf(want, sizeof want,
		 "id=\"first-oom_kill\"><a href=\"#c%d\">command %d</a>: "
		 "<code>%s</code>",
		 k, k, cmds[k - 1]);
	assert_non_null(strstr(r.html, want));
	assert_non_null(strstr(r.html, "<th colspan=\"4\" "
				       "id=\"group-oom\">The OOM killer"));
	free(r.out);
	free(r.html);
	free(text);
}

static void test_report_of_the_tour(void **state)
{
	struct run r;
	char *text = read_text("examples/tour.mms"), *p;
	int sections = 0;

	(void)state;
	run_report(text, &r);
	assert_int_equal(r.status, 0);
	assert_well_formed(r.html);
	for (p = r.html; (p = strstr(p, "<h3>")); p++)
		sections += p[4] >= '1' && p[4] <= '9';
	assert_int_equal(sections, 11);
	assert_non_null(
		strstr(r.html, "<td id=\"checks\">1 ok, 0 failed</td>"));
	/* Two memory plots, two zones' free blocks, the slab caches, and
	 * the address spaces of processes 1, 2 and 3. */
	assert_int_equal(count_substr(r.html, "<svg"), 8);
	/* Its faults, and no swap (the machine has none). */
	assert_non_null(strstr(r.html, "<h2>Activity</h2>"));
	assert_non_null(strstr(r.html, "id=\"vm-pgfault\">"));
	assert_non_null(strstr(r.html, "id=\"none-swap\""));
	assert_null(strstr(r.html, "<h2>Swap areas</h2>"));
	free(text);
	free(r.out);
	free(r.html);
}

static const char *browser(void)
{
	static const char *const names[] = { "chromium", "chromium-browser",
					     "google-chrome" };
	char cmd[64];
	size_t i;

	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1",
			 names[i]);
		if (!system(cmd))
			return names[i];
	}
	return NULL;
}

/* A real browser (headless Chromium) parses the tour's report into the
 * same elements as its source has: nothing was dropped or re-nested. */
static void test_browser_parses_the_report(void **state)
{
	static const char *const elements[] = { "<svg", "<polyline", "<rect",
						"<h3>", "<pre>",     "<td" };
	const char *b = browser();
	char path[] = "/tmp/mmkit-report-XXXXXX.html", cmd[256], *text,
	     *dom = NULL;
	struct run r;
	size_t len = 0, i;
	ssize_t got;
	FILE *f, *p;
	int fd;

	(void)state;
	if (!b) {
		print_message("report_test: no Chromium here (scripts/deps.sh "
			      "installs it): skipped\n");
		skip();
	}
	f = fopen("examples/tour.mms", "r");
	assert_non_null(f);
	text = calloc(1, 1 << 16);
	assert_non_null(text);
	assert_true(fread(text, 1, (1 << 16) - 1, f) > 0);
	fclose(f);
	run_report(text, &r);
	fd = mkstemps(path, 5);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, r.html, r.html_len), (ssize_t)r.html_len);
	close(fd);
	snprintf(cmd, sizeof cmd,
		 "timeout 120 %s --headless --no-sandbox --disable-gpu "
		 "--disable-dev-shm-usage --dump-dom "
		 "file://%s 2>/dev/null",
		 b, path);
	p = popen(cmd, "r");
	assert_non_null(p);
	got = getdelim(&dom, &len, '\0', p);
	assert_int_equal(pclose(p), 0);
	unlink(path);
	assert_true(got > 0);
	for (i = 0; i < sizeof elements / sizeof elements[0]; i++)
		if (count_substr(dom, elements[i]) !=
		    count_substr(r.html, elements[i]))
			fail_msg("%s: %d in the report, %d in the browser",
				 elements[i], count_substr(r.html, elements[i]),
				 count_substr(dom, elements[i]));
	assert_int_equal(count_substr(dom, "<svg"), 8);
	free(dom);
	free(text);
	free(r.out);
	free(r.html);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_report_of_a_script),
		cmocka_unit_test(test_report_after_a_script_error),
		cmocka_unit_test(test_report_of_an_unreadable_script),
		cmocka_unit_test(test_report_edge_cases),
		cmocka_unit_test(test_report_of_dead_processes),
		cmocka_unit_test(test_report_of_a_long_run),
		cmocka_unit_test(test_report_of_a_big_machine),
		cmocka_unit_test(test_report_of_swap_and_oom),
		cmocka_unit_test(test_report_activity_of_swapping),
		cmocka_unit_test(test_report_activity_of_a_long_run),
		cmocka_unit_test(test_report_activity_without_reclaim),
		cmocka_unit_test(test_report_activity_of_compaction_and_oom),
		cmocka_unit_test(test_report_of_the_tour),
		cmocka_unit_test(test_browser_parses_the_report),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
