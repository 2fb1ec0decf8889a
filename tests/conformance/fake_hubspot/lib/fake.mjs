// Starts the fake-hubspot binary on port 0 and offers its /_fake/ admin routes.
import { spawn } from 'node:child_process';

export async function startFake(binary, args = []) {
  const child = spawn(binary, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`fake-hubspot did not start: ${out} ${stderr}`)), 30000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`fake-hubspot exited with ${code}: ${stderr}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  const admin = async (method, path, body) => {
    const res = await fetch(base + path, { method, body: body === undefined ? undefined : JSON.stringify(body),
                                           headers: body === undefined ? {} : { 'Content-Type': 'application/json' } });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  return {
    port,
    base,
    admin,
    stop() { child.kill('SIGTERM'); },
  };
}
