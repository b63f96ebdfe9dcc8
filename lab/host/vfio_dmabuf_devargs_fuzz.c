/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * libFuzzer target for what the vfio_dmabuf bus parses from the command
 * line: a device name (the bus's parse op, as -a vfio_dmabuf:NAME gives
 * it), the device's devargs (wc=0|1) after rte_devargs_parse(), and the
 * class iterator's "addr=" string.  Built with the bus's sources under
 * ASan and UBSan by lab/build-host-tests; run by lab/test.
 *
 * Besides not crashing, what it checks: a name the bus accepts prints
 * back (rte_pci_device_name) as a name it accepts as the same address;
 * devargs either parse (0) or are refused (-EINVAL), and parsed ones set
 * wc to what rte_kvargs reads in them; the iterator finds the one device
 * on the bus only by its own address.
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_devargs.h>
#include <rte_kvargs.h>
#include <rte_log.h>

#include "private.h"

#define FUZZ_MAX_INPUT 256

static struct rte_vfio_dmabuf_device fake_dev = {
	.name = "0000:00:03.0",
	.addr = { .domain = 0, .bus = 0, .devid = 3, .function = 0 },
};

#define CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "check failed: %s (input '%s')\n", #cond, str); \
		abort(); \
	} \
} while (0)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc __rte_unused, char ***argv __rte_unused)
{
	/* The bus logs every refusal: millions of lines otherwise */
	rte_log_set_global_level(RTE_LOG_EMERG);
	fake_dev.device.name = fake_dev.name;
	fake_dev.device.bus = &vfio_dmabuf_bus.bus;
	TAILQ_INSERT_TAIL(&vfio_dmabuf_bus.device_list, &fake_dev, next);
	return 0;
}

static void
check_name(const char *str)
{
	struct rte_bus *bus = &vfio_dmabuf_bus.bus;
	struct rte_pci_addr addr, again;
	char name[PCI_PRI_STR_SIZE];

	if (bus->parse(str, &addr) != 0)
		return;
	rte_pci_device_name(&addr, name, sizeof(name));
	CHECK(bus->parse(name, &again) == 0);
	CHECK(rte_pci_addr_cmp(&addr, &again) == 0);
}

static void
check_devargs(const char *str)
{
	struct rte_vfio_dmabuf_device dev = { .name = "fuzz" };
	char full[FUZZ_MAX_INPUT + 32];
	struct rte_kvargs *kv;
	struct rte_devargs da;
	const char *wc;
	int ret;

	snprintf(full, sizeof(full), "%s:%s", RTE_BUS_VFIO_DMABUF_NAME, str);
	if (rte_devargs_parse(&da, full) != 0)
		return;
	/*
	 * DPDK reads a string with "bus=" or "class=" anywhere in it in the
	 * global syntax first ("vfio_dmabuf:addr=bus=pci" names bus pci):
	 * only a legacy string is sure to stay on this bus.
	 */
	if (da.bus != &vfio_dmabuf_bus.bus) {
		CHECK(strstr(full, "bus=") != NULL || strstr(full, "class=") != NULL);
		rte_devargs_reset(&da);
		return;
	}
	dev.device.devargs = &da;
	ret = vfio_dmabuf_parse_devargs(&dev);
	CHECK(ret == 0 || ret == -EINVAL);
	if (ret == 0 && da.args != NULL && da.args[0] != '\0') {
		kv = rte_kvargs_parse(da.args, NULL);
		CHECK(kv != NULL);
		CHECK(kv->count <= 1);
		wc = rte_kvargs_get(kv, "wc");
		CHECK(kv->count == 0 || wc != NULL);
		if (wc != NULL)
			CHECK(dev.wc == (strcmp(wc, "1") == 0));
		rte_kvargs_free(kv);
	}
	rte_devargs_reset(&da);
}

static void
check_iterator(const char *str)
{
	struct rte_dev_iterator it = { 0 };
	struct rte_pci_addr addr;
	struct rte_kvargs *kv;
	const char *value;
	void *found;

	found = vfio_dmabuf_dev_iterate(NULL, str, &it);
	if (found == NULL)
		return;
	CHECK(found == &fake_dev.device);
	/* Found: the string named this device's address */
	kv = rte_kvargs_parse(str, NULL);
	CHECK(kv != NULL);
	value = rte_kvargs_get(kv, "addr");
	CHECK(value == NULL || (rte_pci_addr_parse(value, &addr) == 0 &&
				rte_pci_addr_cmp(&addr, &fake_dev.addr) == 0) ||
	      rte_kvargs_count(kv, "addr") > 1);
	rte_kvargs_free(kv);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char str[FUZZ_MAX_INPUT + 1];

	if (size > FUZZ_MAX_INPUT)
		return 0;
	memcpy(str, data, size);
	str[size] = '\0';
	check_name(str);
	check_devargs(str);
	check_iterator(str);
	return 0;
}
