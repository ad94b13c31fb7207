// The session log: what the gateway records with, what the auditor API queries, and what the daily
// export and the `portcullis sessions` commands use. See docs/sessions.md.
export { SESSION_CONTAINER, EXPORT_CONTAINER, blobPath, dayOf, daySchema, parseBlobPath } from './names.js';
export { listParts } from './parts.js';
export { sessionEventSchema, sessionIdSchema, type EventInput, type EventType, type SessionEvent } from './schema.js';
export { createRecorder, EVENTS_NOT_RECORDED, type AppendOptions, type Recorder, type RecorderOptions } from './recorder.js';
export { leanAppendBlock } from './append-block.js';
export { RecordingError } from './recording-error.js';
export { sessionOwnedByAnother } from './refusals.js';
export { SESSION_HEADER, sessionIdFor } from './session-id.js';
export { TABLES } from './indexes.js';
export {
  MAX_SESSION_READ_BYTES,
  queryDecisions,
  querySessions,
  readSession,
  type DecisionSummary,
  type Page,
  type PageRequest,
  type SessionFilter,
  type SessionStores,
  type SessionSummary,
} from './query.js';
export { sessionRecord, type SessionDayFile, type SessionRecord } from './session-record.js';
export { verifyChain, type ChainContext, type VerifyProblem } from './verify.js';
export { closeSessions } from './close.js';
export { exportSessions, type ExportProgress } from './export.js';
export { containerSink, directorySink, type ExportSink } from './export-sinks.js';
export { MANIFEST_FILE, manifestSchema, type Manifest, type ManifestEntry } from './manifest.js';
export { checkSignature, sign, trustedKeysFrom, type Signature, type Signer, type TrustedKey } from './signature.js';
export { DEV_SIGNING_KEY_FILE, filePublicKey, fileSigner } from './file-signer.js';
export { ledgerPath, readSealedHeads, sealedHeads, writeLedger, type SealedHeads } from './ledger.js';
export { runDailyExport } from './daily-export.js';
export { verifyExport, type ExportCheck } from './verify-export.js';
export { formatTimeline } from './replay.js';
