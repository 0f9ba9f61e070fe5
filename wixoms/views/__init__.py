"""Blueprints, one module per thing the user does."""

from wixoms.views import (
    auth,
    carriers,
    channels,
    hooks,
    inventory,
    main,
    mappings,
    orders,
    products,
    sync,
    warehouses,
    wizard,
)

BLUEPRINTS = [
    auth.bp,
    main.bp,
    products.bp,
    warehouses.bp,
    inventory.bp,
    carriers.bp,
    orders.bp,
    channels.bp,
    mappings.bp,
    wizard.bp,
    hooks.bp,
    sync.bp,
]
