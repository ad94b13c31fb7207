// A request body that is not JSON, as it leaves for a model API (file and audio uploads are
// multipart; a route the gateway does not know may take anything): masked like a prompt is, so
// that no body reaches the provider unmasked for being in another format. Multipart part by part
// (a field by its name, a file by its type, bytes that are not text kept as sent); other text as
// its content type reads. Bytes that are not UTF-8 text are sent as they are: there is no text in
// them for a rule to find.
import { maskMultipartBytes, multipartBoundary, utf8Text, type Finding, type Masker } from '../masking/index.js';

export interface MaskedBody {
  bytes: Uint8Array;
  /** Located as `request:…`. */
  findings: Finding[];
}

export function maskedOtherBody(bytes: Uint8Array, contentType: string | undefined, masker: Masker): MaskedBody | undefined {
  const boundary = multipartBoundary(contentType);
  const masked = boundary === undefined ? maskedText(bytes, contentType, masker) : maskMultipartBytes(bytes, boundary, masker) ?? maskedText(bytes, undefined, masker);
  return masked && { bytes: masked.bytes, findings: masked.findings.map((f) => ({ ...f, location: `request:${f.location}` })) };
}

function maskedText(bytes: Uint8Array, contentType: string | undefined, masker: Masker): { bytes: Uint8Array; findings: Finding[] } | undefined {
  const text = utf8Text(bytes);
  if (text === undefined) return undefined;
  const masked = masker.auto(text, contentType);
  return { bytes: new TextEncoder().encode(masked.text), findings: masked.findings };
}
