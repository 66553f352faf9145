# abm — PostgreSQL extension (PGXS)

EXTENSION = abm
EXTVERSION = 1.6
MODULE_big = abm
PGFILEDESC = "abm - retention and account-based marketing analytics"

# Pure C (no PostgreSQL headers): unit-tested and fuzzed without a server.
CORE_OBJS = src/label_enum.o src/lifecycle_stage.o src/state.o src/money.o src/stats.o \
	src/nps.o src/schemas.o src/survival.o src/churn.o src/revenue.o src/schedule.o src/cohort.o src/health.o src/funnel.o src/pipeline.o src/attribution.o src/engagement.o
# fmgr glue.
PG_OBJS = src/abm.o src/label_enum_pg.o src/lifecycle_stage_pg.o src/retired_pg.o \
	src/state_pg.o src/nps_pg.o src/survival_pg.o src/churn_pg.o src/revenue_pg.o src/money_pg.o src/schedule_pg.o src/cohort_pg.o src/health_pg.o src/funnel_pg.o src/pipeline_pg.o src/attribution_pg.o src/engagement_pg.o
OBJS = $(CORE_OBJS) $(PG_OBJS)

# The install and upgrade scripts are assembled from src/sql (expand.awk):
# each "--@enum NAME" line expands the one template of an enumeration type's
# SQL objects, each "--@state_support NAME" the merge functions of a state
# type.  The current version's install script is 1.0's followed by every
# upgrade step, each without its "--@upgrade-only" sections (which change
# what an older version left) and with its "--@fresh-only" ones (which
# create those objects in their final form).
UPGRADES = abm--1.0--1.1.sql abm--1.1--1.2.sql abm--1.2--1.3.sql abm--1.3--1.4.sql abm--1.4--1.5.sql abm--1.5--1.6.sql
DATA_built = abm--1.0.sql $(UPGRADES) abm--$(EXTVERSION).sql
EXTRA_CLEAN = test/unit/unit_tests test/unit/unit_tests_sanitized build.log regress.log

REGRESS = test_setup lifecycle_stage nps_class nps nps_state csat_state nps_parallel survival churn revenue health funnel attribution engagement distributed bad_input install_script
REGRESS_OPTS = --load-extension=abm

PG_CONFIG ?= pg_config
# The project's own C is warning-free under these.
PG_CFLAGS = -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

EXPAND = awk -v dir=src/sql -f src/sql/expand.awk
SQL_DEPS = $(filter-out src/sql/abm--%,$(wildcard src/sql/*.sql.in)) src/sql/expand.awk

abm--1.0.sql: src/sql/abm--1.0.sql.in $(SQL_DEPS)
	$(EXPAND) $< > $@

abm--%.sql: src/sql/abm--%.sql.in $(SQL_DEPS)
	$(EXPAND) $< > $@

abm--$(EXTVERSION).sql: src/sql/abm--1.0.sql.in $(UPGRADES:%=src/sql/%.in) $(SQL_DEPS)
	$(EXPAND) -v mode=fresh src/sql/abm--1.0.sql.in > $@
	for step in $(UPGRADES:%=src/sql/%.in); do $(EXPAND) -v mode=fresh -v drop_guard=1 $$step >> $@; done

# C unit tests of the pure core: no server, no PostgreSQL headers.
UNIT_SRCS = test/unit/unit_tests.c $(CORE_OBJS:.o=.c)
test/unit/unit_tests: $(UNIT_SRCS) src/*.h test/unit/*.h
	$(CC) -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-missing-field-initializers -Isrc $(UNIT_CFLAGS) -o $@ $(UNIT_SRCS) -lm

.PHONY: unitcheck
unitcheck: test/unit/unit_tests
	test/unit/unit_tests

# The same unit tests under AddressSanitizer and UndefinedBehaviorSanitizer.
SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
test/unit/unit_tests_sanitized: $(UNIT_SRCS) src/*.h test/unit/*.h
	clang-14 -std=c11 -O1 -g -Wall -Wextra -Werror -Wno-missing-field-initializers -Isrc $(SANITIZE) -o $@ $(UNIT_SRCS) -lm

.PHONY: unitcheck-plain unitcheck-sanitized
unitcheck-plain: unitcheck
unitcheck-sanitized: test/unit/unit_tests_sanitized
	test/unit/unit_tests_sanitized

# Rebuild when a header changes.
$(OBJS): $(wildcard src/*.h)
