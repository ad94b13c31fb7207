// The risk flags of a shell command (shell-command.ts sets them; a connection's denyFlags may deny
// them outright). Apart from the parser so that schemas can name them without loading it.
export const SHELL_FLAGS = ['sudo', 'pipe-to-shell', 'command-substitution', 'redirect-write', 'background', 'unparsable', 'dynamic-program'] as const;
export type ShellFlag = (typeof SHELL_FLAGS)[number];

/** What commands are denied for unless the connection says otherwise: what cannot be judged. */
export const DEFAULT_DENY_FLAGS: ShellFlag[] = ['unparsable', 'dynamic-program'];
