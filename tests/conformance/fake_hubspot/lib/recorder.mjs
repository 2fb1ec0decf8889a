// A recording reverse proxy: the SDK talks to it, it forwards to fake-hubspot and keeps every
// exchange (method, path, query, status, headers, body) for validation against the specs.
import http from 'node:http';

export async function startRecorder(targetPort) {
  const records = [];
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const headers = { ...req.headers };
      delete headers.connection;
      headers['content-length'] = String(body.length);
      const upstream = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers, agent }, (up) => {
        const parts = [];
        up.on('data', (c) => parts.push(c));
        up.on('end', () => {
          const text = Buffer.concat(parts).toString('utf8');
          const [pathOnly, query = ''] = req.url.split('?');
          records.push({ method: req.method, path: decodeURIComponent(pathOnly), query, status: up.statusCode,
                         headers: up.headers, body: text, requestBody: body.toString('utf8') });
          const out = { ...up.headers };
          delete out.connection;
          delete out['transfer-encoding'];
          out['content-length'] = String(Buffer.byteLength(text));
          res.writeHead(up.statusCode, out);
          res.end(text);
        });
      });
      upstream.on('error', (e) => {
        records.push({ method: req.method, path: req.url, status: 0, headers: {}, body: '', error: e.message });
        res.destroy();
      });
      upstream.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    records,
    async close() {
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
