import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';

/**
 * A Parameter Store that speaks SSM's JSON 1.1 protocol (the AWS SDK v3 SSMClient talks to it over
 * HTTP): GetParametersByPath (paginated, 10 per page like AWS's default), GetParameter,
 * PutParameter and DeleteParameter. Enough for the code that reads and writes flags and keys to be tested for real.
 */
export interface FakeSsmServer {
  readonly endpoint: string;
  readonly parameters: Map<string, string>;
  close(): Promise<void>;
}

const PAGE = 10;
const ByPath = z.object({
  Path: z.string(),
  Recursive: z.boolean().optional(),
  NextToken: z.string().optional(),
});
const Put = z.object({ Name: z.string(), Value: z.string(), Overwrite: z.boolean().optional() });
const Get = z.object({ Name: z.string() });

export async function startFakeSsm(initial: Record<string, string> = {}): Promise<FakeSsmServer> {
  const parameters = new Map(Object.entries(initial));
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const reply = (status: number, json: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(json));
      };
      const target = String(req.headers['x-amz-target'] ?? '');
      const input: unknown = body ? JSON.parse(body) : {};
      if (target === 'AmazonSSM.GetParametersByPath') {
        const q = ByPath.parse(input);
        const prefix = q.Path.endsWith('/') ? q.Path : `${q.Path}/`;
        const names = [...parameters.keys()]
          .filter((n) => n.startsWith(prefix) && (q.Recursive || !n.slice(prefix.length).includes('/')))
          .sort();
        const start = q.NextToken ? Number(q.NextToken) : 0;
        const page = names.slice(start, start + PAGE);
        return reply(200, {
          Parameters: page.map((Name) => ({ Name, Value: parameters.get(Name), Type: 'String', Version: 1 })),
          ...(start + PAGE < names.length ? { NextToken: String(start + PAGE) } : {}),
        });
      }
      if (target === 'AmazonSSM.PutParameter') {
        const q = Put.parse(input);
        if (parameters.has(q.Name) && !q.Overwrite)
          return reply(400, { __type: 'ParameterAlreadyExists', message: `${q.Name} exists` });
        parameters.set(q.Name, q.Value);
        return reply(200, { Version: 1, Tier: 'Standard' });
      }
      if (target === 'AmazonSSM.DeleteParameter') {
        const q = Get.parse(input);
        if (!parameters.delete(q.Name)) return reply(400, { __type: 'ParameterNotFound', message: q.Name });
        return reply(200, {});
      }
      if (target === 'AmazonSSM.GetParameter') {
        const q = Get.parse(input);
        const value = parameters.get(q.Name);
        if (value === undefined) return reply(400, { __type: 'ParameterNotFound', message: q.Name });
        return reply(200, { Parameter: { Name: q.Name, Value: value, Type: 'SecureString', Version: 1 } });
      }
      return reply(400, { __type: 'InvalidAction', message: `unsupported ${target}` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    parameters,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
