/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The truth about WC: what memory type the kernel really gave each range,
 * read back from the kernel rather than taken from the answer to a request.
 * Two places say it, both in debugfs (mounted, and readable by root only):
 *   page_tables/current_user  this process's page-table entries (needs
 *                             CONFIG_PTDUMP_DEBUGFS); a range has entries
 *                             only once a page of it has been touched;
 *   x86/pat_memtype_list      the kernel's memory type reservations of
 *                             physical ranges, which a WC mapping always has.
 * A page-table entry is the mapping itself and wins; a PAT reservation that
 * covers the whole range comes next; otherwise the range is "unverified".
 * A range asked for WC and shown to be anything else is a WARNING with
 * its likely cause: that is the silent downgrade users meet most.  Both
 * buses that map PCI devices report through here, in the same words.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_log.h>
#include <rte_vfio_dmabuf.h>

#define PAT_MEMTYPE_LIST "/sys/kernel/debug/x86/pat_memtype_list"
#define PTE_DUMP "/sys/kernel/debug/page_tables/current_user"

/* The kernel's names for memory types, in its PAT list */
static const char * const memtype_names[] = {
	[RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED] = "unverified",
	[RTE_VFIO_DMABUF_MEMTYPE_WB] = "write-back",
	[RTE_VFIO_DMABUF_MEMTYPE_WC] = "write-combining",
	[RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS] = "uncached-minus",
	[RTE_VFIO_DMABUF_MEMTYPE_UC] = "uncached",
	[RTE_VFIO_DMABUF_MEMTYPE_WT] = "write-through",
	[RTE_VFIO_DMABUF_MEMTYPE_WP] = "write-protect",
};

const char *
rte_vfio_dmabuf_memtype_name(enum rte_vfio_dmabuf_memtype type)
{
	return (unsigned int)type < RTE_DIM(memtype_names) ?
		memtype_names[type] : "unknown";
}

static enum rte_vfio_dmabuf_memtype
memtype_by_name(const char *name)
{
	unsigned int i;

	for (i = 1; i < RTE_DIM(memtype_names); i++)
		if (strcmp(name, memtype_names[i]) == 0)
			return i;
	return RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED;
}

/*
 * The type of the PAT reservation that covers [@phys, @phys + @len) as a
 * whole, from @f (the PAT list); unverified if none does or two differ.
 */
enum rte_vfio_dmabuf_memtype
rte_vfio_dmabuf_pat_type(FILE *f, uint64_t phys, uint64_t len)
{
	enum rte_vfio_dmabuf_memtype type = RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED, t;
	uint64_t start, end;
	char line[256], name[64];

	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "PAT: [mem 0x%" SCNx64 "-0x%" SCNx64 "] %63s",
			   &start, &end, name) != 3 ||
		    end <= phys || start >= phys + len)
			continue;
		t = memtype_by_name(name);
		if (start > phys || end < phys + len ||
		    (type != RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED && t != type))
			return RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED;
		type = t;
	}
	return type;
}

/*
 * The type of this process's page-table entry at @addr, from @f (the
 * page-table dump); unverified if there is none.  The dump lists the
 * entries not present as well, without "RW" or "ro".  Linux programs the
 * PAT MSR as WB, WC, UC-, UC, WB, WP, UC-, WT: PAT, PCD and PWT index it.
 */
enum rte_vfio_dmabuf_memtype
rte_vfio_dmabuf_pte_type(FILE *f, const void *addr)
{
	static const enum rte_vfio_dmabuf_memtype pat_table[8] = {
		RTE_VFIO_DMABUF_MEMTYPE_WB, RTE_VFIO_DMABUF_MEMTYPE_WC,
		RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS, RTE_VFIO_DMABUF_MEMTYPE_UC,
		RTE_VFIO_DMABUF_MEMTYPE_WB, RTE_VFIO_DMABUF_MEMTYPE_WP,
		RTE_VFIO_DMABUF_MEMTYPE_UC_MINUS, RTE_VFIO_DMABUF_MEMTYPE_WT,
	};
	uintptr_t va = (uintptr_t)addr, start, end;
	char line[256];
	unsigned int index;

	rewind(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "0x%" SCNxPTR "-0x%" SCNxPTR, &start, &end) != 2 ||
		    va < start || va >= end)
			continue;
		if (strstr(line, " RW ") == NULL && strstr(line, " ro ") == NULL)
			break;
		index = (strstr(line, " PAT ") != NULL) << 2 |
			(strstr(line, " PCD ") != NULL) << 1 |
			(strstr(line, " PWT ") != NULL);
		return pat_table[index];
	}
	return RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED;
}

void
rte_vfio_dmabuf_verify_ranges(struct rte_vfio_dmabuf_range *ranges,
			      unsigned int nb, const uint64_t *bar_phys)
{
	struct rte_vfio_dmabuf_range *r;
	uint64_t phys;
	FILE *pat, *pte;
	unsigned int i;

	/* Without PAT (not x86, or "nopat") the PTE bits mean other things */
	pat = fopen(PAT_MEMTYPE_LIST, "r");
	pte = pat != NULL ? fopen(PTE_DUMP, "r") : NULL;
	for (i = 0; i < nb; i++) {
		r = &ranges[i];
		r->verified = RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED;
		r->verified_by = RTE_VFIO_DMABUF_VERIFIED_BY_NONE;
		if (pte != NULL && r->addr != NULL) {
			r->verified = rte_vfio_dmabuf_pte_type(pte, r->addr);
			r->verified_by = RTE_VFIO_DMABUF_VERIFIED_BY_PTE;
		}
		phys = bar_phys[r->bar];
		if (pat != NULL && phys != 0 &&
		    r->verified == RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED) {
			r->verified = rte_vfio_dmabuf_pat_type(pat, phys + r->offset, r->len);
			r->verified_by = RTE_VFIO_DMABUF_VERIFIED_BY_PAT;
		}
		if (r->verified == RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED)
			r->verified_by = RTE_VFIO_DMABUF_VERIFIED_BY_NONE;
	}
	if (pte != NULL)
		fclose(pte);
	if (pat != NULL)
		fclose(pat);
}

const char *
rte_vfio_dmabuf_verified_by_name(enum rte_vfio_dmabuf_verified_by by)
{
	switch (by) {
	case RTE_VFIO_DMABUF_VERIFIED_BY_PTE:
		return "pte";
	case RTE_VFIO_DMABUF_VERIFIED_BY_PAT:
		return "pat";
	case RTE_VFIO_DMABUF_VERIFIED_BY_NONE:
		break;
	}
	return "none";
}

/* Why a range asked for WC is not WC, as far as can be told */
static const char *
vfio_dmabuf_wc_lost_cause(enum rte_vfio_dmabuf_method method,
			  const struct rte_vfio_dmabuf_range *r)
{
	switch (method) {
	case RTE_VFIO_DMABUF_METHOD_REGION:
		return "this kernel cannot mmap() a VFIO DMABUF: "
		       "it needs the vfio-dmabuf series or its vfio-pci variant driver";
	case RTE_VFIO_DMABUF_METHOD_DMABUF_NC:
		return "this kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR";
	case RTE_VFIO_DMABUF_METHOD_DMABUF:
		break;
	}
	if (r->refused == EPERM)
		return "the range covers the MSI-X table, which the kernel maps uncached";
	if (r->refused == EBUSY)
		return "another mapping of these pages exists "
		       "(a region mmap(), or the kernel's own)";
	if (r->obtained == RTE_VFIO_DMABUF_ATTR_WC &&
	    r->verified == RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED)
		return "the kernel accepted WC but holds no WC reservation for these pages";
	if (r->obtained == RTE_VFIO_DMABUF_ATTR_WC)
		return "the kernel accepted WC but kept the type of "
		       "an earlier mapping of these pages";
	return "the kernel refused WC";
}

void
rte_vfio_dmabuf_report(int logtype, const char *who,
		       enum rte_vfio_dmabuf_method method,
		       struct rte_vfio_dmabuf_range *ranges, unsigned int nb,
		       const uint64_t *bar_phys)
{
	const struct rte_vfio_dmabuf_range *r;
	char line[1024];
	const char *got;
	bool pat_readable;
	size_t n = 0;
	unsigned int i;

	rte_vfio_dmabuf_verify_ranges(ranges, nb, bar_phys);
	pat_readable = access(PAT_MEMTYPE_LIST, R_OK) == 0;
	line[0] = '\0';
	for (i = 0; i < nb && n < sizeof(line); i++) {
		r = &ranges[i];
		n += snprintf(line + n, sizeof(line) - n,
			      "%s BAR%u [0x%" PRIx64 ", +0x%" PRIx64 ") %s: %s",
			      i == 0 ? "" : ",", r->bar, r->offset, r->len,
			      rte_vfio_dmabuf_attr_name(r->requested),
			      rte_vfio_dmabuf_memtype_name(r->verified));
	}
	rte_log(RTE_LOG_NOTICE, logtype, "%s: requested -> verified:%s\n", who, line);

	for (i = 0; i < nb; i++) {
		r = &ranges[i];
		if (r->requested != RTE_VFIO_DMABUF_ATTR_WC)
			continue;
		if (r->verified == RTE_VFIO_DMABUF_MEMTYPE_WC)
			continue;
		if (r->verified == RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED &&
		    r->obtained == RTE_VFIO_DMABUF_ATTR_WC && !pat_readable) {
			rte_log(RTE_LOG_NOTICE, logtype,
				"%s: BAR%u [0x%" PRIx64 ", +0x%" PRIx64 ") WC as the kernel says, unverified: debugfs (%s) is not mounted or not readable\n",
				who, r->bar, r->offset, r->len, PAT_MEMTYPE_LIST);
			continue;
		}
		if (r->verified != RTE_VFIO_DMABUF_MEMTYPE_UNVERIFIED)
			got = rte_vfio_dmabuf_memtype_name(r->verified);
		else if (r->obtained == RTE_VFIO_DMABUF_ATTR_WC)
			got = "not shown write-combining";
		else
			got = "mapped uncached";
		rte_log(RTE_LOG_WARNING, logtype,
			"%s: BAR%u [0x%" PRIx64 ", +0x%" PRIx64 ") WC requested, %s: %s\n",
			who, r->bar, r->offset, r->len, got,
			vfio_dmabuf_wc_lost_cause(method, r));
	}
}
