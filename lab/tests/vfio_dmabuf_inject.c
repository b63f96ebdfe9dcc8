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
 * "vfio-device-syspath" line of its fdinfo, and the DMABUFs by their
 * exporter, vfio-pci.  The borrowed fds are closed before it exits, so
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
	char syspath[128], fddir[64];
	const char *action;
	struct dirent *e;
	DIR *d;

	if (argc != 4) {
		fprintf(stderr, "usage: %s PID BDF reset|decode-off|revoke\n", argv[0]);
		return 2;
	}
	pid = atoi(argv[1]);
	action = argv[3];
	snprintf(syspath, sizeof(syspath), "/%s", argv[2]);

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
		if (device < 0 && fdinfo_has(pid, e->d_name, "vfio-device-syspath:", syspath))
			device = borrow(atoi(e->d_name));
		else if (nb_dmabufs < MAX_DMABUFS &&
			 fdinfo_has(pid, e->d_name, "exp_name:", "vfio_pci"))
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
