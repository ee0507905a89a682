/*
 * xml.c — element search and text decoding for object-store responses.
 *
 * Not a general XML parser: it finds "<name" followed by '>', ' ' or '/',
 * then the matching "</name>" at the same nesting of that name, and decodes
 * the five predefined entities, numeric character references and CDATA.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/xml.h"

/* Position of the first "<name" opening tag at or after p, or NULL. */
static const char *find_open(const char *p, const char *end, const char *name, size_t nlen, bool *self_closing,
                             const char **content)
{
    while (p < end) {
        const char *lt = memchr(p, '<', (size_t)(end - p));
        if (!lt || end - lt < (ptrdiff_t)nlen + 2)
            return NULL;
        const char *after = lt + 1 + nlen;
        if (memcmp(lt + 1, name, nlen) == 0 && (*after == '>' || *after == ' ' || *after == '/' ||
                                                *after == '\t' || *after == '\n' || *after == '\r')) {
            const char *gt = memchr(after, '>', (size_t)(end - after));
            if (!gt)
                return NULL;
            *self_closing = gt > after && gt[-1] == '/';
            *content = gt + 1;
            return lt;
        }
        p = lt + 1;
    }
    return NULL;
}

bool tn_xml_next(tn_xml *cur, const char *name, tn_xml *inner)
{
    size_t nlen = strlen(name);
    bool self_closing;
    const char *content;
    if (!find_open(cur->p, cur->end, name, nlen, &self_closing, &content))
        return false;
    if (self_closing) {
        inner->p = inner->end = content;
        cur->p = content;
        return true;
    }
    /* find the matching close, counting nested elements of the same name */
    int depth = 1;
    const char *p = content;
    while (p < cur->end) {
        const char *lt = memchr(p, '<', (size_t)(cur->end - p));
        if (!lt || cur->end - lt < (ptrdiff_t)nlen + 2)
            return false;
        if (lt[1] == '/' && cur->end - lt >= (ptrdiff_t)nlen + 3 && memcmp(lt + 2, name, nlen) == 0 &&
            lt[2 + nlen] == '>') {
            if (--depth == 0) {
                inner->p = content;
                inner->end = lt;
                cur->p = lt + 3 + nlen;
                return true;
            }
        } else if (memcmp(lt + 1, name, nlen) == 0 && (lt[1 + nlen] == '>' || lt[1 + nlen] == ' ')) {
            depth++;
        }
        p = lt + 1;
    }
    return false;
}

static int put_utf8(tn_buf *out, unsigned long c, tarn_error *err)
{
    uint8_t b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (uint8_t)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (uint8_t)(0xc0 | (c >> 6));
        b[1] = (uint8_t)(0x80 | (c & 0x3f));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (uint8_t)(0xe0 | (c >> 12));
        b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        b[2] = (uint8_t)(0x80 | (c & 0x3f));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xf0 | (c >> 18));
        b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
        b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
        b[3] = (uint8_t)(0x80 | (c & 0x3f));
        n = 4;
    }
    return tn_buf_append(out, b, n, err);
}

int tn_xml_text(const tn_xml *x, const char *name, tn_buf *out, tarn_error *err)
{
    tn_xml cur = *x, inner;
    if (!tn_xml_next(&cur, name, &inner))
        return tn_error_set(err, TARN_ENOTFOUND, "no <%s> element in the response", name);
    out->len = 0;
    TN_TRY(tn_buf_append(out, "", 0, err));
    const char *p = inner.p;
    while (p < inner.end) {
        if (*p == '<' && inner.end - p >= 9 && memcmp(p, "<![CDATA[", 9) == 0) {
            const char *s = p + 9, *e = s;
            while (e + 3 <= inner.end && memcmp(e, "]]>", 3) != 0)
                e++;
            if (e + 3 > inner.end)
                e = inner.end;
            TN_TRY(tn_buf_append(out, s, (size_t)(e - s), err));
            p = e + 3;
            continue;
        }
        if (*p == '&') {
            const char *semi = memchr(p, ';', (size_t)(inner.end - p));
            if (semi && semi - p <= 10) {
                size_t n = (size_t)(semi - p - 1);
                const char *e = p + 1;
                char c = 0;
                if (n == 3 && !memcmp(e, "amp", 3))
                    c = '&';
                else if (n == 2 && !memcmp(e, "lt", 2))
                    c = '<';
                else if (n == 2 && !memcmp(e, "gt", 2))
                    c = '>';
                else if (n == 4 && !memcmp(e, "quot", 4))
                    c = '"';
                else if (n == 4 && !memcmp(e, "apos", 4))
                    c = '\'';
                if (c) {
                    TN_TRY(tn_buf_append_byte(out, (uint8_t)c, err));
                    p = semi + 1;
                    continue;
                }
                if (n >= 2 && *e == '#') {
                    char num[12];
                    memcpy(num, e + 1, n - 1);
                    num[n - 1] = '\0';
                    char *stop;
                    unsigned long v = num[0] == 'x' ? strtoul(num + 1, &stop, 16) : strtoul(num, &stop, 10);
                    if (*stop == '\0' && v > 0 && v <= 0x10ffff && (v < 0xd800 || v > 0xdfff)) {
                        TN_TRY(put_utf8(out, v, err));
                        p = semi + 1;
                        continue;
                    }
                }
            }
        }
        TN_TRY(tn_buf_append_byte(out, (uint8_t)*p, err));
        p++;
    }
    return TARN_OK;
}
