// Approvals in the `approvals` table (PK = connection, RK = approval id), changed only under the
// entity's ETag: a writer that loses the race re-reads and applies its change to what it finds, so
// the first decision wins and every later one sees the approval as it now is.
import { odata, RestError, type TableClient } from '@azure/data-tables';
import { approvalSchema } from './approval-schema.js';
import { connectionOf } from './ids.js';
import { unknownApproval } from './refusals.js';
import type { Approval, Status } from './state.js';

/** Re-reads before giving up; each conflict means another writer changed the approval meanwhile. */
const MAX_ATTEMPTS = 20;

/** Where an approval sits in the table. */
export interface ApprovalKey {
  connection: string;
  id: string;
}

export type Change = (current: Approval, attempt: number) => Approval | undefined;

export interface ApprovalStore {
  create(approval: Approval): Promise<void>;
  get(id: string): Promise<Approval | undefined>;
  /**
   * Applies `change` to the stored approval and writes the result under its ETag; on a conflict,
   * reads again and re-applies (`attempt` counts from 0). A change that returns undefined writes
   * nothing; one that throws stops here. Unknown ids are a 404 Refusal.
   */
  update(id: string, change: Change): Promise<{ approval: Approval; changed: boolean }>;
  /**
   * Approvals in table order (connection, then id), optionally of one status, from just after the
   * approval `after`; read a page of at most `pageSize` at a time, as the loop asks for them.
   */
  list(options: { status?: Status; after?: ApprovalKey; pageSize: number }): AsyncIterable<Approval[]>;
}

interface Row {
  partitionKey: string;
  rowKey: string;
  status: string;
  expiresAt: string;
  sessionId: string;
  requestId: string;
  state: string;
}

export function createApprovalStore(table: TableClient): ApprovalStore {
  const read = async (id: string): Promise<{ approval: Approval; etag: string } | undefined> => {
    const connection = connectionOf(id);
    if (!connection) return undefined;
    try {
      const row = await table.getEntity<Row>(connection, id);
      return { approval: approvalSchema.parse(JSON.parse(row.state)), etag: row.etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  };

  return {
    async create(approval) {
      await table.createEntity(toRow(approval));
    },
    async get(id) {
      return (await read(id))?.approval;
    },
    async *list({ status, after, pageSize }) {
      // A position in the table is a key, not the service's token: a reader can stop mid-page and
      // resume exactly after the last approval it used.
      const conditions = [
        ...(status ? [odata`status eq ${status}`] : []),
        ...(after ? [odata`(PartitionKey gt ${after.connection} or (PartitionKey eq ${after.connection} and RowKey gt ${after.id}))`] : []),
      ];
      const filter = conditions.length > 0 ? conditions.join(' and ') : undefined;
      for await (const page of table.listEntities<Row>({ queryOptions: { filter } }).byPage({ maxPageSize: pageSize })) {
        yield page.map((row) => approvalSchema.parse(JSON.parse(row.state)));
      }
    },
    async update(id, change) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const current = await read(id);
        if (!current) throw unknownApproval(id);
        const next = change(current.approval, attempt);
        if (!next) return { approval: current.approval, changed: false };
        try {
          await table.updateEntity(toRow(next), 'Replace', { etag: current.etag });
          return { approval: next, changed: true };
        } catch (error) {
          if (!(error instanceof RestError && error.statusCode === 412)) throw error;
        }
      }
      throw new Error(`approval ${id}: still changing after ${MAX_ATTEMPTS} attempts`);
    },
  };
}

function toRow(a: Approval): Row {
  return {
    partitionKey: a.base.connection,
    rowKey: a.id,
    status: a.status,
    expiresAt: a.expiresAt,
    sessionId: a.base.sessionId,
    requestId: a.base.requestId,
    state: JSON.stringify(a),
  };
}
