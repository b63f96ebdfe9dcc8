// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_dmabuf_info BDF: what this kernel offers for one vfio-pci device.
 * Prints the memory BARs, whether DMABUF export (feature 11) and MEMATTR
 * (feature 14, which brings DMABUF mmap) are supported, exports the first
 * page of BAR0 as a DMABUF and tries to mmap it.  Where MEMATTR is there it
 * also maps BAR0's page 3 (the 82574L's TX tail register, TDT at 0x3818)
 * write-combining, and shows what the kernel made of both mappings: the
 * PTE from the page table dump and the PAT reservation.  Used by the lab
 * demo and as a diagnostic on any machine.
 */
#include <sys/mman.h>

#include "vfio_lab.h"

static const char *errstr(int ret)
{
	return ret < 0 ? strerror(-ret) : "supported";
}

/* Touch the mapping, then print its PTE and the PAT entry of @phys */
static void show_mapping(const char *what, void *map, __u64 phys)
{
	char pte[256], pat[256];

	(void)*(volatile __u32 *)map;
	if (pte_dump_line(map, pte, sizeof(pte)))
		snprintf(pte, sizeof(pte), "(no page table dump in debugfs)");
	pat_memtype_line(phys, pat, sizeof(pat));
	printf("  %s\n    PTE: %s\n    PAT: %s\n", what, pte,
	       pat[0] ? pat : "(no reservation: UC- by default)");
}

static __u64 bar0_phys(const char *bdf)
{
	unsigned long long start = 0;
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%llx", &start) != 1)
			start = 0;
		fclose(f);
	}
	return start;
}

/* BAR0 page 3 as a WC DMABUF, mapped, shown beside the NC one at @nc */
static void show_wc_doorbell(const char *bdf, int device, void *nc)
{
	struct vfio_region_dma_range range = { 3 * 4096, 4096 };
	struct vfio_device_feature_dma_buf_memattr attr = {
		.memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC,
	};
	__u64 phys = bar0_phys(bdf);
	void *wc;
	int fd;

	fd = dmabuf_export(device, VFIO_PCI_BAR0_REGION_INDEX, 0,
			   O_RDWR | O_CLOEXEC, &range, 1);
	if (fd < 0) {
		printf("  DMABUF of BAR0 page 3: export failed: %s\n", strerror(-fd));
		return;
	}
	attr.dmabuf_fd = fd;
	if (device_feature(device, VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &attr, sizeof(attr)) < 0) {
		printf("  DMA_BUF_MEMATTR WC: %s\n", strerror(errno));
		close(fd);
		return;
	}
	wc = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (wc == MAP_FAILED) {
		printf("  mmap of the WC DMABUF: %s\n", strerror(errno));
	} else {
		show_mapping("BAR0 page 0, NC DMABUF mapping:", nc, phys);
		show_mapping("BAR0 page 3 (TDT), WC DMABUF mapping:", wc, phys + 3 * 4096);
		munmap(wc, 4096);
	}
	close(fd);
}

int main(int argc, char *argv[])
{
	struct vfio_region_dma_range range = { 0, 4096 };
	struct vfio_dev dev = { -1, -1, -1, false };
	char size[32], exp_name[64];
	unsigned int i;
	int ret, fd;
	void *map;

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF\n", argv[0]);
		return 2;
	}
	ret = vfio_dev_open(argv[1], &dev);
	if (ret) {
		fprintf(stderr, "%s: cannot open through VFIO: %s\n", argv[1], strerror(-ret));
		vfio_dev_close(&dev);
		return 1;
	}
	printf("%s: opened through VFIO (%s)\n", argv[1],
	       dev.noiommu ? "no-IOMMU group" : "IOMMU group, type1");

	for (i = VFIO_PCI_BAR0_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		struct vfio_region_info info = { .argsz = sizeof(info), .index = i };

		if (ioctl(dev.device, VFIO_DEVICE_GET_REGION_INFO, &info) || !info.size)
			continue;
		printf("  BAR%u: %llu bytes%s\n", i, (unsigned long long)info.size,
		       info.flags & VFIO_REGION_INFO_FLAG_MMAP ? ", mmap-able" : ", no mmap (I/O)");
	}

	ret = device_feature(dev.device, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0);
	printf("  VFIO_DEVICE_FEATURE_DMA_BUF (11): %s\n", errstr(ret));
	ret = device_feature(dev.device, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
			     VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0);
	printf("  VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (14): %s\n", errstr(ret));

	fd = dmabuf_export(dev.device, VFIO_PCI_BAR0_REGION_INDEX, 0, O_RDWR | O_CLOEXEC,
			   &range, 1);
	if (fd < 0) {
		printf("  DMABUF of BAR0 [0, 4 KiB): export failed: %s\n", strerror(-fd));
	} else {
		fdinfo_field(fd, "size", size, sizeof(size));
		fdinfo_field(fd, "exp_name", exp_name, sizeof(exp_name));
		printf("  DMABUF of BAR0 [0, 4 KiB): fd %d, size %s, exporter %s\n",
		       fd, size, exp_name);
		map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (map == MAP_FAILED) {
			printf("  mmap of the DMABUF: %s (userspace falls back to the region mmap)\n",
			       strerror(errno));
		} else {
			printf("  mmap of the DMABUF: mapped at %p, STATUS register 0x%08x\n",
			       map, *(volatile __u32 *)((char *)map + 8));
			show_wc_doorbell(argv[1], dev.device, map);
			munmap(map, 4096);
		}
		close(fd);
	}
	vfio_dev_close(&dev);
	return 0;
}
