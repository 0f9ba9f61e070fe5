// Shared by the contract scripts: Wix's official SDK, its fetch aimed at the sandbox, and the
// normalised shape of a request (method, path, query keys, body keys).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

export const require = createRequire(import.meta.url);
export const WIX_API = 'https://www.wixapis.com';

// The SDK modules wixoms's client mirrors, by the names the contract uses.
export const MODULES = {
  appInstances: '@wix/auto_sdk_app-management_app-instances',
  biEvents: '@wix/auto_sdk_app-management_bi-events',
  catalogVersioning: '@wix/auto_sdk_stores_catalog-versioning',
  productsV1: '@wix/auto_sdk_stores_products',
  inventoryV1: '@wix/auto_sdk_stores_inventory',
  productsV3: '@wix/auto_sdk_stores_products-v-3',
  inventoryItemsV3: '@wix/auto_sdk_stores_inventory-items-v-3',
  orders: '@wix/auto_sdk_ecom_orders',
  fulfillments: '@wix/auto_sdk_ecom_order-fulfillments',
  storesLocationsV3: '@wix/auto_sdk_stores_stores-locations-v-3',
};

export function loadModules() {
  return Object.fromEntries(Object.entries(MODULES).map(([k, pkg]) => [k, require(pkg)]));
}

export function loadMeta(name) {
  return require(`${MODULES[name]}/meta`);
}

export function packageVersion(pkg) {
  return require(`${pkg}/package.json`).version;
}

export function readInput() {
  return JSON.parse(readFileSync(process.argv[2], 'utf8'));
}

// globalThis.fetch, wrapped: https://www.wixapis.com/... goes to `base` (the sandbox, over
// http); every request the SDK makes is recorded. With `answer` set, nothing is sent: the
// request is only recorded and answered with that JSON (the request-shape comparison).
export function wrapFetch({ base = null, answer = null } = {}) {
  const realFetch = globalThis.fetch;
  const sent = [];
  globalThis.fetch = async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const method = (init.method || (input instanceof Request ? input.method : 'GET')).toUpperCase();
    const body = init.body === undefined || init.body === null ? null : String(init.body);
    sent.push({ url, method, body });
    if (answer !== null) {
      return new Response(JSON.stringify(answer), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    }
    const target = base && url.startsWith(WIX_API) ? base + url.slice(WIX_API.length) : url;
    return realFetch(target, init);
  };
  return { sent, restore: () => { globalThis.fetch = realFetch; } };
}

// Dotted key paths of a JSON value; list items as `[]` (values are not compared).
export function keyPaths(value, prefix = '') {
  if (Array.isArray(value)) {
    const inner = value.flatMap((v) => keyPaths(v, `${prefix}[]`));
    return inner.length ? inner : [prefix];
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (!entries.length) return prefix ? [prefix] : [];
    return entries.flatMap(([k, v]) => keyPaths(v, prefix ? `${prefix}.${k}` : k));
  }
  return prefix ? [prefix] : [];
}

const uniqueSorted = (items) => [...new Set(items)].sort();

// What a request is made of, the same way for wixoms's requests and the SDK's:
// method, path, the names of its query parameters (a `.r` query spelled out as `.r:` + the
// key paths of its decoded JSON) and the key paths of its JSON body.
export function shapeOf({ url, method, body }) {
  const u = new URL(url);
  const query = [];
  for (const key of new Set(u.searchParams.keys())) {
    if (key === '.r') {
      const decoded = JSON.parse(Buffer.from(u.searchParams.get('.r'), 'base64url').toString());
      query.push(...keyPaths(decoded).map((k) => `.r:${k}`));
    } else {
      query.push(key);
    }
  }
  let bodyKeys = [];
  if (body) bodyKeys = keyPaths(JSON.parse(body));
  return { method, path: u.pathname, query: uniqueSorted(query), body: uniqueSorted(bodyKeys) };
}

export function print(result) {
  process.stdout.write(JSON.stringify(result));
}
