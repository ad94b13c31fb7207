// Template outputs and deployment parameters in ARM answers. A deployment's `outputs` hold
// whatever its template computed, `listKeys(…)` included, under names the gateway cannot judge,
// so they are masked strictly wherever an ARM answer has them (deployments, deployment stacks and
// scripts, nested deployments in operation lists, at every scope):
// - every string in an output is masked, whatever it looks like; the output names, the ARM type
//   of each (`"type": "String"`), and numbers, booleans and nulls stay readable;
// - a secure output (SecureString, SecureObject) is masked whole, numbers included.
// Parameters echo what the deployment was given: a secure parameter's value is masked whole, a
// parameter whose name says it holds a secret has its strings masked; the others are left to the
// policy's masker.

/** Masks one string at a location, recording the finding; returns the marker. */
export type MaskString = (value: string, location: string) => string;

const normalize = (key: string) => key.toLowerCase().replace(/[-_.\s]/g, '');

/** ARM's template types: the only strings of an output that stay readable. */
const TYPES = new Set(['string', 'securestring', 'int', 'bool', 'object', 'secureobject', 'array']);
const SECURE = new Set(['securestring', 'secureobject']);
/** Parameter names that say the value is a secret. */
const SECRET_NAME = /password|passwd|pwd|secret|key|token|credential|connectionstring|sas|certificate|pfx/;

export const childPath = (path: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/** `outputs`: an object or array of them (Stream Analytics, Logic Apps and deployment scripts use the name too; masking them is only stricter). */
export function isOutputs(field: string, value: unknown): boolean {
  return field === 'outputs' && value !== null && typeof value === 'object';
}

/** A deployment's `parameters`: an object of `{ type?, value }` descriptors. */
export function isParameters(field: string, value: unknown): value is Record<string, unknown> {
  return (
    field === 'parameters' &&
    isRecord(value) &&
    Object.values(value).some((p) => isRecord(p) && ('value' in p || 'type' in p))
  );
}

export function maskOutputs(outputs: unknown, path: string, mask: MaskString): unknown {
  if (!isRecord(outputs)) return maskAll(outputs, path, mask, false);
  const out: Record<string, unknown> = {};
  for (const [name, output] of Object.entries(outputs)) {
    const at = childPath(path, name);
    out[name] = isRecord(output) ? maskDescriptor(output, at, mask, SECURE.has(typeName(output))) : maskAll(output, at, mask, false);
  }
  return out;
}

export function maskParameters(parameters: Record<string, unknown>, path: string, mask: MaskString): unknown {
  const out: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(parameters)) {
    const at = childPath(path, name);
    const secure = isRecord(parameter) && SECURE.has(typeName(parameter));
    if (isRecord(parameter) && (secure || SECRET_NAME.test(normalize(name)))) out[name] = maskDescriptor(parameter, at, mask, secure);
    else out[name] = parameter;
  }
  return out;
}

/** `{ type, value }`: the type stays readable when it is one of ARM's; everything else is masked. */
function maskDescriptor(descriptor: Record<string, unknown>, path: string, mask: MaskString, whole: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(descriptor)) {
    const at = childPath(path, key);
    out[key] = key === 'type' && typeof item === 'string' && TYPES.has(item.toLowerCase()) ? item : maskAll(item, at, mask, whole);
  }
  return out;
}

/** Every string masked; with `whole`, every number and boolean too. Keys stay. */
function maskAll(value: unknown, path: string, mask: MaskString, whole: boolean): unknown {
  if (typeof value === 'string') return mask(value, path);
  if (Array.isArray(value)) return value.map((item, i) => maskAll(item, `${path}[${i}]`, mask, whole));
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAll(v, childPath(path, k), mask, whole)]));
  if (whole && (typeof value === 'number' || typeof value === 'boolean')) return mask(String(value), path);
  return value;
}

function typeName(descriptor: Record<string, unknown>): string {
  return typeof descriptor.type === 'string' ? descriptor.type.toLowerCase() : '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
