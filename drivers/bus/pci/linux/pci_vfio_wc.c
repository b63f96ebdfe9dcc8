/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * Write-combining BARs under vfio-pci, for the drivers that ask for them
 * with RTE_PCI_DRV_WC_ACTIVATE (ena, ionic, ntb): what igb_uio's
 * resourceN_wc gives them, from vfio-pci.  When WC is asked (the devarg
 * "wc" of the bus layer, else --vfio-dmabuf-wc), each prefetchable memory
 * BAR without the MSI-X table or PBA is exported as one DMABUF, set WC and
 * mmap()ed where the region mmap() would have put it.  A kernel that cannot
 * gets the region mmap(), uncached, as without this file, with the reason
 * in a NOTICE and a WARNING that WC was asked and not given.
 *
 * The DMABUF fds are this process's own, kept here until the device is
 * unmapped; the shared vfio_res says only which BARs have one.  A
 * secondary process maps those from the primary's DMABUFs, passed over
 * the multi-process channel: the kernel would refuse it a region mmap()
 * of pages the primary maps WC, and the DMABUF carries its attribute.
 */

#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <sys/mman.h>
#include <sys/queue.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_pci.h>
#include <rte_spinlock.h>
#include <rte_string_fns.h>
#include <rte_vfio.h>
#include <rte_vfio_dmabuf.h>

#include "pci_vfio_wc.h"

/* A BAR that wanted WC, in this process */
struct pci_vfio_wc_bar {
	TAILQ_ENTRY(pci_vfio_wc_bar) next;
	struct rte_pci_addr addr;
	enum rte_vfio_dmabuf_method method;
	struct rte_vfio_dmabuf_range range; /* the whole BAR */
};

static TAILQ_HEAD(, pci_vfio_wc_bar) pci_vfio_wc_bars =
	TAILQ_HEAD_INITIALIZER(pci_vfio_wc_bars);
/*
 * Held to change the list, and by the multi-process thread while it reads
 * it: a BAR's fd is not closed while it is sent to a secondary.
 */
static rte_spinlock_t pci_vfio_wc_lock = RTE_SPINLOCK_INITIALIZER;

/* A secondary process asks the primary for the DMABUF of a BAR */
#define PCI_VFIO_WC_MP "bus_pci_vfio_dmabuf"

struct pci_vfio_wc_mp_req {
	char name[PCI_PRI_STR_SIZE];
	int32_t bar;
};

struct pci_vfio_wc_mp_reply {
	int32_t result; /* 0 with the fd, or -errno */
	uint32_t obtained;
};

static int
pci_vfio_config_read(int vfio_dev_fd, void *buf, size_t len, off_t offset)
{
	ssize_t ret;

	ret = pread(vfio_dev_fd, buf, len,
		    VFIO_GET_REGION_ADDR(VFIO_PCI_CONFIG_REGION_INDEX) + offset);
	return ret == (ssize_t)len ? 0 : -1;
}

static bool
pci_vfio_bar_is_prefetchable(int vfio_dev_fd, int bar)
{
	uint32_t reg;

	if (pci_vfio_config_read(vfio_dev_fd, &reg, sizeof(reg),
				 PCI_BASE_ADDRESS_0 + bar * 4) != 0)
		return false;
	return (reg & PCI_BASE_ADDRESS_SPACE) == PCI_BASE_ADDRESS_SPACE_MEMORY &&
	       (reg & PCI_BASE_ADDRESS_MEM_PREFETCH) != 0;
}

/*
 * Whether BAR @bar holds the MSI-X table or its PBA: vfio-pci keeps them
 * uncached and refuses WC on their pages.  bus/pci knows where the table
 * is only when it cannot be mapped; the PBA it never looks for.
 */
static bool
pci_vfio_bar_has_msix(int vfio_dev_fd, int bar)
{
	uint32_t table, pba;
	uint8_t pos, id, hops;

	if (pci_vfio_config_read(vfio_dev_fd, &pos, 1, PCI_CAPABILITY_LIST) != 0)
		return true;
	/* At most 48 capabilities fit in the 192 bytes after the header */
	for (hops = 0; pos >= PCI_STD_HEADER_SIZEOF && hops < 48; hops++) {
		pos &= ~3;
		if (pci_vfio_config_read(vfio_dev_fd, &id, 1, pos + PCI_CAP_LIST_ID) != 0)
			return true;
		if (id == PCI_CAP_ID_MSIX) {
			if (pci_vfio_config_read(vfio_dev_fd, &table, 4,
						 pos + PCI_MSIX_TABLE) != 0 ||
			    pci_vfio_config_read(vfio_dev_fd, &pba, 4, pos + PCI_MSIX_PBA) != 0)
				return true;
			return (table & PCI_MSIX_TABLE_BIR) == (uint32_t)bar ||
			       (pba & PCI_MSIX_PBA_BIR) == (uint32_t)bar;
		}
		if (pci_vfio_config_read(vfio_dev_fd, &pos, 1, pos + PCI_CAP_LIST_NEXT) != 0)
			return true;
	}
	return false;
}

/* WC asked for @dev: its devarg "wc" first, else the EAL option */
static bool
pci_vfio_wc_asked(const struct rte_pci_device *dev)
{
	int wc = pci_devargs_wc(dev->device.devargs);

	return wc >= 0 ? wc == 1 : rte_eal_vfio_dmabuf_wc() == 1;
}

bool
pci_vfio_wc_wanted(const struct rte_pci_device *dev, int vfio_dev_fd,
		   const struct mapped_pci_resource *vfio_res, int bar)
{
	const struct pci_map *map = &vfio_res->maps[bar];

	if (dev->driver == NULL ||
	    !(dev->driver->drv_flags & RTE_PCI_DRV_WC_ACTIVATE) ||
	    !pci_vfio_wc_asked(dev) || map->size == 0 ||
	    !pci_vfio_bar_is_prefetchable(vfio_dev_fd, bar))
		return false;
	if (pci_vfio_bar_has_msix(vfio_dev_fd, bar)) {
		RTE_LOG(NOTICE, EAL, "%s: BAR%d holds the MSI-X table or PBA: not WC\n",
			dev->name, bar);
		return false;
	}
	return true;
}

static void
pci_vfio_wc_add(struct pci_vfio_wc_bar *wc)
{
	rte_spinlock_lock(&pci_vfio_wc_lock);
	TAILQ_INSERT_TAIL(&pci_vfio_wc_bars, wc, next);
	rte_spinlock_unlock(&pci_vfio_wc_lock);
}

/* The entry of BAR @bar of the device at @addr, or of any of its BARs (-1) */
static struct pci_vfio_wc_bar *
pci_vfio_wc_find(const struct rte_pci_addr *addr, int bar)
{
	struct pci_vfio_wc_bar *wc;

	TAILQ_FOREACH(wc, &pci_vfio_wc_bars, next)
		if (rte_pci_addr_cmp(&wc->addr, addr) == 0 && (bar < 0 || wc->range.bar == bar))
			return wc;
	return NULL;
}

/* The primary's answer to a secondary: the DMABUF of one BAR */
static int
pci_vfio_wc_mp_primary(const struct rte_mp_msg *msg, const void *peer)
{
	const struct pci_vfio_wc_mp_req *req = (const void *)msg->param;
	struct pci_vfio_wc_mp_reply *rep;
	const struct pci_vfio_wc_bar *wc = NULL;
	struct rte_pci_addr addr;
	struct rte_mp_msg reply;
	int ret;

	memset(&reply, 0, sizeof(reply));
	strlcpy(reply.name, msg->name, sizeof(reply.name));
	reply.len_param = sizeof(*rep);
	rep = (void *)reply.param;
	rte_spinlock_lock(&pci_vfio_wc_lock);
	if (msg->len_param == sizeof(*req) &&
	    memchr(req->name, '\0', sizeof(req->name)) != NULL &&
	    rte_pci_addr_parse(req->name, &addr) == 0)
		wc = pci_vfio_wc_find(&addr, req->bar);
	if (wc == NULL || wc->range.dmabuf_fd < 0) {
		rep->result = -ENOENT;
	} else {
		rep->obtained = wc->range.obtained;
		reply.num_fds = 1;
		reply.fds[0] = wc->range.dmabuf_fd;
	}
	ret = rte_mp_reply(&reply, peer);
	rte_spinlock_unlock(&pci_vfio_wc_lock);
	return ret;
}

/* Serve the DMABUFs to secondary processes, from the first one on */
static void
pci_vfio_wc_mp_register(void)
{
	static bool registered;

	if (registered)
		return;
	/* ENOTSUP: no multi-process (--no-shconf, --in-memory) */
	if (rte_mp_action_register(PCI_VFIO_WC_MP, pci_vfio_wc_mp_primary) == 0 ||
	    rte_errno == EEXIST)
		registered = true;
}

/* The method of @dev's kernel: found out on its first WC BAR, said once */
static enum rte_vfio_dmabuf_method
pci_vfio_wc_method(const struct rte_pci_device *dev, int vfio_dev_fd, int bar)
{
	const struct pci_vfio_wc_bar *known = pci_vfio_wc_find(&dev->addr, -1);
	enum rte_vfio_dmabuf_method method;
	const char *why;

	if (known != NULL)
		return known->method;
	method = rte_vfio_dmabuf_kernel_method(vfio_dev_fd, bar, &why);
	if (method != RTE_VFIO_DMABUF_METHOD_DMABUF)
		RTE_LOG(NOTICE, EAL, "%s: WC asked by %s, region mmap, uncached: %s\n",
			dev->name, dev->driver->driver.name, why);
	return method;
}

int
pci_vfio_wc_map_bar(struct rte_pci_device *dev, int vfio_dev_fd,
		    struct mapped_pci_resource *vfio_res, int bar)
{
	struct pci_map *map = &vfio_res->maps[bar];
	struct pci_vfio_wc_bar *wc;
	void *reserved;
	int ret;

	wc = calloc(1, sizeof(*wc));
	if (wc == NULL)
		return -1;
	wc->addr = dev->addr;
	wc->method = pci_vfio_wc_method(dev, vfio_dev_fd, bar);
	wc->range.bar = bar;
	wc->range.len = map->size;
	wc->range.requested = RTE_VFIO_DMABUF_ATTR_WC;
	wc->range.obtained = RTE_VFIO_DMABUF_ATTR_NC;
	wc->range.dmabuf_fd = -1;
	/* Kept even when the kernel cannot: the report says what WC became */
	pci_vfio_wc_add(wc);
	if (wc->method != RTE_VFIO_DMABUF_METHOD_DMABUF)
		return -1;

	reserved = mmap(map->addr, map->size, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (reserved == MAP_FAILED) {
		RTE_LOG(ERR, EAL, "%s: cannot reserve addresses for BAR%d: %s\n",
			dev->name, bar, strerror(errno));
		return -1;
	}
	ret = rte_vfio_dmabuf_map_range(vfio_dev_fd, wc->method, reserved, &wc->range);
	if (ret != 0) {
		munmap(reserved, map->size);
		RTE_LOG(ERR, EAL, "%s: DMABUF of BAR%d: %s: region mmap, uncached\n",
			dev->name, bar, strerror(-ret));
		wc->method = RTE_VFIO_DMABUF_METHOD_REGION;
		return -1;
	}
	map->addr = reserved;
	vfio_res->dmabuf_bars |= RTE_BIT32(bar);
	pci_vfio_wc_mp_register();
	return 0;
}

/* The primary's DMABUF of BAR @bar of @dev and its attribute: the fd, or -errno */
static int
pci_vfio_wc_mp_get_fd(const struct rte_pci_device *dev, int bar, uint32_t *obtained)
{
	const struct pci_vfio_wc_mp_reply *rep;
	struct pci_vfio_wc_mp_req *req;
	struct timespec timeout = { .tv_sec = 5 };
	struct rte_mp_reply replies;
	struct rte_mp_msg msg;
	int fd = -EIO;

	memset(&msg, 0, sizeof(msg));
	strlcpy(msg.name, PCI_VFIO_WC_MP, sizeof(msg.name));
	msg.len_param = sizeof(*req);
	req = (void *)msg.param;
	strlcpy(req->name, dev->name, sizeof(req->name));
	req->bar = bar;
	if (rte_mp_request_sync(&msg, &replies, &timeout) != 0)
		return -rte_errno;
	if (replies.nb_received == 1 && replies.msgs[0].len_param == sizeof(*rep)) {
		rep = (const void *)replies.msgs[0].param;
		if (rep->result != 0)
			fd = rep->result;
		else if (replies.msgs[0].num_fds == 1)
			fd = replies.msgs[0].fds[0];
		*obtained = rep->obtained;
	}
	if (fd < 0 && replies.nb_received == 1 && replies.msgs[0].num_fds == 1)
		close(replies.msgs[0].fds[0]);
	free(replies.msgs);
	return fd;
}

int
pci_vfio_wc_map_bar_secondary(const struct rte_pci_device *dev,
			      const struct mapped_pci_resource *vfio_res, int bar)
{
	const struct pci_map *map = &vfio_res->maps[bar];
	struct pci_vfio_wc_bar *wc;
	uint32_t obtained = RTE_VFIO_DMABUF_ATTR_NC;
	void *reserved;
	int fd;

	fd = pci_vfio_wc_mp_get_fd(dev, bar, &obtained);
	if (fd < 0) {
		RTE_LOG(ERR, EAL, "%s: the primary process gave no DMABUF of BAR%d: %s\n",
			dev->name, bar, strerror(-fd));
		return -1;
	}
	wc = calloc(1, sizeof(*wc));
	if (wc == NULL) {
		close(fd);
		return -1;
	}
	wc->addr = dev->addr;
	wc->method = RTE_VFIO_DMABUF_METHOD_DMABUF;
	wc->range.bar = bar;
	wc->range.len = map->size;
	wc->range.requested = RTE_VFIO_DMABUF_ATTR_WC;
	wc->range.obtained = obtained == RTE_VFIO_DMABUF_ATTR_WC ?
			     RTE_VFIO_DMABUF_ATTR_WC : RTE_VFIO_DMABUF_ATTR_NC;
	wc->range.dmabuf_fd = fd;
	pci_vfio_wc_add(wc);

	/* At the primary's address, as every mapping of a secondary */
	reserved = mmap(map->addr, map->size, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (reserved == MAP_FAILED || rte_vfio_dmabuf_mmap(reserved, &wc->range) != 0) {
		RTE_LOG(ERR, EAL, "%s: cannot map the DMABUF of BAR%d at %p: %s\n",
			dev->name, bar, map->addr, strerror(errno));
		return -1;
	}
	return 0;
}

void
pci_vfio_wc_report(const struct rte_pci_device *dev)
{
	uint64_t phys[PCI_MAX_RESOURCE];
	struct pci_vfio_wc_bar *wc;
	char who[PCI_PRI_STR_SIZE + 8];
	unsigned int bar;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++)
		phys[bar] = dev->mem_resource[bar].phys_addr;
	snprintf(who, sizeof(who), "EAL: %s", dev->name);
	TAILQ_FOREACH(wc, &pci_vfio_wc_bars, next) {
		if (rte_pci_addr_cmp(&wc->addr, &dev->addr) != 0)
			continue;
		if (wc->range.addr == NULL)
			wc->range.addr = dev->mem_resource[wc->range.bar].addr;
		rte_vfio_dmabuf_report(RTE_LOGTYPE_EAL, who, wc->method,
				       &wc->range, 1, phys);
	}
}

void
pci_vfio_wc_release(const struct rte_pci_device *dev)
{
	struct pci_vfio_wc_bar *wc, *tmp;

	rte_spinlock_lock(&pci_vfio_wc_lock);
	RTE_TAILQ_FOREACH_SAFE(wc, &pci_vfio_wc_bars, next, tmp) {
		if (rte_pci_addr_cmp(&wc->addr, &dev->addr) != 0)
			continue;
		if (wc->range.dmabuf_fd >= 0)
			close(wc->range.dmabuf_fd);
		TAILQ_REMOVE(&pci_vfio_wc_bars, wc, next);
		free(wc);
	}
	rte_spinlock_unlock(&pci_vfio_wc_lock);
}
