/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Linux 7.2.13 (Debian linux-source-7.2 7.2.13-1) ships VFIO selftests
 * whose libvfio calls calloc_assert(), but its libvfio/assert.h lacks the
 * helper: the stable update took the callers without it, and the suite does
 * not build as shipped.  lab/build-tests force-includes this definition,
 * which does what the name says, so that the suite can run unchanged.
 */
#ifndef LAB_LIBVFIO_COMPAT_H
#define LAB_LIBVFIO_COMPAT_H

#include <stdlib.h>
#include <libvfio/assert.h>

#ifndef calloc_assert
#define calloc_assert(_nmemb, _size) ({			\
	void *__p = calloc((_nmemb), (_size));		\
	VFIO_ASSERT_NOT_NULL(__p);			\
	__p;						\
})
#endif

#endif /* LAB_LIBVFIO_COMPAT_H */
