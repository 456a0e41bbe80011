export type { ListNode, MapNode, Node, NumberNode, Program, Span } from './ast';
export { check } from './checker';
export { type CompiledStrategy, compile, type Explanation, Session } from './engine';
export { type DslError, ERROR_CODES, type ErrorCode, formatDslError, type Result } from './errors';
export { format } from './format';
export { DEFAULT_LIMITS, type Limits } from './limits';
export { type BarPort, type BarsLike, barPortFrom, type CloseSeries, Market } from './market';
export { print } from './printer';
export { read } from './reader';
export { programToScore, type ScoreTree, type ScoreValue, scoreToEdn } from './score/from-program';
export { formatOf, readStrategy, type SourceFormat } from './source';
export type {
  CandidateTrace,
  ComparisonTrace,
  FilterTrace,
  IfTrace,
  OperandTrace,
  Trace,
  TraceNode,
  WeightTrace,
} from './trace';
export { formatTrace } from './trace-format';
export { TraceSchema } from './trace-schema';
export type { SymbolWeight } from './weights';
