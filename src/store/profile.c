/*
 * profile.c — named store profiles (profile.h) and the public calls that
 * manage them (tarn_store_config_* in tarn/store.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "store/profile.h"
#include "store/store.h"
#include "tarn/store.h"

/* The keys each type of store takes; secrets are masked when shown. */
typedef struct store_type {
    const char *name;
    const char *keys[10];
} store_type;

static const store_type types[] = {
    {"s3", {"endpoint", "region", "access_key_id", "secret_access_key", "session_token", "path_style",
            "emulate_suffix_range", "part_size", "concurrency", NULL}},
    {"az", {"account", "account_key", "sas_token", "endpoint", "part_size", "concurrency", NULL}},
    {"gs", {"endpoint", "credentials", "part_size", "concurrency", NULL}},
};

static const char *const secrets[] = {"secret_access_key", "session_token", "account_key", "sas_token", NULL};

static bool is_secret(const char *key)
{
    for (int i = 0; secrets[i]; i++)
        if (strcmp(secrets[i], key) == 0)
            return true;
    return false;
}

static const store_type *find_type(const char *name)
{
    for (size_t i = 0; name && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(types[i].name, name) == 0)
            return &types[i];
    return NULL;
}

static bool known_key(const store_type *t, const char *key)
{
    if (strcmp(key, "type") == 0)
        return true;
    for (int i = 0; t->keys[i]; i++)
        if (strcmp(t->keys[i], key) == 0)
            return true;
    return false;
}

bool tn_builtin_scheme(const char *name, size_t len)
{
    static const char *const builtin[] = {"file", "memory", "s3", "az", "abfs", "abfss", "gs", "http", "https", NULL};
    for (int i = 0; builtin[i]; i++)
        if (strlen(builtin[i]) == len && strncasecmp(builtin[i], name, len) == 0)
            return true;
    return false;
}

char *tn_profile_path(void)
{
    const char *v = getenv("TARN_CONFIG");
    if (v && *v)
        return tn_strdup(v);
    const char *home = getenv("HOME");
    if (!home || !*home)
        return NULL;
    return tn_sprintf("%s/.config/tarn/stores.ini", home);
}

void tn_profile_reset(tn_store_settings *s)
{
    tn_free(s->name);
    tn_free(s->path);
    tn_ini_reset(&s->ini);
    memset(s, 0, sizeof *s);
}

/* Load the whole profile file into s (s->name stays NULL). */
static int load_file(tn_store_settings *s, tarn_error *err)
{
    memset(s, 0, sizeof *s);
    s->path = tn_profile_path();
    if (!s->path)
        return tn_error_set(err, TARN_EINVAL, "no profile file: set TARN_CONFIG or HOME");
    int rc = tn_ini_load(s->path, &s->ini, err);
    if (rc)
        tn_profile_reset(s);
    return rc;
}

int tn_profile_load(const char *name, tn_store_settings *out, tarn_error *err)
{
    TN_TRY(load_file(out, err));
    int rc = TARN_OK;
    if (!tn_ini_has_section(&out->ini, name))
        rc = tn_error_set(err, TARN_ENOTFOUND, "no profile '%s' in %s", name, out->path);
    else if (!(out->name = tn_strdup(name)))
        rc = tn_error_oom(err, strlen(name) + 1);
    if (rc)
        tn_profile_reset(out);
    return rc;
}

bool tn_profile_exists(const char *name, int *rc, tarn_error *err)
{
    tn_store_settings s;
    *rc = load_file(&s, err);
    if (*rc)
        return false;
    bool found = tn_ini_has_section(&s.ini, name);
    tn_profile_reset(&s);
    return found;
}

const char *tn_setting(const tn_store_settings *cfg, const char *key, const char *env1, const char *env2)
{
    if (cfg) {
        const char *v = tn_ini_get(&cfg->ini, cfg->name, key);
        return v && *v ? v : NULL;
    }
    const char *v = env1 ? getenv(env1) : NULL;
    if (v && *v)
        return v;
    v = env2 ? getenv(env2) : NULL;
    return v && *v ? v : NULL;
}

bool tn_setting_bool(const tn_store_settings *cfg, const char *key, const char *env, bool def)
{
    const char *v = tn_setting(cfg, key, env, NULL);
    if (!v)
        return def;
    return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "yes") == 0 ||
           strcasecmp(v, "on") == 0;
}

/* --- the public calls ----------------------------------------------------- */

static int check_name(const char *name, tarn_error *err)
{
    size_t n = strlen(name);
    bool ok = n > 0 && n <= 64 && name[0] >= 'a' && name[0] <= 'z';
    for (size_t i = 0; ok && i < n; i++)
        ok = (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') || name[i] == '-';
    if (!ok)
        return tn_error_set(err, TARN_EINVAL,
                            "profile name '%s': use lower-case letters, digits and '-', starting with a letter "
                            "(it is used as a URL scheme: NAME://bucket/key)",
                            name);
    if (tn_builtin_scheme(name, n))
        return tn_error_set(err, TARN_EINVAL, "profile name '%s' is a built-in URL scheme", name);
    return TARN_OK;
}

static int check_value(const char *key, const char *value, tarn_error *err)
{
    if (strcmp(key, "path_style") == 0 || strcmp(key, "emulate_suffix_range") == 0) {
        static const char *const words[] = {"true", "false", "1", "0", "yes", "no", "on", "off", NULL};
        for (int i = 0; words[i]; i++)
            if (strcasecmp(words[i], value) == 0)
                return TARN_OK;
        return tn_error_set(err, TARN_EINVAL, "%s=%s: expected true or false", key, value);
    }
    if (strcmp(key, "part_size") == 0 && *value && tn_parse_size(value) <= 0)
        return tn_error_set(err, TARN_EINVAL, "part_size=%s: expected a size (8MiB, 16M, 8388608)", value);
    if (strcmp(key, "concurrency") == 0 && *value && (atoi(value) < 1 || atoi(value) > 64 || strspn(value, "0123456789") != strlen(value)))
        return tn_error_set(err, TARN_EINVAL, "concurrency=%s: expected a number from 1 to 64", value);
    if (strcmp(key, "endpoint") == 0 && *value && !strstr(value, "://"))
        return tn_error_set(err, TARN_EINVAL, "endpoint=%s: expected a URL (http://host:port)", value);
    return TARN_OK;
}

/* The known keys of a type, "a, b, c", for error messages. */
static void key_list(const store_type *t, char *out, size_t cap)
{
    size_t at = (size_t)snprintf(out, cap, "type");
    for (int i = 0; t->keys[i] && at < cap; i++)
        at += (size_t)snprintf(out + at, cap - at, ", %s", t->keys[i]);
}

/* Apply KEY=VALUE assignments to profile `name` in ini. */
static int apply(tn_ini *ini, const char *name, const char *const *assign, int n, tarn_error *err)
{
    const char *type = tn_ini_get(ini, name, "type");
    for (int i = 0; i < n; i++) /* a type given now decides which keys are known */
        if (strncmp(assign[i], "type=", 5) == 0)
            type = assign[i] + 5;
    const store_type *t = find_type(type);
    if (!t)
        return tn_error_set(err, TARN_EINVAL, type ? "profile '%s': unknown type '%s' (s3, az or gs)"
                                                   : "profile '%s': set its type first (type=s3, az or gs)%s",
                            name, type ? type : "");
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(assign[i], '=');
        if (!eq || eq == assign[i])
            return tn_error_set(err, TARN_EINVAL, "'%s': expected KEY=VALUE", assign[i]);
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(eq - assign[i]), assign[i]);
        if (!known_key(t, key)) {
            char known[256];
            key_list(t, known, sizeof known);
            return tn_error_set(err, TARN_EINVAL, "unknown key '%s' for profile type %s (known: %s)", key, t->name,
                                known);
        }
        if (eq[1]) {
            TN_TRY(check_value(key, eq + 1, err));
            TN_TRY(tn_ini_set(ini, name, key, eq + 1, err));
        } else if (strcmp(key, "type") == 0) {
            return tn_error_set(err, TARN_EINVAL, "profile '%s': the type cannot be cleared", name);
        } else
            tn_ini_remove(ini, name, key); /* KEY= clears it */
    }
    /* keys of another type left from before a type change would never be read */
    for (int i = 0; i < ini->n; i++)
        if (strcmp(ini->e[i].section, name) == 0 && !known_key(t, ini->e[i].key))
            return tn_error_set(err, TARN_EINVAL, "profile '%s' has key '%s', which a %s profile does not take", name,
                                ini->e[i].key, t->name);
    return TARN_OK;
}

int tarn_store_config_set(const char *name, const char *const *assignments, int n, tarn_error *err)
{
    TN_TRY(check_name(name, err));
    tn_store_settings s;
    TN_TRY(load_file(&s, err));
    int rc = apply(&s.ini, name, assignments, n, err);
    if (!rc)
        rc = tn_ini_save(&s.ini, s.path, 0600, err); /* it holds secrets */
    tn_profile_reset(&s);
    return rc;
}

int tarn_store_config_get(const char *name, int show_secrets, tarn_setting_fn fn, void *ctx, tarn_error *err)
{
    tn_store_settings s;
    TN_TRY(tn_profile_load(name, &s, err));
    int rc = TARN_OK;
    for (int i = 0; !rc && i < s.ini.n; i++) {
        const tn_ini_entry *e = &s.ini.e[i];
        if (strcmp(e->section, name) != 0)
            continue;
        const char *v = !show_secrets && is_secret(e->key) ? "********" : e->value;
        if (fn(ctx, e->key, v))
            rc = tn_error_set(err, TARN_ECANCELLED, "stopped by the caller");
    }
    tn_profile_reset(&s);
    return rc;
}

int tarn_store_config_list(tarn_setting_fn fn, void *ctx, tarn_error *err)
{
    tn_store_settings s;
    TN_TRY(load_file(&s, err));
    int rc = TARN_OK;
    for (int i = 0; !rc && i < s.ini.n_sections; i++) {
        const char *type = tn_ini_get(&s.ini, s.ini.sections[i], "type");
        if (fn(ctx, s.ini.sections[i], type ? type : ""))
            rc = tn_error_set(err, TARN_ECANCELLED, "stopped by the caller");
    }
    tn_profile_reset(&s);
    return rc;
}

int tarn_store_config_remove(const char *name, const char *const *keys, int n, tarn_error *err)
{
    tn_store_settings s;
    TN_TRY(tn_profile_load(name, &s, err));
    int rc = TARN_OK;
    if (n == 0)
        tn_ini_remove(&s.ini, name, NULL);
    for (int i = 0; !rc && i < n; i++)
        if (!tn_ini_remove(&s.ini, name, keys[i]))
            rc = tn_error_set(err, TARN_ENOTFOUND, "profile '%s' has no key '%s'", name, keys[i]);
    if (!rc)
        rc = tn_ini_save(&s.ini, s.path, 0600, err);
    tn_profile_reset(&s);
    return rc;
}
