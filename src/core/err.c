/* Looks up the wire name of a tn_err from the table in err.h.
 * No other file spells an error name. */
#include "err.h"

const char *tn_err_name(tn_err code)
{
    switch (code) {
#define TN_ERR_CASE(name, num, msg)                                                                \
    case name:                                                                                     \
        return msg;
        TN_ERR_TABLE(TN_ERR_CASE)
#undef TN_ERR_CASE
    }
    return "ServerInternalError";
}
