/* libFuzzer target: the config file reader (zones/ini.c, zones/conf.c,
 * zones/txt.c's template checks) on arbitrary bytes.
 *
 *   make fuzz   (builds every tests/fuzz/fuzz_*.c; this one reads the
 *                input as a whole dnsxl.conf)
 *
 * The input is written to a private temporary file (the loader reads a
 * path, as the programs do) and loaded. Besides the sanitizers it checks
 * the contract: a refused file has an error of the form "FILE:LINE: ..."
 * or "FILE: ..." naming the file; a loaded one has a database path and
 * zones whose names are lowercase and carry no trailing dot.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zones/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void cleanup(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof(path), "/tmp/dnsxl-fuzz-conf-%ld.conf", (long)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size && fwrite(data, 1, size, f) != size)
        abort();
    if (fclose(f) != 0)
        abort();
    struct dx_conf *c = NULL;
    char err[512] = "";
    int rc = dx_conf_load(path, &c, err, sizeof(err));
    if (rc != 0) {
        if (c)
            abort();                            /* nothing half-loaded */
        if (strncmp(err, path, strlen(path)) != 0 || err[strlen(path)] != ':')
            abort();                            /* the message names the file */
        return 0;
    }
    if (!c || !c->server.database || !*c->server.database)
        abort();
    for (size_t i = 0; i < c->n_zones; i++) {
        const char *z = c->zones[i].name;
        size_t n = strlen(z);
        if (n == 0 || z[n - 1] == '.')
            abort();
        for (size_t j = 0; j < n; j++)
            if (z[j] >= 'A' && z[j] <= 'Z')
                abort();
    }
    dx_conf_free(c);
    return 0;
}
