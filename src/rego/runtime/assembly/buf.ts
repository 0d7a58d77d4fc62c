// A growable byte buffer on the heap, used to build strings, JSON text and error messages.
// Layout: u32 data pointer @0, u32 length @4, u32 capacity @8.
import { alloc } from "./mem";

export function bufNew(cap: u32): usize {
  if (cap < 16) cap = 16;
  const b = alloc(12);
  store<u32>(b, <u32>alloc(cap), 0);
  store<u32>(b, 0, 4);
  store<u32>(b, cap, 8);
  return b;
}

// @ts-ignore: decorator
@inline
export function bufPtr(b: usize): usize {
  return <usize>load<u32>(b, 0);
}

// @ts-ignore: decorator
@inline
export function bufLen(b: usize): u32 {
  return load<u32>(b, 4);
}

export function bufSetLen(b: usize, len: u32): void {
  store<u32>(b, len, 4);
}

/** Makes room for `n` more bytes and returns the address where they go (length not yet advanced). */
export function bufReserve(b: usize, n: u32): usize {
  const len = load<u32>(b, 4);
  let cap = load<u32>(b, 8);
  if (len + n > cap) {
    while (len + n > cap) cap <<= 1;
    const p = alloc(cap);
    memory.copy(p, <usize>load<u32>(b, 0), len);
    store<u32>(b, <u32>p, 0);
    store<u32>(b, cap, 8);
  }
  return <usize>load<u32>(b, 0) + len;
}

function bufByteGrow(b: usize, c: u32): void {
  const p = bufReserve(b, 1);
  store<u8>(p, <u8>c);
  store<u32>(b, load<u32>(b, 4) + 1, 4);
}

// @ts-ignore: decorator
@inline
export function bufByte(b: usize, c: u32): void {
  const len = load<u32>(b, 4);
  if (len < load<u32>(b, 8)) {
    store<u8>(<usize>load<u32>(b, 0) + len, <u8>c);
    store<u32>(b, len + 1, 4);
  } else bufByteGrow(b, c);
}

export function bufBytes(b: usize, src: usize, n: u32): void {
  if (n == 0) return;
  const p = bufReserve(b, n);
  memory.copy(p, src, n);
  store<u32>(b, load<u32>(b, 4) + n, 4);
}

/** Appends an ASCII AssemblyScript string literal (UTF-16 code units truncated to bytes). */
export function bufStr(b: usize, s: string): void {
  const n = <u32>s.length;
  const p = bufReserve(b, n);
  const src = changetype<usize>(s);
  for (let i: u32 = 0; i < n; i++) store<u8>(p + i, <u8>load<u16>(src + (<usize>i << 1)));
  store<u32>(b, load<u32>(b, 4) + n, 4);
}

export function bufU64(b: usize, v: u64): void {
  const tmp = bufReserve(b, 20);
  let n: u32 = 0;
  do {
    store<u8>(tmp + n, <u8>(48 + <u32>(v % 10)));
    v /= 10;
    n++;
  } while (v != 0);
  // digits are reversed
  for (let i: u32 = 0, j = n - 1; i < j; i++, j--) {
    const t = load<u8>(tmp + i);
    store<u8>(tmp + i, load<u8>(tmp + j));
    store<u8>(tmp + j, t);
  }
  store<u32>(b, load<u32>(b, 4) + n, 4);
}

export function bufI64(b: usize, v: i64): void {
  if (v < 0) {
    bufByte(b, 45);
    bufU64(b, <u64>(-(v + 1)) + 1);
  } else {
    bufU64(b, <u64>v);
  }
}

/** NUL-terminates the buffer and returns the address of its bytes. */
export function bufCString(b: usize): usize {
  bufByte(b, 0);
  return bufPtr(b);
}
