/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * A QEMU TCG plugin that counts, exactly, what a PMD's burst functions do
 * in the guest: the instructions each call executes (callees included), the
 * MMIO reads and writes it makes, by guest-physical address, and whether each
 * doorbell store of a TX burst is fenced on both sides.  lab/run -c loads it;
 * lab/count-report reads what it writes.
 *
 * Arguments (QEMU's -plugin file=...,KEY=VALUE,...):
 *   out=PATH     where the counts go when the guest powers off
 *   bin=PATH     the guest program (dpdk-testpmd, run with ASLR off), whose
 *                bytes are compared with what the guest executes
 *   run=NAME:ADDR:SIZE:OFFSET
 *                a function that starts a run (testpmd's main): the counts
 *                are kept per run, a run per time the guest program starts
 *   dma=ADDR:SIZE
 *                where the guest program's DMA memory is (DPDK's hugepages,
 *                from its --base-virtaddr): the descriptors
 *   rx=NAME:ADDR:SIZE:OFFSET, tx=NAME:ADDR:SIZE:OFFSET
 *                a burst function: its guest-virtual address, size and
 *                offset in bin; a tx one has its doorbells checked
 *
 * A function is entered when a translation block starting at its address
 * runs and that block's bytes are the function's bytes in bin: another
 * process with code at the same address (every PIE program has the same base
 * with ASLR off) is not mistaken for it.  A call lasts until its return:
 * calls and returns executed in user mode move a depth counter.  Kernel code
 * (interrupts during a burst) is not counted.
 *
 * The doorbell check, on tx functions: an MMIO store is a doorbell.  It
 * must come after a store fence (SFENCE, MFENCE or a locked instruction)
 * that follows every store the call made to DMA memory (stores to the stack
 * or the program's data are not seen by the device: DPDK's first WC write
 * probes the CPU with a call and sets a flag between the fence and the
 * doorbell), and a store fence must
 * follow it before the call's next MMIO access or its return.  Under TCG
 * nothing goes wrong without the fences, so only this check can see them
 * missing.
 *
 * Per call, the MMIO writes: how many calls made none, one, more.  And on
 * rx functions, whether the call returned frames: QEMU 7.2's plugin API
 * cannot read a register (the return value), so the frames are counted as
 * they are stored, one 8-byte pointer each, into rx_pkts, which is on the
 * caller's stack in testpmd: the call's stores above its return address.
 * The function's first instruction pushes a register right below that
 * address (GCC's prologue when the function saves one, as DPDK's burst
 * functions do): the call's first store tells where it is.  Calls of a
 * function that starts otherwise count as unknown.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MAX_FNS 8
#define MAX_RUNS 16
#define MAX_MMIO_ADDRS 32
#define MAX_VCPUS 16
/* The lowest kernel address of x86-64 */
#define KERNEL_START 0xffff800000000000ULL
/*
 * How far above its return address a call's stores are its caller's stack:
 * far more than testpmd's frames with their 4 KiB burst arrays, far less
 * than a stack
 */
#define CALLER_STACK_SPAN 0x10000

struct fn {
	char name[64];
	bool is_tx;
	bool pushes_first;	/* its first instruction is a PUSH */
	uint64_t addr;
	uint64_t size;
	uint8_t *bytes;		/* the function as bin has it */
};

struct mmio_count {
	uint64_t addr;
	uint64_t reads;
	uint64_t writes;
};

struct fn_count {
	uint64_t calls;
	uint64_t insns;
	uint64_t shortest_call;	/* instructions of the shortest call */
	uint64_t shortest_calls;	/* calls of that length */
	uint64_t abandoned;	/* calls whose return was not seen */
	uint64_t doorbells;
	uint64_t unfenced_before;	/* doorbells after an unfenced store */
	uint64_t unfenced_after;	/* doorbells not fenced before what follows */
	uint64_t writes_per_call[3];	/* calls with 0, 1, 2 or more MMIO writes */
	uint64_t frames;		/* stored to the caller's stack: returned */
	uint64_t nonempty_calls;	/* calls that returned frames */
	uint64_t empty_call_writes;	/* MMIO writes of calls that returned none */
	uint64_t unknown_calls;	/* return address not found: frames unknown */
	uint64_t mmio_overflow;
	struct mmio_count mmio[MAX_MMIO_ADDRS];
};

/* What a vCPU is doing: at most one burst call at a time */
struct vcpu {
	int fn;			/* the function being called, -1: none */
	unsigned int depth;	/* its frame and those of its callees */
	uint64_t insns;
	uint64_t unfenced_stores;	/* DMA memory stores since the last fence */
	bool doorbell_unfenced;
	uint64_t mmio_writes;
	uint64_t frames;
	uint64_t ret_slot;	/* where the return address is, 0: unknown */
};

static struct fn fns[MAX_FNS + 1];	/* the run marker is fns[MAX_FNS] */
static int nb_fns;
static struct fn_count counts[MAX_RUNS][MAX_FNS];
static struct vcpu vcpus[MAX_VCPUS];
/* Runs started: the counts of run N go to counts[N - 1], 0 before the first */
static unsigned int nb_runs;
static uint64_t runs_overflow;
static uint64_t dma_start, dma_end;
static char *out_path;
static int bin_fd = -1;

#define RUN_MARKER MAX_FNS

/* What a translation block's exec callback is told: packed in its pointer */
#define TB_INSNS_MASK 0xffffu
#define TB_ENTERS_SHIFT 16	/* 1 + index of the function it enters */
#define TB_STARTS_RUN (1u << 24)

enum insn_kind { INSN_OTHER, INSN_CALL, INSN_RET, INSN_FENCE };

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf2: case 0xf3:
		return true;
	default:
		return false;
	}
}

/*
 * The x86 instructions that matter here.  Legacy prefixes and REX come
 * first; LOCK makes any instruction a full fence, as does XCHG with memory.
 */
static enum insn_kind insn_kind(const uint8_t *p, size_t len)
{
	bool lock = false;
	size_t i = 0;
	uint8_t op, modrm;

	for (; i < len; i++) {
		if (p[i] == 0xf0)
			lock = true;
		else if (!is_legacy_prefix(p[i]))
			break;
	}
	if (i < len && (p[i] & 0xf0) == 0x40)
		i++;
	if (i >= len)
		return INSN_OTHER;
	if (lock)
		return INSN_FENCE;
	op = p[i];
	modrm = i + 1 < len ? p[i + 1] : 0;
	if (op == 0xe8 || (op == 0xff && i + 1 < len && ((modrm >> 3) & 7) == 2))
		return INSN_CALL;
	if (op == 0xc3 || op == 0xc2)
		return INSN_RET;
	if ((op == 0x86 || op == 0x87) && i + 1 < len && (modrm >> 6) != 3)
		return INSN_FENCE;
	/* 0f ae with a register operand: /6 MFENCE, /7 SFENCE (not /5 LFENCE) */
	if (op == 0x0f && i + 2 < len && p[i + 1] == 0xae && p[i + 2] >= 0xf0)
		return INSN_FENCE;
	return INSN_OTHER;
}

static struct fn_count *current_count(const struct vcpu *v)
{
	if (nb_runs == 0 || nb_runs > MAX_RUNS)
		return NULL;
	return &counts[nb_runs - 1][v->fn];
}

static void mmio_record(struct fn_count *c, uint64_t addr, bool store)
{
	int i;

	for (i = 0; i < MAX_MMIO_ADDRS; i++) {
		if (c->mmio[i].addr == addr || (c->mmio[i].reads | c->mmio[i].writes) == 0)
			break;
	}
	if (i == MAX_MMIO_ADDRS) {
		c->mmio_overflow++;
		return;
	}
	c->mmio[i].addr = addr;
	if (store)
		c->mmio[i].writes++;
	else
		c->mmio[i].reads++;
}

static void call_end(struct vcpu *v)
{
	struct fn_count *c = current_count(v);

	if (c != NULL) {
		if (v->doorbell_unfenced)
			c->unfenced_after++;
		c->writes_per_call[v->mmio_writes < 2 ? v->mmio_writes : 2]++;
		if (v->ret_slot == 0) {
			c->unknown_calls++;
		} else if (v->frames == 0) {
			c->empty_call_writes += v->mmio_writes;
		} else {
			c->nonempty_calls++;
			c->frames += v->frames;
		}
		c->calls++;
		c->insns += v->insns;
		if (c->shortest_calls == 0 || v->insns < c->shortest_call) {
			c->shortest_call = v->insns;
			c->shortest_calls = 0;
		}
		if (v->insns == c->shortest_call)
			c->shortest_calls++;
	}
	v->fn = -1;
}

static void tb_exec(unsigned int vcpu_index, void *udata)
{
	uint32_t info = (uint32_t)(uintptr_t)udata;
	struct vcpu *v = &vcpus[vcpu_index];
	unsigned int enters = info >> TB_ENTERS_SHIFT & 0xff;

	if (info & TB_STARTS_RUN) {
		if (nb_runs == MAX_RUNS)
			runs_overflow++;
		else
			nb_runs++;
	}
	if (enters != 0) {
		/*
		 * Burst calls do not nest: a call still open lost its return
		 * (another task ran on this vCPU in the middle of it) and is
		 * left out of the counts.
		 */
		if (v->fn >= 0 && current_count(v) != NULL)
			current_count(v)->abandoned++;
		v->fn = enters - 1;
		v->depth = 1;
		v->insns = 0;
		v->unfenced_stores = 0;
		v->doorbell_unfenced = false;
		v->mmio_writes = 0;
		v->frames = 0;
		v->ret_slot = 0;
	}
	if (v->fn >= 0)
		v->insns += info & TB_INSNS_MASK;
}

static void insn_exec(unsigned int vcpu_index, void *udata)
{
	struct vcpu *v = &vcpus[vcpu_index];

	if (v->fn < 0)
		return;
	switch ((enum insn_kind)(uintptr_t)udata) {
	case INSN_CALL:
		v->depth++;
		break;
	case INSN_RET:
		if (--v->depth == 0)
			call_end(v);
		break;
	case INSN_FENCE:
		v->unfenced_stores = 0;
		v->doorbell_unfenced = false;
		break;
	default:
		break;
	}
}

static void mem_access(unsigned int vcpu_index, qemu_plugin_meminfo_t info,
		       uint64_t vaddr, void *udata)
{
	struct vcpu *v = &vcpus[vcpu_index];
	bool store = qemu_plugin_mem_is_store(info);
	struct qemu_plugin_hwaddr *hw;
	struct fn_count *c;

	(void)udata;
	if (v->fn < 0)
		return;
	hw = qemu_plugin_get_hwaddr(info, vaddr);
	if (hw == NULL || !qemu_plugin_hwaddr_is_io(hw)) {
		if (!store)
			return;
		/* (not the CPU's pushes of an exception frame: kernel ones) */
		if (v->ret_slot == 0 && fns[v->fn].pushes_first && vaddr < KERNEL_START)
			v->ret_slot = vaddr + 8;
		else if (vaddr >= dma_start && vaddr < dma_end)
			v->unfenced_stores++;
		else if (v->ret_slot != 0 && vaddr > v->ret_slot &&
			 vaddr - v->ret_slot <= CALLER_STACK_SPAN)
			v->frames++;
		return;
	}
	c = current_count(v);
	if (c == NULL)
		return;
	mmio_record(c, qemu_plugin_hwaddr_phys_addr(hw), store);
	if (store)
		v->mmio_writes++;
	if (!fns[v->fn].is_tx)
		return;
	if (v->doorbell_unfenced) {
		c->unfenced_after++;
		v->doorbell_unfenced = false;
	}
	if (store) {
		c->doorbells++;
		if (v->unfenced_stores != 0)
			c->unfenced_before++;
		v->doorbell_unfenced = true;
	}
}

/* Whether the block's instructions inside @f are @f's own bytes */
static bool tb_is_fn(struct qemu_plugin_tb *tb, const struct fn *f)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t at = qemu_plugin_insn_vaddr(insn) - f->addr;
		size_t len = qemu_plugin_insn_size(insn);

		if (at + len > f->size)
			break;
		if (memcmp(qemu_plugin_insn_data(insn), f->bytes + at, len) != 0)
			return false;
	}
	return true;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t start = qemu_plugin_tb_vaddr(tb);
	size_t i, n = qemu_plugin_tb_n_insns(tb);
	uint32_t info = (uint32_t)n;
	int f;

	(void)id;
	if (start >= KERNEL_START)
		return;
	for (f = 0; f < nb_fns; f++) {
		if (start == fns[f].addr && tb_is_fn(tb, &fns[f]))
			info |= (uint32_t)(f + 1) << TB_ENTERS_SHIFT;
	}
	if (fns[RUN_MARKER].size != 0 && start == fns[RUN_MARKER].addr &&
	    tb_is_fn(tb, &fns[RUN_MARKER]))
		info |= TB_STARTS_RUN;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, tb_exec, QEMU_PLUGIN_CB_NO_REGS,
					     (void *)(uintptr_t)info);

	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		enum insn_kind kind = insn_kind(qemu_plugin_insn_data(insn),
						qemu_plugin_insn_size(insn));

		if (kind != INSN_OTHER)
			qemu_plugin_register_vcpu_insn_exec_cb(insn, insn_exec,
							       QEMU_PLUGIN_CB_NO_REGS,
							       (void *)(uintptr_t)kind);
		qemu_plugin_register_vcpu_mem_cb(insn, mem_access, QEMU_PLUGIN_CB_NO_REGS,
						 QEMU_PLUGIN_MEM_RW, NULL);
	}
}

static void write_fn_counts(FILE *out, unsigned int run, int f)
{
	const struct fn_count *c = &counts[run][f];
	const char *name = fns[f].name;
	int i;

	if (c->calls == 0 && c->abandoned == 0)
		return;
	fprintf(out, "run %u fn %s %s calls %" PRIu64 " insns %" PRIu64
		" shortest_call %" PRIu64 " shortest_calls %" PRIu64 " abandoned %" PRIu64 "\n",
		run + 1, name, fns[f].is_tx ? "tx" : "rx", c->calls, c->insns,
		c->shortest_call, c->shortest_calls, c->abandoned);
	for (i = 0; i < MAX_MMIO_ADDRS && (c->mmio[i].reads | c->mmio[i].writes); i++)
		fprintf(out, "run %u fn %s mmio 0x%" PRIx64 " reads %" PRIu64
			" writes %" PRIu64 "\n", run + 1, name, c->mmio[i].addr,
			c->mmio[i].reads, c->mmio[i].writes);
	if (c->mmio_overflow != 0)
		fprintf(out, "run %u fn %s mmio other %" PRIu64 "\n", run + 1, name,
			c->mmio_overflow);
	fprintf(out, "run %u fn %s mmio_writes_per_call 0 %" PRIu64 " 1 %" PRIu64
		" 2+ %" PRIu64 "\n", run + 1, name, c->writes_per_call[0],
		c->writes_per_call[1], c->writes_per_call[2]);
	if (!fns[f].is_tx)
		fprintf(out, "run %u fn %s frames %" PRIu64 " nonempty_calls %" PRIu64
			" empty_call_mmio_writes %" PRIu64 " unknown_calls %" PRIu64 "\n",
			run + 1, name, c->frames, c->nonempty_calls, c->empty_call_writes,
			c->unknown_calls);
	if (fns[f].is_tx)
		fprintf(out, "run %u fn %s doorbells %" PRIu64 " unfenced_before %" PRIu64
			" unfenced_after %" PRIu64 "\n", run + 1, name, c->doorbells,
			c->unfenced_before, c->unfenced_after);
}

static void at_exit(qemu_plugin_id_t id, void *udata)
{
	unsigned int run;
	FILE *out;
	int f;

	(void)id;
	(void)udata;
	out = fopen(out_path, "w");
	if (out == NULL) {
		fprintf(stderr, "vdlab_count: %s: %s\n", out_path, strerror(errno));
		return;
	}
	fprintf(out, "runs %u overflow %" PRIu64 "\n", nb_runs, runs_overflow);
	for (run = 0; run < nb_runs; run++)
		for (f = 0; f < nb_fns; f++)
			write_fn_counts(out, run, f);
	if (fclose(out) != 0)
		fprintf(stderr, "vdlab_count: %s: %s\n", out_path, strerror(errno));
}

/* Whether the code at @p is a PUSH of a register, after an ENDBR64 if any */
static bool starts_with_push(const uint8_t *p, size_t len)
{
	if (len >= 4 && memcmp(p, "\xf3\x0f\x1e\xfa", 4) == 0) {
		p += 4;
		len -= 4;
	}
	if (len >= 2 && p[0] == 0x41) {	/* REX.B: r8 to r15 */
		p++;
		len--;
	}
	return len >= 1 && (p[0] & 0xf8) == 0x50;
}

/* NAME:ADDR:SIZE:OFFSET into @f, its bytes read from bin */
static int parse_fn(const char *arg, struct fn *f)
{
	unsigned long long addr, size, offset;
	char name[64];

	if (sscanf(arg, "%63[^:]:%llx:%llx:%llx", name, &addr, &size, &offset) != 4 ||
	    size == 0 || size > (1u << 20)) {
		fprintf(stderr, "vdlab_count: bad function '%s' (NAME:ADDR:SIZE:OFFSET)\n", arg);
		return -1;
	}
	if (bin_fd < 0) {
		fprintf(stderr, "vdlab_count: bin= must come before the functions\n");
		return -1;
	}
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->addr = addr;
	f->size = size;
	f->bytes = malloc(size);
	if (f->bytes == NULL ||
	    pread(bin_fd, f->bytes, size, (off_t)offset) != (ssize_t)size) {
		fprintf(stderr, "vdlab_count: cannot read %s's %llu bytes at %#llx\n",
			name, size, offset);
		return -1;
	}
	f->pushes_first = starts_with_push(f->bytes, size);
	return 0;
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	int i;

	if (info->system_emulation && info->system.max_vcpus > MAX_VCPUS) {
		fprintf(stderr, "vdlab_count: at most %d vCPUs\n", MAX_VCPUS);
		return -1;
	}
	for (i = 0; i < MAX_VCPUS; i++)
		vcpus[i].fn = -1;
	for (i = 0; i < argc; i++) {
		const char *arg = argv[i];

		if (strncmp(arg, "out=", 4) == 0) {
			out_path = strdup(arg + 4);
		} else if (strncmp(arg, "bin=", 4) == 0) {
			bin_fd = open(arg + 4, O_RDONLY | O_CLOEXEC);
			if (bin_fd < 0) {
				fprintf(stderr, "vdlab_count: %s: %s\n", arg + 4, strerror(errno));
				return -1;
			}
		} else if (strncmp(arg, "dma=", 4) == 0) {
			unsigned long long start, size;

			if (sscanf(arg + 4, "%llx:%llx", &start, &size) != 2) {
				fprintf(stderr, "vdlab_count: bad '%s' (dma=ADDR:SIZE)\n", arg);
				return -1;
			}
			dma_start = start;
			dma_end = start + size;
		} else if (strncmp(arg, "run=", 4) == 0) {
			if (parse_fn(arg + 4, &fns[RUN_MARKER]) != 0)
				return -1;
		} else if (strncmp(arg, "rx=", 3) == 0 || strncmp(arg, "tx=", 3) == 0) {
			if (nb_fns == MAX_FNS) {
				fprintf(stderr, "vdlab_count: at most %d functions\n", MAX_FNS);
				return -1;
			}
			fns[nb_fns].is_tx = arg[0] == 't';
			if (parse_fn(arg + 3, &fns[nb_fns]) != 0)
				return -1;
			nb_fns++;
		} else {
			fprintf(stderr, "vdlab_count: unknown argument '%s'\n", arg);
			return -1;
		}
	}
	if (out_path == NULL || nb_fns == 0 || fns[RUN_MARKER].size == 0 || dma_end == 0) {
		fprintf(stderr, "vdlab_count: needs out=, bin=, dma=, run= and rx= or tx=\n");
		return -1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	qemu_plugin_register_atexit_cb(id, at_exit, NULL);
	return 0;
}
