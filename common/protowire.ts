/**
 * Minimal protobuf wire reading and writing for hot paths where protobufjs's decode + toObject (two objects per
 * message, int64s through Long/string) costs more than the work itself. Each user is tested against the generic codec.
 */

export class WireError extends Error {
  override name = 'WireError';
}

export class Reader {
  pos: number;
  constructor(
    readonly buf: Buffer,
    start = 0,
    readonly end = buf.length,
  ) {
    this.pos = start;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const byte = this.buf[this.pos++];
      if (shift < 28) result |= (byte & 0x7f) << shift;
      else result += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return result;
      shift += 7;
      if (shift > 63) throw new WireError('varint too long');
    }
  }

  /**
   * An int64 as the decimal string protobufjs would give with `longs: String`: exact at any size, negative values
   * included (ten-byte two's complement varints).
   */
  int64String(): string {
    const start = this.pos;
    let small = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new WireError('truncated varint');
      const byte = this.buf[this.pos++];
      if (shift < 49) small += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) break;
      shift += 7;
      if (shift > 63) throw new WireError('varint too long');
    }
    if (this.pos - start <= 7) return String(small);
    let big = 0n;
    for (let i = this.pos - 1; i >= start; i--) big = (big << 7n) | BigInt(this.buf[i] & 0x7f);
    return BigInt.asIntN(64, big).toString();
  }

  /** Start and end of a length-delimited field's bytes. */
  delimited(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    const end = start + length;
    if (end > this.end) throw new WireError('truncated field');
    this.pos = end;
    return [start, end];
  }

  string(): string {
    const [start, end] = this.delimited();
    return this.buf.toString('utf8', start, end);
  }

  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.varint();
        return;
      case 1:
        this.pos += 8;
        break;
      case 2:
        this.delimited();
        return;
      case 5:
        this.pos += 4;
        break;
      default:
        throw new WireError(`unsupported wire type ${wireType}`);
    }
    if (this.pos > this.end) throw new WireError('truncated field');
  }
}

/** UTF-8 length of a string, counted in JS for short ASCII strings (see Writer.string). */
export function utf8Length(value: string): number {
  const length = value.length;
  if (length < 128) {
    let i = 0;
    while (i < length && value.charCodeAt(i) <= 0x7f) i++;
    if (i === length) return length;
  }
  return Buffer.byteLength(value);
}

export class Writer {
  private buf: Buffer;
  pos = 0;

  /** `initialBytes`: a good guess of the final size saves growing (and garbage). */
  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialBytes));
  }

  private ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  varint(value: number): void {
    this.ensure(10);
    let v = value;
    if (v < 0) {
      // int32 negatives are ten-byte two's complement varints.
      let big = BigInt.asUintN(64, BigInt(v));
      while (big >= 0x80n) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.pos++] = v;
  }

  string(tag: number, value: string): void {
    if (!value) return;
    const length = value.length;
    if (length < 128) {
      // Short ASCII strings (ids, header names, numbers) are copied in JS: Buffer.byteLength and buf.write are two
      // calls into C++ each, which cost more than the copy itself at this size.
      this.ensure(length + 11);
      const at = this.pos;
      let i = 0;
      this.varint(tag);
      const lengthAt = this.pos;
      let p = lengthAt + 1;
      for (; i < length; i++) {
        const c = value.charCodeAt(i);
        if (c > 0x7f) break;
        this.buf[p++] = c;
      }
      if (i === length) {
        this.buf[lengthAt] = length;
        this.pos = p;
        return;
      }
      this.pos = at;
    }
    const bytes = Buffer.byteLength(value);
    this.varint(tag);
    this.varint(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(value, this.pos, 'utf8');
  }

  /** Bytes as they are (an already encoded field or part of one). */
  raw(src: Buffer, start = 0, end = src.length): void {
    this.ensure(end - start);
    for (let i = start; i < end; i++) this.buf[this.pos++] = src[i];
  }

  /** Writes a nested message: tag, then its length once `body` has written it. */
  nested(tag: number, body: () => void): void {
    this.varint(tag);
    // Reserve 5 bytes for the length, then move the body left if the length needs fewer.
    this.ensure(5);
    const lengthAt = this.pos;
    this.pos += 5;
    const start = this.pos;
    body();
    const length = this.pos - start;
    let lengthBytes = 1;
    while (length >= 2 ** (7 * lengthBytes)) lengthBytes++;
    this.buf.copy(this.buf, lengthAt + lengthBytes, start, this.pos);
    let v = length;
    let at = lengthAt;
    while (v >= 0x80) {
      this.buf[at++] = (v & 0x7f) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[at] = v;
    this.pos = lengthAt + lengthBytes + length;
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
