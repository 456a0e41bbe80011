export type { ListNode, MapNode, Node, NumberNode, Program, Span } from './ast';
export { check } from './checker';
export { type CompiledStrategy, compile, Session } from './engine';
export { type DslError, type ErrorCode, formatDslError, type Result } from './errors';
export { DEFAULT_LIMITS, type Limits } from './limits';
export { type BarPort, type BarsLike, barPortFrom, type CloseSeries, Market } from './market';
export { print } from './printer';
export { read } from './reader';
export type { SymbolWeight } from './weights';
