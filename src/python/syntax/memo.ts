// What the interpreter asks of a tree's nodes, answered once per tree.
import type { SyntaxNode } from '@lezer/common';

/** Past this many remembered answers a memo answers without remembering (memory stays bounded on a huge file). */
const MEMO_ENTRIES = 200_000;
/** Offsets up to this fit a memo key exactly (a larger text is answered without remembering). */
const MEMO_OFFSETS = 2 ** 21;
/** Node type ids are below this (@lezer/python has under 200 types). */
const MEMO_TYPES = 512;

/**
 * The answers to what the interpreter asks of a tree's nodes again and again (a statement's parts,
 * a call's arguments, a def's parameters and locals): each run of a loop body, each call of a
 * function and each script importing the module asks them again, and Lezer builds new node objects
 * at every walk (a third of what a re-analysis allocated). One memo per parsed tree
 * (PythonDocument.memo); an answer is a pure function of the node and the text, and must not be
 * changed by whoever reads it. A node is known by its type and range: Lezer's LR grammars have no
 * unit cycle (X → X), so no two nodes of one tree share all three.
 */
export class SyntaxMemo {
  private readonly tables = new Map<(node: SyntaxNode, text: string) => unknown, Map<number, unknown>>();
  private entries = 0;

  constructor(private readonly text: string) {}

  /** `read(node, text)`, computed once per node of this tree. */
  of<T>(read: (node: SyntaxNode, text: string) => T, node: SyntaxNode): T {
    if (node.to >= MEMO_OFFSETS || node.type.id >= MEMO_TYPES) return read(node, this.text);
    const key = (node.from * MEMO_OFFSETS + (node.to - node.from)) * MEMO_TYPES + node.type.id;
    let table = this.tables.get(read);
    if (!table) this.tables.set(read, (table = new Map()));
    const found = table.get(key);
    if (found !== undefined || table.has(key)) return found as T;
    const answer = read(node, this.text);
    if (this.entries < MEMO_ENTRIES) {
      table.set(key, answer);
      this.entries++;
    }
    return answer;
  }
}
