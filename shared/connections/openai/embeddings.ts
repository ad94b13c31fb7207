// Embedding vectors are numbers (or their base64), not text: masking them can only corrupt them —
// a run of digits in a float passes a card-number check often enough to break every large answer.
// So an embeddings answer is masked with its vectors set aside.
import type { Masker } from '../../masking/index.js';
import { maskingJsonAnswers } from '../answer-masker.js';

export function vectorsAside(masker: Masker): Masker {
  return maskingJsonAnswers(masker, (answer, masker) => {
    const items = (answer as { data?: unknown } | null)?.data;
    if (!Array.isArray(items)) return undefined;
    const vectors = items.map((item) => (isVectorItem(item) ? item.embedding : undefined));
    const masked = masker.json({ ...(answer as object), data: items.map((item, i) => (vectors[i] === undefined ? item : { ...item, embedding: null })) });
    const data = (masked.value as { data: unknown[] }).data.map((item, i) => (vectors[i] === undefined ? item : { ...(item as object), embedding: vectors[i] }));
    return { text: JSON.stringify({ ...(masked.value as object), data }), findings: masked.findings };
  });
}

function isVectorItem(item: unknown): item is { embedding: unknown } {
  if (item === null || typeof item !== 'object') return false;
  const embedding = (item as { embedding?: unknown }).embedding;
  if (typeof embedding === 'string') return /^[A-Za-z0-9+/]*={0,2}$/.test(embedding);
  return Array.isArray(embedding) && embedding.every((n) => typeof n === 'number');
}
