// Just enough of the Kubernetes protobuf envelope to read a SelfSubjectAccessReview, because
// `kubectl auth can-i` sends that one request as protobuf (the answer goes back as JSON, which it accepts).

type Fields = Map<number, (Buffer | number)[]>;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
  }
}

function fields(buf: Buffer): Fields {
  const out: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [tag, p1] = readVarint(buf, pos);
    pos = p1;
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let v: Buffer | number;
    if (wire === 0) [v, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [len, p2] = readVarint(buf, pos);
      v = buf.subarray(p2, p2 + len);
      pos = p2 + len;
    } else if (wire === 1) {
      v = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      v = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = out.get(field) ?? [];
    list.push(v);
    out.set(field, list);
  }
  return out;
}

const bytes = (f: Fields, n: number): Buffer | undefined => {
  const v = f.get(n)?.[0];
  return Buffer.isBuffer(v) ? v : undefined;
};
const str = (f: Fields, n: number): string | undefined => bytes(f, n)?.toString('utf8');

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decode a protobuf-encoded SelfSubjectAccessReview into its JSON `spec`. */
export function decodeSsarSpec(body: Buffer): any {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw new Error('missing k8s protobuf magic');
  const unknown = fields(body.subarray(4));
  const raw = bytes(unknown, 2);
  if (!raw) throw new Error('empty protobuf object');
  const review = fields(raw);
  const spec = fields(bytes(review, 2) ?? Buffer.alloc(0));
  const out: any = {};
  const ra = bytes(spec, 1);
  if (ra) {
    const f = fields(ra);
    const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
    out.resourceAttributes = {};
    names.forEach((k, i) => {
      const v = str(f, i + 1);
      if (v) out.resourceAttributes[k] = v;
    });
  }
  const nra = bytes(spec, 2);
  if (nra) {
    const f = fields(nra);
    out.nonResourceAttributes = { path: str(f, 1) ?? '', verb: str(f, 2) ?? '' };
  }
  return out;
}
