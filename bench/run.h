/* The scenarios tern-bench can run, each adding its figures to one JSON object; what a scenario
 * measures is described in docs/benchmarks.md and in `tern-bench --help`. */
#pragma once
#include <jansson.h>
#include <stdbool.h>

#include "bench.h"

bool tb_scenario_known(const char *name);
/* How many users the scenario needs with these options. */
int tb_scenario_users(const tb_options *opt);
/* Prepares users named prefix<N> through the driver, runs the scenario on loop and adds its
 * figures (or a "<scenario>_error") to out. False when it failed or lost or duplicated messages. */
bool tb_scenario_run(uv_loop_t *loop, const tb_options *opt, const tb_driver *drv,
                     const char *prefix, json_t *out);
