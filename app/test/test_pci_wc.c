/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * pci_wc_autotest: bus/pci maps write-combining, under vfio-pci, the
 * prefetchable BARs of a driver with RTE_PCI_DRV_WC_ACTIVATE when WC is
 * asked, and only those.  The device is QEMU's ivshmem-plain (1af4:1110):
 * BAR0 its registers (not prefetchable), BAR2 shared memory that the host
 * sees in a file (64-bit prefetchable).  A driver of this test with the
 * flag takes it; the BAR memory types are read back from the kernel (its
 * PAT reservations and this process's page-table entries, which must
 * agree), a pattern is written through BAR2 and read by a secondary
 * process, BAR2 faults while the device's memory decode is off, and the
 * device is detached and attached again, then removed by the kernel while
 * mapped.  Each process says how many of its probes bus/pci must have
 * reported ("pci_wc: DEV: N probe(s) to report"): the lab counts
 * bus/pci's reports in the log against these.
 *
 * The caller says what the kernel must give, as it knows its kernel:
 *   PCI_WC_TEST_EXPECT   the memory type of BAR2: "write-combining" or
 *                        "uncached-minus" (required)
 *   PCI_WC_TEST_OFFSET   where in BAR2 this run writes its pattern
 *   PCI_WC_TEST_OUT      a file to which the pattern is written too, so
 *                        that the host compares it with the device's memory
 *   PCI_WC_TEST_REMOVE   1: the kernel may remove the device and find it
 *                        again (sysfs remove and rescan)
 * Run with the device named for bus/pci, e.g. in the lab:
 *   dpdk-test --vfio-dmabuf-wc -a 0000:00:07.0 pci_wc_autotest
 *   dpdk-test -a bus=pci,addr=0000:00:07.0,wc=1 pci_wc_autotest
 * Without such a device the suite is skipped, saying why.
 */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/pci_regs.h>

#include <rte_bus.h>
#include <rte_alarm.h>
#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_devargs.h>
#include <rte_io.h>
#include <rte_random.h>

#include <bus_driver.h>
#include <bus_pci_driver.h>

#include "test.h"
#include "process.h"

#define PAT_LIST "/sys/kernel/debug/x86/pat_memtype_list"
#define SHM_BAR 2
#define REG_BAR 0
#define PATTERN_LEN (64 * 1024)
#define HOTPLUG_CYCLES 100

static const struct rte_pci_id ivshmem_ids[] = {
	{ RTE_PCI_DEVICE(0x1af4, 0x1110) },
	{ .vendor_id = 0 },
};

static struct rte_pci_device *probed;
static char probed_name[PCI_PRI_STR_SIZE];
static unsigned int nb_probes;

static int
wc_drv_probe(struct rte_pci_driver *drv __rte_unused, struct rte_pci_device *dev)
{
	probed = dev;
	snprintf(probed_name, sizeof(probed_name), "%s", dev->name);
	nb_probes++;
	return 0;
}

static int
wc_drv_remove(struct rte_pci_device *dev)
{
	if (probed == dev)
		probed = NULL;
	return 0;
}

static struct rte_pci_driver wc_drv = {
	.driver = { .name = "test_pci_wc" },
	.id_table = ivshmem_ids,
	.probe = wc_drv_probe,
	.remove = wc_drv_remove,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING | RTE_PCI_DRV_WC_ACTIVATE,
};

/*
 * Registered at start-up, as a PMD is, so that EAL probes the device when
 * it is named (in this process and in the secondary process it starts).
 */
RTE_INIT(test_pci_wc_driver_register)
{
	rte_pci_register(&wc_drv);
}

/*
 * Memory types as this unit reads them from the kernel, with parsers of
 * its own: bus/pci verifies and reports its mappings with EAL's, which
 * are part of the code under test.
 */
enum memtype {
	MEMTYPE_NONE, /* the kernel shows none */
	MEMTYPE_WB,
	MEMTYPE_WC,
	MEMTYPE_UC_MINUS,
	MEMTYPE_UC,
	MEMTYPE_WT,
	MEMTYPE_WP,
	MEMTYPE_UNKNOWN, /* a name this unit does not know */
	MEMTYPE_CONFLICT, /* two types, or a type for a part of the range */
};

/* The kernel's names of the types, as in its PAT list */
static const char * const memtype_names[] = {
	[MEMTYPE_NONE] = "none shown",
	[MEMTYPE_WB] = "write-back",
	[MEMTYPE_WC] = "write-combining",
	[MEMTYPE_UC_MINUS] = "uncached-minus",
	[MEMTYPE_UC] = "uncached",
	[MEMTYPE_WT] = "write-through",
	[MEMTYPE_WP] = "write-protected",
	[MEMTYPE_UNKNOWN] = "unknown",
	[MEMTYPE_CONFLICT] = "conflicting",
};

static const char *
memtype_name(enum memtype type)
{
	return memtype_names[type];
}

/* The type the kernel calls by the @len characters at @name */
static enum memtype
memtype_by_name(const char *name, size_t len)
{
	enum memtype type;

	for (type = MEMTYPE_WB; type <= MEMTYPE_WP; type++)
		if (strlen(memtype_names[type]) == len &&
		    strncmp(name, memtype_names[type], len) == 0)
			return type;
	return MEMTYPE_UNKNOWN;
}

/* A line of the PAT list: "PAT: [mem 0xSTART-0xEND] TYPE", END excluded */
struct pat_entry {
	uint64_t start;
	uint64_t end;
	enum memtype type;
};

static bool
pat_entry_parse(const char *line, struct pat_entry *entry)
{
	static const char lead[] = "PAT: [mem ";
	char *p;

	if (strncmp(line, lead, strlen(lead)) != 0)
		return false;
	entry->start = strtoull(line + strlen(lead), &p, 16);
	if (*p != '-')
		return false;
	entry->end = strtoull(p + 1, &p, 16);
	if (strncmp(p, "] ", 2) != 0)
		return false;
	p += 2;
	entry->type = memtype_by_name(p, strcspn(p, "\n"));
	return true;
}

/*
 * The type of the PAT reservations of [@phys, @phys + @len): the type of
 * those that cover it whole, none if none touches it, a conflict if one
 * covers a part only or two differ.
 */
static enum memtype
pat_memtype(uint64_t phys, uint64_t len)
{
	enum memtype type = MEMTYPE_NONE;
	struct pat_entry entry;
	char line[256];
	FILE *f;

	f = fopen(PAT_LIST, "r");
	if (f == NULL)
		return MEMTYPE_NONE;
	while (type != MEMTYPE_CONFLICT && fgets(line, sizeof(line), f) != NULL) {
		if (!pat_entry_parse(line, &entry) ||
		    entry.end <= phys || entry.start >= phys + len)
			continue;
		if (entry.start > phys || entry.end < phys + len ||
		    (type != MEMTYPE_NONE && type != entry.type))
			type = MEMTYPE_CONFLICT;
		else
			type = entry.type;
	}
	fclose(f);
	return type;
}

/*
 * The PAT MSR as Linux programs it ("x86/PAT: Configuration [0-7]: WB WC
 * UC- UC WB WP UC- WT"), indexed by an entry's PAT << 2 | PCD << 1 | PWT.
 */
static const enum memtype pat_msr[8] = {
	MEMTYPE_WB, MEMTYPE_WC, MEMTYPE_UC_MINUS, MEMTYPE_UC,
	MEMTYPE_WB, MEMTYPE_WP, MEMTYPE_UC_MINUS, MEMTYPE_WT,
};

/* The dump's names of the cache bits, bit 0 (PWT) first */
static const char * const cache_bit_names[] = { "PWT", "PCD", "PAT" };

/*
 * A line of the page-table dump: "0xSTART-0xEND  SIZE FLAGS... LEVEL".
 * The flags of a present entry include "RW" or "ro"; an entry not present
 * has none.
 */
struct pte_range {
	uintptr_t start;
	uintptr_t end;
	bool present;
	unsigned int cache_bits; /* the PAT MSR index */
};

static bool
pte_range_parse(char *line, struct pte_range *range)
{
	char *p, *flag, *save;
	unsigned int bit;

	if (strncmp(line, "0x", 2) != 0)
		return false;
	range->start = strtoull(line, &p, 16);
	if (*p != '-')
		return false;
	range->end = strtoull(p + 1, &p, 16);
	range->present = false;
	range->cache_bits = 0;
	for (flag = strtok_r(p, " \n", &save); flag != NULL; flag = strtok_r(NULL, " \n", &save)) {
		if (strcmp(flag, "RW") == 0 || strcmp(flag, "ro") == 0)
			range->present = true;
		for (bit = 0; bit < RTE_DIM(cache_bit_names); bit++)
			if (strcmp(flag, cache_bit_names[bit]) == 0)
				range->cache_bits |= RTE_BIT32(bit);
	}
	return true;
}

/*
 * This process's page tables: the kernel's dump (CONFIG_PTDUMP_DEBUGFS),
 * the user part included, else current_user alone, which the lab's module
 * gives the kernels without it (Debian's).
 */
static FILE *
pte_dump_open(void)
{
	static const char * const dumps[] = {
		"/sys/kernel/debug/page_tables/current_kernel",
		"/sys/kernel/debug/page_tables/current_user",
	};
	unsigned int i;
	FILE *f = NULL;

	for (i = 0; f == NULL && i < RTE_DIM(dumps); i++)
		f = fopen(dumps[i], "r");
	return f;
}

static bool
pte_dump_readable(void)
{
	FILE *f = pte_dump_open();

	if (f == NULL)
		return false;
	fclose(f);
	return true;
}

/*
 * The type of this process's page-table entry at @addr, read once first
 * so that the entry exists; none without a dump or an entry.
 */
static enum memtype
pte_memtype(const volatile void *addr)
{
	uintptr_t va = (uintptr_t)addr;
	enum memtype type = MEMTYPE_NONE;
	struct pte_range range;
	char line[256];
	FILE *f;

	(void)rte_read32(addr);
	f = pte_dump_open();
	if (f == NULL)
		return MEMTYPE_NONE;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (!pte_range_parse(line, &range) || va < range.start || va >= range.end)
			continue;
		if (range.present)
			type = pat_msr[range.cache_bits];
		break;
	}
	fclose(f);
	return type;
}

/*
 * The memory type of @res's mapping as the kernel shows it: this
 * process's page-table entry, else the PAT reservation of its pages.
 * Where both show one they must agree.
 */
static enum memtype
mapping_type(const struct rte_mem_resource *res)
{
	enum memtype pte = pte_memtype(res->addr);
	enum memtype pat = pat_memtype(res->phys_addr, res->len);

	if (pte != MEMTYPE_NONE && pat != MEMTYPE_NONE && pte != pat) {
		printf("[0x%" PRIx64 ", +0x%" PRIx64 "): page-table entry %s, PAT reservation %s\n",
		       res->phys_addr, res->len, memtype_name(pte), memtype_name(pat));
		return MEMTYPE_CONFLICT;
	}
	return pte != MEMTYPE_NONE ? pte : pat;
}

static enum memtype expected;
/* The string the device was named with, to attach it again */
static char devargs[128];

/* The memory type BAR2 must have, from PCI_WC_TEST_EXPECT */
static int
expected_from_env(void)
{
	const char *want = getenv("PCI_WC_TEST_EXPECT");

	expected = want != NULL ? memtype_by_name(want, strlen(want)) : MEMTYPE_UNKNOWN;
	if (expected == MEMTYPE_UNKNOWN) {
		printf("PCI_WC_TEST_EXPECT must name the memory type BAR2 must have (write-combining, uncached-minus)\n");
		return -1;
	}
	return 0;
}

/*
 * bus/pci says once per probe what WC became where WC was asked: the lab
 * counts those reports against the sum of the numbers of these lines.
 */
static void
print_probes_to_report(unsigned int n, const char *whose)
{
	printf("pci_wc: %s: %u probe(s) to report (%s)\n", probed_name, n, whose);
}

static int
pci_wc_suite_setup(void)
{
	if (probed == NULL) {
		printf("no device probed: name an ivshmem-plain device (1af4:1110) bound to vfio-pci with -a <PCI address>\n");
		return TEST_SKIPPED;
	}
	if (expected_from_env() != 0)
		return TEST_FAILED;
	if (access(PAT_LIST, R_OK) != 0) {
		printf("the kernel's PAT list (debugfs) is needed\n");
		return TEST_FAILED;
	}
	if (probed->device.devargs != NULL && probed->device.devargs->bus_str != NULL &&
	    strncmp(probed->device.devargs->bus_str, "bus=", 4) == 0)
		snprintf(devargs, sizeof(devargs), "%s", probed->device.devargs->bus_str);
	else
		snprintf(devargs, sizeof(devargs), "%s", probed->name);
	return TEST_SUCCESS;
}

static void
pci_wc_suite_teardown(void)
{
	print_probes_to_report(nb_probes, "the primary process: all its probes");
}

/* What the kernel shows of BAR @bar's mapping, for the log */
static void
print_evidence(int bar, const struct rte_mem_resource *res)
{
	printf("BAR%d [0x%" PRIx64 ", +0x%" PRIx64 "): page-table entry %s, PAT reservation %s\n",
	       bar, res->phys_addr, res->len, memtype_name(pte_memtype(res->addr)),
	       memtype_name(pat_memtype(res->phys_addr, res->len)));
}

static int
test_bar2_has_the_memory_type_asked(void)
{
	const struct rte_mem_resource *shm = &probed->mem_resource[SHM_BAR];
	const struct rte_mem_resource *reg = &probed->mem_resource[REG_BAR];
	enum memtype t;

	TEST_ASSERT(shm->addr != NULL && shm->len != 0, "BAR%d is not mapped", SHM_BAR);
	print_evidence(SHM_BAR, shm);
	t = mapping_type(shm);
	TEST_ASSERT_EQUAL(t, expected, "BAR%d is mapped %s, not %s", SHM_BAR,
			  memtype_name(t), memtype_name(expected));
	/*
	 * A WC mapping always holds a WC reservation of the whole BAR; a
	 * region mmap() holds an uncached one, or none where vfio-pci inserts
	 * its pages at fault time (the vfio-dmabuf series).
	 */
	t = pat_memtype(shm->phys_addr, shm->len);
	if (expected == MEMTYPE_WC)
		TEST_ASSERT_EQUAL(t, expected, "BAR%d's PAT reservation is %s, not %s", SHM_BAR,
				  memtype_name(t), memtype_name(expected));
	else
		TEST_ASSERT(t != MEMTYPE_WC, "BAR%d mapped %s, reserved write-combining",
			    SHM_BAR, memtype_name(expected));

	/* The register BAR is not prefetchable: never WC, whatever was asked */
	TEST_ASSERT(pat_memtype(reg->phys_addr, reg->len) != MEMTYPE_WC,
		    "BAR%d (registers) reserved write-combining", REG_BAR);
	if (reg->addr != NULL && pte_dump_readable()) {
		print_evidence(REG_BAR, reg);
		t = mapping_type(reg);
		TEST_ASSERT_EQUAL(t, MEMTYPE_UC_MINUS, "BAR%d (registers) mapped %s", REG_BAR,
				  memtype_name(t));
	}
	return TEST_SUCCESS;
}

/* This run's pattern: where in BAR2, and from what seed */
static uint64_t pattern_offset;
static uint64_t pattern_seed;

static uint64_t
pattern_word(unsigned int i)
{
	return pattern_seed ^ ((uint64_t)i * 0x9e3779b97f4a7c15ULL);
}

static volatile uint64_t *
pattern_in_bar(void)
{
	return RTE_PTR_ADD(probed->mem_resource[SHM_BAR].addr, pattern_offset);
}

/*
 * Write @invert ^ the pattern through BAR2 with 64-bit stores, then the
 * write barrier that orders them before any later store (rte_wmb(): on x86
 * an sfence, which drains the write-combining buffers).
 */
static void
pattern_write(uint64_t invert)
{
	volatile uint64_t *bar = pattern_in_bar();
	unsigned int i;

	for (i = 0; i < PATTERN_LEN / sizeof(uint64_t); i++)
		rte_write64_relaxed(invert ^ pattern_word(i), &bar[i]);
	rte_wmb();
}

/* The first word of BAR2 that is not @invert ^ the pattern, or -1 */
static int
pattern_check(uint64_t invert)
{
	volatile uint64_t *bar = pattern_in_bar();
	unsigned int i;

	for (i = 0; i < PATTERN_LEN / sizeof(uint64_t); i++)
		if (rte_read64_relaxed(&bar[i]) != (invert ^ pattern_word(i)))
			return i;
	return -1;
}

/*
 * The pattern written through BAR2 reads back; the host compares the
 * device's memory with PCI_WC_TEST_OUT after the run.
 */
static int
test_pattern_reaches_the_device(void)
{
	const char *off_env = getenv("PCI_WC_TEST_OFFSET");
	const char *out = getenv("PCI_WC_TEST_OUT");
	uint64_t word;
	unsigned int i;
	int bad;
	FILE *f;

	pattern_offset = off_env != NULL ? strtoull(off_env, NULL, 0) : 0;
	pattern_seed = rte_rand();
	TEST_ASSERT(pattern_offset % sizeof(uint64_t) == 0 &&
		    pattern_offset + PATTERN_LEN <= probed->mem_resource[SHM_BAR].len,
		    "PCI_WC_TEST_OFFSET 0x%" PRIx64 " does not leave room in BAR%d",
		    pattern_offset, SHM_BAR);
	pattern_write(0);
	bad = pattern_check(0);
	TEST_ASSERT(bad < 0, "BAR%d word %d reads back otherwise", SHM_BAR, bad);
	if (out != NULL) {
		f = fopen(out, "w");
		TEST_ASSERT(f != NULL, "%s: %s", out, strerror(errno));
		for (i = 0; i < PATTERN_LEN / sizeof(uint64_t); i++) {
			word = pattern_word(i);
			TEST_ASSERT(fwrite(&word, sizeof(word), 1, f) == 1, "%s: short write", out);
		}
		TEST_ASSERT(fclose(f) == 0, "%s: %s", out, strerror(errno));
	}
	printf("%u bytes written at BAR%d + 0x%" PRIx64 " and read back\n",
	       PATTERN_LEN, SHM_BAR, pattern_offset);
	return TEST_SUCCESS;
}

/*
 * A secondary process maps BAR2 as this one did: the same memory type,
 * and the bytes this process wrote; what it writes then reaches this one.
 */
static int
test_secondary_sees_the_same(void)
{
	char prefix[PATH_MAX], file_prefix[PATH_MAX + 16], seed[32], offset[32];
	const char *argv[] = {
		prgname, "-l", "0", "--proc-type=secondary", file_prefix,
		"--log-level=lib.eal:notice",
	};
	int ret, bad;

	TEST_ASSERT(get_current_prefix(prefix, sizeof(prefix)) != NULL,
		    "cannot tell this process's file prefix");
	snprintf(file_prefix, sizeof(file_prefix), "--file-prefix=%s", prefix);
	snprintf(seed, sizeof(seed), "0x%" PRIx64, pattern_seed);
	snprintf(offset, sizeof(offset), "0x%" PRIx64, pattern_offset);
	setenv("PCI_WC_TEST_SEED", seed, 1);
	setenv("PCI_WC_TEST_OFFSET", offset, 1);
	/* The child would print again what is still buffered */
	fflush(stdout);
	ret = process_dup(argv, RTE_DIM(argv), "test_pci_wc_secondary");
	TEST_ASSERT_EQUAL(ret, 0, "the secondary process failed (%d)", ret);
	bad = pattern_check(~0ULL);
	TEST_ASSERT(bad < 0, "BAR%d word %d: not what the secondary wrote", SHM_BAR, bad);
	/* Leave the pattern for the host to compare */
	pattern_write(0);
	return TEST_SUCCESS;
}

/* Whether this process maps @addr from a DMABUF */
static bool
mapped_from_dmabuf(const void *addr)
{
	uintptr_t va = (uintptr_t)addr, start, end;
	char line[512];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = sscanf(line, "%" SCNxPTR "-%" SCNxPTR, &start, &end) == 2 &&
			va >= start && va < end && strstr(line, "dmabuf") != NULL;
	fclose(f);
	return found;
}

/* The secondary process that test_secondary_sees_the_same() starts */
int
test_pci_wc_secondary_child(void)
{
	const char *seed = getenv("PCI_WC_TEST_SEED");
	const char *offset = getenv("PCI_WC_TEST_OFFSET");
	enum memtype t;
	int bad;

	if (probed == NULL || seed == NULL || offset == NULL || expected_from_env() != 0) {
		printf("secondary: no device probed, or no PCI_WC_TEST_SEED/OFFSET\n");
		return -1;
	}
	/* It asks for nothing: it maps the primary's DMABUFs, and reports them */
	if (mapped_from_dmabuf(probed->mem_resource[SHM_BAR].addr))
		print_probes_to_report(nb_probes, "a secondary process, BAR2 from a DMABUF");
	else
		print_probes_to_report(0, "a secondary process, BAR2 not from a DMABUF");
	pattern_seed = strtoull(seed, NULL, 0);
	pattern_offset = strtoull(offset, NULL, 0);
	t = mapping_type(&probed->mem_resource[SHM_BAR]);
	if (t != expected) {
		printf("secondary: BAR%d is mapped %s, not %s\n", SHM_BAR,
		       memtype_name(t), memtype_name(expected));
		return -1;
	}
	bad = pattern_check(0);
	if (bad >= 0) {
		printf("secondary: BAR%d word %d is not what the primary wrote\n", SHM_BAR, bad);
		return -1;
	}
	pattern_write(~0ULL);
	printf("secondary: BAR%d %s, the primary's %u bytes read, their inverse written\n",
	       SHM_BAR, memtype_name(t), PATTERN_LEN);
	return 0;
}

static sigjmp_buf sigbus_jump;
static volatile sig_atomic_t sigbus_seen;

static void
on_sigbus(int sig __rte_unused)
{
	sigbus_seen = 1;
	siglongjmp(sigbus_jump, 1);
}

static int
set_memory_decode(bool on)
{
	uint16_t cmd;

	if (rte_pci_read_config(probed, &cmd, sizeof(cmd), PCI_COMMAND) != sizeof(cmd))
		return -1;
	cmd = on ? cmd | PCI_COMMAND_MEMORY : cmd & ~PCI_COMMAND_MEMORY;
	return rte_pci_write_config(probed, &cmd, sizeof(cmd), PCI_COMMAND) == sizeof(cmd) ?
	       0 : -1;
}

/*
 * With the device's memory decode off, vfio-pci takes BAR2 from this
 * process (a DMABUF mapping is revoked, a region mmap() zapped): a read is
 * a SIGBUS, not a value from nowhere.  With decode on again the same
 * mapping works, with the memory type it had and the bytes written before.
 */
static int
test_sigbus_while_memory_is_off(void)
{
	struct sigaction on_bus_error = { .sa_handler = on_sigbus }, old;
	volatile uint32_t *bar = probed->mem_resource[SHM_BAR].addr;
	enum memtype t;
	int bad;

	sigemptyset(&on_bus_error.sa_mask);
	TEST_ASSERT_SUCCESS(sigaction(SIGBUS, &on_bus_error, &old), "sigaction: %s",
			    strerror(errno));
	sigbus_seen = 0;
	if (set_memory_decode(false) == 0 && sigsetjmp(sigbus_jump, 1) == 0)
		(void)rte_read32(bar);
	TEST_ASSERT_SUCCESS(set_memory_decode(true), "cannot turn memory decode on again");
	sigaction(SIGBUS, &old, NULL);
	TEST_ASSERT(sigbus_seen, "BAR%d read with memory decode off: no SIGBUS", SHM_BAR);

	t = mapping_type(&probed->mem_resource[SHM_BAR]);
	TEST_ASSERT_EQUAL(t, expected, "memory decode on again: BAR%d is %s, not %s", SHM_BAR,
			  memtype_name(t), memtype_name(expected));
	bad = pattern_check(0);
	TEST_ASSERT(bad < 0, "memory decode on again: BAR%d word %d is not as written",
		    SHM_BAR, bad);
	printf("BAR%d: SIGBUS with memory decode off, %s again with it on\n",
	       SHM_BAR, memtype_name(t));
	return TEST_SUCCESS;
}

/* What a device leaves in this process and in the kernel */
struct traces {
	unsigned int dmabuf_fds;
	unsigned int vfio_maps;  /* VMAs of a DMABUF or a VFIO device */
	unsigned int pat_entries; /* in BAR2's physical range */
};

static unsigned int
count_dmabuf_fds(void)
{
	char path[PATH_MAX], target[PATH_MAX];
	struct dirent *e;
	unsigned int n = 0;
	ssize_t len;
	DIR *d;

	d = opendir("/proc/self/fd");
	if (d == NULL)
		return UINT_MAX;
	while ((e = readdir(d)) != NULL) {
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = '\0';
		if (strstr(target, "dmabuf") != NULL)
			n++;
	}
	closedir(d);
	return n;
}

/* Lines of @file that @match takes, given @lo and @hi */
static unsigned int
count_lines(const char *file, bool (*match)(const char *line, uint64_t lo, uint64_t hi),
	    uint64_t lo, uint64_t hi)
{
	char line[512];
	unsigned int n = 0;
	FILE *f = fopen(file, "r");

	if (f == NULL)
		return UINT_MAX;
	while (fgets(line, sizeof(line), f) != NULL)
		n += match(line, lo, hi);
	fclose(f);
	return n;
}

/* A line of /proc/self/maps: a mapping of a DMABUF or a VFIO device */
static bool
is_vfio_map(const char *line, uint64_t lo __rte_unused, uint64_t hi __rte_unused)
{
	return strstr(line, "dmabuf") != NULL || strstr(line, "vfio") != NULL;
}

/* A line of the PAT list: a reservation overlapping [lo, hi) */
static bool
is_pat_entry_in(const char *line, uint64_t lo, uint64_t hi)
{
	struct pat_entry entry;

	return pat_entry_parse(line, &entry) && entry.start < hi && entry.end > lo;
}

static void
take_traces(struct traces *t, uint64_t phys, uint64_t len)
{
	t->dmabuf_fds = count_dmabuf_fds();
	t->vfio_maps = count_lines("/proc/self/maps", is_vfio_map, 0, 0);
	t->pat_entries = count_lines(PAT_LIST, is_pat_entry_in, phys, phys + len);
}

static int
detach_device(void)
{
	TEST_ASSERT_SUCCESS(rte_dev_remove(&probed->device), "%s: detach failed", devargs);
	TEST_ASSERT(probed == NULL, "%s: detached without its driver's remove", devargs);
	return TEST_SUCCESS;
}

static int
attach_device(void)
{
	TEST_ASSERT_SUCCESS(rte_dev_probe(devargs), "%s: attach failed", devargs);
	TEST_ASSERT(probed != NULL, "%s: attached without its driver's probe", devargs);
	return TEST_SUCCESS;
}

/* Attach, touch BAR2 as the checks do, and take what it leaves */
static int
attach_and_check(struct traces *t, const char *when)
{
	const struct rte_mem_resource *shm;

	TEST_ASSERT_SUCCESS(attach_device(), "%s", when);
	shm = &probed->mem_resource[SHM_BAR];
	TEST_ASSERT_EQUAL(mapping_type(shm), expected, "%s: BAR%d is not %s", when,
			  SHM_BAR, memtype_name(expected));
	take_traces(t, shm->phys_addr, shm->len);
	return TEST_SUCCESS;
}

static int
test_hotplug_leaves_nothing_behind(void)
{
	uint64_t phys = probed->mem_resource[SHM_BAR].phys_addr;
	uint64_t len = probed->mem_resource[SHM_BAR].len;
	struct traces attached, now, gone;
	unsigned int i;

	/*
	 * Compared with the device just attached, not as the earlier tests
	 * left it: on stock 6.1, BAR2 has two PAT reservations after the
	 * secondary process's test and one when just attached, and both are
	 * given back at detach.
	 */
	TEST_ASSERT_SUCCESS(detach_device(), "before the cycles");
	take_traces(&gone, phys, len);
	TEST_ASSERT(gone.dmabuf_fds == 0 && gone.pat_entries == 0,
		    "after detach: %u DMABUF fds, %u PAT entries of BAR%d",
		    gone.dmabuf_fds, gone.pat_entries, SHM_BAR);
	TEST_ASSERT_SUCCESS(attach_and_check(&attached, "before the cycles"), "attach");
	TEST_ASSERT(gone.vfio_maps < attached.vfio_maps,
		    "attached with no more mappings than detached (%u)", gone.vfio_maps);

	for (i = 0; i < HOTPLUG_CYCLES; i++) {
		TEST_ASSERT_SUCCESS(detach_device(), "cycle %u", i);
		TEST_ASSERT_SUCCESS(attach_device(), "cycle %u", i);
		TEST_ASSERT_EQUAL(mapping_type(&probed->mem_resource[SHM_BAR]), expected,
				  "cycle %u: BAR%d is not %s", i, SHM_BAR,
				  memtype_name(expected));
	}
	TEST_ASSERT_SUCCESS(detach_device(), "after the cycles");
	take_traces(&now, phys, len);
	TEST_ASSERT(memcmp(&now, &gone, sizeof(now)) == 0,
		    "after %d cycles: %u DMABUF fds, %u mappings, %u PAT entries; before: %u, %u, %u",
		    HOTPLUG_CYCLES, now.dmabuf_fds, now.vfio_maps, now.pat_entries,
		    gone.dmabuf_fds, gone.vfio_maps, gone.pat_entries);
	TEST_ASSERT_SUCCESS(attach_and_check(&now, "after the cycles"), "attach");
	TEST_ASSERT(memcmp(&now, &attached, sizeof(now)) == 0,
		    "attached again: %u DMABUF fds, %u mappings, %u PAT entries; first: %u, %u, %u",
		    now.dmabuf_fds, now.vfio_maps, now.pat_entries,
		    attached.dmabuf_fds, attached.vfio_maps, attached.pat_entries);
	printf("%d detach/attach cycles: %u DMABUF fd(s), %u mapping(s), %u PAT entr(ies) attached, %u, %u, %u detached\n",
	       HOTPLUG_CYCLES, attached.dmabuf_fds, attached.vfio_maps, attached.pat_entries,
	       gone.dmabuf_fds, gone.vfio_maps, gone.pat_entries);
	return TEST_SUCCESS;
}

/* Write @value to the sysfs file @path: 0, or -errno */
static int
sysfs_write(const char *path, const char *value)
{
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static char removed_name[PCI_PRI_STR_SIZE];
static char removed_dir[PATH_MAX]; /* its directory in sysfs */
static int remove_result = 1; /* 1 while the kernel's remove is under way */

/* The kernel's remove waits until this process has let the device go */
static void *
remove_device_thread(void *arg __rte_unused)
{
	char path[PATH_MAX + 8];
	int ret;

	snprintf(path, sizeof(path), "%s/remove", removed_dir);
	ret = sysfs_write(path, "1");

	__atomic_store_n(&remove_result, ret, __ATOMIC_RELEASE);
	return NULL;
}

static void
detach_from_alarm(void *arg __rte_unused)
{
	if (probed != NULL)
		rte_dev_remove(&probed->device);
}

/* vfio-pci's request to let the device go, through bus/pci: detach it */
static void
removal_event(const char *name, enum rte_dev_event_type type, void *arg __rte_unused)
{
	if (type == RTE_DEV_EVENT_REMOVE && strcmp(name, removed_name) == 0)
		rte_eal_alarm_set(1, detach_from_alarm, NULL);
}

/* Wait up to @seconds for @done: 0, or -ETIMEDOUT */
static int
wait_for(bool (*done)(void), unsigned int seconds)
{
	uint64_t end = rte_get_timer_cycles() + seconds * rte_get_timer_hz();

	while (!done()) {
		if (rte_get_timer_cycles() > end)
			return -ETIMEDOUT;
		rte_delay_ms(10);
	}
	return 0;
}

static bool
removed(void)
{
	return probed == NULL && __atomic_load_n(&remove_result, __ATOMIC_ACQUIRE) != 1;
}

static bool
bound_to_vfio_pci(void)
{
	char path[PATH_MAX + 8], target[PATH_MAX];
	ssize_t len;

	snprintf(path, sizeof(path), "%s/driver", removed_dir);
	len = readlink(path, target, sizeof(target) - 1);
	if (len <= 0)
		return false;
	target[len] = '\0';
	return strcmp(strrchr(target, '/') + 1, "vfio-pci") == 0;
}

/*
 * The kernel removes the device while this process has BAR2 mapped: vfio-pci
 * asks the process to let it go, bus/pci passes the request on as a removal
 * event, the application detaches, and nothing of the device is left.  The
 * device is then found again (rescan), bound to vfio-pci and attached.
 * It removes a device of the machine: only where PCI_WC_TEST_REMOVE=1 says
 * that this is fine (the lab).
 */
static int
test_removal_by_the_kernel(void)
{
	const struct rte_mem_resource *shm = &probed->mem_resource[SHM_BAR];
	uint64_t phys = shm->phys_addr, len = shm->len;
	char path[PATH_MAX + 32];
	struct traces gone;
	pthread_t thread;
	int ret;

	if (getenv("PCI_WC_TEST_REMOVE") == NULL) {
		printf("removes the device from the machine: set PCI_WC_TEST_REMOVE=1 to run it\n");
		return TEST_SKIPPED;
	}
	snprintf(removed_name, sizeof(removed_name), "%s", probed->name);
	snprintf(removed_dir, sizeof(removed_dir), "/sys/bus/pci/devices/%s", removed_name);
	TEST_ASSERT_SUCCESS(rte_dev_event_callback_register(removed_name, removal_event, NULL),
			    "cannot register for the removal event");
	__atomic_store_n(&remove_result, 1, __ATOMIC_RELEASE);
	TEST_ASSERT_SUCCESS(pthread_create(&thread, NULL, remove_device_thread, NULL),
			    "cannot start the remover");
	ret = wait_for(removed, 60);
	if (ret == 0)
		pthread_join(thread, NULL);
	rte_dev_event_callback_unregister(removed_name, removal_event, NULL);
	TEST_ASSERT_SUCCESS(ret, "%s: not detached and removed within 60 s", removed_name);
	TEST_ASSERT_SUCCESS(remove_result, "%s: remove: %s", removed_name,
			    strerror(-remove_result));
	take_traces(&gone, phys, len);
	TEST_ASSERT(gone.dmabuf_fds == 0 && gone.pat_entries == 0,
		    "after removal: %u DMABUF fds, %u PAT entries of BAR%d",
		    gone.dmabuf_fds, gone.pat_entries, SHM_BAR);

	TEST_ASSERT_SUCCESS(sysfs_write("/sys/bus/pci/rescan", "1"), "rescan");
	snprintf(path, sizeof(path), "%s/driver_override", removed_dir);
	TEST_ASSERT_SUCCESS(sysfs_write(path, "vfio-pci"), "%s: driver_override", removed_name);
	sysfs_write("/sys/bus/pci/drivers_probe", removed_name);
	TEST_ASSERT_SUCCESS(wait_for(bound_to_vfio_pci, 10),
			    "%s: not bound to vfio-pci again", removed_name);
	TEST_ASSERT_SUCCESS(attach_device(), "after the removal");
	TEST_ASSERT_EQUAL(mapping_type(&probed->mem_resource[SHM_BAR]), expected,
			  "after the removal: BAR%d is not %s", SHM_BAR,
			  memtype_name(expected));
	printf("%s removed by the kernel while mapped, detached, found and attached again\n",
	       removed_name);
	return TEST_SUCCESS;
}

static struct unit_test_suite pci_wc_testsuite = {
	.suite_name = "bus/pci write-combining under vfio-pci",
	.setup = pci_wc_suite_setup,
	.teardown = pci_wc_suite_teardown,
	.unit_test_cases = {
		TEST_CASE(test_bar2_has_the_memory_type_asked),
		TEST_CASE(test_pattern_reaches_the_device),
		TEST_CASE(test_secondary_sees_the_same),
		TEST_CASE(test_sigbus_while_memory_is_off),
		TEST_CASE(test_hotplug_leaves_nothing_behind),
		TEST_CASE(test_removal_by_the_kernel),
		TEST_CASES_END()
	}
};

static int
test_pci_wc(void)
{
	return unit_test_suite_runner(&pci_wc_testsuite);
}

REGISTER_TEST_COMMAND(pci_wc_autotest, test_pci_wc);
