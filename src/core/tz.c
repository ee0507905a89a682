/*
 * tz.c — time zones: UTC, fixed offsets and IANA zones from the system tz
 * database, with a process-wide cache (see datetime.h).
 *
 * A zone file is TZif (RFC 8536). All integers are big-endian:
 *
 *   header (44 bytes)
 *     0   4  magic "TZif"
 *     4   1  version: 0, '2', '3' or '4'
 *     5  15  unused
 *    20  24  six uint32 counts: isutcnt isstdcnt leapcnt timecnt typecnt charcnt
 *   data block (TIME = 4 bytes in the v1 block, 8 in the v2+ block)
 *     timecnt  x TIME     transition instants, strictly ascending
 *     timecnt  x 1        index of the local time type in force from each one
 *     typecnt  x 6        int32 utoff, uint8 isdst, uint8 desigidx
 *     charcnt  x 1        NUL-terminated abbreviations
 *     leapcnt  x TIME+4   leap-second records
 *     isstdcnt x 1, isutcnt x 1   indicators (0 or typecnt of each)
 *   v2+ only: a second header and data block with 8-byte times, then a
 *   footer "\n<POSIX TZ string>\n" that rules instants after the last
 *   transition, e.g. "EST5EDT,M3.2.0,M11.1.0".
 *
 * Every count is checked against the bytes present before anything is read,
 * and every index and offset against its range; the zone keeps only the
 * transition instants and the offset in force from each.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/datetime.h"

#define MAX_ZONE_FILE (4 << 20) /* the largest real zone is under 4 KiB */
#define MAX_FOOTER 256
#define MIN_UTOFF (-89999) /* RFC 8536: -25:00 < utoff < +26:00 */
#define MAX_UTOFF 93599

/* One end of daylight time in a POSIX TZ rule. */
typedef struct rule_date {
    char kind;    /* 'J': Julian day 1..365 without Feb 29; 'N': day 0..365; 'M': month.week.day */
    int a, b, c;  /* J/N: a = day; M: a = month, b = week 1..5, c = weekday 0..6 */
    int32_t time; /* seconds after local midnight, -167h..167h */
} rule_date;

typedef struct posix_rule {
    int32_t std_off; /* seconds east of UTC */
    int32_t dst_off;
    bool has_dst;
    rule_date start, end; /* start is in standard time, end in daylight time */
} posix_rule;

struct tn_tz {
    tn_tz *next;        /* cache chain */
    char *name;
    bool fixed;         /* UTC or a fixed offset */
    int32_t fixed_off;
    int32_t n_trans;
    int64_t *trans;     /* transition instants, UTC seconds, ascending */
    int32_t *trans_off; /* offset in force from trans[i] on */
    int32_t first_off;  /* offset before the first transition (type 0) */
    bool has_rule;      /* footer rules instants from the last transition on */
    posix_rule rule;
};

static tn_tz utc_zone = {.name = "UTC", .fixed = true};

/* ---- POSIX TZ strings ------------------------------------------------------- */

typedef struct pcur {
    const char *s;
    size_t pos;
} pcur;

static bool pdigit(const pcur *p)
{
    return p->s[p->pos] >= '0' && p->s[p->pos] <= '9';
}

static bool pchar(pcur *p, char ch)
{
    if (p->s[p->pos] != ch)
        return false;
    p->pos++;
    return true;
}

static bool pnum(pcur *p, int max, int *out)
{
    if (!pdigit(p))
        return false;
    int v = 0;
    while (pdigit(p)) {
        v = v * 10 + (p->s[p->pos++] - '0');
        if (v > max)
            return false;
    }
    *out = v;
    return true;
}

/* A zone abbreviation: 3+ letters, or <...> of letters, digits, + and -. */
static bool pname(pcur *p)
{
    size_t start = p->pos;
    if (p->s[p->pos] == '<') {
        p->pos++;
        while (p->s[p->pos] && p->s[p->pos] != '>') {
            char ch = p->s[p->pos];
            if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '+' || ch == '-'))
                return false;
            p->pos++;
        }
        if (p->s[p->pos] != '>' || p->pos - start < 4)
            return false;
        p->pos++;
        return true;
    }
    while ((p->s[p->pos] >= 'A' && p->s[p->pos] <= 'Z') || (p->s[p->pos] >= 'a' && p->s[p->pos] <= 'z'))
        p->pos++;
    return p->pos - start >= 3;
}

/* [+-]hh[:mm[:ss]] in seconds, hours up to max_h. */
static bool phms(pcur *p, int max_h, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (p->s[p->pos] == '+' || p->s[p->pos] == '-')
        sign = p->s[p->pos++] == '-' ? -1 : 1;
    if (!pnum(p, max_h, &h))
        return false;
    if (p->s[p->pos] == ':') {
        p->pos++;
        if (!pnum(p, 59, &m))
            return false;
        if (p->s[p->pos] == ':') {
            p->pos++;
            if (!pnum(p, 59, &s))
                return false;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return true;
}

static bool prule_date(pcur *p, rule_date *r)
{
    if (p->s[p->pos] == 'J') {
        p->pos++;
        r->kind = 'J';
        if (!pnum(p, 365, &r->a) || r->a < 1)
            return false;
    } else if (p->s[p->pos] == 'M') {
        p->pos++;
        r->kind = 'M';
        if (!pnum(p, 12, &r->a) || r->a < 1 || !pchar(p, '.') || !pnum(p, 5, &r->b) || r->b < 1 ||
            !pchar(p, '.') || !pnum(p, 6, &r->c))
            return false;
    } else {
        r->kind = 'N';
        if (!pnum(p, 365, &r->a))
            return false;
    }
    r->time = 7200; /* 02:00 unless given */
    if (p->s[p->pos] == '/') {
        p->pos++;
        if (!phms(p, 167, &r->time))
            return false;
    }
    return true;
}

/* Parse a NUL-terminated TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3". */
static bool parse_posix(const char *s, posix_rule *r)
{
    pcur p = {s, 0};
    int32_t off;
    memset(r, 0, sizeof *r);
    if (!pname(&p) || !phms(&p, 24, &off))
        return false;
    r->std_off = -off; /* POSIX offsets count west of UTC */
    if (!s[p.pos])
        return true;
    if (!pname(&p))
        return false;
    r->has_dst = true;
    r->dst_off = r->std_off + 3600;
    if (s[p.pos] && s[p.pos] != ',') {
        if (!phms(&p, 24, &off))
            return false;
        r->dst_off = -off;
    }
    if (!s[p.pos]) { /* no rule given: the traditional US one */
        r->start = (rule_date){'M', 3, 2, 0, 7200};
        r->end = (rule_date){'M', 11, 1, 0, 7200};
        return true;
    }
    if (!pchar(&p, ',') || !prule_date(&p, &r->start) || !pchar(&p, ',') || !prule_date(&p, &r->end))
        return false;
    return s[p.pos] == '\0';
}

/* Local seconds (as if UTC) at which a rule date falls in a year. */
static int64_t rule_when(const rule_date *r, int64_t year)
{
    int64_t jan1 = tn_days_from_civil(year, 1, 1), day;
    if (r->kind == 'J') {
        day = jan1 + r->a - 1 + (tn_is_leap_year(year) && r->a >= 60);
    } else if (r->kind == 'N') {
        day = jan1 + r->a;
    } else {
        int64_t first = tn_days_from_civil(year, r->a, 1);
        day = first + (r->c - tn_weekday(first) + 7) % 7 + (int64_t)(r->b - 1) * 7;
        if (day >= first + tn_days_in_month(year, r->a))
            day -= 7; /* week 5 means the last such weekday */
    }
    return day * TN_SECS_PER_DAY + r->time;
}

static int32_t rule_offset(const posix_rule *r, int64_t t)
{
    /* Beyond ±30 million years the year arithmetic would near its limits and
     * daylight time means nothing; standard time is the answer there. */
    if (!r->has_dst || t > 1000000000000000LL || t < -1000000000000000LL)
        return r->std_off;
    int64_t y, days = (t + r->std_off) / TN_SECS_PER_DAY;
    int m, d;
    if ((t + r->std_off) % TN_SECS_PER_DAY < 0)
        days--;
    tn_civil_from_days(days, &y, &m, &d);
    int64_t start = rule_when(&r->start, y) - r->std_off;
    int64_t end = rule_when(&r->end, y) - r->dst_off;
    bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

/* ---- lookups ------------------------------------------------------------------ */

const char *tn_tz_name(const tn_tz *tz)
{
    return tz->name;
}

int32_t tn_tz_offset_at(const tn_tz *tz, int64_t t)
{
    if (tz->fixed)
        return tz->fixed_off;
    int32_t n = tz->n_trans;
    if (n == 0)
        return tz->has_rule ? rule_offset(&tz->rule, t) : tz->first_off;
    if (t < tz->trans[0])
        return tz->first_off;
    if (tz->has_rule && t >= tz->trans[n - 1])
        return rule_offset(&tz->rule, t);
    int32_t lo = 0, hi = n - 1; /* the last transition at or before t */
    while (lo < hi) {
        int32_t mid = lo + (hi - lo + 1) / 2;
        if (tz->trans[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return tz->trans_off[lo];
}

int64_t tn_tz_local_to_utc(const tn_tz *tz, int64_t local, tn_tz_fold *fold)
{
    tn_tz_fold f = TN_TZ_UNIQUE;
    int64_t u;
    if (tz->fixed || local > INT64_MAX / 2 || local < INT64_MIN / 2) {
        int32_t off = tn_tz_offset_at(tz, local);
        if (__builtin_sub_overflow(local, (int64_t)off, &u))
            u = off > 0 ? INT64_MIN : INT64_MAX; /* saturate at the ends of time */
    } else {
        /* The offsets a day before and a day after: real zones never change
         * twice within two days, so these are the only candidates. */
        int32_t before = tn_tz_offset_at(tz, local - TN_SECS_PER_DAY);
        int32_t after = tn_tz_offset_at(tz, local + TN_SECS_PER_DAY);
        int64_t ub = local - before, ua = local - after;
        bool b_ok = tn_tz_offset_at(tz, ub) == before;
        bool a_ok = tn_tz_offset_at(tz, ua) == after;
        if (b_ok && a_ok) {
            u = ub < ua ? ub : ua;
            if (ub != ua)
                f = TN_TZ_OVERLAP;
        } else if (b_ok || a_ok) {
            u = b_ok ? ub : ua;
        } else {
            u = ub; /* in a gap: the offset before it moves the reading forward */
            f = TN_TZ_GAP;
        }
    }
    if (fold)
        *fold = f;
    return u;
}

/* ---- TZif --------------------------------------------------------------------- */

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const uint8_t *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

typedef struct counts {
    uint32_t isut, isstd, leap, time, type, chars;
} counts;

static void read_counts(const uint8_t *h, counts *c)
{
    c->isut = be32(h + 20);
    c->isstd = be32(h + 24);
    c->leap = be32(h + 28);
    c->time = be32(h + 32);
    c->type = be32(h + 36);
    c->chars = be32(h + 40);
}

/* Bytes of the data block after a header; 64-bit arithmetic cannot overflow
 * with 32-bit counts. */
static uint64_t block_size(const counts *c, int tsize)
{
    return (uint64_t)c->time * (uint64_t)(tsize + 1) + (uint64_t)c->type * 6 + c->chars +
           (uint64_t)c->leap * (uint64_t)(tsize + 4) + c->isstd + c->isut;
}

void tn_tz_free(tn_tz *tz)
{
    if (!tz || tz == &utc_zone)
        return;
    tn_free(tz->name);
    tn_free(tz->trans);
    tn_free(tz->trans_off);
    tn_free(tz);
}

static int zone_new(const char *name, tn_tz **out, tarn_error *err)
{
    tn_tz *tz = tn_calloc(1, sizeof *tz);
    TN_TRY_ALLOC(tz, err, sizeof *tz);
    tz->name = tn_strdup(name);
    if (!tz->name) {
        tn_free(tz);
        return tn_error_oom(err, strlen(name) + 1);
    }
    *out = tz;
    return TARN_OK;
}

/* Read the data block at p (already bounds-checked) into tz. */
static int read_block(const uint8_t *p, const counts *c, int tsize, const char *label, tn_tz *tz, tarn_error *err)
{
    const uint8_t *times = p, *idx = p + (size_t)c->time * tsize, *types = idx + c->time;
    for (uint32_t i = 0; i < c->type; i++) {
        int32_t off = (int32_t)be32(types + 6 * i);
        if (off < MIN_UTOFF || off > MAX_UTOFF)
            return TN_CORRUPT(err, "corrupt time zone file %s: offset %d of type %u is out of range", label,
                              (int)off, i);
        if (types[6 * i + 4] > 1)
            return TN_CORRUPT(err, "corrupt time zone file %s: isdst of type %u is %u", label, i,
                              types[6 * i + 4]);
        if (types[6 * i + 5] >= c->chars)
            return TN_CORRUPT(err, "corrupt time zone file %s: abbreviation index of type %u is past the %u "
                              "characters", label, i, c->chars);
    }
    tz->first_off = (int32_t)be32(types);
    if (c->time == 0)
        return TARN_OK;
    tz->trans = tn_malloc((size_t)c->time * sizeof *tz->trans);
    tz->trans_off = tn_malloc((size_t)c->time * sizeof *tz->trans_off);
    if (!tz->trans || !tz->trans_off)
        return tn_error_oom(err, (size_t)c->time * 12);
    for (uint32_t i = 0; i < c->time; i++) {
        int64_t t = tsize == 8 ? be64(times + 8 * (size_t)i) : (int32_t)be32(times + 4 * (size_t)i);
        if (i > 0 && t <= tz->trans[i - 1])
            return TN_CORRUPT(err, "corrupt time zone file %s: transition %u is not after the one before", label, i);
        if (idx[i] >= c->type)
            return TN_CORRUPT(err, "corrupt time zone file %s: transition %u uses type %u of %u", label, i, idx[i],
                              c->type);
        tz->trans[i] = t;
        tz->trans_off[i] = (int32_t)be32(types + 6 * idx[i]);
    }
    tz->n_trans = (int32_t)c->time;
    return TARN_OK;
}

static int check_counts(const counts *c, const char *label, tarn_error *err)
{
    if (c->type == 0 || c->type > 256)
        return TN_CORRUPT(err, "corrupt time zone file %s: %u local time types (1..256 allowed)", label, c->type);
    if (c->chars == 0)
        return TN_CORRUPT(err, "corrupt time zone file %s: no abbreviation characters", label);
    if ((c->isut != 0 && c->isut != c->type) || (c->isstd != 0 && c->isstd != c->type))
        return TN_CORRUPT(err, "corrupt time zone file %s: indicator counts do not match the %u types", label,
                          c->type);
    if (c->time > INT32_MAX / 16)
        return TN_CORRUPT(err, "corrupt time zone file %s: %u transitions", label, c->time);
    if (c->leap)
        return tn_error_set(err, TARN_EUNSUPPORTED,
                            "time zone file %s counts leap seconds (\"right/\" zones are not supported)", label);
    return TARN_OK;
}

/* The footer after the v2+ block: "\n" TZ string "\n". */
static int read_footer(const uint8_t *p, size_t n, const char *label, tn_tz *tz, tarn_error *err)
{
    if (n < 2 || p[0] != '\n')
        return TN_CORRUPT(err, "corrupt time zone file %s: missing TZ string footer", label);
    const uint8_t *nl = memchr(p + 1, '\n', n - 1 < MAX_FOOTER + 1 ? n - 1 : MAX_FOOTER + 1);
    if (!nl)
        return TN_CORRUPT(err, "corrupt time zone file %s: TZ string footer is unterminated or too long", label);
    size_t len = (size_t)(nl - (p + 1));
    if (len == 0)
        return TARN_OK; /* no rule: the last transition's offset lasts forever */
    char text[MAX_FOOTER + 1];
    memcpy(text, p + 1, len);
    text[len] = '\0';
    if (memchr(text, '\0', len) || !parse_posix(text, &tz->rule))
        return TN_CORRUPT(err, "corrupt time zone file %s: bad TZ string footer '%.64s'", label, text);
    tz->has_rule = true;
    return TARN_OK;
}

static int parse_tzif(const uint8_t *data, size_t len, const char *label, tn_tz *tz, tarn_error *err)
{
    if (len < 44 || memcmp(data, "TZif", 4) != 0)
        return TN_CORRUPT(err, "corrupt time zone file %s: not a TZif file", label);
    counts c;
    read_counts(data, &c);
    TN_TRY(check_counts(&c, label, err));
    uint64_t size = block_size(&c, 4);
    if (size > len - 44)
        return TN_CORRUPT(err, "corrupt time zone file %s: truncated version 1 data (%llu bytes needed, %zu present)",
                          label, (unsigned long long)size, len - 44);
    if (data[4] == 0) /* version 1: 32-bit times and no footer */
        return read_block(data + 44, &c, 4, label, tz, err);
    size_t pos = 44 + (size_t)size;
    if (len - pos < 44 || memcmp(data + pos, "TZif", 4) != 0)
        return TN_CORRUPT(err, "corrupt time zone file %s: missing version 2 header at byte %zu", label, pos);
    read_counts(data + pos, &c);
    TN_TRY(check_counts(&c, label, err));
    pos += 44;
    size = block_size(&c, 8);
    if (size > len - pos)
        return TN_CORRUPT(err, "corrupt time zone file %s: truncated version 2 data (%llu bytes needed, %zu present)",
                          label, (unsigned long long)size, len - pos);
    TN_TRY(read_block(data + pos, &c, 8, label, tz, err));
    pos += (size_t)size;
    return read_footer(data + pos, len - pos, label, tz, err);
}

int tn_tz_parse_tzif(const uint8_t *data, size_t len, const char *name, tn_tz **out, tarn_error *err)
{
    *out = NULL;
    tn_tz *tz = NULL;
    TN_TRY(zone_new(name, &tz, err));
    int rc = parse_tzif(data, len, name, tz, err);
    if (rc != TARN_OK) {
        tn_tz_free(tz);
        return rc;
    }
    *out = tz;
    return TARN_OK;
}

/* ---- loading and the cache ------------------------------------------------------ */

/* Names map to paths, so allow only what IANA names use and nothing that
 * climbs out of the database. */
static bool valid_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > 255 || name[0] == '/' || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = name[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_' ||
              ch == '-' || ch == '+' || ch == '/' || ch == '.'))
            return false;
        if (ch == '/' && (name[i + 1] == '/' || name[i + 1] == '.' || name[i + 1] == '\0'))
            return false;
    }
    return true;
}

static int read_file(const char *path, const char *name, uint8_t **data, size_t *len, tarn_error *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            return tn_error_set(err, TARN_ENOTFOUND, "unknown time zone '%s'", name);
        return tn_error_set(err, TARN_EIO, "cannot open time zone file %s: %s", path, strerror(errno));
    }
    struct stat st;
    int rc = TARN_OK;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = tn_error_set(err, TARN_ENOTFOUND, "unknown time zone '%s'", name);
    } else if (st.st_size > MAX_ZONE_FILE) {
        rc = TN_CORRUPT(err, "corrupt time zone file %s: %lld bytes is too large", path, (long long)st.st_size);
    } else if (!(buf = tn_malloc((size_t)st.st_size + 1))) {
        rc = tn_error_oom(err, (size_t)st.st_size + 1);
    } else {
        size_t got = 0, want = (size_t)st.st_size;
        while (got < want) {
            ssize_t k = read(fd, buf + got, want - got);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                rc = tn_error_set(err, TARN_EIO, "cannot read time zone file %s: %s", path,
                                  k < 0 ? strerror(errno) : "file shrank while reading");
                break;
            }
            got += (size_t)k;
        }
        *len = got;
    }
    close(fd);
    if (rc != TARN_OK) {
        tn_free(buf);
        return rc;
    }
    *data = buf;
    return TARN_OK;
}

static int load_file_zone(const char *name, tn_tz **out, tarn_error *err)
{
    if (!valid_name(name))
        return tn_error_set(err, TARN_ENOTFOUND, "unknown time zone '%.255s'", name);
    const char *dir = getenv("TZDIR");
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", name) >= sizeof path)
        return tn_error_set(err, TARN_ENOTFOUND, "unknown time zone '%s'", name);
    uint8_t *data = NULL;
    size_t len = 0;
    TN_TRY(read_file(path, name, &data, &len, err));
    tn_tz *tz = NULL;
    int rc = zone_new(name, &tz, err);
    if (rc == TARN_OK)
        rc = parse_tzif(data, len, path, tz, err);
    tn_free(data);
    if (rc != TARN_OK) {
        tn_tz_free(tz);
        return rc;
    }
    *out = tz;
    return TARN_OK;
}

static bool two_digits(const char *s, int *out)
{
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
        return false;
    *out = (s[0] - '0') * 10 + (s[1] - '0');
    return true;
}

/* "+05:30", "-0800", "+05": a fixed zone; the whole name must parse. */
static int fixed_zone(const char *name, tn_tz **out, tarn_error *err)
{
    int h = 0, m = 0;
    const char *p = name + 1;
    bool ok = two_digits(p, &h);
    if (ok && p[2] == ':')
        ok = two_digits(p + 3, &m) && p[5] == '\0';
    else if (ok && p[2] != '\0')
        ok = two_digits(p + 2, &m) && p[4] == '\0';
    if (!ok || h > 23 || m > 59)
        return tn_error_set(err, TARN_ENOTFOUND, "unknown time zone '%.64s' (fixed offsets look like +05:30 or -0800)",
                            name);
    tn_tz *tz = NULL;
    TN_TRY(zone_new(name, &tz, err));
    tz->fixed = true;
    tz->fixed_off = (name[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
    *out = tz;
    return TARN_OK;
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(tn_tz *) cache_head;

static const tn_tz *cache_find(const char *name)
{
    for (tn_tz *tz = atomic_load_explicit(&cache_head, memory_order_acquire); tz; tz = tz->next)
        if (strcmp(tz->name, name) == 0)
            return tz;
    return NULL;
}

int tn_tz_get(const char *name, const tn_tz **out, tarn_error *err)
{
    if (!strcmp(name, "UTC") || !strcmp(name, "Z") || !strcmp(name, "utc") || !strcmp(name, "z")) {
        *out = &utc_zone;
        return TARN_OK;
    }
    /* Readers walk the list without the lock: entries are only ever pushed
     * at the head, fully built, with a release store. */
    const tn_tz *hit = cache_find(name);
    if (hit) {
        *out = hit;
        return TARN_OK;
    }
    pthread_mutex_lock(&cache_lock);
    int rc = TARN_OK;
    hit = cache_find(name);
    if (!hit) {
        tn_tz *tz = NULL;
        rc = (name[0] == '+' || name[0] == '-') ? fixed_zone(name, &tz, err) : load_file_zone(name, &tz, err);
        if (rc == TARN_OK) {
            tz->next = atomic_load_explicit(&cache_head, memory_order_relaxed);
            atomic_store_explicit(&cache_head, tz, memory_order_release);
            hit = tz;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    if (rc == TARN_OK)
        *out = hit;
    return rc;
}

void tn_tz_cache_clear(void)
{
    pthread_mutex_lock(&cache_lock);
    tn_tz *tz = atomic_exchange(&cache_head, NULL);
    pthread_mutex_unlock(&cache_lock);
    while (tz) {
        tn_tz *next = tz->next;
        tn_tz_free(tz);
        tz = next;
    }
}
