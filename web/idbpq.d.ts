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
