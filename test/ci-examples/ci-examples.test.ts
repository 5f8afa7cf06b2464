import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';

// json5 is in node_modules through jest's toolchain; the recipe is JSON5 so it can carry comments.
// eslint-disable-next-line @typescript-eslint/no-var-requires
const JSON5 = require('json5') as { parse(text: string): any };

const REPO = path.join(__dirname, '..', '..');
const read = (f: string) => fs.readFileSync(path.join(REPO, f), 'utf8');

/** Every CI example and the CI files of the `ocpkit init` template. */
const CI_FILES = [
  ...fs.readdirSync(path.join(REPO, 'ci-examples')).filter((f) => f.endsWith('.yml')).map((f) => `ci-examples/${f}`),
  ...fs.readdirSync(path.join(REPO, 'templates/init/_github/workflows')).map((f) => `templates/init/_github/workflows/${f}`),
  'templates/init/_gitlab-ci.yml',
].sort();
const RENOVATE = 'ci-examples/renovate.json5';
const isGitHub = (doc: any) => doc && typeof doc === 'object' && 'jobs' in doc && ('on' in doc || 'true' in doc);
const docs = new Map(CI_FILES.map((f) => [f, yaml.load(read(f)) as any]));
const githubFiles = CI_FILES.filter((f) => isGitHub(docs.get(f)));
const gitlabFiles = CI_FILES.filter((f) => !isGitHub(docs.get(f)));
/** js-yaml reads the key `on` as the string 'on' (YAML 1.2 core schema); be safe with `true` too. */
const triggers = (doc: any) => doc.on ?? doc[true as any];
const steps = (doc: any): any[] => Object.values(doc.jobs).flatMap((j: any) => j.steps ?? []);
const gitlabJobs = (doc: any): any[] => Object.entries(doc).filter(([k, v]) => !['default', 'variables', 'stages', 'workflow', 'include'].includes(k) && v && typeof v === 'object' && 'script' in (v as any)).map(([, v]) => v);

/**
 * Action releases whose commit was looked up in the action's own repository (`git rev-parse
 * <tag>^{commit}` in a snapshot of github.com/<action>, 2026-12-02). A pin whose SHA is not the
 * commit of the release named in its comment fails.
 */
const VERIFIED_ACTIONS: Record<string, Record<string, string>> = {
  'actions/checkout': { 'v7.0.1': '3d3c42e5aac5ba805825da76410c181273ba90b1' },
  'actions/setup-node': { 'v7.0.0': '820762786026740c76f36085b0efc47a31fe5020' },
  'actions/cache': { 'v5.0.5': '27d5ce7f107fe9357f9df03efb73ab90386fccae' },
  'actions/upload-artifact': { 'v7.0.0': 'bbbca2ddaa5d8feaa63e36b76fdaad77386f024f' },
  'actions/download-artifact': { 'v8.0.1': '3e5f45b2cfb9172054b4087a40e8e0b5a5461e7c' },
  'actions/github-script': { 'v8.0.0': 'ed597411d8f924073f98dfc5c65a23a2325f34cd' },
};

/**
 * Node.js LTS lines: [LTS start, end of life], from nodejs/Release schedule.json
 * (github.com/nodejs/Release, commit e4bf922d of 2026-07-02). A line is maintained between the two.
 */
const NODE_LTS: Record<number, [string, string]> = {
  20: ['2023-10-24', '2026-04-30'],
  22: ['2024-10-29', '2027-04-30'],
  24: ['2025-10-28', '2028-04-30'],
  26: ['2026-10-28', '2029-04-30'],
};

describe('CI examples parse', () => {
  test.each(CI_FILES)('%s is YAML with jobs', (f) => {
    const doc = docs.get(f);
    if (isGitHub(doc)) {
      expect(triggers(doc)).toBeDefined();
      expect(steps(doc).length).toBeGreaterThan(0);
    } else {
      expect(gitlabJobs(doc).length).toBeGreaterThan(0);
    }
  });

  test('the Renovate recipe is JSON5 with custom managers', () => {
    const r = JSON5.parse(read(RENOVATE));
    expect(Array.isArray(r.customManagers)).toBe(true);
    expect(r.customManagers.length).toBeGreaterThan(0);
  });

  test('the example sets cover GitHub and GitLab', () => {
    expect(githubFiles.length).toBeGreaterThanOrEqual(4);
    expect(gitlabFiles).toEqual(expect.arrayContaining(['ci-examples/gitlab-ci.yml', 'templates/init/_gitlab-ci.yml']));
  });
});

describe('pins and runtimes', () => {
  test.each(githubFiles)('%s: every action is pinned by a verified commit SHA, the release in a comment', (f) => {
    const uses = steps(docs.get(f)).map((s) => s.uses).filter((u): u is string => typeof u === 'string');
    expect(uses.length).toBeGreaterThan(0);
    const lines = read(f).split('\n');
    for (const u of uses) {
      const m = /^([\w.-]+\/[\w.-]+)@([0-9a-f]{40})$/.exec(u);
      expect(m && u).toBe(u); // owner/repo@<40 hex>, nothing else (no tag, no branch, no docker://)
      const line = lines.find((l) => l.includes(`uses: ${u}`))!;
      const tag = /# (v\d+\.\d+\.\d+)\s*$/.exec(line)?.[1];
      expect(tag && `${m![1]} ${tag}`).toBe(`${m![1]} ${tag}`);
      expect(VERIFIED_ACTIONS[m![1]]?.[tag!]).toBe(m![2]);
    }
  });

  /** Node majors a CI file runs on: setup-node's node-version, and node:<major> images. */
  function nodeMajors(f: string): number[] {
    const doc = docs.get(f);
    const majors: number[] = [];
    if (isGitHub(doc)) {
      for (const s of steps(doc)) if (typeof s.uses === 'string' && s.uses.startsWith('actions/setup-node@')) majors.push(Number(String(s.with?.['node-version']).split('.')[0]));
    } else {
      const images = [doc.image, doc.default?.image, ...gitlabJobs(doc).map((j) => j.image)].filter(Boolean).map((i) => (typeof i === 'string' ? i : i.name));
      for (const i of images) {
        const m = /^(?:docker\.io\/)?(?:library\/)?node:(\d+)/.exec(i);
        majors.push(m ? Number(m[1]) : NaN);
      }
    }
    return majors;
  }

  test.each(CI_FILES)('%s runs a maintained Node.js LTS line', (f) => {
    const majors = nodeMajors(f);
    // the comment workflow runs no Node of its own (github-script brings the action's runtime)
    if (f.endsWith('github-actions-comment.yml')) return expect(majors).toEqual([]);
    expect(majors.length).toBeGreaterThan(0);
    const today = new Date().toISOString().slice(0, 10);
    for (const major of majors) {
      const line = NODE_LTS[major];
      expect(line ? `node ${major}` : `node ${major} is not an LTS line`).toBe(`node ${major}`);
      expect(`node ${major} maintained: ${line[0] <= today && today < line[1]}`).toBe(`node ${major} maintained: true`);
    }
  });

  test.each([...CI_FILES, RENOVATE, 'ci-examples/README.md'])('%s has no ../shared path (it runs in another repository)', (f) => {
    expect(read(f)).not.toMatch(/\.\.\/shared/);
  });
});

describe('fork pull requests', () => {
  const prWorkflows = githubFiles.filter((f) => {
    const on = triggers(docs.get(f));
    return on && typeof on === 'object' && 'pull_request' in on;
  });
  const runWorkflows = githubFiles.filter((f) => {
    const on = triggers(docs.get(f));
    return on && typeof on === 'object' && 'workflow_run' in on;
  });

  test('there is a pull_request workflow with the diff, and a workflow_run one that comments', () => {
    expect(prWorkflows).toContain('ci-examples/github-actions.yml');
    expect(runWorkflows).toEqual(['ci-examples/github-actions-comment.yml']);
    const diff = docs.get('ci-examples/github-actions.yml');
    const comment = docs.get('ci-examples/github-actions-comment.yml');
    expect(comment.on.workflow_run.workflows).toEqual([diff.name]);
    // the artifact part 1 uploads is the one part 2 downloads
    const uploaded = steps(diff).find((s) => String(s.uses).startsWith('actions/upload-artifact@'))?.with?.name;
    const downloaded = steps(comment).find((s) => String(s.uses).startsWith('actions/download-artifact@'))?.with?.name;
    expect(uploaded).toBe('ocpkit-diff');
    expect(downloaded).toBe(uploaded);
  });

  test.each(githubFiles)('%s does not use pull_request_target', (f) => {
    expect(Object.keys(triggers(docs.get(f)))).not.toContain('pull_request_target');
  });

  test.each(prWorkflows)('%s (pull_request) holds no write permission and no secret', (f) => {
    const doc = docs.get(f);
    const perms = [doc.permissions, ...Object.values(doc.jobs).map((j: any) => j.permissions)].filter((p) => p !== undefined);
    expect(perms.length).toBeGreaterThan(0); // the token is narrowed explicitly
    for (const p of perms) {
      expect(typeof p === 'object' ? Object.values(p).filter((v) => v !== 'read' && v !== 'none') : p).toEqual(typeof p === 'object' ? [] : 'read-all');
    }
    expect(read(f)).not.toMatch(/secrets\.|vars\./);
    for (const s of steps(doc)) if (String(s.uses).startsWith('actions/checkout@')) expect(s.with?.['persist-credentials']).toBe(false);
  });

  test('the workflow_run workflow never checks out or runs code from the pull request', () => {
    const doc = docs.get('ci-examples/github-actions-comment.yml');
    for (const s of steps(doc)) {
      expect(String(s.uses)).not.toMatch(/^actions\/checkout@/);
      expect(s.run).toBeUndefined();
      // no ${{ }} expression is pasted into script code: values come in through env
      if (s.with?.script) expect(s.with.script).not.toContain('${{');
    }
    expect(Object.entries(doc.permissions)).toEqual(expect.arrayContaining([['pull-requests', 'write'], ['actions', 'read']]));
    expect(Object.keys(doc.permissions).sort()).toEqual(['actions', 'pull-requests']);
  });
});

describe('the comment script of the workflow_run workflow', () => {
  const script: string = steps(docs.get('ci-examples/github-actions-comment.yml')).find((s) => String(s.uses).startsWith('actions/github-script@')).with.script;
  const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor;
  const HEAD = 'a'.repeat(40);

  interface Comment { id: number; body: string; user: { login: string; type: string } }
  function fakeGitHub(comments: Comment[], pr: { head: { sha: string }; state: string }) {
    const calls: string[] = [];
    let next = 100;
    const github = {
      paginate: async (fn: (p: any) => Promise<{ data: Comment[] }>, params: any) => (await fn(params)).data,
      rest: {
        pulls: { get: async ({ pull_number }: any) => (calls.push(`get ${pull_number}`), { data: pr }) },
        issues: {
          listComments: async () => ({ data: comments }),
          createComment: async ({ issue_number, body }: any) => {
            calls.push(`create ${issue_number}`);
            comments.push({ id: next++, body, user: { login: 'github-actions[bot]', type: 'Bot' } });
          },
          updateComment: async ({ comment_id, body }: any) => {
            calls.push(`update ${comment_id}`);
            comments.find((c) => c.id === comment_id)!.body = body;
          },
        },
      },
    };
    return { github, calls, comments };
  }

  async function runScript(artifact: Record<string, string>, comments: Comment[], pr = { head: { sha: HEAD }, state: 'open' }) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-comment-'));
    for (const [name, text] of Object.entries(artifact)) fs.writeFileSync(path.join(dir, name), text);
    const fake = fakeGitHub(comments, pr);
    const context = { repo: { owner: 'o', repo: 'r' }, payload: { workflow_run: { head_sha: HEAD, html_url: 'https://github.com/o/r/actions/runs/1' } } };
    const notes: string[] = [];
    const core = { warning: (m: string) => notes.push(m), info: (m: string) => notes.push(m) };
    const before = process.env.ARTIFACT_DIR;
    process.env.ARTIFACT_DIR = dir;
    try {
      await new AsyncFunction('require', 'github', 'context', 'core', script)(require, fake.github, context, core);
    } finally {
      if (before === undefined) delete process.env.ARTIFACT_DIR;
      else process.env.ARTIFACT_DIR = before;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    return { ...fake, notes };
  }

  const md = '<!-- ocpkit-diff -->\n## ocpkit diff\n1 change';

  test('creates the comment once, then updates it in place; a person\'s comment with the marker is left alone', async () => {
    const human: Comment = { id: 1, body: '<!-- ocpkit-diff --> quoted by a person', user: { login: 'alice', type: 'User' } };
    const first = await runScript({ 'pr-number': '42\n', 'exit-code': '1\n', 'ocpkit-diff.md': md }, [human]);
    expect(first.calls).toEqual(['get 42', 'create 42']);
    const second = await runScript({ 'pr-number': '42\n', 'exit-code': '3\n', 'ocpkit-diff.md': `${md} (2)` }, first.comments);
    expect(second.calls).toEqual(['get 42', 'update 100']);
    expect(second.comments.map((c) => c.body)).toEqual(['<!-- ocpkit-diff --> quoted by a person', `${md} (2)`]);
  });

  test.each(['42; curl evil', '-1', '0', '4.2', '', '1e3', '99999999999'])('refuses the pull request number %j before any API call', async (n) => {
    await expect(runScript({ 'pr-number': n, 'exit-code': '1', 'ocpkit-diff.md': md }, [])).rejects.toThrow(/pr-number is not a pull request number/);
  });

  test('does not comment on a pull request whose head is not the commit the diff ran on', async () => {
    const r = await runScript({ 'pr-number': '7', 'exit-code': '1', 'ocpkit-diff.md': md }, [], { head: { sha: 'b'.repeat(40) }, state: 'open' });
    expect(r.calls).toEqual(['get 7']);
    expect(r.notes.join('\n')).toMatch(/not commenting/);
  });

  test('a failed diff (exit 2) posts its own notice, not the artifact text; a body without the marker gets it', async () => {
    const failed = await runScript({ 'pr-number': '5', 'exit-code': '2', 'ocpkit-diff.md': '@everyone click here' }, []);
    expect(failed.comments[0].body).toMatch(/^<!-- ocpkit-diff -->\nocpkit diff could not run on aaaaaaaaaaaa: see the log of \[the run\]\(https:\/\/github\.com\/o\/r\/actions\/runs\/1\)\.$/);
    const bare = await runScript({ 'pr-number': '5', 'exit-code': '1', 'ocpkit-diff.md': 'x'.repeat(70000) }, []);
    expect(bare.comments[0].body.startsWith('<!-- ocpkit-diff -->\nxxx')).toBe(true);
    expect(bare.comments[0].body.length).toBe(65536);
  });
});

describe('the GitLab note script', () => {
  const job = gitlabJobs(docs.get('ci-examples/gitlab-ci.yml'))[0];
  const block: string = job.script.find((l: string) => l.includes("<<'JS'"));
  const js = /<<'JS'\n([\s\S]*?)\nJS\n/.exec(block)![1];

  /** Runs the note script against a local stand-in of the GitLab notes API; resolves with the requests seen. */
  async function post(notes: unknown[], token = 'glpat-test') {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} ${req.headers['private-token']} ${body ? JSON.parse(body).body : ''}`.trim());
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(req.url === '/api/v4/user' ? { id: 7 } : req.method === 'GET' ? notes : {}));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-note-'));
    fs.writeFileSync(path.join(dir, 'ocpkit-diff.md'), '<!-- ocpkit-diff -->\nbody');
    try {
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, ['-'], {
          cwd: dir,
          env: { PATH: process.env.PATH, CI_API_V4_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`, CI_MERGE_REQUEST_PROJECT_ID: '12', CI_MERGE_REQUEST_IID: '3', OCPKIT_DIFF_TOKEN: token },
          stdio: ['pipe', 'inherit', 'inherit'],
        });
        child.on('close', resolve);
        child.stdin.end(js);
      });
      return { code, seen };
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  test('posts a new note to the project the merge request targets, then updates its own note only', async () => {
    const first = await post([{ id: 9, author: { id: 8 }, body: '<!-- ocpkit-diff --> by someone else' }]);
    expect(first.code).toBe(0);
    expect(first.seen).toEqual([
      'GET /api/v4/user glpat-test',
      'GET /api/v4/projects/12/merge_requests/3/notes?per_page=100&sort=desc glpat-test',
      'POST /api/v4/projects/12/merge_requests/3/notes glpat-test <!-- ocpkit-diff -->\nbody',
    ]);
    const second = await post([{ id: 9, author: { id: 8 }, body: '<!-- ocpkit-diff --> by someone else' }, { id: 11, author: { id: 7 }, body: '<!-- ocpkit-diff -->\nold' }]);
    expect(second.seen[2]).toBe('PUT /api/v4/projects/12/merge_requests/3/notes/11 glpat-test <!-- ocpkit-diff -->\nbody');
  });

  test('without the token (a fork pipeline) the job skips the note and keeps the markdown as an artifact', () => {
    expect(block).toMatch(/if \[ -z "\$OCPKIT_DIFF_TOKEN" \]; then\n\s*echo [^\n]*no comment/);
    expect(job.artifacts).toMatchObject({ when: 'always', paths: ['ocpkit-diff.md'], expose_as: expect.any(String) });
    expect(job.allow_failure).toEqual({ exit_codes: [3] });
    // the API calls go to the merge request's project, which differs from the pipeline's in a fork
    expect(js).not.toContain('CI_PROJECT_ID');
  });
});

describe('commands the examples run exist in the CLI', () => {
  /** Every `npx ocpkit ...` line of the examples (GitHub run:, GitLab script:, Renovate postUpgradeTasks). */
  function ocpkitLines(): string[] {
    const texts: string[] = [];
    for (const f of githubFiles) for (const s of steps(docs.get(f))) if (typeof s.run === 'string') texts.push(s.run);
    for (const f of gitlabFiles) for (const j of gitlabJobs(docs.get(f))) texts.push(...j.script);
    texts.push(...JSON5.parse(read(RENOVATE)).postUpgradeTasks.commands);
    return texts.flatMap((t) => t.split('\n')).filter((l) => /\bnpx ocpkit\b/.test(l)).map((l) => l.slice(l.indexOf('npx ocpkit') + 'npx ocpkit '.length));
  }
  const used = new Map<string, Set<string>>();
  for (const line of ocpkitLines()) {
    const words = line.split(/\s+/);
    const command = words[0] === 'schemas' ? `${words[0]} ${words[1]}` : words[0];
    const options = used.get(command) ?? new Set<string>();
    for (const m of line.matchAll(/(?:^|\s)(--[a-z][a-z-]*)/g)) options.add(m[1]);
    used.set(command, options);
  }

  test('the examples run diff and schemas sync', () => {
    expect([...used.keys()].sort()).toEqual(['diff', 'schemas sync']);
  });

  test.each([...used.entries()].map(([c, o]) => [c, [...o].sort()] as const))('ocpkit %s --help exits 0 and lists the options used: %j', (command, options) => {
    const r = spawnSync(process.execPath, [path.join(REPO, 'bin/ocpkit.js'), ...command.split(' '), '--help'], { cwd: REPO, encoding: 'utf8' });
    expect(r.status).toBe(0);
    for (const o of options) expect(`${o}: ${r.stdout.includes(o)}`).toBe(`${o}: true`);
  });
});

describe('the Renovate recipe', () => {
  const recipe = JSON5.parse(read(RENOVATE));
  const managers: any[] = recipe.customManagers;
  const toRegExp = (p: string) => {
    const m = /^\/(.*)\/(i?)$/.exec(p);
    if (!m) throw new Error(`${p} is not a /regex/ pattern`);
    return new RegExp(m[1], m[2]);
  };

  /** What Renovate's regex manager extracts from a file: matchStrings as documented (any / recursive), named groups, then the templates. */
  function extract(manager: any, file: string, content: string) {
    if (!manager.managerFilePatterns.some((p: string) => toRegExp(p).test(file))) return [];
    const res: RegExp[] = manager.matchStrings.map((s: string) => new RegExp(s, 'g'));
    let groups: Record<string, string | undefined>[];
    if ((manager.matchStringsStrategy ?? 'any') === 'recursive') {
      let inputs = [content];
      for (const re of res.slice(0, -1)) inputs = inputs.flatMap((t) => [...t.matchAll(re)].map((m) => m[0]));
      groups = inputs.flatMap((t) => [...t.matchAll(res[res.length - 1])].map((m) => ({ ...m.groups })));
    } else {
      expect(manager.matchStringsStrategy ?? 'any').toBe('any');
      groups = res.flatMap((re) => [...content.matchAll(re)].map((m) => ({ ...m.groups })));
    }
    return groups.map((g) => ({
      depName: g.depName ?? manager.depNameTemplate,
      currentValue: g.currentValue,
      currentDigest: g.currentDigest,
      datasource: g.datasource ?? manager.datasourceTemplate,
    }));
  }
  const extractAll = (file: string, content: string) => managers.flatMap((m) => extract(m, file, content));

  /** The pins a bot should bump, computed from the YAML itself: staging images (full refs) and charts. */
  function expected(content: string) {
    const staging: Record<string, string> = (yaml.load(content) as any).environments.staging;
    const docker = Object.entries(staging)
      .filter(([k, v]) => /^(vm-)?images\./.test(k) && !/^[a-z]+:\/\//.test(v))
      .map(([, v]) => {
        const [ref, digest] = v.split('@');
        const colon = ref.lastIndexOf(':');
        expect(colon).toBeGreaterThan(ref.lastIndexOf('/'));
        return { depName: ref.slice(0, colon), currentValue: ref.slice(colon + 1), currentDigest: digest, datasource: 'docker' };
      });
    const helm = Object.entries(staging).filter(([k]) => k.startsWith('charts.')).map(([k, v]) => ({ depName: k.slice('charts.'.length), currentValue: String(v), currentDigest: undefined, datasource: 'helm' }));
    return { docker, helm, staging };
  }
  const key = (d: { depName?: string; currentValue?: string; datasource?: string }) => `${d.datasource} ${d.depName}:${d.currentValue}`;

  test.each(['apps/community/versions.yaml', 'templates/init/apps/versions.yaml'])('extracts exactly the staging images and charts of %s', (f) => {
    const content = read(f);
    const file = f.replace(/^templates\/init\//, ''); // where ocpkit init puts it: apps/versions.yaml
    const got = extractAll(file, content);
    const want = expected(content);
    expect(got.map(key).sort()).toEqual([...want.docker, ...want.helm].map(key).sort());
    expect(got.length).toBeGreaterThan(0);
    for (const d of got) {
      expect(d.depName && d.currentValue).toBeTruthy();
      expect(['docker', 'helm']).toContain(d.datasource);
    }
    // operator CSVs and channels, and URLs, are not touched
    const untouched = Object.entries(want.staging).filter(([k, v]) => k.startsWith('operators.') || /^[a-z]+:\/\//.test(v)).map(([, v]) => v);
    for (const d of got) expect(untouched).not.toContain(d.currentValue);
  });

  test('the reference versions.yaml has images of both environments that differ, and only the staging one is extracted', () => {
    const content = read('apps/community/versions.yaml');
    const envs = (yaml.load(content) as any).environments;
    const differing = Object.keys(envs.staging).filter((k) => k.startsWith('images.') && envs.staging[k] !== envs.production[k]);
    expect(differing.length).toBeGreaterThan(0);
    const values = extractAll('apps/community/versions.yaml', content).map((d) => `${d.depName}:${d.currentValue}`);
    for (const k of differing) {
      expect(values).toContain(envs.staging[k]);
      expect(values).not.toContain(envs.production[k]);
    }
  });

  test('a digest-pinned image keeps its digest as currentDigest; other files are not read', () => {
    const digest = `sha256:${'0123456789abcdef'.repeat(4)}`;
    const content = `environments:\n  staging:\n    images.relay: quay.io/x/relay:1.2.3@${digest}\n    vm-images.disk: https://example.org/disk-1.qcow2\n  production:\n    images.relay: quay.io/x/relay:1.2.2\n`;
    expect(extractAll('apps/x/versions.yaml', content)).toEqual([{ depName: 'quay.io/x/relay', currentValue: '1.2.3', currentDigest: digest, datasource: 'docker' }]);
    expect(extractAll('apps/x/tenants.yaml', content)).toEqual([]);
    expect(extractAll('dist/production/versions.yaml', content)).toEqual([]);
  });

  test('the chart waits for approval; post-upgrade tasks re-synthesize dist/ without a shell', () => {
    const chartRule = recipe.packageRules.find((r: any) => r.matchDatasources?.includes('helm'));
    expect(chartRule).toMatchObject({ matchPackageNames: ['gitlab'], dependencyDashboardApproval: true });
    const tasks = recipe.postUpgradeTasks;
    expect(tasks.fileFilters).toEqual(['dist/**']);
    expect(tasks.executionMode).toBe('branch');
    expect(tasks.commands[tasks.commands.length - 1]).toBe('npm run synth');
    for (const c of tasks.commands) expect(c).not.toMatch(/[&|;$`<>]/);
  });

  test('the dist/ commit of the hosted-app workflow is by an author Renovate ignores', () => {
    const wf = read('ci-examples/github-renovate-dist.yml');
    const email = /user\.email=(\S+)/.exec(wf)![1];
    expect(recipe.gitIgnoredAuthors).toEqual([email]);
    expect(wf).toContain(`head_commit.author.email != '${email}'`);
    // job 1 (runs the branch's code) has no secret; job 2 (holds the push token) runs no npm
    const doc = docs.get('ci-examples/github-renovate-dist.yml');
    expect(JSON.stringify(doc.jobs.synth)).not.toMatch(/secrets\./);
    expect(JSON.stringify(doc.jobs.push)).not.toMatch(/\bnpm\b|\bnpx\b|ocpkit synth/);
  });
});

describe('the diff jobs run as their exit-code rules say (npx, npm, git and node faked)', () => {
  /** A folder of fake commands that log their arguments; `npx ocpkit diff` prints markdown and exits FAKE_DIFF_CODE. */
  function fakeBin(): { bin: string; log: string } {
    const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-fakebin-'));
    const log = path.join(bin, 'calls.log');
    const logger = `echo "$(basename "$0") $*" >> "${log}"\n`;
    fs.writeFileSync(path.join(bin, 'npx'), `#!/bin/bash\n${logger}if [ "$1 $2" = "ocpkit diff" ]; then printf '<!-- ocpkit-diff -->\\nfake diff\\n'; exit "$FAKE_DIFF_CODE"; fi\nexit 0\n`, { mode: 0o755 });
    for (const c of ['npm', 'git', 'node']) fs.writeFileSync(path.join(bin, c), `#!/bin/bash\n${logger}cat > /dev/null\nexit 0\n`, { mode: 0o755 });
    return { bin, log };
  }
  const calls = (log: string) => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []);

  test.each([[0, 0], [1, 0], [2, 2], [3, 3], [4, 2], [143, 2]])('GitLab: ocpkit diff exit %i -> job exit %i; a fork pipeline (no token) fetches the target project and posts no note', (diffCode, jobCode) => {
    const job = gitlabJobs(docs.get('ci-examples/gitlab-ci.yml'))[0];
    const { bin, log } = fakeBin();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-gl-'));
    try {
      // the runner runs the script lines in one bash with errexit and pipefail
      const r = spawnSync('bash', ['-c', `set -eo pipefail\n${job.script.join('\n')}`], {
        cwd: work,
        encoding: 'utf8',
        env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_DIFF_CODE: String(diffCode), ...job.variables, CI_MERGE_REQUEST_SOURCE_PROJECT_ID: '99', CI_MERGE_REQUEST_PROJECT_ID: '12', CI_MERGE_REQUEST_PROJECT_URL: 'https://gitlab.example.org/infra/cluster', CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main', CI_PROJECT_DIR: work },
      });
      expect(`exit ${r.status}`).toBe(`exit ${jobCode}`);
      const seen = calls(log);
      expect(seen).toContain('git fetch --quiet https://gitlab.example.org/infra/cluster.git +refs/heads/main:refs/remotes/ocpkit-target/head');
      expect(seen.some((c) => c.startsWith('node'))).toBe(false);
      expect(seen).toContain('npx ocpkit diff --base ocpkit-target/head --stack apps/main.ts --format markdown --for gitlab --fail-on destructive,security,stale-dist');
      expect(fs.readFileSync(path.join(work, 'ocpkit-diff.md'), 'utf8')).toBe('<!-- ocpkit-diff -->\nfake diff\n');
      if (jobCode !== 2) expect(r.stdout).toMatch(/OCPKIT_DIFF_TOKEN is not set here/);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test.each([[0, 0], [1, 1], [2, 2], [3, 3], [4, 2], [143, 2]])('GitHub: ocpkit diff exit %i -> recorded as %i (anything but 0, 1, 3 is an error); the artifact holds the markdown, the code and the PR number; only 2 and 3 fail the job', (diffCode, recorded) => {
    const doc = docs.get('ci-examples/github-actions.yml');
    const all = steps(doc);
    const diffStep = all.find((s) => s.id === 'diff');
    const failStep = all[all.length - 1];
    const { bin, log } = fakeBin();
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocpkit-gh-'));
    try {
      const env = { PATH: `${bin}:/usr/bin:/bin`, FAKE_DIFF_CODE: String(diffCode), OCPKIT_STACK: doc.env.OCPKIT_STACK, BASE_REF: 'main', PR_NUMBER: '42', RUNNER_TEMP: temp, GITHUB_OUTPUT: path.join(temp, 'output'), GITHUB_STEP_SUMMARY: path.join(temp, 'summary') };
      // GitHub's default shell for run: bash --noprofile --norc -eo pipefail
      const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', diffStep.run], { encoding: 'utf8', env });
      expect(r.status).toBe(0); // the artifact is uploaded after this step, whatever the diff said
      const out = path.join(temp, 'ocpkit-diff');
      expect(fs.readFileSync(path.join(out, 'exit-code'), 'utf8')).toBe(`${recorded}\n`);
      expect(fs.readFileSync(path.join(out, 'pr-number'), 'utf8')).toBe('42\n');
      expect(fs.readFileSync(path.join(out, 'ocpkit-diff.md'), 'utf8')).toBe('<!-- ocpkit-diff -->\nfake diff\n');
      expect(fs.readFileSync(env.GITHUB_OUTPUT, 'utf8')).toBe(`code=${recorded}\n`);
      expect(fs.existsSync(env.GITHUB_STEP_SUMMARY)).toBe(recorded !== 2);
      expect(calls(log)).toContain('npx ocpkit diff --base origin/main --stack apps/main.ts --format markdown --for github --fail-on destructive,security,stale-dist');
      // the last step fails the job on 2 and 3 only
      expect(failStep.if).toBe("steps.diff.outputs.code == '2' || steps.diff.outputs.code == '3'");
      if (recorded >= 2) expect(spawnSync('bash', ['-eo', 'pipefail', '-c', failStep.run], { env: { PATH: '/usr/bin:/bin', CODE: String(recorded) } }).status).toBe(recorded);
    } finally {
      fs.rmSync(bin, { recursive: true, force: true });
      fs.rmSync(temp, { recursive: true, force: true });
    }
  });

  test.each(githubFiles)('%s pastes no ${{ }} expression into a shell script (values come in through env)', (f) => {
    for (const s of steps(docs.get(f))) if (typeof s.run === 'string') expect(s.run).not.toContain('${{');
  });
});
