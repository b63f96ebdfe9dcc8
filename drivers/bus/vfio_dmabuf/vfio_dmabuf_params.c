/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Options of a device: whether its doorbells are mapped write-combining.
 * From strongest to weakest: the devarg "wc=0|1", the EAL option
 * --vfio-dmabuf-wc, the build option vfio_dmabuf_wc_default.
 */

#include <errno.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_kvargs.h>

#include "private.h"

#define VFIO_DMABUF_ARG_WC "wc"
#define VFIO_DMABUF_ARG_ADDR "addr" /* layered form, and the iterator */

static const char * const vfio_dmabuf_dev_keys[] = {
	VFIO_DMABUF_ARG_WC,
	NULL,
};

/* The bus layer of the layered form: "bus=vfio_dmabuf,addr=ADDR[,wc=0|1]" */
static const char * const vfio_dmabuf_bus_layer_keys[] = {
	RTE_DEVARGS_KEY_BUS,
	VFIO_DMABUF_ARG_ADDR,
	VFIO_DMABUF_ARG_WC,
	NULL,
};

static int
parse_bool(const char *key, const char *value, void *out)
{
	/* "wc" alone: rte_kvargs gives a key without a value */
	if (value == NULL) {
		VFIO_DMABUF_LOG(ERR, "devarg '%s' needs a value: 0 or 1", key);
		return -EINVAL;
	}
	if (strcmp(value, "0") == 0) {
		*(bool *)out = false;
	} else if (strcmp(value, "1") == 0) {
		*(bool *)out = true;
	} else {
		VFIO_DMABUF_LOG(ERR, "bad value '%s' for devarg '%s': 0 or 1",
				value, key);
		return -EINVAL;
	}
	return 0;
}

/* Name the first key of @args that is not one of @keys */
static void
log_unknown_key(const char *name, const char *args, const char * const keys[])
{
	struct rte_kvargs *kvlist = rte_kvargs_parse(args, NULL);
	unsigned int i, k;

	if (kvlist == NULL) {
		VFIO_DMABUF_LOG(ERR, "%s: malformed devargs '%s'", name, args);
		return;
	}
	for (i = 0; i < kvlist->count; i++) {
		for (k = 0; keys[k] != NULL; k++)
			if (strcmp(kvlist->pairs[i].key, keys[k]) == 0)
				break;
		if (keys[k] == NULL) {
			VFIO_DMABUF_LOG(ERR, "%s: unknown devarg '%s' (known: wc)",
					name, kvlist->pairs[i].key);
			break;
		}
	}
	rte_kvargs_free(kvlist);
}

int
vfio_dmabuf_parse_devargs(struct rte_vfio_dmabuf_device *dev)
{
	struct rte_devargs *devargs = dev->device.devargs;
	const char * const *keys = vfio_dmabuf_dev_keys;
	struct rte_kvargs *kvlist;
	const char *args;
	int ret = 0;

	dev->wc = rte_eal_vfio_dmabuf_wc() != 0;
#ifdef RTE_VFIO_DMABUF_WC_DEFAULT
	dev->wc = true;
#endif

	if (devargs == NULL)
		return 0;
	/* The bus's options are in the bus layer of the layered form */
	args = devargs->args;
	if (devargs->bus_str != NULL) {
		args = devargs->bus_str;
		keys = vfio_dmabuf_bus_layer_keys;
	}
	if (args == NULL || args[0] == '\0')
		return 0;

	kvlist = rte_kvargs_parse(args, keys);
	if (kvlist == NULL) {
		log_unknown_key(dev->name, args, keys);
		return -EINVAL;
	}
	if (rte_kvargs_count(kvlist, VFIO_DMABUF_ARG_WC) > 1) {
		VFIO_DMABUF_LOG(ERR, "%s: devarg 'wc' given twice", dev->name);
		ret = -EINVAL;
	} else if (rte_kvargs_process(kvlist, VFIO_DMABUF_ARG_WC, parse_bool,
				      &dev->wc) != 0) {
		ret = -EINVAL;
	}
	rte_kvargs_free(kvlist);
	return ret;
}

/*
 * The layered form, "-a bus=vfio_dmabuf,addr=0000:00:03.0[,wc=1]": the
 * device's name is its address, in the form the legacy one takes.
 */
int
vfio_dmabuf_devargs_parse(struct rte_devargs *da)
{
	struct rte_kvargs *kvlist;
	struct rte_pci_addr addr;
	const char *value;
	int ret = -EINVAL;

	if (da->bus_str == NULL)
		return 0;
	kvlist = rte_kvargs_parse(da->bus_str, NULL);
	if (kvlist == NULL) {
		VFIO_DMABUF_LOG(ERR, "malformed devargs '%s'", da->bus_str);
		return -EINVAL;
	}
	value = rte_kvargs_get(kvlist, VFIO_DMABUF_ARG_ADDR);
	if (value == NULL)
		VFIO_DMABUF_LOG(ERR, "'%s' names no device: add addr=DDDD:BB:DD.F",
				da->bus_str);
	else if (vfio_dmabuf_bus.bus.parse(value, &addr) != 0)
		VFIO_DMABUF_LOG(ERR, "'%s': addr=%s is not a PCI address (DDDD:BB:DD.F)",
				da->bus_str, value);
	else
		ret = 0;
	if (ret == 0)
		rte_pci_device_name(&addr, da->name, sizeof(da->name));
	rte_kvargs_free(kvlist);
	return ret;
}

static int
match_addr(const char *key __rte_unused, const char *value, void *opaque)
{
	const struct rte_vfio_dmabuf_device *dev = opaque;
	struct rte_pci_addr addr;

	if (value == NULL || rte_pci_addr_parse(value, &addr) != 0)
		return -1;
	return rte_pci_addr_cmp(&dev->addr, &addr) == 0 ? 0 : -1;
}

/* Matches "addr=..." of a layered device string ("bus=vfio_dmabuf,addr=...") */
static int
vfio_dmabuf_dev_match(const struct rte_device *device, const void *data)
{
	const struct rte_kvargs *kvlist = data;
	const struct rte_vfio_dmabuf_device *dev =
		RTE_DEV_TO_VFIO_DMABUF_CONST(device);

	if (kvlist == NULL)
		return 0;
	return rte_kvargs_process((struct rte_kvargs *)(uintptr_t)kvlist,
				  VFIO_DMABUF_ARG_ADDR, match_addr,
				  (void *)(uintptr_t)dev) == 0 ? 0 : 1;
}

void *
vfio_dmabuf_dev_iterate(const void *start, const char *str,
			const struct rte_dev_iterator *it __rte_unused)
{
	static const char * const keys[] = { VFIO_DMABUF_ARG_ADDR, NULL };
	struct rte_kvargs *kvlist = NULL;
	struct rte_device *dev;

	if (str != NULL) {
		kvlist = rte_kvargs_parse(str, keys);
		if (kvlist == NULL) {
			VFIO_DMABUF_LOG(ERR, "cannot parse device string '%s'", str);
			rte_errno = EINVAL;
			return NULL;
		}
	}
	dev = vfio_dmabuf_bus.bus.find_device(start, vfio_dmabuf_dev_match,
					      kvlist);
	rte_kvargs_free(kvlist);
	return dev;
}
