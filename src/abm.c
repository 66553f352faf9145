/*
 * abm.c — the module's entry point.  Each type and metric has its own file:
 * pure arithmetic in NAME.c, its SQL glue in NAME_pg.c.
 */
#include "postgres.h"
#include "fmgr.h"

PG_MODULE_MAGIC;
