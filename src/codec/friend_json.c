/* Encoders of the social graph's records in OpenIM's JSON (every field present, proto names,
 * null for absent nested messages). No business rules: callers pick which profile goes where. */
#include "friend_json.h"

#include "json.h"

json_t *tn_json_friend_info(const tn_friend *f, const tn_user *user)
{
    json_t *o = json_object();
    json_object_set_new(o, "ownerUserID", tn_json_string(f->owner_user_id));
    json_object_set_new(o, "remark", tn_json_string(f->remark));
    json_object_set_new(o, "createTime", json_integer(f->create_time));
    json_object_set_new(o, "friendUser", user ? tn_json_user(user) : json_null());
    json_object_set_new(o, "addSource", json_integer(f->add_source));
    json_object_set_new(o, "operatorUserID", tn_json_string(f->operator_user_id));
    json_object_set_new(o, "ex", tn_json_string(f->ex));
    json_object_set_new(o, "isPinned", json_boolean(f->is_pinned));
    return o;
}

json_t *tn_json_black_info(const tn_black *b, const tn_user *user)
{
    json_t *o = json_object();
    json_object_set_new(o, "ownerUserID", tn_json_string(b->owner_user_id));
    json_object_set_new(o, "createTime", json_integer(b->create_time));
    json_object_set_new(o, "blackUserInfo", tn_json_public_user(user));
    json_object_set_new(o, "addSource", json_integer(b->add_source));
    json_object_set_new(o, "operatorUserID", tn_json_string(b->operator_user_id));
    json_object_set_new(o, "ex", tn_json_string(b->ex));
    return o;
}

json_t *tn_json_friend_request(const tn_friend_request *r, const tn_user *from, const tn_user *to)
{
    json_t *o = json_object();
    json_object_set_new(o, "fromUserID", tn_json_string(r->from_user_id));
    json_object_set_new(o, "fromNickname", tn_json_string(from ? from->nickname : ""));
    json_object_set_new(o, "fromFaceURL", tn_json_string(from ? from->face_url : ""));
    json_object_set_new(o, "toUserID", tn_json_string(r->to_user_id));
    json_object_set_new(o, "toNickname", tn_json_string(to ? to->nickname : ""));
    json_object_set_new(o, "toFaceURL", tn_json_string(to ? to->face_url : ""));
    json_object_set_new(o, "handleResult", json_integer(r->handle_result));
    json_object_set_new(o, "reqMsg", tn_json_string(r->req_msg));
    json_object_set_new(o, "createTime", json_integer(r->create_time));
    json_object_set_new(o, "handlerUserID", tn_json_string(r->handler_user_id));
    json_object_set_new(o, "handleMsg", tn_json_string(r->handle_msg));
    json_object_set_new(o, "handleTime", json_integer(r->handle_time));
    json_object_set_new(o, "ex", tn_json_string(r->ex));
    return o;
}

json_t *tn_json_from_to(const char *from, const char *to)
{
    json_t *o = json_object();
    json_object_set_new(o, "fromUserID", tn_json_string(from));
    json_object_set_new(o, "toUserID", tn_json_string(to));
    return o;
}
