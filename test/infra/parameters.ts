// main.parameters.json against the compiled template's parameters (ARM JSON from `bicep build`):
// every parameter given is declared, every required one (no default) is given, and each value —
// for azd's `${VAR=default}` the default — fits the parameter's type, allowed values and bounds.

export interface TemplateParameter {
  type: string;
  defaultValue?: unknown;
  allowedValues?: unknown[];
  minValue?: number;
  maxValue?: number;
  minLength?: number;
  maxLength?: number;
}

/** `${NAME}` (no default) or `${NAME=default}`, azd's environment substitution. */
const AZD = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?\}$/s;

export function checkParameters(template: { parameters?: Record<string, TemplateParameter> }, file: { parameters?: Record<string, { value?: unknown }> }): string[] {
  const declared = template.parameters ?? {};
  const given = file.parameters ?? {};
  const problems: string[] = [];
  for (const name of Object.keys(given)) {
    if (!(name in declared)) problems.push(`${name} is given, but the template declares no such parameter`);
  }
  for (const [name, param] of Object.entries(declared)) {
    if (param.defaultValue === undefined && !(name in given)) problems.push(`${name} is required (no default), but main.parameters.json does not give it`);
  }
  for (const [name, entry] of Object.entries(given)) {
    const param = declared[name];
    if (!param) continue;
    let value = entry.value;
    if (typeof value === 'string') {
      const azd = AZD.exec(value);
      if (azd) {
        // Without a default, azd passes whatever the environment holds; only a default can be checked.
        if (azd[2] === undefined) continue;
        value = coerce(azd[2], param.type);
      }
    }
    problems.push(...fits(name, value, param));
  }
  return problems;
}

/** azd substitutes text; ARM converts it to the parameter's type. */
function coerce(text: string, type: string): unknown {
  const t = type.toLowerCase();
  if (t === 'int') return /^-?\d+$/.test(text) ? Number(text) : text;
  if (t === 'bool') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

function fits(name: string, value: unknown, param: TemplateParameter): string[] {
  const t = param.type.toLowerCase();
  const kind = t === 'int' ? 'number' : t === 'bool' ? 'boolean' : t === 'string' || t === 'securestring' ? 'string' : t === 'array' ? 'array' : 'object';
  const actual = Array.isArray(value) ? 'array' : typeof value;
  if (actual !== kind) return [`${name}: ${JSON.stringify(value)} is not a ${param.type}`];
  const problems: string[] = [];
  if (param.allowedValues && !param.allowedValues.some((a) => JSON.stringify(a) === JSON.stringify(value))) {
    problems.push(`${name}: ${JSON.stringify(value)} is not one of the allowed values ${JSON.stringify(param.allowedValues)}`);
  }
  if (typeof value === 'number') {
    if (param.minValue !== undefined && value < param.minValue) problems.push(`${name}: ${value} is below the minimum ${param.minValue}`);
    if (param.maxValue !== undefined && value > param.maxValue) problems.push(`${name}: ${value} is above the maximum ${param.maxValue}`);
  }
  if (typeof value === 'string') {
    if (param.minLength !== undefined && value.length < param.minLength) problems.push(`${name}: shorter than ${param.minLength} characters`);
    if (param.maxLength !== undefined && value.length > param.maxLength) problems.push(`${name}: longer than ${param.maxLength} characters`);
  }
  return problems;
}
