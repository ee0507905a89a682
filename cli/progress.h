/*
 * progress.h — the progress bar of long transfers (see progress.c).
 */
#ifndef TARN_CLI_PROGRESS_H
#define TARN_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

#define CLI_PROGRESS_MIN (4 << 20) /* smaller transfers show no bar */

typedef struct cli_progress {
    const char *label;
    bool enabled;
    bool drawn;
    double start, last_draw;
} cli_progress;

void cli_progress_init(cli_progress *p, const char *label);
/* A tarn_progress_fn: pass the cli_progress as ctx. */
void cli_progress_update(void *ctx, int64_t done, int64_t total);
void cli_progress_done(cli_progress *p);

#endif
