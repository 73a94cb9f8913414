/**
 * The local stand-in for SageMaker endpoint variants: a version's ml-xgboost artifact loaded in process
 * from the platform's object store (as the batch-transform stand-in loads it), kept loaded (up to
 * `capacity` versions, least recently used freed first). The feature encoding comes from the file the
 * pipeline keeps beside each registered version (`models/{model}/versions/{v}/encoding.json`), else
 * from the artifact itself.
 */
import { encodingKeyOf } from '../../pipelines/model-files';
import { keyOfUri } from '../../pipelines/tasks/objects';
import type { Encoding } from '../../pipelines/training/encoding';
import { loadModel, type XgboostModel } from '../../pipelines/training/xgboost-trainer';
import type { EncodedRows, HostedModel, HostedVariant, ModelHost } from '../../shared/ports/model-host';
import type { ObjectStore } from '../../shared/ports/object-store';

interface Loaded {
  readonly model: XgboostModel;
  readonly hosted: HostedModel;
}

export class InProcessModelHost implements ModelHost {
  private readonly loaded = new Map<string, Promise<Loaded>>();

  constructor(
    private readonly objects: ObjectStore,
    private readonly capacity = 16,
  ) {}

  private load(variant: HostedVariant): Promise<Loaded> {
    const key = `${variant.model}\u0000${variant.version}\u0000${variant.artifactSha256}`;
    const found = this.loaded.get(key);
    if (found) {
      // Most recently used last.
      this.loaded.delete(key);
      this.loaded.set(key, found);
      return found;
    }
    const loading = this.read(variant);
    this.loaded.set(key, loading);
    loading.catch(() => this.loaded.delete(key));
    while (this.loaded.size > this.capacity) {
      const [oldest, evicted] = this.loaded.entries().next().value as [string, Promise<Loaded>];
      this.loaded.delete(oldest);
      void evicted.then((l) => l.model.free()).catch(() => undefined);
    }
    return loading;
  }

  private async read(variant: HostedVariant): Promise<Loaded> {
    const artifact = await this.objects.get(keyOfUri(this.objects, variant.artifactUri, 'artifactUri'));
    if (!artifact) throw new Error(`the artifact of ${variant.model} v${variant.version} is missing`);
    const model = await loadModel(artifact.body);
    const stored = await this.objects.get(encodingKeyOf(variant.model, variant.version));
    const encoding = stored
      ? (JSON.parse(new TextDecoder().decode(stored.body)) as Encoding).features
      : (model.document.features ?? []);
    return {
      model,
      hosted: {
        features: encoding.map((f) => ({
          name: f.name,
          type: f.type,
          ...(f.encoding ? { categories: [...f.encoding.categories] } : {}),
        })),
        columns: model.document.columns,
        objective: model.document.objective,
        outputsPerRow: model.outputsPerRow,
      },
    };
  }

  async describe(variant: HostedVariant): Promise<HostedModel> {
    return (await this.load(variant)).hosted;
  }

  async invoke(_endpoint: string, variant: HostedVariant, rows: EncodedRows): Promise<Float64Array> {
    const { model } = await this.load(variant);
    return model.predict(rows.matrix, rows.rows, rows.columns);
  }

  /** Frees every loaded model's WASM memory. */
  async close(): Promise<void> {
    const all = [...this.loaded.values()];
    this.loaded.clear();
    for (const loading of all) await loading.then((l) => l.model.free()).catch(() => undefined);
  }
}
