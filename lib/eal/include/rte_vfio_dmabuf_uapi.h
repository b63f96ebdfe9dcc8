/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef RTE_VFIO_DMABUF_UAPI_H
#define RTE_VFIO_DMABUF_UAPI_H

/**
 * @file
 * The VFIO DMABUF uAPI, for userspace built against older system headers.
 *
 * This is the one place outside the kernel tree where these definitions
 * live: EAL, the buses, the tests and the lab programs all include this
 * header.  It is not installed: applications see only rte_vfio_dmabuf.h.
 * Each block is used only when <linux/vfio.h> lacks it, and matches the
 * kernel's include/uapi/linux/vfio.h bit for bit:
 *  - VFIO_DEVICE_FEATURE_DMA_BUF (11): Linux 7.2 and later.
 *  - VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (13) and
 *    VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (14): our series in kernel/patches
 *    (see doc/kernel.md).  A kernel that has them can also mmap() a
 *    vfio-pci DMABUF.
 */

#include <linux/types.h>
#include <linux/vfio.h>

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF
/*
 * GET: create a DMABUF fd for ranges of one region (a BAR).  Offsets and
 * lengths are page aligned; flags must be 0; open_flags as for open(2).
 * Returns the new fd.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF 11

struct vfio_region_dma_range {
	__u64 offset;
	__u64 length;
};

struct vfio_device_feature_dma_buf {
	__u32 region_index;
	__u32 open_flags;
	__u32 flags;
	__u32 nr_ranges;
	struct vfio_region_dma_range dma_ranges[];
};
#endif

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE
/*
 * SET: revoke a DMABUF of this device for good.  EBADFD if it already was,
 * ENODEV if it belongs to another device.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE 13

struct vfio_device_feature_dma_buf_revoke {
	__s32 dmabuf_fd;
};
#endif

#ifndef VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR
/*
 * SET: the CPU memory attribute of later mmap()s of a DMABUF of this
 * device.  WC is WC or fails, never silently uncached.  EINVAL for an
 * unknown attribute, EOPNOTSUPP where the platform has no WC, EPERM for
 * WC on a page of the MSI-X table or PBA, ENODEV for another device's
 * DMABUF.  A WC mapping and any other mapping of the same pages (a region
 * mmap() of the BAR, an NC DMABUF mmap(), vfio-pci's own mapping of a page
 * for read()/write() or an ioeventfd, a type the platform holds for the
 * pages) exclude each other with EBUSY.
 */
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR 14

struct vfio_device_feature_dma_buf_memattr {
	__s32 dmabuf_fd;
	__u32 memattr;
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC 0
#define VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC 1
};
#endif

#endif /* RTE_VFIO_DMABUF_UAPI_H */
