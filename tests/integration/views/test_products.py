"""Products and variants: list with search, create, edit, validation, roles."""

from html import unescape

import pytest

from tests.integration.views.builders import add_level, add_product, add_warehouse
from wixoms.extensions import db
from wixoms.models import InventoryLevel, Product, Variant
from wixoms.views import products as products_view


def product_form(name="Canvas Tote", option_names="", rows=None, **extra) -> dict:
    rows = rows if rows is not None else [{"sku": "TOTE-1", "price": "19.90"}]
    data = {"name": name, "description": "", "option_names": option_names}
    for i, row in enumerate(rows):
        for key in ("id", "option_values", "sku", "price", "weight", "barcode"):
            data[f"variants-{i}-{key}"] = row.get(key, "")
        if row.get("remove"):
            data[f"variants-{i}-remove"] = "y"
    data.update(extra)
    return data


def variants_of(app, name: str) -> list[Variant]:
    with app.app_context():
        product = db.session.scalar(db.select(Product).where(Product.name == name))
        if product is None:
            return []
        result = list(product.variants)
        db.session.expunge_all()
        return result


def test_admin_creates_a_product_without_options_as_one_variant(app, logged_in, world):
    data = product_form(
        rows=[{"sku": "TOTE-1", "price": "19.9", "weight": "0.25", "barcode": "0123"}]
    )
    response = logged_in.post("/products/new", data=data)
    assert response.status_code == 302
    [variant] = variants_of(app, "Canvas Tote")
    assert (variant.sku, str(variant.price), str(variant.weight)) == ("TOTE-1", "19.90", "0.250")
    assert variant.options == {} and variant.barcode == "0123"
    assert variant.account_id == world.acme.id
    page = logged_in.get(response.headers["Location"])
    assert b"TOTE-1" in page.data and b"saved" in page.data


def test_admin_creates_a_product_with_options_and_blank_rows_are_ignored(app, logged_in):
    rows = [
        {"option_values": "M, Red", "sku": "TEE-M-RED", "price": "20"},
        {"option_values": "L, Red", "sku": "TEE-L-RED", "price": "22.50"},
        {},
    ]
    response = logged_in.post(
        "/products/new", data=product_form("Tee", option_names="Size, Color", rows=rows)
    )
    assert response.status_code == 302
    variants = variants_of(app, "Tee")
    assert [v.options for v in variants] == [
        {"Size": "M", "Color": "Red"},
        {"Size": "L", "Color": "Red"},
    ]


def test_add_row_button_offers_one_more_variant_row_without_saving(app, logged_in):
    rows = [{"option_values": "M", "sku": "TEE-M", "price": "20"}]
    data = product_form("Tee", option_names="Size", rows=rows, add_row="1")
    response = logged_in.post("/products/new", data=data)
    assert response.status_code == 200
    assert b'name="variants-1-sku"' in response.data
    assert variants_of(app, "Tee") == []


def test_admin_edits_price_adds_and_removes_variants(app, logged_in, world):
    pid = add_product(app, world.acme.id, "Tee", ["TEE-S", "TEE-M"], [{"Size": "S"}, {"Size": "M"}])
    form = logged_in.get(f"/products/{pid}/edit")
    assert b'value="TEE-M"' in form.data and b'value="Size"' in form.data
    s, m = variants_of(app, "Tee")
    rows = [
        {"id": str(s.id), "option_values": "S", "sku": "TEE-S", "price": "11.00"},
        {"id": str(m.id), "option_values": "M", "sku": "TEE-M", "price": "10", "remove": True},
        {"option_values": "L", "sku": "TEE-L", "price": "12"},
    ]
    response = logged_in.post(
        f"/products/{pid}/edit", data=product_form("Tee", option_names="Size", rows=rows)
    )
    assert response.status_code == 302
    after = variants_of(app, "Tee")
    assert [(v.sku, str(v.price)) for v in after] == [("TEE-S", "11.00"), ("TEE-L", "12.00")]
    assert after[0].id == s.id


def test_a_sku_freed_by_a_removed_variant_can_be_reused_in_the_same_save(app, logged_in, world):
    pid = add_product(app, world.acme.id, "Mug", ["MUG-1"])
    [old] = variants_of(app, "Mug")
    add_level(app, old.id, add_warehouse(app, world.acme.id, "MAIN"), on_hand=7)
    rows = [
        {"id": str(old.id), "sku": "MUG-1", "price": "5", "remove": True},
        {"sku": "MUG-1", "price": "6"},
    ]
    response = logged_in.post(f"/products/{pid}/edit", data=product_form("Mug", rows=rows))
    assert response.status_code == 302
    [new] = variants_of(app, "Mug")
    assert str(new.price) == "6.00"
    with app.app_context():  # a new variant: the removed one's stock went with it
        assert db.session.scalar(db.select(db.func.count()).select_from(InventoryLevel)) == 0


def test_list_searches_by_name_or_sku(app, logged_in, world):
    add_product(app, world.acme.id, "Canvas Tote", ["TOTE-1"])
    add_product(app, world.acme.id, "Mug", ["MUG-9"])
    by_sku = logged_in.get("/products/?q=mug-9").data
    assert b"Mug" in by_sku and b"Canvas Tote" not in by_sku
    by_name = logged_in.get("/products/?q=canvas").data
    assert b"Canvas Tote" in by_name and b"MUG-9" not in by_name
    assert b"No product matches" in logged_in.get("/products/?q=zzz").data


def test_list_search_treats_like_wildcards_literally(app, logged_in, world):
    add_product(app, world.acme.id, "Mug", ["MUG-9"])
    assert b"No product matches" in logged_in.get("/products/?q=%25").data


def test_list_pages_by_name_without_repeats(app, logged_in, world):
    app.config["OMS_PAGE_SIZE"] = 2
    for name in ("Delta", "Alpha", "Echo", "Bravo", "Charlie"):
        add_product(app, world.acme.id, name, [f"SKU-{name}"])
    seen, url = [], "/products/"
    while url:
        page = logged_in.get(url).get_data(as_text=True)
        seen += [n for n in ("Alpha", "Bravo", "Charlie", "Delta", "Echo") if f">{n}<" in page]
        marker = 'href="/products/?after='
        url = (
            page[page.index(marker) + 6 : page.index('"', page.index(marker) + 6)]
            if marker in page
            else None
        )
    assert seen == ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]


TOO_LONG_NAME = "x" * 81


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (product_form(name=""), "Enter the product name."),
        (
            product_form(name=TOO_LONG_NAME),
            "A product name has at most 80 characters (Wix's limit).",
        ),
        (product_form(rows=[{"sku": "", "price": "1"}]), "Enter a SKU."),
        (product_form(rows=[{}]), "Enter a SKU."),
        (product_form(rows=[{"sku": "A B", "price": "1"}]), "A SKU has no spaces."),
        (product_form(rows=[{"sku": "A" * 65, "price": "1"}]), "A SKU has at most 64 characters."),
        (product_form(rows=[{"sku": "A1", "price": ""}]), "Enter the price, like 19.99."),
        (
            product_form(rows=[{"sku": "A1", "price": "abc"}]),
            "Enter the price as a number, like 19.99.",
        ),
        (
            product_form(rows=[{"sku": "A1", "price": "1e3"}]),
            "Enter the price as a number, like 19.99.",
        ),
        (product_form(rows=[{"sku": "A1", "price": "-1"}]), "The price cannot be negative."),
        (product_form(rows=[{"sku": "A1", "price": "1.999"}]), "The price has at most 2 decimals."),
        (
            product_form(rows=[{"sku": "A1", "price": "99999999999"}]),
            "The price is at most 9999999999.99.",
        ),
        (
            product_form(rows=[{"sku": "A1", "price": "1", "weight": "heavy"}]),
            "Enter the weight as a number, like 0.5.",
        ),
        (
            product_form(rows=[{"sku": "A1", "price": "1", "barcode": "12 34"}]),
            "A barcode has only letters, digits and dashes.",
        ),
        (
            product_form(option_names="Size,,Color"),
            "Separate option names with single commas, like Size, Color.",
        ),
        (product_form(option_names="Size, size"), "Each option name can appear only once."),
        (product_form(option_names="a,b,c,d,e,f,g"), "A product has at most 6 options."),
        (
            product_form(
                option_names="Size, Color", rows=[{"option_values": "M", "sku": "A1", "price": "1"}]
            ),
            "Give 2 values (Size, Color), separated by commas.",
        ),
        (
            product_form(rows=[{"sku": "A1", "price": "1"}, {"sku": "A2", "price": "1"}]),
            "This product has 2 variants: name the options that tell them apart, like Size.",
        ),
        (
            product_form(
                option_names="Size",
                rows=[
                    {"option_values": "M", "sku": "A1", "price": "1"},
                    {"option_values": "L", "sku": "A1", "price": "1"},
                ],
            ),
            "Two variants cannot share a SKU.",
        ),
        (
            product_form(
                option_names="Size",
                rows=[
                    {"option_values": "M", "sku": "A1", "price": "1"},
                    {"option_values": "m", "sku": "A2", "price": "1"},
                ],
            ),
            "Another variant already has these values.",
        ),
        (
            product_form(rows=[{"sku": "TAKEN-1", "price": "1"}]),
            "SKU TAKEN-1 is already used by Existing.",
        ),
    ],
)
def test_product_form_rejects_bad_input_with_a_message(app, logged_in, world, data, message):
    add_product(app, world.acme.id, "Existing", ["TAKEN-1"])
    response = logged_in.post("/products/new", data=data)
    assert response.status_code == 422
    assert message in unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Product)) == 1


def test_removing_every_variant_is_refused(app, logged_in, world):
    pid = add_product(app, world.acme.id, "Mug", ["MUG-1"])
    [v] = variants_of(app, "Mug")
    rows = [{"id": str(v.id), "sku": "MUG-1", "price": "5", "remove": True}]
    response = logged_in.post(f"/products/{pid}/edit", data=product_form("Mug", rows=rows))
    assert response.status_code == 422
    assert "A product keeps at least one variant." in response.get_data(as_text=True)
    assert len(variants_of(app, "Mug")) == 1


def test_the_same_sku_is_fine_in_another_account(app, logged_in, world):
    add_product(app, world.globex.id, "Their tote", ["TOTE-1"])
    assert logged_in.post("/products/new", data=product_form()).status_code == 302


def test_a_sku_taken_between_check_and_commit_is_a_form_error(app, logged_in, world, monkeypatch):
    add_product(app, world.acme.id, "Existing", ["TOTE-1"])
    # The race: another request commits TOTE-1 after this one's uniqueness check passed.
    monkeypatch.setattr(products_view, "_skus_free", lambda form, product: True)
    response = logged_in.post("/products/new", data=product_form())
    assert response.status_code == 422
    assert "A SKU of this product was just used elsewhere." in response.get_data(as_text=True)
    assert len(variants_of(app, "Canvas Tote")) == 0


def test_operator_sees_products_but_no_edit_controls(app, client, auth, world):
    pid = add_product(app, world.acme.id, "Mug", ["MUG-1"])
    auth.login("op@acme.test")
    listing = client.get("/products/")
    assert b"MUG-1" in listing.data and b"New product" not in listing.data
    detail = client.get(f"/products/{pid}")
    assert detail.status_code == 200 and b"/edit" not in detail.data


@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/products/new"), ("post", "/products/new"), ("get", "/edit"), ("post", "/edit")],
)
def test_operator_cannot_create_or_edit_products(app, client, auth, world, method, path):
    pid = add_product(app, world.acme.id, "Mug", ["MUG-1"])
    auth.login("op@acme.test")
    url = path if path.startswith("/products") else f"/products/{pid}{path}"
    response = getattr(client, method)(url, data=product_form())
    assert response.status_code == 403
    assert [v.sku for v in variants_of(app, "Mug")] == ["MUG-1"]
