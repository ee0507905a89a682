/*
 * query.c — open a session, run SQL and read the result as an Arrow stream.
 *
 * The result of tarn_sql_query is a struct ArrowArrayStream (the Arrow C
 * stream interface): get_schema once, then get_next until it hands back an
 * array whose release is NULL. Each array is a record batch: a struct array
 * whose children are the columns. This program walks the buffers itself, as
 * a consumer that does not link any Arrow library would.
 *
 * Expected output: query.out
 */
#include <stdio.h>
#include <string.h>

#include <tarn/tarn.h>

static int die(const char *what, const tarn_error *err)
{
    fprintf(stderr, "%s: %s: %s\n", what, tarn_status_name(err->code), err->message);
    return 1;
}

int main(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s;
    if (tarn_session_open(&s, &err))
        return die("open", &err);

    /* Statements run in order; the last one's rows come back. */
    const char *sql = "CREATE TABLE trips (city VARCHAR, km BIGINT);"
                      "INSERT INTO trips VALUES ('Oslo', 12), ('Bergen', 30), ('Oslo', 7), ('Tromso', NULL);"
                      "SELECT city, count(*) AS n, sum(km)::BIGINT AS total FROM trips GROUP BY city ORDER BY city";
    struct ArrowArrayStream out;
    if (tarn_sql_query(s, sql, &out, &err)) {
        tarn_session_close(s);
        return die("query", &err);
    }

    struct ArrowSchema schema;
    if (out.get_schema(&out, &schema) != 0) {
        fprintf(stderr, "get_schema: %s\n", out.get_last_error(&out));
        return 1;
    }
    for (int64_t c = 0; c < schema.n_children; c++)
        printf("%s%s (%s)", c ? ", " : "", schema.children[c]->name, schema.children[c]->format);
    printf("\n");

    for (;;) {
        struct ArrowArray batch;
        if (out.get_next(&out, &batch) != 0) {
            fprintf(stderr, "get_next: %s\n", out.get_last_error(&out));
            return 1;
        }
        if (!batch.release)
            break; /* end of stream */
        /* column 0: utf8 (validity, int32 offsets, data);
         * columns 1 and 2: int64 (validity, values) */
        const struct ArrowArray *city = batch.children[0], *n = batch.children[1], *total = batch.children[2];
        const int32_t *off = (const int32_t *)city->buffers[1] + city->offset;
        const char *chars = city->buffers[2];
        for (int64_t r = 0; r < batch.length; r++) {
            const uint8_t *valid = total->buffers[0];
            int64_t t = total->offset + r;
            int null_total = valid && !((valid[t >> 3] >> (t & 7)) & 1);
            printf("%.*s: %lld trips, ", (int)(off[r + 1] - off[r]), chars + off[r],
                   (long long)((const int64_t *)n->buffers[1])[n->offset + r]);
            if (null_total)
                printf("total unknown\n");
            else
                printf("%lld km\n", (long long)((const int64_t *)total->buffers[1])[t]);
        }
        batch.release(&batch);
    }
    schema.release(&schema);
    out.release(&out);

    /* Errors name the line and column of the SQL text. */
    if (tarn_sql_query(s, "SELECT citty FROM trips", &out, &err) != 0)
        printf("error %s: %s\n", tarn_status_name(err.code), err.message);
    tarn_session_close(s);
    return 0;
}
