// The bench scripts' command lines (node:util's parseArgs): `count`
// positional arguments and `--name value` options, or why not and the usage
// line on stderr, exit code 2.
import { parseArgs } from 'node:util';

/**
 * `options` maps each option's name to its default: a number (the value is
 * read as one), a string or null (a string), or false (a flag without value).
 * Returns `{ positionals, [name]: value }`.
 */
export function command(usage, count, options = {}) {
  const spec = Object.fromEntries(
    Object.entries(options).map(([name, fallback]) => [
      name,
      { type: fallback === false ? 'boolean' : 'string' },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ options: spec, allowPositionals: true });
  } catch (err) {
    fail(usage, err.message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== count) fail(usage, `${count} argument(s) expected`);
  const command = { positionals };
  for (const [name, fallback] of Object.entries(options)) {
    const given = values[name] ?? fallback;
    command[name] = typeof fallback === 'number' ? Number(given) : given;
    if (typeof fallback === 'number' && !Number.isFinite(command[name])) {
      fail(usage, `--${name} takes a number`);
    }
  }
  return command;
}

export function fail(usage, why) {
  console.error(`${why}\nusage: ${usage}`);
  process.exit(2);
}
