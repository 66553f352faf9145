/*
 * retired_pg.c — C entry points of abm 1.1 that version 1.2 no longer
 * declares in SQL: the transition, final, combine, serialize and
 * deserialize functions of aggregates whose transition type was
 * `internal`.  The 1.1 install script still names them (a fresh install
 * and ALTER EXTENSION UPDATE run it before the 1.1 -> 1.2 step), so they
 * exist; called, they say that the database's abm objects are older than
 * the library and must be updated.
 */
#include "postgres.h"
#include "fmgr.h"

static void pg_attribute_noreturn()
retired(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("abm function %s belongs to abm 1.1, but the installed library is abm 1.2 or later", name),
			 errdetail("The aggregates of abm 1.1 keep an internal transition state that this library no longer provides."),
			 errhint("Run ALTER EXTENSION abm UPDATE in this database.")));
}

#define RETIRED(fname) \
	PG_FUNCTION_INFO_V1(fname); \
	Datum fname(PG_FUNCTION_ARGS); \
	Datum fname(PG_FUNCTION_ARGS) { retired(#fname); PG_RETURN_NULL(); }

RETIRED(abm_state_combine)
RETIRED(abm_state_serialize)
RETIRED(abm_state_deserialize)
RETIRED(nps_trans_int2)
RETIRED(nps_trans_int4)
RETIRED(nps_trans_int8)
RETIRED(nps_inv_int2)
RETIRED(nps_inv_int4)
RETIRED(nps_inv_int8)
RETIRED(nps_conf_trans_int2)
RETIRED(nps_conf_trans_int4)
RETIRED(nps_conf_trans_int8)
RETIRED(nps_conf_inv_int2)
RETIRED(nps_conf_inv_int4)
RETIRED(nps_conf_inv_int8)
RETIRED(nps_final)
RETIRED(nps_margin_final)
RETIRED(csat_final)
RETIRED(nps_state_final)
RETIRED(csat_state_final)
RETIRED(nps_state_rollup_trans)
RETIRED(nps_state_rollup_inv)
RETIRED(csat_state_rollup_trans)
RETIRED(csat_state_rollup_inv)
RETIRED(csat_trans_int2)
RETIRED(csat_trans_int4)
RETIRED(csat_trans_int8)
RETIRED(csat_inv_int2)
RETIRED(csat_inv_int4)
RETIRED(csat_inv_int8)
