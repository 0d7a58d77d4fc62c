// UTF-8 helpers for the string builtins (which count in code points, like Go's []rune).

/**
 * Byte length of the code point at `i`, validated like Go's utf8.DecodeRune: an invalid or
 * truncated sequence counts as one byte (one U+FFFD rune).
 */
export function runeLen(p: usize, n: u32, i: u32): u32 {
  const c = <u32>load<u8>(p + i);
  if (c < 0x80) return 1;
  let len: u32 = 0;
  let lo: u32 = 0x80;
  let hi: u32 = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) lo = 0xa0;
    else if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) lo = 0x90;
    else if (c == 0xf4) hi = 0x8f;
  } else return 1;
  if (i + len > n) return 1;
  const c1 = <u32>load<u8>(p + i + 1);
  if (c1 < lo || c1 > hi) return 1;
  for (let k: u32 = 2; k < len; k++) {
    const ck = <u32>load<u8>(p + i + k);
    if (ck < 0x80 || ck > 0xbf) return 1;
  }
  return len;
}

export function runeCount(p: usize, n: u32): u32 {
  let count: u32 = 0;
  let i: u32 = 0;
  while (i < n) {
    i += load<u8>(p + i) < 0x80 ? 1 : runeLen(p, n, i);
    count++;
  }
  return count;
}

/** Byte offset of rune number `k` (or `n` if there are fewer runes). */
export function runeOffset(p: usize, n: u32, k: u32): u32 {
  let i: u32 = 0;
  while (k > 0 && i < n) {
    i += runeLen(p, n, i);
    k--;
  }
  return i < n ? i : n;
}

let lastSize: u32 = 1;

/** Decodes the code point at byte `i` (U+FFFD if invalid); its byte size is then in `decodedSize()`. */
export function decodeAt(p: usize, n: u32, i: u32): u32 {
  const c = <u32>load<u8>(p + i);
  const len = c < 0x80 ? 1 : runeLen(p, n, i);
  lastSize = len;
  if (len == 1) return c < 0x80 ? c : 0xfffd;
  if (len == 2) return ((c & 0x1f) << 6) | (<u32>load<u8>(p + i + 1) & 0x3f);
  if (len == 3) return ((c & 0x0f) << 12) | ((<u32>load<u8>(p + i + 1) & 0x3f) << 6) | (<u32>load<u8>(p + i + 2) & 0x3f);
  return ((c & 0x07) << 18) | ((<u32>load<u8>(p + i + 1) & 0x3f) << 12) | ((<u32>load<u8>(p + i + 2) & 0x3f) << 6) | (<u32>load<u8>(p + i + 3) & 0x3f);
}

export function decodedSize(): u32 {
  return lastSize;
}

/** Byte index of the first occurrence of `q` (`ql` bytes) in `p` from byte `from`, or -1. */
export function findBytes(p: usize, n: u32, q: usize, ql: u32, from: u32): i32 {
  if (ql == 0) return <i32>from;
  if (ql > n) return -1;
  const first = load<u8>(q);
  for (let i = from; i + ql <= n; i++) {
    if (load<u8>(p + i) == first && memory.compare(p + i, q, ql) == 0) return <i32>i;
  }
  return -1;
}

export function isSpace(cp: u32): bool {
  return (cp >= 9 && cp <= 13) || cp == 32 || cp == 0x85 || cp == 0xa0 || cp == 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) || cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

/** Simple case mapping: ASCII, Latin-1, Latin Extended-A, Greek, Cyrillic. */
export function toUpper(cp: u32): u32 {
  if (cp < 0x80) return cp >= 97 && cp <= 122 ? cp - 32 : cp;
  if (cp >= 0xe0 && cp <= 0xfe && cp != 0xf7) return cp - 32;
  if (cp == 0xff) return 0x178;
  if (cp >= 0x100 && cp <= 0x17f) {
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e)) return (cp & 1) == 0 ? cp - 1 : cp;
    if (cp != 0x131 && cp != 0x138 && cp != 0x149 && cp != 0x17f) return (cp & 1) == 1 ? cp - 1 : cp;
    return cp;
  }
  if (cp >= 0x3b1 && cp <= 0x3c9 && cp != 0x3c2) return cp - 32;
  if (cp >= 0x430 && cp <= 0x44f) return cp - 32;
  if (cp >= 0x450 && cp <= 0x45f) return cp - 80;
  return cp;
}

export function toLower(cp: u32): u32 {
  if (cp < 0x80) return cp >= 65 && cp <= 90 ? cp + 32 : cp;
  if (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) return cp + 32;
  if (cp == 0x178) return 0xff;
  if (cp >= 0x100 && cp <= 0x17f) {
    if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17e)) return (cp & 1) == 1 ? cp + 1 : cp;
    if (cp != 0x130 && cp != 0x138 && cp != 0x149 && cp != 0x17f) return (cp & 1) == 0 ? cp + 1 : cp;
    return cp;
  }
  if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) return cp + 32;
  if (cp >= 0x410 && cp <= 0x42f) return cp + 32;
  if (cp >= 0x400 && cp <= 0x40f) return cp + 80;
  return cp;
}
