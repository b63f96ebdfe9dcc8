/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * A device that goes away under a running process.
 *
 * The process learns it in one of two ways.  vfio-pci asks for a device it
 * is removing back through the request eventfd (VFIO_PCI_REQ_IRQ_INDEX,
 * set by the primary process), and keeps asking until the device fd is
 * closed.  And a load or store to a BAR whose PTEs vfio-pci zapped and will
 * not give back (a revoked DMABUF, memory decode off, a device being
 * reset) raises SIGBUS; EAL's SIGBUS handler, installed by
 * rte_dev_hotplug_handle_enable(), asks each bus whether the address is
 * one of its own.
 *
 * Both end in the same place: every BAR mapping of the device is replaced
 * by anonymous memory, so that the access that faulted and every one after
 * it complete harmlessly, and RTE_DEV_EVENT_REMOVE goes out once, from the
 * interrupt thread.  The driver turns it into its class's removal event
 * (RTE_ETH_EVENT_INTR_RMV), the application detaches the device, and
 * closing the device fd lets the kernel finish removing it.
 *
 * The SIGBUS handler runs in signal context on the thread that faulted: it
 * only remaps and writes the device's eventfd, the request eventfd in the
 * primary process, and the event is sent by that eventfd's callback.  An
 * application may detach the device from within its event callback, or
 * defer that with an alarm as testpmd does and DPDK's hotplug guide asks.
 */

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/mman.h>

#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_interrupts.h>
#include <rte_pause.h>
#include <rte_string_fns.h>

#include "private.h"

/* Anonymous memory where the BARs were; safe in signal context */
static int
vfio_dmabuf_replace_bars(struct rte_vfio_dmabuf_device *dev)
{
	unsigned int i;
	void *map;

	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (dev->bars[i].addr == NULL)
			continue;
		map = mmap(dev->bars[i].addr, dev->bars[i].len,
			   PROT_READ | PROT_WRITE,
			   MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (map == MAP_FAILED)
			return -1;
	}
	dev->removed = true;
	return 0;
}

int
vfio_dmabuf_hot_unplug_handler(struct rte_device *device)
{
	struct rte_vfio_dmabuf_device *dev = RTE_DEV_TO_VFIO_DMABUF(device);

	if (dev->removed)
		return 0;
	if (vfio_dmabuf_replace_bars(dev) != 0) {
		VFIO_DMABUF_LOG(ERR, "%s: cannot replace its BARs: %s",
				dev->name, strerror(errno));
		return -1;
	}
	VFIO_DMABUF_LOG(NOTICE, "%s: device gone, its BARs are now anonymous memory",
			dev->name);
	return 0;
}

/*
 * The devices a SIGBUS handler looks at.  The handler may run on any thread
 * at any time, also while another thread detaches a device: it can neither
 * take a lock (the thread it interrupted may hold it) nor walk the bus's
 * device list.  It walks this list instead, counted in sigbus_handlers.  A
 * device leaves the list, and the detaching thread waits until no handler
 * that may have seen it is still running, before the device's eventfd is
 * closed and its BARs unmapped.
 */
static struct rte_vfio_dmabuf_device *sigbus_devices;
static uint32_t sigbus_handlers;
static pthread_mutex_t sigbus_devices_lock = PTHREAD_MUTEX_INITIALIZER;

static void
vfio_dmabuf_sigbus_watch(struct rte_vfio_dmabuf_device *dev)
{
	pthread_mutex_lock(&sigbus_devices_lock);
	dev->sigbus_next = sigbus_devices;
	__atomic_store_n(&sigbus_devices, dev, __ATOMIC_SEQ_CST);
	pthread_mutex_unlock(&sigbus_devices_lock);
}

static void
vfio_dmabuf_sigbus_forget(struct rte_vfio_dmabuf_device *dev)
{
	struct rte_vfio_dmabuf_device **p;

	pthread_mutex_lock(&sigbus_devices_lock);
	for (p = &sigbus_devices; *p != NULL; p = &(*p)->sigbus_next) {
		if (*p == dev) {
			__atomic_store_n(p, dev->sigbus_next, __ATOMIC_SEQ_CST);
			break;
		}
	}
	/* Pairs with the increment in the handler: it saw @dev, or we see it */
	while (__atomic_load_n(&sigbus_handlers, __ATOMIC_SEQ_CST) != 0)
		rte_pause();
	pthread_mutex_unlock(&sigbus_devices_lock);
}

static struct rte_vfio_dmabuf_device *
vfio_dmabuf_sigbus_find(const void *addr)
{
	struct rte_vfio_dmabuf_device *dev;
	unsigned int i;

	for (dev = __atomic_load_n(&sigbus_devices, __ATOMIC_SEQ_CST);
	     dev != NULL;
	     dev = __atomic_load_n(&dev->sigbus_next, __ATOMIC_SEQ_CST))
		for (i = 0; i < PCI_MAX_RESOURCE; i++)
			if (dev->bars[i].addr != NULL &&
			    (const char *)addr >= (char *)dev->bars[i].addr &&
			    (const char *)addr < (char *)dev->bars[i].addr +
						 dev->bars[i].len)
				return dev;
	return NULL;
}

/* 0 if the SIGBUS was in a BAR of ours and is handled, 1 if not ours */
int
vfio_dmabuf_sigbus_handler(const void *failure_addr)
{
	struct rte_vfio_dmabuf_device *dev;
	uint64_t one = 1;
	int ret = 1;

	__atomic_fetch_add(&sigbus_handlers, 1, __ATOMIC_SEQ_CST);
	dev = vfio_dmabuf_sigbus_find(failure_addr);
	if (dev != NULL) {
		ret = 0;
		if (vfio_dmabuf_replace_bars(dev) != 0 ||
		    write(rte_intr_fd_get(dev->gone_intr_handle), &one, sizeof(one)) != sizeof(one))
			ret = -1;
	}
	__atomic_fetch_sub(&sigbus_handlers, 1, __ATOMIC_SEQ_CST);
	return ret;
}

/* In the interrupt thread: the kernel's request, or a SIGBUS, came in */
static void
vfio_dmabuf_gone_callback(void *arg)
{
	struct rte_vfio_dmabuf_device *dev = arg;
	char name[sizeof(dev->name)];
	uint64_t count;

	/* EAL read the request eventfd already; a secondary's is ours to read */
	if (read(rte_intr_fd_get(dev->gone_intr_handle), &count, sizeof(count)) < 0 &&
	    errno != EAGAIN)
		VFIO_DMABUF_LOG(DEBUG, "%s: eventfd read: %s", dev->name, strerror(errno));
	if (dev->removal_notified)
		return;
	if (dev->removed)
		VFIO_DMABUF_LOG(NOTICE, "%s: an access to a BAR faulted (SIGBUS): the BARs are anonymous memory now",
				dev->name);
	else
		VFIO_DMABUF_LOG(NOTICE, "%s: the kernel asks for the device back",
				dev->name);
	if (vfio_dmabuf_hot_unplug_handler(&dev->device) != 0)
		return;
	/*
	 * The driver will give its buffers back to their pools without
	 * being able to stop the device through its BARs: stop its DMA
	 * through config space, which VFIO still offers, first.
	 */
	if (rte_eal_process_type() == RTE_PROC_PRIMARY &&
	    vfio_dmabuf_set_bus_master(dev->vfio_fd, false) != 0)
		VFIO_DMABUF_LOG(WARNING, "%s: cannot turn bus mastering off", dev->name);
	dev->removal_notified = true;
	/* An application may detach, and so free, @dev from the event */
	strlcpy(name, dev->name, sizeof(name));
	rte_dev_event_callback_process(name, RTE_DEV_EVENT_REMOVE);
}

int
vfio_dmabuf_hotplug_enable(struct rte_vfio_dmabuf_device *dev)
{
	bool primary = rte_eal_process_type() == RTE_PROC_PRIMARY;
	struct rte_intr_handle *handle;
	int efd, ret;

	dev->removed = false;
	dev->removal_notified = false;
	handle = rte_intr_instance_alloc(RTE_INTR_INSTANCE_F_PRIVATE);
	if (handle == NULL)
		return -ENOMEM;
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (efd < 0) {
		ret = -errno;
		rte_intr_instance_free(handle);
		return ret;
	}
	/* Only the primary process owns the device's interrupts */
	if (rte_intr_fd_set(handle, efd) != 0 ||
	    rte_intr_dev_fd_set(handle, dev->vfio_fd) != 0 ||
	    rte_intr_type_set(handle, primary ? RTE_INTR_HANDLE_VFIO_REQ :
						RTE_INTR_HANDLE_EXT) != 0) {
		ret = -EINVAL;
		goto fail;
	}
	ret = rte_intr_callback_register(handle, vfio_dmabuf_gone_callback, dev);
	if (ret != 0)
		goto fail;
	if (primary && rte_intr_enable(handle) != 0) {
		VFIO_DMABUF_LOG(NOTICE, "%s: no device request notifier: a removal by the kernel waits for the process to close the device",
				dev->name);
		rte_intr_type_set(handle, RTE_INTR_HANDLE_EXT);
	}
	dev->gone_intr_handle = handle;
	vfio_dmabuf_sigbus_watch(dev);
	return 0;
fail:
	close(efd);
	rte_intr_instance_free(handle);
	return ret;
}

/* After the callback that was running when the device was detached */
static void
vfio_dmabuf_gone_release(struct rte_intr_handle *handle, void *arg __rte_unused)
{
	close(rte_intr_fd_get(handle));
}

void
vfio_dmabuf_hotplug_disable(struct rte_vfio_dmabuf_device *dev)
{
	struct rte_intr_handle *handle = dev->gone_intr_handle;
	int ret;

	if (handle == NULL)
		return;
	vfio_dmabuf_sigbus_forget(dev);
	if (rte_intr_type_get(handle) == RTE_INTR_HANDLE_VFIO_REQ)
		rte_intr_disable(handle);
	ret = rte_intr_callback_unregister(handle, vfio_dmabuf_gone_callback, dev);
	if (ret == -EAGAIN && rte_thread_is_intr()) {
		/*
		 * The application detaches the device from the removal event
		 * this callback sends: EAL drops the callback, and closes
		 * the eventfd through vfio_dmabuf_gone_release(), when it
		 * returns.  The callback touches the device no more after
		 * sending the event.
		 */
		rte_intr_callback_unregister_pending(handle, vfio_dmabuf_gone_callback,
						     dev, vfio_dmabuf_gone_release);
	} else {
		if (ret == -EAGAIN)
			rte_intr_callback_unregister_sync(handle,
							  vfio_dmabuf_gone_callback,
							  dev);
		close(rte_intr_fd_get(handle));
	}
	rte_intr_instance_free(handle);
	dev->gone_intr_handle = NULL;
}
