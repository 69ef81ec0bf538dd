// idbpq — IndexedDB object stores to and from Apache Parquet, in the browser (page or Worker).
// The C core runs as WebAssembly (idbpq.wasm, loaded next to this module); values cross into
// it in the V8 wire format. Works with any IDBDatabase: plain IndexedDB, idb, Dexie (db.backendDB()).

export type Codec = 'snappy' | 'zstd' | 'gzip' | 'none';

/** What a Parquet file says about the store it came from (idbpq files), or what was derived. */
export interface StoreDescription {
  name: string | null;
  database: string | null;
  version: number;
  /** null: out-of-line keys; a string or an array of strings (compound key). */
  keyPath: string | string[] | null;
  autoIncrement: boolean;
  indexes: { name: string; keyPath: string | string[]; unique: boolean; multiEntry: boolean }[];
}

export interface Progress {
  phase: 'read' | 'write' | 'done';
  /** Records done so far. */
  records: number;
  /** Records in all (export: the store's count; import: the file's rows), when known. */
  total: number | null;
  /** Parquet bytes produced (export) or consumed (import) so far. */
  bytes: number;
  /** Records that went to the exact `_raw` fallback column (export, at the end). */
  fallbacks?: number;
}

export interface InitOptions {
  /** Where idbpq.wasm is, or its bytes, or a compiled module. Default: next to idbpq.js. */
  wasm?: string | URL | BufferSource | WebAssembly.Module | Response;
}

export interface ExportOptions {
  codec?: Codec;                 // default 'snappy'
  level?: number;                // codec level (zstd, gzip)
  /** Bytes of a row group held before it is written (default 64 MiB): the memory bound. */
  rowGroupBytes?: number;
  /** Top-level properties to keep (the key path's properties are always kept). */
  columns?: string[];
  /** Keep only records for which this returns true. */
  filter?: (value: any, key: IDBValidKey) => boolean;
  /** Only keys in this range. */
  range?: IDBKeyRange;
  /** true (default): one readonly transaction for the whole export — a consistent snapshot
   *  (writers wait). false: one short transaction per page (writers interleave; each page is
   *  consistent, the whole is not). */
  snapshot?: boolean;
  /** Records read per getAll page (default 1000; smaller for huge records). */
  pageSize?: number;
  /** Infer the schema from every record (reads the store twice) instead of the first
   *  rowGroupBytes of records (default false). */
  twoPass?: boolean;
  /** Type-conflicting fields as tagged-JSON strings instead of VARIANT (default false). */
  mixedAsJson?: boolean;
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export type ImportMode = 'add' | 'put' | 'replace' | 'skip-existing';

export interface ImportOptions {
  /** add: fail on an existing key; put: upsert (default); replace: clear the store first;
   *  skip-existing: keep records already there. */
  mode?: ImportMode;
  /** Create the store (and its indexes) when it does not exist, from the file's description
   *  or the key options below: a version upgrade (the db passed in is closed; use result.db). */
  createStore?: boolean;
  /** Foreign files: the store's in-line key path (the column stays in the value). */
  keyPath?: string | string[];
  /** Foreign files: a top-level column that holds the key (out-of-line; taken out of the value). */
  keyColumn?: string;
  // Foreign files with neither keyPath nor keyColumn get generated keys 1, 2, 3... (autoIncrement).
  /** Top-level properties to keep. */
  columns?: string[];
  filter?: (value: any, key: IDBValidKey | undefined) => boolean;
  /** 'single' (default): one readwrite transaction; an error or abort leaves the store as it
   *  was. 'paged': one transaction per row group (bounded transaction size; an abort keeps the
   *  row groups already committed). */
  transaction?: 'single' | 'paged';
  /** INT64 columns of foreign files: 'number' (default, BigInt past 2^53) or 'bigint'. */
  int64?: 'number' | 'bigint';
  onProgress?: (p: Progress) => void;
  signal?: AbortSignal;
}

export interface ImportResult {
  /** The connection to use from now on (a new one when the import upgraded the database). */
  db: IDBDatabase;
  records: number;       // records written
  skipped: number;       // skip-existing: records already present; filter: records left out
  store: StoreDescription;
}

export type ParquetSource = Blob | ArrayBuffer | ArrayBufferView | string | URL | ReadableStream<Uint8Array>;

export interface ParquetInfo {
  numRows: number;
  rowGroups: number;
  createdBy: string | null;
  /** true when the file carries idbpq's type map (exact round trip). */
  native: boolean;
  store: StoreDescription;
  /** Leaf columns: dotted path, physical type, logical type (or ''), codec. */
  columns: { path: string; type: string; logicalType: string; codec: string }[];
  /** The first `rows` records as IndexedDB would hold them. */
  rows: { key: IDBValidKey | undefined; value: any }[];
}

export function init(options?: InitOptions): Promise<void>;
export function exportStore(db: IDBDatabase, storeName: string, options?: ExportOptions): Promise<Blob>;
export function exportStoreStream(db: IDBDatabase, storeName: string, options?: ExportOptions): ReadableStream<Uint8Array>;
export function exportDatabase(db: IDBDatabase, options?: ExportOptions & { stores?: string[] }): Promise<{ store: string; blob: Blob }[]>;
export function importParquet(db: IDBDatabase, storeName: string, source: ParquetSource, options?: ImportOptions): Promise<ImportResult>;
export function inspectParquet(source: ParquetSource, options?: { rows?: number }): Promise<ParquetInfo>;

// ---- sync (web/sync.js, declared in sync.d.ts; docs/browser.md "Sync") ------------------------

/** Where a Delta table lives: what sync.js's adapters return, or any object of this shape. */
export interface SyncTable {
  /** A stable name: the sync state is kept per database, store and table id. */
  id: string;
  /** Files directly in dir ('' the root), paths relative to the table root. */
  list(dir: string): Promise<{ path: string; size: number; mtime?: number }[]>;
  /** null when there is no such file. */
  open(path: string): Promise<{ size: number; read(offset: number, length: number): Promise<Uint8Array>; close?(): void } | null>;
  /** A whole small file, never visible half written; ifAbsent: false when the name was taken. */
  put(path: string, bytes: Uint8Array, options?: { ifAbsent?: boolean }): Promise<boolean>;
  /** A data file, complete or not at all. */
  write(path: string, data: Blob): Promise<void>;
  /** false when it did not exist. */
  remove(path: string): Promise<boolean>;
}

/** A key changed on both sides since the last sync. */
export interface SyncConflict {
  key: IDBValidKey;
  local: any;                    // undefined when localDeleted
  table: any;                    // undefined when tableDeleted
  localDeleted: boolean;
  tableDeleted: boolean;
  /** The table version that last changed the key. */
  tableVersion: number;
}

/** 'local' or 'table' picks a side; anything else is a merged value both sides take. */
export type SyncResolver = (conflict: SyncConflict) => 'local' | 'table' | any | Promise<'local' | 'table' | any>;
export type SyncPolicy = 'prefer-local' | 'prefer-table' | { newest: string } | SyncResolver;

export interface SyncOptions {
  /** Default 'prefer-table'. { newest: 'updatedAt' }: the larger Date, number or ISO string at
   *  that (dotted) path wins; a delete or a missing field loses; a tie goes to the table. */
  policy?: SyncPolicy;
  direction?: 'both' | 'push' | 'pull';   // default 'both'
  /** Report what would move; write nothing (store, table, state). */
  dryRun?: boolean;
  onProgress?: (p: { phase: string; done: number; total: number }) => void;
  /** Rejects with AbortError; the table is left as it was. */
  signal?: AbortSignal;
  /** The IndexedDB database holding sync state and the conflict log. Default 'idbpq-sync'. */
  stateDb?: string;
  codec?: Codec;                 // data files; default 'snappy'
  level?: number;
  /** A checkpoint every N versions (default 10). */
  checkpointInterval?: number;
  /** Data file size aimed at (default 64 MiB). */
  targetFileBytes?: number;
  /** Commit attempts when other writers keep winning (default 20). */
  maxAttempts?: number;
  /** Tables idbpq did not write: the column holding the key. */
  keyColumn?: string;
  /** Where idbpq_sync.wasm is (default: next to sync.js). */
  wasm?: string | URL | BufferSource | WebAssembly.Module | Response;
}

/** One decision, as in result.conflicts and in the conflict log. */
export interface SyncDecision {
  key: IDBValidKey;
  winner: 'local' | 'table' | 'merged';
  tableVersion: number;
  /** The engine's own record of the decision (policy, reason...). */
  decision: any;
  /** ms since the epoch. */
  at: number;
  /** In the conflict log: which store and table. */
  database?: string;
  store?: string;
  table?: string;
}

export interface SyncResult {
  /** The table version of the previous sync (-1: none) and the one read now. */
  fromVersion: number;
  toVersion: number;
  /** The version this sync committed; null when it had nothing to push (or dryRun). */
  committedVersion: number | null;
  pulled: { upserts: number; deletes: number };
  pushed: { inserts: number; updates: number; deletes: number };
  conflicts: SyncDecision[];
  conflictCounts: { total: number; local: number; table: number; merged: number };
  /** Store records compared. */
  scanned: number;
  filesAdded: number;
  filesRemoved: number;
  cdcFiles: number;
  /** Data, change data and log bytes written to the table. */
  bytesWritten: number;
  /** Commit attempts (more than 1 when another writer won a race). */
  attempts: number;
  dryRun: boolean;
}

export interface TableInfo {
  version: number;
  checkpointVersion: number;
  minReaderVersion: number;
  minWriterVersion: number;
  readerFeatures: string[];
  writerFeatures: string[];
  id: string;
  name: string | null;
  description: string | null;
  schemaString: string | null;
  partitionColumns: string[];
  configuration: Record<string, string | null>;
  createdTime: number;
  changeDataFeed: boolean;
  columnMapping: string;
  numFiles: number;
  bytes: number;
  /** -1 when a file has no statistics. */
  records: number;
  /** The store the table was written from (tables idbpq wrote), else null. */
  store: StoreDescription | null;
  files: { path: string; size: number; modificationTime: number; numRecords: number; tags: Record<string, string | null>; deletionVector: boolean; stats: string | null }[];
  rows: { key: any; value: any }[];
}
