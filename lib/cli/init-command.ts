import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { dnsLabel } from '../core/rules';
import { UsageError } from '../core/errors';
import { parseFlags } from './_args';
import { ocpkitRoot } from '../core/package-root';

const HELP = `usage: ocpkit init DIR [--ocpkit SPEC] [--name NAME] [--repo-url URL] [--no-install]

Scaffolds a new cluster repository in DIR (created when missing; refused when not empty):
package.json depending on ocpkit, tsconfig.json (strict), cdk8s.yaml, a stack (apps/main.ts) with
two tenants from apps/tenants.yaml and pinned versions from apps/versions.yaml (staging and
production), .gitignore, and CI jobs for GitLab (.gitlab-ci.yml) and GitHub
(.github/workflows/ocpkit.yml). Then it runs \`npm install\` in DIR.

  --ocpkit SPEC     how package.json depends on ocpkit: an npm spec (git+https://..., a version
                    range) or a tarball or folder (written as file:<absolute path>);
                    default ^<version of this ocpkit>
  --name NAME       cluster name (a DNS label); default: DIR's name, lower-cased
  --repo-url URL    Git repository Argo CD syncs dist/ from; default a placeholder to replace
  --no-install      write the files only

exit codes: 0 ok, 1 npm install failed (the files are written), 2 usage error
`;

/** Template files (templates/init) whose name starts with `_` are written with a leading `.`: npm leaves dot files like .gitignore out of packages. */
const DOT_PREFIX = '_';

/**
 * `ocpkit init DIR`: writes a new cluster repository from templates/init and the versions this
 * ocpkit is built and tested with, then installs it. Never writes into a folder that has anything in it.
 */
export async function initCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const { positional, options } = parseFlags('ocpkit init', args, ['ocpkit', 'name', 'repo-url'], ['no-install']);
  if (positional.length !== 1) throw new UsageError('init takes exactly one folder, e.g. `ocpkit init my-cluster`');
  const dir = path.resolve(positional[0]);
  checkTarget(positional[0], dir);

  const name = clusterName(typeof options.name === 'string' ? options.name : undefined, dir);
  const repoUrl = typeof options['repo-url'] === 'string' ? options['repo-url'] : `https://git.example.org/platform/${name}.git`;
  if (!/^https:\/\/[^\s@/]+\/\S+$/.test(repoUrl)) throw new UsageError(`--repo-url: ${JSON.stringify(repoUrl)} is not an https URL without user info; give the repository's clone URL, e.g. https://gitlab.example.org/platform/${name}.git`);
  const own = ownPackage();
  const spec = dependencySpec(typeof options.ocpkit === 'string' ? options.ocpkit : undefined, own.version);

  const files = new Map<string, string>();
  files.set('package.json', `${JSON.stringify(scaffoldPackage(name, spec, own), null, 2)}\n`);
  const vars: Record<string, string> = { CLUSTER_NAME: name, REPO_URL: repoUrl };
  for (const rel of listFiles(templatesDir())) {
    const target = rel.split('/').map((seg, i) => (i === 0 && seg.startsWith(DOT_PREFIX) ? `.${seg.slice(1)}` : seg)).join('/');
    const text = fs.readFileSync(path.join(templatesDir(), rel), 'utf8');
    files.set(target, text.replace(/\{\{([A-Z_]+)\}\}/g, (m, key: string) => vars[key] ?? m));
  }

  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, text] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
    const file = path.join(dir, ...rel.split('/'));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text, { flag: 'wx' }); // never replaces a file (the folder was empty)
  }
  const shown = positional[0];
  process.stdout.write(`ocpkit init: wrote ${files.size} files to ${shown} (cluster ${name}, ocpkit ${spec})\n`);
  if (options['no-install']) {
    process.stdout.write(`next: cd ${shown} && npm install && npm run synth\n`);
    return 0;
  }
  const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--no-audit', '--no-fund'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });
  if (npm.status !== 0) {
    const why = npm.error ? npm.error.message : npm.signal ? `stopped by ${npm.signal}` : `exit code ${npm.status}`;
    process.stderr.write(`ocpkit init: npm install failed in ${shown} (${why}); the files are written: fix the cause and run npm install there\n`);
    return 1;
  }
  process.stdout.write(`next: cd ${shown} && npm run synth   (schemas: once per machine, npx ocpkit schemas sync)\n`);
  return 0;
}

/** DIR must be absent, or an empty folder. */
function checkTarget(given: string, dir: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new UsageError(`${given}: cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); give a new or empty folder`);
  }
  if (!st.isDirectory()) throw new UsageError(`${given} is not a folder; give a new or empty folder`);
  const entries = fs.readdirSync(dir);
  if (entries.length > 0) {
    throw new UsageError(`${given} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, e.g. ${entries.sort()[0]}); init writes only into a new or empty folder, so nothing there is replaced`);
  }
}

/** The cluster name: --name as given (checked), else the folder's name lower-cased with other characters turned into '-'. */
function clusterName(given: string | undefined, dir: string): string {
  if (given !== undefined) {
    const problem = dnsLabel(given);
    if (problem) throw new UsageError(`--name: ${problem}`);
    return given;
  }
  const derived = path.basename(dir).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  if (dnsLabel(derived)) throw new UsageError(`${JSON.stringify(path.basename(dir))} does not make a cluster name; give --name (a DNS label, e.g. my-cluster)`);
  return derived;
}

/**
 * How the new package.json depends on ocpkit. A tarball or folder that exists becomes
 * `file:<absolute path>` (package.json lives in DIR, so a relative path would point elsewhere);
 * any other spec is npm's to interpret.
 */
function dependencySpec(given: string | undefined, version: string): string {
  if (given === undefined) return `^${version}`;
  const local = given.startsWith('file:') ? given.slice('file:'.length) : fs.existsSync(given) || /\.(tgz|tar\.gz)$/.test(given) || /^[./]/.test(given) ? given : undefined;
  if (local !== undefined) {
    if (!fs.existsSync(local)) throw new UsageError(`--ocpkit: ${given} does not exist; give the tarball \`npm pack\` wrote, an ocpkit folder, or an npm spec`);
    return `file:${path.resolve(local)}`;
  }
  if (given.trim() === '' || /\s/.test(given)) throw new UsageError(`--ocpkit: ${JSON.stringify(given)} is not an npm dependency spec; give a version range, a git URL, or a tarball or folder`);
  return given;
}

interface OwnPackage {
  readonly version: string;
  readonly devDependencies: Readonly<Record<string, string>>;
  readonly peerDependencies: Readonly<Record<string, string>>;
}

function ownPackage(): OwnPackage {
  const p = JSON.parse(fs.readFileSync(path.join(ocpkitRoot(), 'package.json'), 'utf8'));
  return { version: String(p.version), devDependencies: p.devDependencies ?? {}, peerDependencies: p.peerDependencies ?? {} };
}

function templatesDir(): string {
  return path.join(ocpkitRoot(), 'templates', 'init');
}

/** Files under dir, relative, with '/' separators, sorted. */
function listFiles(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else if (e.isFile()) out.push(rel);
  }
  return out.sort();
}

/**
 * The new repository's package.json. The construct libraries are ocpkit's peer dependencies; the
 * scaffold pins the versions ocpkit itself is built and tested with (its devDependencies), as it
 * does TypeScript and Node's types, so a first synth runs what ocpkit's own tests ran.
 */
function scaffoldPackage(name: string, spec: string, own: OwnPackage): object {
  const pin = (dep: string): string => {
    const v = own.devDependencies[dep] ?? own.peerDependencies[dep];
    if (!v) throw new Error(`ocpkit's package.json has no version of ${dep}`);
    return v;
  };
  return {
    name,
    version: '0.1.0',
    private: true,
    description: `OpenShift cluster ${name}: a TypeScript stack synthesized by ocpkit into dist/ for Argo CD`,
    scripts: {
      synth: 'ocpkit synth apps/main.ts --out dist',
      validate: 'ocpkit validate dist --platform 4.14',
      typecheck: 'tsc --noEmit -p tsconfig.json',
    },
    dependencies: {
      cdk8s: pin('cdk8s'),
      'cdk8s-plus-27': pin('cdk8s-plus-27'),
      constructs: pin('constructs'),
      ocpkit: spec,
    },
    devDependencies: {
      '@types/node': pin('@types/node'),
      typescript: pin('typescript'),
    },
  };
}
