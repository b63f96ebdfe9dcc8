/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The queues: setup and release, the ring memory, programming the ring
 * registers at dev_start, and giving back the mbufs of the rings at dev_stop.
 */

#include <errno.h>
#include <string.h>

#include <ethdev_driver.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memzone.h>

#include "example.h"

/* What an RX or a TX ring is made of */
struct example_ring_kind {
	const char *dir;	/* "RX", "TX" */
	const char *zone;	/* its memzone, per port and queue */
	size_t desc_size;	/* a descriptor, in the memzone */
	size_t entry_size;	/* the software state of a descriptor */
};

static const struct example_ring_kind example_rx_ring = {
	"RX", "rx_ring", sizeof(struct example_rx_desc), sizeof(struct rte_mbuf *),
};
static const struct example_ring_kind example_tx_ring = {
	"TX", "tx_ring", sizeof(struct example_tx_desc), sizeof(struct example_tx_entry),
};

/*
 * What RX and TX queue setup share: the checks of the ring's size and
 * start mode, and its memory (descriptors, and their software state).
 */
static int
example_ring_alloc(struct rte_eth_dev *dev, const struct example_ring_kind *kind,
		   uint16_t queue_id, uint16_t nb_desc, bool deferred_start,
		   unsigned int socket_id, void **sw_ring,
		   const struct rte_memzone **mz)
{
	*sw_ring = NULL;
	*mz = NULL;
	if (nb_desc < EXAMPLE_RING_DESC_MIN || nb_desc > EXAMPLE_RING_DESC_MAX ||
	    nb_desc % EXAMPLE_RING_DESC_ALIGN != 0) {
		EXAMPLE_LOG(ERR, "%s ring of %u descriptors: need a multiple of %u from %u to %u",
			    kind->dir, nb_desc, EXAMPLE_RING_DESC_ALIGN,
			    EXAMPLE_RING_DESC_MIN, EXAMPLE_RING_DESC_MAX);
		return -EINVAL;
	}
	if (deferred_start) {
		EXAMPLE_LOG(ERR, "port %u: deferred %s queue start is not supported",
			    dev->data->port_id, kind->dir);
		return -EINVAL;
	}
	*sw_ring = rte_zmalloc_socket("example_sw_ring", nb_desc * kind->entry_size,
				      RTE_CACHE_LINE_SIZE, socket_id);
	*mz = rte_eth_dma_zone_reserve(dev, kind->zone, queue_id, nb_desc * kind->desc_size,
				       EXAMPLE_RING_BASE_ALIGN, socket_id);
	if (*sw_ring == NULL || *mz == NULL) {
		EXAMPLE_LOG(ERR, "port %u: no memory for a %s ring of %u",
			    dev->data->port_id, kind->dir, nb_desc);
		return -ENOMEM;
	}
	return 0;
}

static void
example_ring_free(void *sw_ring, const struct rte_memzone *mz)
{
	if (mz != NULL)
		rte_memzone_free(mz);
	rte_free(sw_ring);
}

int
example_rx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id,
		       uint16_t nb_desc, unsigned int socket_id,
		       const struct rte_eth_rxconf *rx_conf,
		       struct rte_mempool *mb_pool)
{
	struct example_rx_queue *rxq;
	void *sw_ring;
	int ret;

	/* The device fills every buffer up to RCTL.BSIZE, whatever the mbuf */
	if (rte_pktmbuf_data_room_size(mb_pool) <
	    RTE_PKTMBUF_HEADROOM + EXAMPLE_RX_BUF_SIZE) {
		EXAMPLE_LOG(ERR, "port %u: pool %s: mbufs need %u bytes after the headroom",
			    dev->data->port_id, mb_pool->name, EXAMPLE_RX_BUF_SIZE);
		return -EINVAL;
	}
	rxq = rte_zmalloc_socket("example_rxq", sizeof(*rxq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (rxq == NULL)
		return -ENOMEM;
	ret = example_ring_alloc(dev, &example_rx_ring, queue_id, nb_desc,
				 rx_conf->rx_deferred_start, socket_id,
				 &sw_ring, &rxq->mz);
	rxq->sw_ring = sw_ring;
	if (ret != 0) {
		example_ring_free(sw_ring, rxq->mz);
		rte_free(rxq);
		return ret;
	}

	rxq->ring = rxq->mz->addr;
	rxq->mb_pool = mb_pool;
	rxq->nb_desc = nb_desc;
	rxq->free_thresh = RTE_MIN(EXAMPLE_RX_FREE_THRESH, nb_desc / 4);
	rxq->port_id = dev->data->port_id;
	rxq->queue_id = queue_id;
	dev->data->rx_queues[queue_id] = rxq;
	return 0;
}

void
example_rx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct example_rx_queue *rxq = dev->data->rx_queues[queue_id];

	if (rxq == NULL)
		return;
	example_rx_ring_stop(rxq);
	example_ring_free(rxq->sw_ring, rxq->mz);
	rte_free(rxq);
}

int
example_tx_queue_setup(struct rte_eth_dev *dev, uint16_t queue_id,
		       uint16_t nb_desc, unsigned int socket_id,
		       const struct rte_eth_txconf *tx_conf)
{
	struct example_tx_queue *txq;
	void *sw_ring;
	int ret;

	txq = rte_zmalloc_socket("example_txq", sizeof(*txq),
				 RTE_CACHE_LINE_SIZE, socket_id);
	if (txq == NULL)
		return -ENOMEM;
	ret = example_ring_alloc(dev, &example_tx_ring, queue_id, nb_desc,
				 tx_conf->tx_deferred_start, socket_id,
				 &sw_ring, &txq->mz);
	txq->sw_ring = sw_ring;
	if (ret != 0) {
		example_ring_free(sw_ring, txq->mz);
		rte_free(txq);
		return ret;
	}

	txq->ring = txq->mz->addr;
	txq->nb_desc = nb_desc;
	txq->rs_thresh = RTE_MIN(EXAMPLE_TX_RS_THRESH, nb_desc / 4);
	txq->port_id = dev->data->port_id;
	txq->queue_id = queue_id;
	dev->data->tx_queues[queue_id] = txq;
	return 0;
}

void
example_tx_queue_release(struct rte_eth_dev *dev, uint16_t queue_id)
{
	struct example_tx_queue *txq = dev->data->tx_queues[queue_id];

	if (txq == NULL)
		return;
	example_tx_ring_stop(txq);
	example_ring_free(txq->sw_ring, txq->mz);
	rte_free(txq);
}

/* Fill the RX ring with mbufs and program queue 0; RCTL.EN is for later */
int
example_rx_ring_start(struct rte_eth_dev *dev, struct example_rx_queue *rxq)
{
	struct example_hw *hw = example_hw(dev);
	uint64_t iova = rxq->mz->iova;
	struct rte_mbuf *m;
	uint16_t i;

	memset(rxq->mz->addr, 0, rxq->nb_desc * sizeof(struct example_rx_desc));
	for (i = 0; i < rxq->nb_desc; i++) {
		m = rte_mbuf_raw_alloc(rxq->mb_pool);
		if (m == NULL) {
			EXAMPLE_LOG(ERR, "port %u: mbufs ran out after %u of the %u of the RX ring",
				    rxq->port_id, i, rxq->nb_desc);
			example_rx_ring_stop(rxq);
			return -ENOMEM;
		}
		rxq->sw_ring[i] = m;
		rxq->ring[i].buffer_addr =
			rte_cpu_to_le_64(rte_mbuf_data_iova_default(m));
	}
	rxq->next = 0;
	rxq->nb_hold = 0;
	rxq->pkt_first = NULL;
	rxq->pkt_last = NULL;

	example_write_reg(hw, EXAMPLE_RDBAL, (uint32_t)iova);
	example_write_reg(hw, EXAMPLE_RDBAH, (uint32_t)(iova >> 32));
	example_write_reg(hw, EXAMPLE_RDLEN,
			  rxq->nb_desc * sizeof(struct example_rx_desc));
	example_write_reg(hw, EXAMPLE_RDH, 0);
	example_write_reg(hw, EXAMPLE_RXDCTL,
			  EXAMPLE_XDCTL_GRAN | EXAMPLE_XDCTL_WTHRESH(1));
	/*
	 * The device owns the descriptors from RDH up to RDT - 1, and
	 * RDH == RDT means it owns none: give it all but one.
	 */
	example_write_reg(hw, EXAMPLE_RDT, rxq->nb_desc - 1);
	return 0;
}

/*
 * Program TX queue 0.  Its registers are in the doorbell page, which may be
 * WC: they are only written, each write drained on its own, and dev_start
 * makes sure they reached the device before it sets TCTL.EN.
 */
void
example_tx_ring_start(struct rte_eth_dev *dev, struct example_tx_queue *txq)
{
	struct example_hw *hw = example_hw(dev);
	uint64_t iova = txq->mz->iova;
	uint16_t i;

	memset(txq->mz->addr, 0, txq->nb_desc * sizeof(struct example_tx_desc));
	for (i = 0; i < txq->nb_desc; i++)
		txq->sw_ring[i].mbuf = NULL;
	txq->tail = 0;
	txq->next_clean = 0;
	txq->open_group = 0;
	txq->nb_unreported = 0;
	/* TDT may never catch up with TDH: that would mean an empty ring */
	txq->nb_free = txq->nb_desc - 1;

	example_write_tx_page(hw, EXAMPLE_TDBAL, (uint32_t)iova);
	example_write_tx_page(hw, EXAMPLE_TDBAH, (uint32_t)(iova >> 32));
	example_write_tx_page(hw, EXAMPLE_TDLEN,
			      txq->nb_desc * sizeof(struct example_tx_desc));
	example_write_tx_page(hw, EXAMPLE_TDH, 0);
	example_write_tx_page(hw, EXAMPLE_TDT, 0);
	example_write_tx_page(hw, EXAMPLE_TXDCTL,
			      EXAMPLE_XDCTL_GRAN | EXAMPLE_TXDCTL_COUNT_DESC |
			      EXAMPLE_XDCTL_WTHRESH(1));
}

/* Give back the mbufs of a stopped RX queue */
void
example_rx_ring_stop(struct example_rx_queue *rxq)
{
	uint16_t i;

	for (i = 0; i < rxq->nb_desc; i++) {
		if (rxq->sw_ring[i] != NULL) {
			rte_pktmbuf_free_seg(rxq->sw_ring[i]);
			rxq->sw_ring[i] = NULL;
		}
	}
	rte_pktmbuf_free(rxq->pkt_first);
	rxq->pkt_first = NULL;
	rxq->pkt_last = NULL;
	rxq->next = 0;
}

/* Give back the mbufs of a stopped TX queue, sent or not */
void
example_tx_ring_stop(struct example_tx_queue *txq)
{
	uint16_t i;

	for (i = 0; i < txq->nb_desc; i++) {
		if (txq->sw_ring[i].mbuf != NULL) {
			rte_pktmbuf_free_seg(txq->sw_ring[i].mbuf);
			txq->sw_ring[i].mbuf = NULL;
		}
	}
	txq->tail = 0;
	txq->next_clean = 0;
	txq->open_group = 0;
	txq->nb_unreported = 0;
	txq->nb_free = txq->nb_desc - 1;
}
