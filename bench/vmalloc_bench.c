/* SPDX-License-Identifier: MIT */
/*
 * vmalloc and kmap costs (issue 4's benchmark), in one run:
 *   - vmalloc + vfree of 64 KiB and 4 MiB, with every page touched once
 *     (the buffer is really mapped), against the host kernel's
 *     mmap(MAP_POPULATE) + munmap of the same sizes;
 *   - kmap/kunmap and kmap_local_page/kunmap_local pairs of a highmem
 *     page on the i386 profile, and of a lowmem page on x86_64.
 * Median of 5 runs of at least 100 ms each; ratios are mmkit / host.
 * Timings on this 2-vCPU machine vary ~30% between runs: compare ratios.
 */
#define BENCH_NAME "vmalloc_bench"
#include "harness.h"

#include <sys/mman.h>

typedef void (*op_fn)(void *arg);

/* Median over 5 runs of ns per call of @fn, each run >= 100 ms. */
static double measure(op_fn fn, void *arg)
{
	double runs[5];
	long n = 1, i;
	int r;

	for (;;) {
		uint64_t t = now_ns();

		for (i = 0; i < n; i++)
			fn(arg);
		if (now_ns() - t > 100000000)
			break;
		n *= 2;
	}
	for (r = 0; r < 5; r++) {
		uint64_t t = now_ns();

		for (i = 0; i < n; i++)
			fn(arg);
		runs[r] = (double)(now_ns() - t) / (double)n;
	}
	return median(runs, 5);
}

static void touch(char *p, size_t size)
{
	size_t off;

	for (off = 0; off < size; off += 4096)
		p[off] = 1;
}

static void op_vmalloc(void *arg)
{
	size_t size = *(size_t *)arg;
	char *p = vmalloc(size);

	if (!p) {
		fprintf(stderr, "vmalloc_bench: vmalloc(%zu) failed\n", size);
		exit(1);
	}
	touch(p, size);
	vfree(p);
}

static void op_mmap(void *arg)
{
	size_t size = *(size_t *)arg;
	char *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	touch(p, size);
	munmap(p, size);
}

static void op_kmap(void *arg)
{
	struct page *page = arg;
	volatile char *p = kmap(page);

	p[1] = 2;
	kunmap(page);
}

static void op_kmap_local(void *arg)
{
	struct page *page = arg;
	volatile char *p = kmap_local_page(page);

	p[1] = 2;
	kunmap_local((void *)p);
}

static struct mmk_machine *boot(enum mmk_arch arch, uint64_t mem)
{
	struct mmk_config cfg;
	struct mmk_machine *m;

	mmk_config_init(&cfg);
	cfg.arch = arch;
	cfg.mem_bytes = mem;
	m = mmk_boot(&cfg);
	if (!m) {
		fprintf(stderr, "vmalloc_bench: boot failed\n");
		exit(1);
	}
	return m;
}

static void check(struct mmk_machine *m)
{
	char why[256];

	if (mmk_check(m, why, sizeof why)) {
		fprintf(stderr, "vmalloc_bench: check failed: %s\n", why);
		exit(1);
	}
}

/* kmap and kmap_local pairs of a page allocated with @gfp. */
static void kmap_costs(gfp_t gfp, double *kmap_ns, double *kmap_local_ns)
{
	struct page *page = alloc_page(gfp);

	*kmap_ns = measure(op_kmap, page);
	*kmap_local_ns = measure(op_kmap_local, page);
	__free_page(page);
}

int main(void)
{
	static const size_t sizes[] = { 64 << 10, 4 << 20 };
	struct mmk_machine *m = boot(MMK_ARCH_X86_64, 4ULL << 30);
	double vm[2], host[2], kx, klx, ki, kli;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		size_t size = sizes[i];

		vm[i] = measure(op_vmalloc, &size);
		host[i] = measure(op_mmap, &size);
	}
	kmap_costs(GFP_KERNEL, &kx, &klx);
	check(m);
	mmk_shutdown(m);

	m = boot(MMK_ARCH_I386, 1ULL << 30);
	kmap_costs(GFP_HIGHUSER, &ki, &kli);
	check(m);
	mmk_shutdown(m);

	printf("vmalloc_bench: ns per operation, median of 5 runs; every page touched once\n");
	printf("   size      vmalloc+vfree   host mmap(POPULATE)+munmap   mmkit/host\n");
	for (i = 0; i < 2; i++)
		printf("   %-8s %14.0f %28.0f %12.2fx\n",
		       i ? "4 MiB" : "64 KiB", vm[i], host[i], vm[i] / host[i]);
	printf("\n   kmap+kunmap pair:             %6.1f ns (i386 highmem page), %5.1f ns (x86_64: page_address)\n",
	       ki, kx);
	printf("   kmap_local+kunmap_local pair: %6.1f ns (i386 highmem page), %5.1f ns (x86_64: page_address)\n",
	       kli, klx);
	printf("\n== goals\n");
	for (i = 0; i < 2; i++)
		printf("   %s  vmalloc+vfree of %s no slower than the host's mmap+munmap: %.2fx\n",
		       pass(vm[i] <= host[i]), i ? "4 MiB" : "64 KiB",
		       vm[i] / host[i]);
	return 0;
}
