/*
 * store.c — URL parsing, backend selection, metric-counting wrappers and
 * glob expansion shared by every object-store backend.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ctype.h>
#include <strings.h>

#include "core/alloc.h"
#include "store/profile.h"
#include "store/store.h"
#include "tarn/store.h"

void tn_url_reset(tn_url *u)
{
    tn_free(u->scheme);
    tn_free(u->root);
    tn_free(u->key);
    memset(u, 0, sizeof *u);
}

static int set_url(tn_url *out, const char *scheme, const char *root, size_t root_len, const char *key,
                   tarn_error *err)
{
    out->scheme = tn_strdup(scheme);
    out->root = tn_strndup(root, root_len);
    out->key = tn_strdup(key);
    if (!out->scheme || !out->root || !out->key) {
        tn_url_reset(out);
        return tn_error_oom(err, strlen(key) + 16);
    }
    return TARN_OK;
}

int tn_url_parse(const char *url, tn_url *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    if (!url || !*url)
        return tn_error_set(err, TARN_EINVAL, "empty path");
    const char *sep = strstr(url, "://");
    if (!sep)
        return set_url(out, "file", "", 0, url, err);
    size_t slen = (size_t)(sep - url);
    const char *rest = sep + 3;
    if (slen == 4 && strncmp(url, "file", 4) == 0) {
        if (*rest != '/')
            return tn_error_set(err, TARN_EINVAL, "file URL '%s' must have an absolute path (file:///...)", url);
        return set_url(out, "file", "", 0, rest, err);
    }
    static const char *known[] = {"memory", "s3", "az", "abfs", "abfss", "gs"};
    const char *scheme = NULL;
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strlen(known[i]) == slen && strncmp(url, known[i], slen) == 0)
            scheme = known[i];
    char *profile = NULL;
    if (!scheme) { /* a profile's name works as a scheme: minio://bucket/key */
        int rc = TARN_OK;
        profile = tn_strndup(url, slen);
        TN_TRY_ALLOC(profile, err, slen + 1);
        bool found = !tn_builtin_scheme(url, slen) && tn_profile_exists(profile, &rc, err);
        if (!found) {
            tn_free(profile);
            if (rc)
                return rc;
            char *path = tn_profile_path();
            rc = tn_error_set(err, TARN_EUNSUPPORTED,
                              "unsupported URL scheme '%.*s' in '%s' (not s3, az, abfs[s], gs, memory, file, "
                              "nor a profile in %s)",
                              (int)slen, url, url, path ? path : "the profile file");
            tn_free(path);
            return rc;
        }
        scheme = profile;
    }
    const char *slash = strchr(rest, '/');
    size_t rlen = slash ? (size_t)(slash - rest) : strlen(rest);
    int rc = rlen == 0 ? tn_error_set(err, TARN_EINVAL, "URL '%s' names no bucket or store", url)
                       : set_url(out, scheme, rest, rlen, slash ? slash + 1 : "", err);
    tn_free(profile);
    return rc;
}

/* The store of a URL whose scheme names a profile: the profile's type of
 * store with its settings, named by the profile in URLs and errors. */
static int open_profile(const tn_url *url, tn_store **out, tarn_error *err)
{
    tn_store_settings cfg;
    TN_TRY(tn_profile_load(url->scheme, &cfg, err));
    const char *type = tn_ini_get(&cfg.ini, cfg.name, "type");
    int rc;
    if (type && strcmp(type, "s3") == 0)
        rc = tn_store_s3_open_with(url->root, &cfg, out, err);
    else if (type && strcmp(type, "az") == 0)
        rc = tn_store_azure_open_with(url->root, &cfg, out, err);
    else if (type && strcmp(type, "gs") == 0)
        rc = tn_store_gcs_open_with(url->root, &cfg, out, err);
    else
        rc = tn_error_set(err, TARN_EINVAL, "%s: profile '%s' has %s type (s3, az or gs)", cfg.path, cfg.name,
                          type ? "an unknown" : "no");
    if (!rc) {
        char *scheme = tn_strdup(url->scheme);
        if (!scheme) {
            tn_store_free(*out);
            *out = NULL;
            rc = tn_error_oom(err, 64);
        } else {
            tn_free((*out)->scheme);
            (*out)->scheme = scheme;
        }
    }
    if (rc)
        tn_error_prefix(err, "profile '%s': ", url->scheme);
    tn_profile_reset(&cfg);
    return rc;
}

/* --- metrics of every store of the process -------------------------------- *
 * Stores opened through tn_store_open are kept in a list while open; when
 * one is freed its counters are added to the tally of its scheme://root.
 * tarn_store_stats_each reports tallies plus open stores, per name. */

typedef struct tally {
    char name[320];
    int64_t v[11];
    struct tally *next;
} tally;

static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static tn_store *live;
static tally *tallies;

static void metrics_values(tn_store_metrics *m, int64_t v[11])
{
    _Atomic int64_t *f[11] = {&m->gets,       &m->puts,          &m->heads,   &m->lists,
                              &m->deletes,    &m->copies,        &m->requests, &m->bytes_read,
                              &m->bytes_written, &m->retries,    &m->throttles};
    for (int i = 0; i < 11; i++)
        v[i] = *f[i];
}

static void store_name(const tn_store *s, char *out, size_t cap)
{
    snprintf(out, cap, "%s://%s", s->scheme ? s->scheme : "?", s->root ? s->root : "");
}

/* The tally of a name, made if missing (under reg_lock); NULL without memory. */
static tally *tally_of(const char *name)
{
    tally **at = &tallies;
    while (*at && strcmp((*at)->name, name) < 0)
        at = &(*at)->next;
    if (*at && strcmp((*at)->name, name) == 0)
        return *at;
    /* process-wide and kept until a reset: outside tarn's allocator, whose
     * accounting is per operation */
    tally *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    snprintf(t->name, sizeof t->name, "%s", name);
    t->next = *at;
    *at = t;
    return t;
}

static void register_store(tn_store *s)
{
    pthread_mutex_lock(&reg_lock);
    s->live_next = live;
    live = s;
    s->registered = true;
    pthread_mutex_unlock(&reg_lock);
}

static void unregister_store(tn_store *s)
{
    pthread_mutex_lock(&reg_lock);
    for (tn_store **at = &live; *at; at = &(*at)->live_next)
        if (*at == s) {
            *at = s->live_next;
            break;
        }
    char name[320];
    store_name(s, name, sizeof name);
    tally *t = tally_of(name);
    int64_t v[11];
    metrics_values(&s->metrics, v);
    for (int i = 0; t && i < 11; i++)
        t->v[i] += v[i];
    pthread_mutex_unlock(&reg_lock);
}

int tarn_store_stats_each(tarn_store_stats_fn fn, void *ctx)
{
    pthread_mutex_lock(&reg_lock);
    /* open stores are added into their tallies for the report, then taken out */
    int64_t (*added)[11] = NULL;
    int n_live = 0;
    for (tn_store *s = live; s; s = s->live_next)
        n_live++;
    tally **where = n_live ? tn_calloc((size_t)n_live, sizeof *where) : NULL;
    added = n_live ? tn_calloc((size_t)n_live, sizeof *added) : NULL;
    int k = 0;
    for (tn_store *s = live; s && where && added; s = s->live_next, k++) {
        char name[320];
        store_name(s, name, sizeof name);
        where[k] = tally_of(name);
        metrics_values(&s->metrics, added[k]);
        for (int i = 0; where[k] && i < 11; i++)
            where[k]->v[i] += added[k][i];
    }
    int rc = 0;
    for (tally *t = tallies; t && !rc; t = t->next) {
        tarn_store_stats st = {t->name, t->v[0], t->v[1], t->v[2], t->v[3], t->v[4], t->v[5],
                               t->v[6], t->v[7], t->v[8], t->v[9], t->v[10]};
        rc = fn(ctx, &st);
    }
    for (int j = 0; j < k; j++)
        for (int i = 0; where[j] && i < 11; i++)
            where[j]->v[i] -= added[j][i];
    tn_free(where);
    tn_free(added);
    pthread_mutex_unlock(&reg_lock);
    return rc;
}

void tarn_store_stats_reset(void)
{
    pthread_mutex_lock(&reg_lock);
    while (tallies) {
        tally *t = tallies;
        tallies = t->next;
        free(t);
    }
    for (tn_store *s = live; s; s = s->live_next) {
        tn_store_metrics *m = &s->metrics;
        m->gets = m->puts = m->heads = m->lists = m->deletes = m->copies = 0;
        m->requests = m->bytes_read = m->bytes_written = m->retries = m->throttles = 0;
    }
    pthread_mutex_unlock(&reg_lock);
}

static int open_backend(const tn_url *url, tn_store **out, tarn_error *err)
{
    if (strcmp(url->scheme, "file") == 0)
        return tn_store_local_open(out, err);
    if (strcmp(url->scheme, "memory") == 0)
        return tn_store_memory_open(url->root, out, err);
    if (strcmp(url->scheme, "s3") == 0)
        return tn_store_s3_open(url->root, out, err);
    if (strcmp(url->scheme, "az") == 0 || strcmp(url->scheme, "abfs") == 0 || strcmp(url->scheme, "abfss") == 0)
        return tn_store_azure_open(url->root, out, err);
    if (strcmp(url->scheme, "gs") == 0)
        return tn_store_gcs_open(url->root, out, err);
    return open_profile(url, out, err);
}

int tn_store_open(const tn_url *url, tn_store **out, tarn_error *err)
{
    *out = NULL;
    TN_TRY(open_backend(url, out, err));
    register_store(*out);
    return TARN_OK;
}

void tn_store_free(tn_store *s)
{
    if (!s)
        return;
    if (s->registered)
        unregister_store(s);
    s->ops->destroy(s);
}

/* Errors from backends name the key; add the store so the whole URL shows. */
static int named(tn_store *s, int rc, tarn_error *err)
{
    if (!rc || !err || !s->root || !*s->root)
        return rc;
    char base[320];
    snprintf(base, sizeof base, "%s://%s/", s->scheme, s->root);
    if (!strstr(err->message, base)) /* the HTTP backends name the URL already */
        tn_error_prefix(err, "%s", base);
    return rc;
}

int tn_store_head(tn_store *s, const char *key, tn_object_meta *meta, tarn_error *err)
{
    s->metrics.heads++;
    return named(s, s->ops->head(s, key, meta, err), err);
}

/* Reads at least this long go out as parallel ranged requests. */
#define SPLIT_AT (16 << 20)
#define PART (8 << 20)
#define MAX_IO_THREADS 8

/* A get_stream sink filling a caller's buffer of cap bytes. */
typedef struct slot_fill {
    uint8_t *buf;
    int64_t cap, len;
} slot_fill;

static int fill_slot(void *ctx, const void *p, int64_t n, tarn_error *err)
{
    slot_fill *f = ctx;
    if (f->len + n > f->cap)
        return tn_error_set(err, TARN_ENETWORK, "the service sent more than the %lld bytes asked for",
                            (long long)f->cap);
    memcpy(f->buf + f->len, p, (size_t)n);
    f->len += n;
    return TARN_OK;
}

typedef struct fetch {
    int64_t offset, length;
    tn_buffer *buf;
    slot_fill into; /* or, into.buf set: stream the bytes there (a piece of a larger buffer) */
    int rc;
    tarn_error err;
} fetch;

typedef struct fetch_job {
    tn_store *s;
    const char *key;
    fetch *f;
    int n;
    _Atomic int next;
} fetch_job;

static void *fetch_worker(void *arg)
{
    fetch_job *j = arg;
    for (int i; (i = atomic_fetch_add(&j->next, 1)) < j->n;) {
        fetch *f = &j->f[i];
        tarn_error_init(&f->err);
        if (f->into.buf)
            f->rc = j->s->ops->get_stream(j->s, j->key, f->offset, f->length, fill_slot, &f->into, &f->err);
        else
            f->rc = j->s->ops->get(j->s, j->key, f->offset, f->length, &f->buf, &f->err);
    }
    return NULL;
}

/* Run the fetches on up to MAX_IO_THREADS threads (the caller is one). */
static void run_fetches(tn_store *s, const char *key, fetch *f, int n)
{
    fetch_job j = {.s = s, .key = key, .f = f, .n = n};
    atomic_init(&j.next, 0);
    pthread_t t[MAX_IO_THREADS];
    int nt = 0;
    for (int k = 1; k < n && k < MAX_IO_THREADS; k++)
        if (pthread_create(&t[nt], NULL, fetch_worker, &j) == 0)
            nt++;
    fetch_worker(&j);
    for (int k = 0; k < nt; k++)
        pthread_join(t[k], NULL);
}

/* First failed fetch, reported into err. */
static int first_failure(fetch *f, int n, tarn_error *err)
{
    for (int i = 0; i < n; i++)
        if (f[i].rc) {
            if (err)
                *err = f[i].err;
            return f[i].rc;
        }
    return TARN_OK;
}

static bool remote(const tn_store *s)
{
    return s->limiter.max > 0; /* only the HTTP backends have a limiter */
}

int64_t tn_parse_size(const char *text)
{
    if (!text || !isdigit((unsigned char)*text))
        return -1;
    char *end;
    long long v = strtoll(text, &end, 10);
    while (*end == ' ')
        end++;
    int shift = 0;
    if (*end) {
        const char *units = "kmgt";
        const char *u = strchr(units, tolower((unsigned char)*end));
        if (!u)
            return -1;
        shift = 10 * (int)(u - units + 1);
        end++;
        if (strcasecmp(end, "ib") == 0 || strcasecmp(end, "b") == 0)
            end += strlen(end);
        if (*end)
            return -1;
    }
    if (v < 0 || (shift && v > (INT64_MAX >> shift)))
        return -1;
    return (int64_t)v << shift;
}

int tn_store_transfer_settings(tn_store *s, const tn_store_settings *cfg, int64_t min_part, tarn_error *err)
{
    s->part_size = TN_DEFAULT_PART_SIZE;
    s->concurrency = TN_DEFAULT_CONCURRENCY;
    const char *v = tn_setting(cfg, "part_size", "TARN_STORE_PART_SIZE", NULL);
    if (v) {
        int64_t n = tn_parse_size(v);
        if (n < min_part || n > ((int64_t)5 << 30))
            return tn_error_set(err, TARN_EINVAL, "part_size=%s: expected a size from %lld bytes to 5GiB (8MiB, 16M)",
                                v, (long long)min_part);
        s->part_size = n;
    }
    v = tn_setting(cfg, "concurrency", "TARN_STORE_CONCURRENCY", NULL);
    if (v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > 64)
            return tn_error_set(err, TARN_EINVAL, "concurrency=%s: expected a number from 1 to 64", v);
        s->concurrency = (int)n;
    }
    return TARN_OK;
}

bool tn_store_parallel(const tn_store *s, int64_t size)
{
    return remote(s) && s->concurrency > 1 && s->part_size > 0 && size >= TN_PARALLEL_PARTS * s->part_size;
}

/* A long read of a remote object as parallel PART-sized requests. */
static int get_split(tn_store *s, const char *key, int64_t offset, int64_t length, tn_buffer **out, tarn_error *err)
{
    int n = (int)((length + PART - 1) / PART);
    fetch *f = tn_calloc((size_t)n, sizeof *f);
    TN_TRY_ALLOC(f, err, sizeof *f * (size_t)n);
    for (int i = 0; i < n; i++) {
        f[i].offset = offset + (int64_t)i * PART;
        f[i].length = i == n - 1 ? length - (int64_t)i * PART : PART;
    }
    run_fetches(s, key, f, n);
    int rc = first_failure(f, n, err);
    tn_buffer *b = rc ? NULL : tn_buffer_new(length);
    if (!rc && !b)
        rc = tn_error_oom(err, (size_t)length);
    int64_t at = 0;
    for (int i = 0; !rc && i < n; i++) {
        if (f[i].buf->size != f[i].length) {
            rc = tn_error_set(err, TARN_ENETWORK, "%s: short read at byte %lld", key, (long long)f[i].offset);
            break;
        }
        memcpy(b->data + at, f[i].buf->data, (size_t)f[i].length);
        at += f[i].length;
    }
    for (int i = 0; i < n; i++)
        tn_buffer_unref(f[i].buf);
    tn_free(f);
    if (rc) {
        tn_buffer_unref(b);
        return rc;
    }
    *out = b;
    return TARN_OK;
}

int tn_store_get(tn_store *s, const char *key, int64_t offset, int64_t length, tn_buffer **out, tarn_error *err)
{
    s->metrics.gets++;
    int rc;
    if (remote(s) && offset >= 0 && length >= SPLIT_AT)
        rc = get_split(s, key, offset, length, out, err);
    else
        rc = s->ops->get(s, key, offset, length, out, err);
    if (!rc)
        s->metrics.bytes_read += (*out)->size;
    return named(s, rc, err);
}

/* Fetch coalesced units; on a remote store a unit longer than a part is
 * fetched as part-sized pieces in parallel, streamed straight into the
 * unit's buffer (a full scan coalesces a whole row group into one unit). */
static int fetch_units(tn_store *s, const char *key, fetch *f, int nf, tarn_error *err)
{
    int64_t part = s->part_size;
    int np = 0;
    bool split = false;
    if (remote(s) && s->ops->get_stream && s->concurrency > 1 && part > 0)
        for (int i = 0; i < nf; i++) {
            np += (int)((f[i].length + part - 1) / part);
            split |= f[i].length > part;
        }
    if (!split) {
        run_fetches(s, key, f, nf);
        return first_failure(f, nf, err);
    }
    fetch *pieces = tn_calloc((size_t)np, sizeof *pieces);
    TN_TRY_ALLOC(pieces, err, sizeof *pieces * (size_t)np);
    int k = 0, rc = TARN_OK;
    for (int i = 0; !rc && i < nf; i++) {
        if (!(f[i].buf = tn_buffer_new(f[i].length))) {
            rc = tn_error_oom(err, (size_t)f[i].length);
            break;
        }
        for (int64_t at = 0; at < f[i].length || (at == 0 && f[i].length == 0); at += part) {
            int64_t len = f[i].length - at < part ? f[i].length - at : part;
            pieces[k++] = (fetch){.offset = f[i].offset + at, .length = len, .into = {f[i].buf->data + at, len, 0}};
            if (f[i].length == 0)
                break;
        }
    }
    if (!rc) {
        s->metrics.gets += k - nf;
        run_fetches(s, key, pieces, k);
        rc = first_failure(pieces, k, err);
    }
    /* a unit holds its pieces up to the first short one (the object ended) */
    k = 0;
    for (int i = 0; !rc && i < nf; i++) {
        int64_t size = 0;
        bool ended = false;
        for (int64_t at = 0; at < f[i].length || (at == 0 && f[i].length == 0); at += part, k++) {
            if (!ended)
                size += pieces[k].into.len;
            ended |= pieces[k].into.len < pieces[k].length;
            if (f[i].length == 0) {
                k++;
                break;
            }
        }
        f[i].buf->size = size;
    }
    tn_free(pieces);
    return rc;
}

static int cmp_by_offset(const void *a, const void *b)
{
    const tn_range *x = *(tn_range *const *)a, *y = *(tn_range *const *)b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

int tn_store_get_ranges(tn_store *s, const char *key, tn_range *ranges, int n, int64_t gap, tarn_error *err)
{
    if (gap <= 0)
        gap = 1 << 20;
    for (int i = 0; i < n; i++) {
        ranges[i].out = NULL;
        if (ranges[i].offset < 0 || ranges[i].length < 0)
            return tn_error_set(err, TARN_EINVAL, "%s: bad range %lld+%lld", key, (long long)ranges[i].offset,
                                (long long)ranges[i].length);
    }
    if (n == 0)
        return TARN_OK;
    tn_range **order = tn_malloc(sizeof *order * (size_t)n);
    fetch *f = tn_calloc((size_t)n, sizeof *f);
    int *unit = tn_malloc(sizeof *unit * (size_t)n);
    if (!order || !f || !unit) {
        tn_free(order);
        tn_free(f);
        tn_free(unit);
        return tn_error_oom(err, sizeof *f * (size_t)n);
    }
    for (int i = 0; i < n; i++)
        order[i] = &ranges[i];
    qsort(order, (size_t)n, sizeof *order, cmp_by_offset);
    int nf = 0;
    for (int i = 0; i < n; i++) {
        tn_range *r = order[i];
        fetch *last = nf ? &f[nf - 1] : NULL;
        if (last && r->offset <= last->offset + last->length + gap) {
            int64_t end = r->offset + r->length;
            if (end > last->offset + last->length)
                last->length = end - last->offset;
        } else {
            f[nf].offset = r->offset;
            f[nf].length = r->length;
            nf++;
        }
        unit[r - ranges] = nf - 1;
    }
    s->metrics.gets += nf;
    int rc = fetch_units(s, key, f, nf, err);
    for (int i = 0; !rc && i < n; i++) {
        fetch *u = &f[unit[i]];
        int64_t at = ranges[i].offset - u->offset;
        int64_t len = ranges[i].length;
        if (at + len > u->buf->size) /* the object ends inside the range */
            len = at < u->buf->size ? u->buf->size - at : 0;
        ranges[i].out = tn_buffer_slice(u->buf, at < u->buf->size ? at : u->buf->size, len);
        if (!ranges[i].out)
            rc = tn_error_oom(err, sizeof(tn_buffer));
    }
    for (int i = 0; i < nf; i++) {
        if (f[i].buf)
            s->metrics.bytes_read += f[i].buf->size;
        tn_buffer_unref(f[i].buf);
    }
    if (rc)
        for (int i = 0; i < n; i++) {
            tn_buffer_unref(ranges[i].out);
            ranges[i].out = NULL;
        }
    tn_free(order);
    tn_free(f);
    tn_free(unit);
    return named(s, rc, err);
}

int tn_store_put(tn_store *s, const char *key, const void *data, int64_t n, const tn_put_options *o,
                 tarn_error *err)
{
    s->metrics.puts++;
    int rc = s->ops->put(s, key, data, n, o, err);
    if (!rc)
        s->metrics.bytes_written += n;
    return named(s, rc, err);
}

/* Feed a writer from a source in PART-sized pieces (stores without a
 * streaming PUT, and sizes over their single-request limit). */
static int put_through_writer(tn_store *s, const char *key, int64_t size, tn_read_at_fn read, void *ctx,
                              const tn_put_options *o, tarn_error *err)
{
    uint8_t *buf = tn_malloc(PART);
    TN_TRY_ALLOC(buf, err, PART);
    tn_store_writer *w;
    int rc = s->ops->writer_open(s, key, o, &w, err);
    if (rc) {
        tn_free(buf);
        return rc;
    }
    for (int64_t at = 0; !rc && at < size;) {
        int64_t want = size - at < PART ? size - at : PART, got = 0;
        rc = read(ctx, at, buf, want, &got, err);
        if (!rc && got <= 0)
            rc = tn_error_set(err, TARN_EIO, "%s: the source ended at byte %lld of %lld", key, (long long)at,
                              (long long)size);
        if (!rc)
            rc = w->write(w, buf, got, err);
        at += got;
    }
    tn_free(buf);
    if (rc) {
        w->abort(w);
        return rc;
    }
    return w->commit(w, err);
}

int tn_store_put_stream(tn_store *s, const char *key, int64_t size, tn_read_at_fn read, void *ctx,
                        const tn_put_options *o, tarn_error *err)
{
    s->metrics.puts++;
    /* large objects go out as parallel parts; others as one streamed request */
    int rc = s->ops->put_stream && size <= s->ops->max_single_put && !tn_store_parallel(s, size)
                 ? s->ops->put_stream(s, key, size, read, ctx, o, err)
                 : put_through_writer(s, key, size, read, ctx, o, err);
    if (!rc)
        s->metrics.bytes_written += size;
    return named(s, rc, err);
}

/* Counts the bytes a streamed read delivers. */
typedef struct counted_sink {
    tn_sink_fn sink;
    void *ctx;
    int64_t bytes;
} counted_sink;

static int count_bytes(void *ctx, const void *p, int64_t n, tarn_error *err)
{
    counted_sink *c = ctx;
    TN_TRY(c->sink(c->ctx, p, n, err));
    c->bytes += n;
    return TARN_OK;
}

/* PART-sized ranged reads handed to the sink, for stores without a
 * streaming GET; a short piece means the object ended. */
static int get_in_pieces(tn_store *s, const char *key, int64_t offset, int64_t length, tn_sink_fn sink, void *ctx,
                         tarn_error *err)
{
    for (int64_t at = offset; length < 0 || at < offset + length;) {
        int64_t want = length < 0 || offset + length - at > PART ? PART : offset + length - at;
        tn_buffer *b = NULL;
        TN_TRY(s->ops->get(s, key, at, want, &b, err));
        int64_t got = b->size;
        int rc = got ? sink(ctx, b->data, got, err) : TARN_OK;
        tn_buffer_unref(b);
        TN_TRY(rc);
        if (got < want)
            break;
        at += got;
    }
    return TARN_OK;
}

/* A long read as parallel ranged GETs of part_size bytes, handed to the
 * sink in order. Part i is read into slot i % concurrency, and only once
 * part i - concurrency has been handed on, so the buffers are allocated
 * once and memory stays at concurrency x part size. */
typedef struct pget {
    tn_store *s;
    const char *key;
    int64_t offset, length, part;
    int n, window;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint8_t **slot;
    bool *ready;
    int next, delivered;
    int rc;
    tarn_error err;
} pget;

static void *pget_worker(void *arg)
{
    pget *g = arg;
    pthread_mutex_lock(&g->lock);
    for (;;) {
        while (!g->rc && g->next < g->n && g->next - g->delivered >= g->window)
            pthread_cond_wait(&g->changed, &g->lock);
        if (g->rc || g->next >= g->n)
            break;
        int i = g->next++;
        pthread_mutex_unlock(&g->lock);
        int64_t at = g->offset + (int64_t)i * g->part;
        int64_t len = i == g->n - 1 ? g->length - (int64_t)i * g->part : g->part;
        slot_fill f = {g->slot[i % g->window], len, 0};
        tarn_error err;
        tarn_error_init(&err);
        int rc = g->s->ops->get_stream(g->s, g->key, at, len, fill_slot, &f, &err);
        if (!rc && f.len != len)
            rc = tn_error_set(&err, TARN_ENETWORK, "%s: short read at byte %lld (the object changed?)", g->key,
                              (long long)at);
        pthread_mutex_lock(&g->lock);
        if (rc && !g->rc) {
            g->rc = rc;
            g->err = err;
        } else if (!rc) {
            g->ready[i] = true;
        }
        pthread_cond_broadcast(&g->changed);
    }
    pthread_cond_broadcast(&g->changed);
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

static int get_parallel(tn_store *s, const char *key, int64_t offset, int64_t length, tn_sink_fn sink, void *ctx,
                        tarn_error *err)
{
    pget g = {.s = s, .key = key, .offset = offset, .length = length, .part = s->part_size};
    g.n = (int)((length + g.part - 1) / g.part);
    g.window = s->concurrency < g.n ? s->concurrency : g.n;
    if (g.window > 64)
        g.window = 64;
    g.ready = tn_calloc((size_t)g.n, sizeof *g.ready);
    g.slot = tn_calloc((size_t)g.window, sizeof *g.slot);
    int rc = g.ready && g.slot ? TARN_OK : tn_error_oom(err, sizeof *g.ready * (size_t)g.n);
    for (int k = 0; !rc && k < g.window; k++)
        if (!(g.slot[k] = tn_malloc((size_t)g.part)))
            rc = tn_error_oom(err, (size_t)g.part);
    pthread_mutex_init(&g.lock, NULL);
    pthread_cond_init(&g.changed, NULL);
    tarn_error_init(&g.err);
    pthread_t t[64];
    int nt = 0;
    for (int k = 0; !rc && k < g.window; k++)
        if (pthread_create(&t[nt], NULL, pget_worker, &g) == 0)
            nt++;
    if (!rc && !nt)
        rc = tn_error_set(err, TARN_EINTERNAL, "cannot start a read thread");
    for (int i = 0; !rc && i < g.n; i++) {
        pthread_mutex_lock(&g.lock);
        while (!g.rc && !g.ready[i])
            pthread_cond_wait(&g.changed, &g.lock);
        if (!g.ready[i]) {
            rc = g.rc;
            if (err)
                *err = g.err;
        }
        pthread_mutex_unlock(&g.lock);
        if (rc)
            break;
        int64_t len = i == g.n - 1 ? length - (int64_t)i * g.part : g.part;
        rc = sink(ctx, g.slot[i % g.window], len, err);
        pthread_mutex_lock(&g.lock);
        g.delivered++;
        if (rc && !g.rc)
            g.rc = rc; /* stops the threads */
        pthread_cond_broadcast(&g.changed);
        pthread_mutex_unlock(&g.lock);
    }
    if (rc) {
        pthread_mutex_lock(&g.lock);
        if (!g.rc)
            g.rc = rc;
        pthread_cond_broadcast(&g.changed);
        pthread_mutex_unlock(&g.lock);
    }
    for (int k = 0; k < nt; k++)
        pthread_join(t[k], NULL);
    for (int k = 0; g.slot && k < g.window; k++)
        tn_free(g.slot[k]);
    tn_free(g.slot);
    tn_free(g.ready);
    pthread_cond_destroy(&g.changed);
    pthread_mutex_destroy(&g.lock);
    return rc;
}

int tn_store_get_stream(tn_store *s, const char *key, int64_t offset, int64_t length, tn_sink_fn sink, void *ctx,
                        tarn_error *err)
{
    s->metrics.gets++;
    if (offset < 0)
        return named(s, tn_error_set(err, TARN_EINVAL, "%s: a streamed read needs a start offset", key), err);
    counted_sink c = {sink, ctx, 0};
    int rc = length >= 0 && s->ops->get_stream && tn_store_parallel(s, length)
                 ? get_parallel(s, key, offset, length, count_bytes, &c, err)
             : s->ops->get_stream ? s->ops->get_stream(s, key, offset, length, count_bytes, &c, err)
                                  : get_in_pieces(s, key, offset, length, count_bytes, &c, err);
    s->metrics.bytes_read += c.bytes;
    return named(s, rc, err);
}

int tn_store_writer_open(tn_store *s, const char *key, const tn_put_options *o, tn_store_writer **out,
                         tarn_error *err)
{
    s->metrics.puts++;
    return named(s, s->ops->writer_open(s, key, o, out, err), err);
}

int tn_store_list(tn_store *s, const char *prefix, bool delimited, tn_list_fn fn, void *ctx, tarn_error *err)
{
    s->metrics.lists++;
    return named(s, s->ops->list(s, prefix, delimited, fn, ctx, err), err);
}

int tn_store_remove(tn_store *s, const char *key, tarn_error *err)
{
    s->metrics.deletes++;
    return named(s, s->ops->remove(s, key, err), err);
}

int tn_store_copy(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    s->metrics.copies++;
    return named(s, s->ops->copy(s, from, to, o, err), err);
}

int tn_store_rename(tn_store *s, const char *from, const char *to, const tn_put_options *o, tarn_error *err)
{
    s->metrics.copies++;
    return named(s, s->ops->rename(s, from, to, o, err), err);
}

bool tn_store_holds(tn_store *s, const char *key, const void *data, int64_t n)
{
    tn_buffer *b = NULL;
    bool same = s->ops->get(s, key, 0, -1, &b, NULL) == TARN_OK && b->size == n &&
                (n == 0 || memcmp(b->data, data, (size_t)n) == 0);
    tn_buffer_unref(b);
    return same;
}

/* --- globs ----------------------------------------------------------------- */

bool tn_glob_has_magic(const char *text)
{
    return strpbrk(text, "*?[") != NULL;
}

/* Match a bracket class at p against c; *end receives the char after ']'. */
static bool match_class(const char *p, char c, const char **end)
{
    bool negate = *p == '!' || *p == '^';
    if (negate)
        p++;
    bool hit = false;
    const char *start = p;
    while (*p && (*p != ']' || p == start)) {
        char lo = *p, hi = lo;
        if (p[1] == '-' && p[2] && p[2] != ']') {
            hi = p[2];
            p += 2;
        }
        if (c >= lo && c <= hi)
            hit = true;
        p++;
    }
    *end = *p == ']' ? p + 1 : p;
    return hit != negate;
}

bool tn_glob_match(const char *p, const char *s)
{
    while (*p) {
        if (p[0] == '*' && p[1] == '*') {
            p += 2;
            if (*p == '/')
                p++; /* a slash after the double star is optional: a/(2 stars)/b matches a/b */
            for (const char *t = s;; t++) {
                if (tn_glob_match(p, t))
                    return true;
                if (!*t)
                    return false;
            }
        }
        if (*p == '*') {
            p++;
            for (const char *t = s;; t++) {
                if (tn_glob_match(p, t))
                    return true;
                if (!*t || *t == '/')
                    return false;
            }
        }
        if (!*s)
            return false;
        if (*p == '?') {
            if (*s == '/')
                return false;
            p++;
            s++;
            continue;
        }
        if (*p == '[') {
            const char *end;
            if (*s == '/' || !match_class(p + 1, *s, &end))
                return false;
            p = end;
            s++;
            continue;
        }
        if (*p == '\\' && p[1])
            p++;
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    return *s == '\0';
}

/* True when some key that starts with `s` could match the pattern: the
 * walk descends only into prefixes that pass. */
static bool could_match_below(const char *p, const char *s)
{
    while (*p) {
        if (!*s)
            return true; /* the rest of the pattern is for deeper keys */
        if (p[0] == '*' && p[1] == '*')
            return true;
        if (*p == '*') {
            p++;
            for (const char *t = s;; t++) {
                if (could_match_below(p, t))
                    return true;
                if (!*t || *t == '/')
                    return false;
            }
        }
        if (*p == '?') {
            if (*s == '/')
                return false;
        } else if (*p == '[') {
            const char *end;
            if (*s == '/' || !match_class(p + 1, *s, &end))
                return false;
            p = end;
            s++;
            continue;
        } else {
            if (*p == '\\' && p[1])
                p++;
            if (*p != *s)
                return false;
        }
        p++;
        s++;
    }
    return *s == '\0';
}

typedef struct glob_ctx {
    const char *pattern;
    char **keys;
    tn_object_meta *metas;
    int64_t n, cap;
} glob_ctx;

static int glob_add(glob_ctx *g, const tn_list_entry *e, tarn_error *err)
{
    if (g->n == g->cap) {
        int64_t cap = g->cap ? g->cap * 2 : 16;
        char **k = tn_realloc(g->keys, sizeof(char *) * (size_t)cap);
        TN_TRY_ALLOC(k, err, sizeof(char *) * (size_t)cap);
        g->keys = k;
        tn_object_meta *m = tn_realloc(g->metas, sizeof *m * (size_t)cap);
        TN_TRY_ALLOC(m, err, sizeof *m * (size_t)cap);
        g->metas = m;
        g->cap = cap;
    }
    g->keys[g->n] = tn_strdup(e->key);
    TN_TRY_ALLOC(g->keys[g->n], err, strlen(e->key) + 1);
    g->metas[g->n] = e->meta;
    g->n++;
    return TARN_OK;
}

static int collect(void *ctx, const tn_list_entry *e, tarn_error *err)
{
    glob_ctx *g = ctx;
    if (e->is_prefix || !tn_glob_match(g->pattern, e->key))
        return TARN_OK;
    return glob_add(g, e, err);
}

/* --- the parallel walk of a remote store's prefixes ------------------------ */

#define MAX_LIST_THREADS 8

/* Prefixes still to list, matches found, and who is busy: shared by the
 * walkers under one lock. */
typedef struct walk {
    tn_store *s;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    char **todo;
    int64_t n_todo, cap_todo;
    int busy;  /* walkers listing a prefix right now */
    int rc;    /* the first failure stops everyone */
    tarn_error err;
    glob_ctx found;
} walk;

static int push_prefix(walk *w, const char *prefix, tarn_error *err)
{
    if (w->n_todo == w->cap_todo) {
        int64_t cap = w->cap_todo ? w->cap_todo * 2 : 16;
        char **t = tn_realloc(w->todo, sizeof *t * (size_t)cap);
        TN_TRY_ALLOC(t, err, sizeof *t * (size_t)cap);
        w->todo = t;
        w->cap_todo = cap;
    }
    w->todo[w->n_todo] = tn_strdup(prefix);
    TN_TRY_ALLOC(w->todo[w->n_todo], err, strlen(prefix) + 1);
    w->n_todo++;
    return TARN_OK;
}

/* One entry of a one-level listing: a match is kept, a prefix that could
 * hold matches is queued for a walker. */
static int walk_entry(void *ctx, const tn_list_entry *e, tarn_error *err)
{
    walk *w = ctx;
    const char *pattern = w->found.pattern;
    if (e->is_prefix ? !could_match_below(pattern, e->key) : !tn_glob_match(pattern, e->key))
        return TARN_OK;
    pthread_mutex_lock(&w->lock);
    int rc = e->is_prefix ? push_prefix(w, e->key, err) : glob_add(&w->found, e, err);
    if (e->is_prefix)
        pthread_cond_signal(&w->changed);
    pthread_mutex_unlock(&w->lock);
    return rc;
}

static void *walker(void *arg)
{
    walk *w = arg;
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (!w->rc && w->n_todo == 0 && w->busy > 0)
            pthread_cond_wait(&w->changed, &w->lock);
        if (w->rc || w->n_todo == 0)
            break; /* failed, or nothing queued and nobody left to queue more */
        char *prefix = w->todo[--w->n_todo];
        w->busy++;
        pthread_mutex_unlock(&w->lock);
        tarn_error err;
        tarn_error_init(&err);
        int rc = tn_store_list(w->s, prefix, true, walk_entry, w, &err);
        tn_free(prefix);
        pthread_mutex_lock(&w->lock);
        w->busy--;
        if (rc && !w->rc) {
            w->rc = rc;
            w->err = err;
        }
        pthread_cond_broadcast(&w->changed);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* List level by level from `prefix`, MAX_LIST_THREADS prefixes at a time
 * (each request also waits for a slot of the store's adaptive limit), and
 * skip prefixes under which nothing can match. */
static int walk_parallel(tn_store *s, const char *prefix, glob_ctx *g, tarn_error *err)
{
    walk w = {.s = s, .found = *g};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.changed, NULL);
    int rc = push_prefix(&w, prefix, err);
    if (!rc) {
        pthread_t t[MAX_LIST_THREADS];
        int nt = 0;
        for (int k = 1; k < MAX_LIST_THREADS; k++)
            if (pthread_create(&t[nt], NULL, walker, &w) == 0)
                nt++;
        walker(&w);
        for (int k = 0; k < nt; k++)
            pthread_join(t[k], NULL);
        rc = w.rc;
        if (rc && err)
            *err = w.err;
    }
    for (int64_t i = 0; i < w.n_todo; i++)
        tn_free(w.todo[i]);
    tn_free(w.todo);
    pthread_cond_destroy(&w.changed);
    pthread_mutex_destroy(&w.lock);
    *g = w.found;
    return rc;
}

static void free_found(glob_ctx *g)
{
    for (int64_t i = 0; i < g->n; i++)
        tn_free(g->keys[i]);
    tn_free(g->keys);
    tn_free(g->metas);
}

typedef struct found_key {
    char *key;
    tn_object_meta meta;
} found_key;

static int cmp_found(const void *a, const void *b)
{
    return strcmp(((const found_key *)a)->key, ((const found_key *)b)->key);
}

/* Sort keys and their metadata together (walkers find them in any order). */
static int sort_found(glob_ctx *g, tarn_error *err)
{
    if (g->n < 2)
        return TARN_OK;
    found_key *f = tn_malloc(sizeof *f * (size_t)g->n);
    TN_TRY_ALLOC(f, err, sizeof *f * (size_t)g->n);
    for (int64_t i = 0; i < g->n; i++)
        f[i] = (found_key){g->keys[i], g->metas[i]};
    qsort(f, (size_t)g->n, sizeof *f, cmp_found);
    for (int64_t i = 0; i < g->n; i++) {
        g->keys[i] = f[i].key;
        g->metas[i] = f[i].meta;
    }
    tn_free(f);
    return TARN_OK;
}

int tn_store_glob_meta(tn_store *s, const char *pattern, char ***keys, tn_object_meta **metas, int64_t *n,
                       tarn_error *err)
{
    *keys = NULL;
    if (metas)
        *metas = NULL;
    *n = 0;
    /* list under the longest literal directory prefix of the pattern */
    size_t lit = strcspn(pattern, "*?[\\");
    char *prefix = tn_strndup(pattern, lit);
    TN_TRY_ALLOC(prefix, err, lit + 1);
    char *slash = strrchr(prefix, '/');
    if (slash)
        slash[1] = '\0';
    else
        prefix[0] = '\0';
    glob_ctx g = {.pattern = pattern};
    /* remote stores walk the levels in parallel; a local walk is cheap */
    int rc = remote(s) ? walk_parallel(s, prefix, &g, err) : tn_store_list(s, prefix, false, collect, &g, err);
    tn_free(prefix);
    if (!rc)
        rc = sort_found(&g, err);
    if (rc) {
        free_found(&g);
        return rc;
    }
    *keys = g.keys;
    if (metas)
        *metas = g.metas;
    else
        tn_free(g.metas);
    *n = g.n;
    return TARN_OK;
}

int tn_store_glob(tn_store *s, const char *pattern, char ***keys, int64_t *n, tarn_error *err)
{
    return tn_store_glob_meta(s, pattern, keys, NULL, n, err);
}
