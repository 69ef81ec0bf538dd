// duckdb-worker.js — DuckDB-Wasm's own worker (the eh bundle, served from bench/node_modules),
// with wasm-memory.js loaded first so that the page can ask for the size of DuckDB's wasm
// memory over a BroadcastChannel (DuckDB's own message protocol is left alone).
'use strict';
importScripts('/browser/wasm-memory.js');
const benchChannel = new BroadcastChannel('bench-wasm-memory');
benchChannel.onmessage = (e) => { if (e.data === 'query') benchChannel.postMessage({ bytes: self.benchWasmBytes() }); };
importScripts('/nm/@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js');
