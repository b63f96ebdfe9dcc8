/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * vfio_dmabuf_autotest: the devices on the vfio_dmabuf bus are mapped with
 * the attributes the kernel says they are.  What the bus reports (method,
 * attribute obtained per range) is checked against the kernel itself: its
 * answers to the VFIO feature probes, its PAT reservations
 * (x86/pat_memtype_list) and this process's page table entries
 * (page_tables/current_user).  Then the error paths: bad requests to the
 * kernel through the bus's uAPI header, and bad devargs, which must fail
 * with nothing left behind.  Last, the bus's SIGBUS handler while another
 * thread detaches the device, and a detach from the removal event.
 *
 * vfio_dmabuf_selftest_autotest runs the bus's own checks of what needs no
 * device, on any machine.
 *
 * Run with the devices named on the bus, e.g. in the lab:
 *   dpdk-test --vfio-dmabuf-wc -a vfio_dmabuf:0000:00:03.0 \
 *             -a vfio_dmabuf:0000:00:04.0 vfio_dmabuf_autotest
 * Without a device on the bus the suite is skipped, saying why.
 *
 * What the bus reports is checked against the kernel, and the kernel
 * against the caller: VFIO_DMABUF_TEST_EXPECT_WC=N says how many ranges of
 * each device must be WC (the caller knows its kernel and devices: the lab
 * sets 1 on our kernel with --vfio-dmabuf-wc, 0 elsewhere), so that a bus
 * and a kernel that agree on uncached still fail where WC was due.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <rte_bus.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include <bus_driver.h>
#include <bus_vfio_dmabuf_driver.h>
#include <rte_vfio_dmabuf_uapi.h>

#include "test.h"

#define MAX_DEVICES 4
#define PAT_LIST "/sys/kernel/debug/x86/pat_memtype_list"
#define PTE_DUMP "/sys/kernel/debug/page_tables/current_user"

static struct rte_bus *bus;
static struct rte_vfio_dmabuf_device *devices[MAX_DEVICES];
static unsigned int nb_devices;

static int
find_any(const struct rte_device *dev __rte_unused, const void *data __rte_unused)
{
	return 0;
}

static void
collect_devices(void)
{
	struct rte_device *dev = NULL;

	nb_devices = 0;
	while (nb_devices < MAX_DEVICES &&
	       (dev = bus->find_device(dev, find_any, NULL)) != NULL)
		if (rte_dev_is_probed(dev))
			devices[nb_devices++] = RTE_DEV_TO_VFIO_DMABUF(dev);
}

static int
vfio_dmabuf_suite_setup(void)
{
	bus = rte_bus_find_by_name(RTE_BUS_VFIO_DMABUF_NAME);
	if (bus == NULL) {
		printf("no %s bus in this build\n", RTE_BUS_VFIO_DMABUF_NAME);
		return TEST_SKIPPED;
	}
	collect_devices();
	if (nb_devices == 0) {
		printf("no device probed on the %s bus: bind one to vfio-pci and name it with -a %s:<PCI address> (doc/guides/linux_gsg/vfio_dmabuf.rst)\n",
		       RTE_BUS_VFIO_DMABUF_NAME, RTE_BUS_VFIO_DMABUF_NAME);
		return TEST_SKIPPED;
	}
	return TEST_SUCCESS;
}

/* VFIO_DEVICE_FEATURE with @len bytes of @data: what it returns, or -errno */
static int
device_feature(int vfio_fd, uint32_t flags, const void *data, size_t len)
{
	uint64_t buf[8];
	struct vfio_device_feature *feature = (void *)buf;
	int ret;

	memset(buf, 0, sizeof(buf));
	feature->argsz = sizeof(*feature) + len;
	feature->flags = flags;
	if (len != 0)
		memcpy(feature->data, data, len);
	ret = ioctl(vfio_fd, VFIO_DEVICE_FEATURE, feature);
	return ret < 0 ? -errno : ret;
}

/* A DMABUF of the first page of BAR @bar: its fd, or -errno */
static int
export_first_page(int vfio_fd, uint8_t bar)
{
	struct {
		struct vfio_device_feature_dma_buf hdr;
		struct vfio_region_dma_range range;
	} req;

	memset(&req, 0, sizeof(req));
	req.hdr.region_index = bar;
	req.hdr.open_flags = O_RDWR | O_CLOEXEC;
	req.hdr.nr_ranges = 1;
	req.range.length = getpagesize();
	return device_feature(vfio_fd, VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF,
			      &req, sizeof(req));
}

static int
set_memattr(int vfio_fd, int dmabuf_fd, uint32_t memattr)
{
	struct vfio_device_feature_dma_buf_memattr req = {
		.dmabuf_fd = dmabuf_fd,
		.memattr = memattr,
	};

	return device_feature(vfio_fd, VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &req, sizeof(req));
}

static bool
kernel_has_memattr(const struct rte_vfio_dmabuf_device *dev)
{
	return device_feature(dev->vfio_fd, VFIO_DEVICE_FEATURE_PROBE |
			      VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0) == 0;
}

static int
first_mapped_bar(const struct rte_vfio_dmabuf_device *dev)
{
	int bar;

	for (bar = 0; bar < PCI_MAX_RESOURCE; bar++)
		if (dev->bars[bar].addr != NULL)
			return bar;
	return -1;
}

/* The method the bus must have chosen, from what the kernel answers */
static enum rte_vfio_dmabuf_method
expected_method(const struct rte_vfio_dmabuf_device *dev)
{
	long page = getpagesize();
	void *map;
	int fd;

	if (kernel_has_memattr(dev))
		return RTE_VFIO_DMABUF_METHOD_DMABUF;
	fd = export_first_page(dev->vfio_fd, first_mapped_bar(dev));
	if (fd < 0)
		return RTE_VFIO_DMABUF_METHOD_REGION;
	map = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return RTE_VFIO_DMABUF_METHOD_REGION;
	munmap(map, page);
	return RTE_VFIO_DMABUF_METHOD_DMABUF_NC;
}

/* The bus chose the way to map each device that its kernel allows */
static int
test_method_follows_the_kernel(void)
{
	enum rte_vfio_dmabuf_method want;
	unsigned int i;

	for (i = 0; i < nb_devices; i++) {
		want = expected_method(devices[i]);
		printf("%s: kernel allows %s, bus mapped by %s\n", devices[i]->name,
		       rte_vfio_dmabuf_method_name(want),
		       rte_vfio_dmabuf_method_name(devices[i]->method));
		TEST_ASSERT_EQUAL(devices[i]->method, want,
				  "%s: mapped by %s where the kernel allows %s",
				  devices[i]->name,
				  rte_vfio_dmabuf_method_name(devices[i]->method),
				  rte_vfio_dmabuf_method_name(want));
	}
	return TEST_SUCCESS;
}

/*
 * VFIO_DMABUF_TEST_EXPECT_WC: -1 when the caller expects nothing, -2 when
 * it is not a count
 */
static int
expected_wc_ranges(void)
{
	const char *s = getenv("VFIO_DMABUF_TEST_EXPECT_WC");
	char *end;
	long n;

	if (s == NULL || *s == '\0')
		return -1;
	n = strtol(s, &end, 10);
	if (*end != '\0' || n < 0 || n > INT_MAX)
		return -2;
	return n;
}

/*
 * The ranges of each mapped BAR tile it from 0 to its end, each at its
 * place in the BAR's one mapping; doorbells are requested WC exactly when
 * the device asked for WC, and obtained WC only by the DMABUF method.
 */
static int
test_ranges_tile_the_bars(void)
{
	const struct rte_vfio_dmabuf_device *dev;
	const struct rte_vfio_dmabuf_range *r;
	unsigned int i, j, nb_wc;
	uint64_t next[PCI_MAX_RESOURCE];
	int expect_wc = expected_wc_ranges();

	TEST_ASSERT(expect_wc != -2, "VFIO_DMABUF_TEST_EXPECT_WC=%s is not a count",
		    getenv("VFIO_DMABUF_TEST_EXPECT_WC"));

	for (i = 0; i < nb_devices; i++) {
		dev = devices[i];
		memset(next, 0, sizeof(next));
		nb_wc = 0;
		for (j = 0; j < dev->nb_ranges; j++) {
			r = &dev->ranges[j];
			TEST_ASSERT(r->bar < PCI_MAX_RESOURCE && dev->bars[r->bar].addr != NULL,
				    "%s: range %u in an unmapped BAR%u", dev->name, j, r->bar);
			TEST_ASSERT_EQUAL(r->offset, next[r->bar],
					  "%s: BAR%u range %u starts at 0x%" PRIx64 ", not 0x%" PRIx64,
					  dev->name, r->bar, j, r->offset, next[r->bar]);
			TEST_ASSERT(r->addr == RTE_PTR_ADD(dev->bars[r->bar].addr, r->offset),
				    "%s: BAR%u range %u not at its place in the BAR's mapping",
				    dev->name, r->bar, j);
			TEST_ASSERT(r->requested == RTE_VFIO_DMABUF_ATTR_NC || dev->wc,
				    "%s: WC requested without WC asked for", dev->name);
			TEST_ASSERT(r->obtained == RTE_VFIO_DMABUF_ATTR_NC ||
				    (r->requested == RTE_VFIO_DMABUF_ATTR_WC &&
				     dev->method == RTE_VFIO_DMABUF_METHOD_DMABUF),
				    "%s: range %u obtained WC without asking or without MEMATTR",
				    dev->name, j);
			if (dev->method == RTE_VFIO_DMABUF_METHOD_DMABUF)
				TEST_ASSERT_EQUAL(r->obtained, r->requested,
						  "%s: range %u: %s requested, %s obtained",
						  dev->name, j,
						  rte_vfio_dmabuf_attr_name(r->requested),
						  rte_vfio_dmabuf_attr_name(r->obtained));
			TEST_ASSERT_EQUAL((r->dmabuf_fd < 0),
					  (dev->method == RTE_VFIO_DMABUF_METHOD_REGION),
					  "%s: range %u: DMABUF fd %d with method %s",
					  dev->name, j, r->dmabuf_fd,
					  rte_vfio_dmabuf_method_name(dev->method));
			nb_wc += r->obtained == RTE_VFIO_DMABUF_ATTR_WC;
			next[r->bar] = r->offset + r->len;
		}
		for (j = 0; j < PCI_MAX_RESOURCE; j++)
			if (dev->bars[j].addr != NULL)
				TEST_ASSERT_EQUAL(next[j], dev->bars[j].len,
						  "%s: BAR%u mapped up to 0x%" PRIx64 " of 0x%" PRIx64,
						  dev->name, j, next[j], dev->bars[j].len);
		printf("%s: %u ranges, %u WC, doorbells %s\n", dev->name,
		       dev->nb_ranges, nb_wc, dev->wc ? "WC requested" : "NC requested");
		if (expect_wc >= 0)
			TEST_ASSERT_EQUAL(nb_wc, (unsigned int)expect_wc,
					  "%s: %u WC ranges, the caller expects %d",
					  dev->name, nb_wc, expect_wc);
	}
	return TEST_SUCCESS;
}

/*
 * The type of the PAT entries covering [@start, @start + @len), or "" if
 * there are none, or one covers only part of it, or two differ (two
 * processes mapping the same pages have an entry each).
 */
static const char *
pat_entry_covering(FILE *f, uint64_t start, uint64_t len, char *type, size_t size)
{
	char line[256], name[64];
	bool mixed = false;
	uint64_t s, e;

	type[0] = '\0';
	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "PAT: [mem 0x%" SCNx64 "-0x%" SCNx64 "] %63s",
			   &s, &e, name) != 3 ||
		    e <= start || s >= start + len)
			continue;
		if (s > start || e < start + len ||
		    (type[0] != '\0' && strcmp(type, name) != 0))
			mixed = true;
		snprintf(type, size, "%s", name);
	}
	if (mixed)
		type[0] = '\0';
	return type;
}

/*
 * What the bus read back when it mapped @dev (before any page was touched,
 * so from the PAT list) against the PAT list @f itself: a range it
 * verified has exactly that reservation, one it left unverified has no
 * single reservation covering it, and a range the kernel accepted as WC
 * is verified write-combining.
 */
static int
check_verified_against_pat(FILE *f, const struct rte_vfio_dmabuf_device *dev)
{
	const struct rte_vfio_dmabuf_range *r;
	const char *verified;
	char type[64];
	unsigned int j;

	for (j = 0; j < dev->nb_ranges; j++) {
		r = &dev->ranges[j];
		verified = rte_vfio_dmabuf_memtype_name(r->verified);
		pat_entry_covering(f, dev->bars[r->bar].phys + r->offset, r->len,
				   type, sizeof(type));
		printf("%s: BAR%u [0x%" PRIx64 ", +0x%" PRIx64 ") %s: verified %s by %s, PAT list: %s\n",
		       dev->name, r->bar, r->offset, r->len,
		       rte_vfio_dmabuf_attr_name(r->requested), verified,
		       rte_vfio_dmabuf_verified_by_name(r->verified_by),
		       type[0] != '\0' ? type : "no reservation");
		TEST_ASSERT(r->verified_by != RTE_VFIO_DMABUF_VERIFIED_BY_PTE,
			    "%s: range %u verified by a PTE before any access",
			    dev->name, j);
		if (r->verified_by == RTE_VFIO_DMABUF_VERIFIED_BY_PAT)
			TEST_ASSERT(strcmp(type, verified) == 0,
				    "%s: range %u verified %s, the PAT list says %s",
				    dev->name, j, verified, type);
		else
			TEST_ASSERT(type[0] == '\0',
				    "%s: range %u unverified, the PAT list says %s",
				    dev->name, j, type);
		if (r->obtained == RTE_VFIO_DMABUF_ATTR_WC)
			TEST_ASSERT_EQUAL(r->verified, RTE_VFIO_DMABUF_MEMTYPE_WC,
					  "%s: range %u accepted as WC, verified %s",
					  dev->name, j, verified);
	}
	return TEST_SUCCESS;
}

/*
 * The kernel's PAT reservations inside each BAR: a WC entry for exactly
 * each range obtained WC, and none anywhere else; and the types the bus
 * read back, as above.
 */
static int
test_pat_reserves_what_the_bus_reports(void)
{
	const struct rte_vfio_dmabuf_device *dev;
	const struct rte_vfio_dmabuf_range *r;
	unsigned long long start, end;
	uint64_t phys, len;
	unsigned int i, j, seen;
	char line[256], type[64];
	bool found;
	FILE *f;
	int bar;

	f = fopen(PAT_LIST, "r");
	if (f == NULL) {
		printf("no %s (x86 with PAT and debugfs needed): %s\n", PAT_LIST, strerror(errno));
		return TEST_SKIPPED;
	}
	for (i = 0; i < nb_devices; i++) {
		dev = devices[i];
		for (bar = 0; bar < PCI_MAX_RESOURCE; bar++) {
			if (dev->bars[bar].addr == NULL)
				continue;
			phys = dev->bars[bar].phys;
			len = dev->bars[bar].len;
			TEST_ASSERT(phys != 0, "%s: BAR%d has no address in sysfs", dev->name, bar);
			seen = 0;
			rewind(f);
			while (fgets(line, sizeof(line), f) != NULL) {
				if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &start, &end, type) != 3 ||
				    start < phys || start >= phys + len ||
				    strcmp(type, "write-combining") != 0)
					continue;
				found = false;
				for (j = 0; j < dev->nb_ranges && !found; j++) {
					r = &dev->ranges[j];
					found = r->bar == bar &&
						r->obtained == RTE_VFIO_DMABUF_ATTR_WC &&
						start == phys + r->offset && end == start + r->len;
				}
				TEST_ASSERT(found, "%s: BAR%d +0x%llx..0x%llx is WC in the kernel, not by the bus",
					    dev->name, bar, start - phys, end - phys);
				seen++;
			}
			for (j = 0; j < dev->nb_ranges; j++)
				if (dev->ranges[j].bar == bar &&
				    dev->ranges[j].obtained == RTE_VFIO_DMABUF_ATTR_WC)
					seen--;
			TEST_ASSERT_EQUAL(seen, 0U, "%s: BAR%d: WC ranges of the bus missing in %s",
					  dev->name, bar, PAT_LIST);
		}
		if (check_verified_against_pat(f, dev) != TEST_SUCCESS)
			return TEST_FAILED;
	}
	fclose(f);
	return TEST_SUCCESS;
}

/*
 * This process's page table entries for the first page of each range:
 * with Linux's PAT table WC is PWT alone and UC- is PCD alone.  PTEs of a
 * DMABUF mapping exist only once faulted in, so the first word of each
 * range is read first (on an 82574L that can clear a statistics register:
 * run this before counting on them).
 */
static int
test_ptes_have_the_attribute(void)
{
	const struct rte_vfio_dmabuf_device *dev;
	const struct rte_vfio_dmabuf_range *r;
	unsigned long start, end, va;
	unsigned int i, j, checked = 0;
	char line[256];
	bool pwt, pcd, found;
	FILE *f;
	int n;

	if (access(PTE_DUMP, R_OK) != 0) {
		printf("no %s (needs CONFIG_PTDUMP_DEBUGFS and pti=on): %s\n",
		       PTE_DUMP, strerror(errno));
		return TEST_SKIPPED;
	}
	for (i = 0; i < nb_devices; i++) {
		for (j = 0; j < devices[i]->nb_ranges; j++)
			(void)*(volatile uint32_t *)devices[i]->ranges[j].addr;
		rte_vfio_dmabuf_verify(devices[i]);
	}

	/* One read of the dump: it walks every page table of the process */
	f = fopen(PTE_DUMP, "r");
	TEST_ASSERT_NOT_NULL(f, "%s: %s", PTE_DUMP, strerror(errno));
	for (i = 0; i < nb_devices; i++) {
		dev = devices[i];
		for (j = 0; j < dev->nb_ranges; j++) {
			r = &dev->ranges[j];
			va = (unsigned long)r->addr;
			found = false;
			rewind(f);
			while (!found && fgets(line, sizeof(line), f) != NULL)
				found = sscanf(line, "0x%lx-0x%lx %n", &start, &end, &n) >= 2 &&
					va >= start && va < end;
			TEST_ASSERT(found, "%s: no PTE for range %u at %p", dev->name, j, r->addr);
			pwt = strstr(line, " PWT ") != NULL;
			pcd = strstr(line, " PCD ") != NULL;
			if (r->obtained == RTE_VFIO_DMABUF_ATTR_WC)
				TEST_ASSERT(pwt && !pcd, "%s: WC range %u: PTE is not WC: %s",
					    dev->name, j, line + n);
			else
				TEST_ASSERT(pcd && !pwt, "%s: NC range %u: PTE is not UC-: %s",
					    dev->name, j, line + n);
			/* What the bus reads back once the page is touched */
			TEST_ASSERT(r->verified_by == RTE_VFIO_DMABUF_VERIFIED_BY_PTE &&
				    r->verified == (pwt ? RTE_VFIO_DMABUF_MEMTYPE_WC :
						    RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS),
				    "%s: range %u verified %s by %s, the PTE says otherwise: %s",
				    dev->name, j, rte_vfio_dmabuf_memtype_name(r->verified),
				    rte_vfio_dmabuf_verified_by_name(r->verified_by), line + n);
			checked++;
		}
	}
	fclose(f);
	printf("%u ranges: each PTE has the attribute the bus reports\n", checked);
	return TEST_SUCCESS;
}

/* The kernel's answers to bad MEMATTR requests, through our uAPI header */
static int
test_memattr_errors(void)
{
	const struct rte_vfio_dmabuf_device *dev = devices[0];
	int fd, other_fd, not_a_dmabuf, ret;

	if (!kernel_has_memattr(dev)) {
		printf("%s: kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR\n", dev->name);
		return TEST_SKIPPED;
	}
	fd = export_first_page(dev->vfio_fd, first_mapped_bar(dev));
	TEST_ASSERT(fd >= 0, "%s: export: %s", dev->name, strerror(-fd));

	ret = set_memattr(dev->vfio_fd, fd, 7);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "unknown attribute: %d, not -EINVAL", ret);
	ret = device_feature(dev->vfio_fd, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_GET |
			     VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "GET of a SET-only feature: %d, not -EINVAL", ret);
	ret = set_memattr(dev->vfio_fd, -1, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC);
	TEST_ASSERT_EQUAL(ret, -EBADF, "fd -1: %d, not -EBADF", ret);
	not_a_dmabuf = eventfd(0, EFD_CLOEXEC);
	TEST_ASSERT(not_a_dmabuf >= 0, "eventfd: %s", strerror(errno));
	ret = set_memattr(dev->vfio_fd, not_a_dmabuf, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC);
	close(not_a_dmabuf);
	TEST_ASSERT_EQUAL(ret, -EINVAL, "an eventfd: %d, not -EINVAL", ret);
	ret = set_memattr(dev->vfio_fd, fd, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_NC);
	TEST_ASSERT_EQUAL(ret, 0, "NC on our own DMABUF: %d", ret);

	if (nb_devices > 1) {
		other_fd = export_first_page(devices[1]->vfio_fd, first_mapped_bar(devices[1]));
		TEST_ASSERT(other_fd >= 0, "%s: export: %s", devices[1]->name, strerror(-other_fd));
		ret = set_memattr(dev->vfio_fd, other_fd, VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC);
		close(other_fd);
		TEST_ASSERT_EQUAL(ret, -ENODEV, "%s's DMABUF on %s: %d, not -ENODEV",
				  devices[1]->name, dev->name, ret);
	} else {
		printf("one device only: the other device's DMABUF is not tried\n");
	}
	close(fd);
	return TEST_SUCCESS;
}

static unsigned int
count_fds(void)
{
	struct dirent *e;
	unsigned int n = 0;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static int
find_by_name(const struct rte_device *dev, const void *name)
{
	return strcmp(rte_dev_name(dev), name);
}

static bool
probed_on_bus(const char *name)
{
	struct rte_device *dev = bus->find_device(NULL, find_by_name, name);

	return dev != NULL && rte_dev_is_probed(dev);
}

/*
 * Bad devargs and bad devices: each probe fails with nothing left behind
 * (no device probed, no fd), and the device probes again afterwards.  The
 * last device of the bus is removed for this and probed back with the
 * options it had.
 */
static int
test_bad_devargs_leave_nothing(void)
{
	static const char * const bad_args[] = { "wc=2", "wc=", "nosuchkey=1" };
	char name[RTE_DEV_NAME_MAX_LEN], devargs[RTE_DEV_NAME_MAX_LEN + 32];
	struct rte_vfio_dmabuf_device *dev = devices[nb_devices - 1];
	unsigned int i, fds;
	bool wc = dev->wc;
	int ret;

	snprintf(name, sizeof(name), "%s", dev->name);
	ret = rte_dev_remove(&dev->device);
	TEST_ASSERT_SUCCESS(ret, "%s: remove: %d", name, ret);
	fds = count_fds();

	for (i = 0; i < RTE_DIM(bad_args); i++) {
		snprintf(devargs, sizeof(devargs), "%s:%s,%s",
			 RTE_BUS_VFIO_DMABUF_NAME, name, bad_args[i]);
		ret = rte_dev_probe(devargs);
		TEST_ASSERT(ret < 0, "probe of \"%s\" succeeded", devargs);
		TEST_ASSERT(!probed_on_bus(name), "\"%s\" left the device probed", devargs);
		TEST_ASSERT_EQUAL(count_fds(), fds, "\"%s\" left %d fds open", devargs,
				  (int)(count_fds() - fds));
	}
	/* A PCI address with no function there, and the host bridge */
	snprintf(devargs, sizeof(devargs), "%s:0000:00:1e.7", RTE_BUS_VFIO_DMABUF_NAME);
	TEST_ASSERT(rte_dev_probe(devargs) < 0, "probe of \"%s\" succeeded", devargs);
	snprintf(devargs, sizeof(devargs), "%s:0000:00:00.0", RTE_BUS_VFIO_DMABUF_NAME);
	TEST_ASSERT(rte_dev_probe(devargs) < 0, "probe of \"%s\" succeeded", devargs);
	TEST_ASSERT_EQUAL(count_fds(), fds, "bad devices left %d fds open",
			  (int)(count_fds() - fds));

	snprintf(devargs, sizeof(devargs), "%s:%s,wc=%d", RTE_BUS_VFIO_DMABUF_NAME, name, wc);
	ret = rte_dev_probe(devargs);
	TEST_ASSERT_SUCCESS(ret, "probe of \"%s\" after the bad ones: %d", devargs, ret);
	collect_devices();
	TEST_ASSERT(probed_on_bus(name), "%s not back on the bus", name);
	return TEST_SUCCESS;
}

/* Remove the device @name and probe it back with @devargs: 0 or -errno */
static int
reprobe(const char *name, const char *devargs)
{
	struct rte_device *dev = bus->find_device(NULL, find_by_name, name);
	int ret;

	if (dev != NULL && rte_dev_is_probed(dev)) {
		ret = rte_dev_remove(dev);
		if (ret != 0)
			return ret;
	}
	return rte_dev_probe(devargs);
}

#define DETACH_CYCLES 20

struct detach_loop {
	char name[RTE_DEV_NAME_MAX_LEN];
	char devargs[RTE_DEV_NAME_MAX_LEN + 32];
	void *bar_addr;		/* the BAR the handler is called on */
	struct {
		void *addr;
		size_t len;
	} held[DETACH_CYCLES * PCI_MAX_RESOURCE];
	unsigned int nb_held;
	int ret;
	bool done;
};

/*
 * Keep the address space of a removed device's BARs until the test ends:
 * otherwise the next probe may map its BARs there, and the handler, still
 * called on the old address, takes them from the probe (the probe's reset
 * then reads anonymous memory and times out).  That is the handler doing
 * its job on a live mapping, not the race this test is about.
 */
static int
hold_address_space(struct detach_loop *loop, const struct rte_vfio_dmabuf_bar *bars)
{
	unsigned int i;
	void *addr;

	for (i = 0; i < PCI_MAX_RESOURCE; i++) {
		if (bars[i].addr == NULL)
			continue;
		addr = mmap(bars[i].addr, bars[i].len, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (addr == MAP_FAILED && errno == EEXIST)
			continue; /* already someone else's: no probe gets it either */
		if (addr != bars[i].addr) {
			if (addr != MAP_FAILED)
				munmap(addr, bars[i].len);
			return -ENOMEM;
		}
		loop->held[loop->nb_held].addr = addr;
		loop->held[loop->nb_held].len = bars[i].len;
		loop->nb_held++;
	}
	return 0;
}

/* Remove the device, keep its addresses, probe it again elsewhere */
static int
reprobe_elsewhere(struct detach_loop *loop)
{
	struct rte_vfio_dmabuf_bar bars[PCI_MAX_RESOURCE];
	struct rte_vfio_dmabuf_device *dev;
	struct rte_device *rte_dev;
	int ret;

	rte_dev = bus->find_device(NULL, find_by_name, loop->name);
	if (rte_dev == NULL || !rte_dev_is_probed(rte_dev))
		return -ENODEV;
	dev = RTE_DEV_TO_VFIO_DMABUF(rte_dev);
	memcpy(bars, dev->bars, sizeof(bars));
	ret = rte_dev_remove(rte_dev);
	if (ret != 0)
		return ret;
	ret = hold_address_space(loop, bars);
	if (ret != 0)
		return ret;
	ret = rte_dev_probe(loop->devargs);
	if (ret != 0)
		return ret;
	rte_dev = bus->find_device(NULL, find_by_name, loop->name);
	if (rte_dev == NULL)
		return -ENODEV;
	dev = RTE_DEV_TO_VFIO_DMABUF(rte_dev);
	__atomic_store_n(&loop->bar_addr, dev->bars[first_mapped_bar(dev)].addr,
			 __ATOMIC_RELEASE);
	return 0;
}

static void *
detach_loop(void *arg)
{
	struct detach_loop *loop = arg;
	unsigned int i;

	for (i = 0; i < DETACH_CYCLES && loop->ret == 0; i++)
		loop->ret = reprobe_elsewhere(loop);
	__atomic_store_n(&loop->done, true, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * EAL calls the bus's SIGBUS handler on whichever thread faulted, at any
 * time: here without pause, with an address in the last device's BAR,
 * while another thread detaches and probes that device again and again.
 * The handler must take the address as the device's while it is mapped,
 * never touch a device being detached, and leave the device whole.
 */
static int
test_sigbus_beside_detach(void)
{
	struct rte_vfio_dmabuf_device *dev = devices[nb_devices - 1];
	uint64_t calls[3] = { 0, 0, 0 };
	struct detach_loop loop;
	unsigned int i, fds;
	pthread_t thread;
	void *addr;
	int ret;

	memset(&loop, 0, sizeof(loop));
	snprintf(loop.name, sizeof(loop.name), "%s", dev->name);
	snprintf(loop.devargs, sizeof(loop.devargs), "%s:%s,wc=%d",
		 RTE_BUS_VFIO_DMABUF_NAME, dev->name, dev->wc);
	fds = count_fds();
	loop.bar_addr = dev->bars[first_mapped_bar(dev)].addr;
	ret = bus->sigbus_handler(loop.bar_addr);
	TEST_ASSERT_EQUAL(ret, 0, "%s: SIGBUS in its BAR%d: handler returned %d",
			  loop.name, first_mapped_bar(dev), ret);

	TEST_ASSERT_SUCCESS(pthread_create(&thread, NULL, detach_loop, &loop),
			    "cannot start the detach thread");
	while (!__atomic_load_n(&loop.done, __ATOMIC_ACQUIRE)) {
		addr = __atomic_load_n(&loop.bar_addr, __ATOMIC_ACQUIRE);
		ret = bus->sigbus_handler(addr);
		calls[ret < 0 ? 2 : ret]++;
	}
	pthread_join(thread, NULL);
	for (i = 0; i < loop.nb_held; i++)
		munmap(loop.held[i].addr, loop.held[i].len);
	printf("%s: %d detach/probe cycles; SIGBUS handler: %" PRIu64 " ours, %"
	       PRIu64 " not ours, %" PRIu64 " failed\n",
	       loop.name, DETACH_CYCLES, calls[0], calls[1], calls[2]);
	TEST_ASSERT_SUCCESS(loop.ret, "%s: detach/probe: %d", loop.name, loop.ret);
	TEST_ASSERT_EQUAL(calls[2], 0U, "the SIGBUS handler failed %" PRIu64 " times",
			  calls[2]);

	/* The last handler may have hit the new mapping: start afresh */
	ret = reprobe(loop.name, loop.devargs);
	TEST_ASSERT_SUCCESS(ret, "%s: probe after the loop: %d", loop.name, ret);
	collect_devices();
	TEST_ASSERT(probed_on_bus(loop.name), "%s not back on the bus", loop.name);
	TEST_ASSERT_EQUAL(count_fds(), fds, "%d fds more than before",
			  (int)(count_fds() - fds));
	return TEST_SUCCESS;
}

static int
detach_on_rmv(uint16_t port_id, enum rte_eth_event_type type __rte_unused,
	      void *arg, void *ret_param __rte_unused)
{
	struct rte_eth_dev_info info;
	int *result = arg;

	if (rte_eth_dev_info_get(port_id, &info) != 0)
		*result = -ENODEV;
	else
		*result = rte_dev_remove(info.device);
	return 0;
}

/*
 * An application that detaches a port from its RTE_ETH_EVENT_INTR_RMV
 * callback, which runs inside the bus's removal callback on EAL's
 * interrupt thread.  Twice: the second time finds what the first left.
 */
static int
test_detach_from_removal_event(void)
{
	char name[RTE_DEV_NAME_MAX_LEN], devargs[RTE_DEV_NAME_MAX_LEN + 32];
	struct rte_vfio_dmabuf_device *dev;
	unsigned int round, fds, waited;
	int ret, detached;

	dev = devices[nb_devices - 1];
	snprintf(name, sizeof(name), "%s", dev->name);
	snprintf(devargs, sizeof(devargs), "%s:%s,wc=%d", RTE_BUS_VFIO_DMABUF_NAME,
		 name, dev->wc);
	fds = count_fds();
	for (round = 1; round <= 2; round++) {
		dev = devices[nb_devices - 1];
		detached = 1;
		ret = rte_eth_dev_callback_register(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RMV,
						    detach_on_rmv, &detached);
		TEST_ASSERT_SUCCESS(ret, "cannot register for RTE_ETH_EVENT_INTR_RMV");
		ret = bus->sigbus_handler(dev->bars[first_mapped_bar(dev)].addr);
		for (waited = 0; waited < 10000 &&
		     __atomic_load_n(&detached, __ATOMIC_ACQUIRE) == 1; waited += 10)
			rte_delay_ms(10);
		rte_eth_dev_callback_unregister(RTE_ETH_ALL, RTE_ETH_EVENT_INTR_RMV,
						detach_on_rmv, &detached);
		TEST_ASSERT_EQUAL(ret, 0, "round %u: SIGBUS handler returned %d", round, ret);
		TEST_ASSERT(detached != 1, "round %u: %s not detached after %u ms",
			    round, name, waited);
		TEST_ASSERT_SUCCESS(detached, "round %u: detach from the event: %d",
				    round, detached);
		TEST_ASSERT(!probed_on_bus(name), "round %u: %s still probed", round, name);
		ret = rte_dev_probe(devargs);
		TEST_ASSERT_SUCCESS(ret, "round %u: probe after the detach: %d", round, ret);
		collect_devices();
		TEST_ASSERT_EQUAL(count_fds(), fds, "round %u: %d fds more than before",
				  round, (int)(count_fds() - fds));
		printf("round %u: %s detached from its removal event in %u ms, probed again\n",
		       round, name, waited);
	}
	return TEST_SUCCESS;
}

static struct unit_test_suite vfio_dmabuf_testsuite = {
	.suite_name = "vfio_dmabuf bus: mapping attributes",
	.setup = vfio_dmabuf_suite_setup,
	.unit_test_cases = {
		TEST_CASE(test_method_follows_the_kernel),
		TEST_CASE(test_ranges_tile_the_bars),
		TEST_CASE(test_pat_reserves_what_the_bus_reports),
		TEST_CASE(test_ptes_have_the_attribute),
		TEST_CASE(test_memattr_errors),
		TEST_CASE(test_bad_devargs_leave_nothing),
		TEST_CASE(test_sigbus_beside_detach),
		TEST_CASE(test_detach_from_removal_event),
		TEST_CASES_END()
	}
};

static int
test_vfio_dmabuf(void)
{
	return unit_test_suite_runner(&vfio_dmabuf_testsuite);
}

REGISTER_TEST_COMMAND(vfio_dmabuf_autotest, test_vfio_dmabuf);

/* The bus's own checks of what needs no device: run anywhere */
static int
test_vfio_dmabuf_selftest(void)
{
	return rte_vfio_dmabuf_selftest();
}

REGISTER_TEST_COMMAND(vfio_dmabuf_selftest_autotest, test_vfio_dmabuf_selftest);
