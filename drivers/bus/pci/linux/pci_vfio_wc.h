/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef PCI_VFIO_WC_H
#define PCI_VFIO_WC_H

#include <stdbool.h>

#include <bus_pci_driver.h>

#include "private.h"

/*
 * Write-combining BARs under vfio-pci for drivers that set
 * RTE_PCI_DRV_WC_ACTIVATE, through VFIO DMABUFs (EAL's rte_vfio_dmabuf.h).
 */

/* Whether BAR @bar of @dev is to be mapped WC (a primary process) */
bool pci_vfio_wc_wanted(const struct rte_pci_device *dev, int vfio_dev_fd,
			const struct mapped_pci_resource *vfio_res, int bar);

/*
 * Map BAR @bar of @dev through a DMABUF at vfio_res->maps[bar].addr, WC.
 * 0 when it is mapped so, WC or (refused by the kernel) NC; -1 when the
 * kernel cannot, with the reason logged: the caller maps it as usual.
 */
int pci_vfio_wc_map_bar(struct rte_pci_device *dev, int vfio_dev_fd,
			struct mapped_pci_resource *vfio_res, int bar);

/*
 * Map BAR @bar of @dev, which the primary process mapped through a
 * DMABUF, from that DMABUF at the same address (a secondary process).
 */
int pci_vfio_wc_map_bar_secondary(const struct rte_pci_device *dev,
				  const struct mapped_pci_resource *vfio_res, int bar);

/* Say what each BAR of @dev that wanted WC got, read back from the kernel */
void pci_vfio_wc_report(const struct rte_pci_device *dev);

/* Close the DMABUFs of @dev, once its BARs are unmapped */
void pci_vfio_wc_release(const struct rte_pci_device *dev);

#endif /* PCI_VFIO_WC_H */
