// Who a session belongs to: the principal (issuer and subject) that opened it. The first request
// of a session claims it with a create-if-absent Table insert, so across instances exactly one
// principal wins even when several start at once; everyone else naming the session is refused.
//
//   sessionowners   PK sessionId   RK "owner"   issuer, subject, claimed
import { RestError, type TableClient } from '@azure/data-tables';
import { within } from '../platform/within.js';
import { BoundedMap } from './bounded-map.js';
import { describeError, RecordingError, storageSilent } from './recording-error.js';
import { sessionOwnedByAnother } from './refusals.js';

export const OWNERS_TABLE = 'sessionowners';
const ROW_KEY = 'owner';

export interface SessionOwner {
  issuer: string;
  subject: string;
}

export interface SessionOwners {
  /**
   * Claims `sessionId` for `owner`, or checks that it already belongs to them. Throws a Refusal
   * (409) when another principal owns it, and a RecordingError when ownership cannot be known.
   */
  claim(sessionId: string, owner: SessionOwner): Promise<void>;
  /** Whether `owner` owns the session, as far as this instance knows; undefined: not known yet. Never waits. */
  owns(sessionId: string, owner: SessionOwner): boolean | undefined;
}

type OwnerRow = { partitionKey: string; rowKey: string; issuer: string; subject: string; claimed: string };

export function createSessionOwners(table: (name: string) => TableClient, now: () => Date = () => new Date(), timeoutMs = 10_000): SessionOwners {
  // A session's owner never changes, so what this instance has seen stays true.
  const known = new BoundedMap<string, string>(50_000);
  // Concurrent requests of a new session share one claim: one Table insert, one answer.
  const claiming = new Map<string, Promise<string>>();
  let tableReady: Promise<unknown> | undefined;
  const client = () => table(OWNERS_TABLE);
  const ready = () => {
    tableReady ??= client()
      .createTable()
      .catch((error: unknown) => {
        tableReady = undefined;
        throw error;
      });
    return tableReady;
  };

  const ownerOf = async (sessionId: string, claimant: SessionOwner): Promise<string> => {
    const row: OwnerRow = { partitionKey: sessionId, rowKey: ROW_KEY, issuer: claimant.issuer, subject: claimant.subject, claimed: now().toISOString() };
    try {
      await ready();
      await client().createEntity(row);
      return keyOf(claimant);
    } catch (error) {
      if (!(error instanceof RestError && error.statusCode === 409)) throw error;
    }
    const existing = await client().getEntity<OwnerRow>(sessionId, ROW_KEY);
    return keyOf(existing);
  };

  return {
    async claim(sessionId, owner) {
      let key = known.get(sessionId);
      if (key === undefined) {
        let claim = claiming.get(sessionId);
        if (!claim) {
          claim = within(ownerOf(sessionId, owner), timeoutMs, () => storageSilent(timeoutMs)).then(
            (found) => {
              known.set(sessionId, found);
              return found;
            },
            (error: unknown) => {
              throw new RecordingError(`cannot read or claim the owner of session ${sessionId}: ${describeError(error)}`);
            },
          );
          const settled = () => void claiming.delete(sessionId);
          claim.then(settled, settled);
          claiming.set(sessionId, claim);
        }
        key = await claim;
      }
      if (key !== keyOf(owner)) {
        // Says nothing about who the owner is: naming a session must not reveal whose it is.
        throw sessionOwnedByAnother();
      }
    },
    owns(sessionId, owner) {
      const key = known.get(sessionId);
      return key === undefined ? undefined : key === keyOf(owner);
    },
  };
}

const keyOf = (owner: Pick<SessionOwner, 'issuer' | 'subject'>) => `${owner.issuer}\n${owner.subject}`;
