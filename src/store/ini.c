/*
 * ini.c — reading and atomically writing the INI files of store settings
 * (ini.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "store/ini.h"

void tn_ini_reset(tn_ini *ini)
{
    for (int i = 0; i < ini->n; i++) {
        tn_free(ini->e[i].section);
        tn_free(ini->e[i].key);
        tn_free(ini->e[i].value);
    }
    for (int i = 0; i < ini->n_sections; i++)
        tn_free(ini->sections[i]);
    tn_free(ini->e);
    tn_free(ini->sections);
    memset(ini, 0, sizeof *ini);
}

bool tn_ini_has_section(const tn_ini *ini, const char *section)
{
    for (int i = 0; i < ini->n_sections; i++)
        if (strcmp(ini->sections[i], section) == 0)
            return true;
    return false;
}

static int add_section(tn_ini *ini, const char *name, size_t len, tarn_error *err)
{
    for (int i = 0; i < ini->n_sections; i++)
        if (strlen(ini->sections[i]) == len && memcmp(ini->sections[i], name, len) == 0)
            return TARN_OK;
    if (ini->n_sections == ini->cap_sections) {
        int cap = ini->cap_sections ? ini->cap_sections * 2 : 8;
        char **s = tn_realloc(ini->sections, sizeof *s * (size_t)cap);
        TN_TRY_ALLOC(s, err, sizeof *s * (size_t)cap);
        ini->sections = s;
        ini->cap_sections = cap;
    }
    char *copy = tn_strndup(name, len);
    TN_TRY_ALLOC(copy, err, len + 1);
    ini->sections[ini->n_sections++] = copy;
    return TARN_OK;
}

static tn_ini_entry *find(const tn_ini *ini, const char *section, const char *key)
{
    for (int i = ini->n - 1; i >= 0; i--)
        if (strcmp(ini->e[i].section, section) == 0 && strcmp(ini->e[i].key, key) == 0)
            return &ini->e[i];
    return NULL;
}

const char *tn_ini_get(const tn_ini *ini, const char *section, const char *key)
{
    tn_ini_entry *e = find(ini, section, key);
    return e ? e->value : NULL;
}

/* Append an entry from (pointer, length) pieces. */
static int add_entry(tn_ini *ini, const char *section, const char *key, size_t klen, const char *value, size_t vlen,
                     tarn_error *err)
{
    if (ini->n == ini->cap) {
        int cap = ini->cap ? ini->cap * 2 : 16;
        tn_ini_entry *e = tn_realloc(ini->e, sizeof *e * (size_t)cap);
        TN_TRY_ALLOC(e, err, sizeof *e * (size_t)cap);
        ini->e = e;
        ini->cap = cap;
    }
    tn_ini_entry *e = &ini->e[ini->n];
    e->section = tn_strdup(section);
    e->key = tn_strndup(key, klen);
    e->value = tn_strndup(value, vlen);
    if (!e->section || !e->key || !e->value) {
        tn_free(e->section);
        tn_free(e->key);
        tn_free(e->value);
        return tn_error_oom(err, klen + vlen + 2);
    }
    ini->n++;
    return TARN_OK;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Trim [*p, *p + *n) of blanks on both sides. */
static void trim(const char **p, size_t *n)
{
    while (*n && blank(**p))
        (*p)++, (*n)--;
    while (*n && (blank((*p)[*n - 1]) || (*p)[*n - 1] == '\r'))
        (*n)--;
}

typedef struct parser {
    tn_ini *ini;
    const char *name;
    int line;
    char *section;  /* current section (owned) */
    char *parent;   /* key with an empty value: indented lines below nest under it (owned) */
} parser;

static int fail(parser *p, size_t col, tarn_error *err, const char *what)
{
    return tn_error_set(err, TARN_EINVAL, "%s:%d:%zu: %s", p->name, p->line, col, what);
}

static int section_line(parser *p, const char *s, size_t n, size_t col, tarn_error *err)
{
    const char *close = memchr(s, ']', n);
    if (!close)
        return fail(p, col, err, "section header without ']'");
    const char *rest = close + 1;
    size_t rn = n - (size_t)(rest - s);
    trim(&rest, &rn);
    if (rn && *rest != '#' && *rest != ';')
        return fail(p, col + (size_t)(rest - s), err, "text after the section header");
    const char *name = s + 1;
    size_t len = (size_t)(close - name);
    trim(&name, &len);
    if (!len)
        return fail(p, col, err, "empty section name");
    char *sec = tn_strndup(name, len);
    TN_TRY_ALLOC(sec, err, len + 1);
    tn_free(p->section);
    p->section = sec;
    tn_free(p->parent);
    p->parent = NULL;
    return add_section(p->ini, name, len, err);
}

static int key_line(parser *p, const char *s, size_t n, size_t col, bool indented, tarn_error *err)
{
    const char *eq = memchr(s, '=', n);
    if (!eq)
        return fail(p, col, err, "expected 'key = value'");
    const char *key = s, *value = eq + 1;
    size_t klen = (size_t)(eq - s), vlen = n - klen - 1;
    trim(&key, &klen);
    trim(&value, &vlen);
    if (!klen)
        return fail(p, col, err, "empty key before '='");
    const char *section = p->section ? p->section : "";
    if (indented && p->parent) {
        char *nested = tn_sprintf("%s.%.*s", p->parent, (int)klen, key);
        TN_TRY_ALLOC(nested, err, klen + strlen(p->parent) + 2);
        int rc = add_entry(p->ini, section, nested, strlen(nested), value, vlen, err);
        tn_free(nested);
        return rc;
    }
    tn_free(p->parent);
    p->parent = NULL;
    if (!vlen) {
        p->parent = tn_strndup(key, klen);
        TN_TRY_ALLOC(p->parent, err, klen + 1);
    }
    return add_entry(p->ini, section, key, klen, value, vlen, err);
}

static int parse_line(parser *p, const char *s, size_t n, tarn_error *err)
{
    if (memchr(s, '\0', n))
        return fail(p, (size_t)((const char *)memchr(s, '\0', n) - s) + 1, err, "NUL byte");
    size_t lead = 0;
    while (lead < n && blank(s[lead]))
        lead++;
    const char *t = s + lead;
    size_t tn = n - lead;
    trim(&t, &tn);
    if (!tn || *t == '#' || *t == ';')
        return TARN_OK;
    if (*t == '[')
        return section_line(p, t, tn, lead + 1, err);
    return key_line(p, t, tn, lead + 1, lead > 0, err);
}

int tn_ini_parse(const char *text, size_t n, const char *name, tn_ini *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    parser p = {.ini = out, .name = name ? name : "(ini)"};
    int rc = TARN_OK;
    for (size_t at = 0; !rc && at < n;) {
        const char *nl = memchr(text + at, '\n', n - at);
        size_t len = nl ? (size_t)(nl - (text + at)) : n - at;
        p.line++;
        rc = parse_line(&p, text + at, len, err);
        at += len + 1;
    }
    tn_free(p.section);
    tn_free(p.parent);
    if (rc)
        tn_ini_reset(out);
    return rc;
}

int tn_ini_load(const char *path, tn_ini *out, tarn_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return TARN_OK;
        return tn_error_set(err, TARN_EIO, "%s: %s", path, strerror(errno));
    }
    tn_buf b;
    tn_buf_init(&b, 0);
    char chunk[4096];
    size_t k;
    int rc = TARN_OK;
    while (!rc && (k = fread(chunk, 1, sizeof chunk, f)) > 0)
        rc = tn_buf_append(&b, chunk, k, err);
    if (!rc && ferror(f))
        rc = tn_error_set(err, TARN_EIO, "%s: read failed", path);
    fclose(f);
    if (!rc)
        rc = tn_ini_parse(b.data ? (const char *)b.data : "", b.len, path, out, err);
    tn_buf_reset(&b);
    return rc;
}

static bool one_line(const char *s)
{
    return !strpbrk(s, "\r\n");
}

int tn_ini_set(tn_ini *ini, const char *section, const char *key, const char *value, tarn_error *err)
{
    if (!one_line(section) || !one_line(key) || !one_line(value) || strchr(section, ']') || strchr(key, '='))
        return tn_error_set(err, TARN_EINVAL, "'%s' / '%s': names and values must be one line (no ']' or '=')",
                            section, key);
    TN_TRY(add_section(ini, section, strlen(section), err));
    tn_ini_entry *e = find(ini, section, key);
    if (!e)
        return add_entry(ini, section, key, strlen(key), value, strlen(value), err);
    char *v = tn_strdup(value);
    TN_TRY_ALLOC(v, err, strlen(value) + 1);
    tn_free(e->value);
    e->value = v;
    return TARN_OK;
}

bool tn_ini_remove(tn_ini *ini, const char *section, const char *key)
{
    bool gone = false;
    int w = 0;
    for (int i = 0; i < ini->n; i++) {
        tn_ini_entry *e = &ini->e[i];
        if (strcmp(e->section, section) == 0 && (!key || strcmp(e->key, key) == 0)) {
            tn_free(e->section);
            tn_free(e->key);
            tn_free(e->value);
            gone = true;
            continue;
        }
        ini->e[w++] = *e;
    }
    ini->n = w;
    if (!key) {
        w = 0;
        for (int i = 0; i < ini->n_sections; i++) {
            if (strcmp(ini->sections[i], section) == 0) {
                tn_free(ini->sections[i]);
                gone = true;
                continue;
            }
            ini->sections[w++] = ini->sections[i];
        }
        ini->n_sections = w;
    }
    return gone;
}

/* mkdir -p for the directory part of path. */
static int make_dirs(const char *path, tarn_error *err)
{
    char *dir = tn_strdup(path);
    TN_TRY_ALLOC(dir, err, strlen(path) + 1);
    int rc = TARN_OK;
    for (char *s = strchr(dir + 1, '/'); !rc && s; s = strchr(s + 1, '/')) {
        *s = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = tn_error_set(err, TARN_EIO, "%s: cannot create the directory: %s", dir, strerror(errno));
        *s = '/';
    }
    tn_free(dir);
    return rc;
}

int tn_ini_render(const tn_ini *ini, tn_buf *out, tarn_error *err)
{
    for (int i = 0; i < ini->n; i++) /* keys before any section come first */
        if (!*ini->e[i].section)
            TN_TRY(tn_buf_printf(out, err, "%s = %s\n", ini->e[i].key, ini->e[i].value));
    for (int s = 0; s < ini->n_sections; s++) {
        TN_TRY(tn_buf_printf(out, err, "%s[%s]\n", s ? "\n" : "", ini->sections[s]));
        for (int i = 0; i < ini->n; i++)
            if (strcmp(ini->e[i].section, ini->sections[s]) == 0)
                TN_TRY(tn_buf_printf(out, err, "%s = %s\n", ini->e[i].key, ini->e[i].value));
    }
    return TARN_OK;
}

static int write_fd(int fd, const tn_buf *b)
{
    for (size_t at = 0; at < b->len;) {
        ssize_t k = write(fd, b->data + at, b->len - at);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -1;
        at += (size_t)k;
    }
    return 0;
}

int tn_ini_save(const tn_ini *ini, const char *path, int mode, tarn_error *err)
{
    TN_TRY(make_dirs(path, err));
    tn_buf b;
    tn_buf_init(&b, 0);
    int rc = tn_ini_render(ini, &b, err);
    char *tmp = rc ? NULL : tn_sprintf("%s.tmpXXXXXX", path);
    if (!rc && !tmp)
        rc = tn_error_oom(err, strlen(path) + 12);
    int fd = rc ? -1 : mkstemp(tmp); /* created 0600: never readable by others, even briefly */
    if (!rc && fd < 0)
        rc = tn_error_set(err, TARN_EIO, "%s: cannot create a temporary file: %s", path, strerror(errno));
    if (!rc && (fchmod(fd, (mode_t)mode) != 0 || write_fd(fd, &b) != 0 || fsync(fd) != 0))
        rc = tn_error_set(err, TARN_EIO, "%s: write failed: %s", tmp, strerror(errno));
    if (fd >= 0 && close(fd) != 0 && !rc)
        rc = tn_error_set(err, TARN_EIO, "%s: write failed: %s", tmp, strerror(errno));
    if (!rc && rename(tmp, path) != 0)
        rc = tn_error_set(err, TARN_EIO, "%s: cannot replace: %s", path, strerror(errno));
    if (rc && fd >= 0)
        unlink(tmp);
    if (!rc) { /* make the rename durable */
        char *slash = strrchr(tmp, '/');
        if (slash)
            slash[slash == tmp ? 1 : 0] = '\0';
        int dfd = open(slash ? tmp : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    tn_free(tmp);
    tn_buf_reset(&b);
    return rc;
}
