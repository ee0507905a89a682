/*
 * test_csv.c — the CSV reader against a corpus of hostile inputs built in
 * memory and in a temp dir: quoting, line ends, BOM, headers, sniffing,
 * types, error policies with their messages, compression, streaming across
 * block boundaries and allocation failures.
 */
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "formats/csv/csv.h"
#include "formats/csv/multi.h"
#include "core/datetime.h"
#include "formats/csv/textparse.h"
#include "tn_test.h"
#include "unit/dump_util.h"

static char result[1 << 16];
static tarn_error err;

/* Read text with opts; result holds "schema lines" + "--\n" + rows. */
static int readmem(const char *text, size_t n, const tn_csv_options *o)
{
    tarn_error_init(&err);
    result[0] = 0;
    tn_reader *r;
    int rc = tn_csv_open_memory(text, (int64_t)n, o, &r, &err);
    if (rc)
        return rc;
    return dump_schema_and_rows(r, result, sizeof result, &err);
}

static int readstr(const char *text, const tn_csv_options *o) { return readmem(text, strlen(text), o); }

static tn_csv_options opts(void)
{
    tn_csv_options o;
    tn_csv_options_init(&o);
    return o;
}

TEST(basic_types)
{
    tn_csv_options o = opts();
    CHECK_OK(readstr("i,f,b,s,d,t,ts,tz\n"
                     "1,1.5,true,hello,2024-03-17,12:30:00,2024-03-17 12:30:00,2024-03-17T12:30:00Z\n"
                     "-7,2e3,FALSE,,2000-02-29,23:59:59.5,2024-03-17T00:00:00.123456,2024-03-17 14:30:00+02:00\n",
                     &o),
             &err);
    CHECK_STR(result, "i: int64\nf: double\nb: bool\ns: utf8\nd: date32\nt: time64[us]\nts: timestamp[us]\n"
                      "tz: timestamp[us, tz=UTC]\n--\n"
                      "1|1.5|true|hello|2024-03-17|12:30:00.000000|2024-03-17T12:30:00.000000|2024-03-17T12:30:00.000000Z\n"
                      "-7|2000|false|null|2000-02-29|23:59:59.500000|2024-03-17T00:00:00.123456|2024-03-17T12:30:00.000000Z\n");
}

TEST(quoting)
{
    tn_csv_options o = opts();
    CHECK_OK(readstr("a,b\n\"x,y\",\"line1\nline2\"\n\"say \"\"hi\"\"\",\"\"\n", &o), &err);
    CHECK_STR(result, "a: utf8\nb: utf8\n--\nx,y|line1\nline2\nsay \"hi\"|\n");
    o.escape = '\\';
    CHECK_OK(readstr("a,b\n\"q\\\"x\",\"back\\\\slash\"\n", &o), &err);
    CHECK_STR(result, "a: utf8\nb: utf8\n--\nq\"x|back\\slash\n");
}

TEST(line_ends_bom)
{
    tn_csv_options o = opts();
    CHECK_OK(readstr("\xEF\xBB\xBF" "a,b\r\n1,2\r\n3,4", &o), &err);
    CHECK_STR(result, "a: int64\nb: int64\n--\n1|2\n3|4\n");
    CHECK_OK(readstr("a,b\r1,2\r3,4\r", &o), &err);
    CHECK_STR(result, "a: int64\nb: int64\n--\n1|2\n3|4\n");
    /* empty lines are skipped */
    CHECK_OK(readstr("a,b\n\n1,2\n\n\n3,4\n\n", &o), &err);
    CHECK_STR(result, "a: int64\nb: int64\n--\n1|2\n3|4\n");
}

TEST(empty_and_header_only)
{
    tn_csv_options o = opts();
    CHECK_EQ_INT(readstr("", &o), TARN_EINVAL);
    CHECK_MSG(&err, "input: no columns: the input is empty");
    CHECK_OK(readstr("name,city\n", &o), &err);
    CHECK_STR(result, "name: utf8\ncity: utf8\n--\n");
    o.header = 0;
    CHECK_OK(readstr("1,2\n", &o), &err);
    CHECK_STR(result, "column0: int64\ncolumn1: int64\n--\n1|2\n");
}

TEST(sniff_dialect)
{
    tn_csv_options o = opts();
    CHECK_OK(readstr("a;b;c\n1;2,5;x\n3;4,5;y\n", &o), &err);
    CHECK_STR(result, "a: int64\nb: utf8\nc: utf8\n--\n1|2,5|x\n3|4,5|y\n");
    CHECK_OK(readstr("a\tb\n1\t2\n", &o), &err);
    CHECK_STR(result, "a: int64\nb: int64\n--\n1|2\n");
    CHECK_OK(readstr("a|b\nx|2\n", &o), &err);
    CHECK_STR(result, "a: utf8\nb: int64\n--\nx|2\n");
    /* no header: the first row fits the column types */
    CHECK_OK(readstr("1,2\n3,4\n", &o), &err);
    CHECK_STR(result, "column0: int64\ncolumn1: int64\n--\n1|2\n3|4\n");
    /* duplicate and empty header names */
    o.header = 1;
    CHECK_OK(readstr("a,a,,a\n1,2,3,4\n", &o), &err);
    o.header = -1;
    CHECK_STR(result, "a: int64\na_1: int64\ncolumn2: int64\na_2: int64\n--\n1|2|3|4\n");
    tn_csv_sniff_result s;
    CHECK_OK(tn_csv_sniff_memory("x;y\n1;2024/01/31\n", 17, &o, &s, &err), &err);
    CHECK_EQ_INT(s.delimiter, ';');
    CHECK(s.header);
    CHECK_EQ_INT(s.schema->fields[1].type->id, TN_DATE32);
    CHECK_EQ_INT(s.date_layouts[1], TN_DATE_YMD_SLASH);
    tn_csv_sniff_result_reset(&s);
}

TEST(inference_lattice)
{
    tn_csv_options o = opts();
    CHECK_OK(readstr("a,b,c,d\n1,1,true,1\n2.5,x,false,\n", &o), &err);
    CHECK_STR(result, "a: decimal128(38, 1)\nb: utf8\nc: bool\nd: int64\n--\n10/10^1|1|true|1\n25/10^1|x|false|null\n");
    /* without decimal inference int64 with a fraction is double (as DuckDB) */
    o.no_decimal_inference = true;
    CHECK_OK(readstr("a,b,c,d\n1,1,true,1\n2.5,x,false,\n", &o), &err);
    CHECK_STR(result, "a: double\nb: utf8\nc: bool\nd: int64\n--\n1|1|true|1\n2.5|x|false|null\n");
    o.no_decimal_inference = false;
    /* int64 overflow becomes double */
    CHECK_OK(readstr("a\n9223372036854775807\n9223372036854775808\n", &o), &err);
    CHECK_STR(result, "a: double\n--\n9.2233720368547758e+18\n9.2233720368547758e+18\n");
    /* dates: MDY only when some day is above 12, otherwise ambiguous text */
    CHECK_OK(readstr("d,e,f\n03/17/2024,03/04/2024,17.03.2024\n12/01/2023,04/03/2024,01.12.2023\n", &o), &err);
    CHECK_STR(result, "d: date32\ne: utf8\nf: date32\n--\n2024-03-17|03/04/2024|2024-03-17\n2023-12-01|04/03/2024|2023-12-01\n");
    CHECK_OK(readstr("d\n17/03/2024\n", &o), &err);
    CHECK_STR(result, "d: date32\n--\n2024-03-17\n");
    /* dates mixed with timestamps are timestamps; zones mixed with none are text */
    CHECK_OK(readstr("a,b\n2024-01-01,2024-01-01 10:00\n2024-01-02 03:04:05,2024-01-01 10:00Z\n", &o), &err);
    CHECK_STR(result, "a: timestamp[us]\nb: utf8\n--\n2024-01-01T00:00:00.000000|2024-01-01 10:00\n"
                      "2024-01-02T03:04:05.000000|2024-01-01 10:00Z\n");
    /* invalid calendar dates are not dates */
    CHECK_OK(readstr("d\n2023-02-29\n", &o), &err);
    CHECK_STR(result, "d: utf8\n--\n2023-02-29\n");
}

/* Plain decimal literals become decimal128(38, most fraction digits). */
TEST(decimal_inference)
{
    tn_csv_options o = opts();
    CHECK_OK(readstr("money,mixed,exp,signed,forms,intdot\n"
                     "12.50,3,1.5e2,-0.25,.5,5.\n"
                     "3.75,4.125,2.5,+7.5,5.,7\n"
                     "1000000.01,-12,3,-12,0.05,8\n",
                     &o),
             &err);
    CHECK_STR(result, "money: decimal128(38, 2)\nmixed: decimal128(38, 3)\nexp: double\nsigned: decimal128(38, 2)\n"
                      "forms: decimal128(38, 2)\nintdot: double\n--\n"
                      "1250/10^2|3000/10^3|150|-25/10^2|50/10^2|5\n"
                      "375/10^2|4125/10^3|2.5|750/10^2|500/10^2|7\n"
                      "100000001/10^2|-12000/10^3|3|-1200/10^2|5/10^2|8\n");
    /* 38 digits still decimal, 39 digits double; inf/nan double; leading
     * zeros are not digits of precision */
    tn_csv_sniff_result s;
    const char *t = "a,b,c,d\n"
                    "1234567890123456789012345678901234567.8,1234567890123456789012345678901234567.89,inf,000000000000000000000000000000000000001.5\n"
                    "1.5,1.5,1.5,2.25\n";
    CHECK_OK(tn_csv_sniff_memory(t, (int64_t)strlen(t), &o, &s, &err), &err);
    CHECK_EQ_INT(s.schema->fields[0].type->id, TN_DECIMAL128);
    CHECK_EQ_INT(s.schema->fields[0].type->precision, 38);
    CHECK_EQ_INT(s.schema->fields[0].type->scale, 1);
    CHECK_EQ_INT(s.schema->fields[1].type->id, TN_FLOAT64);
    CHECK_EQ_INT(s.schema->fields[2].type->id, TN_FLOAT64);
    CHECK_EQ_INT(s.schema->fields[3].type->id, TN_DECIMAL128);
    CHECK_EQ_INT(s.schema->fields[3].type->scale, 2);
    tn_csv_sniff_result_reset(&s);
    /* a later row with more (nonzero) fraction digits than the sample: an
     * error through the policy, never a rounded value; 3.120 is exact */
    o.sample_rows = 2;
    CHECK_EQ_INT(readstr("p\n1.25\n2.5\n3.125\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:4:1: column 'p': more fraction digits than decimal128(38, 2) inferred from the "
                           "first 2 rows; pass types='p double' or a wider decimal: '3.125'");
    o.on_error = TN_ON_ERROR_NULL;
    CHECK_OK(readstr("p\n1.25\n2.5\n3.125\n3.120\n", &o), &err);
    CHECK_STR(result, "p: decimal128(38, 2)\n--\n125/10^2\n250/10^2\nnull\n312/10^2\n");
    o.on_error = TN_ON_ERROR_FAIL;
    /* more integer digits than 38 - scale: out of range, not wrapped */
    CHECK_EQ_INT(readstr("p\n1.25\n2.5\n12345678901234567890123456789012345678\n", &o), TARN_EOVERFLOW);
    CHECK_MSG(&err, "input:4:1: column 'p': value out of range for decimal128");
    /* trailing zeros within the scale are fine after the sample */
    CHECK_OK(readstr("p\n1.25\n2.5\n-3.10\n4\n", &o), &err);
    CHECK_STR(result, "p: decimal128(38, 2)\n--\n125/10^2\n250/10^2\n-310/10^2\n400/10^2\n");
    /* explicit types are not second-guessed: an asked-for scale rounds */
    o.column_types = "p decimal(10,1)";
    CHECK_OK(readstr("p\n1.25\n", &o), &err);
    CHECK_STR(result, "p: decimal128(10, 1)\n--\n13/10^1\n");
    o.column_types = NULL;
    o.sample_rows = 0;
    o.no_decimal_inference = true;
    CHECK_OK(readstr("p\n12.50\n3.75\n", &o), &err);
    CHECK_STR(result, "p: double\n--\n12.5\n3.75\n");
}

TEST(decimal_comma)
{
    tn_csv_options o = opts();
    o.decimal_comma = true;
    /* the delimiter is sniffed among the others; 1,5 is a number, a
     * thousands point (1.500) is not, dates with dots still are */
    CHECK_OK(readstr("p;q;r;d\n1,5;2,25;1.500;17.03.2024\n-3;0,125;2.000;01.12.2023\n", &o), &err);
    CHECK_STR(result, "p: decimal128(38, 1)\nq: decimal128(38, 3)\nr: utf8\nd: date32\n--\n"
                      "15/10^1|2250/10^3|1.500|2024-03-17\n-30/10^1|125/10^3|2.000|2023-12-01\n");
    o.no_decimal_inference = true;
    CHECK_OK(readstr("p;q\n1,5;1e3\n-3;2,5E-1\n", &o), &err);
    CHECK_STR(result, "p: double\nq: double\n--\n1.5|1000\n-3|0.25\n");
    /* an explicit double column: a value with a point is refused, named */
    o.column_types = "p double";
    CHECK_EQ_INT(readstr("p;q\n1,5;x\n2.5;y\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:3:1: column 'p': cannot parse as double: '2.5'");
    o.column_types = "p decimal(10, 2)";
    CHECK_OK(readstr("p\n1,255\n-0,5\n", &o), &err);
    CHECK_STR(result, "p: decimal128(10, 2)\n--\n126/10^2\n-50/10^2\n");
    /* inferred scale: a later value with more digits is refused with its text */
    o.column_types = NULL;
    o.no_decimal_inference = false;
    o.sample_rows = 2;
    CHECK_EQ_INT(readstr("p\n1,25\n2,5\n3,125\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:4:1: column 'p': more fraction digits than decimal128(38, 2) inferred from the first "
                           "2 rows; pass types='p double' or a wider decimal: '3,125'");
    o.delimiter = ',';
    CHECK_EQ_INT(readstr("p\n1,5\n", &o), TARN_EINVAL);
    CHECK_STR(err.message, "input: a decimal comma needs another delimiter (';' or TAB)");
}

TEST(date_formats)
{
    tn_csv_options o = opts();
    o.date_format = "%d/%m/%Y";
    /* 03/04/2024 is ambiguous without a format; with one it is April 3 */
    CHECK_OK(readstr("d,iso\n03/04/2024,2024-01-02\n31/12/1999,2024-01-03\n", &o), &err);
    CHECK_STR(result, "d: date32\niso: date32\n--\n2024-04-03|2024-01-02\n1999-12-31|2024-01-03\n");
    o.date_format = "%d %b %Y";
    o.timestamp_format = "%d.%m.%y %I:%M %p";
    CHECK_OK(readstr("d;t\n7 Mar 2024;01.02.24 01:30 PM\n29 february 2024;31.12.99 12:05 am\n", &o), &err);
    CHECK_STR(result, "d: date32\nt: timestamp[us]\n--\n2024-03-07|2024-02-01T13:30:00.000000\n"
                      "2024-02-29|1999-12-31T00:05:00.000000\n");
    /* zones, fractions and day of year */
    o.date_format = "%Y-%j";
    o.timestamp_format = "%Y%m%dT%H%M%S.%f%z";
    CHECK_OK(readstr("d,t\n2024-060,20240301T120000.5+0200\n2023-365,20240301T120000.123456Z\n", &o), &err);
    CHECK_STR(result, "d: date32\nt: timestamp[us, tz=UTC]\n--\n2024-02-29|2024-03-01T10:00:00.500000Z\n"
                      "2023-12-31|2024-03-01T12:00:00.123456Z\n");
    /* explicit types use the format; a value that does not fit is named */
    o.date_format = "%d/%m/%Y";
    o.timestamp_format = NULL;
    o.column_types = "d date";
    CHECK_EQ_INT(readstr("d,x\n01/02/2024,1\n2024-02-30,2\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:3:1: column 'd': cannot parse as date32 with format '%d/%m/%Y': '2024-02-30'");
    CHECK_EQ_INT(readstr("d,x\n01/02/2024,1\n30/02/2024,2\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:3:1: column 'd': cannot parse as date32 with format '%d/%m/%Y': '30/02/2024'");
    o.on_error = TN_ON_ERROR_NULL;
    CHECK_OK(readstr("d,x\n01/02/2024,1\n1/2/2024 x,2\n", &o), &err);
    CHECK_STR(result, "d: date32\nx: int64\n--\n2024-02-01|1\nnull|2\n");
    /* a timestamp column takes the date format too (midnight) */
    o.on_error = TN_ON_ERROR_FAIL;
    o.column_types = "d timestamp";
    o.timestamp_format = "%d/%m/%Y %H:%M";
    CHECK_OK(readstr("d\n01/02/2024 10:30\n02/02/2024\n", &o), &err);
    CHECK_STR(result, "d: timestamp[us]\n--\n2024-02-01T10:30:00.000000\n2024-02-02T00:00:00.000000\n");
    /* values that do not fit the format stay text when sniffing */
    o.column_types = NULL;
    o.timestamp_format = NULL;
    CHECK_OK(readstr("d\n01/02/2024\n2024/13/01\n", &o), &err);
    CHECK_STR(result, "d: utf8\n--\n01/02/2024\n2024/13/01\n");
    /* the parser alone */
    int64_t us;
    bool zone;
    CHECK(!tn_text_parse_format("%Y-%m-%d", (const uint8_t *)"2024-1-2x", 9, &us, &zone));
    CHECK(!tn_text_parse_format("%H:%M", (const uint8_t *)"24:00", 5, &us, &zone));
    CHECK(!tn_text_parse_format("%Y-%j", (const uint8_t *)"2023-366", 8, &us, &zone));
    CHECK(tn_text_parse_format("%F %T", (const uint8_t *)"1970-01-02   00:00:01", 21, &us, &zone));
    CHECK_EQ_INT(us, 86401000000LL);
    CHECK(tn_text_format_valid("%d/%m/%Y") && !tn_text_format_valid("%Q") && !tn_text_format_valid("%"));
}

TEST(overrides)
{
    tn_csv_options o = opts();
    o.column_types = "a decimal(10, 2), b string, c timestamptz";
    CHECK_OK(readstr("a,b,c\n1.005,007,2024-01-01 01:00:00+01:00\n-2.5,8,2024-01-01\n", &o), &err);
    CHECK_STR(result, "a: decimal128(10, 2)\nb: utf8\nc: timestamp[us, tz=UTC]\n--\n"
                      "101/10^2|007|2024-01-01T00:00:00.000000Z\n-250/10^2|8|2024-01-01T00:00:00.000000Z\n");
    o.column_types = "zz int";
    CHECK_EQ_INT(readstr("a\n1\n", &o), TARN_ENOTFOUND);
    CHECK_MSG(&err, "column_types: no column named 'zz'");
    o.column_types = "a blob";
    CHECK_EQ_INT(readstr("a\n1\n", &o), TARN_EINVAL);
    CHECK_MSG(&err, "unknown type 'blob'");
    /* a whole schema: names and types, header detected */
    int32_t n;
    char **names;
    tn_type **types;
    CHECK_OK(tn_text_parse_columns("x int, y date", &n, &names, &types, &err), &err);
    tn_schema *s = tn_schema_new(n);
    for (int32_t i = 0; i < n; i++) {
        CHECK_OK(tn_field_init(&s->fields[i], names[i], types[i], true, &err), &err);
        types[i] = NULL;
    }
    tn_text_free_columns(n, names, types);
    o = opts();
    o.schema = s;
    CHECK_OK(readstr("a,b\n1,2024-05-06\n", &o), &err);
    CHECK_STR(result, "x: int64\ny: date32\n--\n1|2024-05-06\n");
    CHECK_OK(readstr("1,2024-05-06\n", &o), &err);
    CHECK_STR(result, "x: int64\ny: date32\n--\n1|2024-05-06\n");
    tn_schema_unref(s);
}

TEST(options)
{
    tn_csv_options o = opts();
    o.comment = "#";
    o.skip_rows = 2;
    const char *nulls[] = {"NA", "-"};
    o.null_values = nulls;
    o.n_null_values = 2;
    o.trim = true;
    CHECK_OK(readstr("junk line\nmore junk\n# a comment\na,b\n 1 , x \n#another\nNA,-\n2,\"NA\"\n3, \"\"\n", &o), &err);
    CHECK_STR(result, "a: int64\nb: utf8\n--\n1|x\nnull|null\n2|NA\n3|\"\"\n");
    o = opts();
    o.no_quote = true;
    CHECK_OK(readstr("a,b\n\"x,y\"\n", &o), &err);
    CHECK_STR(result, "a: utf8\nb: utf8\n--\n\"x|y\"\n");
    o = opts();
    o.delimiter = ';';
    o.header = 0;
    CHECK_OK(readstr("a,b;c\n", &o), &err);
    CHECK_STR(result, "column0: utf8\ncolumn1: utf8\n--\na,b|c\n");
}

TEST(errors_fail)
{
    tn_csv_options o = opts();
    CHECK_EQ_INT(readstr("a,b\n1,2\n3,x\n", &o), 0); /* b becomes text */
    o.column_types = "b int";
    CHECK_EQ_INT(readstr("a,b\n1,2\n3,xyz\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:3:3: column 'b': cannot parse as int64: 'xyz'");
    o.column_types = "a int";
    CHECK_EQ_INT(readstr("a\n1\n99999999999999999999\n", &o), TARN_EOVERFLOW);
    CHECK_STR(err.message, "input:3:1: column 'a': value out of range for int64: '99999999999999999999'");
    o.column_types = NULL;
    CHECK_EQ_INT(readstr("a,b\n1,2\n3\n4,5\n", &o), TARN_ECORRUPT);
    CHECK_STR(err.message, "input:3:1: expected 2 fields, found 1");
    CHECK_EQ_INT(readstr("a,b\n1,2,3\n", &o), TARN_ECORRUPT);
    CHECK_STR(err.message, "input:2:1: expected 2 fields, found 3");
    CHECK_EQ_INT(readstr("a,b\n\"x\"y,2\n", &o), TARN_ECORRUPT);
    CHECK_STR(err.message, "input:2:4: unexpected bytes after a closing quote");
    CHECK_EQ_INT(readstr("a,b\n1,\"open\n2,3\n", &o), TARN_ECORRUPT);
    CHECK_STR(err.message, "input:2:3: quoted field is not closed");
    CHECK_EQ_INT(readstr("a,b\n1,ok\n2,bad\xff\xfe\n", &o), TARN_ECORRUPT);
    CHECK_STR(err.message, "input:3:3: column 'b': invalid UTF-8 in 'bad\xff\xfe'");
    o.header = 1;
    CHECK_EQ_INT(readstr("a,b\xff\n1,2\n", &o), TARN_ECORRUPT);
    CHECK_STR(err.message, "input: header field 2 is not valid UTF-8");
    o.header = -1;
    /* each value is invalid though the column's bytes together are valid */
    CHECK_EQ_INT(readstr("a,b\nx,\xcd\ny,\x99\n", &o), TARN_ECORRUPT);
    CHECK_STR(err.message, "input:2:3: column 'b': invalid UTF-8 in '\xcd'");
    /* a quoted newline before the bad value still counts lines right */
    o.column_types = "b int";
    CHECK_EQ_INT(readstr("a,b\n\"x\ny\",1\nz,q\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:4:3: column 'b': cannot parse as int64: 'q'");
}

TEST(errors_skip_null)
{
    char dir[] = "/tmp/tarn_csv_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char rej[256];
    snprintf(rej, sizeof rej, "%s/rejects.txt", dir);
    tn_csv_options o = opts();
    o.column_types = "b int";
    o.on_error = TN_ON_ERROR_SKIP;
    o.reject_path = rej;
    const char *text = "a,b\nx,1\ny,oops\nz\nw,2,3\nv,\"4\"\nu,\"5\"z\n";
    tn_reader *r;
    CHECK_OK(tn_csv_open_memory(text, (int64_t)strlen(text), &o, &r, &err), &err);
    tn_buf b;
    tn_buf_init(&b, 0);
    CHECK_OK(dump_reader(r, &b, NULL, &err), &err);
    CHECK_STR((char *)b.data, "x|1\nv|4\n");
    CHECK_EQ_INT(tn_csv_rejected_rows(r), 4);
    tn_buf_reset(&b);
    tn_reader_free(r);
    FILE *f = fopen(rej, "r");
    CHECK(f != NULL);
    char got[1024] = {0};
    if (f) {
        CHECK(fread(got, 1, sizeof got - 1, f) > 0);
        fclose(f);
    }
    /* malformed rows are found before values are converted */
    CHECK_STR(got, "input:4:1: expected 2 fields, found 1\tz\n"
                   "input:5:1: expected 2 fields, found 3\tw,2,3\n"
                   "input:7:6: unexpected bytes after a closing quote\tu,\"5\"z\n"
                   "input:3:3: column 'b': cannot parse as int64: 'oops'\ty,oops\n");
    unlink(rej);
    rmdir(dir);

    o = opts();
    o.column_types = "b int";
    o.on_error = TN_ON_ERROR_NULL;
    CHECK_OK(readstr("a,b\nx,1\ny,oops\nz\nw,2,3\n", &o), &err);
    CHECK_STR(result, "a: utf8\nb: int64\n--\nx|1\ny|null\nz|null\nw|2\n");
    o.column_types = NULL;
    CHECK_OK(readstr("a,b\nx,ok\ny,\xc3\x28\n", &o), &err);
    CHECK_STR(result, "a: utf8\nb: utf8\n--\nx|ok\ny|null\n");
}

TEST(huge_and_wide)
{
    /* one 3 MB field, read with 64 KiB blocks so the buffer must grow */
    size_t big = 3u << 20;
    char *text = malloc(big + 64);
    strcpy(text, "a,b\n1,\"");
    size_t n = strlen(text);
    memset(text + n, 'x', big);
    n += big;
    strcpy(text + n, "\"\n2,y\n");
    n += 6;
    tn_csv_options o = opts();
    o.block_size = 65536;
    tn_reader *r;
    CHECK_OK(tn_csv_open_memory(text, (int64_t)n, &o, &r, &err), &err);
    tn_batch *b;
    int64_t rows = 0, bytes = 0;
    while (tn_reader_next(r, &b, &err) == 0 && b) {
        rows += b->length;
        for (int64_t i = 0; i < b->length; i++) {
            int64_t len;
            tn_array_bytes(b->columns[1], i, &len);
            bytes += len;
        }
        tn_batch_unref(b);
    }
    CHECK_EQ_INT(rows, 2);
    CHECK_EQ_INT(bytes, (int64_t)big + 1);
    tn_reader_free(r);
    o.max_row_bytes = 1 << 20;
    CHECK_OK(tn_csv_open_memory(text, (int64_t)n, &o, &r, &err), &err);
    tn_buf buf;
    tn_buf_init(&buf, 0);
    CHECK_EQ_INT(dump_reader(r, &buf, NULL, &err), TARN_EOVERFLOW);
    CHECK_MSG(&err, "input:2: row is longer than max_row_bytes (1048576)");
    tn_buf_reset(&buf);
    tn_reader_free(r);
    free(text);

    /* 5000 columns */
    tn_buf w;
    tn_buf_init(&w, 0);
    for (int pass = 0; pass < 3; pass++)
        for (int c = 0; c < 5000; c++)
            CHECK_OK(tn_buf_printf(&w, &err, pass == 0 ? "c%d%s" : "%d%s", c + pass, c == 4999 ? "\n" : ","), &err);
    o = opts();
    CHECK_OK(tn_csv_open_memory(w.data, (int64_t)w.len, &o, &r, &err), &err);
    CHECK_EQ_INT(r->schema->n_fields, 5000);
    CHECK_OK(tn_reader_next(r, &b, &err), &err);
    CHECK(b && b->length == 2 && TN_VALUES(b->columns[4999], int64_t)[1] == 5001);
    tn_batch_unref(b);
    tn_reader_free(r);
    tn_buf_reset(&w);
}

/* Rows cut at every block size from 1 byte up read the same. */
TEST(block_boundaries)
{
    const char *text = "id,name,score\n1,\"a,\"\"b\"\"\",1.5\r\n2,\"multi\nline\",2\n# not a comment\n3,plain,\n";
    tn_csv_options o = opts();
    o.on_error = TN_ON_ERROR_NULL;
    CHECK_OK(readstr(text, &o), &err);
    static char want[1 << 16];
    snprintf(want, sizeof want, "%s", result);
    CHECK_STR(want, "id: utf8\nname: utf8\nscore: decimal128(38, 1)\n--\n1|a,\"b\"|15/10^1\n2|multi\nline|20/10^1\n"
                    "# not a comment|null|null\n"
                    "3|plain|null\n");
    o.batch_size = 2;
    for (int64_t bs = 1; bs < 40; bs++) {
        o.block_size = bs;
        CHECK_OK(readstr(text, &o), &err);
        CHECK_STR(result, want);
    }
}

/* Rows of every shape the tokenizer's 64-byte fast path must either take
 * exactly or leave to the general loop: LF and CRLF ends, a lone CR, a CR
 * or LF at a window's last byte, quotes (taking the general loop), a quote
 * inside an unquoted field, empty and trailing fields, rows longer than a
 * window and wider than 64 fields, and a last row without a line end. The
 * read with the default block (the fast path) must equal the read in
 * 16-byte blocks (only the general loop). */
static int read_blocks(const tn_buf *text, int64_t block, tn_buf *out)
{
    tn_csv_options o = opts();
    o.header = 0;
    o.threads = 1;
    o.on_error = TN_ON_ERROR_NULL;
    o.block_size = block;
    tn_reader *r;
    out->len = 0;
    int rc = tn_csv_open_memory(text->data, (int64_t)text->len, &o, &r, &err);
    if (rc)
        return rc;
    rc = dump_reader(r, out, NULL, &err);
    tn_reader_free(r);
    return rc;
}

TEST(fast_rows_same_as_general)
{
    tn_buf b, fast, slow;
    tn_buf_init(&b, 0);
    tn_buf_init(&fast, 0);
    tn_buf_init(&slow, 0);
    int ok = 0;
    for (int i = 0; i < 3000 && ok == 0; i++) {
        switch (i % 9) {
        case 0: ok = tn_buf_printf(&b, NULL, "%d,abc,%d.25,,x\n", i, i); break;
        case 1: ok = tn_buf_printf(&b, NULL, "%d,\"q,\"\"d\",%d.5,y,\r\n", i, i); break;
        case 2: ok = tn_buf_printf(&b, NULL, "%d,%0*d,1.75,z,w\r\n", i, 50 + i % 80, i); break;
        case 3: ok = tn_buf_printf(&b, NULL, "%d,a\"b,2,,\n", i); break;
        case 4: ok = tn_buf_printf(&b, NULL, "%d,lone,3,cr,v\r", i); break;
        case 5: ok = tn_buf_printf(&b, NULL, "%d,%.*s,4,e,f\n", i, i % 64, "................................................................"); break;
        case 6: ok = tn_buf_printf(&b, NULL, "%d,,,,\n", i); break;
        case 7: ok = tn_buf_printf(&b, NULL, "%d,\"multi\nline\",5,g,h\n", i); break;
        default: ok = tn_buf_printf(&b, NULL, "%d,%0*d,6,i,j\n", i, 200 + i % 300, 7); break;
        }
    }
    if (ok == 0)
        ok = tn_buf_append_str(&b, "9999,last,7,k,l", NULL);
    CHECK(ok == 0);
    CHECK_OK(read_blocks(&b, 0, &fast), &err);
    CHECK_OK(read_blocks(&b, 16, &slow), &err);
    CHECK(fast.len > 100000 && fast.len == slow.len && memcmp(fast.data, slow.data, fast.len) == 0);
    CHECK(strstr((char *)fast.data, "\n4|lone|300/10^2|cr|v\n5|") != NULL);
    CHECK(strstr((char *)fast.data, "\n9999|last|700/10^2|k|l\n") != NULL);
    /* 100 fields, every row longer than a window */
    b.len = 0;
    for (int i = 0; i < 500 && ok == 0; i++)
        for (int c = 0; c < 100 && ok == 0; c++)
            ok = tn_buf_printf(&b, NULL, "%d%s", i * c, c == 99 ? "\n" : "|");
    CHECK(ok == 0);
    CHECK_OK(read_blocks(&b, 0, &fast), &err);
    CHECK_OK(read_blocks(&b, 16, &slow), &err);
    CHECK(fast.len > 100000 && fast.len == slow.len && memcmp(fast.data, slow.data, fast.len) == 0);
    CHECK(strstr((char *)fast.data, "|49401\n") != NULL); /* row 499, column 99: the last field */
    tn_buf_reset(&b);
    tn_buf_reset(&fast);
    tn_buf_reset(&slow);
}

/* Text of about 6 MB: rows with quoted newlines and doubled quotes, and,
 * when stray is set, quotes inside unquoted fields that fool the quote
 * parity used to cut the buffer for parallel parsing. */
static char *big_text(bool stray, int64_t bad_row, size_t *n)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    int ok = tn_buf_append_str(&b, "id,note,tag,val\n", NULL);
    for (int64_t i = 0; i < 120000 && ok == 0; i++) {
        if (i == bad_row)
            ok = tn_buf_printf(&b, NULL, "%lld,x,y,oops\n", (long long)i);
        else
            ok = tn_buf_printf(&b, NULL, "%lld,\"say \"\"hi\"\"\nline %lld\",%s%lld,%lld.5\n", (long long)i,
                               (long long)i, stray && i % 7 == 0 ? "a\"b" : "t", (long long)(i % 13), (long long)i);
    }
    *n = b.len;
    return tn_buf_take(&b);
}

static int64_t last_chunks;

static int read_threads(const char *text, size_t n, int32_t threads, tn_buf *out, tarn_error *e)
{
    tn_csv_options o = opts();
    o.threads = threads;
    o.column_types = "val double";
    tn_reader *r;
    int rc = tn_csv_open_memory(text, (int64_t)n, &o, &r, e);
    if (rc)
        return rc;
    int nb = 0;
    rc = dump_reader(r, out, &nb, e);
    last_chunks = tn_csv_parallel_chunks(r);
    tn_reader_free(r);
    return rc;
}

TEST(parallel_same_as_sequential)
{
    for (int stray = 0; stray < 2; stray++) {
        size_t n;
        char *text = big_text(stray, -1, &n);
        tn_buf one, many;
        tn_buf_init(&one, 0);
        tn_buf_init(&many, 0);
        CHECK_OK(read_threads(text, n, 1, &one, &err), &err);
        CHECK_OK(read_threads(text, n, 4, &many, &err), &err);
        if (!stray)
            CHECK(last_chunks >= 2); /* the clean text does split */
        CHECK(one.len > 4000000);
        CHECK(one.len == many.len && memcmp(one.data, many.data, one.len) == 0);
        CHECK(strstr((char *)one.data, "119999|say \"hi\"\nline 119999|") != NULL);
        tn_buf_reset(&one);
        tn_buf_reset(&many);
        tn_free(text);
    }
    /* the error is the first one in the file, whatever the split */
    size_t n;
    char *text = big_text(false, 90000, &n);
    tn_buf out;
    tn_buf_init(&out, 0);
    CHECK_EQ_INT(read_threads(text, n, 4, &out, &err), TARN_EPARSE);
    CHECK_STR(err.message, "input:180002:11: column 'val': cannot parse as double: 'oops'");
    tn_buf_reset(&out);
    tn_free(text);
}

/* Line numbers stay exact when the buffers before an error were parsed in
 * parallel (each chunk counts its own line ends): small blocks make many
 * parallel buffers before the one holding the bad row, whose rows all span
 * two lines. */
TEST(parallel_line_numbers)
{
    size_t n;
    char *text = big_text(false, 110000, &n);
    for (int32_t threads = 1; threads <= 4; threads += 3) {
        tn_csv_options o = opts();
        o.threads = threads;
        o.column_types = "val double";
        o.block_size = 256 << 10;
        o.parallel_min_chunk = 32 << 10;
        tn_reader *r;
        CHECK_OK(tn_csv_open_memory(text, (int64_t)n, &o, &r, &err), &err);
        tn_buf out;
        tn_buf_init(&out, 0);
        CHECK_EQ_INT(dump_reader(r, &out, NULL, &err), TARN_EPARSE);
        CHECK_STR(err.message, "input:220002:12: column 'val': cannot parse as double: 'oops'");
        if (threads > 1)
            CHECK(tn_csv_parallel_chunks(r) > 20);
        tn_buf_reset(&out);
        tn_reader_free(r);
    }
    tn_free(text);
}

/* With threads the next buffer is parsed on the pool while the batches of
 * the last one are handed out: a reader freed in the middle (its next
 * buffer still parsing) stops cleanly, and one read to the end equals the
 * sequential read whatever the block size. */
static void read_ahead_text(bool stray)
{
    size_t n;
    char *text = big_text(stray, -1, &n);
    tn_buf one;
    tn_buf_init(&one, 0);
    CHECK_OK(read_threads(text, n, 1, &one, &err), &err);
    for (int64_t block = 64 << 10; block <= (1 << 20); block *= 4) {
        tn_csv_options o = opts();
        o.threads = 3;
        o.column_types = "val double";
        o.block_size = block;
        o.parallel_min_chunk = 16 << 10;
        tn_reader *r;
        CHECK_OK(tn_csv_open_memory(text, (int64_t)n, &o, &r, &err), &err);
        for (int i = 0; i < 3; i++) {
            tn_batch *b;
            CHECK_OK(tn_reader_next(r, &b, &err), &err);
            CHECK(b != NULL);
            tn_batch_unref(b);
        }
        tn_reader_free(r); /* a buffer is still being parsed */
        tn_buf many;
        tn_buf_init(&many, 0);
        CHECK_OK(tn_csv_open_memory(text, (int64_t)n, &o, &r, &err), &err);
        CHECK_OK(dump_reader(r, &many, NULL, &err), &err);
        if (!stray)
            CHECK(tn_csv_parallel_chunks(r) > 4);
        tn_reader_free(r);
        CHECK(one.len == many.len && memcmp(one.data, many.data, one.len) == 0);
        tn_buf_reset(&many);
    }
    tn_buf_reset(&one);
    tn_free(text);
}

TEST(read_ahead)
{
    for (int stray = 0; stray < 2; stray++)
        read_ahead_text(stray);
}

/* Batches hold about 64K fields by default (the spans of a batch stay in
 * the core's cache while each column is converted), within 1024..65536
 * rows; an explicit batch_size is kept. */
static int batch_rows(int32_t ncols, int64_t rows, int64_t batch_size, int64_t *first, int *nb)
{
    tn_buf b;
    tn_buf_init(&b, 0);
    int ok = 0;
    for (int64_t i = 0; i < rows && ok == 0; i++)
        for (int32_t c = 0; c < ncols && ok == 0; c++)
            ok = tn_buf_printf(&b, NULL, "%lld%s", (long long)(i + c), c == ncols - 1 ? "\n" : ",");
    tn_csv_options o = opts();
    o.header = 0;
    o.threads = 1;
    o.batch_size = batch_size;
    tn_reader *r = NULL;
    int rc = ok ? ok : tn_csv_open_memory(b.data, (int64_t)b.len, &o, &r, &err);
    *nb = 0;
    *first = 0;
    while (rc == 0) {
        tn_batch *bt;
        rc = tn_reader_next(r, &bt, &err);
        if (rc || !bt)
            break;
        if ((*nb)++ == 0)
            *first = bt->length;
        tn_batch_unref(bt);
    }
    tn_reader_free(r);
    tn_buf_reset(&b);
    return rc;
}

TEST(batch_sizes)
{
    int64_t first;
    int nb;
    CHECK_OK(batch_rows(16, 10000, 0, &first, &nb), &err);
    CHECK_EQ_INT(first, 4096);
    CHECK_EQ_INT(nb, 3);
    CHECK_OK(batch_rows(2, 100000, 0, &first, &nb), &err);
    CHECK_EQ_INT(first, 32768);
    CHECK_EQ_INT(nb, 4);
    CHECK_OK(batch_rows(1, 100000, 0, &first, &nb), &err);
    CHECK_EQ_INT(first, 65536);
    CHECK_OK(batch_rows(200, 3000, 0, &first, &nb), &err);
    CHECK_EQ_INT(first, 1024);
    CHECK_OK(batch_rows(16, 10000, 777, &first, &nb), &err);
    CHECK_EQ_INT(first, 777);
    CHECK_EQ_INT(nb, 13);
}

/* Null slots of fixed-width columns are zero (their buffers are not cleared
 * before conversion; each null clears its own slot). */
TEST(null_slots_zero)
{
    tn_csv_options o = opts();
    o.on_error = TN_ON_ERROR_NULL;
    o.column_types = "i int, i4 int32, f double, d decimal(10,2), t date, ts timestamp, b bool";
    const char *text = "i,i4,f,d,t,ts,b\n"
                       "1,2,3.5,4.25,2024-01-02,2024-01-02 03:04:05,true\n"
                       ",,,,,,\n"
                       "x,y,z,w,v,u,s\n"
                       "7,8,9.5,1.5,2024-03-04,2024-03-04 00:00:00,false\n"
                       "9\n";
    tn_reader *r;
    CHECK_OK(tn_csv_open_memory(text, (int64_t)strlen(text), &o, &r, &err), &err);
    tn_batch *b;
    CHECK_OK(tn_reader_next(r, &b, &err), &err);
    CHECK(b && b->length == 5);
    for (int32_t c = 0; b && c < b->schema->n_fields; c++) {
        const tn_array *a = b->columns[c];
        CHECK_EQ_INT(a->null_count, c == 0 ? 2 : 3); /* the short row has i */
        int32_t w = a->type->byte_width;
        for (int64_t i = 1; i < 5; i++) {
            if (i == 3 || (c == 0 && i == 4))
                continue;
            if (c == 6) {
                CHECK(!tn_bit_get(a->buffers[1]->data, i));
                continue;
            }
            for (int32_t k = 0; k < w; k++)
                CHECK(a->buffers[1]->data[i * w + k] == 0);
        }
    }
    tn_batch_unref(b);
    tn_reader_free(r);
    /* a non-number in a decimal column of the schema is refused, not 0 */
    o = opts();
    o.column_types = "d decimal(10,2)";
    CHECK_EQ_INT(readstr("d,e\n1.5,a\nw,b\n", &o), TARN_EPARSE);
    CHECK_STR(err.message, "input:3:1: column 'd': cannot parse as decimal128: 'w'");
    o.on_error = TN_ON_ERROR_NULL;
    CHECK_OK(readstr("d,e\n1.5,a\nw,b\n", &o), &err);
    CHECK_STR(result, "d: decimal128(10, 2)\ne: utf8\n--\n150/10^2|a\nnull|b\n");
}

static int write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t k = fwrite(p, 1, n, f);
    fclose(f);
    return k == n ? 0 : -1;
}

static int read_path(const char *path, const tn_csv_options *o)
{
    tn_reader *r;
    result[0] = 0;
    tarn_error_init(&err);
    int rc = tn_csv_open(path, o, &r, &err);
    if (rc)
        return rc;
    tn_buf b;
    tn_buf_init(&b, 0);
    rc = dump_reader(r, &b, NULL, &err);
    snprintf(result, sizeof result, "%s", b.data ? (char *)b.data : "");
    tn_buf_reset(&b);
    tn_reader_free(r);
    return rc;
}

TEST(compression)
{
    char dir[] = "/tmp/tarn_csvz_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char text[4096] = "k,v\n";
    for (int i = 0; i < 200; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,v%d\n", i, i);
    size_t n = strlen(text);
    /* gzip with two members */
    uLong cap = compressBound(n) + 64;
    uint8_t *gz = malloc(2 * cap);
    size_t gzn = 0;
    for (int part = 0; part < 2; part++) {
        z_stream z = {0};
        CHECK(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
        z.next_in = (Bytef *)text + (part ? n / 2 : 0);
        z.avail_in = (uInt)(part ? n - n / 2 : n / 2);
        z.next_out = gz + gzn;
        z.avail_out = (uInt)cap;
        CHECK(deflate(&z, Z_FINISH) == Z_STREAM_END);
        gzn += z.total_out;
        deflateEnd(&z);
    }
    char path[256];
    static char want[1 << 16];
    tn_csv_options o = opts();
    CHECK_OK(readstr(text, &o), &err);
    snprintf(want, sizeof want, "%s", strstr(result, "--\n") + 3);
    snprintf(path, sizeof path, "%s/data.csv.gz", dir);
    CHECK(write_file(path, gz, gzn) == 0);
    CHECK_OK(read_path(path, &o), &err);
    CHECK_STR(result, want);
    /* truncated gzip, found by magic bytes under another name */
    snprintf(path, sizeof path, "%s/cut.data", dir);
    CHECK(write_file(path, gz, gzn / 2 - 7) == 0);
    CHECK_EQ_INT(read_path(path, &o), TARN_ECORRUPT);
    CHECK_MSG(&err, "gzip stream is truncated");
    unlink(path);
    snprintf(path, sizeof path, "%s/data.csv.gz", dir);
    unlink(path);
    free(gz);
    /* zstd */
    size_t zcap = ZSTD_compressBound(n);
    uint8_t *zs = malloc(zcap);
    size_t zn = ZSTD_compress(zs, zcap, text, n, 3);
    CHECK(!ZSTD_isError(zn));
    snprintf(path, sizeof path, "%s/data.csv.zst", dir);
    CHECK(write_file(path, zs, zn) == 0);
    o.block_size = 100;
    CHECK_OK(read_path(path, &o), &err);
    CHECK_STR(result, want);
    zs[zn / 2] ^= 0x55;
    CHECK(write_file(path, zs, zn) == 0);
    int rc = read_path(path, &o);
    CHECK(rc == TARN_ECORRUPT || rc == TARN_EPARSE || rc == 0);
    unlink(path);
    free(zs);
    CHECK_EQ_INT(read_path("/nonexistent/x.csv", &o), TARN_ENOTFOUND);
    CHECK_MSG(&err, "/nonexistent/x.csv: cannot open");
    rmdir(dir);
}

static int alloc_many(void *ctx, tarn_error *e)
{
    char pat[256];
    snprintf(pat, sizeof pat, "%s/p*.csv", (const char *)ctx);
    tn_reader *r;
    int rc = tn_glob_open(pat, false, NULL, NULL, &r, e);
    if (rc)
        return rc;
    tn_batch *b;
    while ((rc = tn_reader_next(r, &b, e)) == 0 && b)
        tn_batch_unref(b);
    tn_reader_free(r);
    return rc;
}

static int write_str(const char *path, const char *text) { return write_file(path, text, strlen(text)); }

TEST(many_files)
{
    char dir[] = "/tmp/tarn_csvm_XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char a[256], b[256], c[256], pat[256];
    snprintf(a, sizeof a, "%s/p1.csv", dir);
    snprintf(b, sizeof b, "%s/p2.csv", dir);
    snprintf(c, sizeof c, "%s/p3.csv", dir);
    snprintf(pat, sizeof pat, "%s/p*.csv", dir);
    /* p1: id int, x int, d date; p2 (semicolons): x decimal, name, d timestamp;
     * p3 (no header... it has one): id text */
    CHECK(write_str(a, "id,x,d\n1,10,2024-01-02\n2,20,2024-01-03\n") == 0);
    CHECK(write_str(b, "x;name;d\n1.5;ann;2024-01-04 05:06:07\n") == 0);
    CHECK(write_str(c, "id,name\nA7,bob\n") == 0);
    tn_csv_options o = opts();
    tn_reader *r;
    CHECK_OK(tn_glob_open(pat, false, &o, NULL, &r, &err), &err);
    tn_buf out;
    tn_buf_init(&out, 0);
    CHECK_OK(tn_schema_format(r->schema, &out, &err), &err);
    CHECK_OK(dump_reader(r, &out, NULL, &err), &err);
    CHECK_STR((char *)out.data, "id: utf8\nx: decimal128(38, 1)\nd: timestamp[us]\nname: utf8\n"
                                "1|100/10^1|2024-01-02T00:00:00.000000|null\n2|200/10^1|2024-01-03T00:00:00.000000|null\n"
                                "null|15/10^1|2024-01-04T05:06:07.000000|ann\nA7|null|null|bob\n");
    tn_buf_reset(&out);
    tn_reader_free(r);
    /* an error names the file it is in */
    CHECK(write_str(c, "id,name\nA7,bob,extra\n") == 0);
    CHECK_OK(tn_glob_open(pat, false, &o, NULL, &r, &err), &err);
    tn_buf_init(&out, 0);
    CHECK_EQ_INT(dump_reader(r, &out, NULL, &err), TARN_ECORRUPT);
    CHECK_MSG(&err, "p3.csv:2:1: expected 2 fields, found 3");
    tn_buf_reset(&out);
    tn_reader_free(r);
    CHECK(write_str(c, "id,name\nA7,bob\n") == 0);
    CHECK(tn_test_alloc_failures("csv many files", alloc_many, dir) > 10);
    snprintf(pat, sizeof pat, "%s/none*.csv", dir);
    CHECK_EQ_INT(tn_glob_open(pat, false, &o, NULL, &r, &err), TARN_ENOTFOUND);
    CHECK_MSG(&err, "none*.csv: no file matches");
    unlink(a);
    unlink(b);
    unlink(c);
    rmdir(dir);
}

static int alloc_run(void *ctx, tarn_error *e)
{
    const char *text = "a,b,c,d\n1,\"x\"\"y\",2024-01-02,1.5\n2,,2024-01-03,\n3,z,,2\n";
    tn_csv_options o = opts();
    o.batch_size = 2;
    tn_reader *r;
    int rc = tn_csv_open_memory(text, (int64_t)strlen(text), &o, &r, e);
    if (rc)
        return rc;
    tn_batch *b;
    while ((rc = tn_reader_next(r, &b, e)) == 0 && b)
        tn_batch_unref(b);
    tn_reader_free(r);
    return rc;
}

static int alloc_sniff(void *ctx, tarn_error *e)
{
    tn_csv_sniff_result s;
    const char *text = "a;b\n1;x\n";
    int rc = tn_csv_sniff_memory(text, (int64_t)strlen(text), NULL, &s, e);
    if (rc == 0)
        tn_csv_sniff_result_reset(&s);
    return rc;
}

TEST(alloc_failures)
{
    CHECK(tn_test_alloc_failures("csv read", alloc_run, NULL) > 5);
    CHECK(tn_test_alloc_failures("csv sniff", alloc_sniff, NULL) > 5);
}

TEST(textparse)
{
    bool bv;
    CHECK(tn_text_parse_bool((const uint8_t *)"0", 1, &bv) && !bv);
    CHECK(tn_text_parse_bool((const uint8_t *)"1", 1, &bv) && bv);
    CHECK(tn_text_parse_bool((const uint8_t *)"T", 1, &bv) && bv);
    CHECK(tn_text_parse_bool((const uint8_t *)"FaLsE", 5, &bv) && !bv);
    CHECK(tn_text_parse_bool((const uint8_t *)"YES", 3, &bv) && bv);
    CHECK(tn_text_parse_bool((const uint8_t *)"no", 2, &bv) && !bv);
    CHECK(!tn_text_parse_bool((const uint8_t *)"tru", 3, &bv));
    CHECK(!tn_text_parse_bool((const uint8_t *)"2", 1, &bv));
    CHECK(!tn_text_parse_bool((const uint8_t *)"nope", 4, &bv));
    double d;
    CHECK(tn_text_parse_double((const uint8_t *)"1e308", 5, &d) && d == 1e308);
    CHECK(tn_text_parse_double((const uint8_t *)"0.1", 3, &d) && d == 0.1);
    CHECK(tn_text_parse_double((const uint8_t *)"123456789012345678901234", 24, &d) && d == 123456789012345678901234.0);
    CHECK(tn_text_parse_double((const uint8_t *)"-inf", 4, &d) && d < -1e308);
    CHECK(!tn_text_parse_double((const uint8_t *)"1e", 2, &d));
    CHECK(!tn_text_parse_double((const uint8_t *)".", 1, &d));
    CHECK(!tn_text_parse_double((const uint8_t *)"1.2.3", 5, &d));
    __int128 v;
    CHECK(tn_text_parse_decimal((const uint8_t *)"-12.345", 7, 5, 2, &v) && v == -1235);
    CHECK(!tn_text_parse_decimal((const uint8_t *)"1234.5", 6, 5, 2, &v));
    /* the 64-bit fast path and the 128-bit path meet at 18 digits */
#define DEC(text, p, s) tn_text_parse_decimal((const uint8_t *)(text), (int64_t)strlen(text), p, s, &v)
    CHECK(DEC("24.00", 38, 2) && v == 2400);
    CHECK(DEC("+.5", 38, 2) && v == 50);
    CHECK(DEC("7.", 38, 0) && v == 7);
    CHECK(DEC("-0.00", 38, 2) && v == 0);
    CHECK(DEC("1.005", 38, 2) && v == 101);  /* rounds half up */
    CHECK(DEC("1.0049", 38, 2) && v == 100); /* only the first dropped digit counts */
    CHECK(!DEC("99.995", 4, 2));            /* rounds to 100.00: too wide */
    CHECK(DEC("99.99", 4, 2) && v == 9999);
    CHECK(!DEC("100.00", 4, 2));
    CHECK(DEC("999999999999999999", 18, 0) && v == 999999999999999999LL);
    CHECK(!DEC("1000000000000000000", 18, 0));
    CHECK(DEC("1234567890123456789", 38, 0) && v == (__int128)1234567890123456789LL);
    CHECK(DEC("-12345678901234567.89", 38, 2) && v == -(__int128)1234567890123456789LL);
    CHECK(DEC("1", 38, 37) && v == (__int128)10000000000000000000ULL * (__int128)1000000000000000000ULL);
    CHECK(DEC("12345678901234567890123456789012345678", 38, 0));
    CHECK(!DEC("123456789012345678901234567890123456789", 38, 0));
    CHECK(!DEC("1", 38, 38));
    CHECK(!DEC("", 38, 2) && !DEC("-", 38, 2) && !DEC(".", 38, 2) && !DEC("1.2.3", 38, 2) && !DEC("1e3", 38, 2));
    CHECK(!DEC("12 ", 38, 2) && !DEC("--1", 38, 2) && !DEC("1.-2", 38, 2));
#define DECX(text, p, s) tn_text_parse_decimal_exact((const uint8_t *)(text), (int64_t)strlen(text), p, s, &v)
    CHECK(DECX("3.120", 38, 2) && v == 312);
    CHECK(!DECX("3.125", 38, 2));
    CHECK(DECX("-3", 38, 2) && v == -300);
    CHECK(DECX("1.10000000000000000000000", 38, 2) && v == 110);
    CHECK(!DECX("1.10000000000000000000001", 38, 2));
    CHECK(DECX("1.5", 38, 30) && v == (__int128)15 * (__int128)1000000000000000000ULL * 100000000000ULL);
    CHECK(!DECX("12a.00", 38, 1));
#undef DECX
#undef DEC
    int32_t days;
    CHECK(tn_text_parse_date((const uint8_t *)"1969-12-31", 10, TN_DATE_ISO, &days) && days == -1);
    CHECK(tn_text_parse_date((const uint8_t *)"2000-02-03", 10, TN_DATE_ISO, &days) && days == 10990);
    CHECK(tn_text_parse_date((const uint8_t *)"3.2.2000", 8, TN_DATE_DMY_DOT, &days) && days == 10990);
    CHECK(tn_text_parse_date((const uint8_t *)"2/3/2000", 8, TN_DATE_MDY, &days) && days == 10990);
    CHECK(!tn_text_parse_date((const uint8_t *)"2/3/20001", 9, TN_DATE_MDY, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"03/17/024", 9, TN_DATE_MDY, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"03/17/", 6, TN_DATE_MDY, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"2000/02/30", 10, TN_DATE_YMD_SLASH, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"2000-13-01", 10, TN_DATE_ISO, &days));
    CHECK(tn_text_parse_date((const uint8_t *)"2000-02-29", 10, TN_DATE_ISO, &days) && days == 11016);
    CHECK(!tn_text_parse_date((const uint8_t *)"1900-02-29", 10, TN_DATE_ISO, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"2000-00-10", 10, TN_DATE_ISO, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"2000-01-00", 10, TN_DATE_ISO, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"2000-01-0a", 10, TN_DATE_ISO, &days));
    CHECK(!tn_text_parse_date((const uint8_t *)"2000_01-01", 10, TN_DATE_ISO, &days));
    CHECK(tn_text_parse_date((const uint8_t *)"-0001-12-31", 11, TN_DATE_ISO, &days) && days == -719529);
    CHECK(tn_text_parse_date((const uint8_t *)"0000-01-01", 10, TN_DATE_ISO, &days) && days == -719528);
    /* the YYYY-MM-DD fast path agrees with core/datetime on every day of
     * years 0..9999 it accepts, and refuses what the core refuses */
    int mismatches = 0;
    for (int y = 0; y <= 9999; y += (y < 2100 ? 1 : 7))
        for (int m = 0; m <= 13; m++)
            for (int dd = 0; dd <= 32; dd++) {
                char txt[16];
                snprintf(txt, sizeof txt, "%04d-%02d-%02d", y, m, dd);
                int32_t a = 0, b = 0;
                bool fa = tn_text_parse_date((const uint8_t *)txt, 10, TN_DATE_ISO, &a);
                bool fb = tn_parse_date(txt, 10, &b, NULL) == TARN_OK;
                mismatches += fa != fb || (fa && a != b);
            }
    CHECK_EQ_INT(mismatches, 0);
    int64_t iv;
    bool ov;
    CHECK(tn_text_parse_int64((const uint8_t *)"-999999999999999999", 19, &iv, &ov) && iv == -999999999999999999LL);
    CHECK(tn_text_parse_int64((const uint8_t *)"9223372036854775807", 19, &iv, &ov) && iv == INT64_MAX);
    CHECK(tn_text_parse_int64((const uint8_t *)"-9223372036854775808", 20, &iv, &ov) && iv == INT64_MIN);
    CHECK(!tn_text_parse_int64((const uint8_t *)"9223372036854775808", 19, &iv, &ov) && ov);
    CHECK(!tn_text_parse_int64((const uint8_t *)"12a", 3, &iv, &ov) && !ov);
    CHECK(!tn_text_parse_int64((const uint8_t *)"+", 1, &iv, &ov) && !tn_text_parse_int64((const uint8_t *)"", 0, &iv, &ov));
    int64_t us;
    bool z;
    CHECK(tn_text_parse_timestamp((const uint8_t *)"1970-01-01T00:00:01-0130", 24, TN_DATE_ISO, &us, &z) &&
          us == 5401000000LL && z);
    CHECK(!tn_text_parse_time((const uint8_t *)"24:00", 5, &us));
    CHECK(tn_text_parse_timestamp((const uint8_t *)"12/31/1969 23:59:59", 19, TN_DATE_MDY, &us, &z) && us == -1000000 && !z);
}

int main(void)
{
    RUN(basic_types);
    RUN(quoting);
    RUN(line_ends_bom);
    RUN(empty_and_header_only);
    RUN(sniff_dialect);
    RUN(inference_lattice);
    RUN(decimal_inference);
    RUN(decimal_comma);
    RUN(date_formats);
    RUN(overrides);
    RUN(options);
    RUN(errors_fail);
    RUN(errors_skip_null);
    RUN(huge_and_wide);
    RUN(block_boundaries);
    RUN(fast_rows_same_as_general);
    RUN(parallel_same_as_sequential);
    RUN(parallel_line_numbers);
    RUN(read_ahead);
    RUN(batch_sizes);
    RUN(null_slots_zero);
    RUN(compression);
    RUN(many_files);
    RUN(alloc_failures);
    RUN(textparse);
    return tn_test_done();
}
