import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { resolve } from 'node:path';
import { protoDir } from './paths.js';
import type { ProtoGrpcType as QuotaProto } from '../proto/gen/quota.js';
import type { ProtoGrpcType as UsageProto } from '../proto/gen/usage.js';
import type { ProtoGrpcType as LedgerProto } from '../proto/gen/ledger.js';

/** Must match the flags of `npm run gen:proto`, or the generated types lie. */
export const protoLoaderOptions: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

export function tollgateProtoFile(name: string): string {
  return resolve(protoDir, 'tollgate/v1', name);
}

export function loadDefinition(files: string[], includeDirs: string[] = [protoDir]): protoLoader.PackageDefinition {
  return protoLoader.loadSync(files, { ...protoLoaderOptions, includeDirs });
}

export function loadQuotaProto(): { definition: protoLoader.PackageDefinition; proto: QuotaProto } {
  const definition = loadDefinition([tollgateProtoFile('quota.proto')]);
  return { definition, proto: grpc.loadPackageDefinition(definition) as unknown as QuotaProto };
}

export function loadUsageProto(): { definition: protoLoader.PackageDefinition; proto: UsageProto } {
  const definition = loadDefinition([tollgateProtoFile('usage.proto')]);
  return { definition, proto: grpc.loadPackageDefinition(definition) as unknown as UsageProto };
}

export function loadLedgerProto(): { definition: protoLoader.PackageDefinition; proto: LedgerProto } {
  const definition = loadDefinition([tollgateProtoFile('ledger.proto')]);
  return { definition, proto: grpc.loadPackageDefinition(definition) as unknown as LedgerProto };
}
