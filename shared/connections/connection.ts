// A connection as the kinds see it: its name and its validated configuration. The policy adds what
// only the guard needs (reviewers of the default decision) on top of this.
import type { ConnectionConfig } from './schemas.js';

export interface Connection {
  name: string;
  config: ConnectionConfig;
}
