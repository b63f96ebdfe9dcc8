/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * net/example: the sample PMD of the vfio_dmabuf bus, for the Intel 82574L
 * (8086:10d3, as QEMU's e1000e emulates it), whose TX doorbell is written
 * through a write-combining (WC) page.  One RX and one TX queue, legacy
 * descriptors, jumbo frames by chains of 2 KiB buffers.
 *
 *   example_regs.h    registers, bits and descriptors of the 82574
 *   example.h         the driver's structures; register access and its WC rules
 *   example_ethdev.c  probe and remove, device reset and removal, ethdev ops,
 *                     link, stats
 *   example_rings.c   queue setup and release, ring registers, ring mbufs
 *   example_rx.c      the RX burst
 *   example_tx.c      the TX burst and its doorbell
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <bus_vfio_dmabuf_driver.h>
#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ether.h>
#include <rte_malloc.h>
#include <rte_string_fns.h>

#include "example.h"

RTE_LOG_REGISTER_DEFAULT(example_logtype, NOTICE);

#define EXAMPLE_RX_OFFLOADS	RTE_ETH_RX_OFFLOAD_SCATTER
#define EXAMPLE_TX_OFFLOADS	RTE_ETH_TX_OFFLOAD_MULTI_SEGS

#define EXAMPLE_RESET_POLL_US	100
#define EXAMPLE_RESET_WAIT_US	10000
#define EXAMPLE_EERD_POLL_US	5
#define EXAMPLE_EERD_WAIT_US	10000
#define EXAMPLE_LINK_POLL_MS	100
#define EXAMPLE_LINK_WAIT_MS	9000
#define EXAMPLE_DMA_STOP_MS	10	/* for the DMA in flight to end */

#define EXAMPLE_DEFAULT_RING_SIZE	256

/* The doorbell page, holding TDT: WC if allowed; the rest of BAR0 is NC */
static const struct rte_vfio_dmabuf_doorbell example_doorbells[] = {
	{ .bar = 0, .offset = EXAMPLE_TX_PAGE, .len = EXAMPLE_TX_PAGE_LEN },
};

static const struct rte_pci_id example_pci_ids[] = {
	{
		.class_id = RTE_CLASS_ANY_ID,
		.vendor_id = EXAMPLE_PCI_VENDOR_INTEL,
		.device_id = EXAMPLE_PCI_DEVICE_82574L,
		.subsystem_vendor_id = RTE_PCI_ANY_ID,
		.subsystem_device_id = RTE_PCI_ANY_ID,
	},
	{ .vendor_id = 0 },
};

/* The hardware counters and their xstat names */
static const struct example_hw_counter {
	const char *name;
	uint32_t reg;
	uint32_t reg_high;	/* the upper half of a 64-bit counter, or 0 */
} example_hw_counters[EXAMPLE_HW_STATS_NB] = {
	[EXAMPLE_HW_CRCERRS] = { "rx_crc_errors", EXAMPLE_CRCERRS, 0 },
	[EXAMPLE_HW_RXERRC] = { "rx_phy_errors", EXAMPLE_RXERRC, 0 },
	[EXAMPLE_HW_MPC] = { "rx_missed", EXAMPLE_MPC, 0 },
	[EXAMPLE_HW_GPRC] = { "rx_good_packets_hw", EXAMPLE_GPRC, 0 },
	[EXAMPLE_HW_BPRC] = { "rx_broadcast_packets", EXAMPLE_BPRC, 0 },
	[EXAMPLE_HW_MPRC] = { "rx_multicast_packets", EXAMPLE_MPRC, 0 },
	[EXAMPLE_HW_GPTC] = { "tx_good_packets_hw", EXAMPLE_GPTC, 0 },
	[EXAMPLE_HW_GORC] = { "rx_good_bytes_hw", EXAMPLE_GORCL, EXAMPLE_GORCH },
	[EXAMPLE_HW_GOTC] = { "tx_good_bytes_hw", EXAMPLE_GOTCL, EXAMPLE_GOTCH },
	[EXAMPLE_HW_RNBC] = { "rx_no_buffer", EXAMPLE_RNBC, 0 },
	[EXAMPLE_HW_RUC] = { "rx_undersize_errors", EXAMPLE_RUC, 0 },
	[EXAMPLE_HW_ROC] = { "rx_oversize_errors", EXAMPLE_ROC, 0 },
	[EXAMPLE_HW_TPR] = { "rx_total_packets", EXAMPLE_TPR, 0 },
	[EXAMPLE_HW_TPT] = { "tx_total_packets", EXAMPLE_TPT, 0 },
};

/* The driver's own xstats, after the hardware counters */
enum example_sw_xstat {
	EXAMPLE_SW_DOORBELL_WC,
	EXAMPLE_SW_DOORBELL_WC_VERIFIED,
	EXAMPLE_SW_DOORBELL_VERIFIED_BY_PTE,
	EXAMPLE_SW_RX_DOORBELLS,
	EXAMPLE_SW_TX_DOORBELLS,
	EXAMPLE_SW_TX_PKTS_PER_DOORBELL,
	EXAMPLE_SW_XSTATS_NB
};

static const char * const example_sw_xstat_names[EXAMPLE_SW_XSTATS_NB] = {
	[EXAMPLE_SW_DOORBELL_WC] = "doorbell_wc",
	[EXAMPLE_SW_DOORBELL_WC_VERIFIED] = "doorbell_wc_verified",
	[EXAMPLE_SW_DOORBELL_VERIFIED_BY_PTE] = "doorbell_verified_by_pte",
	[EXAMPLE_SW_RX_DOORBELLS] = "rx_doorbells",
	[EXAMPLE_SW_TX_DOORBELLS] = "tx_doorbells",
	[EXAMPLE_SW_TX_PKTS_PER_DOORBELL] = "tx_packets_per_doorbell_x1000",
};

#define EXAMPLE_NB_XSTATS (EXAMPLE_HW_STATS_NB + EXAMPLE_SW_XSTATS_NB)

static struct example_rx_queue *
example_rxq(const struct rte_eth_dev *dev)
{
	return dev->data->nb_rx_queues > 0 ? dev->data->rx_queues[0] : NULL;
}

static struct example_tx_queue *
example_txq(const struct rte_eth_dev *dev)
{
	return dev->data->nb_tx_queues > 0 ? dev->data->tx_queues[0] : NULL;
}

/* Reset the MAC, mask every interrupt, and let the link come up */
static int
example_hw_reset(const struct example_hw *hw)
{
	unsigned int waited_us;
	uint32_t ctrl;

	/* No interrupts, and no DMA in flight across the reset */
	example_write_reg(hw, EXAMPLE_IMC, UINT32_MAX);
	example_write_reg(hw, EXAMPLE_RCTL, 0);
	example_write_reg(hw, EXAMPLE_TCTL, 0);
	rte_delay_ms(EXAMPLE_DMA_STOP_MS);

	example_write_reg(hw, EXAMPLE_CTRL,
			  example_read_reg(hw, EXAMPLE_CTRL) | EXAMPLE_CTRL_RST);
	for (waited_us = 0;; waited_us += EXAMPLE_RESET_POLL_US) {
		rte_delay_us(EXAMPLE_RESET_POLL_US);
		ctrl = example_read_reg(hw, EXAMPLE_CTRL);
		if (!(ctrl & EXAMPLE_CTRL_RST))
			break;
		if (waited_us >= EXAMPLE_RESET_WAIT_US) {
			EXAMPLE_LOG(ERR, "CTRL.RST still set after %u us",
				    EXAMPLE_RESET_WAIT_US);
			return -ETIMEDOUT;
		}
	}

	/* Mask every interrupt again and clear the causes left pending */
	example_write_reg(hw, EXAMPLE_IMC, UINT32_MAX);
	(void)example_read_reg(hw, EXAMPLE_ICR);
	example_write_reg(hw, EXAMPLE_CTRL,
			  ctrl | EXAMPLE_CTRL_SLU | EXAMPLE_CTRL_ASDE);
	return 0;
}

static int
example_eeprom_read(const struct example_hw *hw, uint16_t word, uint16_t *data)
{
	unsigned int waited_us;
	uint32_t eerd;

	example_write_reg(hw, EXAMPLE_EERD,
			  EXAMPLE_EERD_START | (uint32_t)word << EXAMPLE_EERD_ADDR_SHIFT);
	for (waited_us = 0; waited_us < EXAMPLE_EERD_WAIT_US;
	     waited_us += EXAMPLE_EERD_POLL_US) {
		rte_delay_us(EXAMPLE_EERD_POLL_US);
		eerd = example_read_reg(hw, EXAMPLE_EERD);
		if (eerd & EXAMPLE_EERD_DONE) {
			*data = eerd >> EXAMPLE_EERD_DATA_SHIFT;
			return 0;
		}
	}
	return -ETIMEDOUT;
}

/* The station address: RAL0/RAH0 (loaded from the EEPROM at reset), or the EEPROM */
static void
example_read_mac_addr(const struct example_hw *hw, const char *name,
		      struct rte_ether_addr *mac)
{
	uint32_t ral, rah;
	uint16_t word;
	unsigned int i;

	ral = example_read_reg(hw, EXAMPLE_RAL0);
	rah = example_read_reg(hw, EXAMPLE_RAH0);
	if (rah & EXAMPLE_RAH_AV) {
		for (i = 0; i < 4; i++)
			mac->addr_bytes[i] = ral >> (8 * i);
		mac->addr_bytes[4] = rah;
		mac->addr_bytes[5] = rah >> 8;
		if (rte_is_valid_assigned_ether_addr(mac))
			return;
	}

	/* EEPROM words 0 to 2, low byte first */
	for (i = 0; i < 3; i++) {
		if (example_eeprom_read(hw, i, &word) != 0)
			break;
		mac->addr_bytes[2 * i] = word & 0xff;
		mac->addr_bytes[2 * i + 1] = word >> 8;
	}
	if (i == 3 && rte_is_valid_assigned_ether_addr(mac))
		return;

	rte_eth_random_addr(mac->addr_bytes);
	EXAMPLE_LOG(WARNING, "%s: no valid MAC address in the device, using a random one",
		    name);
}

static void
example_write_mac_addr(const struct example_hw *hw, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	/* Invalidate first, so that the filter never holds half an address */
	example_write_reg(hw, EXAMPLE_RAH0, 0);
	example_write_reg(hw, EXAMPLE_RAL0, (uint32_t)b[0] | (uint32_t)b[1] << 8 |
			  (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24);
	example_write_reg(hw, EXAMPLE_RAH0, (uint32_t)b[4] | (uint32_t)b[5] << 8 |
			  EXAMPLE_RAH_AV);
}

/* Add the clear-on-read counters to their 64-bit totals */
static void
example_hw_stats_update(struct rte_eth_dev *dev)
{
	struct example_adapter *ad = dev->data->dev_private;
	const struct example_hw *hw = example_hw(dev);
	const struct example_hw_counter *c;
	unsigned int i;
	uint64_t val;

	for (i = 0; i < EXAMPLE_HW_STATS_NB; i++) {
		c = &example_hw_counters[i];
		/* The low half first: reading the high half clears both */
		val = example_read_reg(hw, c->reg);
		if (c->reg_high != 0)
			val |= (uint64_t)example_read_reg(hw, c->reg_high) << 32;
		ad->hw_stats[i] += val;
	}
}

static void
example_hw_stats_clear(struct rte_eth_dev *dev)
{
	struct example_adapter *ad = dev->data->dev_private;

	example_hw_stats_update(dev);
	memset(ad->hw_stats, 0, sizeof(ad->hw_stats));
}

/* Reset the device and set it up, but for the rings (dev_start) */
static int
example_dev_init_hw(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);
	unsigned int i;
	int ret;

	ret = example_hw_reset(hw);
	if (ret != 0)
		return ret;
	example_write_reg(hw, EXAMPLE_CTRL_EXT,
			  example_read_reg(hw, EXAMPLE_CTRL_EXT) | EXAMPLE_CTRL_EXT_DRV_LOAD);

	example_read_mac_addr(hw, dev->device->name, dev->data->mac_addrs);
	example_write_mac_addr(hw, dev->data->mac_addrs);
	for (i = 0; i < EXAMPLE_MTA_LEN; i++)
		example_write_reg(hw, EXAMPLE_MTA + 4 * i, 0);
	/* Legacy RX descriptors: RFCTL.EXTEN = 0 here, RCTL.DTYP = 0 at start */
	example_write_reg(hw, EXAMPLE_RFCTL,
			  example_read_reg(hw, EXAMPLE_RFCTL) & ~EXAMPLE_RFCTL_EXTEN);
	example_hw_stats_clear(dev);
	return 0;
}

/* The device went away: its BARs are anonymous memory (see the bus) */
static int
example_is_removed(struct rte_eth_dev *dev)
{
	return RTE_DEV_TO_VFIO_DMABUF(dev->device)->removed;
}

/* Release the queues and leave the device reset, quiet and driverless */
static void
example_dev_uninit(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);
	uint16_t i;

	for (i = 0; i < dev->data->nb_rx_queues; i++) {
		example_rx_queue_release(dev, i);
		dev->data->rx_queues[i] = NULL;
	}
	for (i = 0; i < dev->data->nb_tx_queues; i++) {
		example_tx_queue_release(dev, i);
		dev->data->tx_queues[i] = NULL;
	}
	/* A device that went away has anonymous memory for BARs: leave it */
	if (example_is_removed(dev))
		return;
	example_hw_reset(hw);
	example_write_reg(hw, EXAMPLE_CTRL_EXT,
			  example_read_reg(hw, EXAMPLE_CTRL_EXT) & ~EXAMPLE_CTRL_EXT_DRV_LOAD);
}

/* RCTL for an MTU and the current filters, without EN */
static uint32_t
example_rctl(const struct rte_eth_dev *dev, uint16_t mtu)
{
	uint32_t rctl = EXAMPLE_RCTL_BAM | EXAMPLE_RCTL_SECRC | EXAMPLE_RCTL_BSIZE_2048;

	if (mtu + EXAMPLE_ETH_OVERHEAD > EXAMPLE_STD_MAX_FRAME_LEN)
		rctl |= EXAMPLE_RCTL_LPE;
	if (dev->data->promiscuous)
		rctl |= EXAMPLE_RCTL_UPE | EXAMPLE_RCTL_MPE;
	else if (dev->data->all_multicast)
		rctl |= EXAMPLE_RCTL_MPE;
	return rctl;
}

/* Frames of this MTU fit one RX buffer, or RX scatter is on */
static bool
example_mtu_fits_rx(const struct rte_eth_dev *dev, uint16_t mtu)
{
	return mtu + EXAMPLE_ETH_OVERHEAD <= EXAMPLE_RX_BUF_SIZE ||
	       (dev->data->dev_conf.rxmode.offloads & RTE_ETH_RX_OFFLOAD_SCATTER);
}

static int
example_link_update(struct rte_eth_dev *dev, int wait_to_complete)
{
	const struct example_hw *hw = example_hw(dev);
	struct rte_eth_link link;
	unsigned int waited_ms = 0;
	uint32_t status;

	for (;;) {
		status = example_read_reg(hw, EXAMPLE_STATUS);
		if ((status & EXAMPLE_STATUS_LU) || !wait_to_complete ||
		    waited_ms >= EXAMPLE_LINK_WAIT_MS)
			break;
		rte_delay_ms(EXAMPLE_LINK_POLL_MS);
		waited_ms += EXAMPLE_LINK_POLL_MS;
	}

	memset(&link, 0, sizeof(link));
	link.link_autoneg = RTE_ETH_LINK_AUTONEG;
	if (status & EXAMPLE_STATUS_LU) {
		link.link_status = RTE_ETH_LINK_UP;
		link.link_duplex = (status & EXAMPLE_STATUS_FD) ?
			RTE_ETH_LINK_FULL_DUPLEX : RTE_ETH_LINK_HALF_DUPLEX;
		switch ((status & EXAMPLE_STATUS_SPEED_MASK) >> EXAMPLE_STATUS_SPEED_SHIFT) {
		case EXAMPLE_STATUS_SPEED_10:
			link.link_speed = RTE_ETH_SPEED_NUM_10M;
			break;
		case EXAMPLE_STATUS_SPEED_100:
			link.link_speed = RTE_ETH_SPEED_NUM_100M;
			break;
		default:
			link.link_speed = RTE_ETH_SPEED_NUM_1G;
			break;
		}
	} else {
		link.link_status = RTE_ETH_LINK_DOWN;
		link.link_speed = RTE_ETH_SPEED_NUM_NONE;
	}
	return rte_eth_linkstatus_set(dev, &link);
}

static int
example_dev_configure(struct rte_eth_dev *dev)
{
	const struct rte_eth_conf *conf = &dev->data->dev_conf;

	if (dev->data->nb_rx_queues != 1 || dev->data->nb_tx_queues != 1) {
		EXAMPLE_LOG(ERR, "port %u: %u RX and %u TX queues: need one of each",
			    dev->data->port_id, dev->data->nb_rx_queues,
			    dev->data->nb_tx_queues);
		return -EINVAL;
	}
	if (conf->rxmode.offloads & ~EXAMPLE_RX_OFFLOADS) {
		EXAMPLE_LOG(ERR, "port %u: RX offloads 0x%" PRIx64 " not supported",
			    dev->data->port_id, conf->rxmode.offloads & ~EXAMPLE_RX_OFFLOADS);
		return -ENOTSUP;
	}
	if (conf->txmode.offloads & ~EXAMPLE_TX_OFFLOADS) {
		EXAMPLE_LOG(ERR, "port %u: TX offloads 0x%" PRIx64 " not supported",
			    dev->data->port_id, conf->txmode.offloads & ~EXAMPLE_TX_OFFLOADS);
		return -ENOTSUP;
	}
	return 0;
}

static int
example_dev_infos_get(struct rte_eth_dev *dev __rte_unused,
		      struct rte_eth_dev_info *dev_info)
{
	dev_info->max_rx_queues = 1;
	dev_info->max_tx_queues = 1;
	dev_info->max_mac_addrs = 1;
	dev_info->min_rx_bufsize = EXAMPLE_RX_BUF_SIZE;
	dev_info->max_rx_pktlen = EXAMPLE_MAX_FRAME_LEN;
	dev_info->min_mtu = RTE_ETHER_MIN_MTU;
	dev_info->max_mtu = EXAMPLE_MAX_MTU;
	dev_info->rx_offload_capa = EXAMPLE_RX_OFFLOADS;
	dev_info->tx_offload_capa = EXAMPLE_TX_OFFLOADS;
	dev_info->rx_desc_lim = (struct rte_eth_desc_lim){
		.nb_max = EXAMPLE_RING_DESC_MAX,
		.nb_min = EXAMPLE_RING_DESC_MIN,
		.nb_align = EXAMPLE_RING_DESC_ALIGN,
	};
	dev_info->tx_desc_lim = dev_info->rx_desc_lim;
	dev_info->default_rxportconf.ring_size = EXAMPLE_DEFAULT_RING_SIZE;
	dev_info->default_txportconf.ring_size = EXAMPLE_DEFAULT_RING_SIZE;
	dev_info->default_rxportconf.nb_queues = 1;
	dev_info->default_txportconf.nb_queues = 1;
	dev_info->speed_capa = RTE_ETH_LINK_SPEED_10M_HD | RTE_ETH_LINK_SPEED_10M |
			       RTE_ETH_LINK_SPEED_100M_HD | RTE_ETH_LINK_SPEED_100M |
			       RTE_ETH_LINK_SPEED_1G;
	return 0;
}

static int
example_dev_start(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);
	struct example_rx_queue *rxq = example_rxq(dev);
	struct example_tx_queue *txq = example_txq(dev);
	uint16_t mtu = dev->data->mtu;
	int ret;

	if (rxq == NULL || txq == NULL) {
		EXAMPLE_LOG(ERR, "port %u: set up the RX and the TX queue first",
			    dev->data->port_id);
		return -EINVAL;
	}
	if (!example_mtu_fits_rx(dev, mtu)) {
		EXAMPLE_LOG(ERR, "port %u: MTU %u needs RX scatter (%u-byte buffers)",
			    dev->data->port_id, mtu, EXAMPLE_RX_BUF_SIZE);
		return -EINVAL;
	}
	dev->data->scattered_rx = mtu + EXAMPLE_ETH_OVERHEAD > EXAMPLE_RX_BUF_SIZE;

	example_tx_ring_start(dev, txq);
	ret = example_rx_ring_start(dev, rxq);
	if (ret != 0)
		return ret;

	/*
	 * The TX ring registers went through the WC page.  The sfence drains
	 * the WC buffers; the read of an NC register then completes only once
	 * the device has the posted writes before it, so they are all in
	 * place before TCTL.EN.
	 */
	rte_wmb();
	(void)example_read_reg(hw, EXAMPLE_STATUS);

	example_write_reg(hw, EXAMPLE_TIPG, EXAMPLE_TIPG_DEFAULT);
	example_write_reg(hw, EXAMPLE_TCTL, EXAMPLE_TCTL_EN | EXAMPLE_TCTL_PSP |
			  EXAMPLE_TCTL_CT(0x0f) | EXAMPLE_TCTL_COLD(0x3f));
	example_write_reg(hw, EXAMPLE_RCTL, example_rctl(dev, mtu) | EXAMPLE_RCTL_EN);

	dev->data->rx_queue_state[0] = RTE_ETH_QUEUE_STATE_STARTED;
	dev->data->tx_queue_state[0] = RTE_ETH_QUEUE_STATE_STARTED;
	return 0;
}

static int
example_dev_stop(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);
	struct example_rx_queue *rxq = example_rxq(dev);
	struct example_tx_queue *txq = example_txq(dev);
	struct rte_eth_link link;

	example_write_reg(hw, EXAMPLE_RCTL,
			  example_read_reg(hw, EXAMPLE_RCTL) & ~EXAMPLE_RCTL_EN);
	example_write_reg(hw, EXAMPLE_TCTL,
			  example_read_reg(hw, EXAMPLE_TCTL) & ~EXAMPLE_TCTL_EN);
	/* The buffers go back to their pools: let the DMA in flight end */
	rte_delay_ms(EXAMPLE_DMA_STOP_MS);

	if (rxq != NULL) {
		example_rx_ring_stop(rxq);
		dev->data->rx_queue_state[0] = RTE_ETH_QUEUE_STATE_STOPPED;
	}
	if (txq != NULL) {
		example_tx_ring_stop(txq);
		dev->data->tx_queue_state[0] = RTE_ETH_QUEUE_STATE_STOPPED;
	}

	memset(&link, 0, sizeof(link));
	rte_eth_linkstatus_set(dev, &link);
	return 0;
}

/*
 * The bus reports a device that went away (removed by the kernel, or its
 * BARs revoked) with a device event, which becomes the port's
 * RTE_ETH_EVENT_INTR_RMV.  An application may detach the port from that
 * event, closing the port while this callback runs, and EAL cannot
 * unregister a callback that is running.  So there is one callback, for
 * every device, registered once and never unregistered: it finds the port
 * by the device's name, and only if the port is one of this driver's.
 */
static const struct eth_dev_ops example_eth_dev_ops;

static void
example_dev_event(const char *device_name, enum rte_dev_event_type type,
		  void *arg __rte_unused)
{
	uint16_t port_id;

	if (type == RTE_DEV_EVENT_REMOVE &&
	    rte_eth_dev_get_port_by_name(device_name, &port_id) == 0 &&
	    rte_eth_devices[port_id].dev_ops == &example_eth_dev_ops)
		rte_eth_dev_callback_process(&rte_eth_devices[port_id],
					     RTE_ETH_EVENT_INTR_RMV, NULL);
}

static int
example_watch_dev_events(void)
{
	static bool watching;
	int ret;

	if (watching)
		return 0;
	ret = rte_dev_event_callback_register(NULL, example_dev_event, NULL);
	watching = ret == 0;
	return ret;
}

static int
example_dev_close(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() == RTE_PROC_PRIMARY) {
		if (dev->data->dev_started) {
			example_dev_stop(dev);
			dev->data->dev_started = 0;
		}
		example_dev_uninit(dev);
	}
	/* The mapping of this process; mac_addrs is freed by ethdev */
	rte_free(dev->process_private);
	dev->process_private = NULL;
	return 0;
}

static int
example_dev_reset(struct rte_eth_dev *dev)
{
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -EPERM;
	/* ethdev reports -EIO for a removed device */
	if (example_is_removed(dev))
		return -ENODEV;
	example_dev_uninit(dev);
	return example_dev_init_hw(dev);
}

static int
example_promiscuous_enable(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);

	example_write_reg(hw, EXAMPLE_RCTL, example_read_reg(hw, EXAMPLE_RCTL) |
			  EXAMPLE_RCTL_UPE | EXAMPLE_RCTL_MPE);
	return 0;
}

static int
example_promiscuous_disable(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);
	uint32_t rctl = example_read_reg(hw, EXAMPLE_RCTL) & ~EXAMPLE_RCTL_UPE;

	if (!dev->data->all_multicast)
		rctl &= ~EXAMPLE_RCTL_MPE;
	example_write_reg(hw, EXAMPLE_RCTL, rctl);
	return 0;
}

static int
example_allmulticast_enable(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);

	example_write_reg(hw, EXAMPLE_RCTL,
			  example_read_reg(hw, EXAMPLE_RCTL) | EXAMPLE_RCTL_MPE);
	return 0;
}

static int
example_allmulticast_disable(struct rte_eth_dev *dev)
{
	const struct example_hw *hw = example_hw(dev);

	/* Promiscuous mode keeps multicast promiscuous too */
	if (dev->data->promiscuous)
		return 0;
	example_write_reg(hw, EXAMPLE_RCTL,
			  example_read_reg(hw, EXAMPLE_RCTL) & ~EXAMPLE_RCTL_MPE);
	return 0;
}

static int
example_mac_addr_set(struct rte_eth_dev *dev, struct rte_ether_addr *addr)
{
	example_write_mac_addr(example_hw(dev), addr);
	return 0;
}

static int
example_mtu_set(struct rte_eth_dev *dev, uint16_t mtu)
{
	const struct example_hw *hw = example_hw(dev);
	uint32_t rctl;

	if (mtu < RTE_ETHER_MIN_MTU || mtu > EXAMPLE_MAX_MTU) {
		EXAMPLE_LOG(ERR, "port %u: MTU %u out of [%u, %u]", dev->data->port_id,
			    mtu, RTE_ETHER_MIN_MTU, EXAMPLE_MAX_MTU);
		return -EINVAL;
	}
	if (dev->data->dev_started && !example_mtu_fits_rx(dev, mtu)) {
		EXAMPLE_LOG(ERR, "port %u: MTU %u needs RX scatter (%u-byte buffers)",
			    dev->data->port_id, mtu, EXAMPLE_RX_BUF_SIZE);
		return -EINVAL;
	}

	rctl = example_read_reg(hw, EXAMPLE_RCTL) & ~EXAMPLE_RCTL_LPE;
	rctl |= example_rctl(dev, mtu) & EXAMPLE_RCTL_LPE;
	example_write_reg(hw, EXAMPLE_RCTL, rctl);
	if (dev->data->dev_started)
		dev->data->scattered_rx = mtu + EXAMPLE_ETH_OVERHEAD > EXAMPLE_RX_BUF_SIZE;
	return 0;
}

static int
example_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *stats)
{
	const struct example_adapter *ad = dev->data->dev_private;
	const struct example_rx_queue *rxq = example_rxq(dev);
	const struct example_tx_queue *txq = example_txq(dev);
	const uint64_t *hw_stats = ad->hw_stats;

	example_hw_stats_update(dev);
	stats->ipackets = hw_stats[EXAMPLE_HW_GPRC];
	stats->opackets = hw_stats[EXAMPLE_HW_GPTC];
	stats->ibytes = hw_stats[EXAMPLE_HW_GORC];
	stats->obytes = hw_stats[EXAMPLE_HW_GOTC];
	stats->imissed = hw_stats[EXAMPLE_HW_MPC];
	stats->ierrors = hw_stats[EXAMPLE_HW_CRCERRS] + hw_stats[EXAMPLE_HW_RXERRC];
	if (rxq != NULL) {
		stats->q_ipackets[0] = rxq->packets;
		stats->q_ibytes[0] = rxq->bytes;
		stats->q_errors[0] = rxq->errors;
	}
	if (txq != NULL) {
		stats->q_opackets[0] = txq->packets;
		stats->q_obytes[0] = txq->bytes;
		stats->oerrors = txq->errors;
	}
	return 0;
}

static int
example_stats_reset(struct rte_eth_dev *dev)
{
	struct example_rx_queue *rxq = example_rxq(dev);
	struct example_tx_queue *txq = example_txq(dev);

	example_hw_stats_clear(dev);
	if (rxq != NULL) {
		rxq->packets = 0;
		rxq->bytes = 0;
		rxq->errors = 0;
		rxq->doorbells = 0;
	}
	if (txq != NULL) {
		txq->packets = 0;
		txq->bytes = 0;
		txq->errors = 0;
		txq->doorbells = 0;
	}
	return 0;
}

static int
example_xstats_get_names(struct rte_eth_dev *dev __rte_unused,
			 struct rte_eth_xstat_name *names, unsigned int size)
{
	unsigned int i, n = 0;

	if (names == NULL || size < EXAMPLE_NB_XSTATS)
		return EXAMPLE_NB_XSTATS;
	for (i = 0; i < EXAMPLE_HW_STATS_NB; i++)
		strlcpy(names[n++].name, example_hw_counters[i].name,
			sizeof(names[0].name));
	for (i = 0; i < EXAMPLE_SW_XSTATS_NB; i++)
		strlcpy(names[n++].name, example_sw_xstat_names[i],
			sizeof(names[0].name));
	return n;
}

/*
 * The TX doorbell page as this process mapped it.  Its memory type is
 * read back from this process's own page table once a doorbell has gone
 * through it (a page never written has no entry to read, and until then
 * the bus's answer from the kernel's PAT list stands); read once, as a
 * page-table dump is costly and the answer does not change.
 */
static const struct rte_vfio_dmabuf_range *
example_doorbell_range(const struct rte_eth_dev *dev)
{
	struct rte_vfio_dmabuf_device *vdev = RTE_DEV_TO_VFIO_DMABUF(dev->device);
	const struct rte_vfio_dmabuf_range *r;

	r = rte_vfio_dmabuf_range_at(vdev, 0, EXAMPLE_TDT);
	if (r != NULL && r->verified_by != RTE_VFIO_DMABUF_VERIFIED_BY_PTE)
		rte_vfio_dmabuf_verify(vdev);
	return r;
}

static int
example_xstats_get(struct rte_eth_dev *dev, struct rte_eth_xstat *xstats,
		   unsigned int size)
{
	const struct example_adapter *ad = dev->data->dev_private;
	const struct example_rx_queue *rxq = example_rxq(dev);
	const struct example_tx_queue *txq = example_txq(dev);
	const struct rte_vfio_dmabuf_range *doorbell;
	uint64_t sw[EXAMPLE_SW_XSTATS_NB] = { 0 };
	unsigned int i, n = 0;

	if (xstats == NULL || size < EXAMPLE_NB_XSTATS)
		return EXAMPLE_NB_XSTATS;

	example_hw_stats_update(dev);
	for (i = 0; i < EXAMPLE_HW_STATS_NB; i++) {
		xstats[n].id = n;
		xstats[n++].value = ad->hw_stats[i];
	}

	doorbell = example_doorbell_range(dev);
	if (doorbell != NULL) {
		sw[EXAMPLE_SW_DOORBELL_WC] = doorbell->obtained == RTE_VFIO_DMABUF_ATTR_WC;
		sw[EXAMPLE_SW_DOORBELL_WC_VERIFIED] =
			doorbell->verified == RTE_VFIO_DMABUF_MEMTYPE_WC;
		sw[EXAMPLE_SW_DOORBELL_VERIFIED_BY_PTE] =
			doorbell->verified_by == RTE_VFIO_DMABUF_VERIFIED_BY_PTE;
	}
	if (rxq != NULL)
		sw[EXAMPLE_SW_RX_DOORBELLS] = rxq->doorbells;
	if (txq != NULL) {
		sw[EXAMPLE_SW_TX_DOORBELLS] = txq->doorbells;
		if (txq->doorbells != 0)
			sw[EXAMPLE_SW_TX_PKTS_PER_DOORBELL] =
				txq->packets * 1000 / txq->doorbells;
	}
	for (i = 0; i < EXAMPLE_SW_XSTATS_NB; i++) {
		xstats[n].id = n;
		xstats[n++].value = sw[i];
	}
	return n;
}

static const struct eth_dev_ops example_eth_dev_ops = {
	.dev_configure = example_dev_configure,
	.dev_infos_get = example_dev_infos_get,
	.dev_start = example_dev_start,
	.dev_stop = example_dev_stop,
	.dev_close = example_dev_close,
	.dev_reset = example_dev_reset,
	.is_removed = example_is_removed,
	.link_update = example_link_update,
	.promiscuous_enable = example_promiscuous_enable,
	.promiscuous_disable = example_promiscuous_disable,
	.allmulticast_enable = example_allmulticast_enable,
	.allmulticast_disable = example_allmulticast_disable,
	.mac_addr_set = example_mac_addr_set,
	.mtu_set = example_mtu_set,
	.stats_get = example_stats_get,
	.stats_reset = example_stats_reset,
	.xstats_get = example_xstats_get,
	.xstats_get_names = example_xstats_get_names,
	.xstats_reset = example_stats_reset,
	.rx_queue_setup = example_rx_queue_setup,
	.rx_queue_release = example_rx_queue_release,
	.tx_queue_setup = example_tx_queue_setup,
	.tx_queue_release = example_tx_queue_release,
};

static void
example_set_fast_path(struct rte_eth_dev *eth_dev)
{
	eth_dev->rx_pkt_burst = example_recv_pkts;
	eth_dev->tx_pkt_burst = example_xmit_pkts;
}

/* A secondary process: the primary's port, with this process's BAR mapping */
static int
example_probe_secondary(struct rte_vfio_dmabuf_device *dev, struct example_hw *hw)
{
	struct rte_eth_dev *eth_dev;

	eth_dev = rte_eth_dev_attach_secondary(dev->name);
	if (eth_dev == NULL) {
		EXAMPLE_LOG(ERR, "%s: cannot attach to the primary's port", dev->name);
		return -ENODEV;
	}
	eth_dev->dev_ops = &example_eth_dev_ops;
	eth_dev->device = &dev->device;
	eth_dev->process_private = hw;
	example_set_fast_path(eth_dev);
	example_watch_dev_events();
	rte_eth_dev_probing_finish(eth_dev);
	return 0;
}

/* The primary process: a new port, the device reset and set up */
static int
example_probe_primary(struct rte_vfio_dmabuf_device *dev, struct example_hw *hw)
{
	int numa = dev->device.numa_node;
	struct example_adapter *ad;
	struct rte_eth_dev *eth_dev;
	int ret;

	eth_dev = rte_eth_dev_allocate(dev->name);
	if (eth_dev == NULL) {
		EXAMPLE_LOG(ERR, "%s: cannot allocate a port", dev->name);
		return -ENOMEM;
	}
	eth_dev->process_private = hw;
	eth_dev->device = &dev->device;
	eth_dev->dev_ops = &example_eth_dev_ops;
	eth_dev->data->numa_node = numa;
	eth_dev->data->dev_flags |= RTE_ETH_DEV_AUTOFILL_QUEUE_XSTATS |
				    RTE_ETH_DEV_INTR_RMV;
	ad = rte_zmalloc_socket(dev->name, sizeof(*ad), RTE_CACHE_LINE_SIZE, numa);
	eth_dev->data->dev_private = ad;
	eth_dev->data->mac_addrs = rte_zmalloc_socket(dev->name, RTE_ETHER_ADDR_LEN,
						      0, numa);
	ret = ad == NULL || eth_dev->data->mac_addrs == NULL ? -ENOMEM : 0;
	if (ret == 0)
		ret = example_dev_init_hw(eth_dev);
	if (ret == 0)
		ret = example_watch_dev_events();
	if (ret != 0) {
		eth_dev->process_private = NULL;
		/* Frees dev_private and mac_addrs */
		rte_eth_dev_release_port(eth_dev);
		return ret;
	}
	example_set_fast_path(eth_dev);
	EXAMPLE_LOG(INFO, "%s: port %u, MAC " RTE_ETHER_ADDR_PRT_FMT, dev->name,
		    eth_dev->data->port_id,
		    RTE_ETHER_ADDR_BYTES(eth_dev->data->mac_addrs));
	rte_eth_dev_probing_finish(eth_dev);
	return 0;
}

static int
example_probe(struct rte_vfio_dmabuf_driver *drv __rte_unused,
	      struct rte_vfio_dmabuf_device *dev)
{
	struct example_hw *hw;
	int attr, ret;

	if (dev->bars[0].addr == NULL || dev->bars[0].len < EXAMPLE_BAR0_LEN) {
		EXAMPLE_LOG(ERR, "%s: BAR0 is not mapped, or smaller than 128 KiB",
			    dev->name);
		return -ENODEV;
	}
	attr = rte_vfio_dmabuf_attr_at(dev, 0, EXAMPLE_TDT);
	if (attr < 0) {
		EXAMPLE_LOG(ERR, "%s: the TX doorbell page is not mapped", dev->name);
		return -ENODEV;
	}
	EXAMPLE_LOG(INFO, "%s: TX doorbell page %s, BAR0 mapped by %s", dev->name,
		    rte_vfio_dmabuf_attr_name(attr),
		    rte_vfio_dmabuf_method_name(dev->method));

	hw = rte_zmalloc_socket("example_hw", sizeof(*hw), 0, dev->device.numa_node);
	if (hw == NULL)
		return -ENOMEM;
	hw->bar0 = dev->bars[0].addr;
	if (rte_eal_process_type() == RTE_PROC_PRIMARY)
		ret = example_probe_primary(dev, hw);
	else
		ret = example_probe_secondary(dev, hw);
	if (ret != 0) {
		EXAMPLE_LOG(ERR, "%s: probe failed: %s", dev->name, strerror(-ret));
		rte_free(hw);
	}
	return ret;
}

static int
example_remove(struct rte_vfio_dmabuf_device *dev)
{
	struct rte_eth_dev *eth_dev;

	eth_dev = rte_eth_dev_allocated(dev->device.name);
	if (eth_dev == NULL)
		return 0; /* already closed */
	example_dev_close(eth_dev);
	rte_eth_dev_release_port(eth_dev);
	return 0;
}

static struct rte_vfio_dmabuf_driver rte_example_pmd = {
	.id_table = example_pci_ids,
	.probe = example_probe,
	.remove = example_remove,
	.bar_mask = RTE_BIT32(0),
	.doorbells = example_doorbells,
	.nb_doorbells = RTE_DIM(example_doorbells),
};

RTE_PMD_REGISTER_VFIO_DMABUF(net_example, rte_example_pmd);
RTE_PMD_REGISTER_KMOD_DEP(net_example, "vfio-pci | vfio-dmabuf-pci");
