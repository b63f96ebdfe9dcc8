/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Mapping a device: open it through EAL VFIO, then map each BAR the driver
 * uses at one reserved address range.  The BAR is cut at the driver's
 * doorbells; each piece is a DMABUF (VFIO_DEVICE_FEATURE_DMA_BUF) mmap()ed
 * with MAP_FIXED into its place, the doorbells write-combining
 * (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR) when asked for.  What the kernel can
 * do is found out per device, falling back with one log line each:
 *   no DMABUF export   -> region mmap() of the whole BAR, uncached
 *   no DMABUF mmap()   -> region mmap() of the whole BAR, uncached
 *   no MEMATTR         -> DMABUF mmap(), everything uncached
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/pci_regs.h>

#include <rte_eal.h>
#include <rte_eal_paging.h>
#include <rte_vfio.h>

#include "private.h"
#include "vfio_dmabuf_uapi.h"

static int
vfio_region_info(int vfio_fd, unsigned int index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(vfio_fd, VFIO_DEVICE_GET_REGION_INFO, info) == 0 ? 0 : -errno;
}

/* VFIO_DEVICE_FEATURE with @len bytes of @data: what it returns, or -errno */
static int
vfio_device_feature(int vfio_fd, uint32_t flags, const void *data, size_t len)
{
	uint64_t buf[8];
	struct vfio_device_feature *feature = (void *)buf;
	int ret;

	RTE_VERIFY(sizeof(*feature) + len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	feature->argsz = sizeof(*feature) + len;
	feature->flags = flags;
	if (len != 0)
		memcpy(feature->data, data, len);
	ret = ioctl(vfio_fd, VFIO_DEVICE_FEATURE, feature);
	return ret < 0 ? -errno : ret;
}

/* A DMABUF of [@offset, @offset + @len) of BAR @bar: its fd, or -errno */
static int
vfio_dmabuf_export(int vfio_fd, uint8_t bar, uint64_t offset, uint64_t len)
{
	/* One range after the header's flexible array: a plain buffer */
	uint64_t buf[(sizeof(struct vfio_device_feature_dma_buf) +
		      sizeof(struct vfio_region_dma_range)) / sizeof(uint64_t)];
	struct vfio_device_feature_dma_buf *req = (void *)buf;

	memset(buf, 0, sizeof(buf));
	req->region_index = bar;
	req->open_flags = O_RDWR | O_CLOEXEC;
	req->nr_ranges = 1;
	req->dma_ranges[0].offset = offset;
	req->dma_ranges[0].length = len;
	return vfio_device_feature(vfio_fd, VFIO_DEVICE_FEATURE_GET |
				   VFIO_DEVICE_FEATURE_DMA_BUF, buf, sizeof(buf));
}

static int
vfio_dmabuf_memattr_request(int vfio_fd, int dmabuf_fd, uint32_t memattr)
{
	struct vfio_device_feature_dma_buf_memattr req = {
		.dmabuf_fd = dmabuf_fd,
		.memattr = memattr,
	};

	return vfio_device_feature(vfio_fd, VFIO_DEVICE_FEATURE_SET |
				   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
				   &req, sizeof(req));
}

static int
vfio_dmabuf_set_memattr(int vfio_fd, int dmabuf_fd, enum rte_vfio_dmabuf_attr attr)
{
	return vfio_dmabuf_memattr_request(vfio_fd, dmabuf_fd,
					   attr == RTE_VFIO_DMABUF_ATTR_WC ?
					   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC :
					   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC);
}

/*
 * Whether the feature numbered VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR answers
 * as our series documents, before the bus trusts it: the number is not
 * upstream's, and a kernel that gave it to another feature must not be
 * taken for one that maps WC.  Only requests the series refuses are sent,
 * the harmless first: a GET (SET only: EINVAL), no DMABUF (EBADF), and an
 * attribute it does not know on a DMABUF of @bar (EINVAL).
 */
static bool
vfio_dmabuf_memattr_is_ours(struct rte_vfio_dmabuf_device *dev, uint8_t bar)
{
	int fd, ret;

	if (vfio_device_feature(dev->vfio_fd, VFIO_DEVICE_FEATURE_PROBE |
				VFIO_DEVICE_FEATURE_GET |
				VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0) != -EINVAL ||
	    vfio_dmabuf_memattr_request(dev->vfio_fd, -1,
					VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC) != -EBADF)
		return false;
	fd = vfio_dmabuf_export(dev->vfio_fd, bar, 0, rte_mem_page_size());
	if (fd < 0)
		return false;
	ret = vfio_dmabuf_memattr_request(dev->vfio_fd, fd, UINT32_MAX);
	close(fd);
	return ret == -EINVAL;
}

/* What this kernel lets us do with @dev's BAR @bar, said once per device */
enum rte_vfio_dmabuf_method
vfio_dmabuf_kernel_method(struct rte_vfio_dmabuf_device *dev, uint8_t bar)
{
	size_t page = rte_mem_page_size();
	void *map;
	int fd;

	if (vfio_device_feature(dev->vfio_fd, VFIO_DEVICE_FEATURE_PROBE |
				VFIO_DEVICE_FEATURE_GET |
				VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0) != 0) {
		VFIO_DMABUF_LOG(NOTICE, "%s: region mmap, uncached: kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF",
				dev->name);
		return RTE_VFIO_DMABUF_METHOD_REGION;
	}
	if (vfio_device_feature(dev->vfio_fd, VFIO_DEVICE_FEATURE_PROBE |
				VFIO_DEVICE_FEATURE_SET |
				VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0) == 0) {
		if (vfio_dmabuf_memattr_is_ours(dev, bar))
			return RTE_VFIO_DMABUF_METHOD_DMABUF;
		VFIO_DMABUF_LOG(NOTICE, "%s: VFIO device feature %u does not answer as DMA_BUF_MEMATTR: not used",
				dev->name, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR);
	}

	/* A kernel with export but without our series cannot mmap() it */
	fd = vfio_dmabuf_export(dev->vfio_fd, bar, 0, page);
	map = fd < 0 ? MAP_FAILED :
	      mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	if (fd >= 0)
		close(fd);
	if (map == MAP_FAILED) {
		VFIO_DMABUF_LOG(NOTICE, "%s: region mmap, uncached: kernel cannot mmap() a VFIO DMABUF",
				dev->name);
		return RTE_VFIO_DMABUF_METHOD_REGION;
	}
	munmap(map, page);
	if (dev->wc)
		VFIO_DMABUF_LOG(NOTICE, "%s: WC unavailable: kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR",
				dev->name);
	return RTE_VFIO_DMABUF_METHOD_DMABUF_NC;
}

static int
vfio_dmabuf_add_range(struct rte_vfio_dmabuf_device *dev, uint8_t bar,
		      uint64_t offset, uint64_t len, enum rte_vfio_dmabuf_attr attr)
{
	struct rte_vfio_dmabuf_range *r;

	if (dev->nb_ranges == RTE_DIM(dev->ranges)) {
		VFIO_DMABUF_LOG(ERR, "%s: more than %u ranges to map",
				dev->name, (unsigned int)RTE_DIM(dev->ranges));
		return -E2BIG;
	}
	r = &dev->ranges[dev->nb_ranges++];
	r->bar = bar;
	r->offset = offset;
	r->len = len;
	r->requested = attr;
	r->obtained = RTE_VFIO_DMABUF_ATTR_NC;
	r->refused = 0;
	r->verified = RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED;
	r->verified_by = RTE_VFIO_DMABUF_VERIFIED_BY_NONE;
	r->dmabuf_fd = -1;
	r->addr = NULL;
	return 0;
}

/*
 * Cut BAR @bar at the driver's doorbells: each doorbell becomes a WC range
 * (NC unless WC is asked for), each gap an NC range.  The doorbells of a
 * driver are sorted by offset and do not overlap.
 */
int
vfio_dmabuf_plan_bar(struct rte_vfio_dmabuf_device *dev, uint8_t bar)
{
	const struct rte_vfio_dmabuf_driver *drv = dev->driver;
	uint64_t page = rte_mem_page_size(), pos = 0;
	enum rte_vfio_dmabuf_attr db_attr;
	unsigned int i;
	int ret;

	db_attr = dev->wc ? RTE_VFIO_DMABUF_ATTR_WC : RTE_VFIO_DMABUF_ATTR_NC;
	for (i = 0; i < drv->nb_doorbells; i++) {
		const struct rte_vfio_dmabuf_doorbell *db = &drv->doorbells[i];

		if (db->bar != bar)
			continue;
		if (db->len == 0 || db->offset % page != 0 || db->len % page != 0 ||
		    db->offset < pos || db->offset + db->len > dev->bars[bar].len) {
			VFIO_DMABUF_LOG(ERR, "%s: driver %s: doorbell BAR%u [0x%" PRIx64 ", +0x%" PRIx64 ") is not page aligned, overlaps another or is outside the BAR",
					dev->name, drv->driver.name, bar,
					db->offset, db->len);
			return -EINVAL;
		}
		if (db->offset > pos) {
			ret = vfio_dmabuf_add_range(dev, bar, pos, db->offset - pos,
						    RTE_VFIO_DMABUF_ATTR_NC);
			if (ret != 0)
				return ret;
		}
		ret = vfio_dmabuf_add_range(dev, bar, db->offset, db->len, db_attr);
		if (ret != 0)
			return ret;
		pos = db->offset + db->len;
	}
	if (pos < dev->bars[bar].len)
		return vfio_dmabuf_add_range(dev, bar, pos,
					     dev->bars[bar].len - pos,
					     RTE_VFIO_DMABUF_ATTR_NC);
	return 0;
}

/* Map @r at its place, from its DMABUF fd (already exported) */
static int
vfio_dmabuf_map_range(struct rte_vfio_dmabuf_device *dev,
		      struct rte_vfio_dmabuf_range *r)
{
	void *want = (char *)dev->bars[r->bar].addr + r->offset;

	r->addr = mmap(want, r->len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, r->dmabuf_fd, 0);
	if (r->addr == MAP_FAILED) {
		r->addr = NULL;
		return -errno;
	}
	return 0;
}

/*
 * Export, set the attribute of and map one range (primary process).  The
 * kernel refuses WC while another mapping of the same pages exists (EBUSY:
 * a region mmap() of the BAR by another process, for example) or on the
 * MSI-X table with MSI-X enabled (EPERM): the range is then mapped NC, and
 * vfio_dmabuf_report() says so.
 */
static int
vfio_dmabuf_export_range(struct rte_vfio_dmabuf_device *dev,
			 struct rte_vfio_dmabuf_range *r)
{
	int ret;

	r->dmabuf_fd = vfio_dmabuf_export(dev->vfio_fd, r->bar, r->offset, r->len);
	if (r->dmabuf_fd < 0) {
		ret = r->dmabuf_fd;
		r->dmabuf_fd = -1;
		VFIO_DMABUF_LOG(ERR, "%s: DMABUF of BAR%u [0x%" PRIx64 ", +0x%" PRIx64 "): %s",
				dev->name, r->bar, r->offset, r->len, strerror(-ret));
		return ret;
	}

	r->obtained = RTE_VFIO_DMABUF_ATTR_NC;
	if (r->requested == RTE_VFIO_DMABUF_ATTR_WC &&
	    dev->method == RTE_VFIO_DMABUF_METHOD_DMABUF) {
		ret = vfio_dmabuf_set_memattr(dev->vfio_fd, r->dmabuf_fd,
					      RTE_VFIO_DMABUF_ATTR_WC);
		if (ret == 0) {
			ret = vfio_dmabuf_map_range(dev, r);
			if (ret == 0) {
				r->obtained = RTE_VFIO_DMABUF_ATTR_WC;
				return 0;
			}
			vfio_dmabuf_set_memattr(dev->vfio_fd, r->dmabuf_fd,
						RTE_VFIO_DMABUF_ATTR_NC);
		}
		r->refused = -ret;
	}
	ret = vfio_dmabuf_map_range(dev, r);
	if (ret != 0)
		VFIO_DMABUF_LOG(ERR, "%s: mmap of the DMABUF of BAR%u [0x%" PRIx64 ", +0x%" PRIx64 "): %s",
				dev->name, r->bar, r->offset, r->len, strerror(-ret));
	return ret;
}

/*
 * The parts of a BAR region that vfio-pci lets userspace mmap(): the whole
 * region, or only the areas of its sparse-mmap capability (a variant
 * driver keeping some registers to itself).  @info is the region info as
 * the kernel wrote it, @len bytes with its capability chain.  Fills
 * @areas (at most @max) and returns their number, or -EINVAL if the chain
 * or an area does not fit in @len or in the region.
 */
int
vfio_dmabuf_mmap_areas(const struct vfio_region_info *info, size_t len,
		       struct vfio_region_sparse_mmap_area *areas, unsigned int max)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse = NULL;
	const struct vfio_info_cap_header *hdr;
	uint32_t off, hops = 0;
	unsigned int i;

	off = (info->flags & VFIO_REGION_INFO_FLAG_CAPS) ? info->cap_offset : 0;
	for (; off != 0 && sparse == NULL; off = hdr->next) {
		/* The kernel puts each capability 8-byte aligned, after the info */
		if (++hops > 16 || off < sizeof(*info) || off % 8 != 0 ||
		    off > len || len - off < sizeof(*hdr))
			return -EINVAL;
		hdr = RTE_PTR_ADD(info, off);
		if (hdr->id != VFIO_REGION_INFO_CAP_SPARSE_MMAP)
			continue;
		sparse = (const void *)hdr;
		if (len - off < sizeof(*sparse) ||
		    sparse->nr_areas > (len - off - sizeof(*sparse)) / sizeof(areas[0]))
			return -EINVAL;
	}
	if (sparse == NULL) {
		if (max == 0)
			return -EINVAL;
		areas[0].offset = 0;
		areas[0].size = info->size;
		return 1;
	}
	if (sparse->nr_areas > max)
		return -EINVAL;
	for (i = 0; i < sparse->nr_areas; i++) {
		if (sparse->areas[i].offset > info->size ||
		    sparse->areas[i].size > info->size - sparse->areas[i].offset)
			return -EINVAL;
		areas[i] = sparse->areas[i];
	}
	return sparse->nr_areas;
}

/* Region info of @bar with its capability chain, malloc()ed: NULL on error */
static struct vfio_region_info *
vfio_region_info_caps(int vfio_fd, uint8_t bar, size_t *len)
{
	struct vfio_region_info *info, *bigger;
	uint32_t argsz = sizeof(*info);

	info = calloc(1, argsz);
	while (info != NULL) {
		info->argsz = argsz;
		info->index = bar;
		if (ioctl(vfio_fd, VFIO_DEVICE_GET_REGION_INFO, info) != 0) {
			int err = errno;

			free(info);
			errno = err;
			return NULL;
		}
		if (info->argsz <= argsz)
			break;
		/* The kernel asks for room for its capabilities: once more */
		argsz = info->argsz;
		bigger = calloc(1, argsz);
		free(info);
		info = bigger;
	}
	*len = argsz;
	return info;
}

/*
 * The classic region mmap() of BAR @bar at its place: the whole BAR, or
 * the areas vfio-pci allows; the rest of the BAR stays unmapped.
 */
static int
vfio_dmabuf_mmap_region(struct rte_vfio_dmabuf_device *dev, uint8_t bar)
{
	struct vfio_region_sparse_mmap_area areas[VFIO_DMABUF_MAX_MMAP_AREAS];
	struct vfio_region_info *info;
	int i, nb_areas, ret = 0;
	size_t len;
	void *map;

	info = vfio_region_info_caps(dev->vfio_fd, bar, &len);
	if (info == NULL)
		return -errno;
	nb_areas = vfio_dmabuf_mmap_areas(info, len, areas, RTE_DIM(areas));
	if (nb_areas <= 0) {
		VFIO_DMABUF_LOG(ERR, "%s: BAR%u: %s", dev->name, bar, nb_areas < 0 ?
				"the kernel's sparse-mmap capability does not fit the region" :
				"vfio-pci lets no part of it be mapped");
		free(info);
		return nb_areas < 0 ? nb_areas : -ENODEV;
	}
	if (nb_areas != 1 || areas[0].size != info->size)
		VFIO_DMABUF_LOG(NOTICE, "%s: BAR%u: vfio-pci lets %d area(s) of it be mapped, the rest stays unmapped",
				dev->name, bar, nb_areas);
	for (i = 0; i < nb_areas && ret == 0; i++) {
		map = mmap(RTE_PTR_ADD(dev->bars[bar].addr, areas[i].offset), areas[i].size,
			   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			   dev->vfio_fd, info->offset + areas[i].offset);
		if (map == MAP_FAILED) {
			ret = -errno;
			VFIO_DMABUF_LOG(ERR, "%s: region mmap of BAR%u [0x%" PRIx64 ", +0x%" PRIx64 "): %s",
					dev->name, bar, (uint64_t)areas[i].offset,
					(uint64_t)areas[i].size, strerror(errno));
		}
	}
	free(info);
	return ret;
}

/* Reserve an address range for each BAR the driver uses */
static int
vfio_dmabuf_reserve_bars(struct rte_vfio_dmabuf_device *dev)
{
	struct vfio_region_info info;
	unsigned int bar;
	void *addr;
	int ret;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		if (!(dev->driver->bar_mask & RTE_BIT32(bar)))
			continue;
		ret = vfio_region_info(dev->vfio_fd, bar, &info);
		if (ret != 0 || info.size == 0 ||
		    !(info.flags & VFIO_REGION_INFO_FLAG_MMAP)) {
			VFIO_DMABUF_LOG(ERR, "%s: BAR%u is not a memory BAR that can be mapped",
					dev->name, bar);
			return -ENODEV;
		}
		addr = mmap(NULL, info.size, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (addr == MAP_FAILED)
			return -errno;
		dev->bars[bar].addr = addr;
		dev->bars[bar].len = info.size;
	}
	return 0;
}

static void
vfio_dmabuf_release_bars(struct rte_vfio_dmabuf_device *dev)
{
	unsigned int i;

	for (i = 0; i < dev->nb_ranges; i++)
		if (dev->ranges[i].dmabuf_fd >= 0)
			close(dev->ranges[i].dmabuf_fd);
	dev->nb_ranges = 0;
	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (dev->bars[i].addr != NULL)
			munmap(dev->bars[i].addr, dev->bars[i].len);
		dev->bars[i].addr = NULL;
		dev->bars[i].len = 0;
	}
}

int
vfio_dmabuf_set_bus_master(int vfio_fd, bool on)
{
	struct vfio_region_info info;
	uint16_t cmd;
	int ret;

	ret = vfio_region_info(vfio_fd, VFIO_PCI_CONFIG_REGION_INDEX, &info);
	if (ret != 0)
		return ret;
	if (pread(vfio_fd, &cmd, sizeof(cmd), info.offset + PCI_COMMAND) !=
	    sizeof(cmd))
		return -errno;
	if (on)
		cmd |= PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY;
	else
		cmd &= ~PCI_COMMAND_MASTER;
	if (pwrite(vfio_fd, &cmd, sizeof(cmd), info.offset + PCI_COMMAND) !=
	    sizeof(cmd))
		return -errno;
	return 0;
}

/* The mappings of a primary process: choose the method, then map */
static int
vfio_dmabuf_map_primary(struct rte_vfio_dmabuf_device *dev)
{
	unsigned int bar, i;
	int ret;

	/* Start from a known device state; not every device can reset */
	ioctl(dev->vfio_fd, VFIO_DEVICE_RESET);
	ret = vfio_dmabuf_set_bus_master(dev->vfio_fd, true);
	if (ret != 0) {
		VFIO_DMABUF_LOG(ERR, "%s: cannot enable bus mastering: %s",
				dev->name, strerror(-ret));
		return ret;
	}

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
		if (dev->bars[bar].addr == NULL)
			continue;
		if (dev->nb_ranges == 0)
			dev->method = vfio_dmabuf_kernel_method(dev, bar);
		/* The ranges say what was asked for, whichever the method */
		i = dev->nb_ranges;
		ret = vfio_dmabuf_plan_bar(dev, bar);
		if (ret == 0 && dev->method == RTE_VFIO_DMABUF_METHOD_REGION) {
			ret = vfio_dmabuf_mmap_region(dev, bar);
			for (; ret == 0 && i < dev->nb_ranges; i++)
				dev->ranges[i].addr = RTE_PTR_ADD(dev->bars[bar].addr,
								  dev->ranges[i].offset);
		}
		for (; ret == 0 && i < dev->nb_ranges; i++)
			ret = vfio_dmabuf_export_range(dev, &dev->ranges[i]);
		if (ret != 0)
			return ret;
	}
	return 0;
}

int
vfio_dmabuf_map_ranges(struct rte_vfio_dmabuf_device *dev)
{
	struct rte_vfio_dmabuf_range *r;
	unsigned int i;
	int ret;

	for (i = 0; i < dev->nb_ranges; i++) {
		r = &dev->ranges[i];
		if (r->dmabuf_fd >= 0) {
			ret = vfio_dmabuf_map_range(dev, r);
		} else {
			/* A region mmap() maps the whole BAR, once */
			ret = r->offset == 0 ? vfio_dmabuf_mmap_region(dev, r->bar) : 0;
			r->addr = RTE_PTR_ADD(dev->bars[r->bar].addr, r->offset);
		}
		if (ret != 0) {
			VFIO_DMABUF_LOG(ERR, "%s: cannot map BAR%u [0x%" PRIx64 ", +0x%" PRIx64 ") in this process: %s",
					dev->name, r->bar, r->offset, r->len,
					strerror(-ret));
			return ret;
		}
	}
	return 0;
}

int
vfio_dmabuf_map_device(struct rte_vfio_dmabuf_device *dev)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	int ret;

	ret = rte_vfio_setup_device(SYSFS_PCI_DEVICES, dev->name, &dev->vfio_fd,
				    &info);
	if (ret != 0) {
		VFIO_DMABUF_LOG(ERR, "%s: cannot open through VFIO (is its IOMMU group viable, and /dev/vfio accessible?)",
				dev->name);
		dev->vfio_fd = -1;
		return -ENODEV;
	}

	ret = vfio_dmabuf_reserve_bars(dev);
	if (ret == 0)
		ret = vfio_dmabuf_hotplug_enable(dev);
	if (ret == 0) {
		if (rte_eal_process_type() == RTE_PROC_PRIMARY)
			ret = vfio_dmabuf_map_primary(dev);
		else
			ret = vfio_dmabuf_mp_get_ranges(dev);
	}
	if (ret != 0) {
		vfio_dmabuf_unmap_device(dev);
		return ret;
	}

	VFIO_DMABUF_LOG(INFO, "%s: mapped by %s, doorbells %s", dev->name,
			rte_vfio_dmabuf_method_name(dev->method),
			dev->wc ? "WC requested" : "NC");
	vfio_dmabuf_report(dev);
	return 0;
}

void
vfio_dmabuf_unmap_device(struct rte_vfio_dmabuf_device *dev)
{
	vfio_dmabuf_hotplug_disable(dev);
	vfio_dmabuf_release_bars(dev);
	if (dev->vfio_fd >= 0)
		rte_vfio_release_device(SYSFS_PCI_DEVICES, dev->name, dev->vfio_fd);
	dev->vfio_fd = -1;
}

const struct rte_vfio_dmabuf_range *
rte_vfio_dmabuf_range_at(const struct rte_vfio_dmabuf_device *dev, uint8_t bar,
			 uint64_t offset)
{
	unsigned int i;

	for (i = 0; i < dev->nb_ranges; i++)
		if (dev->ranges[i].bar == bar && offset >= dev->ranges[i].offset &&
		    offset < dev->ranges[i].offset + dev->ranges[i].len)
			return &dev->ranges[i];
	return NULL;
}

int
rte_vfio_dmabuf_attr_at(const struct rte_vfio_dmabuf_device *dev, uint8_t bar,
			uint64_t offset)
{
	const struct rte_vfio_dmabuf_range *r = rte_vfio_dmabuf_range_at(dev, bar, offset);

	return r != NULL ? (int)r->obtained : -1;
}

const char *
rte_vfio_dmabuf_attr_name(enum rte_vfio_dmabuf_attr attr)
{
	return attr == RTE_VFIO_DMABUF_ATTR_WC ? "WC" : "NC";
}

const char *
rte_vfio_dmabuf_method_name(enum rte_vfio_dmabuf_method method)
{
	switch (method) {
	case RTE_VFIO_DMABUF_METHOD_DMABUF:
		return "dmabuf";
	case RTE_VFIO_DMABUF_METHOD_DMABUF_NC:
		return "dmabuf-no-memattr";
	case RTE_VFIO_DMABUF_METHOD_REGION:
		return "region";
	}
	return "unknown";
}
