/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small VFIO helpers shared by the lab's test programs and tools: open a
 * device through the group API (type1 or no-IOMMU container), issue a
 * device feature ioctl, export a DMABUF.  Each returns -errno on failure.
 */
#ifndef VFIO_LAB_H
#define VFIO_LAB_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/ioctl.h>

#include "rte_vfio_dmabuf_uapi.h"

struct vfio_dev {
	int container;
	int group;
	int device;
	bool noiommu;
};

static inline int vfio_dev_open(const char *bdf, struct vfio_dev *d)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char path[PATH_MAX], link[PATH_MAX];
	const char *group_nr;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	group_nr = strrchr(link, '/') + 1;

	snprintf(path, sizeof(path), "/dev/vfio/%s", group_nr);
	d->group = open(path, O_RDWR);
	d->noiommu = false;
	if (d->group < 0) {
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%s", group_nr);
		d->group = open(path, O_RDWR);
		d->noiommu = true;
	}
	if (d->group < 0)
		return -errno;

	d->container = open("/dev/vfio/vfio", O_RDWR);
	if (d->container < 0)
		return -errno;
	if (ioctl(d->group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		return -EBUSY;
	if (ioctl(d->group, VFIO_GROUP_SET_CONTAINER, &d->container))
		return -errno;
	if (ioctl(d->container, VFIO_SET_IOMMU,
		  d->noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU))
		return -errno;

	d->device = ioctl(d->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	return d->device < 0 ? -errno : 0;
}

static inline void vfio_dev_close(struct vfio_dev *d)
{
	if (d->device >= 0)
		close(d->device);
	if (d->group >= 0)
		close(d->group);
	if (d->container >= 0)
		close(d->container);
}

/* Feature ioctl on the device; returns its result or -errno. */
static inline int device_feature(int device, __u32 flags, void *data, size_t len)
{
	struct vfio_device_feature *feature;
	size_t argsz = sizeof(*feature) + len;
	int ret;

	feature = calloc(1, argsz);
	if (!feature)
		return -ENOMEM;
	feature->argsz = argsz;
	feature->flags = flags;
	if (len)
		memcpy(feature->data, data, len);
	ret = ioctl(device, VFIO_DEVICE_FEATURE, feature);
	if (ret < 0)
		ret = -errno;
	free(feature);
	return ret;
}

/* Export @nr ranges of @bar; returns the DMABUF fd or -errno. */
static inline int dmabuf_export(int device, __u32 bar, __u32 flags, __u32 open_flags,
			 const struct vfio_region_dma_range *ranges, __u32 nr)
{
	size_t len = sizeof(struct vfio_device_feature_dma_buf) +
		     nr * sizeof(*ranges);
	struct vfio_device_feature_dma_buf *req;
	int ret;

	req = calloc(1, len);
	if (!req)
		return -ENOMEM;
	req->region_index = bar;
	req->open_flags = open_flags;
	req->flags = flags;
	req->nr_ranges = nr;
	memcpy(req->dma_ranges, ranges, nr * sizeof(*ranges));
	ret = device_feature(device, VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_DMA_BUF, req, len);
	free(req);
	return ret;
}

/* The value of "key:" in /proc/self/fdinfo/@fd, or "" */
static inline void fdinfo_field(int fd, const char *key, char *val, size_t size)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;

	val[0] = '\0';
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			snprintf(val, size, "%s", line + klen + 1 + strspn(line + klen + 1, " \t"));
			val[strcspn(val, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

/*
 * The line of this process's page table dump (debugfs, x86) that maps
 * @addr, without its address range: e.g. "4K USR RW PWT ... NX pte".
 * With Linux's PAT table WC is PWT alone, UC- PCD alone, UC both.
 */
static inline int pte_dump_line(const void *addr, char *out, size_t size)
{
	static const char *const dumps[] = {
		"/sys/kernel/debug/page_tables/current_user",
		"/sys/kernel/debug/page_tables/current_kernel",
	};
	unsigned long a = (unsigned long)addr, start, end;
	char line[256];
	unsigned int i;
	FILE *f = NULL;
	int n;

	for (i = 0; i < sizeof(dumps) / sizeof(dumps[0]) && !f; i++)
		f = fopen(dumps[i], "r");
	if (!f)
		return -errno;
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "0x%lx-0x%lx %n", &start, &end, &n) < 2 ||
		    a < start || a >= end)
			continue;
		snprintf(out, size, "%s", line + n);
		out[strcspn(out, "\n")] = '\0';
		break;
	}
	fclose(f);
	return out[0] ? 0 : -ENOENT;
}

/* The PAT reservation line (debugfs, x86) covering physical @addr, or "" */
static inline void pat_memtype_line(__u64 addr, char *out, size_t size)
{
	unsigned long long start, end;
	char line[256];
	FILE *f;

	out[0] = '\0';
	f = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx]", &start, &end) == 2 &&
		    addr >= start && addr < end) {
			snprintf(out, size, "%s", line);
			out[strcspn(out, "\n")] = '\0';
			break;
		}
	}
	fclose(f);
}

#endif /* VFIO_LAB_H */
