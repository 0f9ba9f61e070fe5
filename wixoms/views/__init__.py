"""Blueprints, one module per thing the user does."""

from wixoms.views import (
    auth,
    carriers,
    channels,
    hooks,
    inventory,
    main,
    orders,
    products,
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
    wizard.bp,
    hooks.bp,
]
