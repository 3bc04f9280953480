// Where the editor offers a model summary (the "Summary" CodeLens): each class the analysis knows
// is an nn.Module subclass (its bases lead to `torch.nn.*`, through the file's own classes too),
// and each assignment of a module the analysis built to a plain name outside functions
// (`model = Net(...)`, `net = nn.Sequential(...)`), read from an analysis already made: nothing
// runs again.
import type { SyntaxNode } from '@lezer/common';
import type { ShapeAnalysis } from '../interpreter/analysis';
import type { Value } from '../interpreter/values';
import { moduleType } from './summary';

export interface SummaryTarget {
  /** A class definition, or a name bound to a model. */
  readonly kind: 'class' | 'instance';
  /** The class's name, or the variable's. */
  readonly name: string;
  /** The model's class (the class itself for a class target). */
  readonly className: string;
  /** The statement: the class definition, or the assignment. */
  readonly from: number;
  readonly to: number;
}

/** How deep a chain of base classes is followed (a cycle cannot occur in Python, but a bad file may look like one). */
const MAX_BASE_DEPTH = 16;

function isModuleClass(value: Value, depth = 0): boolean {
  if (depth > MAX_BASE_DEPTH) return false;
  if (value.kind === 'path') return value.path.startsWith('torch.nn.') && /^[A-Z]/.test(value.path.slice(value.path.lastIndexOf('.') + 1));
  return value.kind === 'class' && value.bases.some((base) => isModuleClass(base, depth + 1));
}

/** The model an expression's values hold: a user module's instance, or a container layer (`nn.Sequential(...)`). */
function modelClassOf(values: readonly Value[]): string | undefined {
  for (const value of values) {
    if (value.kind === 'instance' && isModuleClass(value.cls)) return value.cls.name;
    if (value.kind === 'layer' && value.layer.type === 'container') return moduleType(value.layer);
  }
  return undefined;
}

/** The summary targets of a file, in the order of the file. */
export function summaryTargets(analysis: ShapeAnalysis): SummaryTarget[] {
  const { doc } = analysis;
  const targets: SummaryTarget[] = [];
  const visit = (node: SyntaxNode): void => {
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === 'ClassDefinition') {
        const name = child.getChild('VariableName');
        const bases = child.getChild('ArgList');
        const isModule = bases !== null && childrenOf(bases).some((base) => analysis.valuesAt(base).some((v) => isModuleClass(v)));
        if (name && isModule) {
          const className = doc.textOf(name);
          targets.push({ kind: 'class', name: className, className, from: child.from, to: child.to });
        }
        // A class body's assignments are attributes, not the file's models.
        continue;
      }
      if (child.name === 'FunctionDefinition') continue;
      if (child.name === 'AssignStatement') {
        const target = child.firstChild;
        const value = child.lastChild;
        if (target?.name === 'VariableName' && target.nextSibling?.name === 'AssignOp' && value?.name === 'CallExpression') {
          const className = modelClassOf(analysis.valuesAt(value));
          if (className !== undefined) targets.push({ kind: 'instance', name: doc.textOf(target), className, from: child.from, to: child.to });
        }
        continue;
      }
      visit(child);
    }
  };
  visit(doc.tree.topNode);
  return targets;
}

function childrenOf(node: SyntaxNode): SyntaxNode[] {
  const children: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) children.push(child);
  return children;
}
