// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inject a fault into a device that another process (testpmd) drives:
 *
 *   vfio_dmabuf_inject PID BDF reset|decode-off|revoke
 *
 * reset       VFIO_DEVICE_RESET on the process's own device fd
 * decode-off  clear memory decode in the command register, through the
 *             VFIO config region (vfio-pci then zaps the BAR mappings and
 *             revokes the device's DMABUFs until decode is on again)
 * revoke      VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE on each of the process's
 *             DMABUFs of the device
 *
 * A VFIO device can be opened by one process only, so the program borrows
 * the target's fds with pidfd_getfd(2): it finds the device fd by the
 * "vfio-device-syspath" line of its fdinfo (Linux 6.8 and later; before,
 * by its BAR0 address), and the DMABUFs by their exporter, vfio-pci or
 * the variant driver vfio-dmabuf-pci.  The borrowed fds are closed before it exits, so
 * the target's close still releases the device.  Exit status 0 on
 * success; what failed is printed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "rte_vfio_dmabuf_uapi.h"

#define MAX_DMABUFS 32

static int pidfd;

static int borrow(int target_fd)
{
	return syscall(SYS_pidfd_getfd, pidfd, target_fd, 0);
}

/* Whether the fdinfo of fd in pid has a line key, with value in it */
static int fdinfo_has(int pid, const char *fd, const char *key, const char *value)
{
	char path[64], line[512];
	int found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", pid, fd);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, key, strlen(key)) &&
			strstr(line + strlen(key), value);
	fclose(f);
	return found;
}

/* BAR0's address as the device's config space says, 0 if unreadable */
static uint64_t config_bar0(int device)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint32_t bar[2] = { 0, 0 };

	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &info) ||
	    pread(device, bar, sizeof(bar), info.offset + PCI_BASE_ADDRESS_0) != sizeof(bar))
		return 0;
	if ((bar[0] & PCI_BASE_ADDRESS_MEM_TYPE_MASK) != PCI_BASE_ADDRESS_MEM_TYPE_64)
		bar[1] = 0;
	return ((uint64_t)bar[1] << 32) | (bar[0] & PCI_BASE_ADDRESS_MEM_MASK);
}

/* BAR0's start as sysfs has it for bdf, 0 if unreadable */
static uint64_t sysfs_bar0(const char *bdf)
{
	unsigned long long start = 0;
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%llx", &start) != 1)
		start = 0;
	fclose(f);
	return start;
}

/* The target's fd if it is the VFIO device bdf, borrowed; else -1 */
static int borrow_device(int pid, const char *fd, const char *bdf)
{
	char path[300], link[64], syspath[128];
	ssize_t len;
	int dev;

	snprintf(syspath, sizeof(syspath), "/%s", bdf);
	if (fdinfo_has(pid, fd, "vfio-device-syspath:", syspath))
		return borrow(atoi(fd));

	snprintf(path, sizeof(path), "/proc/%d/fd/%s", pid, fd);
	len = readlink(path, link, sizeof(link) - 1);
	if (len < 0)
		return -1;
	link[len] = '\0';
	if (strcmp(link, "anon_inode:[vfio-device]"))
		return -1;
	dev = borrow(atoi(fd));
	if (dev >= 0 && (!config_bar0(dev) || config_bar0(dev) != sysfs_bar0(bdf))) {
		close(dev);
		dev = -1;
	}
	return dev;
}

static int config_command(int device, int set, uint16_t bits)
{
	struct vfio_region_info info = {
		.argsz = sizeof(info),
		.index = VFIO_PCI_CONFIG_REGION_INDEX,
	};
	uint16_t cmd;

	if (ioctl(device, VFIO_DEVICE_GET_REGION_INFO, &info))
		return -errno;
	if (pread(device, &cmd, sizeof(cmd), info.offset + PCI_COMMAND) != sizeof(cmd))
		return -errno;
	cmd = set ? cmd | bits : cmd & ~bits;
	if (pwrite(device, &cmd, sizeof(cmd), info.offset + PCI_COMMAND) != sizeof(cmd))
		return -errno;
	return 0;
}

static int revoke_dmabuf(int device, int dmabuf)
{
	struct {
		struct vfio_device_feature hdr;
		struct vfio_device_feature_dma_buf_revoke revoke;
	} arg = {
		.hdr = {
			.argsz = sizeof(arg),
			.flags = VFIO_DEVICE_FEATURE_SET |
				 VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE,
		},
		.revoke = { .dmabuf_fd = dmabuf },
	};

	return ioctl(device, VFIO_DEVICE_FEATURE, &arg) ? -errno : 0;
}

int main(int argc, char **argv)
{
	int device = -1, dmabufs[MAX_DMABUFS], nb_dmabufs = 0, pid, ret = 0, i;
	char fddir[64];
	const char *action;
	struct dirent *e;
	DIR *d;

	if (argc != 4) {
		fprintf(stderr, "usage: %s PID BDF reset|decode-off|revoke\n", argv[0]);
		return 2;
	}
	pid = atoi(argv[1]);
	action = argv[3];

	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		perror("pidfd_open");
		return 1;
	}
	snprintf(fddir, sizeof(fddir), "/proc/%d/fd", pid);
	d = opendir(fddir);
	if (!d) {
		perror(fddir);
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (device < 0)
			device = borrow_device(pid, e->d_name, argv[2]);
		if (nb_dmabufs < MAX_DMABUFS &&
		    (fdinfo_has(pid, e->d_name, "exp_name:", "vfio_pci") ||
		     fdinfo_has(pid, e->d_name, "exp_name:", "vfio_dmabuf_pci")))
			dmabufs[nb_dmabufs++] = borrow(atoi(e->d_name));
	}
	closedir(d);
	if (device < 0) {
		fprintf(stderr, "process %d has no VFIO device fd for %s\n", pid, argv[2]);
		return 1;
	}

	if (!strcmp(action, "reset")) {
		if (ioctl(device, VFIO_DEVICE_RESET))
			ret = -errno;
	} else if (!strcmp(action, "decode-off")) {
		ret = config_command(device, 0, PCI_COMMAND_MEMORY);
	} else if (!strcmp(action, "revoke")) {
		if (!nb_dmabufs)
			ret = -ENOENT;
		/* A DMABUF of another device answers ENODEV: skip it */
		for (i = 0; i < nb_dmabufs; i++) {
			int r = dmabufs[i] < 0 ? -EBADF : revoke_dmabuf(device, dmabufs[i]);

			if (r && r != -ENODEV)
				ret = r;
		}
	} else {
		fprintf(stderr, "unknown action %s\n", action);
		return 2;
	}
	for (i = 0; i < nb_dmabufs; i++)
		close(dmabufs[i]);
	close(device);
	if (ret) {
		fprintf(stderr, "%s on %s in process %d: %s\n", action, argv[2], pid,
			strerror(-ret));
		return 1;
	}
	printf("%s on %s in process %d (%d DMABUFs)\n", action, argv[2], pid, nb_dmabufs);
	return 0;
}
