/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Secondary processes map a device with the primary's DMABUFs: the primary
 * answers a request with the table of ranges and their fds (passed with
 * SCM_RIGHTS by rte_mp), eight at a time.  The memory attribute belongs to
 * the DMABUF in the kernel, so the secondary's mmap() gets the same one.
 */

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

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

static struct rte_vfio_dmabuf_device *
vfio_dmabuf_find_by_name(const char *name)
{
	struct rte_vfio_dmabuf_device *dev;

	FOREACH_DEVICE_ON_VFIO_DMABUF_BUS(dev)
		if (strcmp(dev->name, name) == 0)
			return dev;
	return NULL;
}

/* Primary: the ranges of the device named in @msg, from req->first on */
static int
vfio_dmabuf_mp_primary(const struct rte_mp_msg *msg, const void *peer)
{
	const struct vfio_dmabuf_mp_req *req = (const void *)msg->param;
	struct vfio_dmabuf_mp_reply *rep;
	struct rte_vfio_dmabuf_device *dev;
	struct rte_mp_msg reply;
	unsigned int i;

	memset(&reply, 0, sizeof(reply));
	strlcpy(reply.name, VFIO_DMABUF_MP, sizeof(reply.name));
	reply.len_param = sizeof(*rep);
	rep = (void *)reply.param;

	dev = vfio_dmabuf_find_by_name(req->name);
	if (msg->len_param != sizeof(*req) || dev == NULL ||
	    dev->driver == NULL) {
		rep->result = -ENODEV;
		return rte_mp_reply(&reply, peer);
	}

	rep->method = dev->method;
	rep->nb_ranges = dev->nb_ranges;
	for (i = req->first; i < dev->nb_ranges &&
	     rep->count < VFIO_DMABUF_MP_RANGES; i++) {
		const struct rte_vfio_dmabuf_range *r = &dev->ranges[i];
		struct vfio_dmabuf_mp_range *out = &rep->ranges[rep->count++];

		out->bar = r->bar;
		out->offset = r->offset;
		out->len = r->len;
		out->requested = r->requested;
		out->obtained = r->obtained;
		out->has_fd = r->dmabuf_fd >= 0;
		if (out->has_fd)
			reply.fds[reply.num_fds++] = r->dmabuf_fd;
	}
	return rte_mp_reply(&reply, peer);
}

int
vfio_dmabuf_mp_init(void)
{
	static bool done;
	int ret;

	if (done || rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	ret = rte_mp_action_register(VFIO_DMABUF_MP, vfio_dmabuf_mp_primary);
	if (ret != 0 && rte_errno != ENOTSUP && rte_errno != EEXIST) {
		VFIO_DMABUF_LOG(ERR, "cannot register the multi-process action");
		return -1;
	}
	done = true;
	return 0;
}

/*
 * One request: the ranges from @first on, into @dev, and in @total how many
 * there are in all.  The count received, or -errno.
 */
static int
vfio_dmabuf_mp_request(struct rte_vfio_dmabuf_device *dev, unsigned int first,
		       unsigned int *total)
{
	struct timespec timeout = { .tv_sec = 5 };
	const struct vfio_dmabuf_mp_reply *rep;
	struct vfio_dmabuf_mp_req *req;
	struct rte_mp_reply replies;
	struct rte_mp_msg msg;
	unsigned int i, fd = 0;
	int ret;

	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, VFIO_DMABUF_MP, sizeof(msg.name));
	msg.len_param = sizeof(*req);
	req = (void *)msg.param;
	strlcpy(req->name, dev->name, sizeof(req->name));
	req->first = first;

	if (rte_mp_request_sync(&msg, &replies, &timeout) != 0 ||
	    replies.nb_received != 1) {
		VFIO_DMABUF_LOG(ERR, "%s: no answer from the primary process",
				dev->name);
		return -EIO;
	}
	rep = (const void *)replies.msgs[0].param;
	ret = rep->result;
	if (ret == 0 && (rep->nb_ranges > RTE_DIM(dev->ranges) ||
			 first + rep->count > rep->nb_ranges))
		ret = -EPROTO;
	for (i = 0; ret == 0 && i < rep->count; i++) {
		struct rte_vfio_dmabuf_range *r = &dev->ranges[first + i];

		r->bar = rep->ranges[i].bar;
		r->offset = rep->ranges[i].offset;
		r->len = rep->ranges[i].len;
		r->requested = rep->ranges[i].requested;
		r->obtained = rep->ranges[i].obtained;
		r->dmabuf_fd = -1;
		if (rep->ranges[i].has_fd) {
			if (fd == (unsigned int)replies.msgs[0].num_fds) {
				ret = -EPROTO;
				break;
			}
			r->dmabuf_fd = replies.msgs[0].fds[fd++];
		}
	}
	if (ret == 0) {
		dev->method = rep->method;
		dev->nb_ranges = first + rep->count;
		*total = rep->nb_ranges;
		ret = rep->count;
	} else {
		for (i = 0; i < rep->count && first + i < RTE_DIM(dev->ranges); i++)
			dev->ranges[first + i].dmabuf_fd = -1;
		for (fd = 0; fd < (unsigned int)replies.msgs[0].num_fds; fd++)
			close(replies.msgs[0].fds[fd]);
	}
	free(replies.msgs);
	return ret;
}

/* Secondary: the primary's ranges of @dev, mapped in this process */
int
vfio_dmabuf_mp_get_ranges(struct rte_vfio_dmabuf_device *dev)
{
	unsigned int total = 0;
	int ret;

	dev->nb_ranges = 0;
	do {
		ret = vfio_dmabuf_mp_request(dev, dev->nb_ranges, &total);
		if (ret < 0)
			return ret;
	} while (ret > 0 && dev->nb_ranges < total);
	return vfio_dmabuf_map_ranges(dev);
}
