/* SPDX-License-Identifier: MIT */
/*
 * The HTML report's page (`mmkit demo`, `mmkit run --report`), rendered
 * from the record script/report.c kept of the run (script/report.h).
 *
 * Design. The page is self-contained (inline CSS and SVG, no script, nothing
 * fetched): a summary (the machine, with the defaults of the boot keys the
 * script left out; the peaks of slab and swap; the OOM killer's kills,
 * /proc/vmstat's oom_kill at the end), a plot of memory in use and one of
 * its uses over the commands with the sections marked (thousands of
 * commands plot as at most four points a pixel column, peaks kept; section
 * marks too close to tell apart are merged), the Activity table (each
 * counter /proc/vmstat printed, by its exact name with a label, its value
 * and the command, linked to the transcript, after which it was first
 * above 0, or in a long run the few commands it moved in; a group whose
 * counters all stayed 0 is one "none" line naming them), on a machine
 * that had swap the swap areas' table at the swap peak and at the end if
 * it differs (tables scroll sideways in a narrow window rather than
 * overflow it), grouped bars of free blocks per order for each zone
 * (start and end, log scale), horizontal bars of
 * the largest slab caches, a row per VMA of each process (bar length by
 * the log of its size, colour by protection), and the transcript by
 * section, `echo` lines as prose. Every text from the script or procfs is
 * escaped (bytes that are no UTF-8, and control characters, as \xNN).
 */
#define _POSIX_C_SOURCE 200809L
#include "script/internal.h"
#include "script/report.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define TOP_CACHES 12

/* Each sampled series' colour, in the order of struct step's kb. */
static const char *const series_colour[NR_SERIES] = {
	"#1f77b4", "#d62728", "#9467bd", "#8c564b", "#e377c2",
	"#2ca02c", "#17becf", "#ff7f0e", "#7f7f7f",
};

/* What the charts call each series (data-series and the legend). */
static const char *const series_name[NR_SERIES][2] = {
	{ "used", "MemTotal - MemFree" },
	{ "Slab", "Slab" },
	{ "Percpu", "Percpu" },
	{ "PageTables", "PageTables" },
	{ "VmallocUsed", "VmallocUsed" },
	{ "AnonPages", "AnonPages" },
	{ "Shmem", "Shmem" },
	{ "Cached", "Cached" },
	{ "swap", "swap used (SwapTotal - SwapFree)" },
};

/* Each activity group's id and heading. */
static const char *const activity_group[NR_AG][2] = {
	{ "faults", "Page faults" },
	{ "reclaim", "Reclaim" },
	{ "swap", "Swap" },
	{ "compaction", "Compaction and migration" },
	{ "oom", "The OOM killer" },
	{ "numa", "NUMA" },
};

/* ---- escaping ---- */

/* The length of the well-formed UTF-8 sequence (not an overlong form, a
 * surrogate or above U+10FFFF) @s starts, of at most @n bytes; 0 if
 * none. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned long cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* @n bytes of @s as HTML text of a UTF-8 page: markup characters
 * escaped, and bytes that are no UTF-8 or are control characters (but a
 * tab or a newline) shown as \xNN. */
static void put_escaped_n(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len;

	for (; n; p += len, n -= len) {
		len = utf8_len(p, n);
		if (!len || (*p < 0x20 && *p != '\t' && *p != '\n') ||
		    *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
			len = 1;
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else {
			fwrite(p, 1, len, f);
		}
	}
}

static void put_escaped(FILE *f, const char *s)
{
	if (s)
		put_escaped_n(f, s, strlen(s));
}

/* A section's heading: its title's first sentence ("1. A freshly booted
 * machine."), or all of it. */
static void put_heading(FILE *f, const char *title)
{
	const char *num_end = strstr(title, ". "), *end;

	end = num_end ? strstr(num_end + 2, ". ") : NULL;
	put_escaped_n(f, title,
		      end ? (size_t)(end - title + 1) : strlen(title));
}

/* ---- rendering helpers ---- */

/* @kb as "12.3 MiB" / "456 KiB". */
static void fmt_kb(char *buf, size_t len, double kb)
{
	if (kb >= 1024.0 * 1024)
		snprintf(buf, len, "%.2f GiB", kb / (1024.0 * 1024));
	else if (kb >= 1024.0)
		snprintf(buf, len, "%.1f MiB", kb / 1024.0);
	else
		snprintf(buf, len, "%.0f KiB", kb);
}

/* A round axis maximum at or above @v (1, 2 or 5 times a power of 10). */
static double nice_max(double v)
{
	double p = 1;

	if (v <= 1)
		return 1;
	while (p * 10 < v)
		p *= 10;
	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* log2(@y) for @y >= 1, to within 1% (bar heights need no more; the
 * library does not link libm): the exponent, plus a quadratic fit of
 * log2 on [1, 2). */
static double log2_approx(double y)
{
	double e = 0, m;

	while (y >= 2) {
		y /= 2;
		e++;
	}
	m = y - 1;
	return e + m * (1.3465 - 0.3465 * m);
}

/* What the charts plot for series @s: memory in use for MemFree. */
static double step_value(const struct step *st, size_t s)
{
	return (double)(s ? st->kb[s] : st->used_kb);
}

/* A tick label of an axis in @unit (1024^k KiB): @kb in that unit, with
 * the decimals it has (a quarter of 50 KiB is 12.5 KiB, not 12). */
static void fmt_tick(char *buf, size_t len, double kb, double unit)
{
	const char *name = unit >= 1024.0 * 1024 ? "GiB" :
			   unit >= 1024.0	 ? "MiB" :
						   "KiB";
	char num[32];
	size_t n;

	snprintf(num, sizeof num, "%.2f", kb / unit);
	n = strlen(num);
	while (num[n - 1] == '0')
		num[--n] = '\0';
	if (num[n - 1] == '.')
		num[--n] = '\0';
	snprintf(buf, len, "%s %s", num, name);
}

#define CW 920 /* chart width */
#define CH 260 /* chart height */
#define ML 80 /* left margin (axis labels) */
#define MR 20
#define MT 20
#define MB 40

#define SECT_GAP 3 /* px between two section lines */
#define DIGIT_W 6.2 /* px a digit of a section number takes */

/* Series @s's points over the steps, @xstep px apart: all of them, or
 * when several steps share a pixel column (thousands of commands), the
 * column's first, lowest, highest and last, in order: the same line,
 * its peaks and all, in at most four points a column. */
static void put_points(FILE *f, const struct report *r, size_t s, double xstep,
		       double ymax)
{
	size_t i = 0, j, k, lo, hi, pick[4];
	bool first = true;
	int n, c;

	while (i < r->nr_steps) {
		long col = (long)(xstep * (double)i);

		lo = hi = i;
		for (j = i + 1;
		     j < r->nr_steps && (long)(xstep * (double)j) == col; j++) {
			if (step_value(&r->steps[j], s) <
			    step_value(&r->steps[lo], s))
				lo = j;
			if (step_value(&r->steps[j], s) >
			    step_value(&r->steps[hi], s))
				hi = j;
		}
		pick[0] = i;
		pick[1] = lo < hi ? lo : hi;
		pick[2] = lo < hi ? hi : lo;
		pick[3] = j - 1;
		for (n = 0; n < 4; n++) {
			k = pick[n];
			for (c = 0; c < n && pick[c] != k; c++)
				;
			if (c < n)
				continue;
			fprintf(f, "%s%.1f,%.1f", first ? "" : " ",
				ML + xstep * (double)k,
				MT + (CH - MT -
				      MB) * (1 - step_value(&r->steps[k], s) /
							 ymax));
			first = false;
		}
		i = j;
	}
}

/* A line chart of the series in @mask over the steps, the sections
 * marked by dashed lines numbered as in the transcript. */
static void line_chart(FILE *f, const struct report *r, unsigned int mask,
		       const char *label)
{
	double max = 0, ymax, xstep, unit, line_x = -CW, label_end = -CW;
	size_t i, s;
	int t, sec = -1;

	for (i = 0; i < r->nr_steps; i++)
		for (s = 0; s < NR_SERIES; s++)
			if ((mask >> s & 1) &&
			    step_value(&r->steps[i], s) > max)
				max = step_value(&r->steps[i], s);
	/* Round in the unit the labels use (KiB, MiB or GiB). */
	unit = max >= 1024.0 * 1024 ? 1024.0 * 1024 : max >= 1024 ? 1024 : 1;
	ymax = nice_max(max / unit) * unit;
	/* 1000-1023 KiB rounds up to 2000: label it in MiB, 2 MiB. */
	if (ymax >= 1024 * unit && unit < 1024.0 * 1024) {
		unit *= 1024;
		ymax = nice_max(max / unit) * unit;
	}
	xstep = r->nr_steps > 1 ?
			(double)(CW - ML - MR) / (double)(r->nr_steps - 1) :
			0;
	fprintf(f,
		"<svg class=\"chart\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"",
		CW, CH, CW, CH);
	put_escaped(f, label);
	fputs("\">\n", f);
	for (t = 0; t <= 4; t++) {
		double y = MT + (CH - MT - MB) * (1 - t / 4.0);
		char v[48];

		fmt_tick(v, sizeof v, ymax * t / 4.0, unit);
		fprintf(f,
			"<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" "
			"y2=\"%.1f\"/><text class=\"ylab\" x=\"%d\" "
			"y=\"%.1f\">%s</text>\n",
			ML, y, CW - MR, y, ML - 6, y + 4, v);
	}
	/* Sections closer than SECT_GAP px share the first one's line, and
	 * a number that would overlap the last one shown is left out. */
	for (i = 0; i < r->nr_steps; i++) {
		double x = ML + xstep * (double)i;
		int digits;

		if (r->steps[i].section == sec || r->steps[i].section < 0)
			continue;
		sec = r->steps[i].section;
		if (x < line_x + SECT_GAP)
			continue;
		line_x = x;
		fprintf(f,
			"<line class=\"sect\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			"y2=\"%d\"/>\n",
			x, MT, x, CH - MB);
		if (x < label_end)
			continue;
		/* Numbered as its title is ("3. ..." -> 3). */
		digits = (int)strspn(r->sections[sec], "0123456789");
		fprintf(f,
			"<text class=\"slab\" x=\"%.1f\" y=\"%d\">%.*s</text>\n",
			x + 2, CH - MB + 14, digits, r->sections[sec]);
		label_end = x + 2 + DIGIT_W * digits + 2;
	}
	for (s = 0; s < NR_SERIES; s++) {
		if (!(mask >> s & 1))
			continue;
		fprintf(f,
			"<polyline class=\"series\" fill=\"none\" "
			"stroke=\"%s\"%s data-series=\"%s\" points=\"",
			series_colour[s],
			s == SWAP ? " stroke-dasharray=\"6 3\"" : "",
			series_name[s][0]);
		put_points(f, r, s, xstep, ymax);
		fputs("\"/>\n", f);
	}
	if (r->nr_steps)
		fprintf(f,
			"<text class=\"xlab\" x=\"%d\" y=\"%d\">command (1 to "
			"%zu); dashed lines start the numbered sections</text>"
			"\n</svg>\n",
			ML, CH - 6, r->nr_steps);
	else
		fprintf(f,
			"<text class=\"xlab\" x=\"%d\" y=\"%d\">no command "
			"ran</text>\n</svg>\n",
			ML, CH - 6);
	fputs("<p class=\"legend\">", f);
	for (s = 0; s < NR_SERIES; s++)
		if (mask >> s & 1)
			fprintf(f,
				"<span><i style=\"background:%s\"></i>%s</span> ",
				series_colour[s], series_name[s][1]);
	fputs("</p>\n", f);
}

/* Grouped bars, log scale: free blocks per order at the start and the
 * end, for each zone of the first sample. */
static void buddy_charts(FILE *f, const struct report *r)
{
	/* A bar is as wide as five digits of its count, which a bigger
	 * count shortens to (128246 as 128k). */
	const int h = 170, bw = 30, gap = 12;
	int zi, k;

	for (zi = 0; zi < r->first.nr; zi++) {
		const struct zone_free *a = &r->first.zone[zi], *b = NULL;
		unsigned long max = 1;
		int w = ML + NR_ORDERS * (2 * bw + gap) + MR, j;

		for (j = 0; j < r->last.nr; j++)
			if (!strcmp(r->last.zone[j].name, a->name))
				b = &r->last.zone[j];
		for (k = 0; k < NR_ORDERS; k++) {
			if (a->blocks[k] > max)
				max = a->blocks[k];
			if (b && b->blocks[k] > max)
				max = b->blocks[k];
		}
		fputs("<figure><figcaption>", f);
		put_escaped(f, a->name);
		fputs("</figcaption>\n", f);
		fprintf(f,
			"<svg class=\"chart\" width=\"%d\" height=\"%d\" "
			"viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"free "
			"blocks per order\">\n",
			w, h, w, h);
		for (k = 0; k < NR_ORDERS; k++) {
			int x = ML + k * (2 * bw + gap), side;

			for (side = 0; side < 2; side++) {
				const struct zone_free *z = side ? b : a;
				unsigned long n = z ? z->blocks[k] : 0;
				double bh = (h - 50) *
					    log2_approx(1.0 + (double)n) /
					    log2_approx(1.0 + (double)max);

				char count[24];

				if (n < 100000)
					snprintf(count, sizeof count, "%lu", n);
				else if (n < 10000000)
					snprintf(count, sizeof count, "%luk",
						 n / 1000);
				else
					snprintf(count, sizeof count, "%luM",
						 n / 1000000);
				fprintf(f,
					"<rect class=\"%s\" x=\"%d\" y=\"%.1f\" "
					"width=\"%d\" height=\"%.1f\" "
					"data-blocks=\"%lu\"/><text "
					"class=\"val\" x=\"%d\" y=\"%.1f\">%s"
					"</text>\n",
					side ? "end" : "start", x + side * bw,
					h - 30 - bh, bw - 2, bh, n,
					x + side * bw + bw / 2 - 1, h - 33 - bh,
					count);
			}
			fprintf(f,
				"<text class=\"olab\" x=\"%d\" y=\"%d\">%d</text>\n",
				x + bw, h - 14, k);
		}
		fprintf(f,
			"<text class=\"xlab\" x=\"%d\" y=\"%d\">order</text>\n"
			"</svg></figure>\n",
			ML - 50, h - 14);
	}
	fputs("<p class=\"legend\"><span><i class=\"start\"></i>after the "
	      "first command</span> <span><i class=\"end\"></i>after the "
	      "last</span> (bar heights: log scale)</p>\n",
	      f);
}

struct cache_row {
	char name[64];
	unsigned long active, objsize, kb;
};

static int cmp_cache(const void *a, const void *b)
{
	const struct cache_row *x = a, *y = b;

	if (x->kb != y->kb)
		return x->kb < y->kb ? 1 : -1;
	return strcmp(x->name, y->name);
}

/* Horizontal bars of the largest caches in /proc/slabinfo @text. */
static void slab_chart(FILE *f, const char *text)
{
	struct cache_row rows[TOP_CACHES + 1];
	int n = 0, i;
	unsigned long max = 1;
	const char *p;

	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		struct cache_row c;
		unsigned long num, perslab, pages, a1, a2, a3, slabs;
		/* A name of any length: the chart shows its first 63 bytes. */
		size_t nlen = strcspn(p, " \t\n");

		if (*p == '#' || !strncmp(p, "slabinfo", 8))
			continue;
		if (sscanf(p + nlen,
			   "%lu %lu %lu %lu %lu : tunables %lu %lu %lu : "
			   "slabdata %*u %lu",
			   &c.active, &num, &c.objsize, &perslab, &pages, &a1,
			   &a2, &a3, &slabs) != 9)
			continue;
		c.kb = slabs * pages * 4;
		if (!c.kb)
			continue;
		snprintf(c.name, sizeof c.name, "%.*s", (int)nlen, p);
		/* Keep the TOP_CACHES largest: the smallest falls off. */
		rows[n] = c;
		qsort(rows, (size_t)n + 1, sizeof rows[0], cmp_cache);
		if (n < TOP_CACHES)
			n++;
	}
	for (i = 0; i < n; i++)
		if (rows[i].kb > max)
			max = rows[i].kb;
	fprintf(f,
		"<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
		"%d %d\" role=\"img\" aria-label=\"largest slab caches\">\n",
		CW, 24 * n + 10, CW, 24 * n + 10);
	for (i = 0; i < n; i++) {
		double w = 420.0 * (double)rows[i].kb / (double)max;
		char v[32];

		fmt_kb(v, sizeof v, (double)rows[i].kb);
		fprintf(f, "<text class=\"cname\" x=\"200\" y=\"%d\">",
			24 * i + 20);
		put_escaped(f, rows[i].name);
		fprintf(f,
			"</text><rect class=\"cache\" x=\"210\" y=\"%d\" "
			"width=\"%.1f\" height=\"16\" data-kb=\"%lu\"/>"
			"<text class=\"val2\" x=\"%.1f\" y=\"%d\">%s: %lu "
			"objects of %lu B</text>\n",
			24 * i + 7, w, rows[i].kb, 216 + w, 24 * i + 20, v,
			rows[i].active, rows[i].objsize);
	}
	fputs("</svg>\n", f);
}

static const char *vma_class(const char *perms)
{
	if (perms[3] == 's')
		return "vs";
	if (perms[1] == 'w')
		return "vw";
	if (perms[2] == 'x')
		return "vx";
	if (perms[0] == 'r')
		return "vr";
	return "vn";
}

/* A row per VMA of @maps, in address order: its range, a bar whose
 * length grows with the log of its size, and its protection, size and
 * name. */
static void maps_chart(FILE *f, const char *maps)
{
	const char *p;
	int n = 0, row = 0;

	for (p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n++;
	fprintf(f,
		"<svg class=\"chart\" width=\"%d\" height=\"%d\" viewBox=\"0 0 "
		"%d %d\" role=\"img\" aria-label=\"address space\">\n",
		CW, 20 * n + 6, CW, 20 * n + 6);
	for (p = maps; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		unsigned long start, end, kb;
		char perms[8], name[128] = "", size[32];
		int used = 0;
		double w;

		if (sscanf(p, "%lx-%lx %7s %*s %*s %*s%n", &start, &end, perms,
			   &used) != 3 ||
		    strlen(perms) != 4)
			continue;
		used += (int)strspn(p + used, " \t");
		if (p[used] != '\n')
			sscanf(p + used, "%127[^\n]", name);
		kb = (end - start) >> 10;
		/* 12 px a doubling: 4 KiB 12 px, 1 GiB 228, 128 TiB 432,
		 * so that the label after it fits. */
		w = 12 * (1 + log2_approx((double)((end - start) >> 12) + 1));
		fprintf(f,
			"<text class=\"cname\" x=\"250\" y=\"%d\">%lx-%lx"
			"</text><rect class=\"%s\" x=\"260\" y=\"%d\" "
			"width=\"%.1f\" height=\"14\"/><text class=\"val2\" "
			"x=\"%.1f\" y=\"%d\">%s ",
			20 * row + 16, start, end, vma_class(perms),
			20 * row + 4, w, 266 + w, 20 * row + 16, perms);
		fmt_kb(size, sizeof size, (double)kb);
		fputs(size, f);
		if (*name) {
			fputc(' ', f);
			put_escaped(f, name);
		}
		fputs("</text>\n", f);
		row++;
	}
	fputs("</svg>\n", f);
}

static void process_charts(FILE *f, const struct report *r)
{
	int i;

	if (!r->nr_procs)
		return;
	fputs("<h2>Process address spaces</h2>\n<p>Each process's VMAs from "
	      "/proc/PID/maps, as they were after the last command it "
	      "lived through (bar length: log of the size; colour: "
	      "<span class=\"k vw\">writable</span> <span class=\"k "
	      "vr\">read-only</span> <span class=\"k vx\">executable</span> "
	      "<span class=\"k vs\">shared</span> <span class=\"k "
	      "vn\">no access</span>).</p>\n",
	      f);
	for (i = 0; i < r->nr_procs; i++) {
		const struct proc_seen *p = &r->procs[i];

		if (!p->maps)
			continue;
		fprintf(f,
			"<figure><figcaption>Process %d, after command %zu%s"
			"</figcaption>\n",
			p->pid, (p->stale ? p->read_step : p->step) + 1,
			p->alive ? "" : " (then it exited)");
		maps_chart(f, p->maps);
		fputs("</figure>\n", f);
	}
}

/* Where step @i is: a link to command @i + 1 in the transcript, its
 * section's number, and the command (its first 80 bytes, cut at a
 * character). */
static void put_command_ref(FILE *f, const struct report *r, size_t i)
{
	const struct step *st = &r->steps[i];
	const char *cmd = st->cmd ? st->cmd : "";
	size_t n = strlen(cmd), cut = n;

	fprintf(f, "<a href=\"#c%zu\">command %zu</a>", i + 1, i + 1);
	if (st->section >= 0)
		fprintf(f, " (section %.*s)",
			(int)strspn(r->sections[st->section], "0123456789"),
			r->sections[st->section]);
	if (n > 80)
		for (cut = 80; cut && (cmd[cut] & 0xc0) == 0x80; cut--)
			;
	fputs(": <code>", f);
	put_escaped_n(f, cmd, cut);
	fputs(cut < n ? " \xe2\x80\xa6</code>" : "</code>", f);
}

/* The number of nodes /proc/buddyinfo listed (one more than the
 * highest). */
static int nr_nodes(const struct report *r)
{
	int i, node, max = 0;

	for (i = 0; i < r->last.nr; i++)
		if (sscanf(r->last.zone[i].name, "Node %d", &node) == 1 &&
		    node + 1 > max)
			max = node + 1;
	return max;
}

/* The table of activity counters in /proc/vmstat at the end, by group:
 * each one it printed (NUMA's on a machine of several nodes only), with
 * the command after which it was first above 0; a group whose counters
 * all stayed 0 is one line, "none". */
static void activity_table(FILE *f, const struct report *r)
{
	int g;
	size_t i;

	fputs("<div class=\"wide\"><table class=\"activity events\">\n<tr><th>"
	      "Event</th><th>Counter</th><th class=\"num\">At the end</th>"
	      "<th>First nonzero after</th></tr>\n",
	      f);
	for (g = 0; g < NR_AG; g++) {
		bool any = false, moved = false;

		if (g == AG_NUMA && nr_nodes(r) < 2)
			continue;
		for (i = 0; i < NR_ACTIVITY; i++)
			if (report_activity[i].group == g && r->vm_present[i]) {
				any = true;
				moved |= r->vm_val[i] > 0;
			}
		if (!any)
			continue;
		if (!moved) {
			const char *sep = "";

			fprintf(f,
				"<tr class=\"group\"><th>%s</th><td "
				"colspan=\"3\" id=\"none-%s\">none: ",
				activity_group[g][1], activity_group[g][0]);
			for (i = 0; i < NR_ACTIVITY; i++) {
				if (report_activity[i].group != g ||
				    !r->vm_present[i])
					continue;
				fprintf(f, "%s<code>%s</code>", sep,
					report_activity[i].name);
				sep = " ";
			}
			fputs(" stayed 0</td></tr>\n", f);
			continue;
		}
		fprintf(f,
			"<tr class=\"group\"><th colspan=\"4\" "
			"id=\"group-%s\">%s</th></tr>\n",
			activity_group[g][0], activity_group[g][1]);
		for (i = 0; i < NR_ACTIVITY; i++) {
			if (report_activity[i].group != g || !r->vm_present[i])
				continue;
			fprintf(f,
				"<tr><td>%s</td><td><code>%s</code></td><td "
				"class=\"num\" id=\"vm-%s\">%lu</td><td "
				"id=\"first-%s\">",
				report_activity[i].label,
				report_activity[i].name,
				report_activity[i].name, r->vm_val[i],
				report_activity[i].name);
			if (r->vm_first[i] >= r->nr_steps)
				fputs("never", f);
			else if (r->vm_from[i] < r->vm_first[i])
				fprintf(f,
					"one of <a href=\"#c%zu\">commands "
					"%zu</a> to <a href=\"#c%zu\">%zu</a> "
					"(a long run: /proc/vmstat read every "
					"few commands)",
					r->vm_from[i] + 1, r->vm_from[i] + 1,
					r->vm_first[i] + 1, r->vm_first[i] + 1);
			else
				put_command_ref(f, r, r->vm_first[i]);
			fputs("</td></tr>\n", f);
		}
	}
	fputs("</table></div>\n", f);
}

static void activity_section(FILE *f, const struct report *r)
{
	fputs("<h2>Activity</h2>\n", f);
	if (!r->vm_read) {
		fputs(r->first.nr ? "<p class=\"none\">/proc/vmstat could not "
				    "be read at the end.</p>\n" :
				    "<p class=\"none\">No machine ran a "
				    "command: no /proc/vmstat to show.</p>\n",
		      f);
		return;
	}
	fputs("<p>Event counters of /proc/vmstat after the last command, "
	      "with the command after which each first rose above 0 "
	      "(/proc/vmstat is read after every command, and past the "
	      "1,024th every few). A group whose "
	      "counters all stayed 0 is one line: none.</p>\n",
	      f);
	activity_table(f, r);
}

/* /proc/swaps @text as a table (Filename, Type, Size, Used, Priority;
 * sizes in kB), its rows in the file's order; @id names it. */
static void swaps_table(FILE *f, const char *text, const char *id)
{
	const char *p;

	fprintf(f,
		"<div class=\"wide\"><table class=\"activity\" id=\"%s\">\n"
		"<tr><th>Filename</th><th>Type</th><th class=\"num\">Size "
		"(kB)</th><th class=\"num\">Used (kB)</th><th "
		"class=\"num\">Priority</th></tr>\n",
		id);
	for (p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		/* "NAME<spaces>TYPE\t\tSIZE\t\tUSED\t\tPRIO": the name
		 * ends where the spaces before the type start. */
		size_t head = strcspn(p, "\t\n"), type, name;
		unsigned long size, used;
		long prio;

		if (!strncmp(p, "Filename", 8) || p[head] != '\t' ||
		    sscanf(p + head, "%lu %lu %ld", &size, &used, &prio) != 3)
			continue;
		for (type = head; type && p[type - 1] != ' '; type--)
			;
		for (name = type; name && p[name - 1] == ' '; name--)
			;
		fputs("<tr><td>", f);
		put_escaped_n(f, p, name);
		fputs("</td><td>", f);
		put_escaped_n(f, p + type, head - type);
		fprintf(f,
			"</td><td class=\"num\">%lu</td><td class=\"num\">%lu"
			"</td><td class=\"num\">%ld</td></tr>\n",
			size, used, prio);
	}
	fputs("</table></div>\n", f);
}

/* Whether /proc/swaps @text lists an area. */
static bool has_areas(const char *text)
{
	const char *nl = text ? strchr(text, '\n') : NULL;

	return nl && nl[1];
}

/* The swap areas when swap use peaked, and at the end if they differ:
 * on a machine that had swap after some command. */
static void swap_section(FILE *f, const struct report *r)
{
	char v[32];

	if (!r->had_swap && !has_areas(r->swaps_end))
		return;
	fputs("<h2>Swap areas</h2>\n", f);
	if (r->swaps_peak && r->peak_swap_kb) {
		fmt_kb(v, sizeof v, (double)r->peak_swap_kb);
		fputs("<p>/proc/swaps after ", f);
		put_command_ref(f, r, r->peak_swap_step);
		fprintf(f, ", when swap use peaked (%s, %lu kB):</p>\n", v,
			r->peak_swap_kb);
		swaps_table(f, r->swaps_peak, "swaps-peak");
	} else if (r->peak_swap_kb) {
		fputs("<p class=\"none\">/proc/swaps could not be read when "
		      "swap use peaked.</p>\n",
		      f);
	} else {
		fputs("<p>No swap was used.</p>\n", f);
	}
	if (r->swaps_peak && r->swaps_end &&
	    !strcmp(r->swaps_peak, r->swaps_end))
		return;
	if (!r->swaps_end) {
		fputs("<p class=\"none\">/proc/swaps could not be read at the "
		      "end.</p>\n",
		      f);
	} else if (has_areas(r->swaps_end)) {
		fputs("<p>/proc/swaps after the last command:</p>\n", f);
		swaps_table(f, r->swaps_end, "swaps-end");
	} else {
		fputs("<p id=\"swaps-end\">No swap area was on after the last "
		      "command.</p>\n",
		      f);
	}
}

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;"
	"max-width:980px;color:#222}\n"
	"h1{font-size:24px}h2{font-size:19px;margin-top:32px;border-bottom:"
	"1px solid #ccc}h3{font-size:15px}\n"
	"table.summary td{padding:2px 14px 2px 0}\n"
	".chart text{font-size:11px;fill:#333}.ylab{text-anchor:end}"
	".val,.olab{text-anchor:middle}.val{font-size:9px}"
	".cname{text-anchor:end}\n"
	".grid{stroke:#e4e4e4}.sect{stroke:#999;stroke-dasharray:4 3}"
	".series{stroke-width:2}\n"
	"rect.start,i.start{fill:#9ecae1;background:#9ecae1}"
	"rect.end,i.end{fill:#3182bd;background:#3182bd}"
	"rect.cache{fill:#d62728}\n"
	".vw{fill:#2ca02c;background:#2ca02c}.vr{fill:#9ecae1;background:"
	"#9ecae1}.vx{fill:#ff7f0e;background:#ff7f0e}.vs{fill:#9467bd;"
	"background:#9467bd}.vn{fill:#bbb;background:#bbb}\n"
	"span.k{color:#111;padding:0 4px;border-radius:3px}\n"
	".legend span{margin-right:14px}.legend i{display:inline-block;"
	"width:12px;height:12px;margin-right:4px;vertical-align:-1px}\n"
	"figure{margin:8px 0}figcaption{font-weight:600}\n"
	"pre{background:#f6f6f6;padding:6px 8px;overflow-x:auto;margin:2px "
	"0 10px;font-size:12px}\n"
	".cmd{font-family:monospace;font-weight:600;margin-top:6px}\n"
	".note{font-style:italic;color:#444}\n"
	"pre.error{background:#fdecea;color:#a00}\n"
	".wide{overflow-x:auto}table.activity{border-collapse:collapse}"
	"table.events{min-width:640px}"
	"table.activity td,table.activity th{padding:2px 12px 2px 0;"
	"text-align:left;vertical-align:top}\n"
	"table.activity .num{text-align:right;font-variant-numeric:"
	"tabular-nums}tr.group th{padding-top:8px}tr.group td{padding-top:"
	"8px;color:#666}\n";

/* The boot keys the summary names the default of, if a boot line
 * leaves them out. */
static const char *const boot_default[4][2] = {
	{ "arch", "x86_64" },
	{ "mem", "1G" },
	{ "nodes", "one node" },
	{ "cpus", "two CPUs" },
};

/* Whether command @line (before any comment) has a word @key=... */
static bool has_key(const char *line, const char *key)
{
	size_t n = strlen(key);

	for (line += strspn(line, " \t"); *line && *line != '#';) {
		if (!strncmp(line, key, n) && line[n] == '=')
			return true;
		line += strcspn(line, " \t");
		line += strspn(line, " \t");
	}
	return false;
}

void report_render(FILE *f, const struct report *r, const char *name,
		   int status)
{
	const struct step *last = r->nr_steps ? &r->steps[r->nr_steps - 1] :
						NULL;
	int checks_ok = 0, checks_failed = 0, sec;
	const char *boot = "boot", *sep;
	char v1[32], v2[32];
	size_t i;

	/* The verifier's commands, not any output that quotes one. */
	for (i = 0; i < r->nr_steps; i++) {
		const struct step *st = &r->steps[i];

		if (!st->cmd || !report_is_cmd(st->cmd, "check") || st->error)
			continue;
		if (st->output && strstr(st->output, "check = ok\n"))
			checks_ok++;
		else
			checks_failed++;
	}
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
	      "charset=\"utf-8\">\n<title>mmkit report: ",
	      f);
	put_escaped(f, name);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", style);
	fputs("<h1>mmkit report: ", f);
	put_escaped(f, name);
	fputs("</h1>\n<table class=\"summary\">\n", f);
	/* The machine: the script's boot line, or the default one, and the
	 * defaults of what it leaves out. */
	fputs("<tr><td>Machine</td><td id=\"machine\"><code>", f);
	if (r->nr_steps && r->steps[0].cmd &&
	    report_is_cmd(r->steps[0].cmd, "boot"))
		boot = r->steps[0].cmd;
	put_escaped(f, boot);
	fputs("</code>", f);
	for (i = 0, sep = " (by default "; i < 4; i++) {
		if (has_key(boot, boot_default[i][0]))
			continue;
		fprintf(f, "%s%s", sep, boot_default[i][1]);
		sep = ", ";
	}
	fputs(*sep == ',' ? ")</td></tr>\n" : "</td></tr>\n", f);
	fmt_kb(v1, sizeof v1, (double)r->memtotal_kb);
	fprintf(f,
		"<tr><td>Commands run</td><td id=\"commands\">%zu</td></tr>\n",
		r->nr_steps - r->stopped);
	if (r->stopped && last) {
		fprintf(f,
			"<tr><td>Stopped at</td><td id=\"stopped\"><a "
			"href=\"#c%zu\">command %zu</a>, <code>",
			r->nr_steps, r->nr_steps);
		put_escaped(f, last->cmd);
		fputs("</code>: ", f);
		put_escaped(f, last->error);
		fputs("</td></tr>\n", f);
	}
	if (r->read_error[0]) {
		fprintf(f,
			"<tr><td>Stopped at</td><td id=\"stopped\">line %lu, "
			"which could not be read: ",
			r->read_error_line);
		put_escaped(f, r->read_error);
		fputs("</td></tr>\n", f);
	}
	if (r->memtotal_kb)
		fprintf(f, "<tr><td>MemTotal</td><td>%s (%lu kB)</td></tr>\n",
			v1, r->memtotal_kb);
	if (last && r->memtotal_kb) {
		fmt_kb(v2, sizeof v2, (double)last->kb[0]);
		fprintf(f,
			"<tr><td>MemFree after the last command</td><td "
			"id=\"memfree-end\">%s (%lu kB)</td></tr>\n",
			v2, last->kb[0]);
	}
	fmt_kb(v1, sizeof v1, (double)r->peak_slab_kb);
	if (r->peak_slabinfo)
		fprintf(f,
			"<tr><td>Slab at its peak</td><td>%s (%lu kB), after "
			"command %zu</td></tr>\n",
			v1, r->peak_slab_kb, r->peak_step + 1);
	fmt_kb(v1, sizeof v1, (double)r->peak_swap_kb);
	if (r->swaptotal_kb)
		fprintf(f,
			"<tr><td>Swap used at its peak</td><td id=\"swap-peak\">"
			"%s (%lu kB of %lu)%s",
			v1, r->peak_swap_kb, r->swaptotal_kb,
			r->peak_swap_kb ? ", after command " : "</td></tr>\n");
	if (r->swaptotal_kb && r->peak_swap_kb)
		fprintf(f, "%zu</td></tr>\n", r->peak_swap_step + 1);
	if (r->oom_kills >= 0)
		fprintf(f,
			"<tr><td>Processes the OOM killer killed</td><td "
			"id=\"oom-kills\">%ld</td></tr>\n",
			r->oom_kills);
	fprintf(f,
		"<tr><td>Verifier (<code>check</code>)</td><td "
		"id=\"checks\">%d ok, %d failed</td></tr>\n",
		checks_ok, checks_failed);
	fprintf(f, "<tr><td>Exit status</td><td id=\"status\">%d%s</td></tr>\n",
		status,
		status == MMK_SCRIPT_ERROR ?
			" (a script error stopped the run)" :
		status == MMK_SCRIPT_CHECK_FAILED ?
			" (a check failed)" :
		status == MMK_SCRIPT_IO_ERROR ?
			" (the script could not be read, or the output written)" :
			"");
	fputs("</table>\n", f);
	if (r->oom)
		fputs("<p><strong>The report ran out of memory: parts of it "
		      "are missing.</strong></p>\n",
		      f);

	fputs("<h2>Memory in use</h2>\n<p>MemTotal minus MemFree after "
	      "each command: everything allocated, by the kernel, the "
	      "script's <code>alloc_pages</code> and the processes.</p>\n",
	      f);
	line_chart(f, r, 1u, "memory in use after each command");
	fputs("<h2>Where the rest goes</h2>\n<p>The kernel's own uses of "
	      "memory and the processes' pages, from /proc/meminfo after each "
	      "command. Pages a script allocates with <code>alloc_pages</code> "
	      "show only as less MemFree. On a machine with swap, the swap "
	      "in use too.</p>\n",
	      f);
	line_chart(f, r,
		   ((1u << NR_SERIES) - 1) & ~1u &
			   ~(r->swaptotal_kb ? 0 : 1u << SWAP),
		   "memory uses after each command");
	activity_section(f, r);
	swap_section(f, r);
	/* A run that stopped before any command ran on a machine says so
	 * rather than draw empty charts. */
	fputs("<h2>The buddy allocator: free blocks per order</h2>\n", f);
	if (r->first.nr)
		buddy_charts(f, r);
	else
		fputs("<p class=\"none\">No machine ran a command: no "
		      "/proc/buddyinfo to show.</p>\n",
		      f);
	fputs("<h2>The largest slab caches</h2>\n", f);
	if (r->peak_slabinfo) {
		fputs("<p>/proc/slabinfo when Slab was highest: memory in "
		      "each cache's slabs.</p>\n",
		      f);
		slab_chart(f, r->peak_slabinfo);
	} else {
		fputs("<p class=\"none\">No machine ran a command: no "
		      "/proc/slabinfo to show.</p>\n",
		      f);
	}
	process_charts(f, r);

	fputs("<h2>Transcript</h2>\n<p>Each command with its number and "
	      "output; <code>echo</code> lines as prose.</p>\n",
	      f);
	for (sec = -1; sec < r->nr_sections; sec++) {
		bool any = false, in_note = false;

		for (i = 0; i < r->nr_steps; i++) {
			const struct step *st = &r->steps[i];

			if (st->section != sec)
				continue;
			if (!any) {
				fputs("<section>\n<h3>", f);
				if (sec >= 0)
					put_heading(f, r->sections[sec]);
				else
					fputs(r->nr_sections ?
						      "Before the first section" :
						      "The script",
					      f);
				fputs("</h3>\n", f);
				any = true;
			}
			if (st->echo) {
				const char *o = st->output ? st->output : "";

				size_t n;

				if (!strncmp(o, "== ", 3))
					o += 3;
				fputs(in_note ? " " : "<p class=\"note\">", f);
				for (n = strlen(o); n && o[n - 1] == '\n'; n--)
					;
				put_escaped_n(f, o, n);
				in_note = true;
				continue;
			}
			if (in_note)
				fputs("</p>\n", f);
			in_note = false;
			fprintf(f,
				"<div class=\"cmd\" id=\"c%zu\">%zu: ", i + 1,
				i + 1);
			put_escaped(f, st->cmd);
			fputs("</div>\n", f);
			if (st->output && *st->output) {
				fputs("<pre>", f);
				put_escaped(f, st->output);
				fputs("</pre>\n", f);
			}
			if (st->error) {
				fputs("<pre class=\"error\">script error: ", f);
				put_escaped(f, st->error);
				fputs("</pre>\n", f);
			}
		}
		if (in_note)
			fputs("</p>\n", f);
		if (any)
			fputs("</section>\n", f);
	}
	fputs("</body>\n</html>\n", f);
}
