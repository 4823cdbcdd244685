import type { SidecarModule } from '../ports.js';

/** Usage ingestion: UsageService, POST /v1/events, spool and shipper. */
export function usageModule(): SidecarModule | undefined {
  return undefined;
}
