/** Output sinks of a command, injected so that tests read what a user sees. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}
