import { readFileSync, statSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

type Collection = { toJSON(): unknown };

/** CloudFormation's short-form intrinsics, read as their long `Fn::*` / `Ref` maps. */
const INTRINSICS = [
  'Base64',
  'Cidr',
  'FindInMap',
  'GetAtt',
  'GetAZs',
  'ImportValue',
  'Join',
  'Select',
  'Split',
  'Sub',
  'Transform',
  'And',
  'Equals',
  'If',
  'Not',
  'Or',
] as const;

function longName(name: string): string {
  return name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
}

function tagsFor(name: string): Tags {
  const key = longName(name);
  return [
    {
      tag: `!${name}`,
      resolve: (value: string) =>
        // `!GetAtt Res.Attr` is the one scalar form whose long form is a list.
        name === 'GetAtt' ? { [key]: value.split('.', 2) } : { [key]: value },
    },
    { tag: `!${name}`, collection: 'seq', resolve: (seq: Collection) => ({ [key]: seq.toJSON() }) },
    { tag: `!${name}`, collection: 'map', resolve: (map: Collection) => ({ [key]: map.toJSON() }) },
  ];
}

const CUSTOM_TAGS: Tags = [...INTRINSICS, 'Ref', 'Condition'].flatMap(tagsFor);

/** Parses a serverless.yml / CloudFormation YAML document, short-form intrinsics included. */
export function parseCloudFormationYaml(text: string): unknown {
  return parse(text, { customTags: CUSTOM_TAGS, merge: true });
}

const parsedFiles = new Map<
  string,
  { readonly mtimeMs: number; readonly size: number; readonly doc: unknown }
>();

/**
 * Reads and parses a CloudFormation YAML file (serverless.yml) once per process while the file is
 * unchanged (same path, modification time and size): the stack's resources, the state machine and
 * the functions' timeouts are all read from it, by every stage opened. Each caller gets its own
 * copy of the document, free to change it.
 */
export function readCloudFormationYamlFile(file: string): unknown {
  const { mtimeMs, size } = statSync(file);
  const cached = parsedFiles.get(file);
  if (cached?.mtimeMs === mtimeMs && cached.size === size) return structuredClone(cached.doc);
  const doc = parseCloudFormationYaml(readFileSync(file, 'utf8'));
  parsedFiles.set(file, { mtimeMs, size, doc });
  return structuredClone(doc);
}
