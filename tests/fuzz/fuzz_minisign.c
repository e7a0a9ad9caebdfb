/* libFuzzer target: the minisign public key and signature parsers
 * (loader/minisign.c) on arbitrary bytes: what `dnsxl-loader sync` reads
 * from a mirror it does not control.
 *
 * The first byte splits the rest into a public key text and a .minisig
 * text. Besides the sanitizers it checks the contract: a key that parses
 * yields a verification that returns one of the documented codes, and
 * random bytes never verify (a forgery would be a bug here, not luck).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/minisign.h"
#include "zones/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t cut = 1 + (size - 1) * data[0] / 256;
    const char *pk_text = (const char *)data + 1;
    size_t pk_len = cut - 1;
    /* exact-size heap copies: a read past either end is caught */
    char *pk_buf = malloc(pk_len ? pk_len : 1), *sig = malloc(size - cut ? size - cut : 1);
    if (!pk_buf || !sig)
        abort();
    memcpy(pk_buf, pk_text, pk_len);
    memcpy(sig, data + cut, size - cut);
    struct dx_minisign_pk pk;
    char err[256] = "";
    if (dx_minisign_pk_parse(pk_buf, pk_len, &pk, err, sizeof(err)) == 0) {
        static const uint8_t payload[] = "192.0.2.1\n";
        char tc[DX_MINISIGN_COMMENT_MAX + 1];
        int rc = dx_minisign_verify(&pk, payload, sizeof(payload) - 1, sig, size - cut, tc,
                                    sizeof(tc), err, sizeof(err));
        if (rc == 0 || (rc != DX_EINVAL && rc != DX_EREFUSED && rc != DX_ENOMEM))
            abort();
    } else if (!err[0]) {
        abort();                                /* a refusal says why */
    }
    free(pk_buf);
    free(sig);
    return 0;
}
