import { MetadataParseError } from '../errors.js';

/** ModelProto field numbers (onnx.proto3). */
const METADATA_PROPS_FIELD = 14;
const ENTRY_KEY_FIELD = 1;
const ENTRY_VALUE_FIELD = 2;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/**
 * Reads `ModelProto.metadata_props` (key → value strings) from the bytes of an `.onnx` file. ONNX Runtime's
 * JS bindings do not expose custom metadata, so this walks the top-level protobuf fields and skips the rest
 * (the graph is skipped by length, never decoded). Later duplicates of a key win, as in `onnx.load`.
 *
 * @throws MetadataParseError `ONNX_PROTOBUF_PARSE` when the bytes are not a well-formed protobuf message.
 * @example
 * const meta = readOnnxMetadata(new Uint8Array(await (await fetch('model.onnx')).arrayBuffer()));
 * meta.names // "{0: 'open', 1: 'short', ...}"
 */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  const reader = new ProtoReader(bytes, 0, bytes.length);
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if (field === METADATA_PROPS_FIELD && wire === WIRE_LEN) {
      const [start, end] = reader.lengthDelimited();
      const entry = readEntry(new ProtoReader(bytes, start, end));
      out[entry.key] = entry.value;
    } else {
      reader.skip(wire, field);
    }
  }
  return out;
}

function readEntry(reader: ProtoReader): { key: string; value: string } {
  let key = '';
  let value = '';
  while (!reader.done()) {
    const { field, wire } = reader.tag();
    if ((field === ENTRY_KEY_FIELD || field === ENTRY_VALUE_FIELD) && wire === WIRE_LEN) {
      const text = reader.string();
      if (field === ENTRY_KEY_FIELD) key = text;
      else value = text;
    } else {
      reader.skip(wire, field);
    }
  }
  return { key, value };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A bounded cursor over protobuf wire data (shared by the ONNX readers of this folder). */
export class ProtoReader {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly end: number,
  ) {}

  done(): boolean {
    return this.pos >= this.end;
  }

  tag(): { field: number; wire: number } {
    const at = this.pos;
    const key = this.varint();
    const field = Math.floor(key / 8);
    if (field === 0) this.fail('field number 0', at);
    return { field, wire: key % 8 };
  }

  /** A varint as a JS number (exact up to 2^53, enough for lengths and tags). */
  varint(): number {
    let result = 0;
    let factor = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated varint', this.pos);
      const byte = this.bytes[this.pos++]!;
      result += (byte & 0x7f) * factor;
      if (byte < 0x80) return result;
      factor *= 128;
    }
    return this.fail('varint longer than 10 bytes', this.pos);
  }

  lengthDelimited(): [number, number] {
    const at = this.pos;
    const length = this.varint();
    const start = this.pos;
    if (start + length > this.end) this.fail(`length ${length} runs past the end of the message`, at);
    this.pos = start + length;
    return [start, start + length];
  }

  string(): string {
    const [start, end] = this.lengthDelimited();
    try {
      return utf8.decode(this.bytes.subarray(start, end));
    } catch (cause) {
      return this.fail(`invalid UTF-8 in a string field (${String(cause)})`, start);
    }
  }

  skip(wire: number, field: number): void {
    const at = this.pos;
    if (wire === WIRE_VARINT) this.varint();
    else if (wire === WIRE_LEN) this.lengthDelimited();
    else if (wire === WIRE_I64) this.advance(8, at);
    else if (wire === WIRE_I32) this.advance(4, at);
    else this.fail(`unsupported wire type ${wire} for field ${field}`, at);
  }

  private advance(n: number, at: number): void {
    if (this.pos + n > this.end) this.fail('truncated fixed-width field', at);
    this.pos += n;
  }

  private fail(reason: string, offset: number): never {
    throw new MetadataParseError('ONNX_PROTOBUF_PARSE', `Not a valid ONNX protobuf: ${reason} at byte ${offset}`, { offset, reason });
  }
}
