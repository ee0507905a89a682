/*
 * tarn.h — the public API of libtarn, an embeddable data-lakehouse engine.
 *
 * Everything a program needs is reachable from this header; nothing outside
 * include/tarn/ is part of the interface, so the engine may change beneath it.
 */
#ifndef TARN_H
#define TARN_H

#include "tarn/common.h"
#include "tarn/arrow.h"
#include "tarn/formats.h"
#include "tarn/store.h"
#include "tarn/gen.h"
#include "tarn/parquet.h"
#include "tarn/sql.h"

#endif
