/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * How EAL tells VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR from whatever else a
 * kernel numbers 14 (rte_vfio_dmabuf_memattr_identify()), fed the answers
 * of the kernels it may meet: our series, the posted series that answered
 * ENOENT for an unknown attribute, a kernel without the feature, and
 * features of other posted series on the same number.  Each case checks
 * the decision and what was sent: no SET before the PROBEs show a SET-only
 * feature, and a SET only ever on the caller's own DMABUF.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_vfio_dmabuf.h>
#include <rte_vfio_dmabuf_uapi.h>

#include "test.h"

#define OWN_DMABUF_FD 1000

/* A device whose feature 14 gives these answers; 1 stands for "not asked" */
struct scripted_feature {
	const char *kernel;
	int probe_set;
	int probe_get;
	int set_unknown_attr;
	bool is_memattr;
	/* what the device saw */
	unsigned int sets;
	unsigned int sets_not_on_own_dmabuf;
	unsigned int requests_to_other_features;
};

static int
scripted_feature(void *ctx, uint32_t flags, const void *data, size_t len)
{
	struct scripted_feature *dev = ctx;
	const struct vfio_device_feature_dma_buf_memattr *req = data;

	if ((flags & VFIO_DEVICE_FEATURE_MASK) != VFIO_DEVICE_FEATURE_DMA_BUF_MEMATTR) {
		dev->requests_to_other_features++;
		return -ENOTTY;
	}
	if (flags & VFIO_DEVICE_FEATURE_PROBE)
		return (flags & VFIO_DEVICE_FEATURE_GET) ? dev->probe_get : dev->probe_set;
	if (!(flags & VFIO_DEVICE_FEATURE_SET))
		return -EINVAL;
	dev->sets++;
	if (len < sizeof(*req) || req->dmabuf_fd != OWN_DMABUF_FD) {
		dev->sets_not_on_own_dmabuf++;
		return -EBADF;
	}
	return dev->set_unknown_attr;
}

static int
test_vfio_dmabuf_memattr_identify(void)
{
	static struct scripted_feature kernels[] = {
		{ "our series (EINVAL for an unknown attribute)",
		  0, -EINVAL, -EINVAL, true },
		{ "posted series v3/v4 (ENOENT for an unknown attribute)",
		  0, -EINVAL, -ENOENT, true },
		{ "no feature 14 (stock Linux)", -ENOTTY, 1, 1, false },
		{ "feature 14 refuses SET", -EINVAL, 1, 1, false },
		{ "feature 14 not supported here", -EOPNOTSUPP, 1, 1, false },
		{ "feature 14 has GET (not SET-only)", 0, 0, 1, false },
		{ "SET-only feature 14 that took the DMABUF (REVOKE-like)",
		  0, -EINVAL, 0, false },
		{ "SET-only feature 14 that is no DMABUF feature (EBADF)",
		  0, -EINVAL, -EBADF, false },
		{ "SET-only feature 14 answering EOPNOTSUPP",
		  0, -EINVAL, -EOPNOTSUPP, false },
		{ "SET-only feature 14 answering ENOTTY", 0, -EINVAL, -ENOTTY, false },
	};
	struct scripted_feature *k;
	const char *why;
	unsigned int i;
	int fails = 0;

	for (i = 0; i < RTE_DIM(kernels); i++) {
		k = &kernels[i];
		why = rte_vfio_dmabuf_memattr_identify(scripted_feature, k, OWN_DMABUF_FD);
		printf("%s: %s; %u SET(s), %u not on its own DMABUF\n", k->kernel,
		       why == NULL ? "MEMATTR" : why, k->sets, k->sets_not_on_own_dmabuf);
		if ((why == NULL) != k->is_memattr) {
			printf("  FAILED: wanted %s\n", k->is_memattr ? "MEMATTR" : "not MEMATTR");
			fails++;
		}
		/* A SET only after PROBEs found a SET-only feature, and only on our DMABUF */
		if (k->sets_not_on_own_dmabuf != 0 || k->requests_to_other_features != 0 ||
		    (k->sets != 0 && (k->probe_set != 0 || k->probe_get != -EINVAL)) ||
		    k->sets > 1) {
			printf("  FAILED: a SET where none belongs\n");
			fails++;
		}
	}
	return fails == 0 ? TEST_SUCCESS : TEST_FAILED;
}

REGISTER_TEST_COMMAND(vfio_dmabuf_memattr_identify_autotest,
		      test_vfio_dmabuf_memattr_identify);
