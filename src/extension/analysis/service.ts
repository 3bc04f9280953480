// The analysis in the editor: keeps the worker's copy of every open Python program current (the
// edits of each keystroke, mapped to program offsets; the whole text only when the worker has
// none), publishes its diagnostics after typing pauses, serves hovers, inlay hints and quick
// fixes from it, and answers the run commands' questions. The extension host only forwards edits
// and maps offsets; every parse and evaluation of Python runs in the worker.
import * as vscode from 'vscode';
import type { FromAnalysisMessage, LayerOp, ProgramAt, ToAnalysisMessage, WireDiagnostic, WireInputSizesOutcome, WireSizeNote, WireSummaryOutcome, WireSummaryTarget } from '../../protocol/analysis';
import { CHECKERBOARD_CODE } from '../../python/features/checkerboard';
import type { TextEdit } from '../../python';
import type { ViewName } from '../../protocol/panel';
import type { Config } from '../config';
import type { Log } from '../log';
import { AnalysisClient } from './client';
import { normalizePath } from '../../python/project/paths';
import { isPython, lengthOf, locate, notebookOf, offsetIn, programOf, programText, type Program } from './programs';

/** Where a hover's Run / Visualize link points: a position in a document; the checkerboard hint's link also names the panel view to open. */
export interface LayerLinkArgs {
  readonly uri: string;
  readonly line: number;
  readonly character: number;
  readonly view?: ViewName;
}

/** Typing pauses this long before diagnostics are recomputed. */
const DIAGNOSTICS_DELAY_MS = 250;

interface ProgramState {
  /** The document (or notebook) the state is of: a document opened anew under the same URI (an untitled one) starts over. */
  readonly owner: object;
  /** Bumped on every change of any of the program's documents. */
  version: number;
  /** The version the worker has, and of which worker generation. */
  synced: number;
  generation: number;
  /** Edits since `synced`, in program offsets; undefined when the worker needs the whole text (a notebook's cells changed). */
  edits: TextEdit[] | undefined;
  /** The documents whose diagnostics were last published for this program. */
  published: vscode.Uri[];
  /** Diagnostics as the worker reported them, by `uri|line:col|code|message`, for quick fixes. */
  wire: Map<string, WireDiagnostic>;
  /** Errors its run found in project files that are not open, by path. */
  elsewhere: Map<string, readonly WireDiagnostic[]>;
}

export type Answer<T extends FromAnalysisMessage['type']> = Extract<FromAnalysisMessage, { type: T }>;

/** How long the host's own synchronous steps took (count, longest, total), to show what typing costs the extension host. */
export type HostTimings = Record<string, { count: number; maxMs: number; totalMs: number }>;

export class AnalysisService implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('convLab');
  private readonly client: AnalysisClient;
  private readonly states = new Map<string, ProgramState>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly hintsChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [this.collection, this.hintsChanged];
  readonly timings: HostTimings = {};

  constructor(extensionPath: string, private readonly log: Log, private readonly config: Config) {
    this.client = new AnalysisClient(extensionPath, config.analysisSettings, (reason) => log.error(`shape analysis worker stopped (${reason}); it restarts on the next request`));
    const selector: vscode.DocumentSelector = [{ language: 'python' }];
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => this.changed(e)),
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)),
      vscode.workspace.onDidCloseTextDocument((d) => this.closed(d)),
      vscode.workspace.onDidChangeNotebookDocument((e) => {
        if (e.contentChanges.length > 0) this.notebookChanged(e.notebook);
      }),
      config.onDidChange((names) => {
        if (names.has('defaultDtype') || names.has('maxElements') || names.has('importRoots') || names.has('maxIndexedFiles')) {
          // The analysis reads these: every program is analysed again, its diagnostics republished.
          void this.client.configure(config.analysisSettings).catch(() => undefined);
          for (const state of this.states.values()) state.version++;
          for (const document of vscode.workspace.textDocuments) this.schedule(document);
        }
        if (names.has('inlayHints') || names.has('defaultDtype') || names.has('maxElements')) this.hintsChanged.fire();
        // The worker's analysis stays: only which hints it adds to the errors changes.
        if (names.has('lintCheckerboard')) for (const document of vscode.workspace.textDocuments) this.schedule(document);
      }),
      vscode.languages.registerHoverProvider(selector, { provideHover: (d, p, t) => this.hover(d, p, t) }),
      vscode.languages.registerInlayHintsProvider(selector, { onDidChangeInlayHints: this.hintsChanged.event, provideInlayHints: (d, r, t) => this.inlayHints(d, r, t) }),
      vscode.languages.registerCodeActionsProvider(selector, { provideCodeActions: (d, r, c, t) => this.codeActions(d, r, c, t) }, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
    );
    // Files the project may import changed on disk: the worker drops what read them.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.{py,ipynb}');
    const onDisk = (uri: vscode.Uri, structure: boolean): void => {
      if (uri.scheme !== 'file') return;
      void this.client.request({ type: 'filesChanged', paths: [normalizePath(uri.fsPath)], structure })
        .then((answer) => {
          if (answer.type === 'filesChanged') this.scheduleKeys(answer.affected);
        })
        .catch(() => undefined);
    };
    this.disposables.push(
      watcher,
      watcher.onDidCreate((uri) => onDisk(uri, true)),
      watcher.onDidDelete((uri) => onDisk(uri, true)),
      watcher.onDidChange((uri) => onDisk(uri, false)),
    );
    for (const document of vscode.workspace.textDocuments) this.schedule(document);
  }

  /** Diagnostics again for the open programs with these keys (a file they import or call into changed). */
  private scheduleKeys(keys: readonly string[]): void {
    for (const key of keys) {
      const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key)
        ?? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key)?.getCells().find((c) => isPython(c.document))?.document;
      if (document) this.schedule(document, key);
    }
  }

  private stateOf(key: string, owner: object): ProgramState {
    let state = this.states.get(key);
    if (!state || state.owner !== owner) {
      state = { owner, version: (state?.version ?? 0) + 1, synced: 0, generation: -1, edits: undefined, published: state?.published ?? [], wire: new Map(), elsewhere: state?.elsewhere ?? new Map() };
      this.states.set(key, state);
    }
    return state;
  }

  /** Per keystroke: only the edit is recorded (no text is read); the program is built when typing pauses. */
  /** Runs one synchronous step of the host's and records its duration under `label`. */
  private timed<T>(label: string, step: () => T): T {
    const started = performance.now();
    try {
      return step();
    } finally {
      const ms = performance.now() - started;
      const t = (this.timings[label] ??= { count: 0, maxMs: 0, totalMs: 0 });
      t.count++;
      t.totalMs += ms;
      t.maxMs = Math.max(t.maxMs, ms);
    }
  }

  private changed(e: vscode.TextDocumentChangeEvent): void {
    this.timed('keystroke', () => this.recordChange(e));
  }

  private recordChange(e: vscode.TextDocumentChangeEvent): void {
    if (!isPython(e.document) || e.contentChanges.length === 0) return;
    const notebook = notebookOf(e.document);
    const key = (notebook?.uri ?? e.document.uri).toString();
    const state = this.stateOf(key, notebook ?? e.document);
    state.version++;
    // A notebook cell's edits move by where the cell starts in the program (the cells above it
    // are as they were); each change applies to the text the previous one left (VS Code orders them so).
    const start = notebook ? cellStart(notebook, e.document) : 0;
    if (start === undefined) state.edits = undefined;
    else state.edits?.push(...e.contentChanges.map((c) => ({ from: start + c.rangeOffset, to: start + c.rangeOffset + c.rangeLength, insert: c.text })));
    this.schedule(e.document, key);
  }

  private closed(document: vscode.TextDocument): void {
    if (!isPython(document) || document.uri.scheme === 'vscode-notebook-cell') return;
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    const elsewhere = this.states.get(key)?.elsewhere;
    this.states.delete(key);
    this.collection.delete(document.uri);
    if (elsewhere) this.publishElsewhere(elsewhere.keys());
    void this.client.request({ type: 'close', key })
      .then((answer) => {
        if (answer.type === 'synced') this.scheduleKeys(answer.affected ?? []);
      })
      .catch(() => undefined);
  }

  /** A notebook's cells changed (added, removed, moved): its program is sent whole next time. */
  private notebookChanged(notebook: vscode.NotebookDocument): void {
    const key = notebook.uri.toString();
    const state = this.stateOf(key, notebook);
    state.version++;
    state.edits = undefined;
    const first = notebook.getCells().find((c) => isPython(c.document));
    if (first) this.schedule(first.document, key);
  }

  /** Diagnostics for the document's program once typing pauses. */
  private schedule(document: vscode.TextDocument, key = (notebookOf(document)?.uri ?? document.uri).toString()): void {
    if (!isPython(document)) return;
    clearTimeout(this.timers.get(key));
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (document.isClosed) return;
      const program = this.timed('read program', () => programOf(document));
      if (program) void this.publish(program).catch((e: unknown) => this.log.error(`shape analysis failed: ${e instanceof Error ? e.message : String(e)}`));
    }, DIAGNOSTICS_DELAY_MS));
  }

  /** Sends the worker what changed since its copy (the edits, or the whole text when it has none); returns the version it now has. */
  private async sync(program: Program): Promise<number> {
    const state = this.stateOf(program.key, ownerOf(program));
    if (state.synced === state.version && state.generation === this.client.generation) return state.version;
    const version = state.version;
    const edits = state.generation === this.client.generation && state.synced > 0 ? state.edits : undefined;
    state.edits = [];
    const path = pathOf(program);
    const whole = (): ToAnalysisMessage => ({ type: 'sync', key: program.key, version, text: this.timed('read program', () => programText(program)), length: program.length, ...path });
    let answer = await this.client.request(edits ? { type: 'sync', key: program.key, version, baseVersion: state.synced, edits, length: program.length, ...path } : whole());
    if (answer.type === 'needsText') answer = await this.client.request(whole());
    if (answer.type !== 'synced') throw new Error(`the analysis worker answered ${answer.type} to sync`);
    this.scheduleKeys(answer.affected ?? []);
    state.synced = version;
    state.generation = this.client.generation;
    return version;
  }

  /** Syncs and asks; a worker restarted in between gets the text again and is asked once more. */
  async ask<T extends FromAnalysisMessage['type']>(program: Program, build: (at: ProgramAt) => ToAnalysisMessage, type: T): Promise<Answer<T>> {
    for (let attempt = 0; ; attempt++) {
      try {
        const version = await this.sync(program);
        const answer = await this.client.request(build({ key: program.key, version, length: program.length }));
        if (answer.type !== type) throw new Error(`shape analysis answered ${answer.type} to ${type}`);
        return answer as Answer<T>;
      } catch (e) {
        if (attempt > 0) throw e;
        this.stateOf(program.key, ownerOf(program)).generation = -1;
      }
    }
  }

  private async publish(program: Program): Promise<void> {
    const answer = await this.ask(program, (at) => ({ type: 'diagnostics', ...at, lint: this.config.lintSettings }), 'diagnostics');
    this.timed('publish diagnostics', () => this.setDiagnostics(program, answer, []));
    this.scheduleKeys(answer.affected ?? []);
    if (answer.diagnostics.some((d) => d.severity === 'error') || answer.elsewhere.some((e) => e.diagnostics.length > 0)) {
      void this.addSizeNotes(program, answer).catch((e: unknown) => this.log.error(`input sizes of a failing call: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /** The solver's notes on the size errors just shown (its sweeps take up to seconds, so they follow the errors), unless the program changed meanwhile. */
  private async addSizeNotes(program: Program, answer: Answer<'diagnostics'>): Promise<void> {
    const state = this.stateOf(program.key, ownerOf(program));
    const version = state.version;
    const { notes } = await this.ask(program, (at) => ({ type: 'sizeNotes', ...at }), 'sizeNotes');
    if (notes.length === 0 || this.states.get(program.key) !== state || state.version !== version) return;
    this.timed('publish diagnostics', () => this.setDiagnostics(program, answer, notes));
  }

  private setDiagnostics(program: Program, answer: Answer<'diagnostics'>, notes: readonly WireSizeNote[]): void {
    const state = this.stateOf(program.key, ownerOf(program));
    const byDocument = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const part of program.parts) byDocument.set(part.document.uri.toString(), { uri: part.document.uri, list: [] });
    state.wire.clear();
    for (const d of answer.diagnostics) {
      const place = locate(program, d.from, d.to);
      if (!place) continue;
      const message = withNote(d, undefined, notes);
      const diagnostic = new vscode.Diagnostic(place.range, message, d.severity === 'hint' ? vscode.DiagnosticSeverity.Hint : vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'Conv Lab';
      // The checkerboard hint's code opens the panel's overlap map of its layer.
      diagnostic.code = d.code === CHECKERBOARD_CODE ? { value: d.code, target: overlapMapLink(place.document.uri, place.range.start) } : d.code;
      const related = d.related ? locate(program, d.related.from, d.related.to) : undefined;
      diagnostic.relatedInformation = [
        ...(related ? [new vscode.DiagnosticRelatedInformation(new vscode.Location(related.document.uri, related.range), 'the layer is defined here')] : []),
        ...callChain(d),
      ];
      byDocument.get(place.document.uri.toString())?.list.push(diagnostic);
      state.wire.set(wireKey(place.document.uri, place.range, d.code, message), d);
    }
    for (const uri of state.published) if (!byDocument.has(uri.toString())) this.collection.delete(uri);
    for (const { uri, list } of byDocument.values()) this.collection.set(uri, list);
    state.published = [...byDocument.values()].map((v) => v.uri);
    const touched = new Set([...state.elsewhere.keys(), ...answer.elsewhere.map((e) => e.path)]);
    state.elsewhere = new Map(answer.elsewhere.map((e) => [e.path, e.diagnostics.map((d) => ({ ...d, message: withNote(d, e.path, notes) }))]));
    this.publishElsewhere(touched);
    if (answer.truncated) this.log.info(`shape analysis of ${program.key} stopped at its budget after ${answer.analysisMs.toFixed(0)} ms`);
    this.hintsChanged.fire();
  }

  /**
   * The errors open programs' runs found in project files that are not open, each file's from
   * every program; a file open in an editor shows its own analysis instead.
   */
  private publishElsewhere(paths: Iterable<string>): void {
    for (const path of paths) {
      const uri = vscode.Uri.file(path);
      if (this.states.has(uri.toString())) continue;
      const seen = new Set<string>();
      const list: vscode.Diagnostic[] = [];
      for (const state of this.states.values()) {
        for (const d of state.elsewhere.get(path) ?? []) {
          const key = `${d.from}:${d.to}:${d.message}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const diagnostic = new vscode.Diagnostic(new vscode.Range(d.line - 1, d.column - 1, d.endLine - 1, d.endColumn - 1), d.message, vscode.DiagnosticSeverity.Error);
          diagnostic.source = 'Conv Lab';
          diagnostic.code = d.code;
          diagnostic.relatedInformation = callChain(d);
          list.push(diagnostic);
        }
      }
      if (list.length > 0) this.collection.set(uri, list);
      else this.collection.delete(uri);
    }
  }

  private async hover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const program = this.timed('read program', () => programOf(document));
    const offset = program && offsetIn(program, document, position);
    if (!program || offset === undefined) return undefined;
    const answer = await this.ask(program, (at) => ({ type: 'hover', ...at, offset }), 'hover');
    if (!answer.hover || token.isCancellationRequested) return undefined;
    const place = locate(program, answer.hover.from, answer.hover.to);
    // The links are added here, after the worker's Markdown (which escapes all source text), never substituted into it.
    const markdown = new vscode.MarkdownString(answer.hover.markdown + this.hoverLinks(document, position, program, answer.hover.links));
    markdown.isTrusted = { enabledCommands: ['convLab.runLayerAt', 'convLab.visualizeLayerAt', 'convLab.runOnRange'] };
    return new vscode.Hover(markdown, place?.document === document ? place.range : undefined);
  }

  /** The Run / Visualize links of a layer hover, or the Run links of a literal's (when the literal is in this document). */
  private hoverLinks(document: vscode.TextDocument, position: vscode.Position, program: Program, links: Answer<'hover'>['hover'] extends infer H ? H extends { links?: infer L } ? L : never : never): string {
    if (!links) return '';
    const argument = (value: unknown): string => encodeURIComponent(JSON.stringify([value]));
    if (links.kind === 'layer') {
      const at = argument({ uri: document.uri.toString(), line: position.line, character: position.character });
      return `\n\n---\n[Run](command:convLab.runLayerAt?${at} "Run this layer on a placeholder input of the shape reaching it") · [Visualize](command:convLab.visualizeLayerAt?${at} "Open the panel on this layer")`;
    }
    const place = locate(program, links.site.from, links.site.to);
    if (place?.document !== document) return '';
    const range = (command: string): string => argument({ uri: document.uri.toString(), start: place.range.start, end: place.range.end, command });
    return `\n\n---\n[Run Convolution](command:convLab.runOnRange?${range('convLab.runConvOnSelection')} "Select this literal as the input and run a convolution") · [Run Transposed Convolution](command:convLab.runOnRange?${range('convLab.runConvTransposeOnSelection')} "Select this literal as the input and run a transposed convolution")`;
  }

  private async inlayHints(document: vscode.TextDocument, range: vscode.Range, token: vscode.CancellationToken): Promise<vscode.InlayHint[]> {
    const mode = this.config.settings.inlayHints;
    const program = this.timed('read program', () => programOf(document));
    if (!program || mode === 'off') return [];
    const from = offsetIn(program, document, range.start) ?? 0;
    const to = offsetIn(program, document, range.end) ?? program.length;
    const answer = await this.ask(program, (at) => ({ type: 'inlayHints', ...at, mode, range: { from, to } }), 'inlayHints');
    if (token.isCancellationRequested) return [];
    return this.timed('map inlay hints', () => answer.hints.flatMap((h) => {
      const place = locate(program, h.offset, h.offset);
      if (place?.document !== document) return [];
      const hint = new vscode.InlayHint(place.range.start, h.label, vscode.InlayHintKind.Type);
      hint.tooltip = 'Shape inferred by Conv Lab';
      return [hint];
    }));
  }

  private async codeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext, token: vscode.CancellationToken): Promise<vscode.CodeAction[]> {
    const program = programOf(document);
    if (!program) return [];
    const state = this.stateOf(program.key, ownerOf(program));
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      if (diagnostic.source !== 'Conv Lab') continue;
      const code = typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code;
      const wire = state.wire.get(wireKey(document.uri, diagnostic.range, String(code), diagnostic.message));
      if (!wire) continue;
      const answer = await this.ask(program, (at) => ({ type: 'codeActions', ...at, diagnostic: wire }), 'codeActions');
      if (token.isCancellationRequested) return [];
      for (const fix of answer.fixes) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [diagnostic];
        action.isPreferred = fix.preferred;
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) {
          const place = locate(program, e.from, e.to);
          if (place) edit.replace(place.document.uri, place.range, e.insert);
        }
        action.edit = edit;
        actions.push(action);
      }
    }
    return actions;
  }

  /** "Check Shapes in File": analyses now, publishes, and lists every binding in the log. */
  async checkShapes(document: vscode.TextDocument): Promise<{ bindings: number; errors: number }> {
    const program = programOf(document);
    if (!program) throw new Error('Check Shapes works on Python files and notebooks');
    await this.publish(program);
    const answer = await this.ask(program, (at) => ({ type: 'bindings', ...at }), 'bindings');
    const diagnostics = await this.ask(program, (at) => ({ type: 'diagnostics', ...at, lint: this.config.lintSettings }), 'diagnostics');
    this.log.info(`shapes in ${vscode.workspace.asRelativePath(program.notebook?.uri ?? document.uri)} (analysed in ${diagnostics.analysisMs.toFixed(1)} ms):`);
    for (const b of answer.bindings) this.log.info(`  line ${b.line}  ${b.name}: ${b.shape}`);
    for (const d of diagnostics.diagnostics) this.log.info(`  line ${d.line}, column ${d.column}: ${d.kind ?? d.severity}: ${d.message} [${d.code}]`);
    return { bindings: answer.bindings.length, errors: diagnostics.diagnostics.filter((d) => d.severity === 'error').length };
  }

  /** The op of the conv layer built (or `F.conv*d` called) at a position, for the hover's Run / Visualize links and the checkerboard hint's overlap map link. */
  async layerOpAt(document: vscode.TextDocument, position: vscode.Position, placeholderInput: boolean): Promise<{ op: LayerOp | undefined; reason?: string }> {
    const program = programOf(document);
    const offset = program && offsetIn(program, document, position);
    if (!program || offset === undefined) return { op: undefined, reason: 'not a Python document' };
    const op = await this.ask(program, (at) => ({ type: 'layerOp', ...at, offset, placeholderInput }), 'layerOp');
    return { op: op.op, ...(op.reason ? { reason: op.reason } : {}) };
  }

  /** The Summary CodeLens's places in a document: from the worker's analysis of its version (made once per version). */
  async summaryTargets(document: vscode.TextDocument): Promise<{ program: Program; targets: Answer<'summaryTargets'>['targets'] } | undefined> {
    const program = programOf(document);
    if (!program) return undefined;
    const answer = await this.ask(program, (at) => ({ type: 'summaryTargets', ...at }), 'summaryTargets');
    return { program, targets: answer.targets };
  }

  /** The summary of a model of the document's program (a traced run in the worker). */
  async summary(document: vscode.TextDocument, target: WireSummaryTarget, inputSize: readonly number[] | undefined): Promise<{ program: Program; outcome: WireSummaryOutcome } | undefined> {
    const program = programOf(document);
    if (!program) return undefined;
    const answer = await this.ask(program, (at) => ({ type: 'summary', ...at, target, ...(inputSize ? { inputSize } : {}) }), 'summary');
    return { program, outcome: answer.outcome };
  }

  /** The input sizes a model of the document's program accepts (the solver's sweep in the worker). */
  async inputSizes(document: vscode.TextDocument, target: WireSummaryTarget, inputSize: readonly number[] | undefined): Promise<WireInputSizesOutcome | undefined> {
    const program = programOf(document);
    if (!program) return undefined;
    const answer = await this.ask(program, (at) => ({ type: 'inputSizes', ...at, target, ...(inputSize ? { inputSize } : {}) }), 'inputSizes');
    return answer.outcome;
  }

  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.client.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

/** A diagnostic's message, with the input-size solver's note on it when there is one (`path`: the file of an error found elsewhere). */
function withNote(d: WireDiagnostic, path: string | undefined, notes: readonly WireSizeNote[]): string {
  const note = notes.find((n) => n.path === path && n.from === d.from && n.to === d.to && n.code === d.code && n.message === d.message)?.note;
  return note === undefined ? d.message : `${d.message}\n${note}`;
}

/** The calls from other files that led to an error, as related information (each file:line). */
function callChain(d: WireDiagnostic): vscode.DiagnosticRelatedInformation[] {
  return (d.chain ?? []).map((c) => new vscode.DiagnosticRelatedInformation(
    new vscode.Location(vscode.Uri.file(c.path), new vscode.Position(c.line - 1, c.column - 1)),
    `called from ${vscode.workspace.asRelativePath(vscode.Uri.file(c.path))}:${c.line}`,
  ));
}

/** The command link that opens the panel on the overlap map of the layer built at `position`. */
function overlapMapLink(uri: vscode.Uri, position: vscode.Position): vscode.Uri {
  const args: LayerLinkArgs = { uri: uri.toString(), line: position.line, character: position.character, view: 'overlap' };
  return vscode.Uri.parse(`command:convLab.visualizeLayerAt?${encodeURIComponent(JSON.stringify([args]))}`);
}

/** The file on disk a program is, as the worker's project keeps paths (none for an untitled document). */
function pathOf(program: Program): { path?: string } {
  const uri = program.notebook?.uri ?? program.parts[0]?.document.uri;
  return uri?.scheme === 'file' ? { path: normalizePath(uri.fsPath) } : {};
}

/** The document or notebook a program is of. */
function ownerOf(program: Program): object {
  return program.notebook ?? program.parts[0]?.document ?? program;
}

/** Where a notebook cell starts in its notebook's program: after the code cells above it, each with its newline. */
function cellStart(notebook: vscode.NotebookDocument, document: vscode.TextDocument): number | undefined {
  let offset = 0;
  for (const cell of notebook.getCells()) {
    if (cell.document === document) return offset;
    if (cell.kind === vscode.NotebookCellKind.Code && isPython(cell.document)) offset += lengthOf(cell.document) + 1;
  }
  return undefined;
}

function wireKey(uri: vscode.Uri, range: vscode.Range, code: string, message: string): string {
  return `${uri.toString()}|${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}|${code}|${message}`;
}
