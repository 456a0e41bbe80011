import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BooksError } from '@books/core';
import * as z from 'zod';

/** The template `sls package` writes beside the zips: what CloudFormation would deploy. */
export const PACKAGED_TEMPLATE = 'cloudformation-template-update-stack.json';

const LambdaFunctionSchema = z.object({
  Type: z.literal('AWS::Lambda::Function'),
  Properties: z.object({
    FunctionName: z.string(),
    Handler: z.string().regex(/^[^.]+(\.[^.]+)*\.[A-Za-z_$][\w$]*$/, 'file.export'),
    Timeout: z.number().int().positive().default(3),
    MemorySize: z.number().int().positive().default(128),
    Code: z.object({ S3Key: z.string().endsWith('.zip') }),
    Environment: z.object({ Variables: z.record(z.string(), z.unknown()) }).optional(),
  }),
});

const TemplateSchema = z.object({ Resources: z.record(z.string(), z.object({ Type: z.string() }).loose()) });

/** One function as packaged: its zip and what Lambda would run it with. */
export interface PackagedFunction {
  /** The function's key in serverless.yml (its zip's name). */
  readonly key: string;
  readonly logicalId: string;
  /** The deployed name (`<service>-<stage>-<key>`), which an Invoke addresses. */
  readonly functionName: string;
  /** `path/of/file.export`, relative to the task root. */
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly zipFile: string;
  /** The environment as the template gives it: a value CloudFormation resolves stays an object. */
  readonly environment: Readonly<Record<string, unknown>>;
}

/** Every AWS::Lambda::Function of the packaged template in `packageDir`. */
export function readPackagedFunctions(packageDir: string): PackagedFunction[] {
  const file = join(packageDir, PACKAGED_TEMPLATE);
  const template = TemplateSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const functions: PackagedFunction[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const parsed = LambdaFunctionSchema.safeParse(resource);
    if (!parsed.success)
      throw new BooksError('ARTIFACT', `${file}: ${logicalId} is not a function this runtime can run`, {
        logicalId,
        problem: parsed.error.message,
      });
    const p = parsed.data.Properties;
    const zip = basename(p.Code.S3Key);
    functions.push({
      key: zip.replace(/\.zip$/, ''),
      logicalId,
      functionName: p.FunctionName,
      handler: p.Handler,
      timeoutSeconds: p.Timeout,
      memoryMb: p.MemorySize,
      zipFile: join(packageDir, zip),
      environment: p.Environment?.Variables ?? {},
    });
  }
  return functions;
}

const RefSchema = z.object({ Ref: z.string() }).strict();
const GetAttSchema = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.string()]) }).strict();

/**
 * The function's environment with what the template leaves to CloudFormation (`Ref`,
 * `Fn::GetAtt`) replaced by local values: `references` maps `LogicalId` (a Ref) and
 * `LogicalId.Attribute` (a GetAtt) to them. Anything else unresolved is an error naming it.
 */
export function resolveEnvironment(
  fn: PackagedFunction,
  references: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(fn.environment)) {
    if (typeof value === 'string') {
      out[name] = value;
      continue;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      out[name] = String(value);
      continue;
    }
    const ref = RefSchema.safeParse(value);
    const getAtt = GetAttSchema.safeParse(value);
    const key = ref.success
      ? ref.data.Ref
      : getAtt.success
        ? `${getAtt.data['Fn::GetAtt'][0]}.${getAtt.data['Fn::GetAtt'][1]}`
        : undefined;
    const resolved = key === undefined ? undefined : references[key];
    if (resolved === undefined)
      throw new BooksError(
        'ARTIFACT',
        `${fn.key}: environment variable ${name} is ${JSON.stringify(value)}, which has no local value`,
        { function: fn.key, variable: name },
      );
    out[name] = resolved;
  }
  return out;
}
