/*
 * scalar_misc.c — md5 (hex text, through libcrypto), hash (tarn's row hash
 * as a uint64: stable within tarn, not DuckDB's values), typeof (DuckDB's
 * type names).
 */
#include <openssl/evp.h>
#include <stdio.h>

#include "sql/functions/scalar_internal.h"

static int md5_row(const tn_expr *call, const tn_datum *args, int64_t i, sout *o, tarn_error *err)
{
    int64_t n;
    const uint8_t *p = d_str(&args[0], i, &n);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(p, (size_t)n, md, &len, EVP_md5(), NULL) != 1)
        return tn_func_error(err, TARN_EINTERNAL, call, i, "md5 failed");
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int k = 0; k < len; k++)
        snprintf(hex + 2 * k, 3, "%02x", md[k]);
    return sout_append(o, hex, 2 * (int64_t)len, err);
}

static int md5_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                    tarn_error *err)
{
    return sout_map(call, args, nargs, n, out, err, md5_row);
}

/* hash(a, ...): one uint64 per row over every argument (NULLs hash too). */
static int hash_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                     tarn_error *err)
{
    tn_array **cols = tn_calloc((size_t)nargs, sizeof *cols);
    TN_TRY_ALLOC(cols, err, (size_t)nargs * 8);
    int rc = TARN_OK;
    for (int32_t k = 0; k < nargs && !rc; k++) {
        if (args[k].kind == TN_DATUM_ARRAY) {
            cols[k] = tn_array_ref(args[k].array);
            continue;
        }
        tn_array *one = NULL;
        rc = tn_scalar_to_array(args[k].scalar, &one, err);
        if (rc)
            break;
        int32_t *z = tn_calloc((size_t)(n > 0 ? n : 1), sizeof *z);
        if (!z) {
            tn_array_unref(one);
            rc = tn_error_oom(err, (size_t)n * 4);
            break;
        }
        tn_selection s = {z, n};
        rc = tn_filter_sel(one, &s, &cols[k], err);
        tn_free(z);
        tn_array_unref(one);
    }
    if (!rc)
        rc = tn_hash_rows(cols, nargs, 0, out, err);
    for (int32_t k = 0; k < nargs; k++)
        tn_array_unref(cols[k]);
    tn_free(cols);
    return rc;
}

/* typeof(x): the argument's type in DuckDB's spelling, e.g. DECIMAL(2,1). */
static int typeof_exec(const tn_expr *call, const tn_datum *args, int32_t nargs, int64_t n, tn_array **out,
                       tarn_error *err)
{
    char name[96];
    const tn_type *t = call->args[0]->type;
    if (t->id == TN_NA) {
        snprintf(name, sizeof name, "\"NULL\"");
    } else {
        tn_sql_type_name(t, name, sizeof name);
        for (char *p = name; *p; p++)
            *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
    }
    sout o;
    TN_TRY(sout_init(&o, tn_type_get(TN_STRING), n, err));
    int rc = TARN_OK;
    for (int64_t i = 0; i < n && !rc; i++)
        rc = sout_row(&o, name, (int64_t)strlen(name), err);
    return sout_close(&o, rc, out, err);
}

static int hash_bind(tn_plan_ctx *c, tn_expr *call, tarn_error *err)
{
    call->type = tn_type_get(TN_UINT64);
    return TARN_OK;
}

#define F(name, exec, nn) {name, exec, nn, false, NULL}

const tn_sfn tn_sfn_misc[] = {
    {F("md5", md5_exec, true), 1, false, {P_BLOB}, R_VARCHAR, NULL},
    {F("hash", hash_exec, false), 1, true, {P_ANY}, R_BIND, hash_bind},
    {F("typeof", typeof_exec, false), 1, false, {P_ANY}, R_VARCHAR, NULL},
};
const int tn_sfn_misc_n = (int)(sizeof tn_sfn_misc / sizeof tn_sfn_misc[0]);
