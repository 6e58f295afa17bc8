// A raw OpenIM WebSocket gateway client for protocol tests: connect with query parameters (or the
// `v` form), gob or JSON envelopes (openim-protocol.md §4.5), optional gzip, request/response
// matching by msgIncr, push collection (2001/2002/2005), and protobuf helpers built from the
// repository's proto/*.proto files. Works on Node 18 and 20 (uses the `ws` package, no global
// WebSocket).
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import protobuf from 'protobufjs';
import WebSocket from 'ws';

import { adminToken, register, startTernd, userToken } from '../api/harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const PROTO_DIR = path.resolve(here, '../../proto');

// ---------------------------------------------------------------------------------------------
// protobuf

const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(PROTO_DIR, path.basename(target));
root.loadSync(['sdkws.proto', 'msg.proto', 'push.proto'], { keepCase: true });
root.resolveAll();

export const pb = {
    MsgData: root.lookupType('sdkws.MsgData'),
    PullMessageBySeqsReq: root.lookupType('sdkws.PullMessageBySeqsReq'),
    PullMessageBySeqsResp: root.lookupType('sdkws.PullMessageBySeqsResp'),
    PushMessages: root.lookupType('sdkws.PushMessages'),
    GetMaxSeqReq: root.lookupType('sdkws.GetMaxSeqReq'),
    GetMaxSeqResp: root.lookupType('sdkws.GetMaxSeqResp'),
    UserSendMsgResp: root.lookupType('sdkws.UserSendMsgResp'),
    SetAppBackgroundStatusReq: root.lookupType('sdkws.SetAppBackgroundStatusReq'),
    SubUserOnlineStatus: root.lookupType('sdkws.SubUserOnlineStatus'),
    SubUserOnlineStatusTips: root.lookupType('sdkws.SubUserOnlineStatusTips'),
    SendMsgResp: root.lookupType('msg.SendMsgResp'),
    GetSeqMessageReq: root.lookupType('msg.GetSeqMessageReq'),
    GetSeqMessageResp: root.lookupType('msg.GetSeqMessageResp'),
    GetConversationsHasReadAndMaxSeqReq: root.lookupType('msg.GetConversationsHasReadAndMaxSeqReq'),
    GetConversationsHasReadAndMaxSeqResp: root.lookupType('msg.GetConversationsHasReadAndMaxSeqResp'),
    GetLastMessageReq: root.lookupType('msg.GetLastMessageReq'),
    GetLastMessageResp: root.lookupType('msg.GetLastMessageResp'),
    DelUserPushTokenReq: root.lookupType('push.DelUserPushTokenReq'),
};

export function encode(type, obj) {
    const err = type.verify(obj);
    if (err) throw new Error(`${type.name}: ${err}`);
    return Buffer.from(type.encode(type.fromObject(obj)).finish());
}

// Decodes to a plain object: int64 as Number, bytes as Buffer, every field present (defaults).
// MsgData.content is additionally exposed as `text` (UTF-8).
export function decode(type, buf) {
    const m = type.decode(buf ?? Buffer.alloc(0));
    const o = type.toObject(m, { longs: Number, enums: Number, defaults: true, arrays: true, objects: true });
    fixContent(o);
    return o;
}

function fixContent(o) {
    if (!o || typeof o !== 'object') return;
    if (Array.isArray(o)) return o.forEach(fixContent);
    if ('content' in o && 'clientMsgID' in o && o.content instanceof Uint8Array) {
        o.text = Buffer.from(o.content).toString('utf8');
    }
    for (const v of Object.values(o)) if (v && typeof v === 'object' && !(v instanceof Uint8Array)) fixContent(v);
}

// ---------------------------------------------------------------------------------------------
// gob (openim-protocol.md §4.5.2)

export const GOB = { bool: 1, int: 2, uint: 3, float: 4, bytes: 5, string: 6 };

export function gobUint(n) {
    let v = BigInt(n);
    assert.ok(v >= 0n);
    if (v < 128n) return Buffer.from([Number(v)]);
    const bytes = [];
    while (v > 0n) {
        bytes.unshift(Number(v & 0xffn));
        v >>= 8n;
    }
    return Buffer.from([256 - bytes.length, ...bytes]);
}

export function gobInt(i) {
    const v = BigInt(i);
    return gobUint(v >= 0n ? v << 1n : ((~v) << 1n) | 1n);
}

function gobString(s) {
    const b = Buffer.isBuffer(s) ? s : Buffer.from(s, 'utf8');
    return Buffer.concat([gobUint(b.length), b]);
}

function gobMessage(payload) {
    return Buffer.concat([gobUint(payload.length), payload]);
}

// Type definition message of a struct type: fields = [[name, typeId], ...]
export function gobTypeDef(name, id, fields) {
    const parts = [gobInt(-id), Buffer.from([0x03, 0x01, 0x01]), gobString(name), Buffer.from([0x01]), gobInt(id)];
    parts.push(Buffer.from([0x00, 0x01]), gobUint(fields.length));
    for (const [fname, ftype] of fields) {
        parts.push(Buffer.from([0x01]), gobString(fname), Buffer.from([0x01]), gobInt(ftype), Buffer.from([0x00]));
    }
    parts.push(Buffer.from([0x00, 0x00]));
    return gobMessage(Buffer.concat(parts));
}

// Value message of a struct: values = array parallel to fields (undefined/zero → omitted).
export function gobValue(id, fields, values) {
    const parts = [gobInt(id)];
    let last = -1;
    fields.forEach(([, ftype], i) => {
        const v = values[i];
        if (v === undefined || v === null) return;
        let enc;
        if (ftype === GOB.int) {
            if (BigInt(v) === 0n) return;
            enc = gobInt(v);
        } else if (ftype === GOB.uint) {
            if (BigInt(v) === 0n) return;
            enc = gobUint(v);
        } else if (ftype === GOB.bool) {
            if (!v) return;
            enc = gobUint(1);
        } else {
            if (v.length === 0) return;
            enc = gobString(v);
        }
        parts.push(gobUint(i - last), enc);
        last = i;
    });
    parts.push(Buffer.from([0x00]));
    return gobMessage(Buffer.concat(parts));
}

// The Go SDK's GeneralWsReq (field order of the SDK's struct).
export const GENERAL_WS_REQ_FIELDS = [
    ['ReqIdentifier', GOB.int],
    ['Token', GOB.string],
    ['SendID', GOB.string],
    ['OperationID', GOB.string],
    ['MsgIncr', GOB.string],
    ['Data', GOB.bytes],
];

export function gobEncodeReq(req, { typeId = 64, typeName = 'GeneralWsReq', fields = GENERAL_WS_REQ_FIELDS } = {}) {
    const byName = {
        ReqIdentifier: req.reqIdentifier,
        Token: req.token,
        SendID: req.sendID,
        OperationID: req.operationID,
        MsgIncr: req.msgIncr,
        Data: req.data,
    };
    return Buffer.concat([gobTypeDef(typeName, typeId, fields), gobValue(typeId, fields, fields.map(([n]) => byName[n]))]);
}

class GobReader {
    constructor(buf) {
        this.b = buf;
        this.p = 0;
    }
    eof() {
        return this.p >= this.b.length;
    }
    byte() {
        if (this.p >= this.b.length) throw new Error('gob: unexpected end');
        return this.b[this.p++];
    }
    uint() {
        const first = this.byte();
        if (first < 128) return BigInt(first);
        const n = 256 - first;
        if (n > 8) throw new Error(`gob: bad uint length byte ${first}`);
        let v = 0n;
        for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.byte());
        return v;
    }
    int() {
        const u = this.uint();
        return u & 1n ? ~(u >> 1n) : u >> 1n;
    }
    bytes() {
        const n = Number(this.uint());
        if (this.p + n > this.b.length) throw new Error('gob: string past end');
        const s = this.b.subarray(this.p, this.p + n);
        this.p += n;
        return Buffer.from(s);
    }
}

// Parses a wireType payload (after the negative type id). Returns {name, id, fields:[[name,type]]}.
function parseWireType(r) {
    let field = -1;
    let out = null;
    for (;;) {
        const d = Number(r.uint());
        if (d === 0) break;
        field += d;
        if (field !== 2) throw new Error(`gob: wireType field ${field} is not a struct`);
        out = { name: '', id: 0, fields: [] };
        let sf = -1;
        for (;;) {
            const sd = Number(r.uint());
            if (sd === 0) break;
            sf += sd;
            if (sf === 0) {
                let cf = -1;
                for (;;) {
                    const cd = Number(r.uint());
                    if (cd === 0) break;
                    cf += cd;
                    if (cf === 0) out.name = r.bytes().toString('utf8');
                    else if (cf === 1) out.id = Number(r.int());
                    else throw new Error(`gob: CommonType field ${cf}`);
                }
            } else if (sf === 1) {
                const n = Number(r.uint());
                for (let i = 0; i < n; i++) {
                    let ff = -1;
                    let fname = '';
                    let ftype = 0;
                    for (;;) {
                        const fd = Number(r.uint());
                        if (fd === 0) break;
                        ff += fd;
                        if (ff === 0) fname = r.bytes().toString('utf8');
                        else if (ff === 1) ftype = Number(r.int());
                        else throw new Error(`gob: fieldType field ${ff}`);
                    }
                    out.fields.push([fname, ftype]);
                }
            } else throw new Error(`gob: structType field ${sf}`);
        }
    }
    return out;
}

// Decodes one gob stream holding a type definition then one struct value.
// Returns {type: {name,id,fields}, value: {FieldName: value}} (ints as Number, strings as string,
// []byte as Buffer); throws on anything unexpected (trailing bytes included).
export function gobDecode(buf) {
    const r = new GobReader(buf);
    const types = new Map();
    let value = null;
    let valueType = null;
    while (!r.eof()) {
        const len = Number(r.uint());
        const end = r.p + len;
        if (end > buf.length) throw new Error('gob: message past end');
        const sub = new GobReader(buf.subarray(r.p, end));
        r.p = end;
        const id = Number(sub.int());
        if (id < 0) {
            const t = parseWireType(sub);
            if (t.id !== -id) throw new Error(`gob: type def id ${-id} but CommonType.Id ${t.id}`);
            types.set(-id, t);
        } else {
            if (value) throw new Error('gob: more than one value in a frame');
            const t = types.get(id);
            if (!t) throw new Error(`gob: value of undefined type ${id}`);
            valueType = t;
            value = {};
            let f = -1;
            for (;;) {
                const d = Number(sub.uint());
                if (d === 0) break;
                f += d;
                const [name, type] = t.fields[f] ?? [];
                if (!name) throw new Error(`gob: field ${f} out of range`);
                if (type === GOB.int) value[name] = Number(sub.int());
                else if (type === GOB.uint) value[name] = Number(sub.uint());
                else if (type === GOB.bool) value[name] = sub.uint() !== 0n;
                else if (type === GOB.string) value[name] = sub.bytes().toString('utf8');
                else if (type === GOB.bytes) value[name] = sub.bytes();
                else throw new Error(`gob: unsupported field type ${type}`);
            }
            if (!sub.eof()) throw new Error('gob: bytes after the struct value');
        }
    }
    if (!value) throw new Error('gob: no value in frame');
    return { type: valueType, value };
}

// ---------------------------------------------------------------------------------------------
// envelopes

export function encodeEnvelope(codec, req, gzip) {
    let raw;
    if (codec === 'json') {
        const o = {
            reqIdentifier: req.reqIdentifier,
            msgIncr: req.msgIncr,
            sendID: req.sendID,
            operationID: req.operationID,
            data: req.data ? Buffer.from(req.data).toString('base64') : '',
        };
        if (req.token !== undefined) o.token = req.token;
        raw = Buffer.from(JSON.stringify(o));
    } else {
        raw = gobEncodeReq(req);
    }
    return gzip ? zlib.gzipSync(raw) : raw;
}

// Returns {reqIdentifier, msgIncr, operationID, errCode, errMsg, data (Buffer|null), raw, gobType}
export function decodeEnvelope(codec, payload, gzip) {
    let raw = Buffer.from(payload);
    if (gzip) raw = zlib.gunzipSync(raw);
    if (codec === 'json') {
        const j = JSON.parse(raw.toString('utf8'));
        return {
            reqIdentifier: j.reqIdentifier,
            msgIncr: j.msgIncr,
            operationID: j.operationID,
            errCode: j.errCode,
            errMsg: j.errMsg,
            data: j.data === null || j.data === undefined ? null : Buffer.from(j.data, 'base64'),
            rawData: j.data,
            json: j,
            raw,
        };
    }
    const { type, value } = gobDecode(raw);
    return {
        reqIdentifier: value.ReqIdentifier ?? 0,
        msgIncr: value.MsgIncr ?? '',
        operationID: value.OperationID ?? '',
        errCode: value.ErrCode ?? 0,
        errMsg: value.ErrMsg ?? '',
        data: value.Data ?? null,
        gobType: type,
        raw,
    };
}

// ---------------------------------------------------------------------------------------------
// connecting

export function queryString(params) {
    return Object.entries(params)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&');
}

export function vParam(obj) {
    return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

function sleep(ms) {
    return new Promise((r) => setTimeout(r, ms));
}

/**
 * Opens a WebSocket to wsBase + '/?' + query. Resolves with
 *   {kind: 'http', status, headers, body, json}           when the server answered without 101
 *   {kind: 'ws', client: GwClient}                         once the socket is open
 *   {kind: 'error', error}                                  on a socket error before either
 * opts: codec ('gob'|'json', default from params.sdkType), gzip (default from params.compression),
 *       headers, path (default '/'), userID (envelope SendID default = params.sendID).
 */
export function rawConnect(wsBase, params, opts = {}) {
    const q = typeof params === 'string' ? params : queryString(params);
    const url = `${wsBase}${opts.path ?? '/'}${q ? '?' + q : ''}`;
    return new Promise((resolve) => {
        const ws = new WebSocket(url, { perMessageDeflate: false, headers: opts.headers ?? {}, handshakeTimeout: 10000 });
        const codec = opts.codec ?? (params.sdkType === 'js' ? 'json' : 'gob');
        const gzip = opts.gzip ?? (params.compression === 'gzip' || opts.headers?.compression === 'gzip');
        const client = new GwClient(ws, { codec, gzip, userID: opts.userID ?? params.sendID, platformID: params.platformID });
        let settled = false;
        ws.on('unexpected-response', (_req, res) => {
            const chunks = [];
            res.on('data', (d) => chunks.push(d));
            res.on('end', () => {
                const body = Buffer.concat(chunks).toString('utf8');
                let json;
                try {
                    json = JSON.parse(body);
                } catch {}
                settled = true;
                resolve({ kind: 'http', status: res.statusCode, headers: res.headers, body, json });
                ws.terminate();
            });
            res.on('error', () => {});
        });
        ws.on('open', () => {
            if (settled) return;
            settled = true;
            resolve({ kind: 'ws', client });
        });
        ws.on('error', (error) => {
            client._error = error;
            if (settled) return;
            settled = true;
            resolve({ kind: 'error', error });
        });
    });
}

export class GwClient {
    constructor(ws, { codec, gzip, userID, platformID }) {
        this.ws = ws;
        this.codec = codec;
        this.gzip = gzip;
        this.userID = userID;
        this.platformID = Number(platformID);
        this.texts = []; // text frames, as strings
        this.envelopes = []; // every binary frame decoded
        this.pushes = []; // envelopes with an empty msgIncr (2001/2002/2005 pushes)
        this.decodeErrors = [];
        this.pongs = [];
        this.pending = new Map();
        this.waiters = new Set();
        this.seq = 0;
        this.closeInfo = null;
        this.closed = new Promise((resolve) => {
            ws.on('close', (code, reason) => {
                this.closeInfo = { code, reason: reason.toString() };
                for (const [, p] of this.pending) p.reject(new Error(`connection closed (${code}) before reply`));
                this.pending.clear();
                this._notify();
                resolve(this.closeInfo);
            });
        });
        ws.on('message', (data, isBinary) => this._onMessage(Buffer.from(data), isBinary));
        ws.on('pong', (d) => {
            this.pongs.push(Buffer.from(d));
            this._notify();
        });
        ws.on('error', () => {});
    }

    get isOpen() {
        return this.ws.readyState === WebSocket.OPEN;
    }

    _onMessage(buf, isBinary) {
        if (!isBinary) {
            this.texts.push(buf.toString('utf8'));
            this._notify();
            return;
        }
        let env;
        try {
            env = decodeEnvelope(this.codec, buf, this.gzip);
        } catch (e) {
            this.decodeErrors.push({ error: e, buf });
            this._notify();
            return;
        }
        this.envelopes.push(env);
        const p = env.msgIncr ? this.pending.get(env.msgIncr) : undefined;
        if (p) {
            this.pending.delete(env.msgIncr);
            p.resolve(env);
        } else if (!env.msgIncr) {
            this.pushes.push(env);
        }
        this._notify();
    }

    _notify() {
        for (const w of [...this.waiters]) w();
    }

    // Waits until fn() returns a truthy value (checked on every event and at once).
    waitUntil(fn, timeoutMs = 5000, what = 'condition') {
        return new Promise((resolve, reject) => {
            const check = () => {
                let v;
                try {
                    v = fn();
                } catch (e) {
                    cleanup();
                    return reject(e);
                }
                if (v) {
                    cleanup();
                    resolve(v);
                }
            };
            const timer = setTimeout(() => {
                cleanup();
                reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
            }, timeoutMs);
            const cleanup = () => {
                clearTimeout(timer);
                this.waiters.delete(check);
            };
            this.waiters.add(check);
            check();
        });
    }

    // Resolves with the first push (envelope with empty msgIncr) of reqIdentifier id matching pred
    // that has not been taken yet; marks it taken.
    async nextPush(id, pred = () => true, timeoutMs = 5000) {
        this._taken ??= new Set();
        return this.waitUntil(
            () => {
                const e = this.pushes.find((p) => p.reqIdentifier === id && !this._taken.has(p) && pred(p));
                if (e) this._taken.add(e);
                return e;
            },
            timeoutMs,
            `push ${id}`,
        );
    }

    // 2001 pushes decoded to [{conversationID, notification, msg}]
    pushedMsgs() {
        const out = [];
        for (const e of this.pushes) {
            if (e.reqIdentifier !== 2001) continue;
            const pm = decode(pb.PushMessages, e.data);
            for (const [notification, map] of [
                [false, pm.msgs],
                [true, pm.notificationMsgs],
            ]) {
                for (const [cid, pull] of Object.entries(map ?? {})) for (const m of pull.Msgs) out.push({ conversationID: cid, notification, msg: m, env: e });
            }
        }
        return out;
    }

    waitPushedMsgs(pred, count = 1, timeoutMs = 5000) {
        return this.waitUntil(
            () => {
                const l = this.pushedMsgs().filter(pred);
                return l.length >= count ? l : null;
            },
            timeoutMs,
            `${count} pushed message(s)`,
        );
    }

    nextText(timeoutMs = 5000) {
        this._textIdx ??= 0;
        return this.waitUntil(
            () => (this.texts.length > this._textIdx ? this.texts[this._textIdx++] : null),
            timeoutMs,
            'a text frame',
        ).catch((e) => {
            if (this.closeInfo) throw new Error(`connection closed (${this.closeInfo.code}) without a text frame`);
            throw e;
        });
    }

    newIncr() {
        return `${this.userID}_${Date.now()}${++this.seq}`;
    }

    // Sends one envelope. fields: reqIdentifier, data, sendID, msgIncr, operationID, token.
    sendEnvelope(fields) {
        const req = {
            reqIdentifier: fields.reqIdentifier,
            sendID: fields.sendID ?? this.userID,
            msgIncr: fields.msgIncr ?? this.newIncr(),
            operationID: fields.operationID ?? 'op-' + crypto.randomBytes(6).toString('hex'),
            data: fields.data ?? Buffer.alloc(0),
            token: fields.token,
        };
        this.ws.send(encodeEnvelope(this.codec, req, this.gzip), { binary: true });
        return req;
    }

    // Sends a request and resolves with the reply envelope (matched by msgIncr).
    request(reqIdentifier, data, fields = {}, timeoutMs = 10000) {
        const msgIncr = fields.msgIncr ?? this.newIncr();
        const p = new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                this.pending.delete(msgIncr);
                reject(new Error(`no reply to ${reqIdentifier} (${msgIncr}) within ${timeoutMs} ms`));
            }, timeoutMs);
            this.pending.set(msgIncr, {
                resolve: (v) => {
                    clearTimeout(timer);
                    resolve(v);
                },
                reject: (e) => {
                    clearTimeout(timer);
                    reject(e);
                },
            });
        });
        const req = this.sendEnvelope({ ...fields, reqIdentifier, data, msgIncr });
        return p.then((env) => ({ ...env, req }));
    }

    sendRaw(buf, binary = true) {
        this.ws.send(buf, { binary });
    }

    ping(payload) {
        this.ws.ping(payload);
    }

    close() {
        if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
        return this.closed;
    }

    terminate() {
        this.ws.terminate();
        return this.closed;
    }

    // Resolves with closeInfo once the server has closed (or rejects after timeoutMs).
    async waitClosed(timeoutMs = 5000) {
        let t;
        const timeout = new Promise((_, rej) => (t = setTimeout(() => rej(new Error(`connection not closed within ${timeoutMs} ms`)), timeoutMs)));
        try {
            return await Promise.race([this.closed, timeout]);
        } finally {
            clearTimeout(t);
        }
    }

    // ---- typed requests ----

    async sendMsg(m, fields = {}) {
        const msg = buildMsg({ sendID: this.userID, senderPlatformID: this.platformID, ...m });
        const env = await this.request(1003, encode(pb.MsgData, msg), fields);
        return { env, msg, resp: env.errCode === 0 && env.data ? decode(pb.UserSendMsgResp, env.data) : null };
    }

    async getMaxSeq(userID = this.userID) {
        const env = await this.request(1001, encode(pb.GetMaxSeqReq, { userID }));
        return { env, resp: env.errCode === 0 ? decode(pb.GetMaxSeqResp, env.data) : null };
    }

    async pullRanges(seqRanges, order = 0, userID = this.userID) {
        const env = await this.request(1002, encode(pb.PullMessageBySeqsReq, { userID, seqRanges, order }));
        return { env, resp: env.errCode === 0 ? decode(pb.PullMessageBySeqsResp, env.data) : null };
    }

    async pullSeqs(conversations, order = 0, userID = this.userID) {
        const env = await this.request(1005, encode(pb.GetSeqMessageReq, { userID, conversations, order }));
        return { env, resp: env.errCode === 0 ? decode(pb.GetSeqMessageResp, env.data) : null };
    }

    async hasReadAndMaxSeq(conversationIDs = [], userID = this.userID) {
        const env = await this.request(1006, encode(pb.GetConversationsHasReadAndMaxSeqReq, { userID, conversationIDs }));
        return { env, resp: env.errCode === 0 ? decode(pb.GetConversationsHasReadAndMaxSeqResp, env.data) : null };
    }

    async lastMessage(conversationIDs, userID = this.userID) {
        const env = await this.request(1007, encode(pb.GetLastMessageReq, { userID, conversationIDs }));
        return { env, resp: env.errCode === 0 ? decode(pb.GetLastMessageResp, env.data) : null };
    }

    async setBackground(isBackground) {
        return this.request(2004, encode(pb.SetAppBackgroundStatusReq, { userID: this.userID, isBackground }));
    }

    async subscribe(subscribeUserID = [], unsubscribeUserID = []) {
        const env = await this.request(2005, encode(pb.SubUserOnlineStatus, { subscribeUserID, unsubscribeUserID }));
        return { env, resp: env.errCode === 0 ? decode(pb.SubUserOnlineStatusTips, env.data) : null };
    }
}

export function clientMsgID() {
    return crypto.randomBytes(16).toString('hex');
}

// A text MsgData the way the SDKs build it (status 1, sendTime 0, msgFrom 100, contentType 101).
export function buildMsg(m) {
    const text = m.text ?? 'hello';
    const o = {
        sendID: m.sendID,
        recvID: m.recvID ?? '',
        groupID: m.groupID ?? '',
        clientMsgID: m.clientMsgID ?? clientMsgID(),
        senderPlatformID: m.senderPlatformID ?? 1,
        senderNickname: m.senderNickname ?? m.sendID,
        sessionType: m.sessionType ?? 1,
        msgFrom: m.msgFrom ?? 100,
        contentType: m.contentType ?? 101,
        content: Buffer.from(m.content ?? JSON.stringify({ content: text })),
        createTime: m.createTime ?? Date.now(),
        sendTime: m.sendTime ?? 0,
        status: m.status ?? 1,
    };
    if (m.options) o.options = m.options;
    if (m.atUserIDList) o.atUserIDList = m.atUserIDList;
    return o;
}

export function siID(a, b) {
    return Buffer.compare(Buffer.from(a), Buffer.from(b)) <= 0 ? `si_${a}_${b}` : `si_${b}_${a}`;
}

// ---------------------------------------------------------------------------------------------
// server setup

const WS_LISTEN_RE = /ws listening on ([^\s]+):(\d+)/;

export async function wsPortOf(server, timeoutMs = 5000) {
    const end = Date.now() + timeoutMs;
    for (;;) {
        const m = WS_LISTEN_RE.exec(server.logs());
        if (m) return Number(m[2]);
        if (Date.now() > end) throw new Error(`no "ws listening on" line:\n${server.logs().slice(-3000)}`);
        await sleep(20);
    }
}

/**
 * Starts ternd (harness options) and returns an env object:
 *   {server, base, wsBase, wsPort, admin, users(...ids) → registers, token(uid, platform),
 *    connect(uid, opts) → GwClient (asserts a successful connect)}
 */
export async function startEnv(opts = {}) {
    const server = await startTernd({ logLevel: 'info', ...opts });
    const wsPort = await wsPortOf(server);
    const env = {
        server,
        base: server.base,
        wsPort,
        wsBase: `ws://127.0.0.1:${wsPort}`,
        admin: await adminToken(server.base),
        tokens: new Map(),
        async register(...ids) {
            await register(server.base, env.admin, ids);
            return ids;
        },
        // A fresh token (issuing one kicks older tokens of that user+platform under policy 1).
        async newToken(uid, platformID = 1) {
            const t = await userToken(server.base, env.admin, uid, platformID);
            env.tokens.set(`${uid}/${platformID}`, t);
            return t;
        },
        async token(uid, platformID = 1) {
            return env.tokens.get(`${uid}/${platformID}`) ?? env.newToken(uid, platformID);
        },
        params(uid, token, platformID = 1, extra = {}) {
            return {
                sendID: uid,
                token,
                platformID,
                operationID: 'op-' + crypto.randomBytes(4).toString('hex'),
                isBackground: 'false',
                ...extra,
            };
        },
        // Connects as a JS SDK (sdkType=js, isMsgResp=true) or Go SDK (gob + gzip) would; asserts
        // success and consumes the hello text frame when isMsgResp is set.
        async connect(uid, { platformID = 1, codec = 'json', gzip = codec === 'gob', msgResp = true, token, extra = {} } = {}) {
            const tok = token ?? (await env.token(uid, platformID));
            const p = env.params(uid, tok, platformID, extra);
            if (codec === 'json') p.sdkType = 'js';
            if (gzip) p.compression = 'gzip';
            if (msgResp) p.isMsgResp = 'true';
            const r = await rawConnect(env.wsBase, p);
            assert.equal(r.kind, 'ws', `connect ${uid}: ${r.kind} ${r.status ?? ''} ${r.body ?? r.error ?? ''}`);
            const c = r.client;
            if (msgResp) {
                const hello = JSON.parse(await c.nextText());
                assert.deepEqual(hello, { errCode: 0, errMsg: '', errDlt: '' });
            }
            return c;
        },
    };
    return env;
}

// A plain HTTP GET (no upgrade headers) to the WS port.
export function httpGet(port, pathAndQuery, headers = {}) {
    return new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port, path: pathAndQuery, headers }, (res) => {
            const chunks = [];
            res.on('data', (d) => chunks.push(d));
            res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
    });
}

export { sleep };

// ---------------------------------------------------------------------------------------------
// raw sockets (for what the ws package will not send: unmasked frames, frames behind the upgrade)

// One client frame. opts: mask (default true), fin (default true), rsv (bits 4-6 value, default 0).
export function wsFrame(opcode, payload = Buffer.alloc(0), { mask = true, fin = true, rsv = 0 } = {}) {
    const p = Buffer.from(payload);
    const head = [(fin ? 0x80 : 0) | (rsv << 4) | opcode];
    const m = mask ? 0x80 : 0;
    if (p.length < 126) head.push(m | p.length);
    else if (p.length < 65536) head.push(m | 126, p.length >> 8, p.length & 0xff);
    else {
        head.push(m | 127, 0, 0, 0, 0);
        const n = p.length;
        head.push((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
    }
    if (!mask) return Buffer.concat([Buffer.from(head), p]);
    const key = crypto.randomBytes(4);
    const body = Buffer.from(p);
    for (let i = 0; i < body.length; i++) body[i] ^= key[i & 3];
    return Buffer.concat([Buffer.from(head), key, body]);
}

export function upgradeRequest(pathAndQuery, extraHeaders = {}) {
    let s = `GET ${pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` + `Sec-WebSocket-Key: ${crypto.randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n`;
    for (const [k, v] of Object.entries(extraHeaders)) s += `${k}: ${v}\r\n`;
    return Buffer.from(s + '\r\n');
}

/**
 * A raw TCP client: write(bytes); status (HTTP status once the response head arrived); frames
 * (server frames parsed after the head: {opcode, fin, payload}); ended (TCP closed by the server).
 */
export class RawWs {
    constructor(port) {
        this.sock = net.connect(port, '127.0.0.1');
        this.buf = Buffer.alloc(0);
        this.head = null;
        this.status = null;
        this.frames = [];
        this.ended = false;
        this.waiters = new Set();
        this.sock.on('data', (d) => {
            this.buf = Buffer.concat([this.buf, d]);
            this._parse();
            for (const w of [...this.waiters]) w();
        });
        const end = () => {
            this.ended = true;
            for (const w of [...this.waiters]) w();
        };
        this.sock.on('end', end);
        this.sock.on('close', end);
        this.sock.on('error', () => {});
        this.connected = new Promise((r) => this.sock.once('connect', r));
    }
    write(b) {
        this.sock.write(b);
    }
    _parse() {
        if (!this.head) {
            const i = this.buf.indexOf('\r\n\r\n');
            if (i < 0) return;
            this.head = this.buf.subarray(0, i).toString('latin1');
            this.status = Number(/^HTTP\/1\.1 (\d+)/.exec(this.head)?.[1]);
            this.buf = this.buf.subarray(i + 4);
            if (this.status !== 101) return;
        }
        if (this.status !== 101) return;
        for (;;) {
            if (this.buf.length < 2) return;
            const b0 = this.buf[0];
            const b1 = this.buf[1];
            let len = b1 & 0x7f;
            let off = 2;
            if (len === 126) {
                if (this.buf.length < 4) return;
                len = this.buf.readUInt16BE(2);
                off = 4;
            } else if (len === 127) {
                if (this.buf.length < 10) return;
                len = Number(this.buf.readBigUInt64BE(2));
                off = 10;
            }
            if (this.buf.length < off + len) return;
            this.frames.push({ fin: !!(b0 & 0x80), opcode: b0 & 0x0f, masked: !!(b1 & 0x80), payload: Buffer.from(this.buf.subarray(off, off + len)) });
            this.buf = this.buf.subarray(off + len);
        }
    }
    waitUntil(fn, timeoutMs = 5000, what = 'condition') {
        return new Promise((resolve, reject) => {
            const check = () => {
                const v = fn();
                if (v) {
                    clearTimeout(t);
                    this.waiters.delete(check);
                    resolve(v);
                }
            };
            const t = setTimeout(() => {
                this.waiters.delete(check);
                reject(new Error(`timed out waiting for ${what}; status ${this.status}, frames ${JSON.stringify(this.frames.map((f) => [f.opcode, f.payload.toString('latin1').slice(0, 80)]))}, ended ${this.ended}`));
            }, timeoutMs);
            this.waiters.add(check);
            check();
        });
    }
    waitEnded(timeoutMs = 5000) {
        return this.waitUntil(() => this.ended, timeoutMs, 'TCP close');
    }
    destroy() {
        this.sock.destroy();
    }
}
