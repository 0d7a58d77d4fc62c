// Bump allocator. The SDK resets the heap pointer before every evaluation and never frees, so
// neither do we: `alloc` only moves the pointer forward, growing memory as needed up to HEAP_LIMIT.
import { HEAP_BASE, HEAP_LIMIT, opa_abort } from "./env";

let heapPtr: usize = 0;

// @ts-ignore: decorator
@inline
function current(): usize {
  return heapPtr == 0 ? HEAP_BASE : heapPtr;
}

export function heapGet(): usize {
  return current();
}

export function heapSet(ptr: usize): void {
  heapPtr = ptr;
}

const OOM = memory.data<u8>([
  0x6f, 0x75, 0x74, 0x20, 0x6f, 0x66, 0x20, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x3a, 0x20, // "out of memory: "
  0x70, 0x6f, 0x6c, 0x69, 0x63, 0x79, 0x20, 0x65, 0x76, 0x61, 0x6c, 0x75, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x20, // "policy evaluation "
  0x65, 0x78, 0x63, 0x65, 0x65, 0x64, 0x65, 0x64, 0x20, 0x74, 0x68, 0x65, 0x20, // "exceeded the "
  0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x20, 0x6c, 0x69, 0x6d, 0x69, 0x74, 0x00, // "memory limit\0"
]);

function grow(end: usize): void {
  if (end > HEAP_LIMIT) {
    opa_abort(OOM);
    unreachable();
  }
  const have = (<usize>memory.size()) << 16;
  let pages = <i32>((end - have + 0xffff) >>> 16);
  // Grow geometrically to keep the number of grow calls small.
  const half = memory.size() >> 1;
  if (pages < half) pages = half;
  const maxPages = <i32>((HEAP_LIMIT + 0xffff) >>> 16) - memory.size();
  if (pages > maxPages) pages = maxPages;
  if (memory.grow(pages) < 0) {
    opa_abort(OOM);
    unreachable();
  }
}

/**
 * Bytes kept addressable after the end of the heap, so that code may read 8 bytes at once from
 * any value (e.g. a string's first 8 bytes) without a bounds check.
 */
export const SLACK: usize = 8;

/** Allocates `size` bytes, 8-byte aligned, uninitialised. Inlined: it is the hottest call. */
// @ts-ignore: decorator
@inline
export function alloc(size: usize): usize {
  const p = (current() + 7) & ~(<usize>7);
  const end = p + size;
  if (end < p || end > ((<usize>memory.size()) << 16) - SLACK) grow(end < p || end > <usize>-1 - SLACK ? <usize>-1 : end + SLACK);
  heapPtr = end;
  return p;
}

/** Allocates `size` zeroed bytes. */
export function allocZero(size: usize): usize {
  const p = alloc(size);
  memory.fill(p, 0, size);
  return p;
}
