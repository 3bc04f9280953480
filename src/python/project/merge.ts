// What a file shows in a project: its own analysis as a script, and what other files' runs did in
// it (their calls' shapes, the errors raised there). Every question a feature asks (bindings,
// diagnostics, values at a range, layers, explanations) is answered from all of them, so hovers,
// hints, diagnostics and quick fixes need not know where an answer came from.
import type { Dim } from '../interpreter/dim';
import { shapeText } from '../interpreter/dim';
import type { FileLocation, LocatedDiagnostic, ShapeAnalysis, ShapeBinding } from '../interpreter/analysis';
import type { Layer, Value } from '../interpreter/values';

/** `own` with `others` (analyses of the same document: what other files' calls did in it). */
export function mergeAnalyses(own: ShapeAnalysis, others: readonly ShapeAnalysis[]): ShapeAnalysis {
  const all = [own, ...others];
  // What the file's own analysis found in a function with symbolic arguments gives way where another file's call ran it.
  const ran = new Set(others.flatMap((a) => [...a.ranFunctions]));
  const superseded = (x: { symbolicEntry?: number | undefined }): boolean => x.symbolicEntry !== undefined && ran.has(x.symbolicEntry);
  const bindings = mergedBindings([...own.bindings.filter((b) => !superseded(b)), ...others.flatMap((a) => a.bindings)]);
  const diagnostics = mergedDiagnostics([...own.diagnostics.filter((d) => !superseded(d)), ...others.flatMap((a) => a.diagnostics)]);
  return {
    ...own,
    bindings,
    diagnostics,
    truncated: all.some((a) => a.truncated),
    valuesAt: (span) => {
      const values: Value[] = [];
      for (const a of all) for (const v of a.valuesAt(span, a === own ? ran : undefined)) if (values.length < 8 && !values.includes(v)) values.push(v);
      return values;
    },
    layerAt: (span) => {
      let found: { layer: Layer; inputs: (readonly Dim[] | undefined)[] } | undefined;
      for (const a of all) {
        const here = a.layerAt(span);
        if (!here) continue;
        found ??= { layer: here.layer, inputs: [] };
        for (const input of here.inputs) if (found.inputs.length < 8 && !found.inputs.some((i) => sameShape(i, input))) found.inputs.push(input);
      }
      return found;
    },
    layerSite: (layer) => firstOf(all, (a) => a.layerSite(layer)),
    layers: () => {
      const bySite = new Map<string, { layer: Layer; site: { from: number; to: number }; inputs: (readonly Dim[] | undefined)[] }>();
      for (const a of all) {
        for (const entry of a.layers()) {
          const key = `${entry.site.from}:${entry.site.to}`;
          const known = bySite.get(key);
          if (!known) bySite.set(key, { ...entry, inputs: [...entry.inputs] });
          else for (const input of entry.inputs) if (known.inputs.length < 8 && !known.inputs.some((i) => sameShape(i, input))) known.inputs.push(input);
        }
      }
      return [...bySite.values()].sort((a, b) => a.site.from - b.site.from || a.site.to - b.site.to);
    },
    spanOf: (site) => firstOf(all, (a) => a.spanOf(site)),
    explain: (why, at) => {
      const owner = all.find((a) => why?.site && a.spanOf(why.site)) ?? own;
      return owner.explain(why, at);
    },
    callers: (offset) => {
      const links: FileLocation[] = [];
      for (const a of others) for (const link of a.callers(offset)) if (!links.some((l) => l.path === link.path && l.from === link.from)) links.push(link);
      return links;
    },
  };
}

function firstOf<T>(analyses: readonly ShapeAnalysis[], ask: (a: ShapeAnalysis) => T | undefined): T | undefined {
  for (const a of analyses) {
    const found = ask(a);
    if (found !== undefined) return found;
  }
  return undefined;
}

function sameShape(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): boolean {
  return a && b ? shapeText(a) === shapeText(b) : a === b;
}

/** Each target's distinct shapes once, in the file's order; an unknown entry only where no run knew a shape. */
function mergedBindings(bindings: readonly ShapeBinding[]): ShapeBinding[] {
  const seen = new Set<string>();
  const distinct = bindings.filter((b) => {
    const key = `${b.target.from}:${b.shape ? shapeText(b.shape) : '?'}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const known = new Set(distinct.filter((b) => b.shape).map((b) => b.target.from));
  return distinct
    .filter((b) => b.shape || !known.has(b.target.from))
    .sort((a, b) => a.statement.from - b.statement.from || a.target.from - b.target.from);
}

/** Each error once (several files' calls may raise the same one), with the first chain that led to it. */
function mergedDiagnostics(diagnostics: readonly LocatedDiagnostic[]): LocatedDiagnostic[] {
  const seen = new Set<string>();
  return diagnostics
    .filter((d) => {
      const key = `${d.from}:${d.to}:${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.from - b.from || a.to - b.to);
}
