/*
 * progress.c — a one-line progress bar on stderr for long transfers: bytes
 * done and total, rate and time left. Shown only when stderr is a terminal
 * and the transfer is larger than a few megabytes; redrawn at most ten
 * times a second.
 */
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void human(char *out, size_t cap, double bytes)
{
    static const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < 4) {
        bytes /= 1024;
        u++;
    }
    snprintf(out, cap, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

void cli_progress_init(cli_progress *p, const char *label)
{
    p->label = label;
    p->enabled = isatty(2);
    p->start = now();
    p->last_draw = 0;
    p->drawn = false;
}

void cli_progress_update(void *ctx, int64_t done, int64_t total)
{
    cli_progress *p = ctx;
    if (!p->enabled || total < CLI_PROGRESS_MIN)
        return;
    double t = now();
    if (done < total && t - p->last_draw < 0.1)
        return;
    p->last_draw = t;
    double rate = t > p->start ? (double)done / (t - p->start) : 0;
    char d[32], tot[32], r[32];
    human(d, sizeof d, (double)done);
    human(tot, sizeof tot, (double)total);
    human(r, sizeof r, rate);
    int pct = total > 0 ? (int)(100.0 * (double)done / (double)total) : 0;
    char bar[21];
    for (int i = 0; i < 20; i++)
        bar[i] = i < pct / 5 ? '#' : '.';
    bar[20] = '\0';
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    fprintf(stderr, "\r%s [%s] %3d%% %s / %s  %s/s  ETA %.0fs   ", p->label, bar, pct, d, tot, r, eta);
    p->drawn = true;
}

void cli_progress_done(cli_progress *p)
{
    if (p->drawn)
        fputc('\n', stderr);
}
