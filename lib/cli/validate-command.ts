import { Problem, UsageError } from '../core/errors';
import { optionLines, parseFlags } from './_args';
import * as fs from 'fs';
import { validateTree } from '../check/validate-tree';
import { availableProfiles, locateSchemas } from '../schema/locate';

/**
 * `ocpkit validate DIR [--platform 4.14] [--schemas DIR] [--policy]`: validates every YAML document
 * under DIR against the Kubernetes and CRD schemas: with `--platform`, those of that OpenShift
 * version's profile (a field newer than the cluster is an error), else the newest shared ones;
 * `--schemas DIR` adds a folder of CustomResourceDefinition YAML for kinds of your own. With
 * `--policy` it runs the policy checks every synth runs (lib/policy) over them. One line per
 * error; exit 0 clean, 1 invalid, 2 usage error.
 */
export const VALIDATE_HELP = `usage: ocpkit validate DIR [--platform 4.14] [--schemas DIR] [--policy] [--json]

Validates every YAML document under DIR against the Kubernetes and CRD schemas: with --platform,
those of that OpenShift version's profile (a field newer than the cluster is an error), else the
newest shared ones; --schemas DIR adds CustomResourceDefinition YAML of your own kinds; --policy runs
the policy checks every synth runs. One line per error.

options:
${optionLines([
    ['--platform 4.14', 'validate against the schema profile of this OpenShift version'],
    ['--schemas DIR', 'a folder (or file) of CustomResourceDefinition YAML for kinds of your own'],
    ['--policy', 'also run the policy checks of every synth'],
    ['--json', 'one JSON object on stdout: {"files","documents","problems":[{"path","field","message"}]}'],
  ])}

exit codes: 0 clean, 1 invalid, 2 usage error.
`;

export async function validateCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(VALIDATE_HELP);
    return 0;
  }
  const { positional, options } = parseFlags('ocpkit validate', args, ['schemas', 'platform'], ['policy', 'json']);
  if (positional.length !== 1) throw new UsageError('validate takes exactly one folder, e.g. `ocpkit validate dist`');
  const platform = typeof options.platform === 'string' ? options.platform : undefined;
  if (platform !== undefined) {
    const dir = locateSchemas();
    const known = availableProfiles(dir);
    if (!known.includes(platform)) throw new UsageError(`--platform ${JSON.stringify(platform)} has no schema profile in ${dir}; profiles available: ${known.join(', ') || 'none'}`);
  }
  const schemas = typeof options.schemas === 'string' ? options.schemas : undefined;
  if (schemas !== undefined && !fs.existsSync(schemas)) throw new UsageError(`--schemas ${schemas}: no such folder or file of CustomResourceDefinition YAML`);
  const report = validateTree(positional[0], { extraCrds: schemas ? [schemas] : [], policy: options.policy === true, platform });
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ files: report.files, documents: report.documents, problems: report.errors.map(errorProblem) }, null, 2)}\n`);
    return report.errors.length ? 1 : 0;
  }
  for (const line of report.errors) process.stdout.write(`${line}\n`);
  process.stdout.write(`ocpkit validate: ${report.documents} documents in ${report.files} files, ${report.errors.length} error${report.errors.length === 1 ? '' : 's'}\n`);
  return report.errors.length ? 1 : 0;
}

/**
 * One error line of validateTree as a problem: `file:#0 v1/Kind name: /json/pointer: message` gives
 * path `file:#0 v1/Kind name`, field `/json/pointer`; a line without a pointer has an empty field.
 */
export function errorProblem(line: string): Problem {
  const withPointer = /^(.*?): (\/[^:\s]*): (.*)$/s.exec(line);
  if (withPointer) return { path: withPointer[1], field: withPointer[2], message: withPointer[3] };
  const plain = /^(.*?): (.*)$/s.exec(line);
  return plain ? { path: plain[1], field: '', message: plain[2] } : { path: '', field: '', message: line };
}
