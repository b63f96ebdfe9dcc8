// SPDX-License-Identifier: GPL-2.0-only
/*
 * DMABUFs of BAR ranges with CPU mmap(), as VFIO_DEVICE_FEATURE_DMA_BUF,
 * _DMA_BUF_REVOKE and _DMA_BUF_MEMATTR of the vfio-dmabuf series, on a
 * kernel whose vfio-pci has none of them (Linux 6.1).  Their mappings
 * follow the core's zaps (mmap.c); device close and REVOKE, which the
 * core does not know about, take them off its list and zap them here.
 */
#include <linux/dma-buf.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "rte_vfio_dmabuf_uapi.h"
#include "vfio_dmabuf_pci.h"

MODULE_IMPORT_NS(DMA_BUF);

#define VDP_NR_MEMATTR (VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC + 1)

struct vdp_range {
	phys_addr_t paddr;
	u64 len;
};

struct vdp_dmabuf {
	struct dma_buf *dmabuf;
	/*
	 * Cleared at device close, set by REVOKE; written under vdp_lock and
	 * fault_lock, read by faults under fault_lock alone.
	 */
	struct vdp_device *vdev;
	bool user_revoked;
	struct rw_semaphore fault_lock;
	struct list_head elm;
	u32 bar;
	u32 nr_ranges;
	struct vdp_range *ranges;
	size_t size;
	/* For the next mmap(): VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_* */
	u32 memattr;
	/* Under vdp_lock */
	unsigned int nr_vmas[VDP_NR_MEMATTR];
	bool wc_reserved;
};

static const struct vm_operations_struct vdp_vm_ops[VDP_NR_MEMATTR];

static int vdp_attach(struct dma_buf *dmabuf,
		      struct dma_buf_attachment *attachment)
{
	/* CPU mmap() only: no importer could be told of a revoke */
	return -EOPNOTSUPP;
}

static struct sg_table *vdp_map_dma_buf(struct dma_buf_attachment *attachment,
					enum dma_data_direction dir)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static void vdp_unmap_dma_buf(struct dma_buf_attachment *attachment,
			      struct sg_table *sgt,
			      enum dma_data_direction dir)
{
}

static int vdp_find_pfn(struct vdp_dmabuf *priv, pgoff_t pgoff,
			unsigned long *pfn)
{
	u64 offset = (u64)pgoff << PAGE_SHIFT;
	u32 i;

	for (i = 0; i < priv->nr_ranges; i++) {
		if (offset < priv->ranges[i].len) {
			*pfn = PHYS_PFN(priv->ranges[i].paddr + offset);
			return 0;
		}
		offset -= priv->ranges[i].len;
	}
	return -EINVAL;
}

static vm_fault_t vdp_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vdp_dmabuf *priv = vma->vm_private_data;
	pgoff_t pgoff = vma->vm_pgoff +
			((vmf->address - vma->vm_start) >> PAGE_SHIFT);
	bool wc = vma->vm_ops == &vdp_vm_ops[VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC];
	vm_fault_t ret = VM_FAULT_SIGBUS;
	unsigned long pfn;

	down_read(&priv->fault_lock);
	if (priv->vdev && !priv->user_revoked &&
	    !vdp_find_pfn(priv, pgoff, &pfn))
		ret = vdp_insert_pfn(&priv->vdev->core, vmf, pfn, wc);
	up_read(&priv->fault_lock);
	return ret;
}

static bool vdp_ranges_overlap(struct vdp_dmabuf *a, struct vdp_dmabuf *b)
{
	u32 i, j;

	for (i = 0; i < a->nr_ranges; i++)
		for (j = 0; j < b->nr_ranges; j++)
			if (a->ranges[i].paddr < b->ranges[j].paddr + b->ranges[j].len &&
			    b->ranges[j].paddr < a->ranges[i].paddr + a->ranges[i].len)
				return true;
	return false;
}

/*
 * Whether the PAT gives WC to the page at @paddr, which a WC reservation
 * of ours covers: arch_io_reserve_memtype_wc() succeeds with the type of
 * an overlapping reservation, and 6.1 exports no lookup of that type.  A
 * kernel mapping of the page made now gets it.
 */
static bool vdp_page_is_wc(phys_addr_t paddr)
{
#ifdef CONFIG_X86
	void __iomem *va = ioremap_wc(paddr, PAGE_SIZE);
	unsigned int level;
	bool wc = false;
	pte_t *ptep;

	if (!va)
		return false;
	ptep = lookup_address((unsigned long)va, &level);
	if (ptep && level == PG_LEVEL_4K)
		wc = (pte_val(*ptep) & _PAGE_CACHE_MASK) ==
		     cachemode2protval(_PAGE_CACHE_MODE_WC);
	iounmap(va);
	return wc;
#else
	return true;
#endif
}

static void vdp_free_wc(struct vdp_dmabuf *priv, u32 nr)
{
	while (nr--)
		arch_io_free_memtype_wc(priv->ranges[nr].paddr,
					priv->ranges[nr].len);
}

/* A WC reservation of every range, or an error: never a silent UC- */
static int vdp_reserve_wc(struct vdp_dmabuf *priv)
{
	int ret = 0;
	u32 i;

	lockdep_assert_held(&vdp_lock);

	for (i = 0; i < priv->nr_ranges; i++) {
		ret = arch_io_reserve_memtype_wc(priv->ranges[i].paddr,
						 priv->ranges[i].len);
		if (ret)
			break;
		if (!vdp_page_is_wc(priv->ranges[i].paddr)) {
			arch_io_free_memtype_wc(priv->ranges[i].paddr,
						priv->ranges[i].len);
			ret = -EBUSY;
			break;
		}
	}
	if (ret) {
		vdp_free_wc(priv, i);
		return ret;
	}
	priv->wc_reserved = true;
	return 0;
}

/*
 * Account a new mapping of @priv with @memattr.  PAT keeps one memory type
 * per page, so a WC mapping needs a WC reservation of the ranges, and
 * nothing may map those pages with another type while it exists: not an
 * uncached DMABUF mapping, not a region mmap() of the BAR, and not the
 * kernel's mapping of the whole BAR that vfio-pci-core makes for a
 * read()/write() or ioeventfd (it stays until the device is closed).
 * Each direction fails with EBUSY, as in the series.
 */
static int vdp_map_attr(struct vdp_dmabuf *priv, u32 memattr)
{
	struct vdp_dmabuf *other;
	struct vdp_device *vdev;
	u32 attr;
	int ret;

	lockdep_assert_held(&vdp_lock);

	vdev = priv->user_revoked ? NULL : priv->vdev;
	if (!vdev)
		return -ENODEV;
	if (priv->nr_vmas[memattr]) {
		priv->nr_vmas[memattr]++;
		return 0;
	}

	/*
	 * @priv is on the list itself, with its mappings of the other type; a
	 * revoked DMABUF maps nothing any more.
	 */
	list_for_each_entry(other, &vdev->dmabufs, elm) {
		if (other->bar != priv->bar || other->user_revoked)
			continue;
		for (attr = 0; attr < VDP_NR_MEMATTR; attr++) {
			if (attr == memattr || !other->nr_vmas[attr])
				continue;
			if ((attr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC ||
			     memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC) &&
			    vdp_ranges_overlap(priv, other))
				return -EBUSY;
		}
	}
	if (memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC) {
		if (vdev->core.barmap[priv->bar] ||
		    vdev->region_mmaps[priv->bar] || vdev->ioeventfd_calls)
			return -EBUSY;
		ret = vdp_reserve_wc(priv);
		if (ret)
			return ret;
	}
	priv->nr_vmas[memattr]++;
	return 0;
}

static void vdp_unmap_attr(struct vdp_dmabuf *priv, u32 memattr)
{
	lockdep_assert_held(&vdp_lock);

	if (!--priv->nr_vmas[memattr] && priv->wc_reserved &&
	    memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC) {
		vdp_free_wc(priv, priv->nr_ranges);
		priv->wc_reserved = false;
	}
}

/*
 * A copy made by fork() or a split starts empty, as in vfio_pci_mmap_open():
 * it is on no list yet, so its first access faults and puts it there.
 */
static void vdp_vm_open(struct vm_area_struct *vma)
{
	struct vdp_dmabuf *priv = vma->vm_private_data;
	u32 memattr = vma->vm_ops - vdp_vm_ops;

	mutex_lock(&vdp_lock);
	priv->nr_vmas[memattr]++;
	mutex_unlock(&vdp_lock);
	zap_vma_ptes(vma, vma->vm_start, vma->vm_end - vma->vm_start);
}

static void vdp_vm_close(struct vm_area_struct *vma)
{
	struct vdp_dmabuf *priv = vma->vm_private_data;
	u32 memattr = vma->vm_ops - vdp_vm_ops;

	mutex_lock(&vdp_lock);
	if (priv->vdev)
		vdp_untrack_vma(&priv->vdev->core, vma);
	vdp_unmap_attr(priv, memattr);
	mutex_unlock(&vdp_lock);
}

/* The VMA's attribute is in its ops, so that close accounts the right one */
static const struct vm_operations_struct vdp_vm_ops[VDP_NR_MEMATTR] = {
	[VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC] = {
		.open = vdp_vm_open,
		.close = vdp_vm_close,
		.mremap = vdp_mremap,
		.fault = vdp_fault,
	},
	[VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC] = {
		.open = vdp_vm_open,
		.close = vdp_vm_close,
		.mremap = vdp_mremap,
		.fault = vdp_fault,
	},
};

static int vdp_dmabuf_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct vdp_dmabuf *priv = dmabuf->priv;
	/* Pairs with WRITE_ONCE() in vdp_feature_dma_buf_memattr() */
	u32 memattr = READ_ONCE(priv->memattr);
	int ret;

	/* A private copy-on-write mapping of MMIO cannot be revoked */
	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;

	mutex_lock(&vdp_lock);
	ret = vdp_map_attr(priv, memattr);
	mutex_unlock(&vdp_lock);
	if (ret)
		return ret;

	vma->vm_private_data = priv;
	if (memattr == VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC)
		vma->vm_page_prot = pgprot_writecombine(vma->vm_page_prot);
	else
		vma->vm_page_prot = pgprot_noncached(vma->vm_page_prot);
	vma->vm_page_prot = pgprot_decrypted(vma->vm_page_prot);
	/* The flags of a BAR region mmap: see vfio_pci_core_mmap() */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_ops = &vdp_vm_ops[memattr];
	return 0;
}

static void vdp_release(struct dma_buf *dmabuf)
{
	struct vdp_dmabuf *priv = dmabuf->priv;

	/* Every VMA holds the file: none is left, nor a WC reservation */
	mutex_lock(&vdp_lock);
	if (priv->vdev)
		list_del(&priv->elm);
	mutex_unlock(&vdp_lock);
	kfree(priv->ranges);
	kfree(priv);
}

static const struct dma_buf_ops vdp_dmabuf_ops = {
	.attach = vdp_attach,
	.map_dma_buf = vdp_map_dma_buf,
	.unmap_dma_buf = vdp_unmap_dma_buf,
	.mmap = vdp_dmabuf_mmap,
	.release = vdp_release,
};

/*
 * The checks of the series' validate_dmabuf_input() and
 * vfio_pci_core_fill_phys_vec(), with the same errors.
 */
static int vdp_fill_ranges(struct vdp_dmabuf *priv,
			   struct vfio_region_dma_range *dma_ranges,
			   struct pci_dev *pdev)
{
	phys_addr_t start = pci_resource_start(pdev, priv->bar);
	phys_addr_t max_addr = start + pci_resource_len(pdev, priv->bar);
	size_t length = 0;
	u32 i;

	for (i = 0; i < priv->nr_ranges; i++) {
		u64 offset = dma_ranges[i].offset;
		u64 len = dma_ranges[i].length;

		if (!len || !PAGE_ALIGNED(offset) || !PAGE_ALIGNED(len))
			return -EINVAL;
		if (check_add_overflow(length, len, &length))
			return -EINVAL;
	}
	for (i = 0; i < priv->nr_ranges; i++) {
		phys_addr_t end;

		if (check_add_overflow(start, dma_ranges[i].offset,
				       &priv->ranges[i].paddr) ||
		    check_add_overflow(priv->ranges[i].paddr,
				       dma_ranges[i].length, &end))
			return -EOVERFLOW;
		if (end > max_addr)
			return -EINVAL;
		priv->ranges[i].len = dma_ranges[i].length;
	}
	priv->size = length;
	return 0;
}

static struct vdp_dmabuf *vdp_dmabuf_alloc(struct vdp_device *vdev,
					   struct vfio_device_feature_dma_buf *get,
					   struct vfio_device_feature_dma_buf __user *arg)
{
	struct vfio_region_dma_range *dma_ranges;
	struct vdp_dmabuf *priv;
	int ret;

	dma_ranges = memdup_user(&arg->dma_ranges,
				 array_size(get->nr_ranges, sizeof(*dma_ranges)));
	if (IS_ERR(dma_ranges))
		return ERR_CAST(dma_ranges);

	ret = -ENOMEM;
	priv = kzalloc(sizeof(*priv), GFP_KERNEL);
	if (!priv)
		goto out;
	priv->ranges = kcalloc(get->nr_ranges, sizeof(*priv->ranges),
			       GFP_KERNEL);
	if (!priv->ranges)
		goto out;
	priv->bar = get->region_index;
	priv->nr_ranges = get->nr_ranges;
	init_rwsem(&priv->fault_lock);
	ret = vdp_fill_ranges(priv, dma_ranges, vdev->core.pdev);
out:
	kfree(dma_ranges);
	if (ret) {
		if (priv)
			kfree(priv->ranges);
		kfree(priv);
		return ERR_PTR(ret);
	}
	return priv;
}

int vdp_feature_dma_buf(struct vdp_device *vdev, u32 flags,
			void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf get = {};
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct vdp_dmabuf *priv;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_GET,
				 sizeof(get));
	if (ret != 1)
		return ret;
	if (copy_from_user(&get, arg, sizeof(get)))
		return -EFAULT;
	if (!get.nr_ranges || get.flags)
		return -EINVAL;
	/* The series' errors: ENODEV for no BAR, EINVAL for an I/O one */
	if (get.region_index >= VFIO_PCI_ROM_REGION_INDEX)
		return -ENODEV;
	if (!(pci_resource_flags(vdev->core.pdev, get.region_index) &
	      IORESOURCE_MEM))
		return -EINVAL;

	priv = vdp_dmabuf_alloc(vdev, &get, arg);
	if (IS_ERR(priv))
		return PTR_ERR(priv);

	exp_info.ops = &vdp_dmabuf_ops;
	exp_info.size = priv->size;
	exp_info.flags = get.open_flags;
	exp_info.priv = priv;
	priv->dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(priv->dmabuf)) {
		ret = PTR_ERR(priv->dmabuf);
		kfree(priv->ranges);
		kfree(priv);
		return ret;
	}

	/* The device is open (this is its ioctl): close cannot run yet */
	mutex_lock(&vdp_lock);
	priv->vdev = vdev;
	list_add_tail(&priv->elm, &vdev->dmabufs);
	mutex_unlock(&vdp_lock);

	/* dma_buf_put() now frees priv */
	ret = dma_buf_fd(priv->dmabuf, get.open_flags);
	if (ret < 0)
		dma_buf_put(priv->dmabuf);
	return ret;
}

/*
 * End @priv's CPU access for good: faults see it and raise SIGBUS, its
 * PTEs are zapped and what it held on the BAR is given back.
 */
static void vdp_dmabuf_end(struct vdp_dmabuf *priv, bool device_close)
{
	struct vdp_device *vdev = priv->vdev;

	lockdep_assert_held(&vdp_lock);

	down_write(&priv->fault_lock);
	if (device_close)
		priv->vdev = NULL;
	else
		priv->user_revoked = true;
	up_write(&priv->fault_lock);

	vdp_untrack_vmas(&vdev->core, priv);
	/*
	 * Each mapping holds the file, and its close waits for vdp_lock:
	 * with one, the file is there.  Without, there is nothing to zap
	 * and the file may be gone already.
	 */
	if (priv->nr_vmas[VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC] ||
	    priv->nr_vmas[VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC])
		unmap_mapping_range(priv->dmabuf->file->f_mapping, 0,
				    priv->size, 1);
	if (priv->wc_reserved) {
		vdp_free_wc(priv, priv->nr_ranges);
		priv->wc_reserved = false;
	}
	if (device_close)
		list_del(&priv->elm);
}

/* At device close: every DMABUF of it is revoked, its mappings SIGBUS */
void vdp_dmabufs_close(struct vdp_device *vdev)
{
	struct vdp_dmabuf *priv, *tmp;

	mutex_lock(&vdp_lock);
	list_for_each_entry_safe(priv, tmp, &vdev->dmabufs, elm)
		vdp_dmabuf_end(priv, true);
	mutex_unlock(&vdp_lock);
}

/* Whether a DMABUF of @bar is mapped WC; the caller holds vdp_lock */
bool vdp_bar_wc_mapped(struct vdp_device *vdev, unsigned int bar)
{
	struct vdp_dmabuf *priv;

	lockdep_assert_held(&vdp_lock);

	list_for_each_entry(priv, &vdev->dmabufs, elm)
		if (priv->bar == bar && !priv->user_revoked &&
		    priv->nr_vmas[VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC])
			return true;
	return false;
}

/* Whether a DMABUF of any BAR is mapped WC; the caller holds vdp_lock */
bool vdp_wc_mapped(struct vdp_device *vdev)
{
	unsigned int bar;

	for (bar = 0; bar < PCI_STD_NUM_BARS; bar++)
		if (vdp_bar_wc_mapped(vdev, bar))
			return true;
	return false;
}

/* The DMABUF behind @fd if @vdev exported it; the caller puts it */
static struct dma_buf *vdp_dmabuf_get(struct vdp_device *vdev, int fd)
{
	struct dma_buf *dmabuf = dma_buf_get(fd);
	struct vdp_dmabuf *priv;

	if (IS_ERR(dmabuf))
		return dmabuf;
	if (dmabuf->ops != &vdp_dmabuf_ops) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-EINVAL);
	}
	/* Only compared: a DMABUF of a closed device has no vdev */
	priv = dmabuf->priv;
	if (READ_ONCE(priv->vdev) != vdev) {
		dma_buf_put(dmabuf);
		return ERR_PTR(-ENODEV);
	}
	return dmabuf;
}

int vdp_feature_dma_buf_revoke(struct vdp_device *vdev, u32 flags,
			       void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf_revoke revoke;
	struct vdp_dmabuf *priv;
	struct dma_buf *dmabuf;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(revoke));
	if (ret != 1)
		return ret;
	if (copy_from_user(&revoke, arg, sizeof(revoke)))
		return -EFAULT;

	dmabuf = vdp_dmabuf_get(vdev, revoke.dmabuf_fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	priv = dmabuf->priv;

	mutex_lock(&vdp_lock);
	ret = priv->user_revoked ? -EBADFD : 0;
	if (!ret)
		vdp_dmabuf_end(priv, false);
	mutex_unlock(&vdp_lock);

	dma_buf_put(dmabuf);
	return ret;
}

/*
 * Whether @priv covers a page of the MSI-X table or PBA.  The PCI core maps
 * the table uncached when MSI-X is enabled, and a WC reservation of the
 * same page would either be UC- itself or, made first, turn that kernel
 * mapping write-combining.
 */
static bool vdp_covers_msix(struct vdp_device *vdev, struct vdp_dmabuf *priv)
{
	struct vfio_pci_core_device *core = &vdev->core;
	struct pci_dev *pdev = core->pdev;
	struct vdp_dmabuf area = { .nr_ranges = 1 };
	struct vdp_range range;
	phys_addr_t start, end;
	u32 pba;
	u8 bar;

	if (!pdev->msix_cap)
		return false;
	area.ranges = &range;

	if (core->msix_bar == priv->bar) {
		start = pci_resource_start(pdev, core->msix_bar) +
			core->msix_offset;
		end = start + core->msix_size;
		range.paddr = ALIGN_DOWN(start, PAGE_SIZE);
		range.len = PAGE_ALIGN(end) - range.paddr;
		if (vdp_ranges_overlap(priv, &area))
			return true;
	}

	pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_PBA, &pba);
	bar = pba & PCI_MSIX_PBA_BIR;
	if (bar != priv->bar)
		return false;
	start = pci_resource_start(pdev, bar) + (pba & PCI_MSIX_PBA_OFFSET);
	/* One bit per table entry; the table has msix_size / 16 of them */
	end = start + DIV_ROUND_UP(core->msix_size / PCI_MSIX_ENTRY_SIZE, 64) * 8;
	range.paddr = ALIGN_DOWN(start, PAGE_SIZE);
	range.len = PAGE_ALIGN(end) - range.paddr;
	return vdp_ranges_overlap(priv, &area);
}

int vdp_feature_dma_buf_memattr(struct vdp_device *vdev, u32 flags,
				void __user *arg, size_t argsz)
{
	struct vfio_device_feature_dma_buf_memattr memattr;
	struct vdp_dmabuf *priv;
	struct dma_buf *dmabuf;
	int ret;

	ret = vfio_check_feature(flags, argsz, VFIO_DEVICE_FEATURE_SET,
				 sizeof(memattr));
	if (ret != 1)
		return ret;
	if (copy_from_user(&memattr, arg, sizeof(memattr)))
		return -EFAULT;

	dmabuf = vdp_dmabuf_get(vdev, memattr.dmabuf_fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	priv = dmabuf->priv;

	switch (memattr.memattr) {
	case VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC:
		ret = 0;
		break;
	case VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC:
		/* Without PAT, x86 maps a "WC" pgprot uncached */
		if (pgprot_val(pgprot_writecombine(PAGE_SHARED)) ==
		    pgprot_val(pgprot_noncached(PAGE_SHARED)))
			ret = -EOPNOTSUPP;
		else if (vdp_covers_msix(vdev, priv))
			ret = -EPERM;
		else
			ret = 0;
		break;
	default:
		ret = -EINVAL;
	}

	/* Read once by each mmap(); VMAs keep what they were made with */
	if (!ret)
		WRITE_ONCE(priv->memattr, memattr.memattr);

	dma_buf_put(dmabuf);
	return ret;
}
