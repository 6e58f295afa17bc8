/* Writes the reference docs generated from ternd's own tables: `config` (the option table) or
 * `api` (the route table), so docs/config.md and docs/api.md cannot drift from the code. */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "routes.h"

static void print_api(void)
{
    printf("# REST API routes\n\n"
           "Generated from `src/net/http/routes.c` by `make docs`; do not edit by hand.\n"
           "Every route is `POST` with a JSON body and the `operationID` header; all but `none`\n"
           "need the `token` header. Shapes and error codes are OpenIM v3's.\n\n"
           "| route | permission |\n|---|---|\n");
    for (size_t i = 0; i < tn_route_count; i++)
        printf("| `%s` | %s |\n", tn_routes[i].path, tn_perm_name(tn_routes[i].perm));
}

static void print_config(void)
{
    printf(
        "# ternd configuration\n\n"
        "Generated from the option table in `src/core/config.c` by `make docs`; do not edit\n"
        "by hand. Precedence: command-line flag > `TERN_*` environment variable > config file\n"
        "(`-c FILE`, INI `key = value` lines, `#` comments) > default. An unknown key, flag or\n"
        "`TERN_*` variable, or a value out of range, stops start-up with a message naming it.\n\n");
    tn_config_print_markdown(stdout);
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "api") == 0)
        print_api();
    else if (argc == 2 && strcmp(argv[1], "config") == 0)
        print_config();
    else {
        fprintf(stderr, "usage: %s api|config\n", argv[0]);
        return 2;
    }
    return 0;
}
