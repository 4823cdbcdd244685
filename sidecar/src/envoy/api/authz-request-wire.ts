import { Reader } from '../../../../common/protowire.js';
import type { AuthzRequest } from '../domain/authz.js';

/**
 * A direct decoder for envoy.service.auth.v3.CheckRequest that keeps only what ext_authz reads: method, path,
 * context_extensions and the few headers named in `wanted` (compared case-insensitively on the bytes). Envoy sends
 * every request header, the peers' addresses, a timestamp and metadata; the generic codec turns all of it into
 * objects and strings on each call, this skips it on the wire. The result equals `flattenCheckRequest` of the
 * generic decoding, restricted to the wanted headers (tests/edge/authz-request-wire.test.ts).
 *
 * Field numbers: external_auth.proto (CheckRequest.attributes = 1), attribute_context.proto (request = 4,
 * context_extensions = 10; Request.http = 2; HttpRequest method = 2, headers = 3, path = 4, header_map = 13),
 * config/core/v3/base.proto (HeaderMap.headers = 1; HeaderValue key = 1, value = 2, raw_value = 3).
 */
export function envoyCheckRequestDecoder(wanted: readonly string[]): (buf: Buffer) => AuthzRequest {
  const names = [...new Set(wanted.map((n) => n.toLowerCase()))];
  const nameBytes = names.map((n) => Buffer.from(n, 'latin1'));

  /** The wanted name these bytes spell (ASCII case-insensitive), if any. */
  function wantedName(buf: Buffer, start: number, end: number): string | undefined {
    const length = end - start;
    for (let i = 0; i < nameBytes.length; i++) {
      const name = nameBytes[i];
      if (name.length !== length) continue;
      let j = 0;
      while (j < length) {
        const b = buf[start + j];
        if ((b >= 0x41 && b <= 0x5a ? b + 32 : b) !== name[j]) break;
        j++;
      }
      if (j === length) return names[i];
    }
    return undefined;
  }

  return (buf: Buffer): AuthzRequest => {
    const r = new Reader(buf);
    const out: { method?: string; path?: string; headers: Map<string, string>; contextExtensions: Record<string, string> } = { headers: new Map(), contextExtensions: {} };
    let fromHeaderMap: Map<string, string> | undefined;
    let sawHttp = false;

    /** The end of the nested message that starts here; the reader stays at its first byte. */
    const enter = (): number => {
      const end = r.varint() + r.pos;
      if (end > buf.length) throw new Error('malformed CheckRequest: a nested message overruns the buffer');
      return end;
    };
    const message = (end: number, field: (tag: number, wireType: number) => boolean) => {
      while (r.pos < end) {
        const key = r.varint();
        if (!field(key >>> 3, key & 7)) r.skip(key & 7);
      }
      if (r.pos !== end) throw new Error('malformed CheckRequest: a nested message overruns its length');
    };
    /**
     * A map<string,string> entry or a HeaderValue: key = 1, value = 2 (raw_value = 3 when `raw`, used when value is
     * empty), as byte ranges, so that the headers nobody reads never become strings. The last occurrence of a field
     * wins, as in protobuf. Returns [keyStart, keyEnd, valueStart, valueEnd].
     */
    const pair = (end: number, raw: boolean): [number, number, number, number] => {
      let keyStart = 0;
      let keyEnd = 0;
      let valueStart = 0;
      let valueEnd = 0;
      let rawStart = 0;
      let rawEnd = 0;
      while (r.pos < end) {
        const key = r.varint();
        const tag = key >>> 3;
        if ((key & 7) !== 2) r.skip(key & 7);
        else if (tag === 1) [keyStart, keyEnd] = r.delimited();
        else if (tag === 2) [valueStart, valueEnd] = r.delimited();
        else if (tag === 3 && raw) [rawStart, rawEnd] = r.delimited();
        else r.skip(2);
      }
      if (r.pos !== end) throw new Error('malformed CheckRequest: a nested message overruns its length');
      return valueEnd > valueStart ? [keyStart, keyEnd, valueStart, valueEnd] : [keyStart, keyEnd, rawStart, rawEnd];
    };
    const header = (end: number, raw: boolean, into: Map<string, string>) => {
      const [keyStart, keyEnd, valueStart, valueEnd] = pair(end, raw);
      const name = wantedName(buf, keyStart, keyEnd);
      if (name !== undefined) into.set(name, buf.toString('utf8', valueStart, valueEnd));
    };
    const http = (end: number) => {
      sawHttp = true;
      message(end, (tag, wireType) => {
        if (wireType !== 2) return false;
        if (tag === 2) out.method = r.string();
        else if (tag === 4) out.path = r.string();
        else if (tag === 3) header(enter(), false, out.headers);
        else if (tag === 13) {
          const map = (fromHeaderMap ??= new Map());
          message(enter(), (t, w) => {
            if (t !== 1 || w !== 2) return false;
            header(enter(), true, map);
            return true;
          });
        } else return false;
        return true;
      });
    };
    message(buf.length, (tag, wireType) => {
      if (tag !== 1 || wireType !== 2) return false;
      message(enter(), (t, w) => {
        if (w !== 2) return false;
        if (t === 4) {
          message(enter(), (t2, w2) => {
            if (t2 !== 2 || w2 !== 2) return false;
            http(enter());
            return true;
          });
        } else if (t === 10) {
          const [keyStart, keyEnd, valueStart, valueEnd] = pair(enter(), false);
          out.contextExtensions[buf.toString('utf8', keyStart, keyEnd)] = buf.toString('utf8', valueStart, valueEnd);
        } else return false;
        return true;
      });
      return true;
    });
    if (fromHeaderMap) for (const [name, value] of fromHeaderMap) out.headers.set(name, value);
    return { method: sawHttp ? (out.method ?? '') : 'GET', path: sawHttp ? (out.path ?? '') : '/', headers: out.headers, contextExtensions: out.contextExtensions };
  };
}
