import type { Server } from '@grpc/grpc-js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import type { TollgateConfig } from '../../common/config/schema.js';
import type { Logger } from '../../common/log.js';
import type { SnapshotSource } from '../../common/snapshot-cache.js';
import type { CallerAuth } from './api/caller-auth.js';
import type { DecisionSink } from './engine/key-state.js';
import type { CheckInput, CommitResult, Decision, EntitlementDecision, Reservation, ReserveInput } from './domain/decision.js';

/** The decision engine as the rest of the sidecar (gRPC, Envoy, usage) sees it. */
export interface Decider {
  check(input: CheckInput): Promise<Decision>;
  /** The same decision, returned synchronously when it needs no Redis call (lease hits, entitlement-only). */
  checkNow(input: CheckInput): Decision | Promise<Decision>;
  /**
   * The same decision without a Promise: returned when no Redis call is needed, else undefined and delivered later
   * as `sink.decided(index, decision)` (CheckBatch answers a whole batch through one sink). Optional: callers fall
   * back to checkNow. `started` is performance.now() when the check arrived.
   */
  decideInto?(input: CheckInput, sink: DecisionSink, index: number, started: number): Decision | undefined;
  checkEntitlement(tenantId: string, featureId: string): EntitlementDecision;
  reserve(input: ReserveInput): Promise<Reservation>;
  commit(tenantId: string, reservationId: string, actual: number): Promise<CommitResult>;
  release(tenantId: string, reservationId: string): Promise<boolean>;
}

export type { SnapshotSource };

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export interface SidecarContext {
  config: TollgateConfig;
  logger: Logger;
  metrics: Registry;
  snapshots: SnapshotSource;
  decider: Decider;
  /** Authenticates callers of every API that reads tenant data or changes state. */
  auth: CallerAuth;
  /** Undefined when the sidecar runs without Redis (embedded, single process). */
  redis?: Redis;
}

/**
 * A part of the sidecar that serves something: it adds gRPC services and HTTP routes, and takes part in start-up
 * and graceful shutdown. An HTTP handler returns true when it handled the request.
 */
export interface SidecarModule {
  name: string;
  start(ctx: SidecarContext, server: Server): Promise<void>;
  http?: HttpHandler;
  /** Called after the servers stopped accepting and in-flight calls drained. */
  stop(): Promise<void>;
  /** Ready for traffic (for /readyz). */
  ready?(): boolean;
}
