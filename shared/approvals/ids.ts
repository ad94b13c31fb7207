// Approval ids: `{connection}.{32 hex}`. The connection is the Table partition key (docs/approvals.md), so
// an id alone finds its entity without a scan; 128 random bits make ids unguessable.
import { randomBytes } from 'node:crypto';

const ID = /^([a-z0-9][a-z0-9-]{0,62})\.([0-9a-f]{32})$/;

export function newApprovalId(connection: string): string {
  return `${connection}.${randomBytes(16).toString('hex')}`;
}

/** The connection an id belongs to, or undefined when the text is not an approval id. */
export function connectionOf(id: string): string | undefined {
  return ID.exec(id)?.[1];
}
