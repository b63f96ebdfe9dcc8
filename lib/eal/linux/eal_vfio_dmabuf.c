/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * BAR ranges of vfio-pci devices mapped through VFIO DMABUFs, for the
 * buses that map PCI devices.  What the kernel can do is found out per
 * device, from the best to the classic:
 *   DMABUF export, mmap() and MEMATTR  -> ranges NC or WC as asked
 *   DMABUF export and mmap()           -> ranges NC
 *   neither                            -> region mmap() of the BAR, NC
 * The caller logs which one it got, with the reason this file gives.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_debug.h>
#include <rte_eal_paging.h>
#include <rte_log.h>
#include <rte_vfio_dmabuf.h>
#include <rte_vfio_dmabuf_uapi.h>

bool
rte_vfio_dmabuf_driver_is_vfio(const char *driver)
{
	return strcmp(driver, "vfio-pci") == 0 ||
		strcmp(driver, RTE_VFIO_DMABUF_VARIANT_DRIVER) == 0;
}

/* VFIO_DEVICE_FEATURE with @len bytes of @data: what it returns, or -errno */
static int
vfio_device_feature(int vfio_dev_fd, uint32_t flags, const void *data, size_t len)
{
	uint64_t buf[8];
	struct vfio_device_feature *feature = (void *)buf;
	int ret;

	RTE_VERIFY(sizeof(*feature) + len <= sizeof(buf));
	memset(buf, 0, sizeof(buf));
	feature->argsz = sizeof(*feature) + len;
	feature->flags = flags;
	if (len != 0)
		memcpy(feature->data, data, len);
	ret = ioctl(vfio_dev_fd, VFIO_DEVICE_FEATURE, feature);
	return ret < 0 ? -errno : ret;
}

int
rte_vfio_dmabuf_export(int vfio_dev_fd, uint8_t bar, uint64_t offset, uint64_t len)
{
	/* One range after the header's flexible array: a plain buffer */
	uint64_t buf[(sizeof(struct vfio_device_feature_dma_buf) +
		      sizeof(struct vfio_region_dma_range)) / sizeof(uint64_t)];
	struct vfio_device_feature_dma_buf *req = (void *)buf;

	memset(buf, 0, sizeof(buf));
	req->region_index = bar;
	req->open_flags = O_RDWR | O_CLOEXEC;
	req->nr_ranges = 1;
	req->dma_ranges[0].offset = offset;
	req->dma_ranges[0].length = len;
	return vfio_device_feature(vfio_dev_fd, VFIO_DEVICE_FEATURE_GET |
				   VFIO_DEVICE_FEATURE_DMA_BUF, buf, sizeof(buf));
}

static int
vfio_dmabuf_memattr_request(int vfio_dev_fd, int dmabuf_fd, uint32_t memattr)
{
	struct vfio_device_feature_dma_buf_memattr req = {
		.dmabuf_fd = dmabuf_fd,
		.memattr = memattr,
	};

	return vfio_device_feature(vfio_dev_fd, VFIO_DEVICE_FEATURE_SET |
				   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR,
				   &req, sizeof(req));
}

/* rte_vfio_dmabuf_feature_fn on a VFIO device fd */
static int
vfio_device_feature_of_fd(void *ctx, uint32_t flags, const void *data, size_t len)
{
	return vfio_device_feature(*(int *)ctx, flags, data, len);
}

int
rte_vfio_dmabuf_set_attr(int vfio_dev_fd, int dmabuf_fd, enum rte_vfio_dmabuf_attr attr)
{
	return vfio_dmabuf_memattr_request(vfio_dev_fd, dmabuf_fd,
					   attr == RTE_VFIO_DMABUF_ATTR_WC ?
					   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC :
					   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC);
}

const char *
rte_vfio_dmabuf_memattr_identify(rte_vfio_dmabuf_feature_fn feature, void *ctx,
				 int own_dmabuf_fd)
{
	const uint32_t memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR;
	struct vfio_device_feature_dma_buf_memattr req = {
		.dmabuf_fd = own_dmabuf_fd,
		.memattr = UINT32_MAX,
	};
	int ret;

	if (feature(ctx, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
		    memattr, NULL, 0) != 0)
		return "kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR";
	/* Every revision of MEMATTR that answers SET takes SET only */
	if (feature(ctx, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
		    memattr, NULL, 0) != -EINVAL)
		return "VFIO device feature " RTE_STR(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR)
		       " takes GET: not DMA_BUF_MEMATTR, not used";
	/*
	 * An attribute no revision knows, on a DMABUF of our own: MEMATTR
	 * refuses it and changes nothing (EINVAL here, ENOENT in the posted
	 * series' v3 and v4); another SET-only feature on this number can
	 * touch only that DMABUF, which the caller closes.
	 */
	ret = feature(ctx, VFIO_DEVICE_FEATURE_SET | memattr, &req, sizeof(req));
	if (ret == -EINVAL || ret == -ENOENT)
		return NULL;
	return "VFIO device feature " RTE_STR(VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR)
	       " does not answer as DMA_BUF_MEMATTR: not used";
}

/* Whether a DMABUF of @bar can be mmap()ed: a kernel with export but without our series cannot */
static bool
vfio_dmabuf_can_mmap(int vfio_dev_fd, uint8_t bar)
{
	size_t page = rte_mem_page_size();
	void *map;
	int fd;

	fd = rte_vfio_dmabuf_export(vfio_dev_fd, bar, 0, page);
	if (fd < 0)
		return false;
	map = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return false;
	munmap(map, page);
	return true;
}

enum rte_vfio_dmabuf_method
rte_vfio_dmabuf_kernel_method(int vfio_dev_fd, uint8_t bar, const char **why)
{
	int fd;

	*why = NULL;
	if (vfio_device_feature(vfio_dev_fd, VFIO_DEVICE_FEATURE_PROBE |
				VFIO_DEVICE_FEATURE_GET |
				VFIO_DEVICE_FEATURE_DMA_BUF, NULL, 0) != 0) {
		*why = "kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF";
		return RTE_VFIO_DMABUF_METHOD_REGION;
	}
	fd = rte_vfio_dmabuf_export(vfio_dev_fd, bar, 0, rte_mem_page_size());
	if (fd < 0) {
		*why = "kernel cannot export this BAR as a VFIO DMABUF";
		return RTE_VFIO_DMABUF_METHOD_REGION;
	}
	*why = rte_vfio_dmabuf_memattr_identify(vfio_device_feature_of_fd,
						&vfio_dev_fd, fd);
	close(fd);
	/* The series that has MEMATTR can mmap() a DMABUF: no need to try */
	if (*why == NULL)
		return RTE_VFIO_DMABUF_METHOD_DMABUF;
	if (!vfio_dmabuf_can_mmap(vfio_dev_fd, bar)) {
		*why = "kernel cannot mmap() a VFIO DMABUF";
		return RTE_VFIO_DMABUF_METHOD_REGION;
	}
	return RTE_VFIO_DMABUF_METHOD_DMABUF_NC;
}

int
rte_vfio_dmabuf_mmap(void *bar_addr, struct rte_vfio_dmabuf_range *r)
{
	void *want = RTE_PTR_ADD(bar_addr, r->offset);

	r->addr = mmap(want, r->len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, r->dmabuf_fd, 0);
	if (r->addr == MAP_FAILED) {
		r->addr = NULL;
		return -errno;
	}
	return 0;
}

/*
 * The kernel refuses WC while another mapping of the same pages exists
 * (EBUSY: a region mmap() of the BAR by another process, for example) or
 * on the MSI-X table with MSI-X enabled (EPERM): the range is then mapped
 * NC, and rte_vfio_dmabuf_report() says so.
 */
int
rte_vfio_dmabuf_map_range(int vfio_dev_fd, enum rte_vfio_dmabuf_method method,
			  void *bar_addr, struct rte_vfio_dmabuf_range *r)
{
	int ret;

	r->obtained = RTE_VFIO_DMABUF_ATTR_NC;
	r->refused = 0;
	r->addr = NULL;
	r->dmabuf_fd = rte_vfio_dmabuf_export(vfio_dev_fd, r->bar, r->offset, r->len);
	if (r->dmabuf_fd < 0) {
		ret = r->dmabuf_fd;
		r->dmabuf_fd = -1;
		return ret;
	}

	if (r->requested == RTE_VFIO_DMABUF_ATTR_WC &&
	    method == RTE_VFIO_DMABUF_METHOD_DMABUF) {
		ret = rte_vfio_dmabuf_set_attr(vfio_dev_fd, r->dmabuf_fd,
					       RTE_VFIO_DMABUF_ATTR_WC);
		if (ret == 0) {
			ret = rte_vfio_dmabuf_mmap(bar_addr, r);
			if (ret == 0) {
				r->obtained = RTE_VFIO_DMABUF_ATTR_WC;
				return 0;
			}
			rte_vfio_dmabuf_set_attr(vfio_dev_fd, r->dmabuf_fd,
						 RTE_VFIO_DMABUF_ATTR_NC);
		}
		r->refused = -ret;
	}
	ret = rte_vfio_dmabuf_mmap(bar_addr, r);
	if (ret != 0) {
		close(r->dmabuf_fd);
		r->dmabuf_fd = -1;
	}
	return ret;
}

int
rte_vfio_dmabuf_mmap_areas(const struct vfio_region_info *info, size_t len,
			   struct vfio_region_sparse_mmap_area *areas, unsigned int max)
{
	const struct vfio_region_info_cap_sparse_mmap *sparse = NULL;
	const struct vfio_info_cap_header *hdr;
	uint32_t off, hops = 0;
	unsigned int i;

	off = (info->flags & VFIO_REGION_INFO_FLAG_CAPS) ? info->cap_offset : 0;
	for (; off != 0 && sparse == NULL; off = hdr->next) {
		/* The kernel puts each capability 8-byte aligned, after the info */
		if (++hops > 16 || off < sizeof(*info) || off % 8 != 0 ||
		    off > len || len - off < sizeof(*hdr))
			return -EINVAL;
		hdr = RTE_PTR_ADD(info, off);
		if (hdr->id != VFIO_REGION_INFO_CAP_SPARSE_MMAP)
			continue;
		sparse = (const void *)hdr;
		if (len - off < sizeof(*sparse) ||
		    sparse->nr_areas > (len - off - sizeof(*sparse)) / sizeof(areas[0]))
			return -EINVAL;
	}
	if (sparse == NULL) {
		if (max == 0)
			return -EINVAL;
		areas[0].offset = 0;
		areas[0].size = info->size;
		return 1;
	}
	if (sparse->nr_areas > max)
		return -EINVAL;
	for (i = 0; i < sparse->nr_areas; i++) {
		if (sparse->areas[i].offset > info->size ||
		    sparse->areas[i].size > info->size - sparse->areas[i].offset)
			return -EINVAL;
		areas[i] = sparse->areas[i];
	}
	return sparse->nr_areas;
}

/* Region info of @bar with its capability chain, malloc()ed: NULL on error */
static struct vfio_region_info *
vfio_region_info_caps(int vfio_dev_fd, uint8_t bar, size_t *len)
{
	struct vfio_region_info *info, *bigger;
	uint32_t argsz = sizeof(*info);

	info = calloc(1, argsz);
	while (info != NULL) {
		info->argsz = argsz;
		info->index = bar;
		if (ioctl(vfio_dev_fd, VFIO_DEVICE_GET_REGION_INFO, info) != 0) {
			int err = errno;

			free(info);
			errno = err;
			return NULL;
		}
		if (info->argsz <= argsz)
			break;
		/* The kernel asks for room for its capabilities: once more */
		argsz = info->argsz;
		bigger = calloc(1, argsz);
		free(info);
		info = bigger;
	}
	*len = argsz;
	return info;
}

#define VFIO_DMABUF_MAX_MMAP_AREAS 16

int
rte_vfio_dmabuf_mmap_region(int vfio_dev_fd, uint8_t bar, void *bar_addr,
			    const char *name)
{
	struct vfio_region_sparse_mmap_area areas[VFIO_DMABUF_MAX_MMAP_AREAS];
	struct vfio_region_info *info;
	int i, nb_areas, ret = 0;
	size_t len;
	void *map;

	info = vfio_region_info_caps(vfio_dev_fd, bar, &len);
	if (info == NULL)
		return -errno;
	nb_areas = rte_vfio_dmabuf_mmap_areas(info, len, areas, RTE_DIM(areas));
	if (nb_areas <= 0) {
		RTE_LOG(ERR, EAL, "%s: BAR%u: %s\n", name, bar, nb_areas < 0 ?
			"the kernel's sparse-mmap capability does not fit the region" :
			"vfio-pci lets no part of it be mapped");
		free(info);
		return nb_areas < 0 ? nb_areas : -ENODEV;
	}
	if (nb_areas != 1 || areas[0].size != info->size)
		RTE_LOG(NOTICE, EAL, "%s: BAR%u: vfio-pci lets %d area(s) of it be mapped, the rest stays unmapped\n",
			name, bar, nb_areas);
	for (i = 0; i < nb_areas && ret == 0; i++) {
		map = mmap(RTE_PTR_ADD(bar_addr, areas[i].offset), areas[i].size,
			   PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
			   vfio_dev_fd, info->offset + areas[i].offset);
		if (map == MAP_FAILED) {
			ret = -errno;
			RTE_LOG(ERR, EAL, "%s: region mmap of BAR%u [0x%" PRIx64 ", +0x%" PRIx64 "): %s\n",
				name, bar, (uint64_t)areas[i].offset,
				(uint64_t)areas[i].size, strerror(errno));
		}
	}
	free(info);
	return ret;
}

const char *
rte_vfio_dmabuf_attr_name(enum rte_vfio_dmabuf_attr attr)
{
	return attr == RTE_VFIO_DMABUF_ATTR_WC ? "WC" : "NC";
}

const char *
rte_vfio_dmabuf_method_name(enum rte_vfio_dmabuf_method method)
{
	switch (method) {
	case RTE_VFIO_DMABUF_METHOD_DMABUF:
		return "dmabuf";
	case RTE_VFIO_DMABUF_METHOD_DMABUF_NC:
		return "dmabuf-no-memattr";
	case RTE_VFIO_DMABUF_METHOD_REGION:
		return "region";
	}
	return "unknown";
}
