// Text that no field of this API takes: control characters (C0, DEL, C1), the bidirectional overrides
// and isolates that make text read differently from what it is ("Trojan Source"), and lone surrogates
// (not Unicode; PostgreSQL and JSON encoders refuse them, and NUL ends a C string). They are refused at
// the HTTP layer, for every service and the gateway, before a handler or a database sees them.

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this guard's job
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
// with the u flag a pair is one code point: what is left of a surrogate is a lone one
const LONE_SURROGATE = /\p{Cs}/u;

/** Why a text is refused, or undefined when it is acceptable. */
export function unacceptableText(text: string): string | undefined {
  const found = FORBIDDEN.exec(text);
  if (found) {
    const code = found[0].codePointAt(0)!;
    const name = code >= 0x202a ? 'a bidirectional control character' : 'a control character';
    return `contains ${name} (U+${code.toString(16).toUpperCase().padStart(4, '0')})`;
  }
  if (LONE_SURROGATE.test(text)) return 'contains a lone surrogate (not Unicode text)';
  return undefined;
}

export interface RefusedText {
  /** The field at fault: `reserveDate`, `passengers.0.name`, `Idempotency-Key`. */
  field: string;
  reason: string;
}

/**
 * The first unacceptable string in a value (object keys included), walked without recursion so that
 * deep JSON cannot exhaust the stack. `prefix` names the value itself.
 */
export function findUnacceptableText(value: unknown, prefix = ''): RefusedText | undefined {
  const stack: Array<[unknown, string]> = [[value, prefix]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      const reason = unacceptableText(v);
      if (reason) return { field: path, reason };
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
        const childPath = path ? `${path}.${key}` : key;
        const reason = unacceptableText(key);
        if (reason) return { field: childPath, reason: `has a name that ${reason}` };
        stack.push([child, childPath]);
      }
    }
  }
  return undefined;
}

/** Header names as written in problems and documents: `idempotency-key` → `Idempotency-Key`. */
export const headerTitle = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());
