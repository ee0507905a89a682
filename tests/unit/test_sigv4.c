/*
 * test_sigv4.c — SigV4 signatures against AWS's published test suite
 * (tests/data/sigv4/NAME.req is the request, NAME.authz the Authorization
 * header AWS computed for it with the suite's example credentials).
 */
#include <dirent.h>
#include <stdio.h>

#include "store/sigv4.h"
#include "tn_test.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    char *s = tn_strdup(buf);
    return s;
}

/* Parse "METHOD target HTTP/1.1\nName:value...\n\nbody" and sign it. */
static void check_vector(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.req", dir, name);
    char *req = slurp(path);
    snprintf(path, sizeof path, "%s/%s.authz", dir, name);
    char *want = slurp(path);
    CHECK(req && want);
    if (!req || !want) {
        tn_free(req);
        tn_free(want);
        return;
    }
    tn_kv_pair headers[16], query[16];
    int nh = 0, nq = 0;
    char *body = strstr(req, "\n\n");
    if (body) {
        *body = '\0';
        body += 2;
    } else {
        body = "";
    }
    char *line_end = strchr(req, '\n');
    if (line_end)
        *line_end = '\0';
    char *method = req, *target = strchr(req, ' ');
    *target++ = '\0';
    *strrchr(target, ' ') = '\0'; /* drop " HTTP/1.1" */
    char *qs = strchr(target, '?');
    if (qs) {
        *qs++ = '\0';
        for (char *p = strtok(qs, "&"); p && nq < 16; p = strtok(NULL, "&")) {
            char *eq = strchr(p, '=');
            if (eq)
                *eq++ = '\0';
            query[nq].name = p;
            query[nq++].value = eq ? eq : "";
        }
    }
    for (char *p = line_end ? line_end + 1 : NULL; p && *p && nh < 16;) {
        char *next = strchr(p, '\n');
        if (next)
            *next++ = '\0';
        char *colon = strchr(p, ':');
        *colon = '\0';
        headers[nh].name = p;
        headers[nh++].value = colon + 1;
        p = next;
    }
    char payload[65];
    tn_sha256_hex(body, strlen(body), payload);
    tn_sigv4_request r = {.method = method, .path = target, .query = query, .n_query = nq,
                          .headers = headers, .n_headers = nh, .payload_sha256 = payload};
    tn_sigv4_key key = {.access_key = "AKIDEXAMPLE", .secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                        .region = "us-east-1", .service = "service"};
    tn_buf out;
    tn_buf_init(&out, 0);
    tarn_error err;
    CHECK_OK(tn_sigv4_authorization(&r, &key, "20150830T123600Z", &out, &err), &err);
    if (out.data && strcmp((char *)out.data, want) != 0)
        fprintf(stderr, "vector %s:\n  got  %s\n  want %s\n", name, (char *)out.data, want);
    CHECK(out.data && strcmp((char *)out.data, want) == 0);
    tn_buf_reset(&out);
    tn_free(req);
    tn_free(want);
}

TEST(aws_test_suite)
{
    const char *dir = "tests/data/sigv4";
    DIR *d = opendir(dir);
    CHECK(d != NULL);
    if (!d)
        return;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len > 4 && strcmp(e->d_name + len - 4, ".req") == 0) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(len - 4), e->d_name);
            check_vector(dir, name);
            n++;
        }
    }
    closedir(d);
    CHECK(n >= 20);
}

TEST(s3_documented_example)
{
    /* The GET Object example of the S3 API reference (range request). */
    tn_kv_pair headers[] = {{"Host", "examplebucket.s3.amazonaws.com"},
                            {"Range", "bytes=0-9"},
                            {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
                            {"x-amz-date", "20130524T000000Z"}};
    tn_sigv4_request r = {.method = "GET", .path = "/test.txt", .headers = headers, .n_headers = 4,
                          .payload_sha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
    tn_sigv4_key key = {.access_key = "AKIAIOSFODNN7EXAMPLE", .secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                        .region = "us-east-1", .service = "s3"};
    tn_buf out;
    tn_buf_init(&out, 0);
    tarn_error err;
    CHECK_OK(tn_sigv4_authorization(&r, &key, "20130524T000000Z", &out, &err), &err);
    CHECK(out.data && strstr((char *)out.data, "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    tn_buf_reset(&out);
}

TEST(uri_encoding)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    tarn_error err;
    CHECK_OK(tn_uri_encode("a b/c~d+é", true, &b, &err), &err);
    CHECK_STR((char *)b.data, "a%20b/c~d%2B%C3%A9");
    tn_buf_reset(&b);
    CHECK_OK(tn_uri_encode("x/y", false, &b, &err), &err);
    CHECK_STR((char *)b.data, "x%2Fy");
    tn_buf_reset(&b);
}

int main(void)
{
    RUN(aws_test_suite);
    RUN(s3_documented_example);
    RUN(uri_encoding);
    return tn_test_done();
}
