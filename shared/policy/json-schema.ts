// The policy schema as JSON Schema, for editors (policy.schema.json at the repository root is
// generated from this and a test keeps it current).
import { z } from 'zod';
import { policySchema } from './schema.js';

export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policySchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return {
    ...schema,
    $id: 'https://github.com/portcullis/portcullis/policy.schema.json',
    title: 'Portcullis policy',
    description: 'Who may call (issuers), what they may reach (connections), and what is allowed, denied or held for review (rules).',
  };
}

export const renderPolicyJsonSchema = () => JSON.stringify(policyJsonSchema(), null, 2) + '\n';
