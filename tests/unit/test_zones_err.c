/* Unit tests of the error texts (zones/err.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <lmdb.h>
#include <string.h>

#include "zones/err.h"

/* LMDB's codes are named, with what to do. */
static void test_lmdb_errors_are_named_with_a_hint(void **state)
{
    (void)state;
    assert_non_null(strstr(dx_strerror(MDB_MAP_FULL), "MDB_MAP_FULL"));
    assert_non_null(strstr(dx_strerror(MDB_CORRUPTED), "MDB_CORRUPTED"));
    assert_non_null(strstr(dx_strerror(MDB_VERSION_MISMATCH), "MDB_VERSION_MISMATCH"));
    assert_non_null(strstr(dx_strerror(MDB_INVALID), "MDB_INVALID"));
    assert_non_null(strstr(dx_store_hint(MDB_MAP_FULL), "map-size"));
    assert_non_null(strstr(dx_store_hint(-ENOSPC), "disk"));
    assert_string_equal(dx_strerror(-ENOENT), strerror(ENOENT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lmdb_errors_are_named_with_a_hint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
