import { describe, expect, it } from 'vitest';
import { DEFAULT_HEAP_GROWING_PERCENT, heapGrowingPercent } from './heap-growth.js';

describe('heapGrowingPercent', () => {
  it('defaults to 300 % and takes a whole number from 0 to 1000 from TOLLGATE_HEAP_GROWING_PERCENT', () => {
    expect(heapGrowingPercent({})).toBe(DEFAULT_HEAP_GROWING_PERCENT);
    expect(DEFAULT_HEAP_GROWING_PERCENT).toBe(300);
    expect(heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: '' })).toBe(300);
    expect(heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: '0' })).toBe(0);
    expect(heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: '150' })).toBe(150);
    expect(heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: '1000' })).toBe(1000);
  });

  it('refuses anything else, naming the variable and the value', () => {
    for (const bad of ['-1', '1001', '2.5', 'lots', ' 300', '1e3']) {
      expect(() => heapGrowingPercent({ TOLLGATE_HEAP_GROWING_PERCENT: bad })).toThrow(
        `TOLLGATE_HEAP_GROWING_PERCENT must be a whole number from 0 to 1000 (0 = V8's own heuristics), got "${bad}"`,
      );
    }
  });
});
