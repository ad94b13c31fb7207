// JSON path text for findings: `$.a.b[0]["odd key"]`.
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function childPath(parent: string, member: string | number): string {
  if (typeof member === 'number') return `${parent}[${member}]`;
  return IDENTIFIER.test(member) ? `${parent}.${member}` : `${parent}[${JSON.stringify(member)}]`;
}

/**
 * `location`, made under path `from`, under `to` instead. The findings in and under a key are
 * named by the key as masked: the raw key may be the very secret.
 */
export const reroot = (location: string, from: string, to: string): string => to + location.slice(from.length);
