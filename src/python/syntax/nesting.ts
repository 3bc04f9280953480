// Python refuses brackets nested more than 200 deep ("too many nested parentheses", its tokenizer's
// MAXLEVEL); Lezer builds a tree of such nesting recursively and can run out of stack. A text whose
// parse overflows is parsed again with the brackets past that depth blanked: the same length, so
// every offset stays right, and code Python would not even compile gets no meaning.

/** Python's tokenizer's limit on nested brackets. */
export const MAX_BRACKET_NESTING = 200;

const OPENERS = new Set(['(', '[', '{']);
const CLOSERS = new Set([')', ']', '}']);

/** `text` with every bracket nested deeper than MAX_BRACKET_NESTING (and its partner) replaced by a space; strings and comments untouched. */
export function blankDeepNesting(text: string): string {
  const out = text.split('');
  let depth = 0;
  let blanked = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      i = endOfString(text, i) - 1;
    } else if (OPENERS.has(c)) {
      if (depth >= MAX_BRACKET_NESTING) {
        out[i] = ' ';
        blanked++;
      } else depth++;
    } else if (CLOSERS.has(c)) {
      if (blanked > 0) {
        out[i] = ' ';
        blanked--;
      } else if (depth > 0) depth--;
    }
  }
  return out.join('');
}

/** Where the string literal whose opening quote is at `start` ends (a prefix like `rb` needs no handling: its letters are not brackets). */
function endOfString(text: string, start: number): number {
  const quote = text[start] as string;
  const triple = text.startsWith(quote.repeat(3), start);
  const close = triple ? quote.repeat(3) : quote;
  for (let i = start + close.length; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (!triple && c === '\n') return i;
    else if (text.startsWith(close, i)) return i + close.length;
  }
  return text.length;
}
