#!/bin/sh
# Regenerates survival_expected.h, R's Kaplan-Meier answers for the unit
# tests, so that they run without R.  Needs r-base-core and r-cran-survival.
set -eu
cd "$(dirname "$0")"
Rscript --vanilla survival_cases.R > survival_expected.h.tmp
mv survival_expected.h.tmp survival_expected.h
