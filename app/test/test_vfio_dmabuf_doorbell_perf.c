/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * vfio_dmabuf_doorbell_perf_autotest: what one doorbell store costs through
 * an uncached and through a write-combined mapping of the same BAR page, on
 * real hardware.  The device is the first one probed on the vfio_dmabuf bus
 * (a NIC bound to vfio-pci, named with -a vfio_dmabuf:ADDR, that its driver
 * took); the register is VFIO_DMABUF_DOORBELL_REG, an offset in a BAR page
 * the driver marks as a doorbell page.  The device is probed again with
 * wc=0, then wc=1, and left as it was found.
 *
 * Each store writes the value the register holds once the device is probed,
 * read through the uncached mapping (a driver never reads a WC page): a
 * tail register written with its own value tells the device nothing new
 * (run it with the ports stopped, as dpdk-test leaves them).  The barriers
 * are those the PMDs
 * use (doc/guides/nics/example.rst): uncached, a compiler barrier then
 * the store (x86 keeps uncached stores in order with earlier stores); WC,
 * SFENCE, the store, SFENCE (WC stores are weakly ordered, and the second
 * fence drains the write-combining buffer so that the doorbell goes out).
 * Printed: stores, ns per store and stores per microsecond from the TSC.
 * Nothing is asserted but that the register kept its value (read back
 * through the uncached mapping): the figures are for hardware.  Under QEMU (the lab) they measure QEMU's emulation of
 * a register write, the same for both mappings.
 *
 *   VFIO_DMABUF_DOORBELL_REG=0x3818 [VFIO_DMABUF_DOORBELL_STORES=1000000] \
 *   dpdk-test --vfio-dmabuf-wc -a vfio_dmabuf:0000:06:00.0 vfio_dmabuf_doorbell_perf_autotest
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_io.h>

#include <bus_driver.h>
#include <bus_vfio_dmabuf_driver.h>

#include "test.h"

#define DEFAULT_STORES	1000000
#define WARMUP_STORES	1000

static char dev_name[RTE_DEV_NAME_MAX_LEN];
static uint64_t reg_offset;
static uint8_t reg_bar;
static unsigned long nb_stores;
static int found_wc = -1;	/* what the device was probed with */
static uint32_t reg_value;	/* the register once probed, read uncached */

static int
find_probed(const struct rte_device *dev, const void *data __rte_unused)
{
	return !rte_dev_is_probed(dev);
}

static int
has_name(const struct rte_device *dev, const void *name)
{
	return strcmp(rte_dev_name(dev), name);
}

/* The device under test once it is chosen, else the first probed one */
static struct rte_vfio_dmabuf_device *
find_device(void)
{
	struct rte_bus *bus = rte_bus_find_by_name(RTE_BUS_VFIO_DMABUF_NAME);
	struct rte_device *dev;

	if (bus == NULL)
		return NULL;
	if (dev_name[0] != '\0')
		dev = bus->find_device(NULL, has_name, dev_name);
	else
		dev = bus->find_device(NULL, find_probed, NULL);
	return dev == NULL || !rte_dev_is_probed(dev) ? NULL : RTE_DEV_TO_VFIO_DMABUF(dev);
}

/* The BAR of the driver's doorbell page that holds the register, or -1 */
static int
doorbell_bar(const struct rte_vfio_dmabuf_driver *drv, uint64_t offset)
{
	unsigned int i;

	for (i = 0; i < drv->nb_doorbells; i++)
		if (offset >= drv->doorbells[i].offset &&
		    offset + sizeof(uint32_t) <= drv->doorbells[i].offset + drv->doorbells[i].len)
			return drv->doorbells[i].bar;
	return -1;
}

static struct rte_vfio_dmabuf_device *probe_with(bool wc);
static volatile void *reg_addr(const struct rte_vfio_dmabuf_device *dev);

static int
doorbell_suite_setup(void)
{
	const char *reg = getenv("VFIO_DMABUF_DOORBELL_REG");
	const char *stores = getenv("VFIO_DMABUF_DOORBELL_STORES");
	struct rte_vfio_dmabuf_device *dev;
	char *end;
	int bar;

	dev_name[0] = '\0';
	dev = find_device();
	if (dev == NULL) {
		printf("no device probed on the %s bus: name one with -a %s:<PCI address>\n",
		       RTE_BUS_VFIO_DMABUF_NAME, RTE_BUS_VFIO_DMABUF_NAME);
		return TEST_SKIPPED;
	}
	if (reg == NULL) {
		printf("VFIO_DMABUF_DOORBELL_REG is not set: the offset in its BAR of a doorbell register of %s, whose own value it is safe to write back (a TX tail with the port stopped)\n",
		       dev->name);
		return TEST_SKIPPED;
	}
	errno = 0;
	reg_offset = strtoull(reg, &end, 0);
	bar = errno == 0 && *end == '\0' && reg_offset % sizeof(uint32_t) == 0 ?
		doorbell_bar(dev->driver, reg_offset) : -1;
	if (bar < 0) {
		printf("VFIO_DMABUF_DOORBELL_REG=%s is not an aligned offset in a doorbell page of %s's driver %s\n",
		       reg, dev->name, dev->driver->driver.name);
		return TEST_FAILED;
	}
	reg_bar = bar;
	nb_stores = DEFAULT_STORES;
	if (stores != NULL) {
		errno = 0;
		nb_stores = strtoul(stores, &end, 0);
		if (errno != 0 || *end != '\0' || nb_stores == 0) {
			printf("VFIO_DMABUF_DOORBELL_STORES=%s is not a count of stores\n", stores);
			return TEST_FAILED;
		}
	}
	snprintf(dev_name, sizeof(dev_name), "%s", dev->name);
	found_wc = dev->wc;
	dev = probe_with(false);
	if (dev == NULL || reg_addr(dev) == NULL) {
		printf("%s: BAR%u + %#" PRIx64 " is not mapped uncached\n", dev_name, reg_bar,
		       reg_offset);
		return TEST_FAILED;
	}
	reg_value = rte_read32(reg_addr(dev));
	return TEST_SUCCESS;
}

/* Probe the device again with wc=@wc: the device, or NULL */
static struct rte_vfio_dmabuf_device *
probe_with(bool wc)
{
	struct rte_vfio_dmabuf_device *dev = find_device();
	char devargs[RTE_DEV_NAME_MAX_LEN + 32];
	int ret;

	if (dev != NULL && dev->wc == wc)
		return dev;
	if (dev != NULL) {
		ret = rte_dev_remove(&dev->device);
		if (ret != 0) {
			printf("%s: cannot remove: %s\n", dev_name, rte_strerror(-ret));
			return NULL;
		}
	}
	snprintf(devargs, sizeof(devargs), "%s:%s,wc=%d", RTE_BUS_VFIO_DMABUF_NAME,
		 dev_name, wc);
	ret = rte_dev_probe(devargs);
	if (ret != 0) {
		printf("%s: cannot probe: %s\n", devargs, rte_strerror(-ret));
		return NULL;
	}
	return find_device();
}

/* The register in @dev's mapping, or NULL */
static volatile void *
reg_addr(const struct rte_vfio_dmabuf_device *dev)
{
	if (rte_vfio_dmabuf_range_at(dev, reg_bar, reg_offset) == NULL ||
	    dev->bars[reg_bar].addr == NULL)
		return NULL;
	return RTE_PTR_ADD(dev->bars[reg_bar].addr, reg_offset);
}

static void
doorbell_suite_teardown(void)
{
	if (found_wc >= 0 && probe_with(found_wc) == NULL)
		printf("%s: not probed again as found (wc=%d)\n", dev_name, found_wc);
	found_wc = -1;
}

static void
stores_uc(volatile void *addr, uint32_t value, unsigned long n)
{
	while (n-- != 0) {
		rte_io_wmb();
		rte_write32_relaxed(value, addr);
	}
}

static void
stores_wc(volatile void *addr, uint32_t value, unsigned long n)
{
	while (n-- != 0) {
		rte_wmb();
		rte_write32_wc_relaxed(value, addr);
		rte_wmb();
	}
}

static int
test_doorbell_stores(bool wc)
{
	struct rte_vfio_dmabuf_device *dev = probe_with(wc);
	const struct rte_vfio_dmabuf_range *range;
	volatile void *addr;
	uint64_t start, cycles;
	uint32_t value;
	double ns;

	TEST_ASSERT_NOT_NULL(dev, "%s: not probed with wc=%d", dev_name, wc);
	addr = reg_addr(dev);
	TEST_ASSERT_NOT_NULL(addr, "%s: BAR%u + %#" PRIx64 " is not mapped", dev_name, reg_bar,
			     reg_offset);
	range = rte_vfio_dmabuf_range_at(dev, reg_bar, reg_offset);
	if (wc && range->obtained != RTE_VFIO_DMABUF_ATTR_WC) {
		printf("%s: the doorbell page is not WC here (%s): no WC figure\n",
		       dev_name, rte_vfio_dmabuf_method_name(dev->method));
		return TEST_SKIPPED;
	}
	value = reg_value;
	if (wc)
		stores_wc(addr, value, WARMUP_STORES);
	else
		stores_uc(addr, value, WARMUP_STORES);
	start = rte_rdtsc_precise();
	if (wc)
		stores_wc(addr, value, nb_stores);
	else
		stores_uc(addr, value, nb_stores);
	cycles = rte_rdtsc_precise() - start;
	ns = (double)cycles * 1e9 / rte_get_tsc_hz() / nb_stores;
	printf("%s BAR%u + %#" PRIx64 ", %s (%s, by %s): %lu stores, %.1f ns/store, %.2f stores/us (TSC %" PRIu64 " MHz)\n",
	       dev_name, reg_bar, reg_offset, wc ? "WC" : "uncached",
	       rte_vfio_dmabuf_memtype_name(range->verified),
	       rte_vfio_dmabuf_method_name(dev->method), nb_stores, ns, 1e3 / ns,
	       rte_get_tsc_hz() / 1000000);
	if (!wc)
		TEST_ASSERT_EQUAL(rte_read32(addr), value, "%s: the register changed to %#x",
				  dev_name, rte_read32(addr));
	return TEST_SUCCESS;
}

static int
test_doorbell_stores_uc(void)
{
	return test_doorbell_stores(false);
}

static int
test_doorbell_stores_wc(void)
{
	return test_doorbell_stores(true);
}

static struct unit_test_suite doorbell_perf_suite = {
	.suite_name = "vfio_dmabuf doorbell store cost",
	.setup = doorbell_suite_setup,
	.teardown = doorbell_suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_doorbell_stores_uc),
		TEST_CASE(test_doorbell_stores_wc),
		TEST_CASES_END()
	}
};

static int
test_vfio_dmabuf_doorbell_perf(void)
{
	return unit_test_suite_runner(&doorbell_perf_suite);
}

REGISTER_TEST_COMMAND(vfio_dmabuf_doorbell_perf_autotest, test_vfio_dmabuf_doorbell_perf);
