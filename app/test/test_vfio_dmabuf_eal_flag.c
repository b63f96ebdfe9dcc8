/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright(c) 2026 The vfio-dmabuf fork authors
 */

/*
 * The fork's EAL option --vfio-dmabuf-wc, tested as eal_flags_autotest
 * tests EAL's own: each case starts this program again with a command
 * line (launch_proc), and the child reports what EAL made of it in its
 * exit status: 0 if the option is off, 1 if on (rte_eal_vfio_dmabuf_wc()),
 * and EAL's failure (255) if rte_eal_init() refused the command line.
 * Children run without shared files, hugepages or PCI devices.
 */

#include <stdio.h>
#include <sys/wait.h>

#include <rte_debug.h>
#include <rte_eal.h>

#include "test.h"
#include "process.h"

/* The child's side, run by do_recursive_call() after rte_eal_init() */
int
test_vfio_dmabuf_wc_flag_child(void)
{
	return rte_eal_vfio_dmabuf_wc();
}

/* What the child said: 0 or 1, or -1 if it did not get through EAL */
static int
child_wc(int status)
{
	if (!WIFEXITED(status))
		return -2;
	switch (WEXITSTATUS(status)) {
	case 0:
		return 0;
	case 1:
		return 1;
	default:
		return -1;
	}
}

#define CHILD_EAL_ARGS "--no-shconf", "--no-huge", "-m", "32", "--no-pci", \
	"--log-level=lib.eal:error"

struct wc_flag_case {
	const char *argv[16]; /* after the program's name, NULL-terminated */
	int want;             /* child_wc() */
};

static int
wc_flag_case(const void *data)
{
	const struct wc_flag_case *c = data;
	const char *argv[RTE_DIM(c->argv) + 1] = { prgname };
	int argc = 1, got;

	while (c->argv[argc - 1] != NULL) {
		argv[argc] = c->argv[argc - 1];
		argc++;
	}
	/* The child would print again what is still buffered */
	fflush(stdout);
	got = child_wc(process_dup(argv, argc, "test_vfio_dmabuf_wc_flag"));
	TEST_ASSERT_EQUAL(got, c->want, "the child said %d, not %d", got, c->want);
	return TEST_SUCCESS;
}

static const struct wc_flag_case no_option = {
	{ CHILD_EAL_ARGS, NULL }, 0 };
static const struct wc_flag_case option = {
	{ CHILD_EAL_ARGS, "--vfio-dmabuf-wc", NULL }, 1 };
static const struct wc_flag_case option_twice = {
	{ "--vfio-dmabuf-wc", CHILD_EAL_ARGS, "--vfio-dmabuf-wc", NULL }, 1 };
static const struct wc_flag_case option_with_value = {
	{ CHILD_EAL_ARGS, "--vfio-dmabuf-wc=1", NULL }, -1 };
static const struct wc_flag_case option_misspelt = {
	{ CHILD_EAL_ARGS, "--vfio-dmabuf-wcx", NULL }, -1 };
static const struct wc_flag_case option_after_end = {
	{ CHILD_EAL_ARGS, "--", "--vfio-dmabuf-wc", NULL }, 0 };

static struct unit_test_suite vfio_dmabuf_eal_flag_suite = {
	.suite_name = "vfio_dmabuf EAL option --vfio-dmabuf-wc",
	.unit_test_cases = {
		TEST_CASE_NAMED_WITH_DATA("no_option_is_uncached", NULL, NULL,
					  wc_flag_case, &no_option),
		TEST_CASE_NAMED_WITH_DATA("option_is_write_combining", NULL, NULL,
					  wc_flag_case, &option),
		TEST_CASE_NAMED_WITH_DATA("option_twice_is_on", NULL, NULL,
					  wc_flag_case, &option_twice),
		TEST_CASE_NAMED_WITH_DATA("option_with_a_value_is_refused", NULL, NULL,
					  wc_flag_case, &option_with_value),
		TEST_CASE_NAMED_WITH_DATA("misspelt_option_is_refused", NULL, NULL,
					  wc_flag_case, &option_misspelt),
		TEST_CASE_NAMED_WITH_DATA("option_after_double_dash_is_not_eal", NULL,
					  NULL, wc_flag_case, &option_after_end),
		TEST_CASES_END()
	}
};

static int
test_vfio_dmabuf_wc_flag(void)
{
	return unit_test_suite_runner(&vfio_dmabuf_eal_flag_suite);
}

REGISTER_TEST_COMMAND(vfio_dmabuf_eal_flag_autotest, test_vfio_dmabuf_wc_flag);
