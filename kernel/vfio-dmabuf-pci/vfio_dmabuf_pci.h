/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * vfio-dmabuf-pci: vfio-pci with the DMABUF features of the vfio-dmabuf
 * series (export with mmap(), REVOKE, MEMATTR) for kernels that lack them.
 */
#ifndef VFIO_DMABUF_PCI_H
#define VFIO_DMABUF_PCI_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/vfio_pci_core.h>

struct vdp_device {
	struct vfio_pci_core_device core;
	/* Under vdp_lock: the DMABUFs exported since the device was opened */
	struct list_head dmabufs;
	/* Under vdp_lock: the VMAs of region mmap()s of each BAR */
	unsigned int region_mmaps[PCI_STD_NUM_BARS];
	/* Under vdp_lock: VFIO_DEVICE_IOEVENTFD calls in the core */
	unsigned int ioeventfd_calls;
};

extern struct mutex vdp_lock;

/* mmap.c */
vm_fault_t vdp_insert_pfn(struct vfio_pci_core_device *core,
			  struct vm_fault *vmf, unsigned long pfn, bool wc);
void vdp_untrack_vma(struct vfio_pci_core_device *core,
		     struct vm_area_struct *vma);
void vdp_untrack_vmas(struct vfio_pci_core_device *core, void *private);
int vdp_mremap(struct vm_area_struct *vma);
int vdp_region_mmap(struct vdp_device *vdev, unsigned int index,
		    struct vm_area_struct *vma);

/* dmabuf.c */
int vdp_feature_dma_buf(struct vdp_device *vdev, u32 flags,
			void __user *arg, size_t argsz);
int vdp_feature_dma_buf_revoke(struct vdp_device *vdev, u32 flags,
			       void __user *arg, size_t argsz);
int vdp_feature_dma_buf_memattr(struct vdp_device *vdev, u32 flags,
				void __user *arg, size_t argsz);
bool vdp_bar_wc_mapped(struct vdp_device *vdev, unsigned int bar);
bool vdp_wc_mapped(struct vdp_device *vdev);
void vdp_dmabufs_close(struct vdp_device *vdev);

#endif
