// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_dmabuf_timing BDF [ROUNDS]: how long the kernel takes to give
 * userspace one doorbell page, the way the vfio_dmabuf bus asks for it:
 * export BAR0's page 3 as a DMABUF, set it WC, mmap() it and touch it (the
 * first access faults the PFN in).  Each step is timed on its own, ROUNDS
 * times (default 200), then unmapped and closed; the same without the
 * MEMATTR step (NC) and the classic region mmap of the same page for
 * comparison.  Prints "min median p99" in microseconds per step:
 *
 *   timing dmabuf-wc export 21.4 25.0 61.2
 *
 * A way the kernel does not offer is reported as unavailable with the
 * errno, not timed.  Exit status 1 only if a way that is offered fails.
 */
#include <sys/mman.h>
#include <time.h>

#include "vfio_lab.h"

#define PAGE		4096
#define DOORBELL_PAGE	(3 * PAGE)	/* the 82574L's TDT page */
#define TDT		0x818		/* in that page */

enum step { EXPORT, MEMATTR, MMAP, FIRST_ACCESS, TOTAL, NR_STEPS };

static const char * const step_name[NR_STEPS] = {
	"export", "memattr", "mmap", "first-access", "total",
};

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void print_step(const char *way, enum step s, double *t, int rounds)
{
	qsort(t, rounds, sizeof(*t), cmp_double);
	printf("timing %s %s %.1f %.1f %.1f\n", way, step_name[s],
	       t[0], t[rounds / 2], t[rounds * 99 / 100]);
}

/*
 * One round of a way: fills t[step] for the steps it has.  Returns 0,
 * or -errno of the first step that failed.
 */
static int dmabuf_round(int device, bool wc, double t[NR_STEPS])
{
	struct vfio_region_dma_range range = { DOORBELL_PAGE, PAGE };
	struct vfio_device_feature_dma_buf_memattr attr = {
		.memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC,
	};
	double t0, t1, t2, t3, t4;
	int fd, ret = 0;
	void *map;

	t0 = now_us();
	fd = dmabuf_export(device, VFIO_PCI_BAR0_REGION_INDEX, 0,
			   O_RDWR | O_CLOEXEC, &range, 1);
	if (fd < 0)
		return fd;
	t1 = now_us();
	if (wc) {
		attr.dmabuf_fd = fd;
		if (device_feature(device, VFIO_DEVICE_FEATURE_SET |
				   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
				   &attr, sizeof(attr)) < 0) {
			ret = -errno;
			goto out;
		}
	}
	t2 = now_us();
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto out;
	}
	t3 = now_us();
	(void)*(volatile __u32 *)((char *)map + TDT);
	t4 = now_us();
	munmap(map, PAGE);
	t[EXPORT] = t1 - t0;
	t[MEMATTR] = t2 - t1;
	t[MMAP] = t3 - t2;
	t[FIRST_ACCESS] = t4 - t3;
	t[TOTAL] = t4 - t0;
out:
	close(fd);
	return ret;
}

static int region_round(int device, __u64 bar0_offset, double t[NR_STEPS])
{
	double t0, t1, t2;
	void *map;

	t0 = now_us();
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, device,
		   bar0_offset + DOORBELL_PAGE);
	if (map == MAP_FAILED)
		return -errno;
	t1 = now_us();
	(void)*(volatile __u32 *)((char *)map + TDT);
	t2 = now_us();
	munmap(map, PAGE);
	t[MMAP] = t1 - t0;
	t[FIRST_ACCESS] = t2 - t1;
	t[TOTAL] = t2 - t0;
	return 0;
}

enum way { DMABUF_WC, DMABUF_NC, REGION, NR_WAYS };

static const char * const way_name[NR_WAYS] = {
	"dmabuf-wc", "dmabuf-nc", "region",
};

/* The steps a way has */
static bool way_has_step(enum way w, enum step s)
{
	if (w == REGION)
		return s != EXPORT && s != MEMATTR;
	return w == DMABUF_WC || s != MEMATTR;
}

int main(int argc, char *argv[])
{
	struct vfio_region_info bar0 = {
		.argsz = sizeof(bar0), .index = VFIO_PCI_BAR0_REGION_INDEX,
	};
	struct vfio_dev dev = { -1, -1, -1, false };
	double *t[NR_STEPS], one[NR_STEPS];
	int rounds = 200, ret, status = 0;
	enum step s;
	enum way w;
	int i;

	if (argc < 2 || argc > 3 || (argc == 3 && (rounds = atoi(argv[2])) < 1)) {
		fprintf(stderr, "usage: %s BDF [ROUNDS]\n", argv[0]);
		return 2;
	}
	ret = vfio_dev_open(argv[1], &dev);
	if (ret || ioctl(dev.device, VFIO_DEVICE_GET_REGION_INFO, &bar0)) {
		fprintf(stderr, "%s: cannot open through VFIO: %s\n", argv[1],
			strerror(ret ? -ret : errno));
		vfio_dev_close(&dev);
		return 1;
	}
	for (s = 0; s < NR_STEPS; s++)
		t[s] = calloc(rounds, sizeof(double));
	printf("timing of %s (%s), %d rounds, microseconds: min median p99\n",
	       argv[1], dev.noiommu ? "no-IOMMU group" : "IOMMU group, type1",
	       rounds);

	for (w = 0; w < NR_WAYS; w++) {
		for (i = 0; i < rounds; i++) {
			if (w == REGION)
				ret = region_round(dev.device, bar0.offset, one);
			else
				ret = dmabuf_round(dev.device, w == DMABUF_WC, one);
			if (ret)
				break;
			for (s = 0; s < NR_STEPS; s++)
				t[s][i] = one[s];
		}
		if (ret && i == 0 && (ret == -ENOTTY || ret == -EINVAL)) {
			/* ENOTTY: no such feature; EINVAL: a DMABUF without mmap() */
			printf("timing %s unavailable: %s\n", way_name[w], strerror(-ret));
			continue;
		}
		if (ret) {
			printf("timing %s failed in round %d: %s\n", way_name[w], i,
			       strerror(-ret));
			status = 1;
			continue;
		}
		for (s = 0; s < NR_STEPS; s++)
			if (way_has_step(w, s))
				print_step(way_name[w], s, t[s], rounds);
	}

	for (s = 0; s < NR_STEPS; s++)
		free(t[s]);
	vfio_dev_close(&dev);
	return status;
}
