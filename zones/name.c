/* See zones/name.h. */
#include "zones/name.h"

#include "zones/err.h"

#include <string.h>

#define C(c) [c] = true
const bool dx_label_chars[256] = {
    C('-'), C('_'),
    C('0'), C('1'), C('2'), C('3'), C('4'), C('5'), C('6'), C('7'), C('8'), C('9'),
    C('a'), C('b'), C('c'), C('d'), C('e'), C('f'), C('g'), C('h'), C('i'), C('j'), C('k'),
    C('l'), C('m'), C('n'), C('o'), C('p'), C('q'), C('r'), C('s'), C('t'), C('u'), C('v'),
    C('w'), C('x'), C('y'), C('z'),
    C('A'), C('B'), C('C'), C('D'), C('E'), C('F'), C('G'), C('H'), C('I'), C('J'), C('K'),
    C('L'), C('M'), C('N'), C('O'), C('P'), C('Q'), C('R'), C('S'), C('T'), C('U'), C('V'),
    C('W'), C('X'), C('Y'), C('Z'),
};
#undef C

static char lower(unsigned char c)
{
    return (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
}

int dx_name_norm(const char *in, size_t n, char *out)
{
    if (n > 0 && in[n - 1] == '.')
        n--;
    if (n == 0 || n > DX_NAME_TEXT_MAX)
        return DX_EINVAL;
    size_t lab = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '.') {
            if (lab == 0)
                return DX_EINVAL;
            lab = 0;
        } else if (!dx_label_char(c) || ++lab > DX_LABEL_MAX) {
            return DX_EINVAL;
        }
        out[i] = lower(c);
    }
    if (lab == 0)
        return DX_EINVAL;
    out[n] = 0;
    return (int)n;
}

size_t dx_name_wire(const char *norm, uint8_t *wire, unsigned *labels)
{
    size_t w = 0;
    unsigned nl = 0;
    for (const char *p = norm; *p;) {
        size_t l = strcspn(p, ".");
        wire[w++] = (uint8_t)l;
        memcpy(wire + w, p, l);
        w += l;
        nl++;
        p += l;
        if (*p)
            p++;
    }
    wire[w++] = 0;                 /* the root label */
    *labels = nl;
    return w;
}

int dx_label_norm(const char *in, size_t n, char *out)
{
    if (n == 0 || n > DX_LABEL_MAX)
        return DX_EINVAL;
    for (size_t i = 0; i < n; i++) {
        if (!dx_label_char((unsigned char)in[i]))
            return DX_EINVAL;
        out[i] = lower((unsigned char)in[i]);
    }
    out[n] = 0;
    return (int)n;
}
