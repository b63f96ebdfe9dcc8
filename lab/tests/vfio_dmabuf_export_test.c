// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO_DEVICE_FEATURE_DMA_BUF from userspace: export of BAR ranges as
 * DMABUFs and the errors for bad requests, on whatever kernel the lab
 * booted.  The caller says what the kernel is expected to support, never
 * the kernel:
 *
 *   VFIO_DMABUF_EXPECT=mmap|export|none VFIO_DMABUF_EXPORTER=NAME \
 *	vfio_dmabuf_export_test [harness opts] BDF
 *
 * "mmap": our series (or the variant driver): every export case must pass
 * and a DMABUF must mmap().  "export": stock Linux 7.2 and later, every
 * export case must pass and mmap() must fail.  "none": a kernel without the
 * feature (Linux 6.1), every request must fail with ENOTTY, and nothing
 * else.  NAME is the exporter fdinfo must name (vfio_pci_core, or the
 * variant driver's vfio_dmabuf_pci).
 *
 * The device is opened through the VFIO group API, with the type1 IOMMU
 * or, where the group is a no-IOMMU group, the no-IOMMU container.
 */
#include <sys/mman.h>

#include <linux/pci_regs.h>

#include "vfio_lab.h"
#include "kselftest_harness.h"

#define PAGE 4096UL
/* 82574L register: device status, read-only, never zero after reset. */
#define E1000_STATUS 0x8

static const char *device_bdf;
static const char *expect_exporter;
static bool expect_export;
static bool expect_mmap;

FIXTURE(dma_buf) {
	struct vfio_dev dev;
	struct vfio_region_info bar0;
	struct vfio_region_info io_bar;
};

FIXTURE_SETUP(dma_buf)
{
	struct vfio_region_info info = { .argsz = sizeof(info) };
	unsigned int i;

	memset(&self->dev, -1, sizeof(self->dev));
	ASSERT_EQ(0, vfio_dev_open(device_bdf, &self->dev));

	self->bar0.argsz = sizeof(self->bar0);
	self->bar0.index = VFIO_PCI_BAR0_REGION_INDEX;
	ASSERT_EQ(0, ioctl(self->dev.device, VFIO_DEVICE_GET_REGION_INFO, &self->bar0));
	ASSERT_GE(self->bar0.size, 4 * PAGE);

	/* The 82574L has one I/O port BAR; find it by its lack of mmap. */
	memset(&self->io_bar, 0, sizeof(self->io_bar));
	for (i = VFIO_PCI_BAR1_REGION_INDEX; i <= VFIO_PCI_BAR5_REGION_INDEX; i++) {
		info.index = i;
		if (ioctl(self->dev.device, VFIO_DEVICE_GET_REGION_INFO, &info))
			continue;
		if (info.size && !(info.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			self->io_bar = info;
			break;
		}
	}
}

FIXTURE_TEARDOWN(dma_buf)
{
	vfio_dev_close(&self->dev);
}

/* Without the feature, every use of it is ENOTTY, and that is all. */
#define SKIP_UNLESS_EXPORT()						\
	do {								\
		if (!expect_export) {					\
			struct vfio_region_dma_range r = { 0, PAGE };	\
			ASSERT_EQ(-ENOTTY, dmabuf_export(self->dev.device, 0, 0, \
							 O_RDWR, &r, 1)); \
			return;						\
		}							\
	} while (0)

TEST_F(dma_buf, probe)
{
	int ret = device_feature(self->dev.device, VFIO_DEVICE_FEATURE_PROBE |
				 VFIO_DEVICE_FEATURE_GET |
				 VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0);

	ASSERT_EQ(expect_export ? 0 : -ENOTTY, ret);
}

TEST_F(dma_buf, probe_set_is_rejected)
{
	int ret = device_feature(self->dev.device, VFIO_DEVICE_FEATURE_PROBE |
				 VFIO_DEVICE_FEATURE_SET |
				 VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0);

	ASSERT_EQ(expect_export ? -EINVAL : -ENOTTY, ret);
}

TEST_F(dma_buf, export_one_page)
{
	struct vfio_region_dma_range r = { .offset = PAGE, .length = PAGE };
	char val[64];
	int fd;

	SKIP_UNLESS_EXPORT();
	fd = dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1);
	ASSERT_GE(fd, 0);
	/* A DMABUF reports its size through llseek and fdinfo. */
	ASSERT_EQ((off_t)PAGE, lseek(fd, 0, SEEK_END));
	fdinfo_field(fd, "exp_name", val, sizeof(val));
	ASSERT_STREQ(expect_exporter, val);
	fdinfo_field(fd, "size", val, sizeof(val));
	ASSERT_EQ(PAGE, strtoul(val, NULL, 0));
	ASSERT_EQ(0, close(fd));
}

TEST_F(dma_buf, export_whole_bar)
{
	struct vfio_region_dma_range r = { 0, self->bar0.size };
	int fd;

	SKIP_UNLESS_EXPORT();
	fd = dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((off_t)self->bar0.size, lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, close(fd));
}

TEST_F(dma_buf, export_two_ranges_with_gap)
{
	struct vfio_region_dma_range r[2] = {
		{ .offset = 0, .length = PAGE },
		{ .offset = 3 * PAGE, .length = PAGE },
	};
	int fd;

	SKIP_UNLESS_EXPORT();
	fd = dmabuf_export(self->dev.device, 0, 0, O_RDWR, r, 2);
	ASSERT_GE(fd, 0);
	ASSERT_EQ((off_t)(2 * PAGE), lseek(fd, 0, SEEK_END));
	ASSERT_EQ(0, close(fd));
}

TEST_F(dma_buf, export_cloexec)
{
	struct vfio_region_dma_range r = { 0, PAGE };
	int fd;

	SKIP_UNLESS_EXPORT();
	fd = dmabuf_export(self->dev.device, 0, 0, O_RDWR | O_CLOEXEC, &r, 1);
	ASSERT_GE(fd, 0);
	ASSERT_TRUE(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, close(fd));
}

TEST_F(dma_buf, aliasing_exports_are_distinct)
{
	struct vfio_region_dma_range r = { 0, PAGE };
	int a, b;

	SKIP_UNLESS_EXPORT();
	a = dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1);
	b = dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	ASSERT_NE(a, b);
	ASSERT_EQ(0, close(a));
	ASSERT_EQ(0, close(b));
}

TEST_F(dma_buf, bad_unaligned_offset)
{
	struct vfio_region_dma_range r = { .offset = 8, .length = PAGE };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_unaligned_length)
{
	struct vfio_region_dma_range r = { .offset = 0, .length = PAGE + 4 };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_zero_length)
{
	struct vfio_region_dma_range r[2] = { { 0, PAGE }, { PAGE, 0 } };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, 0, 0, O_RDWR, r, 2));
}

TEST_F(dma_buf, bad_range_past_bar_end)
{
	struct vfio_region_dma_range r = { self->bar0.size - PAGE, 2 * PAGE };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_range_starts_at_bar_end)
{
	struct vfio_region_dma_range r = { self->bar0.size, PAGE };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_offset_overflows)
{
	struct vfio_region_dma_range r = { ~0ULL & ~(PAGE - 1), PAGE };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EOVERFLOW, dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_no_ranges)
{
	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, 0, 0, O_RDWR, NULL, 0));
}

TEST_F(dma_buf, bad_flags)
{
	struct vfio_region_dma_range r = { 0, PAGE };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, 0, 1, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_region_rom_and_config)
{
	struct vfio_region_dma_range r = { 0, PAGE };

	SKIP_UNLESS_EXPORT();
	ASSERT_EQ(-ENODEV, dmabuf_export(self->dev.device, VFIO_PCI_ROM_REGION_INDEX,
					 0, O_RDWR, &r, 1));
	ASSERT_EQ(-ENODEV, dmabuf_export(self->dev.device, VFIO_PCI_CONFIG_REGION_INDEX,
					 0, O_RDWR, &r, 1));
	ASSERT_EQ(-ENODEV, dmabuf_export(self->dev.device, 1000, 0, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_io_port_bar)
{
	struct vfio_region_dma_range r = { 0, PAGE };

	SKIP_UNLESS_EXPORT();
	ASSERT_NE(0ULL, self->io_bar.size);
	/* I/O space has no physical address to share: no provider for it. */
	ASSERT_EQ(-EINVAL, dmabuf_export(self->dev.device, self->io_bar.index,
					 0, O_RDWR, &r, 1));
}

TEST_F(dma_buf, bad_argsz_too_small)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf req;
		struct vfio_region_dma_range range;
	} arg = {
		.hdr.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
		.req.nr_ranges = 1,
		.range = { 0, PAGE },
	};

	SKIP_UNLESS_EXPORT();
	arg.hdr.argsz = sizeof(arg.hdr) + sizeof(arg.req) - 1;
	ASSERT_EQ(-1, ioctl(self->dev.device, VFIO_DEVICE_FEATURE, &arg));
	ASSERT_EQ(EINVAL, errno);
}

/*
 * mmap() of a DMABUF and the MEMATTR feature come together (our series).
 * Where the kernel lacks them, mmap must fail (userspace falls back to the
 * region mmap); where it has them, the mapping must show the same
 * registers as the region read.
 */
TEST_F(dma_buf, mmap_and_memattr_as_expected)
{
	struct vfio_region_dma_range r = { 0, PAGE };
	__u32 status_rw;
	int has_memattr;
	void *map;
	int fd;

	SKIP_UNLESS_EXPORT();
	has_memattr = device_feature(self->dev.device, VFIO_DEVICE_FEATURE_PROBE |
				     VFIO_DEVICE_FEATURE_SET |
				     VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0);
	ASSERT_EQ(expect_mmap ? 0 : -ENOTTY, has_memattr);
	fd = dmabuf_export(self->dev.device, 0, 0, O_RDWR, &r, 1);
	ASSERT_GE(fd, 0);
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (!expect_mmap) {
		ASSERT_EQ(MAP_FAILED, map);
		ASSERT_EQ(EINVAL, errno);
	} else {
		ASSERT_NE(MAP_FAILED, map);
		ASSERT_EQ((ssize_t)sizeof(status_rw),
			  pread(self->dev.device, &status_rw, sizeof(status_rw),
				self->bar0.offset + E1000_STATUS));
		ASSERT_NE(0U, status_rw);
		ASSERT_EQ(status_rw, *(volatile __u32 *)((char *)map + E1000_STATUS));
		ASSERT_EQ(0, munmap(map, PAGE));
	}
	ASSERT_EQ(0, close(fd));
}

int main(int argc, char *argv[])
{
	const char *expect = getenv("VFIO_DMABUF_EXPECT");

	expect_exporter = getenv("VFIO_DMABUF_EXPORTER");
	if (argc < 2 || !expect || !expect_exporter ||
	    (strcmp(expect, "mmap") && strcmp(expect, "export") &&
	     strcmp(expect, "none"))) {
		fprintf(stderr, "usage: VFIO_DMABUF_EXPECT=mmap|export|none VFIO_DMABUF_EXPORTER=NAME %s [harness options] BDF\n",
			argv[0]);
		return KSFT_FAIL;
	}
	expect_mmap = !strcmp(expect, "mmap");
	expect_export = expect_mmap || !strcmp(expect, "export");
	device_bdf = argv[--argc];
	return test_harness_run(argc, argv);
}
