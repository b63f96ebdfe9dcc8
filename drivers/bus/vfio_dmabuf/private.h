/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef BUS_VFIO_DMABUF_PRIVATE_H
#define BUS_VFIO_DMABUF_PRIVATE_H

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/queue.h>

#include <bus_driver.h>
#include <rte_eal.h>
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

#define SYSFS_PCI_DEVICES "/sys/bus/pci/devices"

#define FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(p) \
	RTE_TAILQ_FOREACH(p, &vfio_dmabuf_bus.device_list, next)
#define FOREACH_DRIVER_ON_VFIO_DMABUF_BUS(p) \
	RTE_TAILQ_FOREACH(p, &vfio_dmabuf_bus.driver_list, next)

/* vfio_dmabuf_bus.c: the device of that name on this bus, or NULL */
struct rte_vfio_dmabuf_device *vfio_dmabuf_find_by_name(const char *name);

/* vfio_dmabuf_scan.c: devices named on this bus and bound to a VFIO driver */
int vfio_dmabuf_scan(void);
unsigned int vfio_dmabuf_scan_left_out(void);

/* vfio_dmabuf_params.c: the per-device devargs */
int vfio_dmabuf_parse_devargs(struct rte_vfio_dmabuf_device *dev);
int vfio_dmabuf_devargs_parse(struct rte_devargs *da);
void *vfio_dmabuf_dev_iterate(const void *start, const char *str,
			      const struct rte_dev_iterator *it);

/* vfio_dmabuf_map.c: open, map BARs, unmap, close */
int vfio_dmabuf_map_device(struct rte_vfio_dmabuf_device *dev);
void vfio_dmabuf_unmap_device(struct rte_vfio_dmabuf_device *dev);
/* A device in a secondary process, with the primary's DMABUF fds */
int vfio_dmabuf_map_ranges(struct rte_vfio_dmabuf_device *dev);
/* The step of mapping that the self-test checks on its own */
int vfio_dmabuf_plan_bar(struct rte_vfio_dmabuf_device *dev, uint8_t bar);
/* Bus master and memory decode on, or bus master off */
int vfio_dmabuf_set_bus_master(int vfio_fd, bool on);

/* vfio_dmabuf_hotplug.c: the device went away under its mappings */
int vfio_dmabuf_hotplug_enable(struct rte_vfio_dmabuf_device *dev);
void vfio_dmabuf_hotplug_disable(struct rte_vfio_dmabuf_device *dev);
int vfio_dmabuf_hot_unplug_handler(struct rte_device *device);
int vfio_dmabuf_sigbus_handler(const void *failure_addr);

/* vfio_dmabuf_mp.c: DMABUF fds for secondary processes, on this wire */
#define VFIO_DMABUF_MP "bus_vfio_dmabuf_ranges"
#define VFIO_DMABUF_MP_RANGES RTE_MP_MAX_FD_NUM

struct vfio_dmabuf_mp_req {
	char name[PCI_PRI_STR_SIZE + 1];
	uint32_t first; /* index of the first range wanted */
};

struct vfio_dmabuf_mp_range {
	uint32_t bar;
	uint8_t requested;
	uint8_t obtained;
	uint8_t has_fd;
	uint8_t pad;
	uint64_t offset;
	uint64_t len;
};

struct vfio_dmabuf_mp_reply {
	int32_t result; /* 0 or -errno */
	uint32_t method;
	uint32_t nb_ranges; /* in all */
	uint32_t count; /* in this reply, from first */
	struct vfio_dmabuf_mp_range ranges[VFIO_DMABUF_MP_RANGES];
};

static_assert(sizeof(struct vfio_dmabuf_mp_reply) <= RTE_MP_MAX_PARAM_LEN,
	      "vfio_dmabuf mp reply too large");

int vfio_dmabuf_mp_init(void);
int vfio_dmabuf_mp_get_ranges(struct rte_vfio_dmabuf_device *dev);
/* The step of it that the self-test feeds forged replies */
int vfio_dmabuf_mp_take_reply(struct rte_vfio_dmabuf_device *dev, unsigned int first,
			      const struct rte_mp_msg *msg, unsigned int *total);

/* vfio_dmabuf_map.c: requested against verified, in the log */
void vfio_dmabuf_report(struct rte_vfio_dmabuf_device *dev);

/* vfio_dmabuf_telemetry.c */
void vfio_dmabuf_telemetry_init(void);

#endif /* BUS_VFIO_DMABUF_PRIVATE_H */
