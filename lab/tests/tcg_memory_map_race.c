// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reproducer of the QEMU bug that made the lab run on one TCG thread:
 *
 *   tcg_memory_map_race SECONDS BDF...
 *
 * One thread per device turns its memory decode off and on, through the
 * VFIO config region, until SECONDS have passed.  Each write changes the
 * guest's memory map in QEMU (the BARs come and go).  Under QEMU 7.2 with
 * a host thread per vCPU (LAB_ACCEL=tcg) two devices hang the guest within
 * seconds; with one TCG thread for both vCPUs (the lab's default) it runs
 * to the end and prints how many writes each thread made:
 *
 *   LAB_ACCEL=tcg lab/run -- $VDLAB_CACHE/lab-tests/tcg_memory_map_race \
 *           60 0000:00:03.0 0000:00:04.0
 *
 * Not a test of ours: lab/test does not run it (see doc/lab.md).
 */
#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include <linux/pci_regs.h>

#include "vfio_lab.h"

struct toggler {
	pthread_t thread;
	const char *bdf;
	time_t end;
	unsigned long writes;
	int error;
};

static void *toggle(void *arg)
{
	struct vfio_region_info config = {
		.argsz = sizeof(config),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	struct toggler *t = arg;
	struct vfio_dev dev;
	uint16_t command, value;

	memset(&dev, -1, sizeof(dev));
	t->error = vfio_dev_open(t->bdf, &dev);
	if (t->error)
		goto out;
	if (ioctl(dev.device, VFIO_DEVICE_GET_REGION_INFO, &config) ||
	    pread(dev.device, &command, sizeof(command),
		  config.offset + PCI_COMMAND) != sizeof(command)) {
		t->error = -errno;
		goto out;
	}
	while (time(NULL) < t->end) {
		value = t->writes & 1 ? command : command & ~PCI_COMMAND_MEMORY;
		if (pwrite(dev.device, &value, sizeof(value),
			   config.offset + PCI_COMMAND) != sizeof(value)) {
			t->error = -errno;
			break;
		}
		t->writes++;
	}
	/* leave decode as it was */
	if (pwrite(dev.device, &command, sizeof(command), config.offset + PCI_COMMAND) < 0 &&
	    !t->error)
		t->error = -errno;
out:
	vfio_dev_close(&dev);
	return NULL;
}

int main(int argc, char *argv[])
{
	struct toggler t[8];
	int n = argc - 2, i, ret = 0;

	if (argc < 3 || n > 8) {
		fprintf(stderr, "usage: %s SECONDS BDF... (at most 8)\n", argv[0]);
		return 2;
	}
	for (i = 0; i < n; i++) {
		t[i] = (struct toggler){ .bdf = argv[2 + i], .end = time(NULL) + atoi(argv[1]) };
		pthread_create(&t[i].thread, NULL, toggle, &t[i]);
	}
	for (i = 0; i < n; i++) {
		pthread_join(t[i].thread, NULL);
		printf("%s: %lu memory decode writes%s%s\n", t[i].bdf, t[i].writes,
		       t[i].error ? ", then " : "", t[i].error ? strerror(-t[i].error) : "");
		ret |= t[i].error != 0;
	}
	return ret;
}
