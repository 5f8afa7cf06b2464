import * as fs from 'fs';
import * as path from 'path';
import { main } from '../../lib/cli/main';
import { captureOutput } from '../_helpers';

const COMMANDS = ['synth', 'validate', 'diff', 'bootstrap', 'graph', 'schemas', 'init'];

describe('every command answers --help with exit 0, and ocpkit --version', () => {
  const io = captureOutput();

  test.each(COMMANDS)('ocpkit %s --help prints its usage on stdout and exits 0', async (command) => {
    expect(await main([command, '--help'])).toBe(0);
    const out = io.out();
    expect(out).toMatch(new RegExp(`usage: ocpkit ${command}\\b|ocpkit ${command}\\b`));
    expect(io.err()).toBe('');
  });

  test('-h is --help', async () => {
    expect(await main(['synth', '-h'])).toBe(0);
    expect(io.out()).toMatch(/^usage: ocpkit synth APP\.ts \[--out DIR\]/);
  });

  test('--version prints the version of package.json and exits 0', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8'));
    expect(await main(['--version'])).toBe(0);
    expect(io.out()).toBe(`ocpkit ${version}\n`);
    expect(await main(['-V'])).toBe(0);
  });
});
