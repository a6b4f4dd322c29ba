// What the V8 tracing scripts (app-tier.mjs, wasm-tier.mjs) read from a wasm
// module's bytes: each function's body size and, when the module keeps its
// "name" section, its name.

/** Body bytes and names (when the module keeps them) by function index. */
export function functions(bytes) {
  const bodies = new Map();
  const names = new Map();
  let at = 8;
  let imported = 0;
  const leb = () => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      value += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return value;
    }
  };
  const text = () => {
    const length = leb();
    at += length;
    return bytes.subarray(at - length, at).toString();
  };
  while (at < bytes.length) {
    const id = bytes[at++];
    const end = leb() + at;
    if (id === 2) {
      // Imports: imported functions come first in the index space.
      for (let count = leb(); count > 0; count--) {
        text();
        text();
        const kind = bytes[at++];
        if (kind === 0) {
          leb();
          imported++;
        } else if (kind === 1) {
          at++;
          if (leb() & 1) leb();
          leb();
        } else if (kind === 2) {
          if (leb() & 1) leb();
          leb();
        } else {
          at += 2;
        }
      }
    } else if (id === 10) {
      for (let count = leb(), index = imported; count > 0; count--, index++) {
        const size = leb();
        bodies.set(index, size);
        at += size;
      }
    } else if (id === 0 && text() === 'name') {
      while (at < end) {
        const sub = bytes[at++];
        const subEnd = leb() + at;
        if (sub === 1) {
          for (let count = leb(); count > 0; count--) names.set(leb(), text());
        }
        at = subEnd;
      }
    }
    at = end;
  }
  return { bodies, names };
}

/** Enough of a Rust symbol to read: its path, without hashes and generics. */
export function demangled(name) {
  const legacy = /^_ZN(.*)17h[0-9a-f]{16}E$/.exec(name);
  if (!legacy) return name.slice(0, 80);
  const parts = [];
  for (let rest = legacy[1]; rest.length; ) {
    const [, digits] = /^(\d+)/.exec(rest) ?? [];
    if (!digits) break;
    parts.push(rest.slice(digits.length, digits.length + Number(digits)));
    rest = rest.slice(digits.length + Number(digits));
  }
  return parts.join('::').replace(/\$LT\$.*?\$GT\$/g, '<…>').slice(0, 80);
}
