/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Mapping a device: open it through EAL VFIO, then map each BAR the driver
 * uses at one reserved address range.  The BAR is cut at the driver's
 * doorbells; each piece is a DMABUF (VFIO_DEVICE_FEATURE_DMA_BUF) mmap()ed
 * with MAP_FIXED into its place, the doorbells write-combining
 * (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR) when asked for.  The kernel calls
 * are EAL's (rte_vfio_dmabuf.h), shared with bus/pci; what the kernel can
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
#include <rte_vfio_dmabuf.h>

#include "private.h"

static int
vfio_region_info(int vfio_fd, unsigned int index, struct vfio_region_info *info)
{
	memset(info, 0, sizeof(*info));
	info->argsz = sizeof(*info);
	info->index = index;
	return ioctl(vfio_fd, VFIO_DEVICE_GET_REGION_INFO, info) == 0 ? 0 : -errno;
}

/* What this kernel lets us do with @dev's BAR @bar, said once per device */
static enum rte_vfio_dmabuf_method
vfio_dmabuf_kernel_method(struct rte_vfio_dmabuf_device *dev, uint8_t bar)
{
	enum rte_vfio_dmabuf_method method;
	const char *why;

	method = rte_vfio_dmabuf_kernel_method(dev->vfio_fd, bar, &why);
	if (method == RTE_VFIO_DMABUF_METHOD_REGION)
		VFIO_DMABUF_LOG(NOTICE, "%s: region mmap, uncached: %s", dev->name, why);
	else if (method == RTE_VFIO_DMABUF_METHOD_DMABUF_NC && dev->wc)
		VFIO_DMABUF_LOG(NOTICE, "%s: WC unavailable: %s", dev->name, why);
	return method;
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

/* Export, set the attribute of and map one range (primary process) */
static int
vfio_dmabuf_export_range(struct rte_vfio_dmabuf_device *dev,
			 struct rte_vfio_dmabuf_range *r)
{
	int ret;

	ret = rte_vfio_dmabuf_map_range(dev->vfio_fd, dev->method,
					dev->bars[r->bar].addr, r);
	if (ret != 0)
		VFIO_DMABUF_LOG(ERR, "%s: DMABUF of BAR%u [0x%" PRIx64 ", +0x%" PRIx64 "): %s",
				dev->name, r->bar, r->offset, r->len, strerror(-ret));
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
			ret = rte_vfio_dmabuf_mmap_region(dev->vfio_fd, bar,
							  dev->bars[bar].addr, dev->name);
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
			ret = rte_vfio_dmabuf_mmap(dev->bars[r->bar].addr, r);
		} else {
			/* A region mmap() maps the whole BAR, once */
			ret = r->offset != 0 ? 0 :
			      rte_vfio_dmabuf_mmap_region(dev->vfio_fd, r->bar,
							  dev->bars[r->bar].addr, dev->name);
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

static void
vfio_dmabuf_bar_phys(const struct rte_vfio_dmabuf_device *dev,
		     uint64_t phys[PCI_MAX_RESOURCE])
{
	unsigned int bar;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++)
		phys[bar] = dev->bars[bar].phys;
}

void
rte_vfio_dmabuf_verify(struct rte_vfio_dmabuf_device *dev)
{
	uint64_t phys[PCI_MAX_RESOURCE];

	vfio_dmabuf_bar_phys(dev, phys);
	rte_vfio_dmabuf_verify_ranges(dev->ranges, dev->nb_ranges, phys);
}

void
vfio_dmabuf_report(struct rte_vfio_dmabuf_device *dev)
{
	uint64_t phys[PCI_MAX_RESOURCE];
	char who[sizeof(dev->name) + 16];

	vfio_dmabuf_bar_phys(dev, phys);
	snprintf(who, sizeof(who), "vfio_dmabuf: %s", dev->name);
	rte_vfio_dmabuf_report(vfio_dmabuf_logtype, who, dev->method,
			       dev->ranges, dev->nb_ranges, phys);
}
