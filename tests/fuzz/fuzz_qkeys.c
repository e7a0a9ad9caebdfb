/* libFuzzer target: the query-keys file reader (zones/qkeys.c) on
 * arbitrary bytes.
 *
 *   make fuzz   (builds every tests/fuzz/fuzz_*.c; this one reads the
 *                input as a whole keys file)
 *
 * The input is read from memory (dx_qkeys_read: the private-file check of
 * dx_qkeys_load is the unit tests'). Besides the sanitizers it checks the
 * contract: a refused file has an error "keys.txt:LINE: ..." or
 * "keys.txt: ..." and nothing loaded; a loaded one finds each of its keys
 * by its text and by its name, every key is 8..63 lowercase letters and
 * digits, and the names are unique and sorted.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zones/qkeys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;                               /* fmemopen wants a buffer */
    FILE *f = fmemopen((void *)data, size, "r");
    if (!f)
        abort();
    struct dx_qkeys *t = NULL;
    char err[512] = "";
    int rc = dx_qkeys_read(f, "keys.txt", &t, err, sizeof(err));
    fclose(f);
    if (rc != 0) {
        if (t)
            abort();                            /* nothing half-loaded */
        if (strncmp(err, "keys.txt:", 9) != 0)
            abort();                            /* the message names the file */
        return 0;
    }
    if (!t)
        abort();
    for (size_t i = 0; i < t->n; i++) {
        const struct dx_qkey *k = &t->keys[i];
        if (!dx_qkey_syntax((const uint8_t *)k->key, k->key_len, NULL) ||
            strlen(k->key) != k->key_len || !k->st)
            abort();
        if (dx_qkeys_find(t, (const uint8_t *)k->key, k->key_len) != k)
            abort();
        if (dx_qkeys_by_name(t, k->name) != k)
            abort();
        if (i > 0 && strcmp(t->keys[i - 1].name, k->name) >= 0)
            abort();
    }
    dx_qkeys_free(t);
    return 0;
}
