/* The clock and the test hooks of all three programs (dnsxld, dnsxl-admin,
 * dnsxl-loader) and of the store: both read from the environment, both do
 * nothing unless a test sets them. */
#ifndef DX_CLOCK_H
#define DX_CLOCK_H

#include <stdint.h>

/* The clock, unix seconds. Tests set DNSXL_TEST_NOW=SECONDS: the clock then
 * starts there and advances with real time (a test hook; never set it in
 * production). */
uint64_t dx_now(void);

/* Test hook: kill points for tests that must stop a program at an exact
 * place (a kill -9 mid-import). With DNSXL_TEST_STOP=PHASE:FILE in the
 * environment, dx_test_point(PHASE) writes the process id to FILE
 * (complete when it appears: written to FILE.tmp, then renamed) and waits
 * there until killed. Any other phase, or no variable: returns at once.
 * Phases: "import-parsed" (files parsed, nothing written), "import-write"
 * (half the records written), "import-commit" (before the commit),
 * "store-commit" (every write txn: index built, just before LMDB's commit),
 * "list-read" (dnsxl-admin list inside its read txn). */
void dx_test_point(const char *phase);

/* Other test hooks, each documented where it is read:
 *   DNSXL_TEST_XFR_TIME=SECONDS  dnsxld/xfr.h: the time a zone transfer may
 *                                run before it is closed (default 30 min). */

#endif
