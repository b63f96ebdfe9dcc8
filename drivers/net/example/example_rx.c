/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The RX burst.  The device writes each frame into one or more 2 KiB
 * buffers of consecutive descriptors, sets DD on each and EOP on the last;
 * every descriptor taken gets a fresh mbuf, and once free_thresh of them
 * are refilled RDT tells the device how far the ring is full again.
 */

#include <ethdev_driver.h>
#include <rte_io.h>
#include <rte_mbuf.h>

#include "example.h"

/* Hand the refilled descriptors, up to @tail - 1, back to the device */
static inline void
example_ring_rx_doorbell(struct example_rx_queue *rxq, uint16_t tail)
{
	struct example_hw *hw = example_hw_of_port(rxq->port_id);

	/*
	 * The descriptors must be in memory before the device sees the new
	 * tail.  RDT is uncached, and stores to uncached memory are not
	 * reordered with earlier stores on x86: a compiler barrier does.
	 */
	rte_io_wmb();
	rte_write32_relaxed(rte_cpu_to_le_32(tail), hw->bar0 + EXAMPLE_RDT);
	rxq->doorbells++;
}

/*
 * Add the buffer @seg, with @len bytes written, to the frame being received:
 * the frame, if @seg ends it and it is good, else NULL.
 */
static inline struct rte_mbuf *
example_rx_chain(struct example_rx_queue *rxq, struct rte_mbuf *seg,
		 uint16_t len, uint8_t status, uint8_t errors)
{
	struct rte_mbuf *pkt;

	/* A clean mbuf, its data at the headroom where the device wrote */
	rte_pktmbuf_reset(seg);
	seg->data_len = len;
	if (rxq->pkt_first == NULL) {
		seg->pkt_len = len;
		rxq->pkt_first = seg;
	} else {
		rxq->pkt_first->nb_segs++;
		rxq->pkt_first->pkt_len += len;
		rxq->pkt_last->next = seg;
	}
	rxq->pkt_last = seg;
	if (!(status & EXAMPLE_RXD_STAT_EOP))
		return NULL;

	pkt = rxq->pkt_first;
	rxq->pkt_first = NULL;
	rxq->pkt_last = NULL;
	if (errors & EXAMPLE_RXD_ERR_FRAME) {
		rxq->errors++;
		rte_pktmbuf_free(pkt);
		return NULL;
	}
	pkt->port = rxq->port_id;
	rxq->bytes += pkt->pkt_len;
	return pkt;
}

uint16_t
example_recv_pkts(void *rx_queue, struct rte_mbuf **rx_pkts, uint16_t nb_pkts)
{
	struct example_rx_queue *rxq = rx_queue;
	volatile struct example_rx_desc *desc;
	struct rte_mbuf *seg, *fresh, *pkt;
	uint16_t idx = rxq->next;
	uint16_t nb_rx = 0, nb_taken = 0;
	uint16_t len;
	uint8_t status, errors;

	while (nb_rx < nb_pkts) {
		desc = &rxq->ring[idx];
		status = desc->status;
		if (!(status & EXAMPLE_RXD_STAT_DD))
			break;
		/*
		 * The device sets DD after writing the rest of the descriptor,
		 * but the CPU may read the length and errors ahead of DD and
		 * get stale values: order the reads of this coherent DMA
		 * memory (a compiler barrier on x86, a load barrier elsewhere).
		 */
		rte_io_rmb();
		len = rte_le_to_cpu_16(desc->length);
		errors = desc->errors;

		fresh = rte_mbuf_raw_alloc(rxq->mb_pool);
		if (fresh == NULL) {
			/* Leave the descriptor to the next burst */
			rte_eth_devices[rxq->port_id].data->rx_mbuf_alloc_failed++;
			break;
		}
		seg = rxq->sw_ring[idx];
		rxq->sw_ring[idx] = fresh;
		desc->buffer_addr = rte_cpu_to_le_64(rte_mbuf_data_iova_default(fresh));
		desc->status = 0;
		idx = idx + 1 == rxq->nb_desc ? 0 : idx + 1;
		nb_taken++;

		pkt = example_rx_chain(rxq, seg, len, status, errors);
		if (pkt != NULL)
			rx_pkts[nb_rx++] = pkt;
	}

	if (nb_taken == 0)
		return 0;
	rxq->next = idx;
	rxq->packets += nb_rx;
	rxq->nb_hold += nb_taken;
	if (rxq->nb_hold >= rxq->free_thresh) {
		/* The descriptor before the next one to read stays ours */
		example_ring_rx_doorbell(rxq, idx == 0 ? rxq->nb_desc - 1 : idx - 1);
		rxq->nb_hold = 0;
	}
	return nb_rx;
}
