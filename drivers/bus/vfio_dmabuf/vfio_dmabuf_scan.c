/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Finding devices.  The bus takes only devices named for it
 * ("-a vfio_dmabuf:ADDR", or rte_dev_probe("vfio_dmabuf:ADDR")), checks
 * that each exists and is bound to vfio-pci (or its variant vfio-dmabuf-pci,
 * which adds the DMABUF features to old kernels).  bus/pci does not scan an
 * address named for another bus (patches/dpdk), so DPDK's own PCI drivers
 * never open it as well.
 */

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_string_fns.h>

#include "private.h"

static int
sysfs_read_ulong(const char *dir, const char *file, unsigned long *val)
{
	char path[PATH_MAX], buf[64], *end;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "r");
	if (f == NULL)
		return -errno;
	if (fgets(buf, sizeof(buf), f) == NULL) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	errno = 0;
	*val = strtoul(buf, &end, 0);
	return errno != 0 || end == buf ? -EINVAL : 0;
}

/*
 * The address width (MGAW) of the Intel IOMMU that translates for the
 * device in @dir, from its VT-d capability register as bus/pci reads it;
 * 0 without one.  DMA addresses (IOVA as VA: DPDK's virtual addresses)
 * must fit in it.
 */
static uint8_t
sysfs_read_iommu_width(const char *dir)
{
	char path[PATH_MAX], buf[32], *end;
	uint64_t cap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/iommu/intel-iommu/cap", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	cap = strtoull(buf, &end, 16);
	if (end == buf)
		return 0;
	return ((cap >> 16) & 0x3f) + 1;
}

/* The physical address of each BAR of @dev, from the resource file in @dir */
static void
sysfs_read_bar_phys(const char *dir, struct rte_vfio_dmabuf_device *dev)
{
	uint64_t start, end, flags;
	char path[PATH_MAX], line[128];
	unsigned int bar;
	FILE *f;

	snprintf(path, sizeof(path), "%s/resource", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	for (bar = 0; bar < PCI_MAX_RESOURCE && fgets(line, sizeof(line), f) != NULL; bar++)
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64,
			   &start, &end, &flags) == 3)
			dev->bars[bar].phys = start;
	fclose(f);
}

/* The driver @dir is bound to ("" for none) */
static void
sysfs_driver_name(const char *dir, char *name, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/driver", dir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		name[0] = '\0';
		return;
	}
	link[n] = '\0';
	strlcpy(name, strrchr(link, '/') + 1, size);
}

static int
dev_name_cmp(const struct rte_device *dev, const void *name)
{
	return strcmp(dev->name, name);
}

/*
 * bus/pci leaves alone an address named for this bus (patches/dpdk): here
 * only the cases it cannot settle, each with what to do about it.
 */
static int
vfio_dmabuf_check_pci(const struct rte_pci_addr *addr, const char *name)
{
	struct rte_bus *pci = rte_bus_find_by_name("pci");
	struct rte_pci_addr named;
	struct rte_device *pdev;
	struct rte_devargs *da;

	if (pci == NULL)
		return 0;

	RTE_EAL_DEVARGS_FOREACH("pci", da) {
		if (da->policy != RTE_DEV_ALLOWED ||
		    rte_pci_addr_parse(da->name, &named) != 0 ||
		    rte_pci_addr_cmp(&named, addr) != 0)
			continue;
		VFIO_DMABUF_LOG(ERR, "%s is named for both bus pci and bus vfio_dmabuf: give it to one",
				name);
		return -EBUSY;
	}

	pdev = pci->find_device(NULL, dev_name_cmp, name);
	if (pdev != NULL && rte_dev_is_probed(pdev)) {
		VFIO_DMABUF_LOG(ERR, "%s is in use by bus pci (driver %s): detach it first",
				name, pdev->driver->name);
		return -EBUSY;
	}
	return 0;
}

/*
 * Add the device named by @devargs, if it exists and is bound to vfio-pci
 * or to the vfio-dmabuf-pci variant driver
 */
static int
vfio_dmabuf_scan_one(struct rte_devargs *devargs)
{
	struct rte_vfio_dmabuf_device *dev;
	char dir[PATH_MAX], driver[64];
	struct rte_pci_addr addr;
	unsigned long val;
	char name[PCI_PRI_STR_SIZE + 1];
	int ret;

	if (rte_pci_addr_parse(devargs->name, &addr) != 0) {
		VFIO_DMABUF_LOG(ERR, "'%s' is not a PCI address (expected DDDD:BB:DD.F)",
				devargs->name);
		return -EINVAL;
	}
	rte_pci_device_name(&addr, name, sizeof(name));

	FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(dev)
		if (rte_pci_addr_cmp(&dev->addr, &addr) == 0)
			return 0;

	snprintf(dir, sizeof(dir), SYSFS_PCI_DEVICES "/%s", name);
	if (access(dir, F_OK) != 0) {
		VFIO_DMABUF_LOG(ERR, "%s: no such PCI device", name);
		return -ENODEV;
	}
	sysfs_driver_name(dir, driver, sizeof(driver));
	if (!rte_vfio_dmabuf_driver_is_vfio(driver)) {
		VFIO_DMABUF_LOG(ERR, "%s is bound to %s, not vfio-pci or " RTE_VFIO_DMABUF_VARIANT_DRIVER ": bind it with 'dpdk-devbind.py -b vfio-pci %s' (or driver_override)",
				name, driver[0] != '\0' ? driver : "no driver", name);
		return -ENODEV;
	}

	dev = calloc(1, sizeof(*dev));
	if (dev == NULL)
		return -ENOMEM;
	dev->addr = addr;
	strlcpy(dev->name, name, sizeof(dev->name));
	dev->device.name = dev->name;
	dev->device.bus = &vfio_dmabuf_bus.bus;
	dev->device.devargs = devargs;
	dev->vfio_fd = -1;

	if (sysfs_read_ulong(dir, "vendor", &val) == 0)
		dev->id.vendor_id = val;
	if (sysfs_read_ulong(dir, "device", &val) == 0)
		dev->id.device_id = val;
	if (sysfs_read_ulong(dir, "subsystem_vendor", &val) == 0)
		dev->id.subsystem_vendor_id = val;
	if (sysfs_read_ulong(dir, "subsystem_device", &val) == 0)
		dev->id.subsystem_device_id = val;
	if (sysfs_read_ulong(dir, "class", &val) == 0)
		dev->id.class_id = val & RTE_CLASS_ANY_ID;
	sysfs_read_bar_phys(dir, dev);
	dev->iommu_width = sysfs_read_iommu_width(dir);
	if (dev->iommu_width != 0)
		VFIO_DMABUF_LOG(INFO, "%s: behind an Intel IOMMU of %u address bits",
				name, dev->iommu_width);
	if (sysfs_read_ulong(dir, "numa_node", &val) == 0 && (long)val >= 0)
		dev->device.numa_node = val;
	else
		dev->device.numa_node = SOCKET_ID_ANY;

	ret = vfio_dmabuf_parse_devargs(dev);
	if (ret == 0)
		ret = vfio_dmabuf_check_pci(&addr, name);
	if (ret != 0) {
		free(dev);
		return ret;
	}

	TAILQ_INSERT_TAIL(&vfio_dmabuf_bus.device_list, dev, next);
	return 0;
}

/* Devices named at start-up and left out, for the bus's probe to count */
static unsigned int startup_left_out;

unsigned int
vfio_dmabuf_scan_left_out(void)
{
	return startup_left_out;
}

/*
 * A device that cannot be used is left out, with its error logged, and the
 * scan goes on: as on bus/pci, one bad device named at start-up must not
 * stop the others, nor fail every later scan (each hot attach scans
 * again).  Its devargs are dropped at start-up; in a hot attach they are
 * EAL's, which drops them when it finds no device.
 */
int
vfio_dmabuf_scan(void)
{
	static bool at_startup = true;
	struct rte_devargs *devargs, *failed;

	if (vfio_dmabuf_mp_init() != 0)
		return -1;

	devargs = rte_devargs_next(RTE_BUS_VFIO_DMABUF_NAME, NULL);
	while (devargs != NULL) {
		failed = NULL;
		if (devargs->policy == RTE_DEV_ALLOWED &&
		    vfio_dmabuf_scan_one(devargs) != 0) {
			VFIO_DMABUF_LOG(ERR, "%s: left out", devargs->name);
			failed = devargs;
		}
		devargs = rte_devargs_next(RTE_BUS_VFIO_DMABUF_NAME, devargs);
		if (failed != NULL && at_startup) {
			rte_devargs_remove(failed);
			startup_left_out++;
		}
	}
	at_startup = false;
	return 0;
}
