// One statement through PostgreSQL's extended protocol, reading at most `limit + 1` rows from its
// portal: one more than the limit tells us the result was cut, without reading the rest. pg's own
// Query would keep fetching batches until the end; this one stops after the first. Rows are kept
// while their cells come to at most `maxBytes` (a few huge values would otherwise pile up in
// memory, `limit` of them): past it the rest of the batch is read off the wire and dropped.
import pg from 'pg';

export interface CappedResult {
  command: string | null;
  rowCount: number | null;
  fields: Array<{ name: string; dataTypeID: number }>;
  /** Cells as PostgreSQL's text output (values.ts converts them). */
  rows: Array<Array<string | null>>;
  /** Rows were dropped for the byte budget. */
  overBytes: boolean;
}

interface Wire {
  sync(): void;
}

interface QueryInternals {
  handleError(error: Error, connection: Wire): void;
  handleDataRow(message: { fields: Array<string | null> }): void;
}

// Every value is kept as the text PostgreSQL sent; values.ts decides what becomes a JSON number.
const TEXT = { getTypeParser: () => (value: string) => value };

const Base = pg.Query as unknown as new (config: object) => pg.Query & QueryInternals;

export class CappedQuery extends Base {
  readonly done: Promise<CappedResult>;
  private bytes = 0;
  private overBytes = false;

  constructor(
    text: string,
    values: readonly unknown[],
    limit: number,
    private readonly maxBytes: number,
  ) {
    let settle!: (error: Error | undefined, result?: Omit<CappedResult, 'overBytes'>) => void;
    super({ text, values, rows: limit + 1, rowMode: 'array', types: TEXT, callback: (error: Error | undefined, result?: Omit<CappedResult, 'overBytes'>) => settle(error, result) });
    this.done = new Promise((resolve, reject) => {
      settle = (error, result) => (error ? reject(error) : resolve({ ...result!, overBytes: this.overBytes }));
    });
  }

  override handleDataRow(message: { fields: Array<string | null> }): void {
    if (!this.overBytes) {
      // Characters, not bytes: a bound on what the answer holds, cheap to count.
      this.bytes += message.fields.reduce((sum, cell) => sum + (cell?.length ?? 0), 0);
      this.overBytes = this.bytes > this.maxBytes;
    }
    if (!this.overBytes) super.handleDataRow(message);
  }

  /** The row budget is spent: end the exchange; the unread rest closes with the transaction. */
  handlePortalSuspended(connection: Wire): void {
    connection.sync();
  }

  override handleError(error: Error, connection: Wire): void {
    // With a row budget pg leaves the Sync to the query; without one the server waits for it forever.
    if (error instanceof pg.DatabaseError) connection.sync();
    super.handleError(error, connection);
  }
}
