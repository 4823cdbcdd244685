import { status, type Metadata } from '@grpc/grpc-js';
import { timingSafeEqual } from 'node:crypto';
import { hashApiKey, parseApiKey } from '../../../common/api-key.js';
import { ServerError } from '../../../common/grpc-errors.js';
import type { SnapshotSource } from '../ports.js';

/** Who is calling the sidecar. */
export type Caller =
  | { kind: 'local' }
  | { kind: 'service'; id: string }
  | { kind: 'tenant'; tenantId: string; keyId: string };

export interface CallerAuthSettings {
  /** SHA-256 (hex) of service tokens; a service may act for any tenant. */
  serviceTokens: Array<{ id: string; sha256: string }>;
  /** Calls without credentials over the unix socket or loopback TCP are trusted (the host is the boundary). */
  trustLocal: boolean;
  /** Every listener is loopback or a unix socket, so no peer can be remote (the per-call peer lookup is skipped). */
  listenersLocal?: boolean;
}

const LOCAL: Caller = { kind: 'local' };

/**
 * Authenticates callers from `authorization: Bearer …` or `x-api-key`: a tenant API key (acts for its own tenant
 * only) or a service token (any tenant). Without credentials, only local callers are let in, and only when
 * `trust_local` is on. Presented credentials must be valid, local or not.
 */
export class CallerAuth {
  constructor(
    private readonly settings: CallerAuthSettings,
    private readonly snapshots: SnapshotSource,
  ) {}

  /** `peer` as grpc-js reports it ("unknown" for a unix socket) or an HTTP socket's remote address. */
  identify(credential: string | undefined, peer: string): Caller {
    if (credential) return this.fromCredential(credential);
    if (this.settings.trustLocal && this.isLocal(peer)) return LOCAL;
    throw new ServerError(status.UNAUTHENTICATED, 'credentials required: send "authorization: Bearer <API key or service token>" (or x-api-key)');
  }

  /** A call from grpc-js, or from the fast path (grpc-fast-unary.ts), whose `header()` skips building Metadata. */
  identifyCall(call: { metadata: Metadata; getPeer(): string; header?(name: string): string | undefined }): Caller {
    const credential = call.header ? credentialFrom((name) => call.header!(name)) : metadataCredential(call.metadata);
    if (!credential && this.settings.trustLocal && this.settings.listenersLocal) return LOCAL;
    return this.identify(credential, call.getPeer());
  }

  /** Peers are few (one per connection), calls many: parse each peer address once. */
  private readonly localPeers = new Map<string, boolean>();
  private isLocal(peer: string): boolean {
    let local = this.localPeers.get(peer);
    if (local === undefined) {
      if (this.localPeers.size > 10_000) this.localPeers.clear();
      local = isLocalPeer(peer);
      this.localPeers.set(peer, local);
    }
    return local;
  }

  /** Throws PERMISSION_DENIED when a tenant-scoped caller names another tenant. */
  requireTenant(caller: Caller, tenantId: string, field = 'tenant_id'): void {
    const denied = this.tenantDenied(caller, tenantId, field);
    if (denied) throw denied;
  }

  tenantDenied(caller: Caller, tenantId: string, field = 'tenant_id'): ServerError | undefined {
    if (caller.kind !== 'tenant' || caller.tenantId === tenantId) return undefined;
    return new ServerError(status.PERMISSION_DENIED, `${field}: this API key belongs to another tenant and cannot act for "${tenantId}"`, field);
  }

  private fromCredential(credential: string): Caller {
    if (parseApiKey(credential)) {
      const owner = this.snapshots.tenantForKeyHash(hashApiKey(credential));
      if (!owner) throw new ServerError(status.UNAUTHENTICATED, 'unknown or revoked API key');
      return { kind: 'tenant', tenantId: owner.tenantId, keyId: owner.keyId };
    }
    const digest = Buffer.from(hashApiKey(credential), 'hex');
    for (const token of this.settings.serviceTokens) {
      if (timingSafeEqual(digest, Buffer.from(token.sha256, 'hex'))) return { kind: 'service', id: token.id };
    }
    throw new ServerError(status.UNAUTHENTICATED, 'invalid credentials: neither a known API key nor a service token');
  }
}

/** The bearer token or x-api-key from gRPC metadata or HTTP headers. */
export function credentialFrom(header: (name: string) => string | undefined): string | undefined {
  const authorization = header('authorization');
  if (authorization) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return m ? m[1] : authorization;
  }
  return header('x-api-key') || undefined;
}

/**
 * The credential of a gRPC call. Metadata.get() lower-cases and validates the key and allocates an empty array
 * for a missing one, twice per call; grpc-js keeps received keys lower-cased in `internalRepr`, so when that map is
 * there it is read directly (most calls carry neither header), else through get().
 */
function metadataCredential(metadata: Metadata): string | undefined {
  const repr = (metadata as unknown as { internalRepr?: unknown }).internalRepr;
  if (repr instanceof Map) {
    if (!repr.has('authorization') && !repr.has('x-api-key')) return undefined;
    return credentialFrom((name) => (repr.get(name) as unknown[] | undefined)?.[0]?.toString());
  }
  return credentialFrom((name) => metadata.get(name)[0]?.toString());
}

export function isLocalPeer(peer: string): boolean {
  if (peer === 'unknown' || peer.startsWith('unix:') || peer === '') return true;
  // "[v6]:port" (grpc-js), a bare IPv6 address (an HTTP socket's remoteAddress), or "v4:port" / "v4".
  const colons = peer.split(':').length - 1;
  const host = peer.startsWith('[') ? peer.slice(1, peer.indexOf(']')) : colons > 1 ? peer : peer.split(':')[0];
  return host.startsWith('127.') || host === '::1' || host.startsWith('::ffff:127.');
}
