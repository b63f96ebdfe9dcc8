// SPDX-License-Identifier: GPL-2.0
/*
 * vdlab_ptdump: the reading process's device mappings as x86's ptdump
 * shows them, for kernels built without CONFIG_PTDUMP_DEBUGFS (Debian's).
 *
 * The lab's tests read the cache mode of a user mapping from their own
 * page-table entries in debugfs, page_tables/current_user.  This module
 * gives that file, in the line format of arch/x86/mm/dump_pagetables.c, on
 * a kernel that lacks it: the present entries of the reader's VM_IO and
 * VM_PFNMAP mappings (the device mappings the tests look at), adjacent
 * entries of the same flags and level merged into one line as ptdump
 * merges them.  Entries not present, and every other mapping, are left out.
 * It refuses to load (-EBUSY) where the kernel has its own page_tables
 * directory.
 *
 * For the lab only: it shows the reader nothing the reader cannot know,
 * but it is a debugging aid, readable by root alone, like ptdump.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/module.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/version.h>

#ifndef CONFIG_X86_64
#error "vdlab_ptdump prints x86-64 page-table flags"
#endif

/*
 * One source for the kernels the lab boots: 6.1 reads a PTE with
 * follow_pte() of an mm, 6.10 gave follow_pte() the VMA instead, 6.12
 * replaced it with follow_pfnmap_start(), which also sees huge entries.
 */
#define VDLAB_SINCE(major, minor) (KERNEL_VERSION(major, minor, 0) <= LINUX_VERSION_CODE)

/* ptdump's levels, pgd 0 to pte 4 */
enum vdlab_level { VDLAB_PGD, VDLAB_P4D, VDLAB_PUD, VDLAB_PMD, VDLAB_PTE };

/* Entries of the same flags at the same level, [start, end) */
struct vdlab_run {
	unsigned long start;
	unsigned long end;
	pgprotval_t prot;
	enum vdlab_level level;
};

/* The flag columns of a present entry, as printk_prot() prints them */
static void vdlab_print_prot(struct seq_file *m, pgprotval_t pr,
			     enum vdlab_level level)
{
	static const char * const level_name[] = {
		"pgd", "p4d", "pud", "pmd", "pte"
	};

	seq_puts(m, pr & _PAGE_USER ? "USR " : "    ");
	seq_puts(m, pr & _PAGE_RW ? "RW " : "ro ");
	seq_puts(m, pr & _PAGE_PWT ? "PWT " : "    ");
	seq_puts(m, pr & _PAGE_PCD ? "PCD " : "    ");
	/* Bit 7 has a different meaning on level 3 vs 4 */
	seq_puts(m, level <= VDLAB_PMD && pr & _PAGE_PSE ? "PSE " : "    ");
	if ((level == VDLAB_PTE && pr & _PAGE_PAT) ||
	    ((level == VDLAB_PUD || level == VDLAB_PMD) &&
	     pr & _PAGE_PAT_LARGE))
		seq_puts(m, "PAT ");
	else
		seq_puts(m, "    ");
	seq_puts(m, pr & _PAGE_GLOBAL ? "GLB " : "    ");
	seq_puts(m, pr & _PAGE_NX ? "NX " : "x  ");
	seq_printf(m, "%s\n", level_name[level]);
}

/* One line of ptdump: range, size, flags, level */
static void vdlab_print_run(struct seq_file *m, const struct vdlab_run *run)
{
	static const char units[] = "BKMGTPE";
	unsigned long delta = run->end - run->start;
	int width = sizeof(unsigned long) * 2;
	const char *unit = units;

	seq_printf(m, "0x%0*lx-0x%0*lx   ", width, run->start, width, run->end);
	while (!(delta & 1023) && unit[1]) {
		delta >>= 10;
		unit++;
	}
	seq_printf(m, "%9lu%c ", delta, *unit);
	vdlab_print_prot(m, run->prot, run->level);
}

/* Add entry @e to @run, printing the run first if @e does not extend it */
static void vdlab_note(struct seq_file *m, struct vdlab_run *run,
		       const struct vdlab_run *e)
{
	if (run->end > run->start && run->end == e->start &&
	    run->prot == e->prot && run->level == e->level) {
		run->end = e->end;
		return;
	}
	if (run->end > run->start)
		vdlab_print_run(m, run);
	*run = *e;
}

/*
 * The end (at most @end) of the range around @addr where the upper levels
 * hold no table and no leaf, or @addr itself where something may map it.
 * Read without locks, as follow_pfnmap_start() reads them: with the mmap
 * lock held these tables are not freed.
 */
static unsigned long vdlab_hole_end(struct mm_struct *mm, unsigned long addr,
				    unsigned long end)
{
	pgd_t *pgdp = pgd_offset(mm, addr);
	p4d_t *p4dp;
	pud_t *pudp, pud;

	if (pgd_none(READ_ONCE(*pgdp)))
		return pgd_addr_end(addr, end);
	p4dp = p4d_offset(pgdp, addr);
	if (p4d_none(READ_ONCE(*p4dp)))
		return p4d_addr_end(addr, end);
	pudp = pud_offset(p4dp, addr);
	pud = READ_ONCE(*pudp);
	if (pud_none(pud))
		return pud_addr_end(addr, end);
	if (pud_leaf(pud))
		return addr;
	if (pmd_none(READ_ONCE(*pmd_offset(pudp, addr))))
		return pmd_addr_end(addr, end);
	return addr;
}

/*
 * The present entry that maps @addr in @vma, as @e: its range, flags and
 * level.  False where none does.  The flags are taken as ptdump takes
 * them, the entry masked with PTE_FLAGS_MASK (which drops bit 12, the PAT
 * bit of a large page, from what ptdump shows too).  Nothing sleeps under
 * the page-table lock: the entry is copied out and the lock dropped.
 */
static bool vdlab_lookup(struct vm_area_struct *vma, unsigned long addr,
			 struct vdlab_run *e)
{
#if VDLAB_SINCE(6, 12)
	struct follow_pfnmap_args args = { .vma = vma, .address = addr };

	if (follow_pfnmap_start(&args))
		return false;
	e->prot = pgprot_val(args.pgprot) & PTE_FLAGS_MASK;
	e->start = addr & args.addr_mask;
	e->end = e->start + ~args.addr_mask + 1;
	if (args.addr_mask == PUD_MASK)
		e->level = VDLAB_PUD;
	else if (args.addr_mask == PMD_MASK)
		e->level = VDLAB_PMD;
	else
		e->level = VDLAB_PTE;
	follow_pfnmap_end(&args);
#else
	spinlock_t *ptl; /* the PTE table's lock, held by follow_pte() */
	pte_t *ptep;

	/* Page-table entries only: kernels before 6.12 map no huge PFNs */
#if VDLAB_SINCE(6, 10)
	if (follow_pte(vma, addr, &ptep, &ptl))
#else
	if (follow_pte(vma->vm_mm, addr, &ptep, &ptl))
#endif
		return false;
	e->prot = pte_flags(ptep_get(ptep));
	pte_unmap_unlock(ptep, ptl);
	e->start = addr & PAGE_MASK;
	e->end = e->start + PAGE_SIZE;
	e->level = VDLAB_PTE;
#endif
	return true;
}

/*
 * The entries of one device mapping, page by page, stepping over what
 * the upper levels leave empty: the work is bounded by the pages that
 * have a page table and the tables the mapping spans.
 */
static int vdlab_walk_vma(struct seq_file *m, struct vm_area_struct *vma,
			  struct vdlab_run *run)
{
	unsigned long addr, next;
	struct vdlab_run e;

	for (addr = vma->vm_start; addr < vma->vm_end; addr = next) {
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
		next = vdlab_hole_end(vma->vm_mm, addr, vma->vm_end);
		if (next != addr)
			continue;
		if (!vdlab_lookup(vma, addr, &e)) {
			next = addr + PAGE_SIZE;
			continue;
		}
		next = min(e.end, vma->vm_end);
		vdlab_note(m, run, &e);
	}
	return 0;
}

static int vdlab_walk(struct seq_file *m, struct mm_struct *mm)
{
	VMA_ITERATOR(vmi, mm, 0);
	struct vdlab_run run = { };
	struct vm_area_struct *vma;
	int ret = 0;

	for_each_vma(vmi, vma) {
		if (!(vma->vm_flags & (VM_IO | VM_PFNMAP)))
			continue;
		ret = vdlab_walk_vma(m, vma, &run);
		if (ret)
			break;
	}
	if (!ret && run.end > run.start)
		vdlab_print_run(m, &run);
	return ret;
}

static int vdlab_current_user_show(struct seq_file *m, void *v)
{
	struct mm_struct *mm;
	int ret;

	seq_puts(m, "---[ User Space ]---\n");
	mm = get_task_mm(current);
	if (!mm)
		return 0;
	ret = mmap_read_lock_killable(mm);
	if (!ret) {
		ret = vdlab_walk(m, mm);
		mmap_read_unlock(mm);
	}
	mmput(mm);
	return ret;
}

DEFINE_SHOW_ATTRIBUTE(vdlab_current_user);

static struct dentry *vdlab_dir;

static int __init vdlab_ptdump_init(void)
{
	struct dentry *d;

	/*
	 * Not -EEXIST: from an init function that tells modprobe the module
	 * is loaded already (7.2's loader turns it into -EBUSY for that).
	 */
	d = debugfs_lookup("page_tables", NULL);
	if (d) {
		dput(d);
		pr_info("debugfs already has page_tables: not loading\n");
		return -EBUSY;
	}
	vdlab_dir = debugfs_create_dir("page_tables", NULL);
	if (IS_ERR(vdlab_dir))
		return PTR_ERR(vdlab_dir);
	debugfs_create_file("current_user", 0400, vdlab_dir, NULL,
			    &vdlab_current_user_fops);
	return 0;
}

static void __exit vdlab_ptdump_exit(void)
{
	debugfs_remove_recursive(vdlab_dir);
}

module_init(vdlab_ptdump_init);
module_exit(vdlab_ptdump_exit);

MODULE_DESCRIPTION("The reader's device mappings in x86 ptdump's format (lab only)");
MODULE_LICENSE("GPL");
