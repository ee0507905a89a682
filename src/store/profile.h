/*
 * profile.h — named store profiles: a section of the profile file
 * ($TARN_CONFIG, else ~/.config/tarn/stores.ini) that sets up one store
 * once (type, endpoint, region, credentials, ...). A URL whose scheme is a
 * profile's name (minio://bucket/key) opens the profile's type of store
 * with its settings, and with nothing from the environment, so credentials
 * meant for one service never reach another.
 *
 * Backends read every setting through tn_setting: the profile's key when a
 * profile is in use, else the environment variable.
 */
#ifndef TN_STORE_PROFILE_H
#define TN_STORE_PROFILE_H

#include "store/ini.h"

typedef struct tn_store_settings {
    char *name;  /* the profile */
    char *path;  /* the file it came from */
    tn_ini ini;
} tn_store_settings;

/* The profile file's path (owned), or NULL when neither TARN_CONFIG nor
 * HOME is set. */
char *tn_profile_path(void);
/* Load profile `name`: TARN_ENOTFOUND when the file has no such section. */
int tn_profile_load(const char *name, tn_store_settings *out, tarn_error *err) TN_MUST_USE;
void tn_profile_reset(tn_store_settings *s);
/* True when a profile of this name exists; a broken profile file is an
 * error (*err set, returns false with *rc non-zero). */
bool tn_profile_exists(const char *name, int *rc, tarn_error *err);
/* True for the schemes tarn knows itself (profiles cannot take them). */
bool tn_builtin_scheme(const char *name, size_t len);

/* A setting: the profile's key when cfg is set (NULL when absent or
 * empty), else the first non-empty of the environment variables env1, env2
 * (either may be NULL). */
const char *tn_setting(const tn_store_settings *cfg, const char *key, const char *env1, const char *env2);
/* A yes/no setting ("1", "true", "yes", "on"); def when absent. */
bool tn_setting_bool(const tn_store_settings *cfg, const char *key, const char *env, bool def);

#endif
