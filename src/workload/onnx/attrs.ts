/** Node attributes by name, with ONNX's defaults supplied by the caller. */
import { num, type AttributeProto, type NodeProto, type TensorProto } from './proto.js';

export class Attrs {
  private readonly byName = new Map<string, AttributeProto>();
  constructor(node: NodeProto) {
    for (const a of node.attribute ?? []) if (a.name) this.byName.set(a.name, a);
  }
  has(name: string): boolean {
    return this.byName.has(name);
  }
  int(name: string, dflt: number): number {
    const a = this.byName.get(name);
    return a ? num(a.i) : dflt;
  }
  float(name: string, dflt: number): number {
    const a = this.byName.get(name);
    return a ? (a.f ?? dflt) : dflt;
  }
  ints(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a ? (a.ints ?? []).map(num) : undefined;
  }
  floats(name: string): number[] | undefined {
    const a = this.byName.get(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }
  string(name: string, dflt: string): string {
    const a = this.byName.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : dflt;
  }
  tensor(name: string): TensorProto | undefined {
    return this.byName.get(name)?.t ?? undefined;
  }
  /** the first attribute present among `names` (Constant's value / value_float / value_ints ...) */
  first(names: readonly string[]): AttributeProto | undefined {
    for (const n of names) {
      const a = this.byName.get(n);
      if (a) return a;
    }
    return undefined;
  }
}
