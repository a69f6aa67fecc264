/**
 * Built-in networks, as lists of ConvLayer at ImageNet 224x224 (BERT: tokens), batch 1 by default.
 * Layers of identical shape are merged into one entry (named after the first occurrence) whose `repeat` counts
 * them. The architecture files under ./networks/ say where each shape and MAC total comes from.
 */
import { InputError, show } from '../errors.js';
import { layerMacs, type ConvLayer } from './layer.js';
import type { InputShapes } from './onnx/load.js';
import { alexnet } from './networks/alexnet.js';
import { bertBase } from './networks/bert.js';
import { mobilenetv2 } from './networks/mobilenetv2.js';
import { resnet18, resnet50 } from './networks/resnet.js';
import { vgg16 } from './networks/vgg16.js';
import { mobileVitS, vitB16 } from './networks/vit.js';

export interface Network {
  name: string;
  description: string;
  source: string;
  layers: ConvLayer[];
  /** things the user should know (an ONNX model's unsupported MAC-carrying ops) */
  warnings?: string[];
}

export interface NetworkOptions {
  /** batch size, a positive integer (default 1) */
  batch?: number;
  /** BERT's sequence length in tokens, a positive integer (default 128); other networks ignore it */
  seqLen?: number;
  /** an ONNX model's input shapes by input name (--input-shape NAME=1,3,224,224), for dynamic dims */
  inputShapes?: InputShapes;
}

/** A network name that is an ONNX file rather than a built-in. */
export function isOnnxPath(name: string): boolean {
  return /\.onnx$/i.test(String(name));
}

interface Builtin {
  description: string;
  source: string;
  build(batch: number, seqLen: number): ConvLayer[];
}

const TV = 'torchvision.models';
const BUILTINS: ReadonlyMap<string, Builtin> = new Map(
  Object.entries({
    resnet18: {
      description: 'ResNet-18, ImageNet 224x224: 20 convs (3 of them 1x1 downsample) + fc',
      source: `${TV}.resnet18 (He et al. 2016); 1.81 G MACs`,
      build: (b) => resnet18(b),
    },
    resnet50: {
      description: 'ResNet-50 v1.5 (stride on the 3x3 conv), ImageNet 224x224: 53 convs (4 downsample) + fc',
      source: `${TV}.resnet50 (He et al. 2016); 4.09 G MACs`,
      build: (b) => resnet50(b),
    },
    vgg16: {
      description: 'VGG-16, ImageNet 224x224: 13 convs 3x3 + 3 FCs',
      source: `${TV}.vgg16 (Simonyan & Zisserman 2015, config D); 15.47 G MACs`,
      build: (b) => vgg16(b),
    },
    alexnet: {
      description: 'AlexNet (torchvision variant, 64-channel conv1, ungrouped), ImageNet 224x224: 5 convs + 3 FCs',
      source: `${TV}.alexnet (Krizhevsky 2014, "one weird trick"); 0.714 G MACs`,
      build: (b) => alexnet(b),
    },
    mobilenetv2: {
      description: 'MobileNetV2 1.0, ImageNet 224x224: 52 convs (17 depthwise) + classifier',
      source: `${TV}.mobilenet_v2 (Sandler et al. 2018); 0.301 G MACs`,
      build: (b) => mobilenetv2(b),
    },
    'bert-base': {
      description: 'BERT-base encoder GEMMs: 12 layers, hidden 768, 12 heads, FFN 3072',
      source: 'Devlin et al. 2019, bert-base-uncased config; 11.17 G MACs at 128 tokens',
      build: (b: number, s: number) => bertBase(b, s),
    },
    'vit-b16': {
      description: 'ViT-B/16, ImageNet 224x224: 16x16 patch embedding, 12 encoder layers (hidden 768, 12 heads, MLP 3072, 197 tokens) + head',
      source: 'Dosovitskiy et al. 2021, timm vit_base_patch16_224; 17.56 G MACs',
      build: (b) => vitB16(b),
    },
    'mobilevit-s': {
      description: 'MobileViT-S, ImageNet 256x256: MobileNetV2 blocks + 3 MobileViT blocks (d 144/192/240, depth 2/4/3, 2x2 patches)',
      source: 'Mehta & Rastegari 2022, timm mobilevit_s; 2.00 G MACs',
      build: (b) => mobileVitS(b),
    },
  } satisfies Record<string, Builtin>),
);

/** Maps, not objects: a name such as "constructor" or "__proto__" must be unknown, not Object.prototype's. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['bert', 'bert-base'],
  ['mbv2', 'mobilenetv2'],
  ['vit', 'vit-b16'],
  ['mobilevit', 'mobilevit-s'],
]);

export function listNetworks(): string[] {
  return [...BUILTINS.keys()];
}

function normalize(name: string): string {
  return String(name)
    .toLowerCase()
    .replace(/[-_\s]/g, '');
}

/** The built-in name for `name`, case-insensitive with dashes, underscores and spaces ignored ('ResNet-18' -> 'resnet18'). */
export function resolveNetworkName(name: string): string {
  const key = normalize(name);
  const found = listNetworks().find((n) => normalize(n) === key) ?? ALIASES.get(key);
  if (found === undefined) throw new InputError('--network', 'network', `one of ${listNetworks().join(', ')}`, show(name));
  return found;
}

/** A positive integer option, or an InputError naming the flag. */
export function positiveInt(flag: string, field: string, v: unknown): number {
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) throw new InputError(flag, field, 'a positive integer', show(v));
  return n;
}

export function getNetwork(name: string, opts: NetworkOptions = {}): Network {
  // ONNX files are read by resolveNetwork (src/workload/onnx/network.ts, Node): this module stays browser-safe
  if (isOnnxPath(name)) throw new InputError('--network', 'network', 'a built-in network here (ONNX files load through resolveNetwork)', show(name));
  if (opts.inputShapes !== undefined && Object.keys(opts.inputShapes).length > 0)
    throw new InputError('--input-shape', 'input-shape', 'an ONNX --network (a .onnx file)', show(name));
  const key = resolveNetworkName(name);
  const batch = positiveInt('--batch', 'batch', opts.batch ?? 1);
  const seqLen = positiveInt('--seq-len', 'seqLen', opts.seqLen ?? 128);
  const def = BUILTINS.get(key)!;
  const input = key === 'bert-base' ? `${seqLen} tokens` : key === 'mobilevit-s' ? '256x256' : '224x224';
  return {
    name: key,
    description: `${def.description} (${input}, batch ${batch})`,
    source: def.source,
    layers: def.build(batch, seqLen),
  };
}

/** MACs of the whole network, every occurrence counted: sum of layerMacs(layer) * repeat. */
export function networkMacs(net: Pick<Network, 'layers'>): number {
  return net.layers.reduce((sum, l) => sum + layerMacs(l) * l.repeat, 0);
}

/** The network restricted to the named layers (`--layers a,b`); every name must exist. */
export function selectLayers(net: Network, names: string | undefined): Network {
  if (names === undefined) return net;
  const wanted = names
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const w of wanted) {
    if (!net.layers.some((l) => l.name === w))
      throw new InputError('--layers', 'layers', `layer names of ${net.name} (${net.layers.map((l) => l.name).join(', ')})`, show(w));
  }
  if (wanted.length === 0) throw new InputError('--layers', 'layers', 'at least one layer name', show(names));
  return { ...net, layers: net.layers.filter((l) => wanted.includes(l.name)) };
}
