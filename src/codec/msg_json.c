/* Renders a stored MsgData for REST answers (pull_msg_by_seq and friends) with the key names
 * and null rules of OpenIM's JSON; decoding goes through the generated protobuf-c code. */
#include "msg_json.h"

#include <stdlib.h>

#include "base64.h"
#include "sdkws.pb-c.h"

static json_t *str(const char *s)
{
    json_t *j = json_string(s ? s : "");
    return j ? j : json_string("");
}

json_t *tn_msg_json(const uint8_t *pb, size_t len)
{
    Sdkws__MsgData *m = sdkws__msg_data__unpack(NULL, len, pb);
    if (!m)
        return NULL;
    json_t *o = json_object();
    json_object_set_new(o, "sendID", str(m->sendid));
    json_object_set_new(o, "recvID", str(m->recvid));
    json_object_set_new(o, "groupID", str(m->groupid));
    json_object_set_new(o, "clientMsgID", str(m->clientmsgid));
    json_object_set_new(o, "serverMsgID", str(m->servermsgid));
    json_object_set_new(o, "senderPlatformID", json_integer(m->senderplatformid));
    json_object_set_new(o, "senderNickname", str(m->sendernickname));
    json_object_set_new(o, "senderFaceURL", str(m->senderfaceurl));
    json_object_set_new(o, "sessionType", json_integer(m->sessiontype));
    json_object_set_new(o, "msgFrom", json_integer(m->msgfrom));
    json_object_set_new(o, "contentType", json_integer(m->contenttype));
    char *b64 = malloc(tn_b64_encoded_len(m->content.len, false) + 1);
    if (!b64)
        abort();
    tn_b64_encode(m->content.data, m->content.len, b64, false);
    json_object_set_new(o, "content", json_string(b64));
    free(b64);
    json_object_set_new(o, "seq", json_integer(m->seq));
    json_object_set_new(o, "sendTime", json_integer(m->sendtime));
    json_object_set_new(o, "createTime", json_integer(m->createtime));
    json_object_set_new(o, "status", json_integer(m->status));
    json_object_set_new(o, "isRead", json_boolean(m->isread));
    json_t *options = json_null();
    if (m->n_options) {
        options = json_object();
        for (size_t i = 0; i < m->n_options; i++)
            json_object_set_new(options, m->options[i]->key ? m->options[i]->key : "",
                                json_boolean(m->options[i]->value));
    }
    json_object_set_new(o, "options", options);
    json_t *push = json_null();
    if (m->offlinepushinfo) {
        Sdkws__OfflinePushInfo *p = m->offlinepushinfo;
        push = json_object();
        json_object_set_new(push, "title", str(p->title));
        json_object_set_new(push, "desc", str(p->desc));
        json_object_set_new(push, "ex", str(p->ex));
        json_object_set_new(push, "iOSPushSound", str(p->iospushsound));
        json_object_set_new(push, "iOSBadgeCount", json_boolean(p->iosbadgecount));
        json_object_set_new(push, "signalInfo", str(p->signalinfo));
    }
    json_object_set_new(o, "offlinePushInfo", push);
    json_t *at = json_null();
    if (m->n_atuseridlist) {
        at = json_array();
        for (size_t i = 0; i < m->n_atuseridlist; i++)
            json_array_append_new(at, str(m->atuseridlist[i]));
    }
    json_object_set_new(o, "atUserIDList", at);
    json_object_set_new(o, "attachedInfo", str(m->attachedinfo));
    json_object_set_new(o, "ex", str(m->ex));
    sdkws__msg_data__free_unpacked(m, NULL);
    return o;
}
