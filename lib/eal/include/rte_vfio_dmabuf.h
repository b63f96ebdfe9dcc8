/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef RTE_VFIO_DMABUF_H
#define RTE_VFIO_DMABUF_H

/**
 * @file
 * BAR ranges of a vfio-pci device mapped through VFIO DMABUFs, with a CPU
 * memory attribute: the one implementation of these kernel calls, shared
 * by the buses that map PCI devices (the vfio_dmabuf bus, and bus/pci for
 * drivers with RTE_PCI_DRV_WC_ACTIVATE).  Linux only; for buses.
 *
 * A range is exported as a DMABUF (VFIO_DEVICE_FEATURE_DMA_BUF), made
 * write-combining if asked (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, from the
 * vfio-dmabuf kernel series) and mmap()ed at an address the bus reserved.
 * What memory type the kernel really gave is then read back from the
 * kernel, never assumed from the answer to the request.
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_compat.h>

#ifdef __cplusplus
extern "C" {
#endif

/** CPU memory attribute of a mapped range. */
enum rte_vfio_dmabuf_attr {
	RTE_VFIO_DMABUF_ATTR_NC = 0, /**< Uncached (UC- on x86). */
	RTE_VFIO_DMABUF_ATTR_WC = 1, /**< Write-combining. */
};

/** How the kernel lets a device's BARs be mapped. */
enum rte_vfio_dmabuf_method {
	/** DMABUF mmap() with memory attributes: ranges can be WC. */
	RTE_VFIO_DMABUF_METHOD_DMABUF,
	/** DMABUF mmap(), but no VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR: all NC. */
	RTE_VFIO_DMABUF_METHOD_DMABUF_NC,
	/** No DMABUF mmap(): the classic region mmap() of each BAR, all NC. */
	RTE_VFIO_DMABUF_METHOD_REGION,
};

/**
 * Memory type of a mapped range as the kernel shows it (x86 PAT types),
 * or unverified when the kernel does not show it to this process.
 */
enum rte_vfio_dmabuf_memtype {
	RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED = 0,
	RTE_VFIO_DMABUF_MEMTYPE_WB,
	RTE_VFIO_DMABUF_MEMTYPE_WC,
	RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS,
	RTE_VFIO_DMABUF_MEMTYPE_UC,
	RTE_VFIO_DMABUF_MEMTYPE_WT,
	RTE_VFIO_DMABUF_MEMTYPE_WP,
};

/** Where the memory type of a range was read. */
enum rte_vfio_dmabuf_verified_by {
	RTE_VFIO_DMABUF_VERIFIED_BY_NONE = 0,
	RTE_VFIO_DMABUF_VERIFIED_BY_PTE,    /**< This process's page table. */
	RTE_VFIO_DMABUF_VERIFIED_BY_PAT,    /**< The kernel's PAT reservations. */
};

/** One mapped range of a BAR. */
struct rte_vfio_dmabuf_range {
	uint8_t bar;
	uint64_t offset;
	uint64_t len;
	void *addr;                          /**< Where the range is mapped. */
	enum rte_vfio_dmabuf_attr requested; /**< What the driver asked for. */
	enum rte_vfio_dmabuf_attr obtained;  /**< What the kernel accepted. */
	int refused;                         /**< errno of a refused WC, or 0. */
	/** What the kernel shows the mapping has (rte_vfio_dmabuf_verify_ranges()). */
	enum rte_vfio_dmabuf_memtype verified;
	enum rte_vfio_dmabuf_verified_by verified_by;
	int dmabuf_fd;                       /**< -1 for a region mmap(). */
};

/** The vfio-dmabuf-pci variant driver: vfio-pci plus the series' uAPI. */
#define RTE_VFIO_DMABUF_VARIANT_DRIVER "vfio-dmabuf-pci"

/**
 * Whether a device bound to the kernel driver @p driver (its name in
 * sysfs) is a VFIO device: "vfio-pci", or the vfio-dmabuf-pci variant
 * driver, which has the same uAPI for everything else.
 */
__rte_internal
bool rte_vfio_dmabuf_driver_is_vfio(const char *driver);

/**
 * Find out what the kernel lets this process do with BAR @p bar of a
 * vfio-pci device (a memory BAR of at least one page).
 *
 * @param vfio_dev_fd
 *   The VFIO device fd.
 * @param bar
 *   A memory BAR of the device, used for the probes that need a DMABUF.
 * @param why
 *   Set to the reason, for the log, when the answer is not
 *   RTE_VFIO_DMABUF_METHOD_DMABUF; to NULL otherwise.
 * @return
 *   The best method this kernel offers.
 */
__rte_internal
enum rte_vfio_dmabuf_method
rte_vfio_dmabuf_kernel_method(int vfio_dev_fd, uint8_t bar, const char **why);

/**
 * A VFIO_DEVICE_FEATURE ioctl on the device that @p ctx stands for, with
 * @p len bytes of payload @p data: what the ioctl returns, or -errno.
 */
typedef int (*rte_vfio_dmabuf_feature_fn)(void *ctx, uint32_t flags,
					  const void *data, size_t len);

/**
 * Whether the device feature numbered VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR
 * is that feature.  The number is not upstream's, and other posted series
 * claim it: a SET reaches it only once PROBEs showed a SET-only feature,
 * and only on @p own_dmabuf_fd, a DMABUF the caller exported for this.
 *
 * @param feature
 *   Sends a VFIO_DEVICE_FEATURE request to the device.
 * @param ctx
 *   Passed to @p feature.
 * @param own_dmabuf_fd
 *   A DMABUF of the device, exported for this call and not mapped.
 * @return
 *   NULL if it is MEMATTR; otherwise why not, for the log.
 */
__rte_internal
const char *
rte_vfio_dmabuf_memattr_identify(rte_vfio_dmabuf_feature_fn feature, void *ctx,
				 int own_dmabuf_fd);

/**
 * Export [@p offset, @p offset + @p len) of BAR @p bar as a DMABUF.
 *
 * @return
 *   The DMABUF fd (close-on-exec, read-write), or -errno.
 */
__rte_internal
int rte_vfio_dmabuf_export(int vfio_dev_fd, uint8_t bar, uint64_t offset,
			   uint64_t len);

/**
 * Set the memory attribute of the later mmap()s of a DMABUF of the device.
 *
 * @return
 *   0, or -errno: -EPERM on the MSI-X table or PBA, -EBUSY while another
 *   mapping of the same pages exists, -EOPNOTSUPP where WC would not be WC.
 */
__rte_internal
int rte_vfio_dmabuf_set_attr(int vfio_dev_fd, int dmabuf_fd,
			     enum rte_vfio_dmabuf_attr attr);

/**
 * Export range @p r of a BAR whose reserved address range starts at
 * @p bar_addr, give it the attribute it requests if @p method allows, and
 * mmap() it at @p bar_addr + r->offset (MAP_FIXED).  A refused WC leaves
 * the range mapped NC with r->refused set to the kernel's errno.
 *
 * @return
 *   0 with r->dmabuf_fd, r->addr and r->obtained set, or -errno with
 *   nothing mapped and no fd left open.
 */
__rte_internal
int rte_vfio_dmabuf_map_range(int vfio_dev_fd, enum rte_vfio_dmabuf_method method,
			      void *bar_addr, struct rte_vfio_dmabuf_range *r);

/**
 * mmap() the DMABUF r->dmabuf_fd, from another process or an earlier
 * export, at @p bar_addr + r->offset (MAP_FIXED); it keeps the attribute
 * the DMABUF was given.
 *
 * @return
 *   0 with r->addr set, or -errno.
 */
__rte_internal
int rte_vfio_dmabuf_mmap(void *bar_addr, struct rte_vfio_dmabuf_range *r);

/**
 * The classic region mmap() of BAR @p bar at @p bar_addr (MAP_FIXED): the
 * whole BAR, or only the areas of its sparse-mmap capability; the rest
 * stays as it was.  @p name names the device in the log.
 *
 * @return
 *   0, or -errno (-ENODEV if vfio-pci lets no part of the BAR be mapped).
 */
__rte_internal
int rte_vfio_dmabuf_mmap_region(int vfio_dev_fd, uint8_t bar, void *bar_addr,
				const char *name);

/**
 * Read back from the kernel the memory type of each of @p nb ranges:
 * this process's page-table entry of its first page if there is one (the
 * page was touched), else the kernel's PAT reservation covering it, at
 * @p bar_phys[r->bar] + r->offset (0: unknown).  Both need debugfs,
 * readable by root; otherwise a range is left unverified.
 */
__rte_internal
void rte_vfio_dmabuf_verify_ranges(struct rte_vfio_dmabuf_range *ranges,
				   unsigned int nb, const uint64_t *bar_phys);

/**
 * Verify @p nb ranges, then say in the log of @p logtype what each got,
 * requested against verified, in one NOTICE line, and give a WARNING with
 * its likely cause for each range asked for WC that is not WC.  Each line
 * starts with @p who ("bus: device").
 */
__rte_internal
void rte_vfio_dmabuf_report(int logtype, const char *who,
			    enum rte_vfio_dmabuf_method method,
			    struct rte_vfio_dmabuf_range *ranges, unsigned int nb,
			    const uint64_t *bar_phys);

/** The name of an attribute ("NC", "WC"), of a method ("dmabuf", ...). */
__rte_internal
const char *rte_vfio_dmabuf_attr_name(enum rte_vfio_dmabuf_attr attr);
__rte_internal
const char *rte_vfio_dmabuf_method_name(enum rte_vfio_dmabuf_method method);

/** The kernel's name of a memory type ("write-combining", ...). */
__rte_internal
const char *rte_vfio_dmabuf_memtype_name(enum rte_vfio_dmabuf_memtype type);
__rte_internal
const char *rte_vfio_dmabuf_verified_by_name(enum rte_vfio_dmabuf_verified_by by);

/*
 * The parsers under rte_vfio_dmabuf_mmap_region() and
 * rte_vfio_dmabuf_verify_ranges(), for tests that feed them forged input.
 */
struct vfio_region_info;
struct vfio_region_sparse_mmap_area;

/**
 * The areas of a region that vfio-pci lets userspace mmap(), from
 * @p info (@p len bytes with its capability chain, as the kernel wrote it).
 *
 * @return
 *   The number of areas written to @p areas (at most @p max), or -EINVAL
 *   if the chain or an area does not fit in @p len or in the region.
 */
__rte_internal
int rte_vfio_dmabuf_mmap_areas(const struct vfio_region_info *info, size_t len,
			       struct vfio_region_sparse_mmap_area *areas,
			       unsigned int max);

/** The type of the PAT reservation covering [phys, phys + len) as a whole. */
__rte_internal
enum rte_vfio_dmabuf_memtype
rte_vfio_dmabuf_pat_type(FILE *pat_list, uint64_t phys, uint64_t len);

/** The type of this process's page-table entry at @p addr. */
__rte_internal
enum rte_vfio_dmabuf_memtype
rte_vfio_dmabuf_pte_type(FILE *pte_dump, const void *addr);

#ifdef __cplusplus
}
#endif

#endif /* RTE_VFIO_DMABUF_H */
