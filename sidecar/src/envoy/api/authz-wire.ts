import { utf8Length, Writer } from '../../../../common/protowire.js';
import type { EnvoyCheckResponse, EnvoyHeaderValueOption } from '../domain/authz.js';

/**
 * A direct encoder for envoy.service.auth.v3.CheckResponse, the ext_authz answer sent for every request Envoy sees:
 * the generic codec's per-message object conversion of eight nested header options cost more than the decision.
 * Field numbers are Envoy's (external_auth.proto, config/core/v3/base.proto, type/v3/http_status.proto,
 * google/rpc/status.proto); tested against the generic codec (tests/edge/authz-wire.test.ts).
 */
const APPEND_ACTIONS: Record<EnvoyHeaderValueOption['appendAction'], number> = { OVERWRITE_IF_EXISTS_OR_ADD: 2 };

const writer = new Writer();

function varintField(w: Writer, field: number, value: number): void {
  if (!value) return;
  w.varint(field << 3);
  w.varint(value);
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    size++;
  }
  return size;
}

/** Size of a length-delimited string field, 0 when empty (proto3 omits it). */
function stringFieldSize(value: string): number {
  if (!value) return 0;
  const bytes = utf8Length(value);
  return 1 + varintSize(bytes) + bytes;
}

/**
 * HeaderValueOption{header: HeaderValue{key, value}, append_action} with both lengths computed up front: these are
 * most of the response, and writing them through `nested` cost two closures and two moves per header.
 */
function headerOptions(w: Writer, field: number, options: readonly EnvoyHeaderValueOption[]): void {
  for (const option of options) {
    const { key, value } = option.header;
    const headerSize = stringFieldSize(key) + stringFieldSize(value);
    const action = APPEND_ACTIONS[option.appendAction];
    const optionSize = 1 + varintSize(headerSize) + headerSize + (action ? 1 + varintSize(action) : 0);
    w.varint((field << 3) | 2);
    w.varint(optionSize);
    w.varint((1 << 3) | 2);
    w.varint(headerSize);
    w.string((1 << 3) | 2, key);
    w.string((2 << 3) | 2, value);
    varintField(w, 3, action);
  }
}

export function encodeEnvoyCheckResponse(response: EnvoyCheckResponse): Buffer {
  const w = writer;
  w.pos = 0;
  w.nested((1 << 3) | 2, () => {
    varintField(w, 1, response.status.code);
    w.string((2 << 3) | 2, response.status.message);
  });
  const denied = response.deniedResponse;
  const ok = response.okResponse;
  if (denied) {
    w.nested((2 << 3) | 2, () => {
      w.nested((1 << 3) | 2, () => varintField(w, 1, denied.status.code));
      headerOptions(w, 2, denied.headers);
      w.string((3 << 3) | 2, denied.body);
    });
  } else if (ok) {
    w.nested((3 << 3) | 2, () => {
      headerOptions(w, 2, ok.headers);
      for (const name of ok.headersToRemove) w.string((5 << 3) | 2, name);
      headerOptions(w, 6, ok.responseHeadersToAdd);
    });
  }
  return Buffer.from(w.finish());
}
