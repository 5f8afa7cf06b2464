import { parseArgs, UsageError } from './main';
import { validateTree } from '../check/validate-tree';

/**
 * `ocpkit validate DIR [--schemas DIR] [--policy]`: validates every YAML document under DIR against the
 * Kubernetes 1.27 and CRD schemas, and with `--policy` runs the policy checks every synth runs
 * (lib/policy) over them. One line per error; exit 0 clean, 1 invalid, 2 usage error.
 */
export async function validateCommand(args: string[]): Promise<number> {
  const { positional, options } = parseArgs(args, ['schemas'], ['policy']);
  if (positional.length !== 1) throw new UsageError('validate takes exactly one folder, e.g. `ocpkit validate dist`');
  const report = validateTree(positional[0], { extraCrds: typeof options.schemas === 'string' ? [options.schemas] : [], policy: options.policy === true });
  for (const line of report.errors) process.stdout.write(`${line}\n`);
  process.stdout.write(`ocpkit validate: ${report.documents} documents in ${report.files} files, ${report.errors.length} error${report.errors.length === 1 ? '' : 's'}\n`);
  return report.errors.length ? 1 : 0;
}
