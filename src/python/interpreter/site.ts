// Where in the source something is, in a form that survives edits elsewhere in the file.

/**
 * A range of source text, relative to the start of the top-level statement that holds it
 * (`statement` is that statement's record, opaque here), so it stays right wherever an edit
 * moves the statement. The analysis turns it back into document offsets.
 */
export interface Site {
  readonly statement: object;
  readonly from: number;
  readonly to: number;
}

/** A call site on the way to a result in another file: a file's path and the call's range in it. */
export interface CallLink {
  readonly path: string;
  readonly from: number;
  readonly to: number;
}
