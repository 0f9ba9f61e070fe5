"""Blueprints, one module per thing the user does."""

from wixoms.views import (
    auth,
    carriers,
    channel_permissions,
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
    wizard_custom_app,
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
    channel_permissions.bp,
    mappings.bp,
    wizard.bp,
    wizard_custom_app.bp,
    hooks.bp,
    sync.bp,
]
