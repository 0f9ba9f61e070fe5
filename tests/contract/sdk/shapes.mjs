// For each request wixoms sent, what Wix's official SDK sends for the same input.
// Input (file named by argv[2]): {"requests": [{"op", "method", "url", "body"}]}.
// Output: {"results": [{"op", "wixoms", "sdk", "meta", "checkedBy", "error"}], "versions"}.
// The SDK runs with a recording fetch that sends nothing: only its request is wanted.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createClient, AppStrategy } from '@wix/sdk';
import {
  MODULES, loadMeta, loadModules, packageVersion, print, readInput, require, shapeOf, wrapFetch,
} from './lib.mjs';

const modules = loadModules();
const noAuth = { getAuthHeaders: async () => ({ headers: { Authorization: 'contract' } }) };
const client = createClient({ auth: noAuth, modules });

const segment = (path, i) => decodeURIComponent(path.split('/').filter(Boolean)[i]);
// A query's payload: the `.r` parameter as the SDK sends it, else the JSON body (§6/§7 form).
const decodeR = (u, b) => (u.searchParams.get('.r')
  ? JSON.parse(Buffer.from(u.searchParams.get('.r'), 'base64url').toString()) : b);
const defined = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
const without = (o, key) => { const c = { ...o }; delete c[key]; return c; };

// op → [SDK module or null, meta function or null, call(request, url, body)]
const OPS = {
  'auth.clientCredentials': [null, null, (u, b) => createClient({
    auth: AppStrategy({ appId: b.client_id, appSecret: b.client_secret, instanceId: b.instance_id }),
    modules: {},
  }).auth.getAuthHeaders()],
  'auth.codeExchange': [null, null, (u, b) => AppStrategy({
    appId: b.client_id, appSecret: b.client_secret,
  }).handleOAuthCallback(`https://app.example/cb?code=${b.code}&instanceId=contract`)],
  'auth.refresh': [null, null, (u, b) => AppStrategy({
    appId: b.client_id, appSecret: b.client_secret, refreshToken: b.refresh_token,
  }).getAuthHeaders()],
  'appInstances.getAppInstance': ['appInstances', 'getAppInstance',
    () => client.appInstances.getAppInstance()],
  'biEvents.sendBiEvent': ['biEvents', 'sendBiEvent', (u, b) => client.biEvents.sendBiEvent(b)],
  'catalogVersioning.getCatalogVersion': ['catalogVersioning', 'getCatalogVersion',
    () => client.catalogVersioning.getCatalogVersion()],
  'productsV1.getProduct': ['productsV1', 'getProduct',
    (u) => client.productsV1.getProduct(segment(u.pathname, 3))],
  'productsV1.createProduct': ['productsV1', 'createProduct',
    (u, b) => client.productsV1.createProduct(b.product)],
  'productsV1.updateProduct': ['productsV1', 'updateProduct',
    (u, b) => client.productsV1.updateProduct(segment(u.pathname, 3), without(b.product, 'id'))],
  'productsV1.updateProductVariants': ['productsV1', 'updateProductVariants',
    (u, b) => client.productsV1.updateProductVariants(segment(u.pathname, 3), b.variants)],
  'productsV1.deleteProduct': ['productsV1', 'deleteProduct',
    (u) => client.productsV1.deleteProduct(segment(u.pathname, 3))],
  'inventoryV1.updateInventoryVariants': ['inventoryV1', 'updateInventoryVariants',
    (u, b) => client.inventoryV1.updateInventoryVariants(
      segment(u.pathname, 4), without(b.inventoryItem, 'productId'))],
  'inventoryV1.incrementInventory': ['inventoryV1', 'incrementInventory',
    (u, b) => client.inventoryV1.incrementInventory(b.incrementData)],
  'inventoryV1.decrementInventory': ['inventoryV1', 'decrementInventory',
    (u, b) => client.inventoryV1.decrementInventory(b.decrementData)],
  'productsV3.queryProducts': ['productsV3', 'queryProducts', (u, b) => {
    const r = decodeR(u, b);
    return client.productsV3.queryProducts(r.query, defined({ fields: r.fields }));
  }],
  'productsV3.getProduct': ['productsV3', 'getProduct', (u) => client.productsV3.getProduct(
    segment(u.pathname, 3), defined({ fields: u.searchParams.getAll('fields') }))],
  'productsV3.createProductWithInventory': ['productsV3', 'createProductWithInventory',
    (u, b) => client.productsV3.createProductWithInventory(
      b.product, defined({ returnEntity: b.returnEntity, fields: b.fields }))],
  'productsV3.updateProduct': ['productsV3', 'updateProduct',
    (u, b) => client.productsV3.updateProduct(
      segment(u.pathname, 3), without(b.product, 'id'), defined({ fields: b.fields }))],
  'productsV3.deleteProduct': ['productsV3', 'deleteProduct',
    (u) => client.productsV3.deleteProduct(segment(u.pathname, 3))],
  'inventoryItemsV3.queryInventoryItems': ['inventoryItemsV3', 'queryInventoryItems',
    (u, b) => client.inventoryItemsV3.queryInventoryItems(decodeR(u, b).query)],
  'inventoryItemsV3.bulkUpdateInventoryItems': ['inventoryItemsV3', 'bulkUpdateInventoryItems',
    (u, b) => client.inventoryItemsV3.bulkUpdateInventoryItems(
      b.inventoryItems, defined({ returnEntity: b.returnEntity, reason: b.reason }))],
  'inventoryItemsV3.bulkCreateInventoryItems': ['inventoryItemsV3', 'bulkCreateInventoryItems',
    (u, b) => client.inventoryItemsV3.bulkCreateInventoryItems(
      b.inventoryItems, defined({ returnEntity: b.returnEntity }))],
  'orders.searchOrders': ['orders', 'searchOrders', (u, b) => client.orders.searchOrders(b.search)],
  'orders.getOrder': ['orders', 'getOrder', (u) => client.orders.getOrder(segment(u.pathname, 3))],
  'fulfillments.createFulfillment': ['fulfillments', 'createFulfillment',
    (u, b) => client.fulfillments.createFulfillment(segment(u.pathname, 4), b.fulfillment)],
  'fulfillments.listFulfillmentsForSingleOrder': ['fulfillments', 'listFulfillmentsForSingleOrder',
    (u) => client.fulfillments.listFulfillmentsForSingleOrder(segment(u.pathname, 4))],
  'storesLocationsV3.queryStoresLocations': ['storesLocationsV3', 'queryStoresLocations',
    (u, b) => client.storesLocationsV3.queryStoresLocations(b.query)],
};

// Operations the SDK has a request type for but no request builder: the key paths wixoms
// sends must exist in that type (read from the package's index.typings.d.ts).
const TYPED_ONLY = {
  'productsV1.queryProducts': ['productsV1', 'QueryProductsRequest', 'POST',
    '/stores/v1/products/query'],
};

function interfaces(pkg) {
  const root = dirname(require.resolve(`${pkg}/package.json`));
  const path = join(root, 'build/cjs/index.typings.d.ts');
  const text = readFileSync(path, 'utf8');
  const found = {};
  for (const m of text.matchAll(/^interface (\w+)(?: extends ([\w, ]+))? \{\n([\s\S]*?)^\}/gm)) {
    const fields = {};
    for (const f of m[3].matchAll(/^ {4}(\w+)\??: ([^;]+);/gm)) fields[f[1]] = f[2];
    found[m[1]] = { fields, parents: (m[2] || '').split(',').map((s) => s.trim()).filter(Boolean) };
  }
  return found;
}

function typedKeyPaths(types, name, prefix = '', depth = 0) {
  const type = types[name];
  if (!type || depth > 6) return [];
  const out = [];
  for (const parent of type.parents) out.push(...typedKeyPaths(types, parent, prefix, depth));
  for (const [field, spec] of Object.entries(type.fields)) {
    const path = prefix ? `${prefix}.${field}` : field;
    const isList = /\[\]/.test(spec);
    const inner = spec.replace(/\[\]|\| null|\| undefined/g, '').trim();
    const nested = typedKeyPaths(types, inner, isList ? `${path}[]` : path, depth + 1);
    out.push(isList && !nested.length ? `${path}[]` : path, ...nested);
  }
  return out;
}

async function sdkShape(op, request) {
  const [module, metaFn, call] = OPS[op];
  const url = new URL(request.url);
  const body = request.body ? JSON.parse(request.body) : {};
  const capture = wrapFetch({ answer: {} });
  try {
    await call(url, body).catch((error) => {
      if (!capture.sent.length) throw error; // answers are canned: only the request matters
    });
  } finally {
    capture.restore();
  }
  const sdkRequest = capture.sent[capture.sent.length - 1];
  let meta = null;
  if (module) {
    const m = loadMeta(module)[metaFn]();
    meta = { method: m.httpMethod, path: m.getUrl({ host: 'www.wixapis.com' }) };
  }
  return { sdk: shapeOf(sdkRequest), meta, checkedBy: module ? 'request-builder' : 'AppStrategy' };
}

function typedShape(op, request) {
  const [module, typeName, method, path] = TYPED_ONLY[op];
  const allowed = new Set(typedKeyPaths(interfaces(MODULES[module]), typeName));
  const wixoms = shapeOf(request);
  const unknown = wixoms.body.filter((k) => !allowed.has(k));
  return {
    sdk: { method, path, query: wixoms.query, body: wixoms.body.filter((k) => allowed.has(k)) },
    meta: { method, path, typedFields: [...allowed].sort() },
    checkedBy: `typings:${typeName}`,
    unknownKeys: unknown,
  };
}

const { requests } = readInput();
const results = [];
for (const request of requests) {
  const entry = { op: request.op, wixoms: shapeOf(request) };
  try {
    if (OPS[request.op]) Object.assign(entry, await sdkShape(request.op, request));
    else if (TYPED_ONLY[request.op]) Object.assign(entry, typedShape(request.op, request));
    else entry.error = 'no official SDK operation mapped';
  } catch (error) {
    entry.error = String(error && error.message ? error.message : error);
  }
  results.push(entry);
}
const versions = Object.fromEntries(
  ['@wix/sdk', ...Object.values(MODULES)].map((pkg) => [pkg, packageVersion(pkg)]),
);
print({ results, versions, mapped: [...Object.keys(OPS), ...Object.keys(TYPED_ONLY)] });
