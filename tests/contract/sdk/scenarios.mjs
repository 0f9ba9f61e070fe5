// Wix's official SDK talking to the sandbox, as an app on real Wix would.
// Input (file named by argv[2]): the world the Python side prepared (see test_official_sdk.py).
// Output: {"checks": [{"name", "ok", "detail"}]}: one entry per behaviour, never thrown.
import { createClient, AppStrategy } from '@wix/sdk';
import { loadModules, print, readInput, wrapFetch } from './lib.mjs';

const world = readInput();
const modules = loadModules();
const fetchToSandbox = wrapFetch({ base: world.base });
const checks = [];

async function check(name, fn) {
  try {
    const detail = await fn();
    checks.push({ name, ok: true, detail: detail ?? '' });
  } catch (error) {
    checks.push({ name, ok: false, detail: String(error && error.stack ? error.stack : error) });
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

const app = world.oauth;
const clientFor = (instanceId) => createClient({
  auth: AppStrategy({ appId: app.appId, appSecret: app.appSecret, instanceId, publicKey: app.publicKey }),
  modules,
});
const v3 = clientFor(app.instanceV3);
const v1 = clientFor(app.instanceV1);

await check('auth: client credentials (AppStrategy with instanceId)', async () => {
  const headers = await v3.auth.getAuthHeaders();
  expect(headers.headers.Authorization, 'no access token');
  const sent = fetchToSandbox.sent.filter((r) => r.url.endsWith('/oauth2/token'));
  expect(sent.length === 1, `expected one token call, saw ${sent.length}`);
});

await check('auth: legacy code exchange and refresh (AppStrategy)', async () => {
  const { appId, appSecret, code, instanceId } = world.legacy;
  const strategy = AppStrategy({ appId, appSecret });
  const tokens = await strategy.handleOAuthCallback(
    `https://app.example/callback?code=${code}&instanceId=${instanceId}&state=s1`,
    { state: 's1' },
  );
  expect(tokens.refreshToken && tokens.accessToken, 'no tokens from the code');
  const refreshed = createClient({ auth: AppStrategy({ appId, appSecret, refreshToken: tokens.refreshToken }), modules });
  const { instance } = await refreshed.appInstances.getAppInstance();
  expect(instance.instanceId === instanceId, 'refreshed token speaks for another instance');
});

await check('appInstances.getAppInstance', async () => {
  const { instance, site } = await v3.appInstances.getAppInstance();
  expect(instance.instanceId === app.instanceV3, 'wrong instance');
  expect(site.siteId === world.siteV3, 'wrong site');
  return `site ${site.siteDisplayName}`;
});

await check('catalogVersioning.getCatalogVersion', async () => {
  const a = await v3.catalogVersioning.getCatalogVersion();
  const b = await v1.catalogVersioning.getCatalogVersion();
  expect(a.catalogVersion === 'V3_CATALOG' && b.catalogVersion === 'V1_CATALOG',
    `got ${a.catalogVersion} / ${b.catalogVersion}`);
});

await check('orders.searchOrders with cursor paging', async () => {
  const first = await v3.orders.searchOrders({ cursorPaging: { limit: 2 } });
  const seen = first.orders.map((o) => o._id);
  let cursor = first.metadata.cursors.next;
  while (cursor) {
    const next = await v3.orders.searchOrders({ cursorPaging: { limit: 2, cursor } });
    seen.push(...next.orders.map((o) => o._id));
    cursor = next.metadata.hasNext ? next.metadata.cursors.next : null;
  }
  expect(seen.length === world.orders.approved.length, `saw ${seen.length} orders`);
  expect(!seen.includes(world.orders.pending), 'PENDING came back without asking for it');
  const asked = await v3.orders.searchOrders({ filter: { status: { $in: ['PENDING'] } } });
  expect(asked.orders.map((o) => o._id).includes(world.orders.pending), 'PENDING not found when asked for');
  return `${seen.length} orders over ${Math.ceil(seen.length / 2)} pages`;
});

await check('orders.getOrder', async () => {
  const order = await v3.orders.getOrder(world.orders.approved[0]);
  expect(order._id === world.orders.approved[0] && order.lineItems.length, 'wrong order');
});

await check('fulfillments: create and list', async () => {
  const order = await v3.orders.getOrder(world.orders.approved[1]);
  const made = await v3.fulfillments.createFulfillment(order._id, {
    lineItems: [{ _id: order.lineItems[0]._id, quantity: 1 }],
    trackingInfo: { trackingNumber: 'SDK-1', shippingProvider: 'canadaPost' },
  });
  expect(made.fulfillmentId, 'no fulfillment id');
  const listed = await v3.fulfillments.listFulfillmentsForSingleOrder(order._id);
  const found = listed.orderWithFulfillments.fulfillments.find((f) => f._id === made.fulfillmentId);
  expect(found && found.trackingInfo.trackingLink, 'canadaPost got no tracking link');
});

await check('v1: queryProducts (GET query-platformized ?.r=)', async () => {
  const { items } = await v1.productsV1.queryProducts().limit(50).find();
  expect(items.length === world.v1.visibleProducts, `saw ${items.length} products`);
  const sent = fetchToSandbox.sent.filter((r) => r.url.includes('/query-platformized'));
  expect(sent.length && sent[0].method === 'GET' && sent[0].url.includes('.r='), 'not a GET .r query');
});

await check('v1: updateProduct (PATCH)', async () => {
  const { product } = await v1.productsV1.updateProduct(world.v1.productId, { name: 'Renamed by the SDK' });
  expect(product.name === 'Renamed by the SDK', 'name not changed');
});

await check('v1: incrementInventory and decrementInventory', async () => {
  const { productId, variantId } = world.v1;
  await v1.inventoryV1.incrementInventory([{ productId, variantId, incrementBy: 5 }]);
  await v1.inventoryV1.decrementInventory([{ productId, variantId, decrementBy: 7 }]);
  const { product } = await v1.productsV1.getProduct(productId);
  const variant = product.variants.find((v) => v._id === variantId);
  const expected = world.v1.quantity + 5 - 7;
  expect(variant.stock.quantity === expected, `quantity ${variant.stock.quantity}, expected ${expected}`);
});

await check('v3: queryProducts (GET ?.r=) and getProduct with choice names', async () => {
  const { items } = await v3.productsV3.queryProducts().limit(100).find();
  expect(items.length === world.v3.products, `saw ${items.length} products`);
  const plain = await v3.productsV3.getProduct(world.v3.productId);
  const named = await v3.productsV3.getProduct(world.v3.productId, { fields: ['VARIANT_OPTION_CHOICE_NAMES'] });
  const choice = (p) => p.variantsInfo.variants[0].choices[0];
  expect(!choice(plain).optionChoiceNames, 'names without asking for them');
  expect(choice(named).optionChoiceNames.optionName === 'Size', 'no names when asked');
});

let created;
await check('v3: createProductWithInventory and updateProduct', async () => {
  ({ product: created } = await v3.productsV3.createProductWithInventory({
    name: 'SDK Hoodie', productType: 'PHYSICAL', physicalProperties: {},
    options: [{ name: 'Size', optionRenderType: 'TEXT_CHOICES',
      choicesSettings: { choices: [{ choiceType: 'CHOICE_TEXT', name: 'S' }, { choiceType: 'CHOICE_TEXT', name: 'M' }] } }],
    variantsInfo: { variants: ['S', 'M'].map((size) => ({
      sku: `SDK-HD-${size}`, physicalProperties: {}, price: { actualPrice: { amount: '49.00' } },
      choices: [{ optionChoiceNames: { optionName: 'Size', choiceName: size, renderType: 'TEXT_CHOICES' } }],
      inventoryItem: { quantity: 4 },
    })) },
  }, { fields: ['VARIANT_OPTION_CHOICE_NAMES'] }));
  const variants = created.variantsInfo.variants.map((v) => ({ ...v, visible: v.sku !== 'SDK-HD-M' }));
  const product = await v3.productsV3.updateProduct(created._id, {
    revision: created.revision, name: 'SDK Hoodie 2', variantsInfo: { variants },
  });
  expect(product.name === 'SDK Hoodie 2' && Number(product.revision) === Number(created.revision) + 1, 'not updated');
  const ids = product.variantsInfo.variants.map((v) => v._id).sort();
  expect(JSON.stringify(ids) === JSON.stringify(created.variantsInfo.variants.map((v) => v._id).sort()),
    'variant ids changed although they were sent');
});

await check('v3: queryStoresLocations (POST): the default and an added one; none on V1', async () => {
  const { items } = await v3.storesLocationsV3.queryStoresLocations().limit(100).find();
  const ids = items.map((l) => l._id);
  expect(items.length === 2 && items.filter((l) => l.defaultLocation).length === 1, `saw ${items.length}`);
  expect(world.v3.locations.every((id) => ids.includes(id)), 'the added location is missing');
  const sent = fetchToSandbox.sent.filter((r) => r.url.includes('/stores/v3/locations/query'));
  expect(sent.length && sent[0].method === 'POST', 'not a POST query');
  const { items: onV1 } = await v1.storesLocationsV3.queryStoresLocations().find().catch((e) => ({ items: e }));
  expect(!Array.isArray(onV1), 'a V1 site answered with locations');
});

await check('v3: queryInventoryItems and bulkUpdateInventoryItems', async () => {
  const { items } = await v3.inventoryItemsV3.queryInventoryItems().in('productId', [created._id]).find();
  expect(items.length === 2 && items.every((i) => i.quantity === 4), 'inventory not made with the product');
  const result = await v3.inventoryItemsV3.bulkUpdateInventoryItems(
    items.map((i) => ({ inventoryItem: { _id: i._id, revision: i.revision, quantity: -3 } })),
    { returnEntity: true, reason: 'MANUAL' },
  );
  expect(result.results.every((r) => r.itemMetadata.success && r.item.quantity === -3),
    'negative quantities refused');
});

await check('webhooks.process: order_created JWT', async () => {
  const event = await v3.webhooks.process(world.webhooks.orderCreated);
  expect(event.eventType === 'wix.ecom.v1.order_created', `eventType ${event.eventType}`);
  expect(event.instanceId === app.instanceV3, 'wrong instance');
  expect(event.payload.createdEvent.entity.id === world.webhooks.orderId, 'wrong order');
});

await check('webhooks.process: AppRemoved carries appId', async () => {
  const event = await v3.webhooks.process(world.webhooks.appRemoved);
  expect(event.eventType === 'AppRemoved', `eventType ${event.eventType}`);
  expect(event.payload.appId === app.appId, `payload ${JSON.stringify(event.payload)}`);
});

fetchToSandbox.restore();
print({ checks });
