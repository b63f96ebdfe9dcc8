/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

#ifndef EXAMPLE_REGS_H
#define EXAMPLE_REGS_H

/*
 * The Intel 82574L as this driver uses it: registers of BAR0 (byte offsets),
 * their bits, and the legacy descriptors, from the 82574 datasheet.
 */

#include <assert.h>
#include <stdint.h>

#include <rte_bitops.h>
#include <rte_ether.h>

#define EXAMPLE_PCI_VENDOR_INTEL	0x8086
#define EXAMPLE_PCI_DEVICE_82574L	0x10d3

/* BAR0: 128 KiB of memory-mapped registers */
#define EXAMPLE_BAR0_LEN		0x20000

/* Device control */
#define EXAMPLE_CTRL			0x0000
#define EXAMPLE_CTRL_FD			RTE_BIT32(0)	/* full duplex */
#define EXAMPLE_CTRL_ASDE		RTE_BIT32(5)	/* auto-speed detection */
#define EXAMPLE_CTRL_SLU		RTE_BIT32(6)	/* set link up */
#define EXAMPLE_CTRL_RST		RTE_BIT32(26)	/* software reset */

#define EXAMPLE_STATUS			0x0008
#define EXAMPLE_STATUS_FD		RTE_BIT32(0)
#define EXAMPLE_STATUS_LU		RTE_BIT32(1)	/* link up */
#define EXAMPLE_STATUS_SPEED_SHIFT	6
#define EXAMPLE_STATUS_SPEED_MASK	(0x3u << EXAMPLE_STATUS_SPEED_SHIFT)
#define EXAMPLE_STATUS_SPEED_10		0x0
#define EXAMPLE_STATUS_SPEED_100	0x1	/* 2 and 3 both mean 1000 */

/* EEPROM read: write START and the word address, poll DONE, take DATA */
#define EXAMPLE_EERD			0x0014
#define EXAMPLE_EERD_START		RTE_BIT32(0)
#define EXAMPLE_EERD_DONE		RTE_BIT32(1)
#define EXAMPLE_EERD_ADDR_SHIFT		2
#define EXAMPLE_EERD_DATA_SHIFT		16

#define EXAMPLE_CTRL_EXT		0x0018
#define EXAMPLE_CTRL_EXT_DRV_LOAD	RTE_BIT32(28)	/* a driver owns the device */

/* Interrupts: cause (read to clear), mask set, mask clear */
#define EXAMPLE_ICR			0x00c0
#define EXAMPLE_IMS			0x00d0
#define EXAMPLE_IMC			0x00d8

/* Receive control */
#define EXAMPLE_RCTL			0x0100
#define EXAMPLE_RCTL_EN			RTE_BIT32(1)
#define EXAMPLE_RCTL_SBP		RTE_BIT32(2)	/* store bad packets */
#define EXAMPLE_RCTL_UPE		RTE_BIT32(3)	/* unicast promiscuous */
#define EXAMPLE_RCTL_MPE		RTE_BIT32(4)	/* multicast promiscuous */
#define EXAMPLE_RCTL_LPE		RTE_BIT32(5)	/* long (jumbo) packets */
#define EXAMPLE_RCTL_BAM		RTE_BIT32(15)	/* accept broadcast */
#define EXAMPLE_RCTL_BSIZE_2048		(0x0u << 16)	/* with BSEX = 0 */
#define EXAMPLE_RCTL_BSEX		RTE_BIT32(25)
#define EXAMPLE_RCTL_SECRC		RTE_BIT32(26)	/* strip the Ethernet CRC */

/* Transmit control */
#define EXAMPLE_TCTL			0x0400
#define EXAMPLE_TCTL_EN			RTE_BIT32(1)
#define EXAMPLE_TCTL_PSP		RTE_BIT32(3)	/* pad short packets */
#define EXAMPLE_TCTL_CT(n)		((uint32_t)(n) << 4)	/* collision threshold */
#define EXAMPLE_TCTL_COLD(n)		((uint32_t)(n) << 12)	/* collision distance */

#define EXAMPLE_TIPG			0x0410
#define EXAMPLE_TIPG_DEFAULT		(8u | 8u << 10 | 6u << 20)

/* Receive queue 0 */
#define EXAMPLE_RDBAL			0x2800
#define EXAMPLE_RDBAH			0x2804
#define EXAMPLE_RDLEN			0x2808
#define EXAMPLE_RDH			0x2810
#define EXAMPLE_RDT			0x2818
#define EXAMPLE_RXDCTL			0x2828

/*
 * Transmit queue 0.  Its registers fill the page the bus maps
 * write-combining (the doorbell page): see example.h for the rules.
 */
#define EXAMPLE_TX_PAGE			0x3000
#define EXAMPLE_TX_PAGE_LEN		0x1000
#define EXAMPLE_TDBAL			0x3800
#define EXAMPLE_TDBAH			0x3804
#define EXAMPLE_TDLEN			0x3808
#define EXAMPLE_TDH			0x3810
#define EXAMPLE_TDT			0x3818	/* the TX doorbell */
#define EXAMPLE_TXDCTL			0x3828

/*
 * Descriptor control, for RXDCTL and TXDCTL: thresholds counted in
 * descriptors (GRAN) and write-back as soon as one descriptor is done.
 * TXDCTL bit 22 (count descriptors) must be set on the 82571 family.
 */
#define EXAMPLE_XDCTL_WTHRESH(n)	((uint32_t)(n) << 16)
#define EXAMPLE_XDCTL_GRAN		RTE_BIT32(24)
#define EXAMPLE_TXDCTL_COUNT_DESC	RTE_BIT32(22)

/* Statistics: 32-bit, clear on read; GORC and GOTC are 64-bit (L, H) */
#define EXAMPLE_CRCERRS			0x4000
#define EXAMPLE_RXERRC			0x400c
#define EXAMPLE_MPC			0x4010
#define EXAMPLE_GPRC			0x4074
#define EXAMPLE_BPRC			0x4078
#define EXAMPLE_MPRC			0x407c
#define EXAMPLE_GPTC			0x4080
#define EXAMPLE_GORCL			0x4088
#define EXAMPLE_GORCH			0x408c	/* reading it clears both halves */
#define EXAMPLE_GOTCL			0x4090
#define EXAMPLE_GOTCH			0x4094
#define EXAMPLE_RNBC			0x40a0
#define EXAMPLE_RUC			0x40a4
#define EXAMPLE_ROC			0x40ac
#define EXAMPLE_TPR			0x40d0
#define EXAMPLE_TPT			0x40d4

#define EXAMPLE_RFCTL			0x5008
#define EXAMPLE_RFCTL_EXTEN		RTE_BIT32(15)	/* extended RX descriptors */

/* Multicast table array: 128 dwords */
#define EXAMPLE_MTA			0x5200
#define EXAMPLE_MTA_LEN			128

/* Receive address 0: the station MAC address */
#define EXAMPLE_RAL0			0x5400
#define EXAMPLE_RAH0			0x5404
#define EXAMPLE_RAH_AV			RTE_BIT32(31)	/* address valid */

/* Legacy transmit descriptor */
struct example_tx_desc {
	uint64_t buffer_addr;	/* IOVA of the data */
	uint16_t length;	/* bytes in this buffer */
	uint8_t cso;
	uint8_t cmd;
	uint8_t status;
	uint8_t css;
	uint16_t special;
};

static_assert(sizeof(struct example_tx_desc) == 16,
	      "the legacy TX descriptor is 16 bytes");

#define EXAMPLE_TXD_CMD_EOP		0x01	/* last descriptor of a packet */
#define EXAMPLE_TXD_CMD_IFCS		0x02	/* insert the FCS (CRC) */
#define EXAMPLE_TXD_CMD_RS		0x08	/* report status: write DD back */
#define EXAMPLE_TXD_STAT_DD		0x01	/* descriptor done */

/* Legacy receive descriptor */
struct example_rx_desc {
	uint64_t buffer_addr;	/* IOVA of a buffer of EXAMPLE_RX_BUF_SIZE */
	uint16_t length;	/* bytes the device wrote to it */
	uint16_t csum;
	uint8_t status;
	uint8_t errors;
	uint16_t special;
};

static_assert(sizeof(struct example_rx_desc) == 16,
	      "the legacy RX descriptor is 16 bytes");

#define EXAMPLE_RXD_STAT_DD		0x01	/* descriptor done */
#define EXAMPLE_RXD_STAT_EOP		0x02	/* last descriptor of a packet */

/* Frame errors (CE, SE, SEQ, CXE, RXE); TCPE and IPE only flag checksums */
#define EXAMPLE_RXD_ERR_FRAME		0x97

/* Rings: 8 to 4096 descriptors, a multiple of 8 (128 bytes) */
#define EXAMPLE_RING_DESC_MIN		8
#define EXAMPLE_RING_DESC_MAX		4096
#define EXAMPLE_RING_DESC_ALIGN		8
#define EXAMPLE_RING_BASE_ALIGN		4096

/* Frames: 9018 bytes with the CRC at most, so an MTU of 9000 */
#define EXAMPLE_RX_BUF_SIZE		2048	/* RCTL.BSIZE_2048 */
#define EXAMPLE_MAX_FRAME_LEN		9018
#define EXAMPLE_ETH_OVERHEAD		(RTE_ETHER_HDR_LEN + RTE_ETHER_CRC_LEN)
#define EXAMPLE_MAX_MTU			(EXAMPLE_MAX_FRAME_LEN - EXAMPLE_ETH_OVERHEAD)
#define EXAMPLE_STD_MAX_FRAME_LEN	RTE_ETHER_MAX_LEN	/* 1518: no LPE */

#endif /* EXAMPLE_REGS_H */
