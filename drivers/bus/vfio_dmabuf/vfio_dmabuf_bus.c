/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The bus itself: drivers, probe and remove, plug and unplug, the generic
 * bus ops.  A device that goes away by itself is vfio_dmabuf_hotplug.c.
 * Finding devices is in vfio_dmabuf_scan.c, mapping them in
 * vfio_dmabuf_map.c.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_tailq.h>
#include <rte_vfio.h>

#include "private.h"

static bool
vfio_dmabuf_id_match(const struct rte_pci_id *table, const struct rte_pci_id *id)
{
	for (; table->vendor_id != 0; table++) {
		if (table->vendor_id != id->vendor_id ||
		    (table->device_id != RTE_PCI_ANY_ID &&
		     table->device_id != id->device_id) ||
		    (table->subsystem_vendor_id != RTE_PCI_ANY_ID &&
		     table->subsystem_vendor_id != id->subsystem_vendor_id) ||
		    (table->subsystem_device_id != RTE_PCI_ANY_ID &&
		     table->subsystem_device_id != id->subsystem_device_id) ||
		    (table->class_id != RTE_CLASS_ANY_ID &&
		     table->class_id != id->class_id))
			continue;
		return true;
	}
	return false;
}

/* 1 if @drv does not drive @dev, else what probing it gave */
static int
vfio_dmabuf_probe_one_driver(struct rte_vfio_dmabuf_driver *drv,
			     struct rte_vfio_dmabuf_device *dev)
{
	int ret;

	if (!vfio_dmabuf_id_match(drv->id_table, &dev->id))
		return 1;

	if (rte_dev_is_probed(&dev->device)) {
		VFIO_DMABUF_LOG(DEBUG, "%s is already probed", dev->name);
		return -EEXIST;
	}

	VFIO_DMABUF_LOG(INFO, "probe driver %s for %s (%04x:%04x)",
			drv->driver.name, dev->name, dev->id.vendor_id,
			dev->id.device_id);

	/* The driver's doorbells decide the layout of the mappings */
	dev->driver = drv;
	ret = vfio_dmabuf_map_device(dev);
	if (ret != 0) {
		dev->driver = NULL;
		return ret;
	}

	ret = drv->probe(drv, dev);
	if (ret != 0) {
		vfio_dmabuf_unmap_device(dev);
		dev->driver = NULL;
		return ret;
	}
	dev->device.driver = &drv->driver;
	return 0;
}

static int
vfio_dmabuf_probe_all_drivers(struct rte_vfio_dmabuf_device *dev)
{
	struct rte_vfio_dmabuf_driver *drv;
	int ret;

	FOREACH_DRIVER_ON_VFIO_DMABUF_BUS(drv) {
		ret = vfio_dmabuf_probe_one_driver(drv, dev);
		if (ret <= 0)
			return ret;
	}
	VFIO_DMABUF_LOG(ERR, "%s: no vfio_dmabuf driver for %04x:%04x",
			dev->name, dev->id.vendor_id, dev->id.device_id);
	return -ENODEV;
}

/*
 * Every device on this bus was named for it: failing one fails the probe.
 * An application runs on without the devices it cannot have (testpmd
 * with no port at all), so the bus's last word at start-up counts them,
 * and says when WC was asked for while no device is on this bus.
 */
static int
vfio_dmabuf_probe(void)
{
	struct rte_vfio_dmabuf_device *dev;
	unsigned int failed = 0, left_out;
	int ret;

	FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(dev) {
		ret = vfio_dmabuf_probe_all_drivers(dev);
		if (ret < 0 && ret != -EEXIST) {
			VFIO_DMABUF_LOG(ERR, "%s cannot be used: %s",
					dev->name, strerror(-ret));
			failed++;
		}
	}
	left_out = vfio_dmabuf_scan_left_out();
	if (failed + left_out != 0)
		VFIO_DMABUF_LOG(ERR, "%u device(s) named for this bus cannot be used (errors above): the application runs without them",
				failed + left_out);
	else if (TAILQ_EMPTY(&vfio_dmabuf_bus.device_list) && rte_eal_vfio_dmabuf_wc())
		VFIO_DMABUF_LOG(WARNING, "--vfio-dmabuf-wc, but no device is named for this bus (-a %s:<PCI address>): on bus/pci only the drivers that ask for WC get it",
				RTE_BUS_VFIO_DMABUF_NAME);
	return failed ? -1 : 0;
}

static int
vfio_dmabuf_remove_dev(struct rte_vfio_dmabuf_device *dev)
{
	struct rte_vfio_dmabuf_driver *drv = dev->driver;
	int ret;

	if (drv == NULL)
		return 0;
	if (drv->remove != NULL) {
		ret = drv->remove(dev);
		if (ret < 0)
			return ret;
	}
	vfio_dmabuf_unmap_device(dev);
	dev->driver = NULL;
	dev->device.driver = NULL;
	return 0;
}

static struct rte_device *
vfio_dmabuf_find_device(const struct rte_device *start, rte_dev_cmp_t cmp,
			const void *data)
{
	const struct rte_vfio_dmabuf_device *pstart;
	struct rte_vfio_dmabuf_device *dev;

	if (start != NULL) {
		pstart = RTE_DEV_TO_VFIO_DMABUF_CONST(start);
		dev = RTE_TAILQ_NEXT(pstart, next);
	} else {
		dev = RTE_TAILQ_FIRST(&vfio_dmabuf_bus.device_list);
	}
	for (; dev != NULL; dev = RTE_TAILQ_NEXT(dev, next))
		if (cmp(&dev->device, data) == 0)
			return &dev->device;
	return NULL;
}

struct rte_vfio_dmabuf_device *
vfio_dmabuf_find_by_name(const char *name)
{
	struct rte_vfio_dmabuf_device *dev;

	FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(dev)
		if (strcmp(dev->name, name) == 0)
			return dev;
	return NULL;
}

static int
vfio_dmabuf_plug(struct rte_device *device)
{
	struct rte_vfio_dmabuf_device *dev = RTE_DEV_TO_VFIO_DMABUF(device);

	/* DPDK's memory is in place: its IOMMU must reach all of it now */
	if (dev->iommu_width != 0 && rte_mem_check_dma_mask(dev->iommu_width) != 0) {
		VFIO_DMABUF_LOG(ERR, "%s: its IOMMU's %u address bits do not reach DPDK's memory: start with --iova-mode=pa",
				dev->name, dev->iommu_width);
		return -EINVAL;
	}
	return vfio_dmabuf_probe_all_drivers(dev);
}

static int
vfio_dmabuf_unplug(struct rte_device *device)
{
	struct rte_vfio_dmabuf_device *dev = RTE_DEV_TO_VFIO_DMABUF(device);
	int ret;

	ret = vfio_dmabuf_remove_dev(dev);
	if (ret != 0)
		return ret;
	TAILQ_REMOVE(&vfio_dmabuf_bus.device_list, dev, next);
	rte_devargs_remove(device->devargs);
	free(dev);
	return 0;
}

/*
 * Device names are PCI addresses, DDDD:BB:DD.F or BB:DD.F (domain 0), in
 * either case.  rte_pci_addr_parse() alone would take trailing characters
 * and out-of-range fields: a name is taken only if it prints back as
 * itself.
 */
static int
vfio_dmabuf_parse(const char *name, void *addr)
{
	struct rte_pci_addr pci_addr;
	char canonical[PCI_PRI_STR_SIZE];

	if (rte_pci_addr_parse(name, &pci_addr) != 0 ||
	    pci_addr.devid > 0x1f || pci_addr.function > 0x7)
		return -1;
	rte_pci_device_name(&pci_addr, canonical, sizeof(canonical));
	if (strcasecmp(name, canonical) != 0 &&
	    (pci_addr.domain != 0 || strcasecmp(name, canonical + 5) != 0))
		return -1;
	if (addr != NULL)
		*(struct rte_pci_addr *)addr = pci_addr;
	return 0;
}

static int
vfio_dmabuf_dma_map(struct rte_device *device __rte_unused, void *addr,
		    uint64_t iova, size_t len)
{
	return rte_vfio_container_dma_map(RTE_VFIO_DEFAULT_CONTAINER_FD,
					  (uintptr_t)addr, iova, len);
}

static int
vfio_dmabuf_dma_unmap(struct rte_device *device __rte_unused, void *addr,
		      uint64_t iova, size_t len)
{
	return rte_vfio_container_dma_unmap(RTE_VFIO_DEFAULT_CONTAINER_FD,
					    (uintptr_t)addr, iova, len);
}

/*
 * Without an IOMMU, devices must be given physical addresses.  With one,
 * its address width bounds DMA addresses: EAL checks DPDK's memory
 * against the narrowest once it is set up, as for bus/pci's devices.
 */
static enum rte_iova_mode
vfio_dmabuf_get_iommu_class(void)
{
	struct rte_vfio_dmabuf_device *dev;

	if (TAILQ_EMPTY(&vfio_dmabuf_bus.device_list))
		return RTE_IOVA_DC;
	if (rte_vfio_noiommu_is_enabled() == 1)
		return RTE_IOVA_PA;
	FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(dev)
		if (dev->iommu_width != 0)
			rte_mem_set_dma_mask(dev->iommu_width);
	return RTE_IOVA_DC;
}

static int
vfio_dmabuf_cleanup(void)
{
	struct rte_vfio_dmabuf_device *dev, *tmp;
	int ret = 0;

	RTE_TAILQ_FOREACH_SAFE(dev, &vfio_dmabuf_bus.device_list, next, tmp) {
		if (vfio_dmabuf_remove_dev(dev) != 0)
			ret = -1;
		TAILQ_REMOVE(&vfio_dmabuf_bus.device_list, dev, next);
		free(dev);
	}
	return ret;
}

void
rte_vfio_dmabuf_register(struct rte_vfio_dmabuf_driver *driver)
{
	TAILQ_INSERT_TAIL(&vfio_dmabuf_bus.driver_list, driver, next);
}

void
rte_vfio_dmabuf_unregister(struct rte_vfio_dmabuf_driver *driver)
{
	TAILQ_REMOVE(&vfio_dmabuf_bus.driver_list, driver, next);
}

struct vfio_dmabuf_bus vfio_dmabuf_bus = {
	.bus = {
		.scan = vfio_dmabuf_scan,
		.probe = vfio_dmabuf_probe,
		.find_device = vfio_dmabuf_find_device,
		.plug = vfio_dmabuf_plug,
		.unplug = vfio_dmabuf_unplug,
		.parse = vfio_dmabuf_parse,
		.devargs_parse = vfio_dmabuf_devargs_parse,
		.dma_map = vfio_dmabuf_dma_map,
		.dma_unmap = vfio_dmabuf_dma_unmap,
		.get_iommu_class = vfio_dmabuf_get_iommu_class,
		.dev_iterate = vfio_dmabuf_dev_iterate,
		.hot_unplug_handler = vfio_dmabuf_hot_unplug_handler,
		.sigbus_handler = vfio_dmabuf_sigbus_handler,
		.cleanup = vfio_dmabuf_cleanup,
	},
	.device_list = TAILQ_HEAD_INITIALIZER(vfio_dmabuf_bus.device_list),
	.driver_list = TAILQ_HEAD_INITIALIZER(vfio_dmabuf_bus.driver_list),
};

RTE_REGISTER_BUS(vfio_dmabuf, vfio_dmabuf_bus.bus);
RTE_LOG_REGISTER_DEFAULT(vfio_dmabuf_logtype, NOTICE);

RTE_INIT(vfio_dmabuf_init)
{
	vfio_dmabuf_telemetry_init();
}
