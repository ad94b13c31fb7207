// The MCP path's store over its Table: sessions (PK `session`, RK = the gateway's id) and tool pins
// (PK `pin:<connection>`, RK = the tool name, hex-encoded since Table keys refuse `/`, `#`, `?`)
// and held calls (PK `call`, RK = the call's key, a SHA-256), and the approvals of changed tools
// (PK `pinreview:<connection>`, RK = hex tool name `.` new fingerprint).
import { RestError, type TableClient } from '@azure/data-tables';
import type { McpSession, McpStore, PinReviewRow, ToolPin } from '../gateway/mcp/store.js';

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');
const unhex = (text: string) => Buffer.from(text, 'hex').toString('utf8');
const notFound = (error: unknown) => error instanceof RestError && error.statusCode === 404;
/** A Table string property holds 64 KiB (32K UTF-16 units): a longer definition is not kept. */
const kept = (definition: string | undefined) => (definition !== undefined && definition.length <= 30_000 ? definition : '');
const reviewKey = (connection: string, tool: string, fingerprint: string) => ({ partitionKey: `pinreview:${connection}`, rowKey: `${hex(tool)}.${fingerprint}` });

export function createMcpStore(table: TableClient): McpStore {
  return {
    async session(id) {
      try {
        const row = await table.getEntity<{ connection: string; owner: string; upstream?: string }>('session', id);
        return { id, connection: row.connection, owner: row.owner, ...(row.upstream ? { upstream: row.upstream } : {}) };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async openSession(session: McpSession) {
      await table.createEntity({ partitionKey: 'session', rowKey: session.id, connection: session.connection, owner: session.owner, upstream: session.upstream ?? '' });
    },
    async closeSession(id) {
      await table.deleteEntity('session', id).catch((error: unknown) => {
        if (!notFound(error)) throw error;
      });
    },
    async pins(connection) {
      const pins = new Map<string, ToolPin>();
      const rows = table.listEntities<{ pinned: string; seen: string; description?: string; readOnly?: boolean; definition?: string; reviewing?: string }>({
        queryOptions: { filter: `PartitionKey eq '${`pin:${connection}`}'` },
      });
      for await (const row of rows) {
        pins.set(unhex(row.rowKey!), {
          pinned: row.pinned,
          seen: row.seen,
          ...(row.description ? { description: row.description } : {}),
          ...(row.readOnly === true ? { readOnly: true } : {}),
          ...(row.definition ? { definition: row.definition } : {}),
          ...(row.reviewing ? { reviewing: row.reviewing } : {}),
        });
      }
      return pins;
    },
    async heldCall(key) {
      try {
        return (await table.getEntity<{ approval: string }>('call', key)).approval;
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async holdCall(key, approvalId) {
      await table.upsertEntity({ partitionKey: 'call', rowKey: key, approval: approvalId }, 'Replace');
    },
    async releaseCall(key) {
      await table.deleteEntity('call', key).catch((error: unknown) => {
        if (!notFound(error)) throw error;
      });
    },
    async savePin(connection, tool, pin, create) {
      const entity = {
        partitionKey: `pin:${connection}`,
        rowKey: hex(tool),
        pinned: pin.pinned,
        seen: pin.seen,
        description: (pin.description ?? '').slice(0, 4096),
        readOnly: pin.readOnly === true,
        definition: kept(pin.definition),
      };
      if (!create) return void (await table.upsertEntity(entity, 'Merge'));
      try {
        await table.createEntity(entity);
      } catch (error) {
        // Another request pinned it first: its pin stands.
        if (!(error instanceof RestError && error.statusCode === 409)) throw error;
      }
    },
    async sawChange(connection, tool, seen) {
      await table.upsertEntity({ partitionKey: `pin:${connection}`, rowKey: hex(tool), seen: seen.seen, description: (seen.description ?? '').slice(0, 4096), readOnly: seen.readOnly === true }, 'Merge');
    },
    async markReviewing(connection, tool, fingerprint) {
      await table.upsertEntity({ partitionKey: `pin:${connection}`, rowKey: hex(tool), reviewing: fingerprint }, 'Merge');
    },
    async repin(connection, tool, pinned, definition) {
      await table.upsertEntity({ partitionKey: `pin:${connection}`, rowKey: hex(tool), pinned, definition: kept(definition) }, 'Merge');
    },
    async pinReview(connection, tool, fingerprint) {
      const key = reviewKey(connection, tool, fingerprint);
      try {
        const row = await table.getEntity<PinReviewRow>(key.partitionKey, key.rowKey);
        return { approval: row.approval, definition: row.definition };
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async claimPinReview(connection, tool, fingerprint, definition) {
      try {
        await table.createEntity({ ...reviewKey(connection, tool, fingerprint), approval: '', definition: kept(definition) });
        return true;
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 409) return false;
        throw error;
      }
    },
    async setPinReview(connection, tool, fingerprint, approval) {
      await table.upsertEntity({ ...reviewKey(connection, tool, fingerprint), approval }, 'Merge');
    },
    async dropPinReview(connection, tool, fingerprint) {
      const key = reviewKey(connection, tool, fingerprint);
      await table.deleteEntity(key.partitionKey, key.rowKey).catch((error: unknown) => {
        if (!notFound(error)) throw error;
      });
    },
  };
}
