import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { UsageError } from '../cli/main';
import { SchemaValidator } from '../schema/validator';

/** Options of {@link validateTree}. */
export interface ValidateTreeOptions {
  /** Extra CRD files or folders. @default none */
  readonly extraCrds?: readonly string[];
  /** Shared schema folder. @default located automatically */
  readonly schemasDir?: string;
}

/** Result of {@link validateTree}. */
export interface TreeReport {
  readonly files: number;
  readonly documents: number;
  /** One line per error: `file:#index apiVersion/kind name: /json/path: message`. */
  readonly errors: readonly string[];
}

/** Every `.yaml`/`.yml`/`.json` file below a folder, sorted. */
export function manifestFiles(dir: string): string[] {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder`);
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** Validates every Kubernetes document in a folder (kubeconform-style, strict about unknown fields). */
export function validateTree(dir: string, options: ValidateTreeOptions = {}): TreeReport {
  const validator = new SchemaValidator({ schemasDir: options.schemasDir, extraCrds: options.extraCrds });
  const files = manifestFiles(dir);
  const errors: string[] = [];
  let documents = 0;
  for (const file of files) {
    const rel = path.relative(process.cwd(), file) || file;
    let docs: unknown[];
    try {
      docs = yaml.loadAll(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      errors.push(`${rel}: YAML does not parse: ${(e as Error).message.split('\n')[0]}`);
      continue;
    }
    docs.forEach((doc: any, i) => {
      if (doc === null || doc === undefined) return;
      documents++;
      const what = `${doc?.apiVersion ?? '?'}/${doc?.kind ?? '?'} ${doc?.metadata?.name ?? '?'}`;
      for (const issue of validator.validate(doc)) errors.push(`${rel}#${i} ${what}: ${issue.pointer}: ${issue.message}`);
    });
  }
  return { files: files.length, documents, errors };
}
