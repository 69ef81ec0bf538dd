// data.js — the benchmark's records, generated from a seed (the same records in every launch and
// every run). An app-like user record of 12-13 fields:
//   id       in-line key, 1..N                 age, visits   integers
//   name     "First Last"                      score         2-decimal number (an integer now and then)
//   email    first.last123@domain              rating        float in [0, 5)
//   level    one of 4 short strings            created       Date (5 years from 2020-01-01)
//   active   boolean                           tags          2-5 short strings
//   address  {city, zip}                       phone         absent in 25 %, null in 5 %
// Bump GEN_VERSION whenever the records change: the cached filled profiles are keyed by it.
export const GEN_VERSION = 1;
export const SEED = 20240917;

const FIRST = ['Ana', 'Ben', 'Chloé', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hiro', 'Ines', 'Jonas',
  'Kofi', 'Lena', 'Mateo', 'Nadia', 'Omar', 'Priya', 'Quinn', 'Rosa', 'Sven', 'Tariq', 'Uma',
  'Viktor', 'Wen', 'Ximena', 'Yusuf', 'Zoë', 'Aiko', 'Bruno', 'Carmen', 'Diego', 'Emma', 'Felix'];
const LAST = ['Smith', 'García', 'Müller', 'Rossi', 'Kowalski', 'Nguyen', 'Okafor', 'Tanaka',
  'Johansson', 'Dubois', 'Silva', 'Kim', 'Patel', 'Ivanova', 'Cohen', 'Hansen', 'Moreau', 'Lopez',
  'Novak', 'Ahmed', 'Fischer', 'Costa', 'Yilmaz', 'Brown'];
const DOMAINS = ['example.com', 'mail.test', 'corp.example', 'inbox.dev', 'webmail.org'];
const CITIES = ['Lisbon', 'Berlin', 'Osaka', 'Lagos', 'Lima', 'Toronto', 'Oslo', 'Pune', 'Austin',
  'Lyon', 'Kraków', 'Seoul', 'Nairobi', 'Porto', 'Dublin', 'Quito', 'Hanoi', 'Perth', 'Tbilisi',
  'Montréal', 'Bergen', 'Cork', 'Malmö', 'Turin'];
const TAGS = ['new', 'vip', 'beta', 'trial', 'churn-risk', 'newsletter', 'mobile', 'desktop',
  'eu', 'us', 'apac', 'referral', 'partner', 'edu', 'nonprofit', 'annual', 'monthly', 'support',
  'sales', 'import', 'api', 'sso', 'admin', 'guest'];
const LEVELS = ['free', 'basic', 'pro', 'enterprise'];
const T0 = Date.UTC(2020, 0, 1);
const SPAN = 5 * 365 * 86400000;

// mulberry32: small, fast, and the same in every engine.
export function rng(seed) {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Record i (0-based) of the stream R; records must be made in order 0, 1, 2... from one R.
export function record(R, i) {
  const pick = (a) => a[(R() * a.length) | 0];
  const first = pick(FIRST), last = pick(LAST);
  const ntags = 2 + ((R() * 4) | 0);
  const tags = [];
  for (let k = 0; k < ntags; k++) tags.push(pick(TAGS));
  const r = {
    id: i + 1,
    name: first + ' ' + last,
    email: (first + '.' + last + ((R() * 1000) | 0) + '@' + pick(DOMAINS)).toLowerCase(),
    age: 18 + ((R() * 70) | 0),
    visits: Math.floor(-Math.log(1 - R()) * 40),
    score: Math.round(R() * 100000) / 100,
    rating: R() * 5,
    level: pick(LEVELS),
    created: new Date(T0 + Math.floor(R() * SPAN)),
    active: R() < 0.7,
    tags,
    address: { city: pick(CITIES), zip: String(10000 + ((R() * 89999) | 0)) },
  };
  const p = R();
  if (p < 0.05) r.phone = null;
  else if (p >= 0.3) r.phone = '+1-555-' + String((R() * 10000) | 0).padStart(4, '0');
  return r;
}

// Records [0, n) as an array.
export function records(n, seed = SEED) {
  const R = rng(seed);
  const out = new Array(n);
  for (let i = 0; i < n; i++) out[i] = record(R, i);
  return out;
}
