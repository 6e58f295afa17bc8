/* MsgData between protobuf and OpenIM's JSON (Go encoding/json over the generated struct: every
 * field present, content as base64, unset maps and messages as null). */
#pragma once
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The JSON object of an encoded MsgData; NULL if the bytes are not a MsgData. */
json_t *tn_msg_json(const uint8_t *pb, size_t len);
