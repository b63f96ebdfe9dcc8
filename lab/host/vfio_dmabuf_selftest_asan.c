/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The bus self-test (rte_vfio_dmabuf_selftest: devargs, range arithmetic,
 * the fallback decisions against a kernel that answers ENOTTY) in a
 * program whose copy of the bus is built with ASan and UBSan by
 * lab/build-host-tests.  Exit status 0 if every check passed and the
 * sanitizers found nothing (they abort the program otherwise).
 */

#include <stdio.h>

#include <rte_eal.h>

#include "bus_vfio_dmabuf_driver.h"

int
main(int argc __rte_unused, char **argv)
{
	char *eal_args[] = {
		argv[0], "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"--no-telemetry", "-l", "0",
	};
	int ret;

	if (rte_eal_init(RTE_DIM(eal_args), eal_args) < 0) {
		fprintf(stderr, "cannot initialise EAL\n");
		return 1;
	}
	ret = rte_vfio_dmabuf_selftest();
	rte_eal_cleanup();
	return ret == 0 ? 0 : 1;
}
