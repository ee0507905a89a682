/*
 * xml.h — just enough XML to read object-store responses (S3 and Azure list
 * results, multipart answers, error bodies): find elements by name, take
 * their text with entities decoded. The input is outside bytes: every scan
 * stays inside [p, end), and malformed markup simply finds nothing.
 */
#ifndef TN_STORE_XML_H
#define TN_STORE_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

typedef struct tn_xml {
    const char *p;   /* the content between the element's tags (or the document) */
    const char *end;
} tn_xml;

/* Find the next element called `name` (at any depth) at or after cur->p;
 * on success *inner is its content and cur->p moves past its end tag. */
bool tn_xml_next(tn_xml *cur, const char *name, tn_xml *inner);
/* The decoded text of the first element `name` inside x, into out (emptied
 * first): TARN_OK, TARN_ENOTFOUND when there is none, or a memory error. */
int tn_xml_text(const tn_xml *x, const char *name, tn_buf *out, tarn_error *err);

#endif
