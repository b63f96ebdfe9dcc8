/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Secondary processes map a device with the primary's DMABUFs: the primary
 * answers a request with the table of ranges and their fds (passed with
 * SCM_RIGHTS by rte_mp), eight at a time.  The memory attribute belongs to
 * the DMABUF in the kernel, so the secondary's mmap() gets the same one.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_string_fns.h>

#include "private.h"

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

	/* A request carries no fds: any that came are not ours to keep */
	for (i = 0; i < (unsigned int)msg->num_fds && i < RTE_MP_MAX_FD_NUM; i++)
		close(msg->fds[i]);
	if (msg->len_param != sizeof(*req) ||
	    memchr(req->name, '\0', sizeof(req->name)) == NULL) {
		VFIO_DMABUF_LOG(ERR, "malformed request from a secondary process");
		rep->result = -EINVAL;
		return rte_mp_reply(&reply, peer);
	}
	dev = vfio_dmabuf_find_by_name(req->name);
	if (dev == NULL || dev->driver == NULL) {
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

/* Whether @r, from the primary, fits the BARs this process reserved */
static bool
vfio_dmabuf_mp_range_valid(const struct rte_vfio_dmabuf_device *dev,
			   const struct vfio_dmabuf_mp_range *r)
{
	return r->bar < PCI_MAX_RESOURCE && dev->bars[r->bar].addr != NULL &&
	       r->len != 0 && r->offset < dev->bars[r->bar].len &&
	       r->len <= dev->bars[r->bar].len - r->offset &&
	       r->requested <= RTE_VFIO_DMABUF_ATTR_WC &&
	       r->obtained <= RTE_VFIO_DMABUF_ATTR_WC && r->has_fd <= 1;
}

/* Whether the reply @msg to a request from @first holds together */
static int
vfio_dmabuf_mp_reply_check(const struct rte_vfio_dmabuf_device *dev,
			   unsigned int first, const struct rte_mp_msg *msg)
{
	const struct vfio_dmabuf_mp_reply *rep = (const void *)msg->param;
	unsigned int i, nb_fds = 0;

	if (msg->len_param != sizeof(*rep))
		return -EPROTO;
	if (rep->result != 0)
		return rep->result < 0 && rep->result > -4096 ? rep->result : -EPROTO;
	if (rep->method > RTE_VFIO_DMABUF_METHOD_REGION ||
	    rep->nb_ranges > RTE_DIM(dev->ranges) ||
	    rep->count > VFIO_DMABUF_MP_RANGES ||
	    first + rep->count > rep->nb_ranges ||
	    (rep->count == 0 && first < rep->nb_ranges))
		return -EPROTO;
	for (i = 0; i < rep->count; i++) {
		if (!vfio_dmabuf_mp_range_valid(dev, &rep->ranges[i]))
			return -EPROTO;
		nb_fds += rep->ranges[i].has_fd;
	}
	return nb_fds == (unsigned int)msg->num_fds ? 0 : -EPROTO;
}

/*
 * The primary's reply @msg to a request for the ranges from @first on:
 * into @dev, with in @total how many there are in all.  The count taken,
 * or -errno.  The fds in @msg are the caller's no more, whatever the result.
 */
int
vfio_dmabuf_mp_take_reply(struct rte_vfio_dmabuf_device *dev, unsigned int first,
			  const struct rte_mp_msg *msg, unsigned int *total)
{
	const struct vfio_dmabuf_mp_reply *rep = (const void *)msg->param;
	unsigned int i, fd = 0;
	int ret;

	ret = vfio_dmabuf_mp_reply_check(dev, first, msg);
	if (ret != 0) {
		if (ret == -EPROTO)
			VFIO_DMABUF_LOG(ERR, "%s: malformed reply from the primary process",
					dev->name);
		for (i = 0; i < (unsigned int)msg->num_fds && i < RTE_MP_MAX_FD_NUM; i++)
			close(msg->fds[i]);
		return ret;
	}
	for (i = 0; i < rep->count; i++) {
		struct rte_vfio_dmabuf_range *r = &dev->ranges[first + i];

		r->bar = rep->ranges[i].bar;
		r->offset = rep->ranges[i].offset;
		r->len = rep->ranges[i].len;
		r->requested = rep->ranges[i].requested;
		r->obtained = rep->ranges[i].obtained;
		r->addr = NULL;
		r->dmabuf_fd = rep->ranges[i].has_fd ? msg->fds[fd++] : -1;
	}
	dev->method = rep->method;
	dev->nb_ranges = first + rep->count;
	*total = rep->nb_ranges;
	return rep->count;
}

/* One request: the ranges of @dev from @first on, see above */
static int
vfio_dmabuf_mp_request(struct rte_vfio_dmabuf_device *dev, unsigned int first,
		       unsigned int *total)
{
	struct timespec timeout = { .tv_sec = 5 };
	struct vfio_dmabuf_mp_req *req;
	struct rte_mp_reply replies;
	struct rte_mp_msg msg;
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
		free(replies.msgs);
		return -EIO;
	}
	ret = vfio_dmabuf_mp_take_reply(dev, first, &replies.msgs[0], total);
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
