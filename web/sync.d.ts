// sync — incremental two-way sync between an IndexedDB store and a Delta Lake table
// (docs/browser.md, "Sync"). Needs JavaScript Promise Integration (Chromium 137+). The types
// are in idbpq.d.ts.
import type { SyncTable, SyncOptions, SyncResult, SyncDecision, TableInfo } from './idbpq.js';

export type { SyncTable, SyncOptions, SyncResult, SyncDecision, TableInfo } from './idbpq.js';

/** Loads idbpq_sync.wasm once (every other function calls it). */
export function initSync(options?: { wasm?: SyncOptions['wasm'] }): Promise<WebAssembly.Module>;
export function syncStore(db: IDBDatabase, storeName: string, table: SyncTable, options?: SyncOptions): Promise<SyncResult>;
export function readConflictLog(options?: { stateDb?: string; db?: IDBDatabase | string; store?: string; table?: SyncTable | string }): Promise<SyncDecision[]>;
export function inspectTable(table: SyncTable, options?: { rows?: number; version?: number; keyColumn?: string; wasm?: SyncOptions['wasm'] }): Promise<TableInfo | null>;

/** A table in the origin private file system: a path under its root, or a directory handle. */
export function opfsTable(dirHandleOrPath: FileSystemDirectoryHandle | string, options?: { id?: string }): SyncTable;
/** A table in a directory the user picked (readwrite permission granted). */
export function directoryTable(handle: FileSystemDirectoryHandle, options?: { id?: string }): SyncTable;
/** A table under an S3-style HTTP object store (path-style URL unless bucket is given). */
export function httpTable(baseUrl: string | URL, options?: { headers?: Record<string, string>; fetch?: typeof fetch; bucket?: string | URL; id?: string }): SyncTable;
/** The imports idbpq_sync.wasm expects (for the build's import check). */
export const SYNC_IMPORTS: readonly string[];
