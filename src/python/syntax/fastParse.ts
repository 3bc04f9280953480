// A fast first parse of a Python document: a hand-written scanner and recursive-descent parser
// for the part of Python that model files use, writing Lezer's tree buffer directly.
//
// Guarantee: `fastParse(text)` returns either exactly the tree `parser.parse(text)` builds (same node
// types, same ranges, same order, comments placed where Lezer places them) or `undefined`, for any
// text it does not handle (syntax errors, a `\r` alone, form feeds, `match`, `type X = ...`, ...).
// The caller then runs Lezer, so bailing out is always safe. One exception, on purpose: Lezer's
// guard against deep left-associative trees (more than 300 big reductions of one term from one
// start) fires in some long files with many top-level blocks, forcing reductions mid-statement and
// leaving error nodes in valid code (modelFile(5000): at `class Block304`; 1,000 copies of
// `def f():\n    pass\n\nx = 1\n\n`: after about 300). This parser builds the tree Lezer builds
// without the guard, the one of the file's syntax.
//
// Why: Lezer's LR machinery costs about a microsecond per token, most of the time of a whole-file
// shape analysis; everything downstream reads Lezer nodes and re-parses edits incrementally with
// Lezer from this tree, so the tree has to be Lezer's own. What incremental re-parsing needs from it
// besides the nodes (see `lookAheadRecord` and the top-level repeat node) is explained where it is
// written.
import { NodeProp, Tree } from '@lezer/common';
import { parser } from 'lezer:python';

/** Half of a surrogate pair without its other half: Lezer's tokens end there in ways not copied here. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export function fastParse(text: string): Tree | undefined {
  const types = nodeTypes();
  if (!types || LONE_SURROGATE.test(text)) return undefined;
  try {
    return parseScript(text, types);
  } catch {
    // BAIL, or a scanner or parser bug (or a stack overflow on absurd nesting): Lezer parses it.
    return undefined;
  } finally {
    src = '';
  }
}

/** Thrown (one shared instance) when the text leaves the supported subset. */
const BAIL = new Error('fastParse: not in the supported subset');

function bail(): never {
  throw BAIL;
}

// ---------------------------------------------------------------------------------------------
// Node types, looked up by name in Lezer's node set. Names the grammar uses for several types
// (two BinaryExpressions, five BitOps, four AssignOps, ...) are told apart by parsing a tiny
// probe with Lezer and reading the type at a known position.

interface NodeTypes {
  readonly Script: number;
  readonly topRepeat: number;
  readonly minRepeat: number;
  /** NodeProp.contextHash of a bracket opened at top level. */
  readonly bracketContextHash: number;
  readonly Comment: number;
  readonly Escape: number;
  readonly VariableName: number;
  readonly PropertyName: number;
  readonly Number: number;
  readonly String: number;
  readonly ContinuedString: number;
  readonly FormatString: number;
  readonly FormatReplacement: number;
  readonly nestedFormatReplacement: number;
  readonly FormatSelfDoc: number;
  readonly nestedFormatSelfDoc: number;
  readonly FormatConversion: number;
  readonly FormatSpec: number;
  /** The `{` opening an f-string's replacement field (not the `{` of displays). */
  readonly replacementStart: number;
  readonly Ellipsis: number;
  readonly None: number;
  readonly Boolean: number;
  readonly lparen: number;
  readonly rparen: number;
  readonly lbracket: number;
  readonly rbracket: number;
  readonly lbrace: number;
  readonly rbrace: number;
  readonly comma: number;
  readonly colon: number;
  readonly semicolon: number;
  readonly dot: number;
  readonly star: number;
  readonly starStar: number;
  readonly atSign: number;
  readonly At: number;
  readonly BinaryExpression: number;
  readonly BinaryTest: number;
  readonly UnaryExpression: number;
  readonly UnaryTest: number;
  readonly ConditionalExpression: number;
  readonly LambdaExpression: number;
  readonly LambdaParamList: number;
  readonly ParamList: number;
  readonly plusMinus: number;
  readonly times: number;
  readonly power: number;
  readonly unaryPlusMinus: number;
  readonly bitOr: number;
  readonly bitXor: number;
  readonly bitAnd: number;
  readonly shift: number;
  readonly tilde: number;
  readonly CompareOp: number;
  readonly assignOp: number;
  readonly keywordArgOp: number;
  readonly defaultOp: number;
  readonly lambdaDefaultOp: number;
  readonly annotation: number;
  readonly returnType: number;
  readonly UpdateOp: number;
  readonly ParenthesizedExpression: number;
  readonly TupleExpression: number;
  readonly ComprehensionExpression: number;
  readonly ArrayExpression: number;
  readonly ArrayComprehensionExpression: number;
  readonly DictionaryExpression: number;
  readonly DictionaryComprehensionExpression: number;
  readonly SetExpression: number;
  readonly SetComprehensionExpression: number;
  readonly CallExpression: number;
  readonly ArgList: number;
  readonly MemberExpression: number;
  readonly AssignStatement: number;
  readonly UpdateStatement: number;
  readonly ExpressionStatement: number;
  readonly DeleteStatement: number;
  readonly PassStatement: number;
  readonly BreakStatement: number;
  readonly ContinueStatement: number;
  readonly ReturnStatement: number;
  readonly RaiseStatement: number;
  readonly ImportStatement: number;
  readonly ScopeStatement: number;
  readonly AssertStatement: number;
  readonly IfStatement: number;
  readonly WhileStatement: number;
  readonly ForStatement: number;
  readonly TryStatement: number;
  readonly WithStatement: number;
  readonly FunctionDefinition: number;
  readonly ClassDefinition: number;
  readonly DecoratedStatement: number;
  readonly Decorator: number;
  readonly Body: number;
  readonly StatementGroup: number;
  readonly YieldStatement: number;
  readonly YieldExpression: number;
  readonly AwaitExpression: number;
  /** Keyword node types by keyword text (`True`/`False` give Boolean). */
  readonly keywords: ReadonlyMap<string, number>;
  readonly kw: Readonly<Record<Keyword, number>>;
}

const KEYWORDS = [
  'and', 'as', 'assert', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except', 'finally', 'for',
  'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return',
  'try', 'while', 'with', 'yield', 'async', 'await', 'None',
] as const;
type Keyword = (typeof KEYWORDS)[number];

let resolvedTypes: NodeTypes | null | undefined;

function nodeTypes(): NodeTypes | undefined {
  if (resolvedTypes === undefined) {
    try {
      resolvedTypes = resolveTypes();
    } catch {
      // A grammar whose names or shapes changed: never use the fast path with it.
      resolvedTypes = null;
    }
  }
  return resolvedTypes ?? undefined;
}

function resolveTypes(): NodeTypes {
  const all = parser.nodeSet.types;
  const unique = (name: string): number => {
    const found = all.filter((t) => t.name === name);
    if (found.length !== 1 || !found[0]) throw new Error(`fastParse: node type ${name} is not unique`);
    return found[0].id;
  };
  const probe = (source: string, name: string, from: number): number => {
    const cursor = parser.parse(source).cursor();
    do {
      if (cursor.name === name && cursor.from === from) return cursor.type.id;
    } while (cursor.next());
    throw new Error(`fastParse: no ${name} at ${from} in ${source}`);
  };
  const keywords = new Map<string, number>();
  for (const word of KEYWORDS) keywords.set(word, unique(word));
  keywords.set('True', unique('Boolean'));
  keywords.set('False', unique('Boolean'));
  // Two statements spanning more than a tree buffer: the repeat node over them is a Tree.
  const repeat = parser.parse(`${'x'.repeat(1100)}\ny\n`).children[0];
  if (!(repeat instanceof Tree) || !repeat.type.isAnonymous) throw new Error('fastParse: no top-level repeat node');
  const minRepeat = all.findIndex((t) => t.isAnonymous);
  // `(` before an argument too long for a buffer is a Tree of its own, with the prop.
  const bracket = parser.parse(`f([${'x'.repeat(1100)}])`).resolve(1, 1);
  const bracketContextHash = bracket.name === '(' ? bracket.tree?.prop(NodeProp.contextHash) : undefined;
  if (!bracketContextHash) throw new Error('fastParse: no context hash on a top-level bracket');
  const names = [
    'Script', 'Comment', 'Escape', 'VariableName', 'PropertyName', 'Number', 'String', 'ContinuedString', 'Ellipsis',
    'FormatString', 'FormatConversion', 'FormatSpec',
    'None', 'Boolean', 'At', 'ConditionalExpression', 'CompareOp', 'UpdateOp', 'ParenthesizedExpression',
    'TupleExpression', 'ComprehensionExpression', 'ArrayExpression', 'ArrayComprehensionExpression',
    'DictionaryExpression', 'DictionaryComprehensionExpression', 'SetExpression', 'SetComprehensionExpression',
    'CallExpression', 'ArgList', 'MemberExpression', 'AssignStatement', 'UpdateStatement', 'ExpressionStatement',
    'DeleteStatement', 'PassStatement', 'BreakStatement', 'ContinueStatement', 'ReturnStatement', 'RaiseStatement',
    'ImportStatement', 'ScopeStatement', 'AssertStatement', 'IfStatement', 'WhileStatement', 'ForStatement',
    'TryStatement', 'WithStatement', 'FunctionDefinition', 'ClassDefinition', 'DecoratedStatement', 'Decorator', 'Body',
    'StatementGroup', 'YieldStatement', 'YieldExpression', 'AwaitExpression',
  ] as const;
  const named = Object.fromEntries(names.map((n) => [n, unique(n)])) as Record<(typeof names)[number], number>;
  const kw = Object.fromEntries(KEYWORDS.map((k) => [k, keywords.get(k) ?? -1])) as Record<Keyword, number>;
  return {
    ...named,
    topRepeat: repeat.type.id,
    minRepeat,
    bracketContextHash,
    lparen: unique('('),
    rparen: unique(')'),
    lbracket: unique('['),
    rbracket: unique(']'),
    lbrace: probe('{}', '{', 0),
    replacementStart: probe('f"{a}"', '{', 2),
    FormatReplacement: probe('f"{a}"', 'FormatReplacement', 2),
    nestedFormatReplacement: probe('f"{a:{b}}"', 'FormatReplacement', 5),
    FormatSelfDoc: probe('f"{a=}"', 'FormatSelfDoc', 4),
    nestedFormatSelfDoc: probe('f"{a:{b=}}"', 'FormatSelfDoc', 7),
    rbrace: probe('{}', '}', 1),
    comma: unique(','),
    colon: unique(':'),
    semicolon: unique(';'),
    dot: unique('.'),
    star: unique('*'),
    starStar: unique('**'),
    atSign: unique('@'),
    BinaryExpression: probe('a+b', 'BinaryExpression', 0),
    BinaryTest: probe('a or b', 'BinaryExpression', 0),
    UnaryExpression: probe('-a', 'UnaryExpression', 0),
    UnaryTest: probe('not a', 'UnaryExpression', 0),
    LambdaExpression: probe('lambda a: a', 'LambdaExpression', 0),
    LambdaParamList: probe('lambda a: a', 'ParamList', 7),
    ParamList: probe('def f(): pass', 'ParamList', 5),
    plusMinus: probe('a+b', 'ArithOp', 1),
    times: probe('a*b', 'ArithOp', 1),
    power: probe('a**b', 'ArithOp', 1),
    unaryPlusMinus: probe('-a', 'ArithOp', 0),
    bitOr: probe('a|b', 'BitOp', 1),
    bitXor: probe('a^b', 'BitOp', 1),
    bitAnd: probe('a&b', 'BitOp', 1),
    shift: probe('a<<b', 'BitOp', 1),
    tilde: probe('~a', 'BitOp', 0),
    assignOp: probe('a=b', 'AssignOp', 1),
    keywordArgOp: probe('f(a=b)', 'AssignOp', 3),
    defaultOp: probe('def f(a=b): pass', 'AssignOp', 7),
    lambdaDefaultOp: probe('lambda a=b: c', 'AssignOp', 8),
    annotation: probe('a: b', 'TypeDef', 1),
    returnType: probe('def f() -> b: pass', 'TypeDef', 8),
    keywords,
    kw,
  };
}

// ---------------------------------------------------------------------------------------------
// Scanner: one token of lookahead in module state (fastParse is synchronous and not re-entrant).
// Layout follows @lezer/python's external tokenizers: a newline token (1 char, or none at the end
// of the text) ends each logical line outside brackets, blank and comment-only lines are skipped,
// an indent token spans the leading spaces of a deeper line, dedents are zero-length.

const enum Tok {
  Name,
  Keyword,
  Number,
  String,
  /** An f-string's prefix and opening quote(s); the parser reads its body (see parseFormatString). */
  FormatStringStart,
  Op,
  Newline,
  Indent,
  Dedent,
  End,
}

const enum Op {
  LParen, RParen, LBracket, RBracket, LBrace, RBrace, Comma, Colon, Semicolon, Dot, Ellipsis, At, Assign, Arrow,
  Plus, Minus, Star, StarStar, Slash, SlashSlash, Percent, Pipe, Amp, Caret, Tilde, LShift, RShift,
  Compare, Update, Conversion,
}

let src = '';
let len = 0;
let pos = 0;
let T: NodeTypes;
/**
 * The node buffer for Tree.build: [type, from, to, size] per node, children before parents; `top`
 * is its used length. Kept between parses (grown by doubling) so that a parse allocates nothing.
 */
let buf = new Int32Array(1 << 14);
let top = 0;
/** End of the last token that Lezer lets move its reduce position (Lezer's `reducePos`). */
let reducePos = 0;

let tk: Tok = Tok.End;
let ts = 0;
let te = 0;
/** Op code for Tok.Op; keyword node type for Tok.Keyword. */
let tv = 0;
/** For Tok.String: the [from, to) ranges of its escapes; f-string content fills it as it is read. */
const escapes: number[] = [];

let depth = 0;
let lineStart = 0;
/** No token yet on the current logical line (blank and comment lines are skipped). */
let atLineStart = true;
let indents: number[] = [0];
let pendingDedents = 0;
let lastCommentEnd = -1;
/** f-string replacement fields open around the current token. */
let formatFields = 0;

/** Lezer's identifier characters: ASCII letters, `_` and everything from U+00A1 on (UTF-16 units). */
function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 0xa1;
}

function isIdentChar(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

function charAt(i: number): number {
  return i < len ? src.charCodeAt(i) : -1;
}

/** Scans the next token into tk/ts/te/tv, writing the comments it skips into the buffer. */
function next(): void {
  if (pendingDedents > 0) {
    pendingDedents--;
    tk = Tok.Dedent;
    ts = te = lineStart;
    return;
  }
  for (;;) {
    let c = charAt(pos);
    while (c === 32 || c === 9) c = charAt(++pos);
    if (c === 92 && isLineContinuation()) {
      pos += 2;
      continue;
    }
    if (c === 35) {
      if (formatFields > 0) bail(); // a comment would run over the closing quote
      const start = pos;
      for (let d = charAt(pos); d >= 0 && d !== 10 && d !== 13; d = charAt(++pos));
      record(T.Comment, start, pos, 4);
      lastCommentEnd = pos;
      continue;
    }
    // A `\r\n` line end is Lezer's newline token `\r` and a blank line `\n`; a lone `\r` is left to Lezer.
    if (c === 10 || (c === 13 && charAt(pos + 1) === 10)) {
      if (formatFields > 0) bail();
      if (depth > 0 || atLineStart) {
        pos++;
        if (depth === 0) lineStart = pos;
        continue;
      }
      tk = Tok.Newline;
      ts = pos;
      te = ++pos;
      lineStart = pos;
      atLineStart = true;
      return;
    }
    if (c < 0) {
      if (depth > 0) bail();
      if (!atLineStart) {
        // Lezer ends the last line with its zero-length eof token.
        atLineStart = true;
        lineStart = pos;
        tk = Tok.Newline;
        ts = te = pos;
        return;
      }
      // Spaces alone on a last line give Lezer an indentation token.
      if (pos > lineStart && lastCommentEnd !== pos) bail();
      if (indents.length > 1) {
        indents.pop();
        tk = Tok.Dedent;
        ts = te = pos;
        return;
      }
      tk = Tok.End;
      ts = te = pos;
      return;
    }
    if (atLineStart && depth === 0) {
      atLineStart = false;
      const column = indentWidth(lineStart, pos);
      const current = indents[indents.length - 1] ?? 0;
      if (column > current) {
        indents.push(column);
        tk = Tok.Indent;
        ts = lineStart;
        te = pos;
        return;
      }
      if (column < current) {
        let count = 0;
        while ((indents[indents.length - 1] ?? 0) > column) {
          indents.pop();
          count++;
        }
        if ((indents[indents.length - 1] ?? 0) !== column) bail();
        pendingDedents = count - 1;
        tk = Tok.Dedent;
        ts = te = lineStart;
        return;
      }
    }
    scanToken(c);
    return;
  }
}

/** Width of the indentation from..to, a tab reaching the next multiple of 8 (tokens.js `countIndent`). */
function indentWidth(from: number, to: number): number {
  let width = 0;
  for (let i = from; i < to; i++) width = src.charCodeAt(i) === 9 ? width + 8 - (width % 8) : width + 1;
  return width;
}

/**
 * A backslash ending a line inside a logical line, continued by an indented, non-blank line: one
 * whitespace token for Lezer, read on as if the line went on. Lezer's indentation tokenizer runs
 * right after a line break, so a continuation line starting in column 0, or a blank or comment line
 * after the backslash, is left to Lezer.
 */
function isLineContinuation(): boolean {
  if (atLineStart || charAt(pos + 1) !== 10 || charAt(pos + 2) !== 32) return false;
  let i = pos + 3;
  while (charAt(i) === 32) i++;
  const c = charAt(i);
  return c !== 10 && c !== 35 && c !== 92 && c >= 0;
}

/**
 * Length of the identifier character at `i`: 1, 2 for a surrogate pair (Lezer's identifiers take
 * every code point from U+00A1 on), 0 for none. A lone surrogate is left to Lezer.
 */
function identifierCharLength(i: number, first: boolean): number {
  const c = charAt(i);
  if (c < 0xd800 || c > 0xdfff) return (first ? isIdentStart(c) : isIdentChar(c)) ? 1 : 0;
  const low = charAt(i + 1);
  return c <= 0xdbff && low >= 0xdc00 && low <= 0xdfff ? 2 : bail();
}

function scanToken(c: number): void {
  ts = pos;
  const first = identifierCharLength(pos, true);
  if (first > 0) {
    let i = pos + first;
    for (;;) {
      const d = charAt(i);
      if (d < 128 && isIdentChar(d)) i++; // the common case, without the surrogate check
      else if (d < 128) break;
      else {
        const n = identifierCharLength(i, false);
        if (n === 0) break;
        i += n;
      }
    }
    const d = charAt(i);
    if (d >= 128) bail(); // U+0080..U+00A0: not identifier characters for Lezer
    if (d === 39 || d === 34) {
      scanString(i, stringPrefix(pos, i));
      return;
    }
    pos = te = i;
    if (i - ts <= 8) {
      const keyword = T.keywords.get(src.slice(ts, i));
      if (keyword !== undefined) {
        tk = Tok.Keyword;
        tv = keyword;
        return;
      }
    }
    tk = Tok.Name;
    return;
  }
  if (isDigit(c) || (c === 46 && isDigit(charAt(pos + 1)))) {
    scanNumber(c);
    return;
  }
  if (c === 39 || c === 34) {
    scanString(pos, 0);
    return;
  }
  if (c >= 128) bail();
  tk = Tok.Op;
  const c1 = charAt(pos + 1);
  let n = 1;
  switch (c) {
    case 40: tv = Op.LParen; depth++; break;
    case 41: tv = Op.RParen; if (--depth < 0) bail(); break;
    case 91: tv = Op.LBracket; depth++; break;
    case 93: tv = Op.RBracket; if (--depth < 0) bail(); break;
    case 123: tv = Op.LBrace; depth++; break;
    case 125: tv = Op.RBrace; if (--depth < 0) bail(); break;
    case 44: tv = Op.Comma; break;
    case 59: tv = Op.Semicolon; break;
    case 126: tv = Op.Tilde; break;
    case 58: // `:=` is not supported
      if (c1 === 61) bail();
      tv = Op.Colon;
      break;
    case 46:
      if (c1 === 46 && charAt(pos + 2) === 46) {
        tv = Op.Ellipsis;
        n = 3;
      } else tv = Op.Dot;
      break;
    case 64: [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.At, 1]; break;
    case 61: [tv, n] = c1 === 61 ? [Op.Compare, 2] : [Op.Assign, 1]; break;
    case 33: // `!=`, or an f-string field's conversion `!s` `!r` `!a`
      if (c1 === 61) tv = Op.Compare;
      else if (c1 === 115 || c1 === 114 || c1 === 97) tv = Op.Conversion;
      else bail();
      n = 2;
      break;
    case 60:
    case 62:
      if (c1 === c) [tv, n] = charAt(pos + 2) === 61 ? [Op.Update, 3] : [c === 60 ? Op.LShift : Op.RShift, 2];
      else if (c1 === 61 || (c === 60 && c1 === 62)) [tv, n] = [Op.Compare, 2];
      else tv = Op.Compare;
      break;
    case 43: [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.Plus, 1]; break;
    case 45: [tv, n] = c1 === 61 ? [Op.Update, 2] : c1 === 62 ? [Op.Arrow, 2] : [Op.Minus, 1]; break;
    case 42:
      if (c1 === 42) [tv, n] = charAt(pos + 2) === 61 ? [Op.Update, 3] : [Op.StarStar, 2];
      else [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.Star, 1];
      break;
    case 47:
      if (c1 === 47) [tv, n] = charAt(pos + 2) === 61 ? [Op.Update, 3] : [Op.SlashSlash, 2];
      else [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.Slash, 1];
      break;
    case 37: [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.Percent, 1]; break;
    case 38: [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.Amp, 1]; break;
    case 124: [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.Pipe, 1]; break;
    case 94: [tv, n] = c1 === 61 ? [Op.Update, 2] : [Op.Caret, 1]; break;
    default: bail(); // form feeds, other backslashes, `$`, `?`, backquotes, ...
  }
  pos = te = pos + n;
}

const RAW = 1;
const FORMAT = 2;

/** RAW and FORMAT flags of the letters from..to before a quote; bails for anything but a prefix. */
function stringPrefix(from: number, to: number): number {
  const a = src.charCodeAt(from) | 32;
  const flag = (c: number): number => (c === 114 ? RAW : c === 102 ? FORMAT : 0); // r f
  if (to - from === 1) {
    if (a === 117 || a === 98) return 0; // u b
    if (a === 114 || a === 102) return flag(a);
    return bail();
  }
  if (to - from === 2) {
    const b = src.charCodeAt(from + 1) | 32;
    if ((a === 114 && b === 98) || (a === 98 && b === 114)) return RAW; // rb br
    if ((a === 114 && b === 102) || (a === 102 && b === 114)) return RAW | FORMAT; // rf fr
  }
  return bail();
}

/** Quote, length and rawness of the f-string whose start is the current token. */
let formatQuote = 0;
let formatLong = false;
let formatRaw = false;

/**
 * A string whose quote is at `quoteAt` (the token starts at its prefix); its escapes go to
 * `escapes`. An f-string stops after its opening quotes: the parser reads its body.
 */
function scanString(quoteAt: number, prefix: number): void {
  const q = src.charCodeAt(quoteAt);
  const long = charAt(quoteAt + 1) === q && charAt(quoteAt + 2) === q;
  const bodyStart = quoteAt + (long ? 3 : 1);
  if (prefix & FORMAT) {
    formatQuote = q;
    formatLong = long;
    formatRaw = (prefix & RAW) !== 0;
    tk = Tok.FormatStringStart;
    pos = te = bodyStart;
    return;
  }
  escapes.length = 0;
  const end = scanStringBody(bodyStart, q, long, (prefix & RAW) !== 0, false);
  if (end < 0) bail();
  tk = Tok.String;
  pos = te = end;
}

/**
 * Scans string content from `at` as Lezer's strings tokenizer does, pushing escape ranges to
 * `escapes`: returns the end of the closing quote(s), or, in an f-string (`format`), minus one
 * minus the offset of a replacement field's `{` (`{{` is content).
 */
function scanStringBody(at: number, q: number, long: boolean, raw: boolean, format: boolean): number {
  let i = at;
  for (;;) {
    if (i >= len) bail();
    const c = src.charCodeAt(i);
    if (c === 92) {
      const escaped = charAt(i + 1);
      if (escaped < 0) bail();
      if (raw) {
        i += 2;
        continue;
      }
      const start = i;
      i = skipEscape(escaped, i + 2);
      escapes.push(start, i);
    } else if (c === q) {
      if (!long) return i + 1;
      if (charAt(i + 1) === q && charAt(i + 2) === q) return i + 3;
      i++;
    } else if (c === 10) {
      if (!long) bail(); // Lezer ends an unterminated string at the line end without an error
      i++;
    } else if (c === 123 && format) {
      if (charAt(i + 1) !== 123) return -1 - i;
      i += 2;
    } else i++;
  }
}

/** Lezer's escape lengths (tokens.js `skipEscape`): `\o`, `\x`, `\u`, `\U` take digits, `\N{...}` a name. */
function skipEscape(escaped: number, at: number): number {
  let i = at;
  if (escaped === 111) {
    for (let k = 0; k < 2 && charAt(i) >= 48 && charAt(i) <= 55; k++) i++;
  } else if (escaped === 120 || escaped === 117 || escaped === 85) {
    const digits = escaped === 120 ? 2 : escaped === 117 ? 4 : 8;
    for (let k = 0; k < digits && isHex(charAt(i)); k++) i++;
  } else if (escaped === 78 && charAt(i) === 123) {
    i++;
    for (let c = charAt(i); c >= 0 && c !== 125 && c !== 39 && c !== 34 && c !== 10; c = charAt(i)) i++;
    if (charAt(i) === 125) i++;
  }
  return i;
}

/** Lezer's Number token (with the float fix: `2.` is a number). */
function scanNumber(c: number): void {
  let i = pos;
  const skipDigits = (test: (d: number) => boolean): void => {
    for (let d = charAt(i); test(d) || d === 95; d = charAt(i)) i++;
  };
  const radix = c === 48 ? charAt(i + 1) | 32 : 0;
  if (radix === 120 || radix === 111 || radix === 98) {
    i += 2;
    const start = i;
    skipDigits(radix === 120 ? isHex : radix === 111 ? (d) => d >= 48 && d <= 55 : (d) => d === 48 || d === 49);
    if (i === start) bail();
  } else {
    if (c === 46) i++;
    skipDigits(isDigit);
    if (c !== 46 && charAt(i) === 46) {
      i++;
      if (isDigit(charAt(i))) skipDigits(isDigit);
    }
    if ((charAt(i) | 32) === 101) {
      const sign = charAt(i + 1) === 43 || charAt(i + 1) === 45 ? 1 : 0;
      if (isDigit(charAt(i + 1 + sign))) {
        i += 1 + sign;
        skipDigits(isDigit);
      }
    }
    if ((charAt(i) | 32) === 106) i++;
  }
  const after = charAt(i);
  if (isIdentChar(after) || after === 46 || after >= 128) bail();
  tk = Tok.Number;
  pos = te = i;
}

// ---------------------------------------------------------------------------------------------
// Buffer writing, the way Lezer's parse stack writes it.

function record(type: number, from: number, to: number, size: number): void {
  if (top + 4 > buf.length) {
    const bigger = new Int32Array(buf.length * 2);
    bigger.set(buf);
    buf = bigger;
  }
  buf[top] = type;
  buf[top + 1] = from;
  buf[top + 2] = to;
  buf[top + 3] = size;
  top += 4;
}

/** Tree.build's reader over the typed buffer (Lezer's own FlatBufferCursor reads plain arrays only). */
class BufferCursor {
  constructor(
    readonly buffer: Int32Array,
    public pos: number,
  ) {}

  get id(): number {
    return this.buffer[this.pos - 4] ?? 0;
  }

  get start(): number {
    return this.buffer[this.pos - 3] ?? 0;
  }

  get end(): number {
    return this.buffer[this.pos - 2] ?? 0;
  }

  get size(): number {
    return this.buffer[this.pos - 1] ?? 0;
  }

  next(): void {
    this.pos -= 4;
  }

  fork(): BufferCursor {
    return new BufferCursor(this.buffer, this.pos);
  }
}

/** Writes the current token as a node of `type` and moves on. */
function emit(type: number): void {
  record(type, ts, te, 4);
  reducePos = te;
  next();
}

/**
 * An opening bracket. In Lezer's tree a bracket opened in top-level context carries the hash of the
 * bracket context (NodeProp.contextHash) when Tree.build keeps it as a leaf (its next sibling too
 * big for a buffer); without it Lezer could reuse that lone bracket at top level and then parse
 * what follows outside the bracket context. Context records before and after give it that hash
 * alone; nodes around keep hash 0.
 */
function emitOpening(type: number): void {
  if (depth !== 1 || indents.length !== 1) return emit(type);
  record(0, ts, ts, -3);
  record(type, ts, te, 4);
  record(T.bracketContextHash, ts, ts, -3);
  reducePos = te;
  next();
}

/** Consumes a token that is not a node (newline, indent, dedent, `->`, `/`). */
function skipToken(): void {
  if (te > ts) reducePos = te;
  next();
}

/** The current token's kind (a call, so that TypeScript does not narrow it across `next()`). */
function isToken(kind: Tok): boolean {
  return tk === kind;
}

function isOp(op: Op): boolean {
  return tk === Tok.Op && tv === op;
}

function isKeyword(keyword: Keyword): boolean {
  return tk === Tok.Keyword && tv === T.kw[keyword];
}

function expectOp(op: Op, type: number): void {
  if (!isOp(op)) bail();
  emit(type);
}

function expectKeyword(keyword: Keyword): void {
  if (!isKeyword(keyword)) bail();
  emit(tv);
}

function expectName(): void {
  if (tk !== Tok.Name) bail();
  emit(T.VariableName);
}

/**
 * Closes the node that began at buffer index `mark` and offset `from`: it ends at the last token
 * that moved `reducePos`, and comments scanned after that token are moved out of it, as Lezer's
 * `storeNode` sinks skipped nodes.
 */
function close(type: number, mark: number, from: number): void {
  const end = reducePos;
  let at = top;
  while (at > mark && (buf[at - 2] ?? 0) > end) at -= 4;
  if (at === top) {
    record(type, from, end, at + 4 - mark);
    return;
  }
  record(0, 0, 0, 0);
  buf.copyWithin(at + 4, at, top - 4);
  buf[at] = type;
  buf[at + 1] = from;
  buf[at + 2] = end;
  buf[at + 3] = at + 4 - mark;
}

// ---------------------------------------------------------------------------------------------
// Statements.

function parseScript(text: string, types: NodeTypes): Tree {
  src = text;
  len = text.length;
  pos = 0;
  T = types;
  top = 0;
  reducePos = 0;
  depth = 0;
  lineStart = 0;
  atLineStart = true;
  indents = [0];
  pendingDedents = 0;
  lastCommentEnd = -1;
  formatFields = 0;
  next();
  let firstMark = -1;
  let firstFrom = 0;
  while (tk !== Tok.End) {
    const mark = top;
    const from = ts;
    parseStatement();
    const statementEnd = reducePos;
    if (firstMark < 0) {
      firstMark = mark;
      firstFrom = from;
    } else {
      // Lezer's `statement*` repeat node over the statements so far, so that Tree.build groups
      // top-level statements into balanced, reusable chunks as it does for Lezer's own trees.
      close(T.topRepeat, firstMark, firstFrom);
    }
    lookAheadRecord(from, statementEnd);
  }
  const tree = Tree.build({
    buffer: new BufferCursor(buf, top),
    nodeSet: parser.nodeSet,
    topID: T.Script,
    minRepeatType: T.minRepeat,
    length: len,
  });
  return tree;
}

/**
 * Incremental parsing reuses a node only if its end plus its NodeProp.lookAhead lies before the
 * edit; Lezer records how far past a node its tokenizers read, and a gap of up to 25 characters is
 * covered by the cut margin. After a top-level statement this records a bound that is never less
 * than Lezer's: the end of the next token (already scanned) plus the spaces after it plus one (the
 * `print` tokenizer peeks over spaces, every tokenizer peeks one character). It is written when
 * that bound is more than 25 characters away, and after every statement long enough to hold Trees
 * (nodes that do not fit a 1,024-character buffer), which take it as theirs. Nodes inside indented
 * bodies or brackets get no context hash here while Lezer's carry one, so Lezer never reuses them
 * from this tree: only top-level nodes are reused, and those need this bound.
 */
function lookAheadRecord(from: number, end: number): void {
  let bound = te;
  while (charAt(bound) === 32) bound++;
  bound++;
  if (bound - end > 25 || end - from > 500) record(bound, pos, pos, -4);
}

function parseStatement(): void {
  if (tk === Tok.Keyword) {
    switch (tv) {
      case T.kw.if: return parseIf();
      case T.kw.while: return parseWhile();
      case T.kw.for: return parseFor();
      case T.kw.try: return parseTry();
      case T.kw.with: return parseWith();
      case T.kw.def: return parseFunction();
      case T.kw.class: return parseClass();
      case T.kw.async: return parseAsync();
    }
  }
  if (isOp(Op.At)) return parseDecorated();
  if (tk === Tok.Indent || tk === Tok.Dedent) bail();
  parseSimpleStatement();
}

/** A small statement and its newline, or a StatementGroup of `;`-separated ones with the newline. */
function parseSimpleStatement(): void {
  const mark = top;
  const from = ts;
  parseSmallStatement();
  if (!isOp(Op.Semicolon)) {
    if (tk !== Tok.Newline) bail();
    return skipToken();
  }
  while (isOp(Op.Semicolon)) {
    emit(T.semicolon);
    if (tk !== Tok.Newline) parseSmallStatement();
  }
  if (tk !== Tok.Newline) bail();
  skipToken();
  close(T.StatementGroup, mark, from);
}

function atStatementEnd(): boolean {
  return tk === Tok.Newline || isOp(Op.Semicolon);
}

function parseSmallStatement(): void {
  const mark = top;
  const from = ts;
  if (tk === Tok.Keyword) {
    const keyword = tv;
    switch (keyword) {
      case T.kw.pass: emit(keyword); return close(T.PassStatement, mark, from);
      case T.kw.break: emit(keyword); return close(T.BreakStatement, mark, from);
      case T.kw.continue: emit(keyword); return close(T.ContinueStatement, mark, from);
      case T.kw.return:
        emit(keyword);
        if (!atStatementEnd()) parseTestList(true);
        return close(T.ReturnStatement, mark, from);
      case T.kw.del:
        emit(keyword);
        for (;;) {
          parseExpression(1);
          if (!isOp(Op.Comma)) break;
          emit(T.comma);
          if (atStatementEnd()) break;
        }
        return close(T.DeleteStatement, mark, from);
      case T.kw.global:
      case T.kw.nonlocal:
        emit(keyword);
        for (;;) {
          expectName();
          if (!isOp(Op.Comma)) break;
          emit(T.comma);
        }
        return close(T.ScopeStatement, mark, from);
      case T.kw.assert:
        emit(keyword);
        parseTestList(false);
        return close(T.AssertStatement, mark, from);
      case T.kw.raise:
        emit(keyword);
        if (!atStatementEnd()) {
          parseTest();
          if (isKeyword('from')) {
            emit(tv);
            parseTest();
          }
        }
        return close(T.RaiseStatement, mark, from);
      case T.kw.import:
        emit(keyword);
        parseImportedNames();
        return close(T.ImportStatement, mark, from);
      case T.kw.from:
        parseFromImport();
        return close(T.ImportStatement, mark, from);
      case T.kw.yield:
        parseYield();
        return close(T.YieldStatement, mark, from);
    }
  } else if (tk === Tok.Name && isAmbiguousStatementStart()) {
    bail();
  }
  parseExpressionList();
  if (isOp(Op.Assign) || isOp(Op.Colon)) {
    if (isOp(Op.Colon)) {
      const annotationMark = top;
      const annotationFrom = ts;
      emit(T.colon);
      parseTest();
      close(T.annotation, annotationMark, annotationFrom);
    }
    while (isOp(Op.Assign)) {
      emit(T.assignOp);
      if (isKeyword('yield')) parseYieldExpression();
      else parseExpressionList();
    }
    return close(T.AssignStatement, mark, from);
  }
  if (isOp(Op.Update)) {
    emit(T.UpdateOp);
    if (isKeyword('yield')) parseYieldExpression();
    else parseTestList(false);
    return close(T.UpdateStatement, mark, from);
  }
  close(T.ExpressionStatement, mark, from);
}

/**
 * `print x` (Python 2's statement, a token of its own in Lezer) is left to Lezer; so are the soft
 * keywords `match` and `type` starting a statement (Lezer tries both readings) unless what follows
 * rules the keyword reading out at once: `=`, `:`, `,`, or `.` before a non-digit (`match = ...`,
 * `type: int`, `match.group()`).
 */
function isAmbiguousStatementStart(): boolean {
  // Lezer's `print` tokenizer ends the word at the first character outside ASCII `\w`: to it,
  // `printé(x)` is `print` followed by `é(x)` (a random edit of the corpus found this).
  if (te - ts > 5 && src.startsWith('print', ts) && !/\w/.test(src.charAt(ts + 5))) return true;
  if (te - ts !== 4 && te - ts !== 5) return false;
  const word = src.slice(ts, te);
  if (word !== 'match' && word !== 'type' && word !== 'print') return false;
  let i = te;
  while (charAt(i) === 32) i++;
  const c = charAt(i);
  const d = charAt(i + 1);
  if (word === 'print') return c !== 40 && c !== 46;
  return !((c === 61 && d !== 61) || c === 58 || c === 44 || (c === 46 && !isDigit(d)));
}

/** Whether the current token can start a test: after a comma, whether a list goes on (else it had a trailing comma). */
function startsTest(): boolean {
  switch (tk) {
    case Tok.Name: case Tok.Number: case Tok.String: case Tok.FormatStringStart: return true;
    case Tok.Keyword:
      return tv === T.kw.not || tv === T.kw.lambda || tv === T.kw.None || tv === T.Boolean || tv === T.kw.await;
    case Tok.Op:
      switch (tv) {
        case Op.LParen: case Op.LBracket: case Op.LBrace: case Op.Plus: case Op.Minus: case Op.Tilde:
        case Op.Star: case Op.Ellipsis:
          return true;
      }
  }
  return false;
}

/** `commaSep<"*" expression | test>`: statement targets and values. */
function parseExpressionList(): void {
  for (;;) {
    parseStarredOrTest(false);
    if (!isOp(Op.Comma)) return;
    emit(T.comma);
    if (!startsTest()) return;
  }
}

/** `commaSep<test>`, or with `*` items when `starred` (return values). */
function parseTestList(starred: boolean): void {
  for (;;) {
    if (starred) parseStarredOrTest(false);
    else parseTest();
    if (!isOp(Op.Comma)) return;
    emit(T.comma);
    if (!startsTest()) return;
  }
}

/** `yield (from test | commaSep<test | "*" expression>)`; a bare `yield` is an error for Lezer. */
function parseYield(): void {
  emit(tv);
  if (isKeyword('from')) {
    emit(tv);
    parseTest();
  } else {
    parseTestList(true);
  }
}

function parseYieldExpression(): void {
  const mark = top;
  const from = ts;
  parseYield();
  close(T.YieldExpression, mark, from);
}

/** `"*" expression | test` (displays, statements); `"*" test` in argument lists when `inArgs`. */
function parseStarredOrTest(inArgs: boolean): void {
  if (isOp(Op.Star)) {
    emit(T.star);
    if (inArgs) parseTest();
    else parseExpression(1);
  } else {
    parseTest();
  }
}

function parseDottedName(): void {
  expectName();
  while (isOp(Op.Dot)) {
    emit(T.dot);
    expectName();
  }
}

/** `commaSep<dottedName (as VariableName)?>` */
function parseImportedNames(): void {
  for (;;) {
    parseDottedName();
    if (isKeyword('as')) {
      emit(tv);
      expectName();
    }
    if (!isOp(Op.Comma)) return;
    emit(T.comma);
    if (atStatementEnd() || isOp(Op.RParen)) return;
  }
}

function parseFromImport(): void {
  emit(tv);
  let dots = false;
  while (isOp(Op.Dot) || isOp(Op.Ellipsis)) {
    emit(isOp(Op.Dot) ? T.dot : T.Ellipsis);
    dots = true;
  }
  if (tk === Tok.Name || !dots) parseDottedName();
  expectKeyword('import');
  if (isOp(Op.Star)) {
    emit(T.star);
  } else if (isOp(Op.LParen)) {
    emitOpening(T.lparen);
    parseImportedNames();
    expectOp(Op.RParen, T.rparen);
  } else {
    parseImportedNames();
  }
}

/** `":" (simpleStatement | newline indent statement+ (dedent | eof))` */
function parseBody(): void {
  const mark = top;
  const from = ts;
  expectOp(Op.Colon, T.colon);
  if (tk === Tok.Newline) {
    skipToken();
    if (!isToken(Tok.Indent)) bail();
    skipToken();
    do parseStatement();
    while (!isToken(Tok.Dedent) && !isToken(Tok.End));
    if (isToken(Tok.Dedent)) skipToken();
  } else {
    parseSimpleStatement();
  }
  close(T.Body, mark, from);
}

function parseElse(): void {
  if (isKeyword('else')) {
    emit(tv);
    parseBody();
  }
}

function parseIf(): void {
  const mark = top;
  const from = ts;
  emit(tv);
  parseTest();
  parseBody();
  while (isKeyword('elif')) {
    emit(tv);
    if (!isOp(Op.Colon)) parseTest();
    parseBody();
  }
  parseElse();
  close(T.IfStatement, mark, from);
}

function parseWhile(): void {
  const mark = top;
  const from = ts;
  emit(tv);
  parseTest();
  parseBody();
  parseElse();
  close(T.WhileStatement, mark, from);
}

/** `async` before `def`, `for` or `with`: the statement starts at `async`. */
function parseAsync(): void {
  const mark = top;
  const from = ts;
  emit(tv);
  if (isKeyword('def')) parseFunction(mark, from);
  else if (isKeyword('for')) parseFor(mark, from);
  else if (isKeyword('with')) parseWith(mark, from);
  else bail();
}

function parseFor(mark = top, from = ts): void {
  emit(tv);
  parseTargets();
  expectKeyword('in');
  parseTestList(false);
  parseBody();
  parseElse();
  close(T.ForStatement, mark, from);
}

/** `commaSep<"*"? expression>` before `in`. */
function parseTargets(): void {
  for (;;) {
    if (isOp(Op.Star)) emit(T.star);
    parseExpression(1);
    if (!isOp(Op.Comma)) return;
    emit(T.comma);
    if (isKeyword('in')) return;
  }
}

function parseTry(): void {
  const mark = top;
  const from = ts;
  emit(tv);
  parseBody();
  while (isKeyword('except')) {
    emit(tv);
    if (!isOp(Op.Colon)) {
      parseTest();
      if (isKeyword('as')) {
        emit(tv);
        expectName();
      }
    }
    parseBody();
  }
  parseElse();
  if (isKeyword('finally')) {
    emit(tv);
    parseBody();
  }
  close(T.TryStatement, mark, from);
}

function parseWith(mark = top, from = ts): void {
  emit(tv);
  for (;;) {
    parseTest();
    if (isKeyword('as')) {
      emit(tv);
      expectName();
    }
    if (!isOp(Op.Comma)) break;
    emit(T.comma);
  }
  parseBody();
  close(T.WithStatement, mark, from);
}

function parseFunction(mark = top, from = ts): void {
  emit(tv);
  expectName();
  const paramsMark = top;
  const paramsFrom = ts;
  if (!isOp(Op.LParen)) bail();
  emitOpening(T.lparen);
  while (!isOp(Op.RParen)) {
    parseParam();
    if (!isOp(Op.Comma)) break;
    emit(T.comma);
  }
  expectOp(Op.RParen, T.rparen);
  close(T.ParamList, paramsMark, paramsFrom);
  if (isOp(Op.Arrow)) {
    const returnMark = top;
    const returnFrom = ts;
    skipToken();
    parseTest();
    close(T.returnType, returnMark, returnFrom);
  }
  parseBody();
  close(T.FunctionDefinition, mark, from);
}

/** `VariableName TypeDef? (AssignOp test)? | "*" (VariableName TypeDef?)? | "**" VariableName TypeDef? | "/"` */
function parseParam(): void {
  if (isOp(Op.Slash)) {
    skipToken();
    return;
  }
  if (isOp(Op.StarStar)) {
    emit(T.starStar);
    expectName();
    parseAnnotation();
    return;
  }
  if (isOp(Op.Star)) {
    emit(T.star);
    if (tk !== Tok.Name) return;
    expectName();
    parseAnnotation();
    return;
  }
  expectName();
  parseAnnotation();
  if (isOp(Op.Assign)) {
    emit(T.defaultOp);
    parseTest();
  }
}

function parseAnnotation(): void {
  if (!isOp(Op.Colon)) return;
  const mark = top;
  const from = ts;
  emit(T.colon);
  parseTest();
  close(T.annotation, mark, from);
}

function parseClass(): void {
  const mark = top;
  const from = ts;
  emit(tv);
  expectName();
  if (isOp(Op.LParen)) parseArgList();
  parseBody();
  close(T.ClassDefinition, mark, from);
}

/** `Decorator+ (ClassDefinition | FunctionDefinition)`, a decorator being `At dottedName ArgList? newline`. */
function parseDecorated(): void {
  const mark = top;
  const from = ts;
  while (isOp(Op.At)) {
    const decoratorMark = top;
    const decoratorFrom = ts;
    emit(T.At);
    parseDottedName();
    if (isOp(Op.LParen)) parseArgList();
    if (tk !== Tok.Newline) bail();
    skipToken();
    close(T.Decorator, decoratorMark, decoratorFrom);
  }
  if (isKeyword('def')) parseFunction();
  else if (isKeyword('class')) parseClass();
  else if (isKeyword('async')) parseAsync();
  else bail();
  close(T.DecoratedStatement, mark, from);
}

// ---------------------------------------------------------------------------------------------
// Expressions, by the grammar's precedence levels: test (conditional, lambda) > or > and > not >
// comparisons, then expression: | ^ & shifts + - * @ / // % unary ** and trailers.

/** `test`: a conditional expression, a lambda or an or-level test. */
function parseTest(): void {
  if (isKeyword('lambda')) return parseLambda();
  const mark = top;
  const from = ts;
  parseTestInner(1);
  if (!isKeyword('if')) return;
  emit(tv);
  parseTestInner(1);
  expectKeyword('else');
  parseTest();
  close(T.ConditionalExpression, mark, from);
}

/** Precedence of a test-level operator at the current token: or 1, and 2, comparisons 3. */
function testPrecedence(): number {
  if (tk === Tok.Keyword) {
    if (tv === T.kw.or) return 1;
    if (tv === T.kw.and) return 2;
    if (tv === T.kw.in || tv === T.kw.not || tv === T.kw.is) return 3;
    return 0;
  }
  return isOp(Op.Compare) ? 3 : 0;
}

/**
 * `testInner` at or above `minPrecedence`. Lezer's `not` takes a whole or-level test as operand
 * (`not a and b` is `not (a and b)`), also to the right of a binary operator.
 */
function parseTestInner(minPrecedence: number): void {
  const mark = top;
  const from = ts;
  if (isKeyword('not')) {
    emit(tv);
    parseTestInner(1);
    close(T.UnaryTest, mark, from);
    return;
  }
  parseExpression(1);
  for (;;) {
    const precedence = testPrecedence();
    if (precedence === 0 || precedence < minPrecedence) return;
    if (isOp(Op.Compare)) {
      emit(T.CompareOp);
    } else if (isKeyword('not')) {
      emit(tv);
      expectKeyword('in');
    } else if (isKeyword('is')) {
      emit(tv);
      if (isKeyword('not')) emit(tv);
    } else {
      emit(tv);
    }
    parseTestInner(precedence + 1);
    close(T.BinaryTest, mark, from);
  }
}

/** Binary `expression` operators: | 1, ^ 2, & 3, shifts 4, + - 5, * @ / // % 6 (** is in parseFactor). */
function expressionPrecedence(): number {
  if (tk !== Tok.Op) return 0;
  switch (tv) {
    case Op.Pipe: return 1;
    case Op.Caret: return 2;
    case Op.Amp: return 3;
    case Op.LShift: case Op.RShift: return 4;
    case Op.Plus: case Op.Minus: return 5;
    case Op.Star: case Op.At: case Op.Slash: case Op.SlashSlash: case Op.Percent: return 6;
    default: return 0;
  }
}

function parseExpression(minPrecedence: number): void {
  const mark = top;
  const from = ts;
  parseFactor();
  for (;;) {
    const precedence = expressionPrecedence();
    if (precedence === 0 || precedence < minPrecedence) return;
    emitBinaryOperator();
    parseExpression(precedence + 1);
    close(T.BinaryExpression, mark, from);
  }
}

/** The operator node: `*` and `@` are tokens of their own inside their ArithOp. */
function emitBinaryOperator(): void {
  switch (tv) {
    case Op.Pipe: return emit(T.bitOr);
    case Op.Caret: return emit(T.bitXor);
    case Op.Amp: return emit(T.bitAnd);
    case Op.LShift: case Op.RShift: return emit(T.shift);
    case Op.Plus: case Op.Minus: return emit(T.plusMinus);
    case Op.Star:
    case Op.At:
      record(tv === Op.Star ? T.star : T.atSign, ts, te, 4);
      record(T.times, ts, te, 8);
      reducePos = te;
      return next();
    default: return emit(T.times);
  }
}

/** Unary `+ - ~` (binding looser than `**`, tighter than `*`), then a power. */
function parseFactor(): void {
  if (isKeyword('await')) {
    // Lezer's `await` takes a whole binary expression (`await a + b` is `await (a + b)`).
    const mark = top;
    const from = ts;
    emit(tv);
    parseExpression(1);
    close(T.AwaitExpression, mark, from);
    return;
  }
  if (isOp(Op.Plus) || isOp(Op.Minus) || isOp(Op.Tilde)) {
    const mark = top;
    const from = ts;
    emit(isOp(Op.Tilde) ? T.tilde : T.unaryPlusMinus);
    parseFactor();
    close(T.UnaryExpression, mark, from);
    return;
  }
  const mark = top;
  const from = ts;
  parsePrimary();
  if (!isOp(Op.StarStar)) return;
  record(T.starStar, ts, te, 4);
  record(T.power, ts, te, 8);
  reducePos = te;
  next();
  parseFactor();
  close(T.BinaryExpression, mark, from);
}

/** An atom and its trailers: calls, subscripts, attributes. */
function parsePrimary(): void {
  const mark = top;
  const from = ts;
  parseAtom();
  for (;;) {
    if (isOp(Op.LParen)) {
      parseArgList();
      close(T.CallExpression, mark, from);
    } else if (isOp(Op.LBracket)) {
      parseSubscript();
      close(T.MemberExpression, mark, from);
    } else if (isOp(Op.Dot)) {
      emit(T.dot);
      if (tk !== Tok.Name && tk !== Tok.Keyword) bail();
      emit(T.PropertyName);
      close(T.MemberExpression, mark, from);
    } else {
      return;
    }
  }
}

function parseAtom(): void {
  switch (tk) {
    case Tok.Name: return emit(T.VariableName);
    case Tok.Number: return emit(T.Number);
    case Tok.String:
    case Tok.FormatStringStart:
      return parseStrings();
    case Tok.Keyword:
      if (tv === T.kw.None || tv === T.Boolean) return emit(tv);
      return bail();
    case Tok.Op:
      switch (tv) {
        case Op.Ellipsis: return emit(T.Ellipsis);
        case Op.LParen: return parseParenthesized();
        case Op.LBracket: return parseBracketed();
        case Op.LBrace: return parseBraced();
      }
  }
  bail();
}

/** One String or FormatString, or a ContinuedString of adjacent ones. */
function parseStrings(): void {
  const mark = top;
  const from = ts;
  parseString();
  if (!isString()) return;
  while (isString()) parseString();
  close(T.ContinuedString, mark, from);
}

function isString(): boolean {
  return tk === Tok.String || tk === Tok.FormatStringStart;
}

function parseString(): void {
  if (tk === Tok.FormatStringStart) return parseFormatString();
  for (let i = 0; i < escapes.length; i += 2) record(T.Escape, escapes[i] ?? 0, escapes[i + 1] ?? 0, 4);
  record(T.String, ts, te, 4 + 2 * escapes.length);
  reducePos = te;
  next();
}

/** An f-string: content with escapes, and replacement fields, read up to its closing quote. */
function parseFormatString(): void {
  const mark = top;
  const from = ts;
  const q = formatQuote;
  const long = formatLong;
  const raw = formatRaw;
  for (;;) {
    escapes.length = 0;
    const end = scanStringBody(pos, q, long, raw, true);
    for (let i = 0; i < escapes.length; i += 2) record(T.Escape, escapes[i] ?? 0, escapes[i + 1] ?? 0, 4);
    if (end >= 0) {
      pos = end;
      break;
    }
    pos = -1 - end;
    parseReplacementField(T.replacementStart, T.FormatReplacement, T.FormatSelfDoc, q);
  }
  reducePos = pos;
  close(T.FormatString, mark, from);
  next();
}

/**
 * `{` (commaSep<"*"? test>) FormatSelfDoc? FormatConversion? (FormatSpec "}" | "}")`, the `{` at
 * `pos`. A field nested in a format spec has types of its own and the `{` token of displays.
 */
function parseReplacementField(open: number, type: number, selfDoc: number, q: number): void {
  const mark = top;
  const from = pos;
  record(open, pos, pos + 1, 4);
  reducePos = ++pos;
  depth++;
  formatFields++;
  next();
  for (;;) {
    if (isOp(Op.Star)) emit(T.star);
    parseTest();
    if (!isOp(Op.Comma)) break;
    emit(T.comma);
    if (isOp(Op.RBrace) || isOp(Op.Assign) || isOp(Op.Conversion) || isOp(Op.Colon)) break;
  }
  if (isOp(Op.Assign)) emit(selfDoc);
  if (isOp(Op.Conversion)) emit(T.FormatConversion);
  formatFields--;
  if (isOp(Op.Colon)) {
    // The spec is read here, character by character, up to the field's `}`.
    const specMark = top;
    const specFrom = ts;
    record(T.colon, ts, te, 4);
    reducePos = te;
    for (;;) {
      let i = pos;
      for (let c = charAt(i); c !== 123 && c !== 125; c = charAt(++i)) {
        if (c < 0 || c === 10 || c === 13 || c === q) bail();
      }
      if (i > pos) reducePos = i;
      pos = i;
      if (charAt(i) === 125) break;
      parseReplacementField(T.lbrace, T.nestedFormatReplacement, T.nestedFormatSelfDoc, q);
    }
    close(T.FormatSpec, specMark, specFrom);
    depth--;
    record(T.rbrace, pos, pos + 1, 4);
    reducePos = ++pos;
  } else {
    if (!isOp(Op.RBrace)) bail();
    record(T.rbrace, ts, te, 4);
    reducePos = te;
  }
  close(type, mark, from);
}

function isCompFor(): boolean {
  return isKeyword('for') || isKeyword('async');
}

/** `( )`: tuple, parenthesized expression or generator. */
function parseParenthesized(): void {
  const mark = top;
  const from = ts;
  emitOpening(T.lparen);
  if (isOp(Op.RParen)) {
    emit(T.rparen);
    return close(T.TupleExpression, mark, from);
  }
  if (isKeyword('yield')) {
    parseYieldExpression();
    expectOp(Op.RParen, T.rparen);
    return close(T.ParenthesizedExpression, mark, from);
  }
  parseStarredOrTest(false);
  if (isCompFor()) {
    parseCompFor();
    expectOp(Op.RParen, T.rparen);
    return close(T.ComprehensionExpression, mark, from);
  }
  if (isOp(Op.RParen)) {
    emit(T.rparen);
    return close(T.ParenthesizedExpression, mark, from);
  }
  while (isOp(Op.Comma)) {
    emit(T.comma);
    if (isOp(Op.RParen)) break;
    parseStarredOrTest(false);
  }
  expectOp(Op.RParen, T.rparen);
  close(T.TupleExpression, mark, from);
}

/** `[ ]`: list display or list comprehension. */
function parseBracketed(): void {
  const mark = top;
  const from = ts;
  emitOpening(T.lbracket);
  if (!isOp(Op.RBracket)) {
    parseStarredOrTest(false);
    if (isCompFor()) {
      parseCompFor();
      expectOp(Op.RBracket, T.rbracket);
      return close(T.ArrayComprehensionExpression, mark, from);
    }
    while (isOp(Op.Comma)) {
      emit(T.comma);
      if (isOp(Op.RBracket)) break;
      parseStarredOrTest(false);
    }
  }
  expectOp(Op.RBracket, T.rbracket);
  close(T.ArrayExpression, mark, from);
}

/** `{ }`: dict or set display or comprehension. */
function parseBraced(): void {
  const mark = top;
  const from = ts;
  emitOpening(T.lbrace);
  if (isOp(Op.RBrace)) {
    emit(T.rbrace);
    return close(T.DictionaryExpression, mark, from);
  }
  const dict = parseBraceItem(undefined);
  if (isCompFor()) {
    parseCompFor();
    expectOp(Op.RBrace, T.rbrace);
    return close(dict ? T.DictionaryComprehensionExpression : T.SetComprehensionExpression, mark, from);
  }
  while (isOp(Op.Comma)) {
    emit(T.comma);
    if (isOp(Op.RBrace)) break;
    parseBraceItem(dict);
  }
  expectOp(Op.RBrace, T.rbrace);
  close(dict ? T.DictionaryExpression : T.SetExpression, mark, from);
}

/** One item of a brace display; returns whether it is a dict item. Bails on a mixed display. */
function parseBraceItem(dict: boolean | undefined): boolean {
  let isDict: boolean;
  if (isOp(Op.StarStar)) {
    emit(T.starStar);
    parseExpression(1);
    isDict = true;
  } else if (isOp(Op.Star)) {
    emit(T.star);
    parseExpression(1);
    isDict = false;
  } else {
    parseTest();
    isDict = isOp(Op.Colon);
    if (isDict) {
      emit(T.colon);
      parseTest();
    }
  }
  if (dict !== undefined && dict !== isDict) bail();
  return isDict;
}

/** `for commaSep<expression> in testInner (compFor | compIf)?`, compIf being `if testNoCond ...`. */
function parseCompFor(): void {
  if (isKeyword('async')) emit(tv);
  expectKeyword('for');
  for (;;) {
    parseExpression(1);
    if (!isOp(Op.Comma)) break;
    emit(T.comma);
    if (isKeyword('in')) break;
  }
  expectKeyword('in');
  parseTestInner(1);
  for (;;) {
    if (isCompFor()) return parseCompFor();
    if (!isKeyword('if')) return;
    emit(tv);
    // A lambda here is the grammar's second LambdaExpression type (testNoCond): not supported.
    if (isKeyword('lambda')) bail();
    parseTestInner(1);
  }
}

/** `( args )`: positional, keyword (`name=value`), `*a`, `**k`, each possibly followed by a compFor. */
function parseArgList(): void {
  const mark = top;
  const from = ts;
  emitOpening(T.lparen);
  while (!isOp(Op.RParen)) {
    if (isOp(Op.StarStar)) {
      emit(T.starStar);
      parseTest();
    } else if (isOp(Op.Star)) {
      parseStarredOrTest(true);
    } else {
      if (tk === Tok.Name && isKeywordArgument()) {
        emit(T.VariableName);
        emit(T.keywordArgOp);
      }
      parseTest();
      if (isCompFor()) parseCompFor();
    }
    if (!isOp(Op.Comma)) break;
    emit(T.comma);
  }
  expectOp(Op.RParen, T.rparen);
  close(T.ArgList, mark, from);
}

/** A name followed by `=` (not `==`) on the same line. */
function isKeywordArgument(): boolean {
  let i = te;
  while (charAt(i) === 32) i++;
  return charAt(i) === 61 && charAt(i + 1) !== 61;
}

/** `[ commaSep<test | test? ":" test? (":" test?)?> ]` */
function parseSubscript(): void {
  emitOpening(T.lbracket);
  for (;;) {
    if (!isOp(Op.Colon)) parseTest();
    if (isOp(Op.Colon)) {
      emit(T.colon);
      if (!isOp(Op.Colon) && !isOp(Op.Comma) && !isOp(Op.RBracket)) parseTest();
      if (isOp(Op.Colon)) {
        emit(T.colon);
        if (!isOp(Op.Comma) && !isOp(Op.RBracket)) parseTest();
      }
    }
    if (!isOp(Op.Comma)) break;
    emit(T.comma);
    if (isOp(Op.RBracket)) break;
  }
  expectOp(Op.RBracket, T.rbracket);
}

/** `lambda params: test`; with no parameters Lezer writes an empty ParamList where the `:` starts. */
function parseLambda(): void {
  const mark = top;
  const from = ts;
  emit(tv);
  if (isOp(Op.Colon)) {
    // Lezer also records a look-ahead inside the node after a long gap; not matched here.
    if (ts - reducePos > 25) bail();
    reducePos = ts;
    record(T.LambdaParamList, ts, ts, 4);
  } else {
    const paramsMark = top;
    const paramsFrom = ts;
    for (;;) {
      if (isOp(Op.StarStar)) {
        emit(T.starStar);
        expectName();
      } else if (isOp(Op.Star)) {
        emit(T.star);
        if (tk === Tok.Name) expectName();
      } else {
        expectName();
        if (isOp(Op.Assign)) {
          emit(T.lambdaDefaultOp);
          parseTest();
        }
      }
      if (!isOp(Op.Comma)) break;
      emit(T.comma);
    }
    close(T.LambdaParamList, paramsMark, paramsFrom);
  }
  expectOp(Op.Colon, T.colon);
  parseTest();
  close(T.LambdaExpression, mark, from);
}
