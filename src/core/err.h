/* tern's one error vocabulary: every value is an OpenIM error code, so nothing is mapped twice.
 * Owns the code list and each code's wire name; turning a code into an envelope is net/'s job. */
#pragma once

/* X(enum name, code, errMsg exactly as OpenIM spells it) */
#define TN_ERR_TABLE(X)                                                                            \
    X(TN_OK, 0, "")                                                                                \
    X(TN_EUNIMPLEMENTED, 12, "method not implemented")                                             \
    X(TN_ETOO_MANY, 429, "too many requests, please try again later")                              \
    X(TN_ESERVER, 500, "ServerInternalError")                                                      \
    X(TN_EARGS, 1001, "ArgsError")                                                                 \
    X(TN_EPERM, 1002, "NoPermissionError")                                                         \
    X(TN_EDUP, 1003, "DuplicateKeyError")                                                          \
    X(TN_ENOTFOUND, 1004, "RecordNotFoundError")                                                   \
    X(TN_EUSER_NOT_FOUND, 1101, "UserIDNotFoundError")                                             \
    X(TN_EREGISTERED, 1102, "RegisteredAlreadyError")                                              \
    X(TN_EGROUP_NOT_FOUND, 1201, "GroupIDNotFoundError")                                           \
    X(TN_EGROUP_EXISTS, 1202, "GroupIDExisted")                                                    \
    X(TN_ENOT_IN_GROUP, 1203, "NotInGroupYetError")                                                \
    X(TN_EGROUP_DISMISSED, 1204, "DismissedAlreadyError")                                          \
    X(TN_EGROUP_TYPE, 1205, "")                                                                    \
    X(TN_EGROUP_REQ_HANDLED, 1206, "GroupRequestHandled")                                          \
    X(TN_EADD_SELF, 1301, "CanNotAddYourselfError")                                                \
    X(TN_EBLOCKED, 1302, "BlockedByPeer")                                                          \
    X(TN_ENOT_FRIEND, 1303, "NotPeersFriend")                                                      \
    X(TN_ERELATION_EXISTS, 1304, "RelationshipAlreadyError")                                       \
    X(TN_EFRIEND_REQ_HANDLED, 1305, "FriendRequestHandled")                                        \
    X(TN_EREAD_DISABLED, 1401, "MessageHasReadDisable")                                            \
    X(TN_EMUTED_MEMBER, 1402, "MutedInGroup")                                                      \
    X(TN_EMUTED_GROUP, 1403, "MutedGroup")                                                         \
    X(TN_EREVOKED, 1404, "MsgAlreadyRevoke")                                                       \
    X(TN_ETOKEN_EXPIRED, 1501, "TokenExpiredError")                                                \
    X(TN_ETOKEN_INVALID, 1502, "TokenInvalidError")                                                \
    X(TN_ETOKEN_MALFORMED, 1503, "TokenMalformedError")                                            \
    X(TN_ETOKEN_NOT_VALID_YET, 1504, "TokenNotValidYetError")                                      \
    X(TN_ETOKEN_UNKNOWN, 1505, "TokenUnknownError")                                                \
    X(TN_ETOKEN_KICKED, 1506, "TokenKickedError")                                                  \
    X(TN_ETOKEN_NOT_EXIST, 1507, "TokenNotExistError")                                             \
    X(TN_ECONN_LIMIT, 1601, "ConnOverMaxNumLimit")                                                 \
    X(TN_ECONN_ARGS, 1602, "args err, need token, sendID, platformID")                             \
    X(TN_EUPLOAD_EXPIRED, 1701, "FileUploadedExpiredError")                                        \
    X(TN_ECALLBACK, 80000, "CallbackError")                                                        \
    X(TN_EDATABASE, 90002, "DatabaseError")                                                        \
    X(TN_ENETWORK, 90004, "NetworkError")                                                          \
    X(TN_EDATA, 90007, "DataError")

typedef enum tn_err {
#define TN_ERR_ENUM(name, code, msg) name = code,
    TN_ERR_TABLE(TN_ERR_ENUM)
#undef TN_ERR_ENUM
} tn_err;

/* The errMsg OpenIM sends for a code; "ServerInternalError" for a code not in the table. */
const char *tn_err_name(tn_err code);
