// SPDX-License-Identifier: GPL-2.0-only
/*
 * BAR pages mapped into userspace: region mmap()s and DMABUF mmap()s.
 *
 * vfio-pci-core of these kernels keeps the VMAs that map a BAR on
 * vdev->vma_list and zaps them before it resets the device, turns memory
 * decode or power off, or enters low power; faults raise SIGBUS until
 * access is back.  Every mapping made here joins that list, so it follows
 * each of those paths, the hot reset of another device of the set
 * included, with the core's own locking.
 *
 * Region mmap()s are made here rather than by vfio_pci_core_mmap(), which
 * maps the whole BAR into the kernel uncached and keeps it so until the
 * device is closed: that mapping's PAT reservation would turn any later
 * WC mapping of the BAR uncached.  Here a region mmap() maps what it is
 * asked for and nothing more, as in the series.
 */
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>

#include "vfio_dmabuf_pci.h"

/* The entry of vfio_pci_core_device.vma_list, as vfio_pci_core.c has it */
struct vdp_mmap_vma {
	struct vm_area_struct *vma;
	struct list_head vma_next;
};

/* vfio-pci-core's __vfio_pci_memory_enabled(), which it does not export */
static bool vdp_memory_enabled(struct vfio_pci_core_device *core)
{
	u16 cmd = le16_to_cpu(*(__le16 *)&core->vconfig[PCI_COMMAND]);

	return core->pdev->current_state < PCI_D3hot &&
	       (core->pdev->no_command_memory || (cmd & PCI_COMMAND_MEMORY));
}

/*
 * Whether the PTE at @addr has the memory type @wc asks for.  On x86 a
 * PFN insert takes the type of the PAT reservation covering the page, not
 * the VMA's: never let that silently turn a mapping into another type.
 */
static bool vdp_pte_type_ok(struct vm_area_struct *vma, unsigned long addr,
			    bool wc)
{
#ifdef CONFIG_X86
	unsigned long bits;
	spinlock_t *ptl;	/* the PTE's, from follow_pte() */
	pte_t *ptep;

	if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
		return false;
	bits = pte_val(*ptep) & _PAGE_CACHE_MASK;
	pte_unmap_unlock(ptep, ptl);
	if (wc)
		return bits == cachemode2protval(_PAGE_CACHE_MODE_WC);
	return bits == cachemode2protval(_PAGE_CACHE_MODE_UC_MINUS) ||
	       bits == cachemode2protval(_PAGE_CACHE_MODE_UC);
#else
	return true;
#endif
}

/* Put @vma on the core's list, where its zaps find it; caller has vma_lock */
static vm_fault_t vdp_track_vma(struct vfio_pci_core_device *core,
				struct vm_area_struct *vma)
{
	struct vdp_mmap_vma *mmap_vma;

	list_for_each_entry(mmap_vma, &core->vma_list, vma_next)
		if (mmap_vma->vma == vma)
			return 0;

	mmap_vma = kmalloc(sizeof(*mmap_vma), GFP_KERNEL_ACCOUNT);
	if (!mmap_vma)
		return VM_FAULT_OOM;
	mmap_vma->vma = vma;
	list_add(&mmap_vma->vma_next, &core->vma_list);
	return 0;
}

/* Take the VMAs whose vm_private_data is @private off the core's list */
void vdp_untrack_vmas(struct vfio_pci_core_device *core, void *private)
{
	struct vdp_mmap_vma *mmap_vma, *tmp;

	mutex_lock(&core->vma_lock);
	list_for_each_entry_safe(mmap_vma, tmp, &core->vma_list, vma_next) {
		if (mmap_vma->vma->vm_private_data != private)
			continue;
		list_del(&mmap_vma->vma_next);
		kfree(mmap_vma);
	}
	mutex_unlock(&core->vma_lock);
}

/* Take @vma off the core's list, as vfio_pci_mmap_close() does */
void vdp_untrack_vma(struct vfio_pci_core_device *core,
		     struct vm_area_struct *vma)
{
	struct vdp_mmap_vma *mmap_vma;

	mutex_lock(&core->vma_lock);
	list_for_each_entry(mmap_vma, &core->vma_list, vma_next) {
		if (mmap_vma->vma == vma) {
			list_del(&mmap_vma->vma_next);
			kfree(mmap_vma);
			break;
		}
	}
	mutex_unlock(&core->vma_lock);
}

/*
 * Map @pfn at the faulting address, uncached or WC, while the device's
 * memory is accessible.  The order of vfio_pci_mmap_fault(): vma_lock,
 * then memory_lock.
 */
vm_fault_t vdp_insert_pfn(struct vfio_pci_core_device *core,
			  struct vm_fault *vmf, unsigned long pfn, bool wc)
{
	unsigned long addr = vmf->address & PAGE_MASK;
	struct vm_area_struct *vma = vmf->vma;
	vm_fault_t ret = VM_FAULT_SIGBUS;

	mutex_lock(&core->vma_lock);
	down_read(&core->memory_lock);
	if (core->pm_runtime_engaged || !vdp_memory_enabled(core))
		goto out_unlock;

	ret = vdp_track_vma(core, vma);
	if (ret)
		goto out_unlock;
	ret = vmf_insert_pfn(vma, addr, pfn);
	if (ret == VM_FAULT_NOPAGE && !vdp_pte_type_ok(vma, addr, wc)) {
		zap_vma_ptes(vma, addr, PAGE_SIZE);
		ret = VM_FAULT_SIGBUS;
	}
out_unlock:
	up_read(&core->memory_lock);
	mutex_unlock(&core->vma_lock);
	return ret;
}

/* The BAR a region mmap() of @vma maps: vm_pgoff is its first PFN */
static unsigned int vdp_region_bar(struct vm_area_struct *vma)
{
	struct vdp_device *vdev = vma->vm_private_data;
	phys_addr_t paddr = PFN_PHYS(vma->vm_pgoff);
	unsigned int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		if (paddr >= pci_resource_start(vdev->core.pdev, bar) &&
		    paddr <= pci_resource_end(vdev->core.pdev, bar))
			break;
	return bar;
}

static vm_fault_t vdp_region_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vdp_device *vdev = vma->vm_private_data;

	return vdp_insert_pfn(&vdev->core, vmf, vma->vm_pgoff +
			      ((vmf->address - vma->vm_start) >> PAGE_SHIFT),
			      false);
}

/* A copy made by fork() or a split starts empty, as in vfio_pci_mmap_open() */
static void vdp_region_open(struct vm_area_struct *vma)
{
	struct vdp_device *vdev = vma->vm_private_data;

	mutex_lock(&vdp_lock);
	vdev->region_mmaps[vdp_region_bar(vma)]++;
	mutex_unlock(&vdp_lock);
	zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
}

/*
 * mremap() moves the PTEs into a new VMA the core's list does not have:
 * empty it, as a copy, so that its first access faults and lists it.
 */
int vdp_mremap(struct vm_area_struct *vma)
{
	zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
	return 0;
}

static void vdp_region_close(struct vm_area_struct *vma)
{
	struct vdp_device *vdev = vma->vm_private_data;

	vdp_untrack_vma(&vdev->core, vma);
	mutex_lock(&vdp_lock);
	vdev->region_mmaps[vdp_region_bar(vma)]--;
	mutex_unlock(&vdp_lock);
}

static const struct vm_operations_struct vdp_region_vm_ops = {
	.open = vdp_region_open,
	.close = vdp_region_close,
	.mremap = vdp_mremap,
	.fault = vdp_region_fault,
};

/*
 * The checks of vfio_pci_core_mmap() for BAR @index, without its kernel
 * mapping of the BAR; the caller holds vdp_lock.  The BAR is not claimed
 * with pci_request_selected_regions() either: vfio-pci-core ties that claim
 * to its kernel mapping, and the device is ours anyway.
 */
int vdp_region_mmap(struct vdp_device *vdev, unsigned int index,
		    struct vm_area_struct *vma)
{
	struct pci_dev *pdev = vdev->core.pdev;
	u64 phys_len, req_len, pgoff, req_start;

	lockdep_assert_held(&vdp_lock);

	if (vma->vm_end < vma->vm_start || !(vma->vm_flags & VM_SHARED) ||
	    !vdev->core.bar_mmap_supported[index])
		return -EINVAL;

	phys_len = PAGE_ALIGN(pci_resource_len(pdev, index));
	req_len = vma->vm_end - vma->vm_start;
	pgoff = vma->vm_pgoff &
		((1U << (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT)) - 1);
	req_start = pgoff << PAGE_SHIFT;
	if (req_start + req_len > phys_len)
		return -EINVAL;

	vdev->region_mmaps[index]++;
	vma->vm_private_data = vdev;
	vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_page_prot = pgprot_decrypted(vma->vm_page_prot);
	vma->vm_pgoff = (pci_resource_start(pdev, index) >> PAGE_SHIFT) + pgoff;
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &vdp_region_vm_ops;
	return 0;
}
