// What the gateway asks the API server for: JSON alone. The API server also speaks protobuf
// (client-go's typed clients ask for it first), CBOR and YAML; a Secret in protobuf or CBOR holds
// its values as raw bytes that no masking rule can tell, so those are never asked for. An agent
// that asked for one gets JSON, which every Kubernetes client reads.

/**
 * The agent's Accept with only its JSON media ranges kept, parameters and all (`as=Table;g=…;v=…`,
 * `as=PartialObjectMetadataList`); `*` ranges read as JSON, and JSON when nothing is left.
 */
export function jsonAccept(accept: string | null): string {
  const kept = (accept ?? '')
    .split(',')
    .map((range) => range.trim())
    .flatMap((range) => {
      const type = range.split(';', 1)[0]!.trim().toLowerCase();
      return type === 'application/json' ? [range] : type === '*/*' || type === 'application/*' ? ['application/json'] : [];
    });
  return [...new Set(kept)].join(', ') || 'application/json';
}
