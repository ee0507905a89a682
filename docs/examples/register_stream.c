/*
 * register_stream.c — hand the session an Arrow stream of the program's own
 * data and query it as a table.
 *
 * The stream below produces two record batches of (id int32, name utf8)
 * from static arrays: a producer of the Arrow C stream interface in about
 * sixty lines. tarn_session_register_stream takes the stream over (it
 * calls its release) and reads it into memory, so the table can be
 * queried any number of times.
 *
 * Expected output: register_stream.out
 */
#include <stdio.h>
#include <string.h>

#include <tarn/tarn.h>

/* ---- the producer ---- */

static const int32_t ids[2][3] = {{1, 2, 3}, {4, 5, 6}};
static const int32_t name_offsets[2][4] = {{0, 3, 6, 11}, {0, 4, 8, 12}};
static const char *const name_chars[2] = {"antbeecrane", "deeremu fox "};

typedef struct producer {
    int next;                    /* the batch get_next returns next */
    const void *bufs[2][4][3];   /* per batch: top, id, name buffers */
    struct ArrowArray cols[2][2];
    struct ArrowArray *children[2][2];
} producer;

static void release_array(struct ArrowArray *a) { a->release = NULL; } /* static data: nothing to free */
static void release_schema(struct ArrowSchema *s) { s->release = NULL; }

static struct ArrowSchema id_field = {.format = "i", .name = "id", .release = release_schema};
static struct ArrowSchema name_field = {.format = "u", .name = "name", .flags = ARROW_FLAG_NULLABLE,
                                        .release = release_schema};
static struct ArrowSchema *fields[2] = {&id_field, &name_field};

static int get_schema(struct ArrowArrayStream *st, struct ArrowSchema *out)
{
    (void)st;
    *out = (struct ArrowSchema){.format = "+s", .name = "", .n_children = 2, .children = fields,
                                .release = release_schema};
    return 0;
}

static int get_next(struct ArrowArrayStream *st, struct ArrowArray *out)
{
    producer *p = st->private_data;
    memset(out, 0, sizeof *out);
    if (p->next == 2)
        return 0; /* release == NULL: the end */
    int b = p->next++;
    p->bufs[b][1][1] = ids[b];
    p->bufs[b][2][1] = name_offsets[b];
    p->bufs[b][2][2] = name_chars[b];
    p->cols[b][0] = (struct ArrowArray){.length = 3, .n_buffers = 2, .buffers = p->bufs[b][1],
                                        .release = release_array};
    p->cols[b][1] = (struct ArrowArray){.length = 3, .n_buffers = 3, .buffers = p->bufs[b][2],
                                        .release = release_array};
    p->children[b][0] = &p->cols[b][0];
    p->children[b][1] = &p->cols[b][1];
    *out = (struct ArrowArray){.length = 3, .n_buffers = 1, .n_children = 2, .buffers = p->bufs[b][0],
                               .children = p->children[b], .release = release_array};
    return 0;
}

static const char *get_last_error(struct ArrowArrayStream *st)
{
    (void)st;
    return "no error";
}

static void release_stream(struct ArrowArrayStream *st)
{
    printf("(the session released the stream)\n");
    st->release = NULL;
}

int main(void)
{
    tarn_error err;
    tarn_error_init(&err);
    tarn_session *s;
    if (tarn_session_open(&s, &err))
        return 1;
    static producer prod;
    struct ArrowArrayStream stream = {get_schema, get_next, get_last_error, release_stream, &prod};
    if (tarn_session_register_stream(s, "animals", &stream, 1, &err))
        goto fail;

    tarn_options *csv = tarn_options_create();
    tarn_options_set(csv, "format", "csv", &err);
    struct ArrowArrayStream out;
    if (tarn_sql_query(s, "SELECT id, upper(trim(name)) AS name, length(name) AS len FROM animals "
                          "WHERE id % 2 = 0 ORDER BY id DESC", &out, &err) ||
        tarn_print(stdout, &out, csv, &err))
        goto fail_opts;
    /* the table stays: query it again, joined with itself */
    if (tarn_sql_query(s, "SELECT a.name, b.name AS next FROM animals a JOIN animals b ON b.id = a.id + 1 "
                          "WHERE a.id >= 3 ORDER BY a.id", &out, &err) ||
        tarn_print(stdout, &out, csv, &err))
        goto fail_opts;
    tarn_options_free(csv);
    tarn_session_close(s);
    return 0;
fail_opts:
    tarn_options_free(csv);
fail:
    fprintf(stderr, "error: %s\n", err.message);
    tarn_session_close(s);
    return 1;
}
