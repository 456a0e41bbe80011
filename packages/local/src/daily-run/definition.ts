import { join } from 'node:path';
import { ValidationError } from '@books/core';
import * as z from 'zod';
import { readCloudFormationYamlFile } from '../stack/cloudformation-yaml';
import { workspaceRoot } from '../stack/paths';
import { resolveVariables } from '../stack/serverless-variables';

/** A state machine definition as serverless.yml deploys it, with its Task states' functions. */
export interface LocalStateMachine {
  readonly definition: Record<string, unknown>;
  /** Task state name → the serverless function it invokes. */
  readonly taskFunctions: ReadonlyMap<string, string>;
}

const DocSchema = z.object({
  service: z.string(),
  params: z.record(z.string(), z.record(z.string(), z.unknown()).nullable()).default({}),
  stepFunctions: z.object({
    stateMachines: z.record(z.string(), z.object({ definition: z.record(z.string(), z.unknown()) })),
  }),
});

const GetAttArn = z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) });

/**
 * Reads the state machine `name` from serverless.yml (the one the deploy creates), resolves its
 * variables for `stage`, and replaces each Task's `Fn::GetAtt [fn, Arn]` by a local ARN of that
 * function, remembering which function each Task state runs.
 */
export function loadStateMachine(name: string, stage: string, serverlessFile?: string): LocalStateMachine {
  const file = serverlessFile ?? join(workspaceRoot(), 'serverless.yml');
  const parsed = DocSchema.safeParse(readCloudFormationYamlFile(file));
  if (!parsed.success) {
    throw new ValidationError(`${file}: no stepFunctions.stateMachines to run`, [
      { path: 'stepFunctions', message: parsed.error.message },
    ]);
  }
  const doc = parsed.data;
  const machine = doc.stepFunctions.stateMachines[name];
  if (!machine) {
    throw new ValidationError(`${file}: no state machine "${name}"`, [
      { path: `stepFunctions.stateMachines.${name}`, message: 'missing' },
    ]);
  }
  const params = { ...(doc.params.default ?? {}), ...(doc.params[stage] ?? {}) };
  const resolved = resolveVariables(machine.definition, {
    service: doc.service,
    stage,
    region: 'us-east-1',
    params,
  });
  const taskFunctions = new Map<string, string>();
  const definition = bindTasks(resolved, doc.service, stage, taskFunctions);
  const root = z.record(z.string(), z.unknown()).parse(definition);
  return { definition: root, taskFunctions };
}

function bindTasks(node: unknown, service: string, stage: string, tasks: Map<string, string>): unknown {
  if (Array.isArray(node)) return node.map((n) => bindTasks(n, service, stage, tasks));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'States' && typeof value === 'object' && value !== null) {
      const states: Record<string, unknown> = {};
      for (const [stateName, state] of Object.entries(value)) {
        const bound = z.record(z.string(), z.unknown()).safeParse(bindTasks(state, service, stage, tasks));
        if (!bound.success) continue;
        const resource = GetAttArn.safeParse(bound.data.Resource);
        if (bound.data.Type === 'Task' && resource.success) {
          const fn = resource.data['Fn::GetAtt'][0];
          tasks.set(stateName, fn);
          bound.data.Resource = `arn:aws:lambda:us-east-1:000000000000:function:${service}-${stage}-${fn}`;
        }
        states[stateName] = bound.data;
      }
      out[key] = states;
    } else {
      out[key] = bindTasks(value, service, stage, tasks);
    }
  }
  return out;
}
