import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, LazyResolver, ResolutionContext } from 'cdk8s';
import { IntOrString, KubeConfigMap, KubeDeployment, Quantity } from 'cdk8s-plus-27/lib/imports/k8s';
import { build as community } from '../../apps/community/main';
import { build as tour } from '../../apps/tour/main';
import { cdk8sSourceDigest, fastRenderAvailable, renderCounts, withFastRender } from '../../lib/synth/_render';
import { walk } from '../../lib/synth/pipeline';

const STOCK = ApiObject.prototype.toJson;

/** A value as text that tells apart what JSON does not: key order, holes, undefined, functions, bigints, prototypes. */
function show(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'function') return 'function';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${Array.from({ length: v.length }, (_, i) => (i in v ? show(v[i]) : 'hole')).join(',')}]`;
  const proto = Object.getPrototypeOf(v) === Object.prototype ? '' : '(other prototype)';
  return `${proto}{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${show((v as any)[k])}`).join(',')}}`;
}

/** What cdk8s' own toJson gives: the value or the error message. */
function stock(obj: ApiObject): { value?: string; error?: string } {
  try {
    return { value: show(obj.toJson()) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** What the fast render gives, and how often it handed the object to cdk8s' own render. */
function fast(obj: ApiObject): { value?: string; error?: string; stockRenders: number } {
  const before = renderCounts.stock;
  return withFastRender(() => {
    try {
      return { value: show(obj.toJson()), stockRenders: renderCounts.stock - before };
    } catch (e) {
      return { error: (e as Error).message, stockRenders: renderCounts.stock - before };
    }
  });
}

function object(props: Record<string, unknown>, metadata: Record<string, unknown> = {}): ApiObject {
  const chart = new Chart(new App(), 'chart', { labels: { team: 'a' } });
  return new ApiObject(chart, 'obj', { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'thing', ...metadata }, ...props });
}

describe('fast render (lib/synth/_render)', () => {
  test('stands in for the installed cdk8s: its source digest is the one the fast path was checked against', () => {
    // Failing here means cdk8s changed: re-read api-object.js, metadata.js, resolve.js, _util.js,
    // lazy.js, json-patch.js and app.js, adapt fused() if needed, and update KNOWN_SOURCES.
    expect(cdk8sSourceDigest()).toMatch(/^[0-9a-f]{64}$/);
    expect(fastRenderAvailable()).toBe(true);
  });

  test('every object of the reference stack and the tour renders byte for byte as cdk8s renders it, without cdk8s resolve', () => {
    const objects = [...community(), tour()].flatMap((c) => walk(c).filter((x): x is ApiObject => x instanceof ApiObject));
    expect(objects.length).toBeGreaterThan(1000);
    let mismatches = 0;
    let fallbacks = 0;
    for (const o of objects) {
      const want = stock(o);
      const got = fast(o);
      if (got.value !== want.value || got.error !== want.error) mismatches++;
      if (got.stockRenders > 0) fallbacks++;
    }
    expect(mismatches).toBe(0);
    expect(fallbacks).toBe(0);
  });

  test('tokens, lazies, unions, nulls, empties, key order, patches: the same as cdk8s', () => {
    const token = { resolve: () => ({ b: 2, a: [1, null, Lazy.any({ produce: () => 'late' })] }) };
    const sparse: unknown[] = [1];
    sparse[3] = 'x';
    const cases: ApiObject[] = [
      object({ spec: { z: 1, a: null, m: undefined, b: [], c: {}, d: [null, undefined, { y: 1, x: 2 }], '10': 'ten', '9': 'nine', B: 'upper' } }),
      object({ spec: { lazy: Lazy.any({ produce: () => ({ nested: Lazy.any({ produce: () => [3, 2, 1] }) }) }), token } }),
      object({ spec: { port: IntOrString.fromNumber(8080), named: IntOrString.fromString('http'), mem: Quantity.fromString('1Gi') } }),
      object({ spec: { sparse, fn: () => 1, big: 10n } }),
      object({ data: { k: 'v' } }, { annotations: {}, labels: { b: '1', a: '2' }, finalizers: [], ownerReferences: [], extra: { empty: {} } }),
      object({ data: { k: 'v' } }, { annotations: { z: 'last', a: 'first' }, finalizers: ['f'], custom: Lazy.any({ produce: () => 'made' }) }),
    ];
    const patched = object({ spec: { replicas: 1 } });
    patched.addJsonPatch(JsonPatch.replace('/spec/replicas', 3), JsonPatch.add('/spec/added', { b: 1, a: 2 }));
    cases.push(patched);
    const chart = new Chart(new App(), 'typed');
    cases.push(new KubeDeployment(chart, 'web', { spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } } } }));
    cases.push(new KubeConfigMap(chart, 'cm', { data: { b: '2', a: '1' } }));
    for (const c of cases) {
      const want = stock(c);
      const got = fast(c);
      expect(want.error).toBeUndefined();
      expect({ path: c.node.path, value: got.value }).toEqual({ path: c.node.path, value: want.value });
      expect(got.stockRenders).toBe(0);
    }
  });

  test('what cdk8s refuses fails with cdk8s own message (the stock render words it)', () => {
    class Custom {
      public readonly x = 1;
    }
    const nullProto = Object.create(null);
    nullProto.a = 1;
    for (const spec of [{ when: new Date(0) }, { custom: new Custom() }, { nullProto }, JSON.parse('{"__proto__": {"a": 1}, "b": 2}')]) {
      const o = object({ spec });
      const want = stock(o);
      const got = fast(o);
      expect(got.value).toBe(want.value);
      expect(got.error).toBe(want.error);
    }
    expect(stock(object({ spec: { when: new Date(0) } })).error).toMatch(/can't render non-simple object of type 'Date'/);
  });

  test('a producer that throws fails with cdk8s message and runs once; a later unrenderable value does not change the message', () => {
    for (const spec of [{ a: 'x', b: undefined as unknown }, { a: new Date(0), b: undefined as unknown }]) {
      let calls = 0;
      spec.b = Lazy.any({ produce: () => { calls++; throw new Error('no data today'); } });
      const o = object({ spec });
      const want = stock(o);
      const stockCalls = calls;
      calls = 0;
      const got = fast(o);
      expect(got.error).toBe(want.error);
      expect(got.error).toMatch(/^Failed serializing construct at path 'chart\/obj' with name 'thing': Error: no data today$/);
      if (!(spec.a instanceof Date)) expect(calls).toBe(stockCalls);
    }
  });

  test('a Lazy that changes a sibling or the props: the values cdk8s took before resolving are rendered', () => {
    const spec: any = { a: Lazy.any({ produce: () => ((spec.b = 'changed'), 'a') }), b: 'orig' };
    const gone: any = { a: Lazy.any({ produce: () => (delete gone.b, 'a') }), b: 'orig' };
    const props: any = { spec: { x: 1 } };
    const o = object(props, { labels: { l: Lazy.any({ produce: () => ((props.spec = { x: 2 }), 'l') }) } });
    for (const c of [object({ spec }), object({ spec: gone }), o]) {
      // each render changes its own stack: render fresh twins for cdk8s and for the fast walk
      const want = stock(c);
      spec.b = 'orig';
      gone.b = 'orig';
      props.spec = { x: 1 };
      expect(fast(c)).toEqual({ value: want.value, stockRenders: 0 });
    }
  });

  test('a producer that renders another object (a render inside a render) leaves both renders as cdk8s makes them', () => {
    const inner = object({ spec: { z: 1, a: { y: [1, { d: 4, c: 3 }], b: 2 } } });
    let made = 0;
    const outer = object({ spec: { b: { q: 1, p: Lazy.any({ produce: () => ((made++, inner.toJson())) }), a: 0 }, a: 'x' } }, { labels: { z: 'last', a: 'first' } });
    const want = stock(outer);
    const wantInner = stock(inner);
    made = 0;
    expect(fast(outer)).toEqual({ value: want.value, stockRenders: 0 });
    expect(made).toBe(1);
    expect(fast(inner)).toEqual({ value: wantInner.value, stockRenders: 0 });
  });

  test('a getter that renders another object while its own object is read leaves both as cdk8s makes them', () => {
    const inner = object({ spec: { x: '1', y: '2' } });
    const spec: any = { a: 'A', b: 'B', d: 'D' };
    Object.defineProperty(spec, 'c', { enumerable: true, get: () => inner.toJson().spec });
    const o = object({ spec });
    expect(fast(o)).toEqual({ value: stock(o).value, stockRenders: 0 });
  });

  test('objects of many members (sorted by an index, not in place) render as cdk8s renders them', () => {
    const wide: Record<string, number> = {};
    for (let i = 60; i > 0; i--) wide[`k${i}`] = i;
    const o = object({ spec: { wide, few: { c: 1, b: 2, a: 3 } } });
    expect(fast(o)).toEqual({ value: stock(o).value, stockRenders: 0 });
  });

  test('arrays: one whose constructor is Object renders as an array; one without Array.prototype fails as cdk8s fails', () => {
    const odd: any = ['x', 'y'];
    odd.constructor = Object;
    const bare: any = ['x'];
    Object.setPrototypeOf(bare, Object.prototype);
    for (const spec of [{ odd }, { bare }]) {
      const o = object({ spec });
      expect(fast(o)).toMatchObject(stock(o));
    }
    expect(stock(object({ spec: { bare } })).error).toMatch(/map is not a function/);
  });

  test('a cdk8s function replaced after a synth (a wrapper, a patch) is honoured: cdk8s renders', () => {
    const o = () => object({ spec: { a: Lazy.any({ produce: () => 1 }) } });
    expect(fast(o()).stockRenders).toBe(0);
    const original = LazyResolver.prototype.resolve;
    LazyResolver.prototype.resolve = function (this: LazyResolver, ctx: ResolutionContext) {
      if (ctx.value instanceof Lazy) ctx.replaceValue(100);
    };
    try {
      const got = fast(o());
      expect(got.value).toContain('"a":100');
    } finally {
      LazyResolver.prototype.resolve = original;
    }
    expect(fast(o()).stockRenders).toBe(0);
  });

  test('an App with a resolver of its own renders the stock way (its resolver sees every key path)', () => {
    const seen: string[] = [];
    class Upper implements IResolver {
      resolve(ctx: ResolutionContext): void {
        seen.push(ctx.key.join('.'));
        if (ctx.value === 'shout') ctx.replaceValue('SHOUT');
      }
    }
    const app = new App({ resolvers: [new Upper()] });
    const o = new ApiObject(new Chart(app, 'c'), 'o', { apiVersion: 'v1', kind: 'Thing', spec: { say: 'shout' } });
    const got = fast(o);
    expect(got.value).toContain('"spec":{"say":"SHOUT"}');
    expect(seen).toContain('spec.say');
  });

  test('each Lazy is produced once per render, in the order cdk8s produces them', () => {
    const order: string[] = [];
    const lazy = (name: string) => Lazy.any({ produce: () => (order.push(name), name) });
    const o = object({ spec: { z: lazy('z'), a: lazy('a'), list: [lazy('l0'), lazy('l1')] } }, { labels: { m: lazy('m') } });
    stock(o);
    const cdk8sOrder = [...order];
    order.length = 0;
    fast(o);
    expect(order).toEqual(cdk8sOrder);
    expect(new Set(order).size).toBe(order.length);
  });

  test('the stock method is back after a synth, after a failed one, and only the outermost of nested calls restores it', () => {
    expect(() =>
      withFastRender(() => {
        expect(ApiObject.prototype.toJson).not.toBe(STOCK);
        withFastRender(() => undefined);
        expect(ApiObject.prototype.toJson).not.toBe(STOCK);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(ApiObject.prototype.toJson).toBe(STOCK);
  });

  test('OCPKIT_FAST_RENDER=off keeps cdk8s render', () => {
    const before = process.env.OCPKIT_FAST_RENDER;
    process.env.OCPKIT_FAST_RENDER = 'off';
    try {
      expect(fastRenderAvailable()).toBe(false);
      withFastRender(() => expect(ApiObject.prototype.toJson).toBe(STOCK));
      const before = renderCounts.fast;
      expect(fast(object({ spec: { a: 1 } })).value).toContain('"a":1');
      expect(renderCounts.fast).toBe(before);
    } finally {
      if (before === undefined) delete process.env.OCPKIT_FAST_RENDER;
      else process.env.OCPKIT_FAST_RENDER = before;
    }
  });
});
