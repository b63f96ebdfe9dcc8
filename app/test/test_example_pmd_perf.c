/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * example_pmd_perf_autotest: two ports of the example PMD on one wire (in
 * the lab, two 82574L on a QEMU hub).  The first port sends, the second
 * receives, with the TX doorbell write-combining and then uncached (the
 * devices are probed again with wc=1, then wc=0).
 *
 * For each attribute, one case sends frames of every length from 60 to
 * 1514 bytes, a third of them in three segments, and checks that each one
 * arrives byte for byte; the frames are also written, if
 * EXAMPLE_PMD_PERF_SENT_PCAP names a file, to a pcap file that the lab
 * compares with what QEMU saw on the wire.  Then, for bursts of 1, 8, 32
 * and 64 frames of 60 bytes, one case measures the TX and RX rates, the
 * doorbells per frame and the TSC cycles per frame spent in
 * rte_eth_tx_burst().  The figures are printed, never asserted: a case
 * fails only if a frame is lost unaccounted (received + missed != sent),
 * altered, or if a burst rings the doorbell more than once.
 *
 * No verdict depends on how fast the machine is: sending, receiving and
 * waiting for a link go on for as long as they make progress, and only
 * HANG_S seconds without any (a hang, on any machine) end them.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_bus.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <bus_vfio_dmabuf_driver.h>

#include "test.h"

#define NB_DESC		1024
#define NB_MBUF		8191
#define PERF_FRAMES	32768	/* per rate case */
#define LEAK_FRAMES	2000000 /* through both ports, then every mbuf is back */
#define WIRE_FRAMES	(RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN - MIN_FRAME + 1)
#define MIN_FRAME	(RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN)	/* 60 */
#define MAX_FRAME	(RTE_ETHER_MAX_LEN - RTE_ETHER_CRC_LEN)	/* 1514 */
#define RX_BURST	64
#define HANG_S		60	/* seconds without progress: hung */
/* Ethertypes of the frames: checked on the wire, and only measured */
#define ETHERTYPE_WIRE	0x88b5
#define ETHERTYPE_PERF	0x88b6

struct perf_case {
	bool wc;
	uint16_t burst;
};

static struct rte_mempool *pool;
static uint16_t tx_port = RTE_MAX_ETHPORTS, rx_port = RTE_MAX_ETHPORTS;
static char tx_name[RTE_DEV_NAME_MAX_LEN], rx_name[RTE_DEV_NAME_MAX_LEN];
static struct rte_ether_addr tx_mac, rx_mac;
static int ports_wc = -1; /* what the ports were probed with, -1: as found */

/* The two example PMD ports on the vfio_dmabuf bus, lower address first */
static int
find_ports(void)
{
	struct rte_eth_dev_info info;
	const char *name;
	uint16_t p;

	tx_port = rx_port = RTE_MAX_ETHPORTS;
	RTE_ETH_FOREACH_DEV(p) {
		if (rte_eth_dev_info_get(p, &info) != 0 ||
		    strcmp(rte_bus_name(rte_dev_bus(info.device)),
			   RTE_BUS_VFIO_DMABUF_NAME) != 0 ||
		    strcmp(info.driver_name, "net_example") != 0)
			continue;
		name = rte_dev_name(info.device);
		if (tx_port == RTE_MAX_ETHPORTS) {
			tx_port = p;
			snprintf(tx_name, sizeof(tx_name), "%s", name);
		} else if (rx_port == RTE_MAX_ETHPORTS) {
			rx_port = p;
			snprintf(rx_name, sizeof(rx_name), "%s", name);
		}
	}
	if (rx_port == RTE_MAX_ETHPORTS)
		return -ENODEV;
	if (strcmp(tx_name, rx_name) > 0) {
		RTE_SWAP(tx_port, rx_port);
		snprintf(tx_name, sizeof(tx_name), "%s", rx_name);
		rte_eth_dev_info_get(rx_port, &info);
		snprintf(rx_name, sizeof(rx_name), "%s", rte_dev_name(info.device));
	}
	return 0;
}

static int
start_port(uint16_t port)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	int ret, ms;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(port, 1, 1, &conf);
	if (ret == 0)
		ret = rte_eth_rx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port),
					     NULL, pool);
	if (ret == 0)
		ret = rte_eth_tx_queue_setup(port, 0, NB_DESC, rte_eth_dev_socket_id(port),
					     NULL);
	if (ret == 0)
		ret = rte_eth_dev_start(port);
	if (ret != 0) {
		printf("port %u: cannot start: %s\n", port, rte_strerror(-ret));
		return ret;
	}
	for (ms = 0; ms < HANG_S * 1000; ms += 10) {
		if (rte_eth_link_get_nowait(port, &link) == 0 && link.link_status)
			return 0;
		rte_delay_ms(10);
	}
	printf("port %u: hung: no link after %d s\n", port, HANG_S);
	return -ETIMEDOUT;
}

static int
start_ports(void)
{
	int ret;

	ret = find_ports();
	if (ret != 0)
		return ret;
	ret = start_port(tx_port);
	if (ret == 0)
		ret = start_port(rx_port);
	if (ret == 0)
		ret = rte_eth_macaddr_get(tx_port, &tx_mac);
	if (ret == 0)
		ret = rte_eth_macaddr_get(rx_port, &rx_mac);
	return ret;
}

/* Probe both devices again with doorbells WC or not, and start them */
static int
probe_ports(bool wc)
{
	const char *names[] = { tx_name, rx_name };
	char devargs[RTE_DEV_NAME_MAX_LEN + 32];
	struct rte_eth_dev_info info;
	uint16_t ports[] = { tx_port, rx_port };
	unsigned int i;
	int ret;

	if (ports_wc == (int)wc)
		return 0;
	for (i = 0; i < RTE_DIM(ports); i++) {
		ret = rte_eth_dev_info_get(ports[i], &info);
		if (ret == 0)
			ret = rte_eth_dev_stop(ports[i]);
		if (ret == 0)
			ret = rte_dev_remove(info.device);
		if (ret != 0) {
			printf("%s: cannot remove: %s\n", names[i], rte_strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < RTE_DIM(names); i++) {
		snprintf(devargs, sizeof(devargs), "%s:%s,wc=%d",
			 RTE_BUS_VFIO_DMABUF_NAME, names[i], wc);
		ret = rte_dev_probe(devargs);
		if (ret != 0) {
			printf("%s: cannot probe: %s\n", devargs, rte_strerror(-ret));
			return ret;
		}
	}
	ret = start_ports();
	if (ret == 0)
		ports_wc = wc;
	return ret;
}

static int
perf_suite_setup(void)
{
	if (find_ports() != 0) {
		printf("needs two ports of the example PMD on the %s bus, on one wire: run in the lab (lab/test), or see doc/guides/nics/example.rst\n",
		       RTE_BUS_VFIO_DMABUF_NAME);
		return TEST_SKIPPED;
	}
	pool = rte_pktmbuf_pool_create("example_perf", NB_MBUF, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	if (pool == NULL) {
		printf("cannot create the mbuf pool: %s\n", rte_strerror(rte_errno));
		return TEST_FAILED;
	}
	printf("example PMD: %s (port %u) sends to %s (port %u)\n",
	       tx_name, tx_port, rx_name, rx_port);
	return start_ports() == 0 ? TEST_SUCCESS : TEST_FAILED;
}

static void
perf_suite_teardown(void)
{
	rte_eth_dev_stop(tx_port);
	rte_eth_dev_stop(rx_port);
	rte_mempool_free(pool);
	pool = NULL;
}

/* The frame of sequence number @seq of @ethertype, @len bytes */
static void
fill_frame(uint8_t *frame, uint16_t len, uint16_t ethertype, uint32_t seq)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)frame;
	uint16_t i;

	rte_ether_addr_copy(&rx_mac, &eth->dst_addr);
	rte_ether_addr_copy(&tx_mac, &eth->src_addr);
	eth->ether_type = rte_cpu_to_be_16(ethertype);
	memcpy(frame + sizeof(*eth), &seq, sizeof(seq));
	for (i = sizeof(*eth) + sizeof(seq); i < len; i++)
		frame[i] = (uint8_t)(seq * 7 + i);
}

/* An mbuf chain holding the frame, in @nb_segs segments */
static struct rte_mbuf *
build_frame(uint16_t len, uint16_t ethertype, uint32_t seq, unsigned int nb_segs)
{
	uint8_t frame[MAX_FRAME];
	struct rte_mbuf *head = NULL, *m;
	uint16_t off = 0, part;
	unsigned int s;

	fill_frame(frame, len, ethertype, seq);
	for (s = 0; s < nb_segs; s++) {
		part = s + 1 == nb_segs ? (uint16_t)(len - off) : len / nb_segs;
		m = rte_pktmbuf_alloc(pool);
		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		memcpy(rte_pktmbuf_append(m, part), frame + off, part);
		off += part;
		if (head == NULL)
			head = m;
		else if (rte_pktmbuf_chain(head, m) != 0)
			return NULL;
	}
	return head;
}

/* Whether @m is exactly the frame it says it is; its sequence in @seq */
static bool
frame_intact(const struct rte_mbuf *m, uint16_t ethertype, uint16_t len, uint32_t *seq)
{
	uint8_t want[MAX_FRAME], got[MAX_FRAME];
	const uint8_t *p;

	if (m->pkt_len < sizeof(struct rte_ether_hdr) + sizeof(*seq) ||
	    m->pkt_len > MAX_FRAME)
		return false;
	p = rte_pktmbuf_read(m, 0, m->pkt_len, got);
	memcpy(seq, p + sizeof(struct rte_ether_hdr), sizeof(*seq));
	if (len == 0) /* the wire frames: the length follows the sequence */
		len = MIN_FRAME + *seq % WIRE_FRAMES;
	if (m->pkt_len != len)
		return false;
	fill_frame(want, len, ethertype, *seq);
	return memcmp(p, want, len) == 0;
}

/* When HANG_S seconds without progress are over, from now */
static uint64_t
hang_deadline(void)
{
	return rte_get_timer_cycles() + rte_get_timer_hz() * HANG_S;
}

/*
 * Send @n frames, as many rte_eth_tx_burst() calls as it takes; time spent
 * in them is added to @cycles, calls that sent something to @bursts.
 * Gives up only after HANG_S seconds without progress (the NIC hung):
 * then not all are sent.
 */
static uint16_t
send_all(struct rte_mbuf **pkts, uint16_t n, uint64_t *cycles, uint64_t *bursts)
{
	uint64_t deadline = hang_deadline();
	uint16_t sent = 0, done;
	uint64_t t;

	while (sent < n && rte_get_timer_cycles() < deadline) {
		t = rte_rdtsc();
		done = rte_eth_tx_burst(tx_port, 0, pkts + sent, n - sent);
		*cycles += rte_rdtsc() - t;
		if (done != 0) {
			*bursts += 1;
			deadline = hang_deadline();
		}
		sent += done;
	}
	if (sent < n) {
		printf("hung: TX made no progress for %d s at %u of %u frames\n",
		       HANG_S, sent, n);
		rte_pktmbuf_free_bulk(pkts + sent, n - sent);
	}
	return sent;
}

struct rx_count {
	uint64_t received, bad, out_of_order;
	uint32_t next_seq;
};

static void
receive(struct rx_count *rx, uint16_t ethertype, uint16_t len)
{
	struct rte_mbuf *pkts[RX_BURST];
	uint16_t n, i;
	uint32_t seq;

	do {
		n = rte_eth_rx_burst(rx_port, 0, pkts, RX_BURST);
		for (i = 0; i < n; i++) {
			if (!frame_intact(pkts[i], ethertype, len, &seq))
				rx->bad++;
			else if (seq < rx->next_seq)
				rx->out_of_order++;
			else
				rx->next_seq = seq + 1;
			rx->received++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
	} while (n != 0);
}

/*
 * Receive until every frame sent is received or missed (QEMU's hub
 * delivers each one, late under load); gives up only after HANG_S seconds
 * in which none came: then some are unaccounted for.
 */
static uint64_t
drain(struct rx_count *rx, uint16_t ethertype, uint16_t len, uint64_t sent)
{
	uint64_t deadline = hang_deadline(), counted = UINT64_MAX;
	struct rte_eth_stats stats;

	do {
		receive(rx, ethertype, len);
		if (rte_eth_stats_get(rx_port, &stats) != 0)
			memset(&stats, 0, sizeof(stats));
		if (rx->received + stats.imissed >= sent)
			return stats.imissed;
		if (rx->received + stats.imissed != counted) {
			counted = rx->received + stats.imissed;
			deadline = hang_deadline();
		}
	} while (rte_get_timer_cycles() < deadline);
	printf("hung: no frame received or missed for %d s, %" PRIu64 " of %" PRIu64 " counted\n",
	       HANG_S, counted, sent);
	return stats.imissed;
}

static uint64_t
xstat(uint16_t port, const char *name)
{
	uint64_t id, value = 0;

	if (rte_eth_xstats_get_id_by_name(port, name, &id) != 0 ||
	    rte_eth_xstats_get_by_id(port, &id, &value, 1) != 1)
		return UINT64_MAX;
	return value;
}

static void
reset_counters(void)
{
	rte_eth_stats_reset(tx_port);
	rte_eth_stats_reset(rx_port);
	rte_eth_xstats_reset(tx_port);
	rte_eth_xstats_reset(rx_port);
}

/* Append @frame to the pcap file @f */
static void
pcap_append(FILE *f, const uint8_t *frame, uint32_t len)
{
	const uint32_t rec[4] = { 0, 0, len, len };

	fwrite(rec, sizeof(rec), 1, f);
	fwrite(frame, len, 1, f);
}

static FILE *
pcap_open(void)
{
	static const struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} hdr = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1 /* Ethernet */ };
	const char *path = getenv("EXAMPLE_PMD_PERF_SENT_PCAP");
	FILE *f;
	long size;

	if (path == NULL)
		return NULL;
	f = fopen(path, "a");
	if (f == NULL) {
		printf("%s: %s\n", path, strerror(errno));
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	if (size == 0)
		fwrite(&hdr, sizeof(hdr), 1, f);
	return f;
}

static const char *
doorbell_attr(void)
{
	uint64_t wc = xstat(tx_port, "doorbell_wc");

	return wc == UINT64_MAX ? "?" : wc ? "WC" : "NC";
}

/*
 * Every length from 60 to 1514 bytes, every third frame in three
 * segments, sent in bursts of 32: each arrives intact, in order.
 */
static int
test_frames_arrive_intact(const void *data)
{
	const struct perf_case *c = data;
	struct rte_mbuf *pkts[32];
	uint8_t frame[MAX_FRAME];
	struct rx_count rx = { 0 };
	uint64_t missed, cycles = 0, bursts = 0;
	uint32_t seq = 0, i, n;
	uint16_t len;
	FILE *pcap;

	TEST_ASSERT_SUCCESS(probe_ports(c->wc), "cannot probe the ports with wc=%d", c->wc);
	reset_counters();
	while (seq < WIRE_FRAMES) {
		n = RTE_MIN(RTE_DIM(pkts), WIRE_FRAMES - seq);
		for (i = 0; i < n; i++) {
			len = MIN_FRAME + (seq + i) % WIRE_FRAMES;
			pkts[i] = build_frame(len, ETHERTYPE_WIRE, seq + i, (seq + i) % 3 ? 1 : 3);
			TEST_ASSERT_NOT_NULL(pkts[i], "out of mbufs");
		}
		TEST_ASSERT_EQUAL(send_all(pkts, n, &cycles, &bursts), n,
				  "TX stalled at frame %u", seq);
		seq += n;
		receive(&rx, ETHERTYPE_WIRE, 0);
	}
	missed = drain(&rx, ETHERTYPE_WIRE, 0, WIRE_FRAMES);

	pcap = pcap_open();
	if (pcap != NULL) {
		for (seq = 0; seq < WIRE_FRAMES; seq++) {
			len = MIN_FRAME + seq % WIRE_FRAMES;
			fill_frame(frame, len, ETHERTYPE_WIRE, seq);
			pcap_append(pcap, frame, len);
		}
		fclose(pcap);
	}
	printf("doorbell %s: %u frames of 60 to 1514 bytes sent, %" PRIu64 " received intact, %" PRIu64 " altered, %" PRIu64 " missed\n",
	       doorbell_attr(), WIRE_FRAMES, rx.received - rx.bad, rx.bad, missed);
	TEST_ASSERT_EQUAL(rx.bad, 0U, "%" PRIu64 " frames altered", rx.bad);
	TEST_ASSERT_EQUAL(rx.out_of_order, 0U, "%" PRIu64 " frames out of order", rx.out_of_order);
	TEST_ASSERT_EQUAL(rx.received + missed, (uint64_t)WIRE_FRAMES,
			  "%u sent, %" PRIu64 " received, %" PRIu64 " missed",
			  WIRE_FRAMES, rx.received, missed);
	return TEST_SUCCESS;
}

/* Every frame sent was sent by the NIC and received intact or missed */
static int
frames_accounted(uint32_t sent, uint64_t nic_sent, const struct rx_count *rx,
		 uint64_t missed)
{
	TEST_ASSERT_EQUAL(nic_sent, (uint64_t)sent,
			  "the NIC sent %" PRIu64 " of %u", nic_sent, sent);
	TEST_ASSERT_EQUAL(rx->bad, 0U, "%" PRIu64 " frames altered", rx->bad);
	TEST_ASSERT_EQUAL(rx->received + missed, (uint64_t)sent,
			  "%u sent, %" PRIu64 " received, %" PRIu64 " missed",
			  sent, rx->received, missed);
	return TEST_SUCCESS;
}

static int
test_rate(const void *data)
{
	const struct perf_case *c = data;
	struct rte_mbuf *pkts[64];
	struct rx_count rx = { 0 };
	struct rte_eth_stats tx_stats;
	uint64_t start, tx_end, rx_end, cycles = 0, missed, doorbells, bursts = 0;
	uint64_t hz = rte_get_tsc_hz();
	uint32_t seq = 0, i;

	TEST_ASSERT_SUCCESS(probe_ports(c->wc), "cannot probe the ports with wc=%d", c->wc);
	reset_counters();
	start = rte_rdtsc();
	while (seq < PERF_FRAMES) {
		for (i = 0; i < c->burst; i++) {
			pkts[i] = build_frame(MIN_FRAME, ETHERTYPE_PERF, seq + i, 1);
			TEST_ASSERT_NOT_NULL(pkts[i], "out of mbufs");
		}
		TEST_ASSERT_EQUAL(send_all(pkts, c->burst, &cycles, &bursts), c->burst,
				  "TX stalled at frame %u", seq);
		seq += c->burst;
		receive(&rx, ETHERTYPE_PERF, MIN_FRAME);
	}
	tx_end = rte_rdtsc();
	missed = drain(&rx, ETHERTYPE_PERF, MIN_FRAME, PERF_FRAMES);
	rx_end = rte_rdtsc();
	doorbells = xstat(tx_port, "tx_doorbells");
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tx_port, &tx_stats), "no TX stats");

	printf("perf: doorbell %s burst %2u: TX %.0f pps, RX %.0f pps, %.3f doorbells/frame, %.0f cycles/frame in tx_burst; sent %u (hw %" PRIu64 "), received %" PRIu64 ", missed %" PRIu64 "\n",
	       doorbell_attr(), c->burst,
	       (double)PERF_FRAMES * hz / (tx_end - start),
	       (double)rx.received * hz / (rx_end - start),
	       (double)doorbells / PERF_FRAMES, (double)cycles / PERF_FRAMES,
	       PERF_FRAMES, tx_stats.opackets, rx.received, missed);
	TEST_ASSERT_SUCCESS(frames_accounted(PERF_FRAMES, tx_stats.opackets, &rx, missed),
			    "frames unaccounted for");
	TEST_ASSERT(doorbells <= bursts, "%" PRIu64 " doorbells for %" PRIu64 " bursts",
		    doorbells, bursts);
	return TEST_SUCCESS;
}

/*
 * Ten million frames from one port to the other, then both ports stopped:
 * every frame is accounted for (sent by the NIC, received or missed), and
 * every mbuf of the pool is back in it (ring buffers, the TX completions
 * reclaimed in groups, what RX handed out and the test freed).
 */
static int
test_no_mbuf_leaks(const void *data __rte_unused)
{
	struct rte_mbuf *pkts[32];
	struct rx_count rx = { 0 };
	struct rte_eth_stats tx_stats;
	uint64_t start, end, cycles = 0, missed, bursts = 0;
	unsigned int avail;
	uint32_t seq = 0, i;
	int ret;

	TEST_ASSERT_SUCCESS(probe_ports(true), "cannot probe the ports with wc=1");
	reset_counters();
	start = rte_rdtsc();
	while (seq < LEAK_FRAMES) {
		for (i = 0; i < RTE_DIM(pkts); i++) {
			pkts[i] = build_frame(MIN_FRAME, ETHERTYPE_PERF, seq + i, 1);
			TEST_ASSERT_NOT_NULL(pkts[i], "out of mbufs at frame %u", seq + i);
		}
		TEST_ASSERT_EQUAL(send_all(pkts, RTE_DIM(pkts), &cycles, &bursts),
				  RTE_DIM(pkts), "TX stalled at frame %u", seq);
		seq += RTE_DIM(pkts);
		receive(&rx, ETHERTYPE_PERF, MIN_FRAME);
	}
	missed = drain(&rx, ETHERTYPE_PERF, MIN_FRAME, LEAK_FRAMES);
	end = rte_rdtsc();
	TEST_ASSERT_SUCCESS(rte_eth_stats_get(tx_port, &tx_stats), "no TX stats");

	/* Stopping gives the rings' buffers back */
	ret = rte_eth_dev_stop(tx_port);
	if (ret == 0)
		ret = rte_eth_dev_stop(rx_port);
	TEST_ASSERT_SUCCESS(ret, "cannot stop the ports");
	avail = rte_mempool_avail_count(pool);
	printf("leaks: %u frames in %.1f s (%.0f pps), NIC sent %" PRIu64 "\n",
	       LEAK_FRAMES, (double)(end - start) / rte_get_tsc_hz(),
	       (double)LEAK_FRAMES * rte_get_tsc_hz() / (end - start), tx_stats.opackets);
	printf("leaks: received %" PRIu64 ", missed %" PRIu64 ", altered %" PRIu64 "\n",
	       rx.received, missed, rx.bad);
	printf("leaks: mbufs in the pool after stop: %u of %u\n", avail, NB_MBUF);
	TEST_ASSERT_SUCCESS(frames_accounted(LEAK_FRAMES, tx_stats.opackets, &rx, missed),
			    "frames unaccounted for");
	TEST_ASSERT_EQUAL(avail, (unsigned int)NB_MBUF,
			  "%u mbufs of %u did not come back", NB_MBUF - avail, NB_MBUF);
	TEST_ASSERT_SUCCESS(start_ports(), "cannot start the ports again");
	return TEST_SUCCESS;
}

#define WIRE_CASE(w) \
	TEST_CASE_NAMED_WITH_DATA("frames_arrive_intact_" #w, NULL, NULL, \
				  test_frames_arrive_intact, \
				  &((const struct perf_case){ .wc = w })),
#define RATE_CASE(w, b) \
	TEST_CASE_NAMED_WITH_DATA("rate_wc" #w "_burst" #b, NULL, NULL, test_rate, \
				  &((const struct perf_case){ .wc = w, .burst = b })),

static struct unit_test_suite example_pmd_perf_testsuite = {
	.suite_name = "example PMD: frames on the wire and rates, doorbell WC and NC",
	.setup = perf_suite_setup,
	.teardown = perf_suite_teardown,
	.unit_test_cases = {
		WIRE_CASE(1)
		RATE_CASE(1, 1)
		RATE_CASE(1, 8)
		RATE_CASE(1, 32)
		RATE_CASE(1, 64)
		WIRE_CASE(0)
		RATE_CASE(0, 1)
		RATE_CASE(0, 8)
		RATE_CASE(0, 32)
		RATE_CASE(0, 64)
		TEST_CASE_NAMED_WITH_DATA("two_million_frames_return_every_mbuf", NULL,
					  NULL, test_no_mbuf_leaks, NULL),
		TEST_CASES_END()
	}
};

static int
test_example_pmd_perf(void)
{
	return unit_test_suite_runner(&example_pmd_perf_testsuite);
}

REGISTER_TEST_COMMAND(example_pmd_perf_autotest, test_example_pmd_perf);
