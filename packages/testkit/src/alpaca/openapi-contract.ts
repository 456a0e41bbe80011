import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as z from 'zod';

/**
 * Alpaca's own OpenAPI 3.0 documents (Trading API, Market Data API) as a checker of HTTP
 * exchanges: every request an adapter sends (method, path, path and query parameters, JSON body)
 * and every response a fake returns (status, JSON body) is validated against the operation the
 * spec declares for it, with Ajv (OpenAPI's `nullable` is an Ajv keyword) and ajv-formats.
 *
 * Contract of `checkRequest` / `checkResponse`: they return the violations as sentences naming
 * the operation and the field; an empty list means the exchange is what the spec allows.
 * - An operation the spec does not declare is a violation.
 * - A query parameter the operation does not declare is a violation; so is a missing required one.
 * - A documented status with a JSON schema is validated against it; a documented status without
 *   content accepts any body; an undocumented 4xx/5xx must be Alpaca's error body (`ErrorBody`);
 *   an undocumented 2xx is a violation.
 *
 * The documents live outside the project (`../shared/alpaca-openapi` from the repository root);
 * `load` returns undefined when they are absent, and tests skip.
 */

/** `../shared/alpaca-openapi` relative to the repository root. */
export const ALPACA_SPEC_DIR = resolve(__dirname, '../../../../../shared/alpaca-openapi');

export const alpacaSpecPresent = existsSync(resolve(ALPACA_SPEC_DIR, 'trading-api.json'));

/** Alpaca's error body: `message`, and `code` where the gateway sends one. */
const ErrorBody = z.object({ code: z.number().int().optional(), message: z.string() }).strict();

const Doc = z.object({
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});
type Doc = z.infer<typeof Doc>;

const Parameter = z.object({
  name: z.string(),
  in: z.enum(['query', 'path', 'header', 'cookie']),
  required: z.boolean().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  explode: z.boolean().optional(),
  description: z.string().optional(),
});
type Parameter = z.infer<typeof Parameter>;

const SchemaObject = z.record(z.string(), z.unknown());
const Ref = z.object({ $ref: z.string() });
const MediaMap = z.record(z.string(), z.object({ schema: z.unknown().optional() }).passthrough());
const ResponseObject = z.object({ content: MediaMap.optional() }).passthrough();
const Operation = z
  .object({
    parameters: z.array(z.unknown()).optional(),
    requestBody: z.object({ content: MediaMap.optional() }).passthrough().optional(),
    responses: z.record(z.string(), z.unknown()),
  })
  .passthrough();
type Operation = z.infer<typeof Operation>;

export interface SpecOperation {
  readonly docName: string;
  readonly method: string;
  readonly template: string;
  readonly pathParams: Readonly<Record<string, string>>;
}

export interface HttpExchangeRequest {
  readonly method: string;
  /** Path with its query string, e.g. `/v2/orders?status=open`. */
  readonly url: string;
  /** The JSON body read, or undefined when none was sent. */
  readonly body?: unknown;
}

export class AlpacaContract {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: {
    docName: string;
    doc: Doc;
    template: string;
    pattern: RegExp;
    exact: boolean;
  }[] = [];

  private constructor(docs: Readonly<Record<string, Doc>>) {
    this.ajv = new Ajv({ strict: false, allErrors: true, logger: false, verbose: true });
    addFormats(this.ajv);
    for (const [name, doc] of Object.entries(docs)) {
      this.ajv.addSchema(doc, name);
      for (const template of Object.keys(doc.paths)) {
        const exact = !template.includes('{');
        const source = template
          .split(/(\{[^}]+\})/)
          .map((part) => (part.startsWith('{') ? '([^/]+)' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
          .join('');
        this.routes.push({ docName: name, doc, template, pattern: new RegExp(`^${source}$`), exact });
      }
    }
    // Literal paths before templated ones: `/v2/stocks/trades/latest` is not `/v2/stocks/{symbol}/…`.
    this.routes.sort((a, b) => Number(b.exact) - Number(a.exact));
  }

  /** The two documents from `dir`, or undefined when the folder is absent. */
  static load(dir: string = ALPACA_SPEC_DIR): AlpacaContract | undefined {
    const trading = resolve(dir, 'trading-api.json');
    const data = resolve(dir, 'market-data-api.json');
    if (!existsSync(trading) || !existsSync(data)) return undefined;
    const read = (file: string): Doc => Doc.parse(JSON.parse(readFileSync(file, 'utf8')));
    return new AlpacaContract({ trading: read(trading), 'market-data': read(data) });
  }

  /** The spec's operation for a method and path, or a violation. */
  operationOf(method: string, pathname: string): SpecOperation | string {
    const m = method.toLowerCase();
    for (const r of this.routes) {
      const hit = r.pattern.exec(pathname);
      if (!hit || r.doc.paths[r.template]?.[m] === undefined) continue;
      const names = [...r.template.matchAll(/\{([^}]+)\}/g)].map((x) => x[1] ?? '');
      const pathParams: Record<string, string> = {};
      names.forEach((n, i) => {
        pathParams[n] = decodeURIComponent(hit[i + 1] ?? '');
      });
      return { docName: r.docName, method: m, template: r.template, pathParams };
    }
    return `${method} ${pathname}: no such operation in Alpaca's OpenAPI documents`;
  }

  checkRequest(request: HttpExchangeRequest): string[] {
    const url = new URL(request.url, 'http://spec');
    const op = this.operationOf(request.method, url.pathname);
    if (typeof op === 'string') return [op];
    const where = `${request.method} ${op.template}`;
    const operation = this.operation(op);
    const problems: string[] = [];
    const params = this.parameters(op, operation);
    const seen = new Set<string>();
    for (const [name, value] of url.searchParams) {
      seen.add(name);
      const p = params.find((x) => x.in === 'query' && x.name === name);
      if (!p) {
        problems.push(`${where}: query parameter "${name}" is not in the spec`);
        continue;
      }
      problems.push(...this.checkParam(op.docName, where, p, value));
    }
    for (const p of params) {
      if (p.in === 'query' && p.required && !seen.has(p.name))
        problems.push(`${where}: required query parameter "${p.name}" missing`);
      if (p.in === 'path') {
        const value = op.pathParams[p.name];
        if (value === undefined) problems.push(`${where}: path parameter "${p.name}" missing`);
        else problems.push(...this.checkParam(op.docName, where, p, value));
      }
    }
    const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
    if (request.body !== undefined) {
      if (bodySchema === undefined) problems.push(`${where}: the spec takes no JSON body`);
      else
        problems.push(
          ...this.validate(op, `${op.template}.${op.method}.requestBody`, bodySchema, request.body),
        );
    } else if (bodySchema !== undefined && operation.requestBody !== undefined) {
      problems.push(`${where}: the JSON body is missing`);
    }
    return problems;
  }

  /**
   * Compiles every schema of these operations ("GET /v2/orders/{order_id}") now, so that the
   * first check does not slow the first answer (compiling a large schema takes a while).
   */
  prepare(operations: readonly string[]): void {
    for (const key of operations) {
      const [method = '', template = ''] = key.split(' ');
      const op = this.operationOf(method, template.replace(/\{[^}]+\}/g, 'x'));
      if (typeof op === 'string') throw new Error(op);
      const operation = this.operation(op);
      const body = operation.requestBody?.content?.['application/json']?.schema;
      if (body !== undefined) this.validate(op, `${op.template}.${op.method}.requestBody`, body, undefined);
      for (const [status, declared] of Object.entries(operation.responses)) {
        const schema = ResponseObject.parse(this.deref(op.docName, declared)).content?.['application/json']
          ?.schema;
        if (schema !== undefined)
          this.validate(op, `${op.template}.${op.method}.${status}`, schema, undefined);
      }
    }
  }

  /** `bodyText` is the exact body sent; empty means no body. */
  checkResponse(method: string, url: string, status: number, bodyText: string): string[] {
    const pathname = new URL(url, 'http://spec').pathname;
    const op = this.operationOf(method, pathname);
    if (typeof op === 'string') return [op];
    const where = `${method} ${op.template} → ${status}`;
    const operation = this.operation(op);
    const declared = operation.responses[String(status)] ?? operation.responses.default;
    let body: unknown;
    if (bodyText.trim() !== '') {
      try {
        body = JSON.parse(bodyText);
      } catch {
        return [`${where}: the body is not JSON`];
      }
    }
    if (declared === undefined) {
      if (status < 400) return [`${where}: status not documented for this operation`];
      const error = ErrorBody.safeParse(body);
      return error.success
        ? []
        : [`${where}: an undocumented error status whose body is not {code, message}`];
    }
    const response = ResponseObject.parse(this.deref(op.docName, declared));
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (status >= 400 && body !== undefined && !ErrorBody.safeParse(body).success)
        return [`${where}: an error body that is not {code, message}`];
      return [];
    }
    if (body === undefined) return [`${where}: the body is empty, the spec says JSON`];
    return this.validate(op, `${op.template}.${op.method}.${status}`, schema, body);
  }

  /** Validates `value` against a schema of a document, e.g. `#/components/schemas/Order`. */
  checkSchema(docName: 'trading' | 'market-data', pointer: string, value: unknown): string[] {
    const key = `${docName}${pointer}`;
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile({ $ref: `${docName}${pointer}` });
      this.compiled.set(key, v);
    }
    return v(value) ? [] : describeErrors(value, pointer, v.errors);
  }

  /** A schema of a document, its `$ref`s resolved one level at a time by the caller. */
  schemaAt(docName: 'trading' | 'market-data', pointer: string): unknown {
    return this.deref(docName, { $ref: pointer });
  }

  private operation(op: SpecOperation): Operation {
    const doc = this.doc(op.docName);
    return Operation.parse(doc.paths[op.template]?.[op.method]);
  }

  private parameters(op: SpecOperation, operation: Operation): Parameter[] {
    const doc = this.doc(op.docName);
    const shared = z.array(z.unknown()).optional().parse(doc.paths[op.template]?.parameters) ?? [];
    return [...shared, ...(operation.parameters ?? [])].map((p) =>
      Parameter.parse(this.deref(op.docName, p)),
    );
  }

  private checkParam(docName: string, where: string, p: Parameter, raw: string): string[] {
    if (p.schema === undefined) return [];
    const resolved = this.deref(docName, p.schema);
    const type = isRecord(resolved) ? resolved.type : undefined;
    // Parameters travel as text: arrays comma separated (style form, explode false), numbers and
    // booleans as their literal.
    let value: unknown = raw;
    // A date-time parameter the spec says also takes a plain date ("RFC-3339 or YYYY-MM-DD", or
    // Alpaca's Go `legacyTime`) may be "2024-01-02".
    if (isRecord(resolved) && resolved.format === 'date-time' && /^\d{4}-\d{2}-\d{2}$/.test(raw)) {
      const saysDate = (p.description ?? '').includes('YYYY-MM-DD') || resolved['x-go-type'] === 'legacyTime';
      if (saysDate) return [];
    }
    if (type === 'array') value = raw.split(',');
    else if (type === 'integer' || type === 'number') value = raw.trim() === '' ? raw : Number(raw);
    else if (type === 'boolean') value = raw === 'true' ? true : raw === 'false' ? false : raw;
    const opKey = `param:${where}:${p.in}:${p.name}`;
    let v = this.compiled.get(opKey);
    if (!v) {
      v = this.ajv.compile(this.withRefsInto(p.schema, docName));
      this.compiled.set(opKey, v);
    }
    return v(value)
      ? []
      : describeErrors(value, `${where}: ${p.in} parameter "${p.name}"=${JSON.stringify(raw)}`, v.errors);
  }

  private validate(op: SpecOperation, key: string, schema: unknown, value: unknown): string[] {
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(this.withRefsInto(schema, op.docName));
      this.compiled.set(key, v);
    }
    return v(value)
      ? []
      : describeErrors(value, `${op.method.toUpperCase()} ${op.template} (${key})`, v.errors);
  }

  /** A schema whose local `$ref`s (`#/components/…`) point into the named document. */
  private withRefsInto(schema: unknown, docName: string): Record<string, unknown> {
    return SchemaObject.parse(
      JSON.parse(JSON.stringify(schema).replace(/"\$ref":"#\//g, `"$ref":"${docName}#/`)),
    );
  }

  private deref(docName: string, value: unknown): unknown {
    let current = value;
    for (let i = 0; i < 10; i++) {
      const ref = Ref.safeParse(current);
      if (!ref.success) return current;
      const doc = this.doc(docName);
      current = ref.data.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), doc);
    }
    return current;
  }

  private doc(name: string): Doc {
    const route = this.routes.find((r) => r.docName === name);
    if (!route) throw new Error(`no document ${name}`);
    return route.doc;
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function describeErrors(root: unknown, where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? [])
    .filter((e) => !multiLegBlank(root, e))
    .map((e) => `${where}: ${e.instancePath === '' ? '(body)' : e.instancePath} ${e.message ?? e.keyword}`);
}

/**
 * Alpaca's own multi-leg order example (`MultilegOptionsOrderResponse`) leaves `symbol`, `side`,
 * `asset_class`, `asset_id` and its legs' `type` empty, against its Order schema: an empty string
 * inside an `mleg` order is what Alpaca sends, so it is not a violation. Nothing else is excused.
 */
function multiLegBlank(root: unknown, e: ErrorObject): boolean {
  if (e.data !== '') return false;
  let node: unknown = root;
  for (const key of e.instancePath.split('/').slice(1)) {
    if (isRecord(node) && node.order_class === 'mleg') return true;
    node = Array.isArray(node)
      ? node[Number(key)]
      : isRecord(node)
        ? node[key.replace(/~1/g, '/').replace(/~0/g, '~')]
        : undefined;
  }
  return false;
}
