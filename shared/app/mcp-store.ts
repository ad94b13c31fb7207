// The MCP path's store over its Table: sessions (PK `session`, RK = the gateway's id) and tool pins
// (PK `pin:<connection>`, RK = the tool name, hex-encoded since Table keys refuse `/`, `#`, `?`)
// and held calls (PK `call`, RK = the call's key, a SHA-256).
import { RestError, type TableClient } from '@azure/data-tables';
import type { McpSession, McpStore, ToolPin } from '../gateway/mcp/store.js';

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');
const unhex = (text: string) => Buffer.from(text, 'hex').toString('utf8');
const notFound = (error: unknown) => error instanceof RestError && error.statusCode === 404;

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
      const rows = table.listEntities<{ pinned: string; seen: string; description?: string }>({ queryOptions: { filter: `PartitionKey eq '${`pin:${connection}`}'` } });
      for await (const row of rows) pins.set(unhex(row.rowKey!), { pinned: row.pinned, seen: row.seen, ...(row.description ? { description: row.description } : {}) });
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
      const entity = { partitionKey: `pin:${connection}`, rowKey: hex(tool), pinned: pin.pinned, seen: pin.seen, description: (pin.description ?? '').slice(0, 4096) };
      if (!create) return void (await table.upsertEntity(entity, 'Merge'));
      try {
        await table.createEntity(entity);
      } catch (error) {
        // Another request pinned it first: its pin stands.
        if (!(error instanceof RestError && error.statusCode === 409)) throw error;
      }
    },
  };
}
