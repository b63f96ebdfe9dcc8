/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Telemetry: /vfio_dmabuf/devices lists the devices on the bus,
 * /vfio_dmabuf/info,<device> says how each was mapped: the method the
 * kernel allowed (the fallback taken) and every range with the attribute
 * requested, the one the kernel accepted, and the memory type the kernel
 * shows it has (vfio_dmabuf_verify.c).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "private.h"

static int
vfio_dmabuf_tel_devices(const char *cmd __rte_unused,
			const char *params __rte_unused,
			struct rte_tel_data *d)
{
	struct rte_vfio_dmabuf_device *dev;

	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(dev)
		rte_tel_data_add_array_string(d, dev->name);
	return 0;
}

static int
vfio_dmabuf_tel_info(const char *cmd __rte_unused, const char *params,
		     struct rte_tel_data *d)
{
	struct rte_vfio_dmabuf_device *dev;
	struct rte_tel_data *ranges, *range;
	unsigned int i;

	if (params == NULL)
		return -EINVAL;
	dev = vfio_dmabuf_find_by_name(params);
	if (dev == NULL)
		return -ENODEV;

	/* Read again: pages touched since mapping have page-table entries */
	rte_vfio_dmabuf_verify(dev);
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", dev->name);
	rte_tel_data_add_dict_string(d, "driver",
				     dev->driver ? dev->driver->driver.name : "");
	rte_tel_data_add_dict_int(d, "wc_requested", dev->wc);
	rte_tel_data_add_dict_string(d, "method",
				     rte_vfio_dmabuf_method_name(dev->method));

	/*
	 * Telemetry of 22.11 nests dicts in dicts only (an array holds
	 * numbers or strings): the ranges are a dict keyed by their index.
	 */
	ranges = rte_tel_data_alloc();
	if (ranges == NULL)
		return -ENOMEM;
	rte_tel_data_start_dict(ranges);
	for (i = 0; i < dev->nb_ranges; i++) {
		const struct rte_vfio_dmabuf_range *r = &dev->ranges[i];
		char key[8];

		range = rte_tel_data_alloc();
		if (range == NULL) {
			rte_tel_data_free(ranges);
			return -ENOMEM;
		}
		rte_tel_data_start_dict(range);
		rte_tel_data_add_dict_int(range, "bar", r->bar);
		rte_tel_data_add_dict_u64(range, "offset", r->offset);
		rte_tel_data_add_dict_u64(range, "length", r->len);
		rte_tel_data_add_dict_string(range, "requested",
					     rte_vfio_dmabuf_attr_name(r->requested));
		rte_tel_data_add_dict_string(range, "obtained",
					     rte_vfio_dmabuf_attr_name(r->obtained));
		rte_tel_data_add_dict_string(range, "verified",
					     rte_vfio_dmabuf_memtype_name(r->verified));
		rte_tel_data_add_dict_string(range, "verified_by",
					     rte_vfio_dmabuf_verified_by_name(r->verified_by));
		rte_tel_data_add_dict_int(range, "dmabuf", r->dmabuf_fd >= 0);
		snprintf(key, sizeof(key), "%u", i);
		if (rte_tel_data_add_dict_container(ranges, key, range, 0) != 0) {
			rte_tel_data_free(range);
			rte_tel_data_free(ranges);
			return -ENOSPC;
		}
	}
	if (rte_tel_data_add_dict_container(d, "ranges", ranges, 0) != 0) {
		rte_tel_data_free(ranges);
		return -ENOSPC;
	}
	return 0;
}

void
vfio_dmabuf_telemetry_init(void)
{
	rte_telemetry_register_cmd("/vfio_dmabuf/devices", vfio_dmabuf_tel_devices,
				   "Devices on the vfio_dmabuf bus.");
	rte_telemetry_register_cmd("/vfio_dmabuf/info", vfio_dmabuf_tel_info,
				   "How a device's BARs are mapped. Parameters: device name");
}
