import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isPortFree, repoRoot, stackProfile, stackStatus } from '@cs/infra';
import { uniqueName } from '@cs/infra/testing';

// NOTE: below the kernel's ephemeral range (32768+), where port 0 would pick one: a port from
// there can be taken as the source port of some outgoing connection before the broker binds it.
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (port % 1000 >= 80 && port % 1000 <= 130) continue; // the profiles' own 9092/8081/8123 family
    if (await isPortFree(port)) return port;
  }
}

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm start', () => {
  it('brings the stack up, prints its addresses, and leaves no process behind after Ctrl-C', async () => {
    const name = uniqueName('start').replace(/_/g, '-').slice(0, 30);
    const ports = {
      CS_KAFKA_PORT: await freePort(),
      CS_KAFKA_CONTROLLER_PORT: await freePort(),
      CS_REGISTRY_PORT: await freePort(),
      CS_REGISTRY_MANAGEMENT_PORT: await freePort(),
      CS_WAREHOUSE_PORT: await freePort(),
      CS_GATEWAY_PORT: await freePort(),
      CS_SESSIONIZER_METRICS_PORT: await freePort(),
      CS_BILLING_METRICS_PORT: await freePort(),
      CS_ENRICHER_METRICS_PORT: await freePort(),
      METRICS_PORT: await freePort(),
    };
    const env = {
      ...process.env,
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      CS_STACK: name,
    };
    const profile = stackProfile(name, env);
    // detached: its own process group, which receives the SIGINT the way a terminal's Ctrl-C does.
    const child = spawn('npm', ['start', '--', '--no-demo'], {
      cwd: repoRoot,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // NOTE: npm itself dies of the SIGINT at once; scripts/start.ts (same group, same stdout) goes on
    // stopping the services and prints '[start] stopped'. Its stdout closing marks the real end.
    const outputClosed = new Promise<void>((resolve) =>
      child.stdout.once('close', () => resolve()),
    );

    try {
      const deadline = Date.now() + 150_000;
      while (
        !output.includes('[start] ready') &&
        Date.now() < deadline &&
        child.exitCode === null
      ) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(output).toContain('[start] ready');
      expect(output).toContain(`127.0.0.1:${ports.CS_KAFKA_PORT}`);
      expect(output).toContain(`http://127.0.0.1:${ports.CS_REGISTRY_PORT}/apis/ccompat/v7`);
      expect(output).toContain(`http://127.0.0.1:${ports.CS_WAREHOUSE_PORT}`);
      expect(output).toContain(`gateway                http://127.0.0.1:${ports.CS_GATEWAY_PORT}`);
      const ready = await fetch(`http://127.0.0.1:${ports.CS_GATEWAY_PORT}/readyz`);
      expect(ready.status).toBe(200);
      for (const port of [ports.CS_SESSIONIZER_METRICS_PORT, ports.METRICS_PORT]) {
        const health = await fetch(`http://127.0.0.1:${port}/healthz`);
        expect(health.status, `service on ${port}`).toBe(200);
      }
      const tables = await fetch(
        `http://127.0.0.1:${ports.CS_WAREHOUSE_PORT}/?query=SHOW%20TABLES%20FROM%20cs`,
      );
      expect(await tables.text()).toContain('daily_activity');

      const running = await stackStatus(profile);
      expect(running.map((service) => service.state)).toEqual(['running', 'running', 'running']);
      const pids = running.flatMap((service) => (service.pid === undefined ? [] : [service.pid]));
      expect(pids).toHaveLength(3);

      if (child.pid === undefined) throw new Error('npm start has no pid');
      expect(child.exitCode, output).toBeNull();
      process.kill(-child.pid, 'SIGINT');
      await outputClosed;
      expect(output, output).toContain('[start] stopped');
      for (const pid of pids) expect(isAlive(pid)).toBe(false);
      for (const port of Object.values(ports)) expect(await isPortFree(port)).toBe(true);
    } finally {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone: the assertion that failed above says why.
        }
      }
      rmSync(profile.dir, { recursive: true, force: true });
    }
  }, 240_000);
});
