/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The TX burst and its doorbell.  A packet takes one descriptor per
 * segment, its last one has EOP.  Descriptors are reclaimed in groups: the
 * last descriptor of the packet that brings a group to rs_thresh
 * descriptors gets RS, and the device writes DD back there once it is done
 * with the whole group.  Each burst first reclaims
 * the groups whose DD is set (TDH is in the WC page: it is never read),
 * then fills descriptors, then rings the doorbell once: a write of TDT.
 */

#include <ethdev_driver.h>
#include <rte_io.h>
#include <rte_mbuf.h>

#include "example.h"

/* The longest frame the device sends, before it appends the CRC */
#define EXAMPLE_TX_MAX_PKT_LEN (EXAMPLE_MAX_FRAME_LEN - RTE_ETHER_CRC_LEN)
/* Segments reclaimed before they go back to their pool in one call */
#define EXAMPLE_TX_FREE_BULK 64

static inline uint16_t
example_tx_next(const struct example_tx_queue *txq, uint16_t idx)
{
	return idx + 1 == txq->nb_desc ? 0 : idx + 1;
}

/* Tell the device that the descriptors up to @tail - 1 are ready */
static inline void
example_ring_tx_doorbell(struct example_tx_queue *txq, uint16_t tail)
{
	struct example_hw *hw = example_hw_of_port(txq->port_id);

	/*
	 * The descriptors are in ordinary write-back memory, the doorbell a
	 * weakly ordered store: to a WC page, and on a CPU with MOVDIRI
	 * (which rte_write32_wc_relaxed() uses) to any page, NC included.
	 * x86 does not order such a store with earlier ones: the sfence makes
	 * the descriptors visible to the device first.
	 */
	rte_wmb();
	rte_write32_wc_relaxed(rte_cpu_to_le_32(tail), hw->bar0 + EXAMPLE_TDT);
	/*
	 * A weakly ordered store may wait in the core's write-combining
	 * buffer for more stores to merge with: drain it, so that the
	 * doorbell goes out now.
	 */
	rte_wmb();
	txq->doorbells++;
}

/* Give the segments of @free back to their pool, which they share */
static inline void
example_tx_free_bulk(struct rte_mbuf **free, unsigned int n)
{
	if (n != 0)
		rte_mempool_put_bulk(free[0]->pool, (void **)free, n);
}

/*
 * Free the mbufs of the groups the device is done with: those that are
 * free to go back (rte_pktmbuf_prefree_seg) return to their pool in bulk,
 * a run per pool.
 */
static void
example_tx_reclaim(struct example_tx_queue *txq)
{
	struct rte_mbuf *free[EXAMPLE_TX_FREE_BULK], *m;
	uint16_t first = txq->next_clean;
	unsigned int nb_free = 0;
	uint16_t last, idx;
	bool done;

	while (first != txq->open_group) {
		last = txq->sw_ring[first].rs_last;
		if (!(txq->ring[last].status & EXAMPLE_TXD_STAT_DD))
			break;
		idx = first;
		do {
			m = rte_pktmbuf_prefree_seg(txq->sw_ring[idx].mbuf);
			txq->sw_ring[idx].mbuf = NULL;
			if (m != NULL) {
				if (nb_free == RTE_DIM(free) ||
				    (nb_free != 0 && m->pool != free[0]->pool)) {
					example_tx_free_bulk(free, nb_free);
					nb_free = 0;
				}
				free[nb_free++] = m;
			}
			txq->nb_free++;
			done = idx == last;
			idx = example_tx_next(txq, idx);
		} while (!done);
		first = idx;
	}
	example_tx_free_bulk(free, nb_free);
	txq->next_clean = first;
}

/*
 * A descriptor in two 64-bit stores: the buffer's address, then its
 * length and the command, with CSO, status (DD clear), CSS and special 0.
 */
static inline void
example_tx_desc_write(volatile struct example_tx_desc *desc, uint64_t iova,
		      uint16_t len, uint8_t cmd)
{
	volatile uint64_t *qword = (volatile uint64_t *)desc;

	qword[0] = rte_cpu_to_le_64(iova);
	qword[1] = rte_cpu_to_le_64((uint64_t)len | (uint64_t)cmd << 24);
}

uint16_t
example_xmit_pkts(void *tx_queue, struct rte_mbuf **tx_pkts, uint16_t nb_pkts)
{
	struct example_tx_queue *txq = tx_queue;
	struct rte_mbuf *m, *seg;
	bool closes_group;
	uint16_t tail = txq->tail;
	uint16_t nb_tx, nb_placed = 0;
	uint16_t last = 0;
	uint64_t bytes = 0;
	uint8_t eop_cmd;

	example_tx_reclaim(txq);

	for (nb_tx = 0; nb_tx < nb_pkts; nb_tx++) {
		m = tx_pkts[nb_tx];
		/* An open group can hold back rs_thresh - 1 descriptors */
		if (unlikely(m->nb_segs >= txq->nb_desc - txq->rs_thresh ||
			     m->pkt_len > EXAMPLE_TX_MAX_PKT_LEN)) {
			/* It can never be sent: drop it rather than stall */
			txq->errors++;
			rte_pktmbuf_free(m);
			continue;
		}
		if (m->nb_segs > txq->nb_free)
			break;

		/* The packet that brings its group to rs_thresh closes it */
		eop_cmd = EXAMPLE_TXD_CMD_IFCS | EXAMPLE_TXD_CMD_EOP;
		txq->nb_unreported += m->nb_segs;
		closes_group = txq->nb_unreported >= txq->rs_thresh;
		if (closes_group)
			eop_cmd |= EXAMPLE_TXD_CMD_RS;

		for (seg = m; seg != NULL; seg = seg->next) {
			example_tx_desc_write(&txq->ring[tail], rte_mbuf_data_iova(seg),
					      seg->data_len, seg->next == NULL ?
					      eop_cmd : EXAMPLE_TXD_CMD_IFCS);
			txq->sw_ring[tail].mbuf = seg;
			last = tail;
			tail = example_tx_next(txq, tail);
		}
		if (closes_group) {
			txq->sw_ring[txq->open_group].rs_last = last;
			txq->open_group = tail;
			txq->nb_unreported = 0;
		}
		txq->nb_free -= m->nb_segs;
		bytes += m->pkt_len;
		nb_placed++;
	}

	if (nb_placed != 0) {
		txq->tail = tail;
		txq->packets += nb_placed;
		txq->bytes += bytes;
		example_ring_tx_doorbell(txq, tail);
	}
	return nb_tx;
}
