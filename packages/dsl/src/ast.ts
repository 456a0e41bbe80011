/** Where a form starts in its source: 1-based line and column, 0-based offsets [offset, end). */
export interface Span {
  readonly line: number;
  readonly column: number;
  readonly offset: number;
  readonly end: number;
}

interface NodeBase {
  /** Unique within one read; evaluation memoises per node by this id. */
  readonly id: number;
  readonly span: Span;
}

export interface ListNode extends NodeBase {
  readonly kind: 'list';
  /** `(` … `)` or `[` … `]`: both build lists; kept for printing. */
  readonly bracket: 'paren' | 'square';
  readonly items: readonly Node[];
}

export interface MapEntry {
  readonly key: KeywordNode;
  readonly value: Node;
}

export interface MapNode extends NodeBase {
  readonly kind: 'map';
  readonly entries: readonly MapEntry[];
}

export interface StringNode extends NodeBase {
  readonly kind: 'string';
  readonly value: string;
}

export interface NumberNode extends NodeBase {
  readonly kind: 'number';
  readonly value: number;
  /** The source text (`-?\d+(\.\d+)?`), printed back as is. */
  readonly text: string;
}

export interface KeywordNode extends NodeBase {
  readonly kind: 'keyword';
  /** Without the leading colon. */
  readonly name: string;
}

export interface SymbolNode extends NodeBase {
  readonly kind: 'symbol';
  readonly name: string;
}

export type Node = ListNode | MapNode | StringNode | NumberNode | KeywordNode | SymbolNode;

/** A read file: its forms and the number of node ids handed out. */
export interface Program {
  readonly file: string;
  readonly forms: readonly Node[];
  readonly nodeCount: number;
}

/** The operator name when `node` is a call (a list whose head is a symbol). */
export function callName(node: Node): string | undefined {
  if (node.kind !== 'list') return undefined;
  const head = node.items[0];
  return head?.kind === 'symbol' ? head.name : undefined;
}
