// What a source's analysis says, in the compact forms the shape tests compare.
import { analysisJson, analyzeShapes } from '../../../src/python';

/** `line name: shape` per binding, shapes as --json prints them (null: unknown). */
export function shapesOf(source: string): string[] {
  return analysisJson(analyzeShapes(source)).bindings.map((b) => `${b.line} ${b.name}: ${JSON.stringify(b.shape)}`);
}

/** `line: message` per diagnostic. */
export function messagesOf(source: string): string[] {
  return analyzeShapes(source).diagnostics.map((d) => `${d.line}: ${d.message}`);
}
