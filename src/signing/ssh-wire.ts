/**
 * SSH's wire encoding (RFC 4251 §5): big-endian uint32 lengths before byte strings and mpints.
 * Every format here (public keys, private key files, SSHSIG) is built from these.
 */

/** A malformed encoding; `what` names the structure being read, for the caller's message. */
export class SshFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SshFormatError";
  }
}

export class SshReader {
  private offset = 0;

  constructor(
    private readonly bytes: Buffer,
    private readonly what: string,
  ) {}

  get done(): boolean {
    return this.offset >= this.bytes.length;
  }

  uint32(): number {
    if (this.offset + 4 > this.bytes.length) throw new SshFormatError(`${this.what} ends early`);
    const value = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  raw(length: number): Buffer {
    if (this.offset + length > this.bytes.length) throw new SshFormatError(`${this.what} ends early`);
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  string(): Buffer {
    return this.raw(this.uint32());
  }

  text(): string {
    return this.string().toString("utf8");
  }

  /** The bytes not read yet. */
  rest(): Buffer {
    const value = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return value;
  }

  /** Fails unless everything was read: trailing bytes mean the structure is not what it claims. */
  end(): void {
    if (!this.done)
      throw new SshFormatError(`${this.what} has ${this.bytes.length - this.offset} unexpected trailing bytes`);
  }
}

export function sshString(value: string | Uint8Array): Buffer {
  const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function sshUint32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}

/** An mpint's magnitude without the sign byte: the unsigned big-endian integer. */
export function unsignedMpint(value: Buffer): Buffer {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start++;
  return value.subarray(start);
}
