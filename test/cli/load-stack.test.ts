import * as path from 'path';
import { locate } from '../../lib/cli/load-stack';

describe('locate: the frame of a stack error that names the user\'s file', () => {
  const user = path.join(process.cwd(), 'apps', 'mine', 'main.ts');

  test('skips Node\'s own modules: "node:internal/..." is not read as a file on drive "e:"', () => {
    const stack = [
      'Error: boom',
      '    at Module._compile (node:internal/modules/cjs/loader:1464:18)',
      `    at build (${user}:12:7)`,
    ].join('\n');
    expect(locate(stack)).toBe(path.join('apps', 'mine', 'main.ts') + ':12:7');
  });

  test('a stack of Node frames only names no file', () => {
    expect(locate('Error: x\n    at node:internal/main/run_main_module:28:49\n    at Module.load (node:internal/modules/cjs/loader:1203:32)')).toBeUndefined();
  });

  test('frames without a function name and Windows paths are read whole', () => {
    expect(locate(`Error: x\n    at ${user}:3:1`)).toBe(path.join('apps', 'mine', 'main.ts') + ':3:1');
    expect(locate('Error: x\n    at build (C:\\work\\stack\\main.ts:4:2)')).toBe('C:\\work\\stack\\main.ts:4:2');
  });
});
