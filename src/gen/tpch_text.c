/*
 * tpch_text.c — the vocabulary of TPC-H data: the word lists the
 * specification names for part names, types, containers, segments,
 * priorities, ship instructions and modes (clause 4.2.2.13), the fixed
 * nation and region rows (clause 4.2.3), and the pseudo-text grammar that
 * comments are drawn from (clause 4.2.2.14).
 *
 * Comments follow the specification's method: a text pool is produced once
 * from the grammar, and each comment is a substring of it of random length
 * at a random offset. dbgen's pool is 300 MB; ours is 4 MiB, generated in a
 * few milliseconds into static memory the first time a comment is needed.
 * The grammar picks words uniformly (dbgen weights them); the queries'
 * LIKE patterns ('%special%requests%', ...) still find matches.
 */
#include "gen/tpch_text.h"

#include <pthread.h>
#include <string.h>

#define W(arr) { arr, (int32_t)(sizeof(arr) / sizeof(arr[0])) }

static const char *const colors[] = {
    "almond", "antique", "aquamarine", "azure", "beige", "bisque", "black", "blanched", "blue",
    "blush", "brown", "burlywood", "burnished", "chartreuse", "chiffon", "chocolate", "coral",
    "cornflower", "cornsilk", "cream", "cyan", "dark", "deep", "dim", "dodger", "drab",
    "firebrick", "floral", "forest", "frosted", "gainsboro", "ghost", "goldenrod", "green",
    "grey", "honeydew", "hot", "indian", "ivory", "khaki", "lace", "lavender", "lawn", "lemon",
    "light", "lime", "linen", "magenta", "maroon", "medium", "metallic", "midnight", "mint",
    "misty", "moccasin", "navajo", "navy", "olive", "orange", "orchid", "pale", "papaya",
    "peach", "peru", "pink", "plum", "powder", "puff", "purple", "red", "rose", "rosy", "royal",
    "saddle", "salmon", "sandy", "seashell", "sienna", "sky", "slate", "smoke", "snow",
    "spring", "steel", "tan", "thistle", "tomato", "turquoise", "violet", "wheat", "white",
    "yellow",
};
static const char *const type_s1[] = {"STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"};
static const char *const type_s2[] = {"ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"};
static const char *const type_s3[] = {"TIN", "NICKEL", "BRASS", "STEEL", "COPPER"};
static const char *const cont_s1[] = {"SM", "LG", "MED", "JUMBO", "WRAP"};
static const char *const cont_s2[] = {"CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"};
static const char *const segments[] = {"AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"};
static const char *const priorities[] = {"1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"};
static const char *const instructions[] = {"DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"};
static const char *const modes[] = {"REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"};

const tn_words tn_tpch_colors = W(colors);
const tn_words tn_tpch_type_s1 = W(type_s1);
const tn_words tn_tpch_type_s2 = W(type_s2);
const tn_words tn_tpch_type_s3 = W(type_s3);
const tn_words tn_tpch_container_s1 = W(cont_s1);
const tn_words tn_tpch_container_s2 = W(cont_s2);
const tn_words tn_tpch_segments = W(segments);
const tn_words tn_tpch_priorities = W(priorities);
const tn_words tn_tpch_instructions = W(instructions);
const tn_words tn_tpch_modes = W(modes);

const tn_tpch_nation tn_tpch_nations[25] = {
    {"ALGERIA", 0},    {"ARGENTINA", 1}, {"BRAZIL", 1},       {"CANADA", 1},
    {"EGYPT", 4},      {"ETHIOPIA", 0},  {"FRANCE", 3},       {"GERMANY", 3},
    {"INDIA", 2},      {"INDONESIA", 2}, {"IRAN", 4},         {"IRAQ", 4},
    {"JAPAN", 2},      {"JORDAN", 4},    {"KENYA", 0},        {"MOROCCO", 0},
    {"MOZAMBIQUE", 0}, {"PERU", 1},      {"CHINA", 2},        {"ROMANIA", 3},
    {"SAUDI ARABIA", 4}, {"VIETNAM", 2}, {"RUSSIA", 3},       {"UNITED KINGDOM", 3},
    {"UNITED STATES", 1},
};
const char *const tn_tpch_regions[5] = {"AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"};

/* --- the grammar (clause 4.2.2.14) ---------------------------------------- */

static const char *const nouns[] = {
    "packages", "requests", "accounts", "deposits", "foxes", "ideas", "theodolites",
    "pinto beans", "instructions", "dependencies", "excuses", "platelets", "asymptotes",
    "courts", "dolphins", "multipliers", "sauternes", "warthogs", "frets", "dinos",
    "attainments", "somas", "Tiresias", "patterns", "forges", "braids", "hockey players",
    "frays", "warhorses", "dugouts", "notornis", "epitaphs", "pearls", "tithes", "waters",
    "orbits", "gifts", "sheaves", "depths", "sentiments", "decoys", "realms", "pains",
    "grouches", "escapades",
};
static const char *const verbs[] = {
    "sleep", "wake", "are", "cajole", "haggle", "nag", "use", "boost", "affix", "detect",
    "integrate", "maintain", "nod", "was", "lose", "sublate", "solve", "thrash", "promise",
    "engage", "hinder", "print", "x-ray", "breach", "eat", "grow", "impress", "mold", "poach",
    "serve", "run", "dazzle", "snooze", "doze", "unwind", "kindle", "play", "hang", "believe",
    "doubt",
};
static const char *const adjectives[] = {
    "special", "pending", "unusual", "express", "furious", "sly", "careful", "blithe", "quick",
    "fluffy", "slow", "quiet", "ruthless", "thin", "close", "dogged", "daring", "brave",
    "stealthy", "permanent", "enticing", "idle", "busy", "regular", "final", "ironic", "even",
    "bold", "silent",
};
static const char *const adverbs[] = {
    "sometimes", "always", "never", "furiously", "slyly", "carefully", "blithely", "quickly",
    "fluffily", "slowly", "quietly", "ruthlessly", "thinly", "closely", "doggedly", "daringly",
    "bravely", "stealthily", "permanently", "enticingly", "idly", "busily", "regularly",
    "finally", "ironically", "evenly", "boldly", "silently",
};
static const char *const prepositions[] = {
    "about", "above", "according to", "across", "after", "against", "along", "alongside of",
    "among", "around", "at", "atop", "before", "behind", "beneath", "beside", "besides",
    "between", "beyond", "by", "despite", "during", "except", "for", "from", "in place of",
    "inside", "instead of", "into", "near", "of", "on", "outside", "over", "past", "since",
    "through", "throughout", "to", "toward", "under", "until", "up", "upon", "without", "with",
    "within",
};
static const char *const auxiliaries[] = {
    "do", "may", "might", "shall", "will", "would", "can", "could", "should", "ought to",
    "must", "will have to", "shall have to", "could have to", "should have to",
    "must have to", "need to", "try to",
};
static const char *const terminators[] = {".", ";", ":", "?", "!", "--"};

#define POOL_SIZE (4 << 20)

static char pool[POOL_SIZE + 256];
static int64_t pool_len;
static pthread_once_t pool_once = PTHREAD_ONCE_INIT;

typedef struct gram {
    uint64_t seq; /* draws so far */
    char *p, *end;
} gram;

static uint64_t draw(gram *g) { return tn_tpch_rand(0x7e47, g->seq++); }

static void put(gram *g, const char *s)
{
    size_t n = strlen(s);
    if (g->p + n + 1 > g->end)
        return;
    memcpy(g->p, s, n);
    g->p += n;
}

#define PICK(g, arr) (arr[tn_tpch_uniform(draw(g), 0, (int64_t)(sizeof(arr) / sizeof(arr[0])) - 1)])

static void word(gram *g, const char *w) { put(g, w); put(g, " "); }

/* noun phrase: noun | adjective noun | adjective, adjective noun | adverb adjective noun */
static void noun_phrase(gram *g)
{
    switch (tn_tpch_uniform(draw(g), 0, 3)) {
    case 0: break;
    case 1: word(g, PICK(g, adjectives)); break;
    case 2: put(g, PICK(g, adjectives)); put(g, ", "); word(g, PICK(g, adjectives)); break;
    default: word(g, PICK(g, adverbs)); word(g, PICK(g, adjectives)); break;
    }
    word(g, PICK(g, nouns));
}

/* verb phrase: verb | auxiliary verb | verb adverb | auxiliary verb adverb */
static void verb_phrase(gram *g)
{
    int64_t k = tn_tpch_uniform(draw(g), 0, 3);
    if (k & 1)
        word(g, PICK(g, auxiliaries));
    word(g, PICK(g, verbs));
    if (k & 2)
        word(g, PICK(g, adverbs));
}

static void prep_phrase(gram *g)
{
    word(g, PICK(g, prepositions));
    word(g, "the");
    noun_phrase(g);
}

/* The five sentence shapes of the grammar. */
static void sentence(gram *g)
{
    switch (tn_tpch_uniform(draw(g), 0, 4)) {
    case 0: noun_phrase(g); verb_phrase(g); break;
    case 1: noun_phrase(g); verb_phrase(g); prep_phrase(g); break;
    case 2: noun_phrase(g); verb_phrase(g); noun_phrase(g); break;
    case 3: noun_phrase(g); prep_phrase(g); verb_phrase(g); noun_phrase(g); break;
    default: noun_phrase(g); prep_phrase(g); verb_phrase(g); prep_phrase(g); break;
    }
    /* The terminator replaces the trailing space and is followed by one. */
    if (g->p > pool && g->p[-1] == ' ')
        g->p--;
    put(g, PICK(g, terminators));
    put(g, " ");
}

static void build_pool(void)
{
    gram g = {0, pool, pool + POOL_SIZE};
    while (g.p + 512 < g.end)
        sentence(&g);
    pool_len = g.p - pool;
}

const char *tn_tpch_text_pool(int64_t *len)
{
    pthread_once(&pool_once, build_pool);
    *len = pool_len;
    return pool;
}

int32_t tn_tpch_text(uint64_t r, int32_t lo, int32_t hi, char *out)
{
    int64_t n;
    const char *p = tn_tpch_text_pool(&n);
    int32_t len = (int32_t)tn_tpch_uniform(r, lo, hi);
    int64_t off = tn_tpch_uniform(r << 32 | (r >> 32), 0, n - len);
    memcpy(out, p + off, (size_t)len);
    return len;
}

static const char alnum[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,.";

int32_t tn_tpch_vstring(uint64_t stream, uint64_t row, int32_t lo, int32_t hi, char *out)
{
    uint64_t r = tn_tpch_rand(stream, row);
    int32_t len = (int32_t)tn_tpch_uniform(r, lo, hi);
    /* Six bits per character, ten characters per random value. */
    uint64_t bits = 0;
    for (int32_t i = 0; i < len; i++) {
        if (i % 10 == 0)
            bits = tn_tpch_rand(stream ^ 0x5555, row * 8 + (uint64_t)(i / 10));
        out[i] = alnum[bits & 63];
        bits >>= 6;
    }
    return len;
}

int32_t tn_tpch_phone(uint64_t r, int32_t nationkey, char *out)
{
    int cc = 10 + nationkey;
    int a = 100 + (int)((r & 0xffff) % 900);
    int b = 100 + (int)(((r >> 16) & 0xffff) % 900);
    int c = 1000 + (int)((r >> 32) % 9000);
    out[0] = (char)('0' + cc / 10);
    out[1] = (char)('0' + cc % 10);
    out[2] = '-';
    out[3] = (char)('0' + a / 100);
    out[4] = (char)('0' + a / 10 % 10);
    out[5] = (char)('0' + a % 10);
    out[6] = '-';
    out[7] = (char)('0' + b / 100);
    out[8] = (char)('0' + b / 10 % 10);
    out[9] = (char)('0' + b % 10);
    out[10] = '-';
    out[11] = (char)('0' + c / 1000);
    out[12] = (char)('0' + c / 100 % 10);
    out[13] = (char)('0' + c / 10 % 10);
    out[14] = (char)('0' + c % 10);
    return 15;
}
