/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef BUS_VFIO_DMABUF_PRIVATE_H
#define BUS_VFIO_DMABUF_PRIVATE_H

#include <stdbool.h>
#include <sys/queue.h>

#include <bus_driver.h>
#include <rte_log.h>

#include "bus_vfio_dmabuf_driver.h"

extern int vfio_dmabuf_logtype;

#define VFIO_DMABUF_LOG(level, ...) \
	rte_log(RTE_LOG_ ## level, vfio_dmabuf_logtype, \
		RTE_FMT("vfio_dmabuf: " RTE_FMT_HEAD(__VA_ARGS__,) "\n", \
			RTE_FMT_TAIL(__VA_ARGS__,)))

struct vfio_dmabuf_bus {
	struct rte_bus bus;
	RTE_TAILQ_HEAD(, rte_vfio_dmabuf_device) device_list;
	RTE_TAILQ_HEAD(, rte_vfio_dmabuf_driver) driver_list;
};

extern struct vfio_dmabuf_bus vfio_dmabuf_bus;

#define FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(p) \
	RTE_TAILQ_FOREACH(p, &vfio_dmabuf_bus.device_list, next)
#define FOREACH_DRIVER_ON_VFIO_DMABUF_BUS(p) \
	RTE_TAILQ_FOREACH(p, &vfio_dmabuf_bus.driver_list, next)

/* vfio_dmabuf_scan.c: devices named on this bus and bound to vfio-pci */
int vfio_dmabuf_scan(void);
struct rte_devargs *vfio_dmabuf_devargs_lookup(const struct rte_pci_addr *addr);

/* vfio_dmabuf_params.c: the per-device devargs */
int vfio_dmabuf_parse_devargs(struct rte_vfio_dmabuf_device *dev);
void *vfio_dmabuf_dev_iterate(const void *start, const char *str,
			      const struct rte_dev_iterator *it);

/* vfio_dmabuf_map.c: open, map BARs, unmap, close */
int vfio_dmabuf_map_device(struct rte_vfio_dmabuf_device *dev);
void vfio_dmabuf_unmap_device(struct rte_vfio_dmabuf_device *dev);
/* A device in a secondary process, with the primary's DMABUF fds */
int vfio_dmabuf_map_ranges(struct rte_vfio_dmabuf_device *dev);
/* The steps of mapping that the self-test checks on their own */
enum rte_vfio_dmabuf_method vfio_dmabuf_kernel_method(struct rte_vfio_dmabuf_device *dev,
						      uint8_t bar);
int vfio_dmabuf_plan_bar(struct rte_vfio_dmabuf_device *dev, uint8_t bar);
/* Bus master and memory decode on, or bus master off */
int vfio_dmabuf_set_bus_master(int vfio_fd, bool on);

/* vfio_dmabuf_intr.c */
int vfio_dmabuf_setup_interrupts(struct rte_vfio_dmabuf_device *dev);

/* vfio_dmabuf_hotplug.c: the device went away under its mappings */
int vfio_dmabuf_hotplug_enable(struct rte_vfio_dmabuf_device *dev);
void vfio_dmabuf_hotplug_disable(struct rte_vfio_dmabuf_device *dev);
int vfio_dmabuf_hot_unplug_handler(struct rte_device *device);
int vfio_dmabuf_sigbus_handler(const void *failure_addr);

/* vfio_dmabuf_mp.c: DMABUF fds for secondary processes */
int vfio_dmabuf_mp_init(void);
int vfio_dmabuf_mp_get_ranges(struct rte_vfio_dmabuf_device *dev);

/* vfio_dmabuf_telemetry.c */
void vfio_dmabuf_telemetry_init(void);

#endif /* BUS_VFIO_DMABUF_PRIVATE_H */
