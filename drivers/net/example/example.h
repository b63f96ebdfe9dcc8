/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef EXAMPLE_H
#define EXAMPLE_H

#include <stdbool.h>
#include <stdint.h>

#include <ethdev_driver.h>
#include <rte_byteorder.h>
#include <rte_debug.h>
#include <rte_io.h>
#include <rte_log.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "example_regs.h"

extern int example_logtype;

#define EXAMPLE_LOG(level, fmt, args...) \
	rte_log(RTE_LOG_ ## level, example_logtype, \
		"%s(): " fmt "\n", __func__, ##args)

/*
 * The device reports a sent packet (writes DD back) only where asked to,
 * by RS: once per this many descriptors, so that it writes one status
 * per group rather than one per packet.  Likewise RX descriptors go back
 * to the device (RDT) once this many are refilled, not on every burst.
 * A small ring uses a quarter of its size instead.
 */
#define EXAMPLE_TX_RS_THRESH	32
#define EXAMPLE_RX_FREE_THRESH	32

/*
 * The device as this process sees it (eth_dev->process_private).  Every
 * process maps BAR0 at its own address, so the mapping cannot live in
 * dev_private or in the queues, which all processes share.
 */
struct example_hw {
	uint8_t *bar0;
};

/* The hardware counters, accumulated into 64-bit totals */
enum example_hw_stat {
	EXAMPLE_HW_CRCERRS,
	EXAMPLE_HW_RXERRC,
	EXAMPLE_HW_MPC,
	EXAMPLE_HW_GPRC,
	EXAMPLE_HW_BPRC,
	EXAMPLE_HW_MPRC,
	EXAMPLE_HW_GPTC,
	EXAMPLE_HW_GORC,
	EXAMPLE_HW_GOTC,
	EXAMPLE_HW_RNBC,
	EXAMPLE_HW_RUC,
	EXAMPLE_HW_ROC,
	EXAMPLE_HW_TPR,
	EXAMPLE_HW_TPT,
	EXAMPLE_HW_STATS_NB
};

/* The device, shared by all processes (dev_private) */
struct example_adapter {
	uint64_t hw_stats[EXAMPLE_HW_STATS_NB];
};

struct example_rx_queue {
	volatile struct example_rx_desc *ring;
	struct rte_mbuf **sw_ring;	/* the mbuf behind each descriptor */
	const struct rte_memzone *mz;	/* the ring's memory */
	struct rte_mempool *mb_pool;
	/* A packet whose last descriptor the device has not written yet */
	struct rte_mbuf *pkt_first;
	struct rte_mbuf *pkt_last;
	uint16_t nb_desc;
	uint16_t next;			/* next descriptor to look at */
	uint16_t nb_hold;		/* refilled, not yet handed back by RDT */
	uint16_t free_thresh;		/* nb_hold that rings the RX doorbell */
	uint16_t port_id;
	uint16_t queue_id;
	/* Software counters */
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;		/* frames the device flagged bad */
	uint64_t doorbells;		/* RDT writes */
};

struct example_tx_entry {
	struct rte_mbuf *mbuf;		/* the segment in this descriptor */
	uint16_t rs_last;		/* first of a group: its RS descriptor */
};

struct example_tx_queue {
	volatile struct example_tx_desc *ring;
	struct example_tx_entry *sw_ring;
	const struct rte_memzone *mz;
	uint16_t nb_desc;
	uint16_t tail;			/* next descriptor to fill: TDT */
	uint16_t next_clean;		/* oldest descriptor not yet reclaimed */
	uint16_t nb_free;		/* descriptors we may fill */
	uint16_t open_group;		/* first descriptor not yet under an RS */
	uint16_t nb_unreported;		/* descriptors since the last RS */
	uint16_t rs_thresh;		/* nb_unreported that sets RS */
	uint16_t port_id;
	uint16_t queue_id;
	/* Software counters */
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;		/* packets dropped: the device cannot send them */
	uint64_t doorbells;		/* TDT writes */
};

static inline struct example_hw *
example_hw(const struct rte_eth_dev *dev)
{
	return dev->process_private;
}

/* From the fast path, where only the (shared) queue is at hand */
static inline struct example_hw *
example_hw_of_port(uint16_t port_id)
{
	return rte_eth_devices[port_id].process_private;
}

/*
 * Register access.  BAR0 is one mapping, uncached except the TX page
 * [0x3000, 0x4000), which is write-combining when the kernel allows it:
 *  - example_read_reg(), example_write_reg(): any register outside it;
 *  - example_write_tx_page(): the TX queue's configuration, at start;
 *  - example_ring_tx_doorbell() (example_tx.c): TDT, once per burst.
 * Nothing in the TX page is ever read, since reads of WC memory may be
 * speculative: TX completion comes from DD bits, never from TDH.
 */
static inline bool
example_reg_in_tx_page(uint32_t reg)
{
	return reg >= EXAMPLE_TX_PAGE && reg < EXAMPLE_TX_PAGE + EXAMPLE_TX_PAGE_LEN;
}

static inline uint32_t
example_read_reg(const struct example_hw *hw, uint32_t reg)
{
	RTE_ASSERT(!example_reg_in_tx_page(reg));
	return rte_le_to_cpu_32(rte_read32(hw->bar0 + reg));
}

static inline void
example_write_reg(const struct example_hw *hw, uint32_t reg, uint32_t val)
{
	RTE_ASSERT(!example_reg_in_tx_page(reg));
	rte_write32(rte_cpu_to_le_32(val), hw->bar0 + reg);
}

static inline void
example_write_tx_page(const struct example_hw *hw, uint32_t reg, uint32_t val)
{
	RTE_ASSERT(example_reg_in_tx_page(reg));
	rte_write32_wc_relaxed(rte_cpu_to_le_32(val), hw->bar0 + reg);
	/*
	 * Drain the WC buffer after each write, so that the registers are
	 * written one by one, in order, and never merged into a wider write.
	 */
	rte_wmb();
}

/* example_rings.c */
int example_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id,
			   uint16_t nb_desc, unsigned int socket_id,
			   const struct rte_eth_rxconf *rx_conf,
			   struct rte_mempool *mb_pool);
int example_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id,
			   uint16_t nb_desc, unsigned int socket_id,
			   const struct rte_eth_txconf *tx_conf);
void example_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);
void example_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id);
int example_rx_ring_start(struct rte_eth_dev *dev, struct example_rx_queue *rxq);
void example_tx_ring_start(struct rte_eth_dev *dev, struct example_tx_queue *txq);
void example_rx_ring_stop(struct example_rx_queue *rxq);
void example_tx_ring_stop(struct example_tx_queue *txq);

/* example_rx.c */
uint16_t example_recv_pkts(void *rx_queue, struct rte_mbuf **rx_pkts,
			   uint16_t nb_pkts);

/* example_tx.c */
uint16_t example_xmit_pkts(void *tx_queue, struct rte_mbuf **tx_pkts,
			   uint16_t nb_pkts);

#endif /* EXAMPLE_H */
