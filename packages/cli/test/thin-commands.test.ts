import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

/**
 * The command files parse options, call a function of an owning package (`@books/operator`,
 * `@books/replay`, `@books/local`, ...) and format its result: they reach no AWS service, build no
 * ledger item and run no stack or world themselves.
 */
const COMMANDS = join(__dirname, '..', 'src', 'commands');

/** Packages a command file never imports a value from (types are fine: they only shape the output). */
const FORBIDDEN_MODULES = [/^@aws-sdk\//, /^@smithy\//, /^@books\/ledger-client$/, /^@books\/in-process$/];
/** Orchestration that belongs to `@books/local` or `@books/replay`, not to a command file. */
const FORBIDDEN_NAMES = new Set([
  'LocalWorld',
  'startStack',
  'stopStack',
  'runReplay',
  'runBacktest',
  'createWriteStream',
]);
/**
 * Files that may touch the file system themselves, and why:
 * - eval.ts, import.ts: `books eval` / `books import` read the strategy or score file the user
 *   names and (import) write the translated file the user asked for; that is the command's I/O.
 */
const FILE_SYSTEM_ALLOWED = new Set(['eval.ts', 'import.ts']);

interface Violation {
  readonly file: string;
  readonly what: string;
}

function violationsOf(file: string, text: string): Violation[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Violation[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const from = statement.moduleSpecifier.text;
    const clause = statement.importClause;
    const valueNames: string[] = [];
    if (clause && !clause.isTypeOnly) {
      if (clause.name) valueNames.push(clause.name.text);
      const bindings = clause.namedBindings;
      if (bindings && ts.isNamespaceImport(bindings)) valueNames.push(`* as ${bindings.name.text}`);
      if (bindings && ts.isNamedImports(bindings))
        for (const e of bindings.elements)
          if (!e.isTypeOnly) valueNames.push((e.propertyName ?? e.name).text);
    }
    if (valueNames.length > 0 && FORBIDDEN_MODULES.some((m) => m.test(from)))
      found.push({ file, what: `imports ${valueNames.join(', ')} from ${from}` });
    for (const name of valueNames)
      if (FORBIDDEN_NAMES.has(name)) found.push({ file, what: `imports ${name} from ${from}` });
    if (/^(node:)?fs(\/promises)?$/.test(from) && !FILE_SYSTEM_ALLOWED.has(file))
      found.push({ file, what: `imports the file system (${from})` });
  }
  return found;
}

describe('the command files of @books/cli', () => {
  const files = readdirSync(COMMANDS).filter((f) => f.endsWith('.ts'));

  it('import no AWS SDK, no ledger-client value, no stack or world, and no file system outside the allow-list', () => {
    expect(files.length).toBeGreaterThan(20);
    const violations = files.flatMap((f) => violationsOf(f, readFileSync(join(COMMANDS, f), 'utf8')));
    expect(violations).toEqual([]);
  });

  it('catches each kind of violation (the check itself can fail)', () => {
    const text = [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
      "import { ActivityRepository, type StoredActivity } from '@books/ledger-client';",
      "import type { StrategyTrade } from '@books/ledger-client';",
      "import { LocalWorld, booksHome } from '@books/local';",
      "import { writeFileSync } from 'node:fs';",
    ].join('\n');
    expect(violationsOf('x.ts', text)).toEqual([
      { file: 'x.ts', what: 'imports DynamoDBClient from @aws-sdk/client-dynamodb' },
      { file: 'x.ts', what: 'imports ActivityRepository from @books/ledger-client' },
      { file: 'x.ts', what: 'imports LocalWorld from @books/local' },
      { file: 'x.ts', what: 'imports the file system (node:fs)' },
    ]);
  });
});
