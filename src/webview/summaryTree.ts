// The Summary view's tree, from the summary's rows (in call order, each with its depth): which
// row holds which, which rows show for a depth limit and the branches folded, and each row's share
// of the model's MACs and parameters, its own and those of the rows under it, so that a folded
// block (ResNet's `layer3`) shows how heavy it is. Pure: unit-tested in Node.

export interface TreeRowInput {
  readonly depth: number;
  readonly macs: number | null;
  readonly parameters: number | null;
  /** A module called again: its parameters count at its first call only. */
  readonly reused: boolean;
}

export interface TreeNode {
  readonly parent: number | undefined;
  readonly children: readonly number[];
  /** Known MACs and parameters of the row and every row under it (unknown ones count 0). */
  readonly macs: number;
  readonly parameters: number;
}

/** Each row's parent is the nearest row above it that is less deep. */
export function summaryTree(rows: readonly TreeRowInput[]): TreeNode[] {
  const nodes = rows.map((row) => ({
    parent: undefined as number | undefined,
    children: [] as number[],
    macs: row.macs ?? 0,
    parameters: row.reused ? 0 : row.parameters ?? 0,
  }));
  const open: number[] = [];
  rows.forEach((row, i) => {
    while (open.length > 0 && (rows[open[open.length - 1] as number] as TreeRowInput).depth >= row.depth) open.pop();
    const parent = open[open.length - 1];
    if (parent !== undefined) {
      (nodes[i] as { parent: number | undefined }).parent = parent;
      nodes[parent]?.children.push(i);
    }
    open.push(i);
  });
  // Children come after their parent: summing from the last row up adds each subtree once.
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i] as (typeof nodes)[number];
    if (node.parent === undefined) continue;
    const parent = nodes[node.parent] as (typeof nodes)[number];
    parent.macs += node.macs;
    parent.parameters += node.parameters;
  }
  return nodes;
}

/** The rows shown: no deeper than `depthLimit`, and none under a folded row. */
export function visibleRows(rows: readonly { readonly depth: number }[], tree: readonly TreeNode[], depthLimit: number, folded: ReadonlySet<number>): number[] {
  const shown: number[] = [];
  rows.forEach((row, i) => {
    if (row.depth > depthLimit) return;
    for (let up = tree[i]?.parent; up !== undefined; up = tree[up]?.parent) if (folded.has(up)) return;
    shown.push(i);
  });
  return shown;
}

/** A row's part of the model's total (the top rows' sums), from 0 to 1; 0 when the total is 0. */
export function shareOf(tree: readonly TreeNode[], row: number, what: 'macs' | 'parameters'): number {
  const total = tree.reduce((sum, node) => (node.parent === undefined ? sum + node[what] : sum), 0);
  const node = tree[row];
  return node && total > 0 ? node[what] / total : 0;
}

/** The deepest row's depth (the depth control's largest value). */
export function maxDepth(rows: readonly { readonly depth: number }[]): number {
  return rows.reduce((max, row) => Math.max(max, row.depth), 0);
}
