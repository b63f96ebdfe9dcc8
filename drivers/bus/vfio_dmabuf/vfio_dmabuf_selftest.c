/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The bus's logic that needs no device, checked where it lives: how a BAR
 * is cut into ranges at a driver's doorbells, the per-device devargs, the
 * device names the bus parses, and the fallback taken when the kernel
 * answers a VFIO feature probe with ENOTTY (as any non-VFIO fd does), and
 * a secondary process's checks of what the primary replies, the
 * readers of the kernel's PAT list and page-table dump, and the parts of
 * a region the region fallback maps (sparse-mmap capability chains).
 * Run by dpdk-test's vfio_dmabuf_selftest_autotest, on any machine.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

#include <rte_devargs.h>
#include <rte_test.h>

#include <rte_vfio_dmabuf_uapi.h>

#include "private.h"

#define BAR_LEN 0x20000
#define PAGE 0x1000

struct expected_range {
	uint64_t offset, len;
	enum rte_vfio_dmabuf_attr requested;
};

/* Plan BAR 0 of BAR_LEN for @doorbells and compare with @want */
static int
check_plan(const char *what, const struct rte_vfio_dmabuf_doorbell *doorbells,
	   unsigned int nb_doorbells, bool wc, int want_ret,
	   const struct expected_range *want, unsigned int nb_want)
{
	struct rte_vfio_dmabuf_driver drv = {
		.doorbells = doorbells,
		.nb_doorbells = nb_doorbells,
	};
	struct rte_vfio_dmabuf_device dev;
	unsigned int i;
	int ret;

	memset(&dev, 0, sizeof(dev));
	snprintf(dev.name, sizeof(dev.name), "selftest");
	drv.driver.name = "selftest";
	dev.driver = &drv;
	dev.wc = wc;
	dev.bars[0].len = BAR_LEN;
	ret = vfio_dmabuf_plan_bar(&dev, 0);
	RTE_TEST_ASSERT_EQUAL(ret, want_ret, "%s: plan returned %d, not %d", what, ret, want_ret);
	if (ret != 0)
		return 0;
	RTE_TEST_ASSERT_EQUAL(dev.nb_ranges, nb_want, "%s: %u ranges, not %u",
			      what, dev.nb_ranges, nb_want);
	for (i = 0; i < nb_want; i++) {
		RTE_TEST_ASSERT(dev.ranges[i].bar == 0 &&
				dev.ranges[i].offset == want[i].offset &&
				dev.ranges[i].len == want[i].len &&
				dev.ranges[i].requested == want[i].requested &&
				dev.ranges[i].obtained == RTE_VFIO_DMABUF_ATTR_NC &&
				dev.ranges[i].dmabuf_fd == -1,
				"%s: range %u is [0x%" PRIx64 ", +0x%" PRIx64 ") %s",
				what, i, dev.ranges[i].offset, dev.ranges[i].len,
				rte_vfio_dmabuf_attr_name(dev.ranges[i].requested));
	}
	return 0;
}

static int
test_plan_bar(void)
{
	const enum rte_vfio_dmabuf_attr NC = RTE_VFIO_DMABUF_ATTR_NC;
	const enum rte_vfio_dmabuf_attr WC = RTE_VFIO_DMABUF_ATTR_WC;
	const struct rte_vfio_dmabuf_doorbell tdt_page[] = { { 0, 0x3000, PAGE } };
	const struct rte_vfio_dmabuf_doorbell first_page[] = { { 0, 0, PAGE } };
	const struct rte_vfio_dmabuf_doorbell last_page[] = { { 0, BAR_LEN - PAGE, PAGE } };
	const struct rte_vfio_dmabuf_doorbell whole[] = { { 0, 0, BAR_LEN } };
	const struct rte_vfio_dmabuf_doorbell two[] = { { 0, PAGE, PAGE }, { 0, 2 * PAGE, PAGE } };
	const struct rte_vfio_dmabuf_doorbell other_bar[] = { { 2, 0, PAGE } };
	const struct rte_vfio_dmabuf_doorbell unaligned[] = { { 0, 0x3818, 4 } };
	const struct rte_vfio_dmabuf_doorbell empty[] = { { 0, 0x3000, 0 } };
	const struct rte_vfio_dmabuf_doorbell outside[] = { { 0, BAR_LEN, PAGE } };
	const struct rte_vfio_dmabuf_doorbell straddling[] = { { 0, BAR_LEN - PAGE, 2 * PAGE } };
	const struct rte_vfio_dmabuf_doorbell overlapping[] = {
		{ 0, 0, 2 * PAGE }, { 0, PAGE, PAGE },
	};
	const struct rte_vfio_dmabuf_doorbell unsorted[] = {
		{ 0, 2 * PAGE, PAGE }, { 0, 0, PAGE },
	};
	struct rte_vfio_dmabuf_doorbell many[RTE_VFIO_DMABUF_MAX_RANGES];
	unsigned int i;

	RTE_TEST_ASSERT_SUCCESS(check_plan("TDT page, WC", tdt_page, 1, true, 0,
		(const struct expected_range[]){ { 0, 0x3000, NC }, { 0x3000, PAGE, WC },
						 { 0x4000, BAR_LEN - 0x4000, NC } }, 3), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("TDT page, NC", tdt_page, 1, false, 0,
		(const struct expected_range[]){ { 0, 0x3000, NC }, { 0x3000, PAGE, NC },
						 { 0x4000, BAR_LEN - 0x4000, NC } }, 3), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("first page", first_page, 1, true, 0,
		(const struct expected_range[]){ { 0, PAGE, WC },
						 { PAGE, BAR_LEN - PAGE, NC } }, 2), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("last page", last_page, 1, true, 0,
		(const struct expected_range[]){ { 0, BAR_LEN - PAGE, NC },
						 { BAR_LEN - PAGE, PAGE, WC } }, 2), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("whole BAR", whole, 1, true, 0,
		(const struct expected_range[]){ { 0, BAR_LEN, WC } }, 1), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("two adjacent", two, 2, true, 0,
		(const struct expected_range[]){ { 0, PAGE, NC }, { PAGE, PAGE, WC },
						 { 2 * PAGE, PAGE, WC },
						 { 3 * PAGE, BAR_LEN - 3 * PAGE, NC } }, 4), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("doorbell of another BAR", other_bar, 1, true, 0,
		(const struct expected_range[]){ { 0, BAR_LEN, NC } }, 1), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("no doorbell", NULL, 0, true, 0,
		(const struct expected_range[]){ { 0, BAR_LEN, NC } }, 1), "");

	RTE_TEST_ASSERT_SUCCESS(check_plan("unaligned", unaligned, 1, true, -EINVAL, NULL, 0), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("empty", empty, 1, true, -EINVAL, NULL, 0), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("outside", outside, 1, true, -EINVAL, NULL, 0), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("straddling the end", straddling, 1, true, -EINVAL,
					   NULL, 0), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("overlapping", overlapping, 2, true, -EINVAL, NULL, 0), "");
	RTE_TEST_ASSERT_SUCCESS(check_plan("unsorted", unsorted, 2, true, -EINVAL, NULL, 0), "");

	/* Every other page a doorbell: more ranges than a device holds */
	for (i = 0; i < RTE_DIM(many); i++) {
		many[i].bar = 0;
		many[i].offset = (2 * i + 1) * PAGE;
		many[i].len = PAGE;
	}
	RTE_TEST_ASSERT_SUCCESS(check_plan("too many ranges", many, RTE_DIM(many), true, -E2BIG,
					   NULL, 0), "");
	return 0;
}

/*
 * Parse @str, a device string in either form, as EAL does: the device's
 * name in @name, and what wc became; 0 or the first error
 */
static int
parse_device_string(const char *str, char *name, size_t size, bool *wc)
{
	struct rte_vfio_dmabuf_device dev;
	struct rte_devargs devargs;
	int ret;

	memset(&dev, 0, sizeof(dev));
	ret = rte_devargs_parse(&devargs, str);
	if (ret != 0)
		return ret;
	if (devargs.bus != &vfio_dmabuf_bus.bus) {
		rte_devargs_reset(&devargs);
		return -EXDEV;
	}
	snprintf(name, size, "%s", devargs.name);
	snprintf(dev.name, sizeof(dev.name), "%s", devargs.name);
	dev.device.devargs = &devargs;
	ret = vfio_dmabuf_parse_devargs(&dev);
	*wc = dev.wc;
	rte_devargs_reset(&devargs);
	return ret;
}

/* Parse @args as the devargs of a device and return what wc became */
static int
parse_wc(const char *args, bool *wc)
{
	char str[64], name[RTE_DEV_NAME_MAX_LEN];

	snprintf(str, sizeof(str), "%s:0000:00:03.0%s%s", RTE_BUS_VFIO_DMABUF_NAME,
		 args[0] ? "," : "", args);
	return parse_device_string(str, name, sizeof(name), wc);
}

/* "-a bus=vfio_dmabuf,addr=...": the name, and the bus's options */
static int
test_layered_devargs(void)
{
	static const char * const bad[] = {
		"bus=vfio_dmabuf,wc=1", "bus=vfio_dmabuf,addr=0000:00:03.9",
		"bus=vfio_dmabuf,addr=0000:00:03.0x", "bus=vfio_dmabuf,addr=00:03.0,wc=2",
		"bus=vfio_dmabuf,addr=00:03.0,nosuchkey=1",
	};
	char name[RTE_DEV_NAME_MAX_LEN];
	unsigned int i;
	bool wc;

	RTE_TEST_ASSERT_SUCCESS(parse_device_string("bus=vfio_dmabuf,addr=00:03.0,wc=1",
						    name, sizeof(name), &wc),
				"layered, wc=1");
	RTE_TEST_ASSERT(strcmp(name, "0000:00:03.0") == 0 && wc,
			"layered, wc=1: device %s, wc=%d", name, wc);
	RTE_TEST_ASSERT_SUCCESS(parse_device_string("bus=vfio_dmabuf,addr=0000:00:04.0,wc=0",
						    name, sizeof(name), &wc),
				"layered, wc=0");
	RTE_TEST_ASSERT(strcmp(name, "0000:00:04.0") == 0 && !wc,
			"layered, wc=0: device %s, wc=%d", name, wc);
	for (i = 0; i < RTE_DIM(bad); i++)
		RTE_TEST_ASSERT(parse_device_string(bad[i], name, sizeof(name), &wc) != 0,
				"\"%s\" accepted", bad[i]);
	return 0;
}

static int
test_devargs(void)
{
	bool default_wc = rte_eal_vfio_dmabuf_wc() != 0, wc;
	static const char * const bad[] = {
		"wc=2", "wc=", "wc=yes", "wc=1,wc=0", "nosuchkey=1", "wc=1,nosuchkey",
		"wc", /* found by lab/host/vfio_dmabuf_devargs_fuzz.c */
	};
	unsigned int i;

#ifdef RTE_VFIO_DMABUF_WC_DEFAULT
	default_wc = true;
#endif
	RTE_TEST_ASSERT_SUCCESS(parse_wc("", &wc), "no devargs");
	RTE_TEST_ASSERT_EQUAL(wc, default_wc, "no devargs: wc=%d, not the default %d",
			      wc, default_wc);
	RTE_TEST_ASSERT_SUCCESS(parse_wc("wc=1", &wc), "wc=1");
	RTE_TEST_ASSERT(wc, "wc=1 gave wc=0");
	RTE_TEST_ASSERT_SUCCESS(parse_wc("wc=0", &wc), "wc=0");
	RTE_TEST_ASSERT(!wc, "wc=0 gave wc=1");
	for (i = 0; i < RTE_DIM(bad); i++)
		RTE_TEST_ASSERT_EQUAL(parse_wc(bad[i], &wc), -EINVAL, "\"%s\" accepted", bad[i]);
	return 0;
}

static int
test_names(void)
{
	static const char * const good[] = { "0000:00:03.0", "00:03.0", "0000:ff:1f.7" };
	static const char * const bad[] = { "", "0000:00:03", "0000:00:03.0x",
					    "0000:100:03.0", "vfio_dmabuf", "zz:00.0" };
	struct rte_pci_addr addr;
	unsigned int i;

	for (i = 0; i < RTE_DIM(good); i++)
		RTE_TEST_ASSERT_SUCCESS(vfio_dmabuf_bus.bus.parse(good[i], &addr),
					"\"%s\" not parsed", good[i]);
	RTE_TEST_ASSERT(addr.domain == 0 && addr.bus == 0xff && addr.devid == 0x1f &&
			addr.function == 7, "0000:ff:1f.7 parsed wrong");
	for (i = 0; i < RTE_DIM(bad); i++)
		RTE_TEST_ASSERT(vfio_dmabuf_bus.bus.parse(bad[i], &addr) != 0,
				"\"%s\" parsed as a device name", bad[i]);
	return 0;
}

/* A kernel that answers every VFIO feature probe with ENOTTY */
static int
test_fallback_on_enotty(void)
{
	enum rte_vfio_dmabuf_method method;
	const char *why;
	int fd;

	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	RTE_TEST_ASSERT(fd >= 0, "/dev/null: %s", strerror(errno));
	method = rte_vfio_dmabuf_kernel_method(fd, 0, &why);
	close(fd);
	RTE_TEST_ASSERT_EQUAL(method, RTE_VFIO_DMABUF_METHOD_REGION,
			      "ENOTTY from the kernel gave method %s, not region",
			      rte_vfio_dmabuf_method_name(method));
	RTE_TEST_ASSERT(why != NULL && strstr(why, "VFIO_DEVICE_FEATURE_DMA_BUF") != NULL,
			"no reason given for the fallback");
	return 0;
}

/* A reply of @count ranges of BAR 0, one page each, every one with an fd */
static void
forge_reply(struct rte_mp_msg *msg, uint32_t nb_ranges, uint32_t count)
{
	struct vfio_dmabuf_mp_reply *rep = (void *)msg->param;
	uint32_t i;

	memset(msg, 0, sizeof(*msg));
	msg->len_param = sizeof(*rep);
	rep->method = RTE_VFIO_DMABUF_METHOD_DMABUF;
	rep->nb_ranges = nb_ranges;
	rep->count = count;
	for (i = 0; i < count && i < VFIO_DMABUF_MP_RANGES; i++) {
		rep->ranges[i].offset = i * PAGE;
		rep->ranges[i].len = PAGE;
		rep->ranges[i].has_fd = 1;
		msg->fds[msg->num_fds++] = open("/dev/null", O_RDONLY | O_CLOEXEC);
	}
}

/* Feed @msg to the secondary's side: its result; @msg's fds must be closed */
static int
take_forged_reply(struct rte_mp_msg *msg)
{
	struct rte_vfio_dmabuf_device dev;
	unsigned int total = 0;
	int i, ret;

	memset(&dev, 0, sizeof(dev));
	snprintf(dev.name, sizeof(dev.name), "selftest");
	dev.bars[0].addr = &dev; /* reserved, as far as the check goes */
	dev.bars[0].len = BAR_LEN;
	ret = vfio_dmabuf_mp_take_reply(&dev, 0, msg, &total);
	for (i = 0; ret > 0 && i < ret; i++)
		close(dev.ranges[i].dmabuf_fd);
	for (i = 0; i < msg->num_fds; i++)
		RTE_TEST_ASSERT(fcntl(msg->fds[i], F_GETFD) < 0,
				"fd %d of the reply left open", msg->fds[i]);
	return ret;
}

/* Replies a broken or hostile primary could send, in a secondary */
static int
test_mp_forged_replies(void)
{
	struct vfio_dmabuf_mp_reply *rep;
	struct rte_mp_msg msg;

	rep = (void *)msg.param;
	forge_reply(&msg, 2, 2);
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), 2, "a good reply refused");

	forge_reply(&msg, 16, VFIO_DMABUF_MP_RANGES);
	rep->count = VFIO_DMABUF_MP_RANGES + 1;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "count past the array");
	forge_reply(&msg, RTE_VFIO_DMABUF_MAX_RANGES + 1, 1);
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "more ranges than a device has");
	forge_reply(&msg, 1, 2);
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "count past nb_ranges");
	forge_reply(&msg, 2, 0);
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "no progress");
	forge_reply(&msg, 1, 1);
	msg.len_param = sizeof(*rep) - 1;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "short len_param");
	forge_reply(&msg, 2, 2);
	msg.num_fds = 1;
	close(msg.fds[1]);
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "fewer fds than ranges with one");
	forge_reply(&msg, 2, 2);
	rep->ranges[1].has_fd = 0;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "more fds than ranges with one");
	forge_reply(&msg, 1, 1);
	rep->ranges[0].bar = 1;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "a BAR not reserved");
	forge_reply(&msg, 1, 1);
	rep->ranges[0].offset = BAR_LEN - PAGE;
	rep->ranges[0].len = UINT64_MAX - PAGE;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "a range past the BAR");
	forge_reply(&msg, 1, 1);
	rep->ranges[0].obtained = 7;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "an unknown attribute");
	forge_reply(&msg, 0, 0);
	rep->result = 1;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -EPROTO, "a positive result");
	rep->result = -ENODEV;
	RTE_TEST_ASSERT_EQUAL(take_forged_reply(&msg), -ENODEV, "the primary's error lost");
	return 0;
}

/* The readers of the kernel's PAT list and page-table dump, on their formats */
static int
test_memtype_readers(void)
{
	static char pat_list[] =
		"PAT memtype list:\n"
		"PAT: [mem 0x00000000fe000000-0x00000000fe020000] uncached-minus\n"
		"PAT: [mem 0x00000000fe043000-0x00000000fe044000] write-combining\n"
		"PAT: [mem 0x00000000fe060000-0x00000000fe061000] uncached-minus\n"
		"PAT: [mem 0x00000000fe060000-0x00000000fe061000] write-combining\n";
	static char pte_dump[] =
		"---[ User Space ]---\n"
		"0x00007f0000000000-0x00007f0000003000 12K     pte\n"
		"0x00007f0000003000-0x00007f0000004000 4K USR RW     PWT     NX pte\n"
		"0x00007f0000004000-0x00007f0000005000 4K USR RW PCD     NX pte\n"
		"0x00007f0000005000-0x00007f0000006000 4K USR RW PCD PWT     NX pte\n"
		"0x00007f0000006000-0x00007f0000007000 4K USR ro     NX pte\n";
	static const struct {
		uint64_t phys, len;
		enum rte_vfio_dmabuf_memtype type;
	} pat[] = {
		{ 0xfe000000, 0x20000, RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS },
		{ 0xfe003000, 0x1000, RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS },
		{ 0xfe01f000, 0x2000, RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED },
		{ 0xfe043000, 0x1000, RTE_VFIO_DMABUF_MEMTYPE_WC },
		{ 0xfe042000, 0x2000, RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED },
		{ 0xfe050000, 0x1000, RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED },
		{ 0xfe060000, 0x1000, RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED },
	};
	static const struct {
		uintptr_t va;
		enum rte_vfio_dmabuf_memtype type;
	} pte[] = {
		{ 0x7f0000001000, RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED },
		{ 0x7f0000003000, RTE_VFIO_DMABUF_MEMTYPE_WC },
		{ 0x7f0000004800, RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS },
		{ 0x7f0000005000, RTE_VFIO_DMABUF_MEMTYPE_UC },
		{ 0x7f0000006000, RTE_VFIO_DMABUF_MEMTYPE_WB },
		{ 0x7f0000008000, RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED },
	};
	enum rte_vfio_dmabuf_memtype type;
	unsigned int i;
	FILE *f;

	f = fmemopen(pat_list, strlen(pat_list), "r");
	RTE_TEST_ASSERT_NOT_NULL(f, "fmemopen: %s", strerror(errno));
	for (i = 0; i < RTE_DIM(pat); i++) {
		type = rte_vfio_dmabuf_pat_type(f, pat[i].phys, pat[i].len);
		RTE_TEST_ASSERT_EQUAL(type, pat[i].type, "PAT [0x%" PRIx64 ", +0x%" PRIx64 "): %s, not %s",
				      pat[i].phys, pat[i].len, rte_vfio_dmabuf_memtype_name(type),
				      rte_vfio_dmabuf_memtype_name(pat[i].type));
	}
	fclose(f);
	f = fmemopen(pte_dump, strlen(pte_dump), "r");
	RTE_TEST_ASSERT_NOT_NULL(f, "fmemopen: %s", strerror(errno));
	for (i = 0; i < RTE_DIM(pte); i++) {
		type = rte_vfio_dmabuf_pte_type(f, (const void *)pte[i].va);
		RTE_TEST_ASSERT_EQUAL(type, pte[i].type, "PTE at 0x%" PRIxPTR ": %s, not %s",
				      pte[i].va, rte_vfio_dmabuf_memtype_name(type),
				      rte_vfio_dmabuf_memtype_name(pte[i].type));
	}
	fclose(f);
	return 0;
}

/* The parts of a region the fallback maps, from chains as the kernel writes them */
static int
test_mmap_areas(void)
{
	struct {
		struct vfio_region_info info;
		uint64_t caps[16];
	} buf;
	struct vfio_region_sparse_mmap_area areas[16];
	struct vfio_region_info_cap_sparse_mmap *sparse;
	struct vfio_info_cap_header *msix;
	const uint32_t first = sizeof(buf.info);
	size_t len;
	int n;

	memset(&buf, 0, sizeof(buf));
	buf.info.argsz = sizeof(buf.info);
	buf.info.flags = VFIO_REGION_INFO_FLAG_MMAP;
	buf.info.size = BAR_LEN;
	n = rte_vfio_dmabuf_mmap_areas(&buf.info, sizeof(buf.info), areas, RTE_DIM(areas));
	RTE_TEST_ASSERT(n == 1 && areas[0].offset == 0 && areas[0].size == BAR_LEN,
			"no capability: %d areas, not the whole BAR", n);

	/* MSI-X mappable first, then a sparse-mmap capability of two areas */
	msix = (void *)buf.caps;
	msix->id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE;
	msix->version = 1;
	msix->next = first + sizeof(*msix);
	sparse = (void *)(msix + 1);
	sparse->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sparse->header.version = 1;
	sparse->nr_areas = 2;
	sparse->areas[0].size = PAGE;
	sparse->areas[1].offset = 2 * PAGE;
	sparse->areas[1].size = BAR_LEN - 2 * PAGE;
	buf.info.flags |= VFIO_REGION_INFO_FLAG_CAPS;
	buf.info.cap_offset = first;
	len = first + sizeof(*msix) + sizeof(*sparse) + 2 * sizeof(areas[0]);
	buf.info.argsz = len;
	n = rte_vfio_dmabuf_mmap_areas(&buf.info, len, areas, RTE_DIM(areas));
	RTE_TEST_ASSERT(n == 2 && areas[0].offset == 0 && areas[0].size == PAGE &&
			areas[1].offset == 2 * PAGE && areas[1].size == BAR_LEN - 2 * PAGE,
			"two sparse areas: %d areas, or not as written", n);

	/* Each malformed chain is refused, nothing is read past @len */
	RTE_TEST_ASSERT_EQUAL(rte_vfio_dmabuf_mmap_areas(&buf.info, len - 1, areas, RTE_DIM(areas)),
			      -EINVAL, "an area past the buffer taken");
	RTE_TEST_ASSERT_EQUAL(rte_vfio_dmabuf_mmap_areas(&buf.info, len, areas, 1),
			      -EINVAL, "more areas than the caller has room for taken");
	sparse->areas[1].size = BAR_LEN;
	RTE_TEST_ASSERT_EQUAL(rte_vfio_dmabuf_mmap_areas(&buf.info, len, areas, RTE_DIM(areas)),
			      -EINVAL, "an area past the region taken");
	sparse->areas[1].size = BAR_LEN - 2 * PAGE;
	buf.info.cap_offset = first + 4;
	RTE_TEST_ASSERT_EQUAL(rte_vfio_dmabuf_mmap_areas(&buf.info, len, areas, RTE_DIM(areas)),
			      -EINVAL, "a misaligned capability taken");
	buf.info.cap_offset = 8;
	RTE_TEST_ASSERT_EQUAL(rte_vfio_dmabuf_mmap_areas(&buf.info, len, areas, RTE_DIM(areas)),
			      -EINVAL, "a capability inside the region info taken");
	buf.info.cap_offset = first;
	msix->next = first;
	RTE_TEST_ASSERT_EQUAL(rte_vfio_dmabuf_mmap_areas(&buf.info, len, areas, RTE_DIM(areas)),
			      -EINVAL, "a capability chain that loops taken");

	/* A sparse capability with no area: nothing of the BAR is mmap()able */
	msix->next = first + sizeof(*msix);
	sparse->nr_areas = 0;
	n = rte_vfio_dmabuf_mmap_areas(&buf.info, len, areas, RTE_DIM(areas));
	RTE_TEST_ASSERT_EQUAL(n, 0, "no sparse area: %d areas", n);
	return 0;
}

int
rte_vfio_dmabuf_selftest(void)
{
	static const struct {
		const char *name;
		int (*fn)(void);
	} tests[] = {
		{ "BAR ranges at the doorbells", test_plan_bar },
		{ "devargs", test_devargs },
		{ "layered devargs", test_layered_devargs },
		{ "device names", test_names },
		{ "fallback on ENOTTY", test_fallback_on_enotty },
		{ "forged multi-process replies", test_mp_forged_replies },
		{ "memory type readers", test_memtype_readers },
		{ "mmap areas of a region", test_mmap_areas },
	};
	unsigned int i, failed = 0;
	int ret;

	for (i = 0; i < RTE_DIM(tests); i++) {
		ret = tests[i].fn();
		VFIO_DMABUF_LOG(NOTICE, "selftest: %s: %s", tests[i].name,
				ret == 0 ? "ok" : "FAILED");
		failed += ret != 0;
	}
	return failed == 0 ? 0 : -1;
}
