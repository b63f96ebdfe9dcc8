/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The interrupt handle a driver gets: one eventfd for the first vector of
 * MSI-X, else MSI, else INTx, whichever the device has first.  EAL's
 * interrupt code enables it through VFIO_DEVICE_SET_IRQS on the device fd.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>

#include <rte_interrupts.h>

#include "private.h"
#include "vfio_dmabuf_uapi.h"

static const struct {
	unsigned int index;
	enum rte_intr_handle_type type;
} vfio_dmabuf_irq_kinds[] = {
	{ VFIO_PCI_MSIX_IRQ_INDEX, RTE_INTR_HANDLE_VFIO_MSIX },
	{ VFIO_PCI_MSI_IRQ_INDEX, RTE_INTR_HANDLE_VFIO_MSI },
	{ VFIO_PCI_INTX_IRQ_INDEX, RTE_INTR_HANDLE_VFIO_LEGACY },
};

int
vfio_dmabuf_setup_interrupts(struct rte_vfio_dmabuf_device *dev)
{
	unsigned int i;
	int efd;

	dev->intr_handle = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (dev->intr_handle == NULL)
		return -ENOMEM;

	for (i = 0; i < RTE_DIM(vfio_dmabuf_irq_kinds); i++) {
		struct vfio_irq_info irq = {
			.argsz = sizeof(irq),
			.index = vfio_dmabuf_irq_kinds[i].index,
		};

		if (ioctl(dev->vfio_fd, VFIO_DEVICE_GET_IRQ_INFO, &irq) != 0 ||
		    irq.count == 0 || !(irq.flags & VFIO_IRQ_INFO_EVENTFD))
			continue;
		if (irq.index == VFIO_PCI_MSIX_IRQ_INDEX &&
		    rte_intr_event_list_update(dev->intr_handle, irq.count) != 0)
			return -ENOMEM;

		efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (efd < 0)
			return -errno;
		if (rte_intr_fd_set(dev->intr_handle, efd) != 0 ||
		    rte_intr_dev_fd_set(dev->intr_handle, dev->vfio_fd) != 0 ||
		    rte_intr_type_set(dev->intr_handle,
				      vfio_dmabuf_irq_kinds[i].type) != 0) {
			close(efd);
			return -EINVAL;
		}
		return 0;
	}
	VFIO_DMABUF_LOG(INFO, "%s: no interrupt usable with an eventfd", dev->name);
	rte_intr_fd_set(dev->intr_handle, -1);
	return 0;
}
