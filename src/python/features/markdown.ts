// Markdown built from the document's text: every piece of source shown in a hover goes through
// here, escaped, so a string literal with backticks, brackets or `command:` links cannot close a
// code span and inject an image or a link into the hover.

/** `text` as an inline code span that nothing in it can close (CommonMark: a longer backtick fence). */
export function code(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const padded = text.startsWith('`') || text.endsWith('`') ? ` ${text} ` : text;
  return `${fence}${padded}${fence}`;
}

/** Lines shown as a fenced code block that nothing in them can close. */
export function codeBlock(language: string, lines: readonly string[]): string[] {
  const longest = Math.max(2, ...lines.flatMap((l) => (l.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = '`'.repeat(longest + 1);
  return [`${fence}${language}`, ...lines, fence];
}

/** `(1, 2)`, `(3,)`: a Python tuple of numbers. */
export function tuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}

/** An int-or-tuple argument as Python code: one number when every dim has it, else a tuple (`3`, `(3, 4)`). */
export function intOrTuple(values: readonly number[]): string {
  return values.every((v) => v === values[0]) ? String(values[0]) : tuple(values);
}
