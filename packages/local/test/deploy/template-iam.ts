import { runSimulation } from '@cloud-copilot/iam-simulate';
import * as z from 'zod';
import type { Template } from './packaged';

/** The account and region the template's ARNs are resolved for (any fixed pair will do). */
export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

type Resources = Template['Resources'];

function physicalName(resources: Resources, logicalId: string): string {
  const resource = resources[logicalId];
  if (!resource) throw new Error(`the template has no resource ${logicalId}`);
  const p = resource.Properties ?? {};
  const nameProperty: Record<string, string> = {
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::S3::Bucket': 'BucketName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::StepFunctions::StateMachine': 'StateMachineName',
    'AWS::Events::EventBus': 'Name',
  };
  const property = nameProperty[resource.Type];
  const name = property ? p[property] : undefined;
  // A resource without a name property gets one from CloudFormation: its logical id stands in.
  return typeof name === 'string' ? name : logicalId;
}

/** The ARN CloudFormation gives a resource of the template, in ACCOUNT and REGION. */
export function arnOf(resources: Resources, logicalId: string): string {
  const type = resources[logicalId]?.Type;
  const name = physicalName(resources, logicalId);
  switch (type) {
    case 'AWS::DynamoDB::Table':
      return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`;
    case 'AWS::S3::Bucket':
      return `arn:aws:s3:::${name}`;
    case 'AWS::SQS::Queue':
      return `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
    case 'AWS::IAM::Role':
      return `arn:aws:iam::${ACCOUNT}:role/${name}`;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
    case 'AWS::Events::EventBus':
      return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${name}`;
    default:
      throw new Error(`no ARN rule for ${logicalId} (${type})`);
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::Partition': 'aws',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * A deployment's stack parameters and the template's conditions: a `Ref` to a parameter is its
 * value (given, or its default) and `Fn::If` takes the branch of its condition, as CloudFormation
 * resolves them when the stack is deployed with those parameters.
 */
export interface Deployment {
  readonly parameters: Readonly<Record<string, string>>;
  readonly declared: Readonly<Record<string, { readonly Default?: unknown }>>;
  readonly conditions: Readonly<Record<string, unknown>>;
}

/** The template deployed with `parameters` (every other parameter at its default). */
export function deploymentOf(
  template: Template,
  parameters: Readonly<Record<string, string>> = {},
): Deployment {
  return { parameters, declared: template.Parameters ?? {}, conditions: template.Conditions ?? {} };
}

const NO_DEPLOYMENT: Deployment = { parameters: {}, declared: {}, conditions: {} };

/** `Ref: AWS::NoValue`: the property or list element is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

function condition(resources: Resources, deployment: Deployment, expression: unknown): boolean {
  const [fn, arg] = Object.entries(z.record(z.string(), z.unknown()).parse(expression))[0] ?? [];
  if (fn === 'Condition')
    return condition(resources, deployment, deployment.conditions[z.string().parse(arg)]);
  if (fn === 'Fn::Not') return !condition(resources, deployment, z.tuple([z.unknown()]).parse(arg)[0]);
  if (fn === 'Fn::And' || fn === 'Fn::Or') {
    const values = z
      .array(z.unknown())
      .parse(arg)
      .map((c) => condition(resources, deployment, c));
    return fn === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
  }
  if (fn === 'Fn::Equals') {
    const [a, b] = z.tuple([z.unknown(), z.unknown()]).parse(arg);
    return resolve(resources, a, deployment) === resolve(resources, b, deployment);
  }
  throw new Error(`condition ${JSON.stringify(expression)} is not evaluated here`);
}

function ref(resources: Resources, name: string, deployment: Deployment = NO_DEPLOYMENT): string {
  const pseudo = PSEUDO[name];
  if (pseudo !== undefined) return pseudo;
  const parameter = deployment.declared[name];
  if (parameter) return deployment.parameters[name] ?? z.string().parse(parameter.Default);
  const type = resources[name]?.Type;
  if (type === 'AWS::SQS::Queue')
    return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${physicalName(resources, name)}`;
  if (type === 'AWS::SNS::Topic' || type === 'AWS::StepFunctions::StateMachine')
    return arnOf(resources, name);
  return physicalName(resources, name);
}

/**
 * Fn::Sub, Fn::GetAtt (Arn), Fn::Join, Fn::If and Ref resolved to concrete values for ACCOUNT and
 * REGION and the deployment's parameters (`AWS::NoValue` removes what it stands for).
 */
export function resolve(
  resources: Resources,
  value: unknown,
  deployment: Deployment = NO_DEPLOYMENT,
): unknown {
  if (Array.isArray(value))
    return value.map((v) => resolve(resources, v, deployment)).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const [only] = entries;
  if (entries.length === 1 && only) {
    const [fn, arg] = only;
    if (fn === 'Ref' && arg === 'AWS::NoValue') return NO_VALUE;
    if (fn === 'Ref') return ref(resources, z.string().parse(arg), deployment);
    if (fn === 'Fn::If') {
      const [name, then, otherwise] = z.tuple([z.string(), z.unknown(), z.unknown()]).parse(arg);
      const holds = condition(resources, deployment, deployment.conditions[name]);
      return resolve(resources, holds ? then : otherwise, deployment);
    }
    if (fn === 'Fn::GetAtt') {
      const [logicalId, attribute] = z.tuple([z.string(), z.string()]).parse(arg);
      if (attribute !== 'Arn') throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not resolved here`);
      return arnOf(resources, logicalId);
    }
    if (fn === 'Fn::Join') {
      const [separator, parts] = z.tuple([z.string(), z.array(z.unknown())]).parse(arg);
      return parts.map((p) => z.string().parse(resolve(resources, p, deployment))).join(separator);
    }
    if (fn === 'Fn::Sub') {
      const [text, vars] =
        typeof arg === 'string'
          ? [arg, {}]
          : z.tuple([z.string(), z.record(z.string(), z.unknown())]).parse(arg);
      return text.replace(/\$\{([^}!]+)\}/g, (_, name: string) => {
        const bound = (vars as Record<string, unknown>)[name];
        if (bound !== undefined) return z.string().parse(resolve(resources, bound, deployment));
        const [logicalId, attribute] = name.split('.');
        if (attribute === 'Arn' && logicalId) return arnOf(resources, logicalId);
        return ref(resources, name, deployment);
      });
    }
  }
  return Object.fromEntries(
    entries.map(([k, v]) => [k, resolve(resources, v, deployment)]).filter(([, v]) => v !== NO_VALUE),
  );
}

const StatementSchema = z
  .object({
    Effect: z.enum(['Allow', 'Deny']),
    Action: z.union([z.string(), z.array(z.string())]),
    Resource: z.union([z.string(), z.array(z.string())]),
    Condition: z
      .record(z.string(), z.record(z.string(), z.union([z.string(), z.array(z.string())])))
      .optional(),
  })
  .strict();
export type PolicyStatement = z.infer<typeof StatementSchema>;
const PolicyDocumentSchema = z.object({
  Version: z.literal('2012-10-17'),
  Statement: z.array(StatementSchema),
});
export type PolicyDocument = z.infer<typeof PolicyDocumentSchema>;

const RoleSchema = z.object({
  ManagedPolicyArns: z.array(z.string()).default([]),
  Policies: z.array(z.object({ PolicyName: z.string(), PolicyDocument: PolicyDocumentSchema })).default([]),
});

/** A role of the template with its inline policies, every intrinsic resolved. */
export interface RolePolicies {
  readonly roleLogicalId: string;
  readonly roleArn: string;
  readonly managedPolicyArns: readonly string[];
  readonly policies: readonly { readonly name: string; readonly document: PolicyDocument }[];
}

export function rolePolicies(
  template: Template,
  roleLogicalId: string,
  parameters: Readonly<Record<string, string>> = {},
): RolePolicies {
  const resources = template.Resources;
  const resource = resources[roleLogicalId];
  if (resource?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role of the template`);
  const role = RoleSchema.parse(
    resolve(resources, resource.Properties ?? {}, deploymentOf(template, parameters)),
  );
  return {
    roleLogicalId,
    roleArn: arnOf(resources, roleLogicalId),
    managedPolicyArns: role.ManagedPolicyArns,
    policies: role.Policies.map((p) => ({ name: p.PolicyName, document: p.PolicyDocument })),
  };
}

/** Whether the role's policies allow `action` on `resource` (the IAM policy simulator decides). */
export async function allows(role: RolePolicies, action: string, resource: string): Promise<boolean> {
  const result = await runSimulation(
    {
      identityPolicies: role.policies.map((p) => ({ name: p.name, policy: p.document })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      request: {
        action,
        principal: role.roleArn,
        resource: { accountId: ACCOUNT, resource },
        contextVariables: {},
      },
    },
    {},
  );
  if (result.resultType === 'error') throw new Error(`cannot simulate ${action}: ${result.errors.message}`);
  return result.overallResult === 'Allowed';
}

export interface FunctionRole extends RolePolicies {
  /** The function's key in serverless.yml (coordinator, execution, ...). */
  readonly functionName: string;
  readonly functionArn: string;
}

/**
 * Each Lambda function of the template with its role's policies, every intrinsic resolved (for a
 * stack deployed with `parameters`).
 */
export function functionRoles(
  template: Template,
  parameters: Readonly<Record<string, string>> = {},
): Map<string, FunctionRole> {
  const resources = template.Resources;
  const out = new Map<string, FunctionRole>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const match = /^(.+)LambdaFunction$/.exec(logicalId);
    if (!match?.[1]) throw new Error(`unexpected function logical id ${logicalId}`);
    const functionName = match[1].charAt(0).toLowerCase() + match[1].slice(1);
    const [roleLogicalId] = z
      .object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) })
      .parse(resource.Properties?.Role)['Fn::GetAtt'];
    out.set(functionName, {
      functionName,
      functionArn: arnOf(resources, logicalId),
      ...rolePolicies(template, roleLogicalId, parameters),
    });
  }
  return out;
}

/** The actions a role's inline policies allow, each with the resources it is allowed on. */
export function grantedActions(role: FunctionRole): { action: string; resources: string[] }[] {
  const byAction = new Map<string, Set<string>>();
  for (const { document } of role.policies)
    for (const s of document.Statement) {
      if (s.Effect !== 'Allow') continue;
      for (const action of [s.Action].flat()) {
        const resources = byAction.get(action) ?? new Set<string>();
        for (const r of [s.Resource].flat()) resources.add(r);
        byAction.set(action, resources);
      }
    }
  return [...byAction].map(([action, resources]) => ({ action, resources: [...resources] }));
}
