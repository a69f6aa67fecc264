import type { Command } from 'commander';

// Placeholder until the command lands; see the issue that owns it.
export function registerArchs(program: Command): void {
  void program;
}
