import pytest

from shop.cart import Cart
from shop.catalog import Catalog, Product
from shop.errors import ShopError, UnknownProductError
from shop.money import format_cents


@pytest.fixture
def cart():
    return Cart(Catalog([Product("APL", "Apple", 50), Product("PEN", "Pen", 120)]))


def test_subtotal_and_receipt(cart):
    cart.add("APL", 3)
    cart.add("PEN")
    assert cart.subtotal() == 270 and cart.total() == 270
    assert cart.receipt() == ("3 x Apple @ 0.50 = 1.50\n1 x Pen @ 1.20 = 1.20\n"
                              "Subtotal: 2.70\nTotal: 2.70")


def test_remove(cart):
    cart.add("APL", 3)
    cart.remove("APL", 2)
    assert cart.lines() == [(Product("APL", "Apple", 50), 1)]
    cart.remove("APL")
    assert cart.lines() == []
    with pytest.raises(ShopError):
        cart.remove("APL")


def test_unknown_product(cart):
    with pytest.raises(UnknownProductError):
        cart.add("XYZ")


def test_format_cents():
    assert [format_cents(c) for c in (0, 5, 1234, -150)] == ["0.00", "0.05", "12.34", "-1.50"]
