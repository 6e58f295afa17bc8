/* The platform table (protocol constant/platform_id_to_name.go): ID → name, class.
 * Index 0 is unused so that an ID indexes its row. */
#include "platform.h"

static const struct {
    const char *name;
    tn_platform_class cls;
} platforms[TN_PLATFORM_MAX + 1] = {
    [1] = {"IOS", TN_CLASS_MOBILE},
    [2] = {"Android", TN_CLASS_MOBILE},
    [3] = {"Windows", TN_CLASS_PC},
    [4] = {"OSX", TN_CLASS_PC},
    [5] = {"Web", TN_CLASS_WEB},
    [6] = {"MiniWeb", TN_CLASS_MINIWEB},
    [7] = {"Linux", TN_CLASS_PC},
    [8] = {"APad", TN_CLASS_PAD},
    [9] = {"IPad", TN_CLASS_PAD},
    [10] = {"Admin", TN_CLASS_ADMIN},
    [11] = {"HarmonyOS", TN_CLASS_HARMONY},
};

bool tn_platform_valid(int64_t id)
{
    return id >= 1 && id <= TN_PLATFORM_MAX;
}

const char *tn_platform_name(int64_t id)
{
    return tn_platform_valid(id) ? platforms[id].name : "";
}

tn_platform_class tn_platform_class_of(int64_t id)
{
    return tn_platform_valid(id) ? platforms[id].cls : TN_CLASS_NONE;
}
