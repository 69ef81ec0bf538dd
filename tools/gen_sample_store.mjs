// gen_sample_store.mjs — writes samples/store.jsonl: 400 records of a chat app's "messages"
// store as tagged JSON lines ({"key":…,"value":…}, docs/tagged-json.md), the shapes real stores
// have: optional and late properties, null vs missing, Dates, nested objects, arrays of
// objects, Sets, Maps, binary thumbnails, a field whose type varies by message kind, and a few
// values no column can hold (a RegExp filter, a shared reference). Deterministic (seeded).
// Run: node tools/gen_sample_store.mjs > samples/store.jsonl
let s = 42;
const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
const pick = (a) => a[Math.floor(rnd() * a.length)];
const users = ['ana', 'bo', 'chen', 'dara', 'eli', 'fatima', 'gus'];
const words = ['hello', 'ship it', 'lunch?', 'see PR #42', 'ok', 'meeting moved', '👍', 'naïve café'];
const b64 = (n) => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256))).toString('base64');
const out = [];
const t0 = 1767225600000; // 2026-01-01
for (let i = 1; i <= 400; i++) {
  const kind = i % 17 === 0 ? 'system' : i % 5 === 0 ? 'image' : 'text';
  const v = { id: i, channel: pick(['general', 'random', 'dev']), kind,
              author: { id: 1 + Math.floor(rnd() * 7), name: pick(users) },
              sentAt: { $date: t0 + i * 61000 + Math.floor(rnd() * 1000) } };
  if (kind === 'text') v.text = pick(words);
  if (kind === 'image') v.image = { width: 640, height: 480, thumb: { $binary: b64(12), $type: 'Uint8Array' } };
  // `payload` differs by kind: a number, a string or an object (a VARIANT column)
  v.payload = kind === 'system' ? { event: 'join', user: pick(users) } : kind === 'image' ? 'image/png' : Math.floor(rnd() * 100);
  if (rnd() < 0.3) v.editedAt = rnd() < 0.5 ? null : { $date: t0 + i * 61000 + 5000 };
  if (rnd() < 0.4) v.reactions = { $map: [[pick(['👍', '🎉', '❤️']), 1 + Math.floor(rnd() * 3)]] };
  v.tags = { $set: rnd() < 0.5 ? [] : [pick(['urgent', 'todo', 'fyi'])] };
  v.score = Math.round(rnd() * 1000) / 100;
  if (i > 300) v.threadId = 1 + Math.floor(rnd() * 20); // a property that appears late
  if (i === 123) v.filter = { $regexp: 'ship.*', $flags: 'i' };
  if (i === 250) v.quote = { $ref: 1 }; // object 1 of the value is its author: one object, twice
  out.push(JSON.stringify({ key: i, value: v }));
}
process.stdout.write(out.join('\n') + '\n');
