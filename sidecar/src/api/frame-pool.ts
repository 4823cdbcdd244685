import type { FrameMemory } from '../../../common/local-call-wire.js';

/** Frames below this arrive whole or are cheap to join; above it, joining into fresh memory was the garbage. */
const MIN_POOLED_FRAME = 16 * 1024;
/** Memory of an unusually large frame is left to the collector rather than kept. */
const MAX_POOLED_BUFFER = 1 << 20;

/**
 * Memory for request frames of the local call protocol that arrive in several chunks (ReportBatch calls of a few
 * hundred KB), reused once their call is answered. It is shared memory, so that the usage scan worker reads such a
 * request where it lies (scan-worker.ts) instead of getting a copy.
 */
export class SharedFramePool implements FrameMemory {
  readonly minBytes = MIN_POOLED_FRAME;
  private readonly free: SharedArrayBuffer[] = [];
  private freeBytes = 0;

  constructor(private readonly maxFreeBytes = 32 << 20) {}

  take(bytes: number): Buffer {
    for (let i = this.free.length - 1; i >= 0; i--) {
      if (this.free[i].byteLength < bytes) continue;
      const [memory] = this.free.splice(i, 1);
      this.freeBytes -= memory.byteLength;
      return Buffer.from(memory, 0, bytes);
    }
    return Buffer.from(new SharedArrayBuffer(Math.max(bytes, 256 * 1024)), 0, bytes);
  }

  /** A frame take() gave (any other is ignored) whose call is answered: nothing refers to it any more. */
  give(frame: Buffer): void {
    const memory = frame.buffer;
    if (!(memory instanceof SharedArrayBuffer) || memory.byteLength > MAX_POOLED_BUFFER || this.freeBytes + memory.byteLength > this.maxFreeBytes) return;
    this.free.push(memory);
    this.freeBytes += memory.byteLength;
  }
}
