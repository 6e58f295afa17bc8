/* OpenIM's platform IDs as data: each ID's name and its class (the unit of the multi-login
 * policies). Declared once; everything else asks here. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

typedef enum tn_platform_class {
    TN_CLASS_NONE,
    TN_CLASS_MOBILE,
    TN_CLASS_PC,
    TN_CLASS_WEB,
    TN_CLASS_MINIWEB,
    TN_CLASS_PAD,
    TN_CLASS_ADMIN,
    TN_CLASS_HARMONY,
} tn_platform_class;

#define TN_PLATFORM_ADMIN 10
#define TN_PLATFORM_MAX   11

bool tn_platform_valid(int64_t id);
/* "IOS", "Android", … as OpenIM names them; "" for an unknown ID. */
const char *tn_platform_name(int64_t id);
tn_platform_class tn_platform_class_of(int64_t id);
