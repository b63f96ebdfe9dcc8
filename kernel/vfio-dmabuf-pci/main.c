// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio-dmabuf-pci: a vfio-pci variant driver for kernels without the
 * vfio-dmabuf series.  It binds as vfio-pci does (driver_override or
 * new_id), leaves everything to vfio-pci-core and adds the series' uAPI:
 * VFIO_DEVICE_FEATURE_DMA_BUF (11) with mmap() of the DMABUF,
 * VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE (13) and
 * VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR (14), same numbers, same structs,
 * same errors.  See doc/kernel.md of the vfio-dmabuf fork.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "rte_vfio_dmabuf_uapi.h"
#include "vfio_dmabuf_pci.h"

/*
 * Serialises exports, releases and mmap()s of DMABUFs, region mmap()s,
 * VMA open and close, REVOKE and device close: the DMABUF lists and the
 * mapping counts that decide who may map a BAR page WC.
 */
DEFINE_MUTEX(vdp_lock);

static struct vdp_device *to_vdp(struct vfio_device *core_vdev)
{
	return container_of(core_vdev, struct vdp_device, core.vdev);
}

static int vdp_init_dev(struct vfio_device *core_vdev)
{
	INIT_LIST_HEAD(&to_vdp(core_vdev)->dmabufs);
	return vfio_pci_core_init_dev(core_vdev);
}

static int vdp_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *core = &to_vdp(core_vdev)->core;
	int ret;

	ret = vfio_pci_core_enable(core);
	if (ret)
		return ret;
	vfio_pci_core_finish_enable(core);
	return 0;
}

static void vdp_close_device(struct vfio_device *core_vdev)
{
	vdp_dmabufs_close(to_vdp(core_vdev));
	vfio_pci_core_close_device(core_vdev);
}

static int vdp_device_feature(struct vfio_device *core_vdev, u32 flags,
			      void __user *arg, size_t argsz)
{
	struct vdp_device *vdev = to_vdp(core_vdev);

	switch (flags & VFIO_DEVICE_FEATURE_MASK) {
	case VFIO_DEVICE_FEATURE_DMA_BUF:
		return vdp_feature_dma_buf(vdev, flags, arg, argsz);
	case VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE:
		return vdp_feature_dma_buf_revoke(vdev, flags, arg, argsz);
	case VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR:
		return vdp_feature_dma_buf_memattr(vdev, flags, arg, argsz);
	default:
		return vfio_pci_core_ioctl_feature(core_vdev, flags, arg, argsz);
	}
}

/*
 * vfio-pci-core maps a whole BAR uncached into the kernel at the first
 * read()/write() or ioeventfd of it, and keeps it until the device is
 * closed.  Under a WC mapping of a DMABUF of that BAR the PAT would give
 * that mapping WC instead.  So the kernel mapping is made here, under
 * vdp_lock, before the core's read()/write() runs (which copies from and
 * to userspace: never under vdp_lock), and refused with EBUSY while a WC
 * mapping of the BAR exists; once it is made, WC mmap()s of the BAR are
 * refused (vdp_map_attr()).  As vfio_pci_setup_barmap(), which the core
 * then finds done.
 */
static int vdp_bar_map_kernel(struct vdp_device *vdev, u64 index)
{
	struct vfio_pci_core_device *core = &vdev->core;
	struct pci_dev *pdev = core->pdev;
	void __iomem *io;
	int ret = 0;

	/* The core answers for other regions and for BARs that are absent */
	if (index >= VFIO_PCI_ROM_REGION_INDEX || !pci_resource_len(pdev, index) ||
	    READ_ONCE(core->barmap[index]))
		return 0;

	mutex_lock(&vdp_lock);
	if (core->barmap[index])
		goto out;
	if (vdp_bar_wc_mapped(vdev, index)) {
		ret = -EBUSY;
		goto out;
	}
	ret = pci_request_selected_regions(pdev, 1 << index, "vfio");
	if (ret)
		goto out;
	io = pci_iomap(pdev, index, 0);
	if (!io) {
		pci_release_selected_regions(pdev, 1 << index);
		ret = -ENOMEM;
		goto out;
	}
	WRITE_ONCE(core->barmap[index], io);
out:
	mutex_unlock(&vdp_lock);
	return ret;
}

static ssize_t vdp_read(struct vfio_device *core_vdev, char __user *buf,
			size_t count, loff_t *ppos)
{
	int ret = vdp_bar_map_kernel(to_vdp(core_vdev),
				     VFIO_PCI_OFFSET_TO_INDEX(*ppos));

	return ret ? ret : vfio_pci_core_read(core_vdev, buf, count, ppos);
}

static ssize_t vdp_write(struct vfio_device *core_vdev, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	int ret = vdp_bar_map_kernel(to_vdp(core_vdev),
				     VFIO_PCI_OFFSET_TO_INDEX(*ppos));

	return ret ? ret : vfio_pci_core_write(core_vdev, buf, count, ppos);
}

/* A BAR's region mmap() and its WC DMABUF mappings exclude each other */
static int vdp_mmap(struct vfio_device *core_vdev, struct vm_area_struct *vma)
{
	struct vdp_device *vdev = to_vdp(core_vdev);
	u64 index = vma->vm_pgoff >> (VFIO_PCI_OFFSET_SHIFT - PAGE_SHIFT);
	int ret;

	if (index >= VFIO_PCI_ROM_REGION_INDEX)
		return vfio_pci_core_mmap(core_vdev, vma);

	mutex_lock(&vdp_lock);
	if (vdp_bar_wc_mapped(vdev, index))
		ret = -EBUSY;
	else
		ret = vdp_region_mmap(vdev, index, vma);
	mutex_unlock(&vdp_lock);
	return ret;
}

/*
 * The core reads the ioeventfd's offset from userspace itself, so the BAR
 * it will map cannot be known here: an ioeventfd is refused while any WC
 * mapping of the device exists, and no WC mapping is made while one is
 * being set up (vdp_map_attr()).
 */
static long vdp_ioctl(struct vfio_device *core_vdev, unsigned int cmd,
		      unsigned long arg)
{
	struct vdp_device *vdev = to_vdp(core_vdev);
	long ret = 0;

	if (cmd != VFIO_DEVICE_IOEVENTFD)
		return vfio_pci_core_ioctl(core_vdev, cmd, arg);

	mutex_lock(&vdp_lock);
	if (vdp_wc_mapped(vdev))
		ret = -EBUSY;
	else
		vdev->ioeventfd_calls++;
	mutex_unlock(&vdp_lock);
	if (ret)
		return ret;

	ret = vfio_pci_core_ioctl(core_vdev, cmd, arg);

	mutex_lock(&vdp_lock);
	vdev->ioeventfd_calls--;
	mutex_unlock(&vdp_lock);
	return ret;
}

static const struct vfio_device_ops vdp_ops = {
	.name		= "vfio-dmabuf-pci",
	.init		= vdp_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= vdp_open_device,
	.close_device	= vdp_close_device,
	.ioctl		= vdp_ioctl,
	.device_feature	= vdp_device_feature,
	.read		= vdp_read,
	.write		= vdp_write,
	.mmap		= vdp_mmap,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
};

static int vdp_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vdp_device *vdev;
	int ret;

	vdev = vfio_alloc_device(vdp_device, core.vdev, &pdev->dev, &vdp_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);

	dev_set_drvdata(&pdev->dev, &vdev->core);
	ret = vfio_pci_core_register_device(&vdev->core);
	if (ret)
		vfio_put_device(&vdev->core.vdev);
	return ret;
}

static void vdp_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *core = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_unregister_device(core);
	vfio_put_device(&core->vdev);
}

/* No IDs: a device is bound by driver_override or new_id, never by default */
static struct pci_driver vdp_driver = {
	.name			= "vfio-dmabuf-pci",
	.probe			= vdp_probe,
	.remove			= vdp_remove,
	.err_handler		= &vfio_pci_core_err_handlers,
	.driver_managed_dma	= true,
};

module_pci_driver(vdp_driver);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vfio-pci with mmap()able, write-combinable DMABUFs of BARs");
MODULE_VERSION("1.0");
