/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef BUS_VFIO_DMABUF_DRIVER_H
#define BUS_VFIO_DMABUF_DRIVER_H

/**
 * @file
 * The vfio_dmabuf bus, for PCI drivers: devices bound to vfio-pci whose
 * memory BARs are mapped through VFIO DMABUFs, with the ranges a driver
 * names as doorbells mapped write-combining.
 *
 * A device is on this bus only when named with the bus prefix
 * ("-a vfio_dmabuf:0000:00:03.0"); bus/pci then does not scan it, so
 * that no two buses ever open it.
 *
 * Each memory BAR is mapped at one contiguous virtual address, so a driver
 * reaches any register at bars[n].addr + offset, whatever attribute the
 * page under it has.  The ranges, attributes and memory types are EAL's
 * (rte_vfio_dmabuf.h), as bus/pci's WC mappings are.
 */

#include <stdbool.h>
#include <stdint.h>

#include <dev_driver.h>
#include <rte_compat.h>
#include <rte_interrupts.h>
#include <rte_pci.h>
#include <rte_vfio_dmabuf.h>

#ifdef __cplusplus
extern "C" {
#endif

#define RTE_BUS_VFIO_DMABUF_NAME "vfio_dmabuf"

/** Most ranges one device is mapped with (doorbells and what is between). */
#define RTE_VFIO_DMABUF_MAX_RANGES 16

/** A range of a BAR that a driver writes doorbells to. */
struct rte_vfio_dmabuf_doorbell {
	uint8_t bar;     /**< BAR number, 0 to 5. */
	uint64_t offset; /**< Page-aligned offset in the BAR. */
	uint64_t len;    /**< Page-aligned length, not zero. */
};

/** A memory BAR, mapped as a whole at one address. */
struct rte_vfio_dmabuf_bar {
	void *addr;   /**< NULL if the BAR is not a mappable memory BAR. */
	uint64_t len;
	uint64_t phys; /**< Its physical address (sysfs), 0 if unknown. */
};

struct rte_vfio_dmabuf_driver;

/** A device on the vfio_dmabuf bus. */
struct rte_vfio_dmabuf_device {
	RTE_TAILQ_ENTRY(rte_vfio_dmabuf_device) next;
	struct rte_device device;            /**< Inherit the generic class. */
	struct rte_pci_addr addr;
	struct rte_pci_id id;
	char name[PCI_PRI_STR_SIZE + 1];
	struct rte_vfio_dmabuf_driver *driver;
	/** The kernel's removal request, and SIGBUS, arrive on this eventfd. */
	struct rte_intr_handle *gone_intr_handle;
	/** Next of the devices the SIGBUS handler looks at. */
	struct rte_vfio_dmabuf_device *sigbus_next;
	/** The device went away: its BARs are anonymous memory now. */
	volatile bool removed;
	bool removal_notified;               /**< RTE_DEV_EVENT_REMOVE was sent. */
	int vfio_fd;                         /**< The VFIO device fd. */
	/** Address width of the Intel IOMMU in front of it, 0 if none. */
	uint8_t iommu_width;
	bool wc;                             /**< Doorbells requested WC. */
	enum rte_vfio_dmabuf_method method;
	struct rte_vfio_dmabuf_bar bars[PCI_MAX_RESOURCE];
	unsigned int nb_ranges;
	struct rte_vfio_dmabuf_range ranges[RTE_VFIO_DMABUF_MAX_RANGES];
};

typedef int (rte_vfio_dmabuf_probe_t)(struct rte_vfio_dmabuf_driver *drv,
				      struct rte_vfio_dmabuf_device *dev);
typedef int (rte_vfio_dmabuf_remove_t)(struct rte_vfio_dmabuf_device *dev);

/** A driver on the vfio_dmabuf bus. */
struct rte_vfio_dmabuf_driver {
	RTE_TAILQ_ENTRY(rte_vfio_dmabuf_driver) next;
	struct rte_driver driver;                   /**< Inherit the generic class. */
	const struct rte_pci_id *id_table;          /**< Ends with a zero vendor_id. */
	rte_vfio_dmabuf_probe_t *probe;
	rte_vfio_dmabuf_remove_t *remove;
	uint32_t bar_mask;                          /**< BARs to map: bit n for BAR n. */
	const struct rte_vfio_dmabuf_doorbell *doorbells; /**< Ranges to map WC, by offset. */
	unsigned int nb_doorbells;
};

#define RTE_DEV_TO_VFIO_DMABUF(ptr) \
	container_of(ptr, struct rte_vfio_dmabuf_device, device)

#define RTE_DEV_TO_VFIO_DMABUF_CONST(ptr) \
	container_of(ptr, const struct rte_vfio_dmabuf_device, device)

/** The range that maps @p offset of BAR @p bar, or NULL. */
__rte_internal
const struct rte_vfio_dmabuf_range *
rte_vfio_dmabuf_range_at(const struct rte_vfio_dmabuf_device *dev, uint8_t bar,
			 uint64_t offset);

/**
 * The attribute the kernel accepted for the page at @p offset of BAR
 * @p bar, or -1 if that page is not mapped.
 */
__rte_internal
int rte_vfio_dmabuf_attr_at(const struct rte_vfio_dmabuf_device *dev,
			    uint8_t bar, uint64_t offset);

/**
 * Read back from the kernel the memory type of each range of @p dev
 * (rte_vfio_dmabuf_verify_ranges()).
 */
__rte_internal
void rte_vfio_dmabuf_verify(struct rte_vfio_dmabuf_device *dev);

/** Register a driver; use RTE_PMD_REGISTER_VFIO_DMABUF() instead. */
__rte_internal
void rte_vfio_dmabuf_register(struct rte_vfio_dmabuf_driver *driver);

/** Unregister a driver. */
__rte_internal
void rte_vfio_dmabuf_unregister(struct rte_vfio_dmabuf_driver *driver);

/**
 * Check the bus's logic that needs no device (range planning, devargs,
 * names, the fallback on a kernel without the features).
 *
 * @return 0 if every check passed, -1 otherwise (the failures are logged).
 */
__rte_internal
int rte_vfio_dmabuf_selftest(void);

#define RTE_PMD_REGISTER_VFIO_DMABUF(nm, vfio_dmabuf_drv) \
	RTE_INIT(vfio_dmabuf_initfn_ ##nm) \
	{ \
		(vfio_dmabuf_drv).driver.name = RTE_STR(nm); \
		rte_vfio_dmabuf_register(&(vfio_dmabuf_drv)); \
	} \
	RTE_PMD_EXPORT_NAME(nm, __COUNTER__)

#ifdef __cplusplus
}
#endif

#endif /* BUS_VFIO_DMABUF_DRIVER_H */
