// SPDX-License-Identifier: GPL-2.0-only
/*
 * vfio_dmabuf_fuzz BDF OTHER_BDF [OPERATIONS [SEED]]: a bounded fuzzer for
 * the DMABUF features of vfio-pci, run in the lab where a kernel report
 * fails the boot.  THREADS threads share a pool of file descriptors (the
 * DMABUFs of both devices, fds that are not DMABUFs, closed and invalid
 * numbers) and each makes OPERATIONS (default 50000) of these, picked at
 * random: a fixed amount of work, whatever the machine's speed:
 *
 *  - a VFIO_DEVICE_FEATURE ioctl with random flags (GET, SET, PROBE),
 *    feature number (around 11, 13 and 14), argsz and payload, the fd
 *    field taken from the pool;
 *  - an export of random ranges of a random region, aligned or not;
 *  - an mmap() of a pool fd with random length, offset and flags, and a
 *    read of one of its pages (SIGBUS, from a revoked DMABUF, is caught);
 *  - a MEMATTR SET, a REVOKE, a close of a pool fd, a device reset;
 *  - an O_PATH open of /proc/self/fd/N of a pool fd, which holds the
 *    DMABUF's dentry but not its file, put back in the pool;
 *  - a pass of a pool fd with SCM_RIGHTS to a holder process, which maps
 *    it, reads it, and keeps the fd or only the mapping for a while.
 *
 * SET and mmap() of the same DMABUF race between threads by design.
 * Every kind of operation must have run and succeeded at least once (a
 * fuzzer that only collects errors proves nothing), and afterwards the
 * device must still export, set WC, map and read.  Prints
 * the operations and errnos seen, and the seed to replay the sequence of
 * each thread (the interleaving is the scheduler's).
 */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "vfio_lab.h"

#define THREADS		3
#define POOL		32
#define PAGE		4096UL
#define MAX_ERRNO	134

enum op {
	OP_FEATURE, OP_EXPORT, OP_MMAP, OP_MEMATTR, OP_REVOKE, OP_CLOSE, OP_RESET,
	OP_OPATH, OP_PASS, NR_OPS
};

static const char * const op_name[NR_OPS] = {
	"feature", "export", "mmap", "memattr", "revoke", "close", "reset",
	"o_path", "pass",
};

#define HELD		16

/* The holder process's end of the socket is the other one */
static int holder_sock = -1;

static struct vfio_dev devs[2];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static int pool[POOL];
static unsigned long ops_per_thread = 50000;

/* Per thread: its PRNG, counts, and where SIGBUS returns to */
struct worker {
	pthread_t thread;
	unsigned long long rng;
	unsigned long ops_done, ops[NR_OPS], ok[NR_OPS], sigbus;
	unsigned long errnos[MAX_ERRNO + 1];
};

/* volatile: the stores must not move across the guarded access */
static __thread sigjmp_buf *volatile sigbus_jump;

static unsigned long long rnd(struct worker *w)
{
	/* xorshift64*: the same sequence for the same seed */
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 2685821657736338717ULL;
}

static unsigned long pick(struct worker *w, unsigned long n)
{
	return rnd(w) % n;
}

static void count(struct worker *w, enum op op, int ret)
{
	w->ops[op]++;
	if (ret >= 0)
		w->ok[op]++;
	else
		w->errnos[-ret > MAX_ERRNO ? MAX_ERRNO : -ret]++;
}

/* A file descriptor from the pool, or some number that is not one */
static int pool_fd(struct worker *w)
{
	static const int odd[] = { -1, -100, 0, 1, 2, 1023, 65535, INT_MAX };

	if (pick(w, 8) == 0)
		return odd[pick(w, sizeof(odd) / sizeof(odd[0]))];
	return pool[pick(w, POOL)];
}

static void pool_add(struct worker *w, int fd)
{
	unsigned long slot = pick(w, POOL);
	int old;

	pthread_mutex_lock(&pool_lock);
	old = pool[slot];
	pool[slot] = fd;
	pthread_mutex_unlock(&pool_lock);
	if (old >= 0)
		close(old);
}

static int dev_fd(struct worker *w)
{
	return devs[pick(w, 8) == 0 ? 1 : 0].device;
}

static int op_feature(struct worker *w)
{
	static const __u32 features[] = { 0, 10, 11, 12, 13, 14, 15, 63 };
	__u32 buf[32];
	struct vfio_device_feature *f = (void *)buf;
	unsigned int i;
	int fd, ret;

	for (i = 0; i < sizeof(buf) / sizeof(buf[0]); i++)
		buf[i] = (__u32)rnd(w);
	f->argsz = pick(w, 4) ? sizeof(*f) + pick(w, 64) : (__u32)rnd(w) % sizeof(buf);
	f->flags = features[pick(w, sizeof(features) / sizeof(features[0]))];
	f->flags |= (pick(w, 2) ? VFIO_DEVICE_FEATURE_GET : 0) |
		    (pick(w, 2) ? VFIO_DEVICE_FEATURE_SET : 0) |
		    (pick(w, 4) == 0 ? VFIO_DEVICE_FEATURE_PROBE : 0);
	if (pick(w, 16) == 0)
		f->flags |= 1U << (16 + pick(w, 16));
	/* The first word of the MEMATTR and REVOKE payloads is an fd */
	if (pick(w, 2)) {
		fd = pool_fd(w);
		memcpy(f->data, &fd, sizeof(fd));
	}
	ret = ioctl(dev_fd(w), VFIO_DEVICE_FEATURE, f);
	if (ret < 0)
		return -errno;
	/* A GET of feature 11 that succeeds made a DMABUF */
	if ((f->flags & VFIO_DEVICE_FEATURE_MASK) == VFIO_DEVICE_FEATURE_DMA_BUF &&
	    (f->flags & VFIO_DEVICE_FEATURE_GET) && !(f->flags & VFIO_DEVICE_FEATURE_PROBE))
		pool_add(w, ret);
	return 0;
}

static int op_export(struct worker *w)
{
	struct vfio_region_dma_range ranges[4];
	unsigned int nr = pick(w, 5), i;
	int fd;

	for (i = 0; i < nr; i++) {
		ranges[i].offset = pick(w, 4) ? pick(w, 40) * PAGE : rnd(w);
		ranges[i].length = pick(w, 4) ? (1 + pick(w, 8)) * PAGE : rnd(w);
	}
	fd = dmabuf_export(dev_fd(w), pick(w, 4) ? 0 : pick(w, 12), pick(w, 8) ? 0 : rnd(w),
			   pick(w, 8) ? O_RDWR | O_CLOEXEC : (__u32)rnd(w), ranges, nr);
	if (fd >= 0)
		pool_add(w, fd);
	return fd < 0 ? fd : 0;
}

static void on_sigbus(int sig, siginfo_t *info, void *ctx)
{
	char msg[96];
	int n;

	(void)sig;
	(void)ctx;
	if (sigbus_jump)
		siglongjmp(*sigbus_jump, 1);
	n = snprintf(msg, sizeof(msg), "fuzz: SIGBUS at %p outside a guarded access\n",
		     info->si_addr);
	write(STDOUT_FILENO, msg, n);
	_exit(1);
}

static int op_mmap(struct worker *w)
{
	static const int flags[] = { MAP_SHARED, MAP_SHARED, MAP_SHARED, MAP_PRIVATE };
	size_t len = (1 + pick(w, 6)) * PAGE;
	off_t off = pick(w, 4) ? 0 : pick(w, 8) * PAGE + (pick(w, 4) ? 0 : 1);
	sigjmp_buf jump;
	char *map;

	map = mmap(NULL, len, pick(w, 4) ? PROT_READ | PROT_WRITE : PROT_READ,
		   flags[pick(w, 4)], pool_fd(w), off);
	if (map == MAP_FAILED)
		return -errno;
	if (sigsetjmp(jump, 1) == 0) {
		sigbus_jump = &jump;
		(void)*(volatile __u32 *)(map + pick(w, len / PAGE) * PAGE);
	} else {
		w->sigbus++;
	}
	sigbus_jump = NULL;
	munmap(map, len);
	return 0;
}

static int op_memattr(struct worker *w)
{
	struct vfio_device_feature_dma_buf_memattr attr = {
		.dmabuf_fd = pool_fd(w),
		.memattr = pick(w, 8) ? pick(w, 2) : (__u32)rnd(w),
	};

	return device_feature(dev_fd(w), VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &attr, sizeof(attr));
}

static int op_revoke(struct worker *w)
{
	struct vfio_device_feature_dma_buf_revoke revoke = { .dmabuf_fd = pool_fd(w) };

	return device_feature(dev_fd(w), VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_DMA_BUF_REVOKE, &revoke, sizeof(revoke));
}

static int op_close(struct worker *w)
{
	unsigned long slot = pick(w, POOL);
	int fd;

	pthread_mutex_lock(&pool_lock);
	fd = pool[slot];
	pool[slot] = -1;
	pthread_mutex_unlock(&pool_lock);
	return fd >= 0 ? close(fd) : -EBADF;
}

static int op_reset(struct worker *w)
{
	return ioctl(dev_fd(w), VFIO_DEVICE_RESET) ? -errno : 0;
}

/* Holds the DMABUF's dentry, not its file: its file can go first */
static int op_opath(struct worker *w)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", pool_fd(w));
	fd = open(path, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	pool_add(w, fd);
	return 0;
}

static int op_pass(struct worker *w)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = "f", .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
	int fd = pool_fd(w);

	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	/* A busy holder is skipped, not waited for */
	return sendmsg(holder_sock, &msg, MSG_DONTWAIT) == 1 ? 0 : -errno;
}

/* Read the first word of @map; a SIGBUS (revoked) is expected */
static void touch(const void *map)
{
	sigjmp_buf jump;

	if (sigsetjmp(jump, 1) == 0) {
		sigbus_jump = &jump;
		(void)*(const volatile __u32 *)map;
	}
	sigbus_jump = NULL;
}

/* The holder: each fd it is passed is mapped, read, and kept a while */
static int hold_passed(int sock)
{
	int fds[HELD], slot = 0, nr = 0, fd, i;
	char cbuf[CMSG_SPACE(sizeof(int))], byte;
	void *maps[HELD];

	for (i = 0; i < HELD; i++)
		fds[i] = -1, maps[i] = MAP_FAILED;
	for (;;) {
		struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
		struct msghdr msg = {
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
		};
		struct cmsghdr *cmsg;

		if (recvmsg(sock, &msg, 0) <= 0)
			break;
		cmsg = CMSG_FIRSTHDR(&msg);
		if (!cmsg || cmsg->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
		if (maps[slot] != MAP_FAILED)
			munmap(maps[slot], PAGE);
		if (fds[slot] >= 0)
			close(fds[slot]);
		maps[slot] = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
		if (maps[slot] != MAP_FAILED)
			touch(maps[slot]);
		/* Every other one is kept by its mapping alone */
		if (nr++ % 2) {
			close(fd);
			fd = -1;
		}
		fds[slot] = fd;
		slot = (slot + 1) % HELD;
	}
	for (i = 0; i < HELD; i++) {
		if (maps[i] != MAP_FAILED)
			munmap(maps[i], PAGE);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return 0;
}

static pid_t start_holder(void)
{
	int sv[2], fd;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	pid = fork();
	if (pid == 0) {
		/* Only what it is passed: not the devices */
		for (fd = 3; fd < 1024; fd++)
			if (fd != sv[1])
				close(fd);
		_exit(hold_passed(sv[1]));
	}
	close(sv[1]);
	holder_sock = sv[0];
	return pid;
}

static void *work(void *arg)
{
	static int (* const ops[NR_OPS])(struct worker *) = {
		op_feature, op_export, op_mmap, op_memattr, op_revoke, op_close, op_reset,
		op_opath, op_pass,
	};
	/*
	 * How often each is picked, relative to the others.  A reset holds
	 * the device's memory_lock for about 30 ms in the lab, and every other
	 * operation on the device waits for it: one in several thousand.
	 */
	static const unsigned int default_weight[NR_OPS] = {
		1400, 1200, 1400, 1000, 400, 800, 1, 300, 300,
	};
	struct worker *w = arg;
	unsigned int weight[NR_OPS], total = 0, r, op;
	const char *skip = getenv("VFIO_DMABUF_FUZZ_SKIP");

	/* VFIO_DMABUF_FUZZ_SKIP=mmap,close leaves operations out (to bisect) */
	for (op = 0; op < NR_OPS; op++) {
		weight[op] = skip && strstr(skip, op_name[op]) ? 0 : default_weight[op];
		total += weight[op];
	}

	while (w->ops_done++ < ops_per_thread) {
		r = pick(w, total);
		for (op = 0; r >= weight[op]; op++)
			r -= weight[op];
		count(w, op, ops[op](w));
	}
	return NULL;
}

/* After all of it the device still hands out a WC doorbell page */
static int still_works(int device)
{
	struct vfio_region_dma_range range = { 3 * PAGE, PAGE };
	struct vfio_device_feature_dma_buf_memattr attr = {
		.memattr = VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR_WC,
	};
	sigjmp_buf jump;
	int fd, ret = 0;
	void *map;

	fd = dmabuf_export(device, VFIO_PCI_BAR0_REGION_INDEX, 0, O_RDWR | O_CLOEXEC, &range, 1);
	if (fd < 0)
		return fd;
	attr.dmabuf_fd = fd;
	if (device_feature(device, VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, &attr, sizeof(attr)) < 0) {
		close(fd);
		return -errno;
	}
	map = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	if (sigsetjmp(jump, 1) == 0) {
		sigbus_jump = &jump;
		(void)*(volatile __u32 *)((char *)map + 0x818);
	} else {
		ret = -EFAULT; /* SIGBUS */
	}
	sigbus_jump = NULL;
	munmap(map, PAGE);
	return ret;
}

int main(int argc, char *argv[])
{
	struct sigaction sa = { .sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO };
	unsigned long long seed;
	struct worker w[THREADS];
	unsigned long total = 0, e[MAX_ERRNO + 1] = { 0 };
	int i, op, ret, status, idle = 0;
	pid_t holder;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: %s BDF OTHER_BDF [OPERATIONS [SEED]]\n", argv[0]);
		return 2;
	}
	if (argc > 3)
		ops_per_thread = strtoul(argv[3], NULL, 0);
	seed = argc > 4 ? strtoull(argv[4], NULL, 0) : (unsigned long long)time(NULL);
	for (i = 0; i < 2; i++) {
		memset(&devs[i], -1, sizeof(devs[i]));
		ret = vfio_dev_open(argv[1 + i], &devs[i]);
		if (ret) {
			fprintf(stderr, "%s: cannot open through VFIO: %s\n", argv[1 + i],
				strerror(-ret));
			return 1;
		}
	}
	/* VFIO_DMABUF_FUZZ_ANY_KERNEL=1: fuzz a kernel without the series too */
	if (!getenv("VFIO_DMABUF_FUZZ_ANY_KERNEL") &&
	    device_feature(devs[0].device, VFIO_DEVICE_FEATURE_PROBE | VFIO_DEVICE_FEATURE_SET |
			   VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR, NULL, 0) < 0) {
		printf("fuzz: kernel lacks VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR: nothing to fuzz\n");
		return 4;
	}
	sigaction(SIGBUS, &sa, NULL);
	for (i = 0; i < POOL; i++)
		pool[i] = -1;
	pool[0] = eventfd(0, EFD_CLOEXEC);
	pool[1] = open("/dev/null", O_RDWR | O_CLOEXEC);
	holder = start_holder();
	if (holder < 0) {
		perror("fuzz: holder process");
		return 1;
	}

	printf("fuzz: %s and %s, %d threads of %lu operations, seed %llu\n", argv[1],
	       argv[2], THREADS, ops_per_thread, seed);
	fflush(stdout);
	for (i = 0; i < THREADS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].rng = seed * (i + 1) + 0x9e3779b97f4a7c15ULL;
		pthread_create(&w[i].thread, NULL, work, &w[i]);
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(w[i].thread, NULL);

	for (op = 0; op < NR_OPS; op++) {
		unsigned long n = 0, ok = 0;

		for (i = 0; i < THREADS; i++)
			n += w[i].ops[op], ok += w[i].ok[op];
		printf("fuzz: %-8s %8lu calls, %8lu succeeded\n", op_name[op], n, ok);
		total += n;
		idle += ok == 0;
	}
	for (i = 0; i < THREADS; i++)
		for (ret = 0; ret <= MAX_ERRNO; ret++)
			e[ret] += w[i].errnos[ret];
	for (ret = 0; ret <= MAX_ERRNO; ret++)
		if (e[ret])
			printf("fuzz: errno %-12s %8lu\n", strerrorname_np(ret) ?: "?", e[ret]);
	printf("fuzz: %lu operations, %lu SIGBUS caught\n", total,
	       w[0].sigbus + w[1].sigbus + w[2].sigbus);
	if (total != THREADS * ops_per_thread || idle) {
		printf("fuzz: %lu operations of %lu, %d kind(s) never succeeded\n",
		       total, THREADS * ops_per_thread, idle);
		return 1;
	}

	fflush(stdout);
	for (i = 0; i < POOL; i++)
		if (pool[i] >= 0)
			close(pool[i]);
	close(holder_sock);
	if (waitpid(holder, &status, 0) != holder || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		printf("fuzz: the holder process failed (status 0x%x)\n", status);
		return 1;
	}
	for (i = 0; i < 2; i++) {
		ret = still_works(devs[i].device);
		printf("fuzz: %s afterwards: %s\n", argv[1 + i],
		       ret == -EFAULT ? "SIGBUS on a fresh WC mapping" :
		       ret ? strerror(-ret) : "exports, sets WC, maps and reads");
		if (ret)
			return 1;
	}
	for (i = 0; i < 2; i++)
		vfio_dev_close(&devs[i]);
	return 0;
}
