import dataclasses

import pytest

from shop.cart import Cart
from shop.catalog import Catalog, Product
from shop.discounts import Discount
from shop.errors import CodeNotApplicableError, ShopError, UnknownCodeError


def make_cart(*discounts):
    catalog = Catalog([Product("APL", "Apple", 50), Product("PEN", "Pen", 120),
                       Product("BAG", "Bag", 2999)], discounts)
    return Cart(catalog)


SAVE10 = Discount("SAVE10", "percent", 10)
FIVER = Discount("Fiver", "fixed", 500)
BIG = Discount("BIG20", "percent", 20, min_subtotal=5000)


def test_discount_is_a_frozen_dataclass():
    assert [field.name for field in dataclasses.fields(Discount)] == [
        "code", "kind", "value", "min_subtotal"]
    assert Discount("X", "fixed", 1).min_subtotal == 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        SAVE10.value = 50


@pytest.mark.parametrize("args", [
    ("", "percent", 10), ("   ", "fixed", 10), ("X", "bogus", 10), ("X", "percent", 0),
    ("X", "percent", 101), ("X", "percent", -5), ("X", "fixed", 0), ("X", "fixed", -1),
    ("X", "fixed", 100, -1),
])
def test_invalid_discounts(args):
    with pytest.raises(ValueError):
        Discount(*args)


def test_edge_values_are_valid():
    assert Discount("A", "percent", 1).amount(1000) == 10
    assert Discount("B", "percent", 100).amount(1234) == 1234
    assert Discount("C", "fixed", 1).amount(1000) == 1


def test_amount():
    assert SAVE10.amount(270) == 27
    assert SAVE10.amount(999) == 99
    assert SAVE10.amount(0) == 0
    assert FIVER.amount(270) == 270
    assert FIVER.amount(1000) == 500
    assert BIG.amount(4999) == 0
    assert BIG.amount(5000) == 1000


def test_catalog_lookup_is_case_insensitive():
    catalog = Catalog(discounts=[SAVE10])
    assert catalog.discount("save10") == SAVE10
    assert catalog.discount("  SaVe10\t") == SAVE10
    catalog.add_discount(FIVER)
    assert catalog.discount("FIVER") == FIVER


def test_duplicate_codes():
    catalog = Catalog(discounts=[SAVE10])
    with pytest.raises(ValueError):
        catalog.add_discount(Discount("save10", "fixed", 5))
    with pytest.raises(ValueError):
        Catalog(discounts=[FIVER, Discount("FIVER", "fixed", 1)])


def test_unknown_code():
    catalog = Catalog(discounts=[SAVE10])
    with pytest.raises(UnknownCodeError) as info:
        catalog.discount(" nope ")
    assert str(info.value) == "unknown discount code:  nope "
    assert issubclass(UnknownCodeError, ShopError)


def test_apply_percent_code():
    cart = make_cart(SAVE10)
    cart.add("APL", 3)
    cart.add("PEN")
    assert cart.code is None and cart.discount() == 0
    cart.apply_code("save10")
    assert cart.code == "SAVE10"
    assert (cart.subtotal(), cart.discount(), cart.total()) == (270, 27, 243)
    assert cart.receipt() == ("3 x Apple @ 0.50 = 1.50\n1 x Pen @ 1.20 = 1.20\n"
                              "Subtotal: 2.70\nDiscount (SAVE10): -0.27\nTotal: 2.43")


def test_fixed_code_never_makes_the_total_negative():
    cart = make_cart(FIVER)
    cart.add("PEN")
    cart.apply_code("fiver")
    assert cart.code == "Fiver"
    assert (cart.discount(), cart.total()) == (120, 0)
    assert cart.receipt().endswith("Subtotal: 1.20\nDiscount (Fiver): -1.20\nTotal: 0.00")


def test_new_code_replaces_the_old_one():
    cart = make_cart(SAVE10, FIVER)
    cart.add("BAG")
    cart.apply_code("SAVE10")
    cart.apply_code("FIVER")
    assert cart.code == "Fiver" and cart.discount() == 500 and cart.total() == 2499


def test_minimum_subtotal():
    cart = make_cart(SAVE10, BIG)
    cart.add("BAG")
    cart.apply_code("SAVE10")
    with pytest.raises(CodeNotApplicableError) as info:
        cart.apply_code("big20")
    assert str(info.value) == "BIG20 needs a subtotal of at least 50.00"
    assert issubclass(CodeNotApplicableError, ShopError)
    assert cart.code == "SAVE10" and cart.discount() == 299


def test_unknown_code_leaves_the_cart_alone():
    cart = make_cart(SAVE10)
    cart.add("BAG")
    cart.apply_code("SAVE10")
    with pytest.raises(UnknownCodeError):
        cart.apply_code("SAVE11")
    assert cart.code == "SAVE10"


def test_code_stays_but_stops_counting_below_the_minimum():
    cart = make_cart(BIG)
    cart.add("BAG", 2)
    cart.apply_code("BIG20")
    assert cart.discount() == 1199 and cart.total() == 4799
    cart.remove("BAG", 1)
    assert cart.code == "BIG20"
    assert cart.discount() == 0 and cart.total() == 2999
    assert "Discount" not in cart.receipt()
    cart.add("BAG")
    assert cart.discount() == 1199


def test_remove_code():
    cart = make_cart(SAVE10)
    cart.remove_code()
    cart.add("BAG")
    cart.apply_code("SAVE10")
    cart.remove_code()
    assert cart.code is None and cart.discount() == 0 and cart.total() == 2999
    assert cart.receipt() == "1 x Bag @ 29.99 = 29.99\nSubtotal: 29.99\nTotal: 29.99"


def test_percent_rounds_down():
    cart = make_cart(Discount("THIRD", "percent", 33))
    cart.add("APL")
    cart.apply_code("third")
    assert cart.discount() == 16 and cart.total() == 34


def test_zero_discount_has_no_receipt_line():
    cart = make_cart(SAVE10)
    cart.add("APL")
    cart.apply_code("SAVE10")
    assert cart.discount() == 5
    cart.remove("APL")
    cart.apply_code("SAVE10")
    assert cart.discount() == 0
    assert cart.receipt() == "Subtotal: 0.00\nTotal: 0.00"
