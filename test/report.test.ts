import { describe, expect, it, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import { vi } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/prelu-verify.mjs');
const FIXTURES = join(ROOT, 'test/fixtures/checks');
const GOOD = 'alpha-mean,beta-sleep,gamma-seed,delta-heat';
const env = { ...process.env, PRELU_VERIFY_CHECKS_DIR: FIXTURES };

/** Run the CLI in this process (fast path for usage errors, which never start a check). */
async function cliInProcess(args: string[]) {
  process.env.PRELU_VERIFY_CHECKS_DIR = FIXTURES; // read once, when the registry module loads
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    const { main } = await import('../src/cli/main.ts');
    return { code: await main(args), stderr };
  } finally {
    spy.mockRestore();
    out.mockRestore();
  }
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** summary.json text with the one timing key cut off (it is the last key by construction). */
function untimed(dir: string): string {
  const text = readFileSync(join(dir, 'summary.json'), 'utf8');
  const k = text.lastIndexOf('\n  "timing": ');
  expect(k).toBeGreaterThan(0);
  return text.slice(0, k);
}

function pngSize(buf: Buffer): { width: number; height: number } {
  expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(buf.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

describe('prelu-verify report (on fixture checks)', () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'prelu-report-'));
  });

  it('writes summary.json, index.md and valid SVG + PNG figures; same seed gives identical summary.json apart from timing', () => {
    const a = cli(['report', '--quick', '--only', GOOD, '--out', join(base, 'a'), '--seed', '7', '--no-progress']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/alpha-mean\s+holds/);
    const b = cli(['report', '--quick', '--only', GOOD, '--out', join(base, 'b'), '--seed', '7', '--no-progress', '--parallel', '1']);
    expect(b.code, b.stderr).toBe(0);
    expect(untimed(join(base, 'a'))).toBe(untimed(join(base, 'b')));
    const c = cli(['report', '--quick', '--only', GOOD, '--out', join(base, 'c'), '--seed', '8', '--no-progress']);
    expect(untimed(join(base, 'c'))).not.toBe(untimed(join(base, 'a')));

    const summary = JSON.parse(readFileSync(join(base, 'a', 'summary.json'), 'utf8'));
    expect(summary.checks.map((r: { id: string }) => r.id)).toEqual(GOOD.split(',').sort());
    expect(Object.keys(summary.timing).sort()).toEqual(['checkDetails', 'checksMs', 'durationMs', 'finished', 'started']);
    // The kernels that produced the numbers are recorded (they differ in the last digits).
    expect(['wasm-simd', 'js']).toContain(summary.numerics.kernels);
    expect(typeof summary.numerics.fusedMultiplyAdd).toBe('boolean');
    // A check's volatile facts (here a clock reading) land under timing, not in its record.
    expect(typeof summary.timing.checkDetails['alpha-mean'].clock).toBe('number');
    expect(JSON.stringify(summary.checks)).not.toContain('clock');
    expect(summary.seed).toBe(7);
    expect(typeof summary.node).toBe('string');
    const index = readFileSync(join(base, 'a', 'index.md'), 'utf8');
    for (const id of GOOD.split(',')) expect(index).toContain(`| [${id}](#${id}) |`);
    const figs = readdirSync(join(base, 'a', 'figures'));
    expect(figs.filter((f) => f.endsWith('.svg'))).toHaveLength(2);
    for (const f of figs) {
      const p = join(base, 'a', 'figures', f);
      if (f.endsWith('.svg')) {
        const svg = readFileSync(p, 'utf8');
        expect(XMLValidator.validate(svg)).toBe(true);
        expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      } else {
        const { width, height } = pngSize(readFileSync(p));
        expect(width).toBe(900);
        expect(height).toBeGreaterThan(50);
      }
    }
  });

  it('sharded runs (N = 3) merged equal the unsharded run', () => {
    const dirs = [1, 2, 3].map((i) => join(base, `shard${i}`));
    for (let i = 0; i < 3; i++) {
      const r = cli(['report', '--quick', '--only', GOOD, '--out', dirs[i], '--seed', '7', '--shard', `${i + 1}/3`, '--no-progress']);
      expect(r.code, r.stderr).toBe(0);
    }
    const m = cli(['merge', ...dirs, '--out', join(base, 'merged')]);
    expect(m.code, m.stderr).toBe(0);
    const full = join(base, 'full');
    expect(cli(['report', '--quick', '--only', GOOD, '--out', full, '--seed', '7', '--no-progress']).code).toBe(0);
    expect(untimed(join(base, 'merged'))).toBe(untimed(full));
    expect(readFileSync(join(base, 'merged', 'index.md'), 'utf8').split('\n').filter((l) => !l.startsWith('- Started')))
      .toEqual(readFileSync(join(full, 'index.md'), 'utf8').split('\n').filter((l) => !l.startsWith('- Started')));
    // Incomplete shard sets are refused.
    const bad = cli(['merge', dirs[0], dirs[1], '--out', join(base, 'merged2')]);
    expect(bad.code).toBe(2);
    expect(existsSync(join(base, 'merged2'))).toBe(false);
  });

  it('a run killed mid-way leaves the previous report intact', async () => {
    const out = join(base, 'kill');
    expect(cli(['report', '--quick', '--only', GOOD, '--out', out, '--seed', '3', '--no-progress']).code).toBe(0);
    const before = readFileSync(join(out, 'summary.json'), 'utf8');
    for (const signal of ['SIGKILL', 'SIGINT'] as const) {
      const child = spawn(process.execPath, [BIN, 'report', '--only', GOOD, '--out', out, '--seed', '4'], { env });
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          if (d.toString().includes('start beta-sleep')) resolve();
        });
      });
      child.kill(signal);
      const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      if (signal === 'SIGINT') expect(code).toBe(130);
      expect(readFileSync(join(out, 'summary.json'), 'utf8')).toBe(before);
      expect(readFileSync(join(out, 'index.md'), 'utf8')).toContain('alpha-mean');
    }
  });

  it('a crashing check is recorded as an error, the others still run, exit code 1', () => {
    const r = cli(['report', '--quick', '--only', 'alpha-mean,epsilon-broken', '--out', join(base, 'err'), '--no-progress']);
    expect(r.code).toBe(1);
    const s = JSON.parse(readFileSync(join(base, 'err', 'summary.json'), 'utf8'));
    expect(s.checks.map((c: { verdict: string }) => c.verdict)).toEqual(['holds', 'error']);
    expect(s.checks[1].evidence.error).toContain('deliberate failure');
  });

  it('a violated check exits 1, or 0 with --allow-violations (npm start); the report is written either way', () => {
    const a = cli(['report', '--quick', '--only', 'gamma-seed,zeta-violated', '--out', join(base, 'v1'), '--no-progress']);
    expect(a.code).toBe(1);
    const b = cli(['report', '--quick', '--only', 'gamma-seed,zeta-violated', '--out', join(base, 'v2'), '--no-progress', '--allow-violations']);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/zeta-violated\s+violated/);
    expect(existsSync(join(base, 'v2', 'index.md'))).toBe(true);
    const c = cli(['report', '--quick', '--only', 'epsilon-broken', '--out', join(base, 'v3'), '--no-progress', '--allow-violations']);
    expect(c.code).toBe(1);
  });

  const badConfigs: [string, unknown, RegExp][] = [
    ['unknown top-level field', { seed: 1, bogus: 2 }, /invalid bogus/],
    ['wrong type', { seed: 'one' }, /invalid seed/],
    ['out-of-range value', { parallel: 0 }, /invalid parallel/],
    ['unknown check id', { checks: { 'no-such-check': {} } }, /invalid checks\.no-such-check/],
    ['bad check setting', { checks: { 'alpha-mean': { n: -5 } } }, /invalid checks\.alpha-mean\.n/],
    ['unknown check setting', { checks: { 'alpha-mean': { m: 5 } } }, /invalid checks\.alpha-mean\.m/],
  ];
  for (const [what, cfg, re] of badConfigs) {
    it(`bad config (${what}) exits 2, names the field and writes nothing`, async () => {
      const file = join(base, `cfg-${what.replace(/\W+/g, '-')}.json`);
      writeFileSync(file, JSON.stringify(cfg));
      const out = join(base, `never-${what.replace(/\W+/g, '-')}`);
      const r = await cliInProcess(['report', '--quick', '--only', 'gamma-seed', '--config', file, '--out', out, '--no-progress']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(existsSync(out)).toBe(false);
    });
  }

  it('malformed JSON, YAML configs and bad flags exit 2', async () => {
    const f = join(base, 'broken.json');
    writeFileSync(f, '{ "seed": 1,');
    expect((await cliInProcess(['report', '--config', f, '--out', join(base, 'x1')])).stderr).toMatch(/invalid config/);
    const y = join(base, 'ok.yaml');
    writeFileSync(y, 'seed: 5\nquick: true\nonly: [gamma-seed]\n');
    const ok = cli(['report', '--config', y, '--out', join(base, 'y1'), '--no-progress']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(base, 'y1', 'summary.json'), 'utf8')).seed).toBe(5);
    for (const args of [['--seed', '-3'], ['--seed', 'abc'], ['--shard', '4/3'], ['--only', 'nope'], ['--parallel', '1.5']]) {
      const r = await cliInProcess(['report', ...args, '--out', join(base, 'x2')]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(existsSync(join(base, 'x2'))).toBe(false);
    }
    expect((await cliInProcess(['report', '--help'])).code).toBe(0);
    expect((await cliInProcess(['no-such-command'])).code).toBe(2);
  });
});
